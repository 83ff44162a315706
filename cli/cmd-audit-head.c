/*
 * cmd-audit-head.c: segurctl audit head: the event log's head (hash,
 * event count, time), sealed with HMAC when a key is configured, to be
 * published outside the ledger.
 */
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
    struct segurctl_args *args)
{
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;
	const char	*keyfile = NULL;
	char		*cause = NULL;
	int		 rc, json = 0, have;

	json = segurctl_flag(self, args, "json");
	keyfile = segurctl_arg(self, args, "key");
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_audit_key_release(&key);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, segur_audit_head_json(&h)));
	fprintf(env->out, "%s %" PRId64 " %s%s%s\n", h.hash, h.events,
	    h.at[0] ? h.at : "-", h.seal[0] ? " " : "", h.seal);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt audit_head_opts[] = {
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_audit_head = {
	.name = "audit head",
	.group = "audit",
	.args = "[--json] [--key FILE]",
	.summary = "afficher la tête du journal d'événements (empreinte, "
	    "événements, heure), scellée par une clé",
	.opts = audit_head_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = audit_head_exec
};
