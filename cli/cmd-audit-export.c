/*
 * cmd-audit-export.c: segurctl audit export: one row per attempt, CSV for
 * French Excel (or RFC 4180) or JSON, carrying the chain head; or an xlsx
 * workbook with a sheet per subject.
 */
#include <getopt.h>
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
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "og", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "xlsx", no_argument, NULL, 'x' },
		{ "csv-rfc4180", no_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_export_filter f = { NULL, NULL, NULL };
	enum segur_export_format fmt = SEGUR_EXPORT_CSV;
	enum segur_csv_dialect dialect = SEGUR_CSV_EXCEL_FR;
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l;
	const char	*keyfile = NULL, *path = NULL;
	char		*cause = NULL;
	size_t		 n = 0;
	int		 c, rc, have;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'o':
			f.og = optarg;
			break;
		case 'f':
		case 't':
			if (!is_date(optarg))
				return (segurctl_usage_error(self, env,
				    "bad date '%s' (AAAA-MM-JJ)", optarg));
			*(c == 'f' ? &f.from : &f.to) = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "csv") == 0)
				fmt = SEGUR_EXPORT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = SEGUR_EXPORT_JSON;
			else if (strcmp(optarg, "xlsx") == 0)
				fmt = SEGUR_EXPORT_XLSX;
			else
				return (segurctl_usage_error(self, env,
				    "--format is csv, json or xlsx"));
			break;
		case 'j':
			fmt = SEGUR_EXPORT_JSON;
			break;
		case 'x':
			fmt = SEGUR_EXPORT_XLSX;
			break;
		case 'r':
			dialect = SEGUR_CSV_RFC4180;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'O':
			path = optarg;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env,
		    "no argument expected"));
	/* A workbook is binary: never to a terminal or a pipe by mistake. */
	if (fmt == SEGUR_EXPORT_XLSX &&
	    (path == NULL || strcmp(path, "-") == 0))
		return (segurctl_usage_error(self, env,
		    "--xlsx needs --out FILE"));
	if (fmt == SEGUR_EXPORT_XLSX && dialect != SEGUR_CSV_EXCEL_FR)
		return (segurctl_usage_error(self, env,
		    "--csv-rfc4180 is for CSV, not --xlsx"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		segur_audit_key_release(&key);
		return (rc);
	}
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_audit_key_release(&key);
	if (rc == 0 && fmt == SEGUR_EXPORT_XLSX)
		rc = segur_audit_export_xlsx(l, &f, &h, path, &n, &cause);
	else if (rc == 0)
		rc = segur_audit_export(l, &f, fmt, dialect, &h, &out, &n,
		    &cause);
	segur_ledger_close(l);
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

const struct segurctl_cmd cmd_audit_export = {
	"audit export",
	"[--og FINESS] [--from DATE] [--to DATE] [--json | --xlsx | "
	"--format csv|json|xlsx] [--csv-rfc4180] [--key FILE] [--out FILE]",
	"export one row per attempt (CSV for Excel, JSON) or a workbook "
	"(xlsx), with the chain head", 0, audit_export_exec
};
