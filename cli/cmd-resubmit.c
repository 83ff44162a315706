/*
 * cmd-resubmit.c: segurctl resubmit REF...|--all-rejected: a rejected
 * request, corrected (segurctl request edit), is validated again and made
 * ready; the next build gives it a new numeroEditeur and renames its
 * documents (cli/cmd-request-ready.c holds the common body).
 */
#include "segur/ledger.h"

#include "segurctl.h"

static int
resubmit_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	return (segurctl_promote(self, env, argc, argv, SEGUR_STATE_REJECTED,
	    "all-rejected", "still rejected"));
}

const struct segurctl_cmd cmd_resubmit = {
	"resubmit", "[--json] REF...|--all-rejected",
	"make rejected requests ready again: a new numeroEditeur at the next "
	"build", 0, resubmit_exec
};
