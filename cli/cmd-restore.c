/*
 * cmd-restore.c: segurctl restore FILE: puts a backup in place of the
 * ledger after checking its chain; a live ledger only with --force, and
 * then kept beside it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* What restore --json prints: the ledger replaced, the backup it came from,
 * its head, and where the ledger it replaced was kept (null: there was
 * none). Caller deletes; NULL on ENOMEM. */
static cJSON *
restore_json(const char *path, const char *from,
    const struct segur_chain_head *h, const char *saved)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "path", path) == NULL ||
	    cJSON_AddStringToObject(o, "from", from) == NULL ||
	    cJSON_AddNumberToObject(o, "events", (double)h->events) == NULL ||
	    cJSON_AddStringToObject(o, "head", h->hash) == NULL ||
	    (saved != NULL ? cJSON_AddStringToObject(o, "previousKeptAs",
	    saved) : cJSON_AddNullToObject(o, "previousKeptAs")) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

static int
restore_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_chain_head h;
	char		*cause = NULL, *saved = NULL;
	int		 rc, force = 0;

	force = segurctl_flag(self, args, "force");
	if ((rc = segurctl_ledger_announce(self, env)) != 0)
		return (rc);
	rc = segur_audit_restore(args->argv[0], env->db_path, force, &h,
	    &saved, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json")) {
		rc = segurctl_print_json(env, restore_json(env->db_path,
		    args->argv[0], &h, saved));
		free(saved);
		return (rc);
	}
	if (saved != NULL)
		fprintf(env->out, "ancien registre conservé sous %s\n", saved);
	fprintf(env->out, "%s: restauré depuis %s, %" PRId64 " événements, "
	    "tête %s\n", env->db_path, args->argv[0], h.events, h.hash);
	free(saved);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt restore_opts[] = {
	{ "force", 0, NULL, "remplacer un registre existant (gardé d'abord à "
	    "côté)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_restore = {
	.name = "restore",
	.group = "backup",
	.args = "[--json] [--force] FILE",
	.summary = "remplacer le registre par une sauvegarde dont la chaîne "
	    "est intacte",
	.opts = restore_opts,
	.flags = SEGURCTL_DB | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = restore_exec
};
