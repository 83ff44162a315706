/*
 * cmd-request-import.c: segurctl request import FILE.csv: many drafts from
 * a spreadsheet export, all or nothing.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

#define IMPORT_MAX_BYTES	((size_t)256 * 1024 * 1024)

static int
request_import_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_csv_errors errs = { NULL, 0 };
	struct segur_ledger *l;
	char		*buf, *cause = NULL, *copy;
	size_t		 len, n;
	int		 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'D')
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		env->db_path = optarg;
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one FILE.csv"));
	if (segur_read_file(argv[optind], IMPORT_MAX_BYTES, &buf, &len,
	    &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((copy = strdup(argv[optind])) == NULL) {
		free(buf);
		fprintf(env->err, "segurctl %s: out of memory\n", self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		free(copy);
		return (rc);
	}
	/* Documents named in the file are found beside it. */
	rc = segur_ledger_request_import(l, argv[optind], buf, len,
	    dirname(copy), &n, &errs, &cause);
	segur_ledger_close(l);
	free(buf);
	free(copy);
	if (rc != 0) {
		segurctl_csv_errors_print(env->err, argv[optind], &errs);
		segur_csv_errors_release(&errs);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	segur_csv_errors_release(&errs);
	fprintf(env->out, "%s: %zu requests registered as drafts\n",
	    argv[optind], n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_import = {
	"request import", "FILE.csv",
	"register drafts from a spreadsheet export, all or nothing", 0,
	request_import_exec
};
