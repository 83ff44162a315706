/*
 * cmd-audit-verify.c: segurctl audit verify: walk the event log's hash
 * chain and report the first broken row.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
audit_verify_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	struct segur_audit a;
	char		*cause = NULL;
	cJSON		*o;
	int		 c, rc, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			env->db_path = optarg;
		else if (c == 'j')
			json = 1;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_audit_verify(l, &a, &cause);
	segur_ledger_close(l);
	if (rc != 0 && rc != SEGUR_ECORRUPT) {
		segur_audit_release(&a);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	free(cause);
	if (json) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    cJSON_AddBoolToObject(o, "ok", rc == 0) == NULL ||
		    cJSON_AddNumberToObject(o, "events", (double)a.events) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "head", a.head) == NULL ||
		    (rc != 0 && (cJSON_AddNumberToObject(o, "brokenEvent",
		    (double)a.bad_id) == NULL ||
		    cJSON_AddStringToObject(o, "reason", a.reason) == NULL))) {
			cJSON_Delete(o);
			o = NULL;
		}
		segur_audit_release(&a);
		if (segurctl_print_json(env, o) != 0)
			return (SEGURCTL_EXIT_USAGE);
		return (rc == 0 ? SEGURCTL_EXIT_OK : SEGURCTL_EXIT_FINDINGS);
	}
	if (rc == 0)
		fprintf(env->out, "event log whole: %lld events, head %s\n",
		    (long long)a.events, a.head);
	else
		fprintf(env->out, "event log BROKEN at event %lld: %s "
		    "(%lld events before it are whole, head %s)\n",
		    (long long)a.bad_id, a.reason, (long long)a.events,
		    a.head);
	segur_audit_release(&a);
	return (rc == 0 ? SEGURCTL_EXIT_OK : SEGURCTL_EXIT_FINDINGS);
}

const struct segurctl_cmd cmd_audit_verify = {
	"audit verify", "[--json]",
	"check the event log's hash chain, report the first broken row", 0,
	audit_verify_exec
};
