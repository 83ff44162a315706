/*
 * cmd-request-withdraw.c: segurctl request withdraw REF --reason TEXT.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

/* Usage first, before the ledger is opened and the request resolved. */
static int
request_withdraw_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	if (segurctl_arg(self, args, "reason") == NULL)
		return (segurctl_usage_error(self, env,
		    "--reason est obligatoire"));
	return (0);
}

static int
request_withdraw_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	const char	*reason = NULL;
	char		*cause = NULL;
	cJSON		*o;
	int		 rc;

	reason = segurctl_arg(self, args, "reason");
	rc = segur_ledger_request_withdraw(l, args->argv[0], reason, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json")) {
		if ((o = segurctl_request_json(self, env, l,
		    args->argv[0])) == NULL)
			return (SEGURCTL_EXIT_USAGE);
		if (cJSON_AddStringToObject(o, "reason", reason) == NULL) {
			cJSON_Delete(o);
			o = NULL;
		}
		return (segurctl_print_json(env, o));
	}
	fprintf(env->out, "%s : %s\n", args->argv[0],
	    segur_state_label(SEGUR_STATE_WITHDRAWN));
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt request_withdraw_opts[] = {
	{ "reason", 0, "TEXT", "pourquoi (gardé dans son historique)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_request_withdraw = {
	.name = "request withdraw",
	.group = "request",
	.args = "[--json] --reason TEXT REF",
	.summary = "retirer une demande (elle reste au registre, ses numéros "
	    "ne resservent jamais)",
	.opts = request_withdraw_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_REF,
	.check = request_withdraw_check,
	.exec = request_withdraw_exec
};
