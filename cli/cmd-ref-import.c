/*
 * cmd-ref-import.c: segurctl ref import eligible|tranches FILE.csv: replace
 * a reference table with a CSV file, all or nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* Largest reference file read (the whole FINESS list is ~ 10 MB). */
#define REF_MAX_BYTES	((size_t)256 * 1024 * 1024)

void
segurctl_csv_errors_print(FILE *f, const char *file,
    const struct segur_csv_errors *e)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		if (e->v[i].column != NULL)
			fprintf(f, "%s:%ld:%s: erreur: %s\n", file,
			    e->v[i].row, e->v[i].column, e->v[i].message);
		else
			fprintf(f, "%s:%ld: erreur: %s\n", file, e->v[i].row,
			    e->v[i].message);
	}
}

static int
ref_import_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_csv_errors errs = { NULL, 0 };
	struct segur_ledger *l;
	enum segur_ref_kind kind;
	char		*buf, *cause = NULL;
	size_t		 len, rows;
	int		 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'D')
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		env->db_path = optarg;
	}
	if (optind != argc - 2)
		return (segurctl_usage_error(self, env,
		    "expected eligible|tranches and a file"));
	if (strcmp(argv[optind], "eligible") == 0)
		kind = SEGUR_REF_ELIGIBLE;
	else if (strcmp(argv[optind], "tranches") == 0)
		kind = SEGUR_REF_TRANCHES;
	else
		return (segurctl_usage_error(self, env, "unknown table '%s' "
		    "(eligible or tranches)", argv[optind]));
	if (segur_read_file(argv[optind + 1], REF_MAX_BYTES, &buf, &len,
	    &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		return (rc);
	}
	rc = segur_ledger_ref_import(l, kind, argv[optind + 1], buf, len,
	    &rows, &errs, &cause);
	segur_ledger_close(l);
	free(buf);
	if (rc != 0) {
		segurctl_csv_errors_print(env->err, argv[optind + 1], &errs);
		segur_csv_errors_release(&errs);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	segur_csv_errors_release(&errs);
	fprintf(env->out, "%s: %zu rows loaded into %s\n", argv[optind + 1],
	    rows, argv[optind]);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_ref_import = {
	"ref import", "eligible|tranches FILE.csv",
	"replace the eligible ESMS or the tranche amounts with a CSV file", 0,
	ref_import_exec
};
