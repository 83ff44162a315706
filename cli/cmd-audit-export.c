/*
 * cmd-audit-export.c: segurctl audit export: one row per attempt, CSV for
 * French Excel (or RFC 4180) or JSON, carrying the chain head; or an xlsx
 * workbook with a sheet per subject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/audit.h"
#include "segur/csvout.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* Is s a date "AAAA-MM-JJ"? */
static int
is_date(const char *s)
{
	int	 i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return (0);
	return (1);
}

static int
audit_export_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_export_filter f = { NULL, NULL, NULL };
	enum segur_export_format fmt = SEGUR_EXPORT_CSV;
	enum segur_csv_dialect dialect = SEGUR_CSV_EXCEL_FR;
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;
	const char	*v;
	const char	*keyfile = NULL, *path = NULL;
	char		*cause = NULL;
	size_t		 n = 0;
	int		 c, rc, have;

	f.og = segurctl_arg(self, args, "og");
	for (c = 0; c < 2; c++) {
		v = segurctl_arg(self, args, c == 0 ? "from" : "to");
		if (v == NULL)
			continue;
		if (!is_date(v))
			return (segurctl_usage_error(self, env,
			    "date invalide « %s » (AAAA-MM-JJ)", v));
		*(c == 0 ? &f.from : &f.to) = v;
	}
	if ((v = segurctl_arg(self, args, "format")) != NULL) {
		if (strcmp(v, "csv") == 0)
			fmt = SEGUR_EXPORT_CSV;
		else if (strcmp(v, "json") == 0)
			fmt = SEGUR_EXPORT_JSON;
		else if (strcmp(v, "xlsx") == 0)
			fmt = SEGUR_EXPORT_XLSX;
		else
			return (segurctl_usage_error(self, env,
			    "--format vaut csv, json ou xlsx"));
	}
	if (segurctl_flag(self, args, "json"))
		fmt = SEGUR_EXPORT_JSON;
	if (segurctl_flag(self, args, "xlsx"))
		fmt = SEGUR_EXPORT_XLSX;
	if (segurctl_flag(self, args, "csv-rfc4180"))
		dialect = SEGUR_CSV_RFC4180;
	keyfile = segurctl_arg(self, args, "key");
	path = segurctl_arg(self, args, "out");
	/* A workbook is binary: never to a terminal or a pipe by mistake. */
	if (fmt == SEGUR_EXPORT_XLSX &&
	    (path == NULL || strcmp(path, "-") == 0))
		return (segurctl_usage_error(self, env,
		    "--xlsx demande --out FICHIER"));
	if (fmt == SEGUR_EXPORT_XLSX && dialect != SEGUR_CSV_EXCEL_FR)
		return (segurctl_usage_error(self, env,
		    "--csv-rfc4180 vaut pour le CSV, "
		    "pas pour --xlsx"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_audit_key_release(&key);
	if (rc == 0 && fmt == SEGUR_EXPORT_XLSX)
		rc = segur_audit_export_xlsx(l, &f, &h, path, &n, &cause);
	else if (rc == 0)
		rc = segur_audit_export(l, &f, fmt, dialect, &h, &out, &n,
		    &cause);
	if (rc != 0) {
		segur_buf_release(&out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (fmt != SEGUR_EXPORT_XLSX)
		rc = segurctl_write_output(self, env, path, &out);
	segur_buf_release(&out);
	if (rc == 0 && path != NULL)
		fprintf(env->err, "%s: %zu ligne(s), tête %s\n", path, n,
		    h.hash);
	return (rc);
}

static const struct segurctl_opt audit_export_opts[] = {
	{ "og", 0, "FINESS", "seulement les demandes de l'OG de ce FINESS "
	    "juridique" },
	{ "from", 0, "DATE", "les tentatives depuis DATE (AAAA-MM-JJ)" },
	{ "to", 0, "DATE", "les tentatives jusqu'à DATE (AAAA-MM-JJ)" },
	{ "xlsx", 0, NULL, "un classeur, une feuille par sujet (avec --out)" },
	{ "format", 0, "csv|json|xlsx", "le format (par défaut : csv, pour "
	    "Excel) ; --json et --xlsx le disent plus court" },
	{ "csv-rfc4180", 0, NULL, "CSV selon la RFC 4180 (virgule, UTF-8) "
	    "plutôt que pour Excel" },
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE, sinon key_file de [audit] dans "
	    "segurd.conf)" },
	{ "out", 0, "FILE", "dans FILE (par défaut : la sortie standard)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_audit_export = {
	.name = "audit export",
	.group = "audit",
	.args = "[--og FINESS] [--from DATE] [--to DATE] [--json | --xlsx | "
	    "--format csv|json|xlsx] [--csv-rfc4180] [--key FILE] [--out FILE]",
	.summary = "exporter une ligne par tentative (CSV pour Excel, JSON) ou "
	    "un classeur (xlsx), avec la tête de chaîne",
	.opts = audit_export_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = audit_export_exec
};
