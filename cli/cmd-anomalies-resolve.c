/*
 * cmd-anomalies-resolve.c: segurctl anomalies resolve --note TEXT ID:
 * settles an anomaly, saying what was done (lib/ledger/anomaly.c). The
 * request itself changes only through the ordinary commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/anomaly.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* Anomaly id re-read after its change, as segurctl anomalies --json shows
 * it, printed on env->out; returns the exit status. */
static int
resolved_json(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segur_ledger *l, int64_t id)
{
	struct segur_anomaly *v;
	cJSON		*o = NULL;
	char		*cause = NULL;
	size_t		 n, i;
	int		 rc;

	rc = segur_anomaly_list(l, SEGUR_ANOMALY_ALL, 0, &v, &n, &cause);
	if (rc != 0)
		return (segurctl_reread_error(self, env, rc, cause));
	for (i = 0; i < n && v[i].id != id; i++)
		continue;
	if (i < n)
		o = segur_anomaly_json(&v[i]);
	segur_anomaly_free_array(v, n);
	if (i == n)
		return (segurctl_reread_error(self, env, SEGUR_ENOENT,
		    segur_asprintf("anomalie %lld introuvable après sa "
		    "résolution", (long long)id)));
	return (segurctl_print_json(env, o));
}

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
		return (segurctl_usage_error(self, env, "ID : « %s » n'est "
		    "pas le numéro d'une anomalie (segurctl anomalies)",
		    args->argv[0]));
	if (note == NULL)
		return (segurctl_usage_error(self, env,
		    "--note est obligatoire"));
	rc = segur_anomaly_resolve(l, (int64_t)id, note, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json"))
		return (resolved_json(self, env, l, (int64_t)id));
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
	.args = "[--json] --note TEXT ID",
	.summary = "clore une anomalie en disant ce qui a été fait (la demande "
	    "ne change que par les commandes habituelles)",
	.opts = anomalies_resolve_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = anomalies_resolve_exec
};
