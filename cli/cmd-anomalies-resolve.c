/*
 * cmd-anomalies-resolve.c: segurctl anomalies resolve --note TEXT ID:
 * settles an anomaly, saying what was done (lib/ledger/anomaly.c). The
 * request itself changes only through the ordinary commands.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/anomaly.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
anomalies_resolve_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	const char	*note = NULL;
	char		*cause = NULL, *end;
	long long	 id;
	int		 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'n')
			note = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env, "expected one ID"));
	errno = 0;
	id = strtoll(argv[optind], &end, 10);
	if (errno != 0 || end == argv[optind] || *end != '\0' || id <= 0)
		return (segurctl_usage_error(self, env, "ID: '%s' is not the "
		    "number of an anomaly (segurctl anomalies)",
		    argv[optind]));
	if (note == NULL)
		return (segurctl_usage_error(self, env, "--note is required"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_anomaly_resolve(l, (int64_t)id, note, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "anomalie %lld résolue\n", id);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_anomalies_resolve = {
	"anomalies resolve", "--note TEXT ID",
	"settle an anomaly, saying what was done (the request changes only "
	"through the ordinary commands)", 0, anomalies_resolve_exec
};
