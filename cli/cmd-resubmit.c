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
    struct segurctl_args *args)
{
	return (segurctl_promote(self, env, args, SEGUR_STATE_REJECTED,
	    "all-rejected"));
}

static const struct segurctl_opt resubmit_opts[] = {
	{ "all-rejected", 0, NULL, "toutes les demandes rejetées" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_resubmit = {
	.name = "resubmit",
	.group = "file",
	.args = "[--json] REF...|--all-rejected",
	.summary = "remettre prêtes des demandes rejetées : un nouveau numéro "
	    "éditeur au prochain build",
	.opts = resubmit_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = -1,
	.req_args = -1,
	.req_as = SEGURCTL_REQ_REF,
	.exec = resubmit_exec
};
