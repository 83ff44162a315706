/*
 * cmd-backup.c: segurctl backup --out FILE: a consistent copy of the
 * ledger while segurd runs (SQLite online backup), fsync'ed, then checked.
 * "backup FILE" is the older spelling of --out FILE.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* The copy's path, its checked head, as backup --json prints them. Caller
 * deletes; NULL on ENOMEM. */
static cJSON *
backup_json(const char *path, const struct segur_chain_head *h)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "path", path) == NULL ||
	    cJSON_AddBoolToObject(o, "verified", 1) == NULL ||
	    cJSON_AddNumberToObject(o, "events", (double)h->events) == NULL ||
	    cJSON_AddStringToObject(o, "head", h->hash) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

/* --out FILE or the positional FILE, one of them: before the ledger is
 * opened. */
static int
backup_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	const char	*out = segurctl_arg(self, args, "out");

	if (out == NULL && args->argc == 0)
		return (segurctl_usage_error(self, env, "--out FICHIER est "
		    "obligatoire"));
	if (out != NULL && args->argc > 0)
		return (segurctl_usage_error(self, env, "la copie est nommée "
		    "deux fois : --out %s et %s ; donnez --out seul", out,
		    args->argv[0]));
	if (out != NULL && out[0] == '\0')
		return (segurctl_usage_error(self, env, "--out : chemin "
		    "vide"));
	return (0);
}

static int
backup_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;	/* borrowed */
	const char	*path;
	char		*cause = NULL;
	int		 rc;

	path = segurctl_arg(self, args, "out");
	if (path == NULL)
		path = args->argv[0];
	rc = segur_audit_backup(l, path, &cause);
	/* The copy is checked as a restore would check it. */
	if (rc == 0)
		rc = segur_audit_check_file(path, &h, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json"))
		return (segurctl_print_json(env, backup_json(path, &h)));
	fprintf(env->out, "%s: copie vérifiée, %" PRId64 " événements, tête "
	    "%s\n", path, h.events, h.hash);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt backup_opts[] = {
	{ "out", 0, "FILE", "la copie à écrire (l'ancienne écriture "
	    "« backup FILE » reste acceptée)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_backup = {
	.name = "backup",
	.group = "backup",
	.args = "[--json] (--out FILE | FILE)",
	.summary = "copier le registre de façon cohérente pendant qu'il sert, "
	    "et vérifier la copie",
	.opts = backup_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 1,
	.check = backup_check,
	.exec = backup_exec
};
