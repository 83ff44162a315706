/*
 * cmd-anomalies-resolve.c: segurctl anomalies resolve --note TEXT ID:
 * settles an anomaly, saying what was done (lib/ledger/anomaly.c). The
 * request itself changes only through the ordinary commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/anomaly.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
anomalies_resolve_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	const char	*note = NULL;
	char		*cause = NULL, *end;
	long long	 id;
	int		 rc;

	note = segurctl_arg(self, args, "note");
	errno = 0;
	id = strtoll(args->argv[0], &end, 10);
	if (errno != 0 || end == args->argv[0] || *end != '\0' || id <= 0)
		return (segurctl_usage_error(self, env, "ID: '%s' is not the "
		    "number of an anomaly (segurctl anomalies)",
		    args->argv[0]));
	if (note == NULL)
		return (segurctl_usage_error(self, env, "--note is required"));
	rc = segur_anomaly_resolve(l, (int64_t)id, note, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "anomalie %lld résolue\n", id);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt anomalies_resolve_opts[] = {
	{ "note", 0, "TEXT", "ce qui a été fait (gardé avec l'anomalie)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_anomalies_resolve = {
	.name = "anomalies resolve",
	.group = "anomalies",
	.args = "--note TEXT ID",
	.summary = "clore une anomalie en disant ce qui a été fait (la demande "
	    "ne change que par les commandes habituelles)",
	.opts = anomalies_resolve_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES,
	.args_min = 1,
	.args_max = 1,
	.exec = anomalies_resolve_exec
};
