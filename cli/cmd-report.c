/*
 * cmd-report.c: segurctl report --out FILE: one static page (inline CSS
 * and SVG, no script, no network) for the ops team and auditors.
 * "--html FILE" is the older spelling of --out FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* The page: --out, else --html (the older spelling); one of them. */
static const char *
report_path(const struct segurctl_cmd *self, const struct segurctl_args *a)
{
	const char	*out = segurctl_arg(self, a, "out");

	return (out != NULL ? out : segurctl_arg(self, a, "html"));
}

/* What report --json prints: the page written, its size, the chain head
 * it shows. Caller deletes; NULL on ENOMEM. */
static cJSON *
report_json(const char *path, size_t bytes, const struct segur_chain_head *h)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "path", path) == NULL ||
	    cJSON_AddStringToObject(o, "format", "html") == NULL ||
	    cJSON_AddNumberToObject(o, "bytes", (double)bytes) == NULL ||
	    cJSON_AddNumberToObject(o, "events", (double)h->events) == NULL ||
	    cJSON_AddStringToObject(o, "head", h->hash) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

/* The usage errors, before the ledger is opened. */
static int
report_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	const char	*out = segurctl_arg(self, args, "out");
	const char	*html = segurctl_arg(self, args, "html");
	const char	*path = report_path(self, args);

	if (path == NULL)
		return (segurctl_usage_error(self, env, "--out FICHIER est "
		    "obligatoire"));
	if (out != NULL && html != NULL)
		return (segurctl_usage_error(self, env, "la page est nommée "
		    "deux fois : --out %s et --html %s ; donnez --out seul",
		    out, html));
	if (path[0] == '\0')
		return (segurctl_usage_error(self, env, "--out : chemin "
		    "vide"));
	/* Standard output holds the JSON alone. */
	if (segurctl_flag(self, args, "json") && strcmp(path, "-") == 0)
		return (segurctl_usage_error(self, env, "--json écrit sur la "
		    "sortie standard : donnez à --out un fichier, pas « - »"));
	return (0);
}

static int
report_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;	/* borrowed */
	const char	*keyfile = NULL, *path = NULL;
	char		*cause = NULL;
	size_t		 bytes;
	int		 rc, have;

	path = report_path(self, args);
	keyfile = segurctl_arg(self, args, "key");
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_audit_key_release(&key);
	if (rc == 0)
		rc = segur_audit_report_html(l, &h, &out, &cause);
	if (rc != 0) {
		segur_buf_release(&out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	rc = segurctl_write_output(self, env, path, &out);
	bytes = out.len;
	segur_buf_release(&out);
	if (rc == 0 && segurctl_flag(self, args, "json"))
		rc = segurctl_print_json(env, report_json(path, bytes, &h));
	return (rc);
}

static const struct segurctl_opt report_opts[] = {
	{ "html", 0, "FILE", "le rapport à écrire" },
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE)" },
	{ "out", 0, "FILE", "la page HTML à écrire (« - » : la sortie "
	    "standard) ; --html FILE en est l'ancienne écriture" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_report = {
	.name = "report",
	.group = "report",
	.args = "[--json] (--out FILE | --html FILE) [--key FILE]",
	.summary = "écrire un rapport HTML statique : états, montants, rejets, "
	    "semaines, listes de choses à faire",
	.opts = report_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.check = report_check,
	.exec = report_exec
};
