/*
 * cmd-request-withdraw.c: segurctl request withdraw REF --reason TEXT.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
request_withdraw_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	const char	*reason = NULL;
	char		*cause = NULL;
	int		 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'r')
			reason = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env, "expected one REF"));
	if (reason == NULL)
		return (segurctl_usage_error(self, env,
		    "--reason is required"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_request_withdraw(l, argv[optind], reason, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: withdrawn\n", argv[optind]);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_withdraw = {
	"request withdraw", "--reason TEXT REF",
	"withdraw a request (it stays in the ledger, its numbers are never "
	"reused)", 0, request_withdraw_exec
};
