/*
 * cmd-audit-head.c: segurctl audit head: the event log's head (hash,
 * event count, time), sealed with HMAC when a key is configured, to be
 * published outside the ledger.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
audit_head_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l;
	const char	*keyfile = NULL;
	char		*cause = NULL;
	int		 c, rc, json = 0, have;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'j')
			json = 1;
		else if (c == 'k')
			keyfile = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env,
		    "no argument expected"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		segur_audit_key_release(&key);
		return (rc);
	}
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_ledger_close(l);
	segur_audit_key_release(&key);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, segur_audit_head_json(&h)));
	fprintf(env->out, "%s %" PRId64 " %s%s%s\n", h.hash, h.events,
	    h.at[0] ? h.at : "-", h.seal[0] ? " " : "", h.seal);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_audit_head = {
	"audit head", "[--json] [--key FILE]",
	"print the event log's head (hash, events, time), sealed with a key",
	0, audit_head_exec
};
