/*
 * cmd-request-import.c: segurctl request import FILE.csv: many drafts from
 * a spreadsheet export, all or nothing; --dry-run checks without writing,
 * --update replaces drafts already registered, --template writes the
 * header line to fill.
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

static int
request_import_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "update", no_argument, NULL, 'u' },
		{ "template", no_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_import im;
	struct segur_ledger *l;
	const char	*file, *out = NULL;
	char		*buf, *cause = NULL, *copy;
	size_t		 len;
	int		 c, rc, template = 0;

	memset(&im, 0, sizeof(im));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'n')
			im.flags |= SEGUR_IMPORT_DRY_RUN;
		else if (c == 'u')
			im.flags |= SEGUR_IMPORT_UPDATE;
		else if (c == 't')
			template = 1;
		else if (c == 'o')
			out = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (template) {
		if (optind != argc || im.flags != 0)
			return (segurctl_usage_error(self, env,
			    "--template takes no FILE.csv, --dry-run nor "
			    "--update"));
		return (segurctl_template_write(self, env,
		    SEGUR_IMPORT_REQUESTS, out));
	}
	if (out != NULL)
		return (segurctl_usage_error(self, env,
		    "--out goes with --template"));
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one FILE.csv"));
	file = argv[optind];
	if ((rc = segurctl_csv_read(self, env, file, &buf, &len)) != 0)
		return (rc);
	if ((copy = strdup(file)) == NULL) {
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
	im.name = file;
	im.base_dir = dirname(copy);
	rc = segur_ledger_request_import_csv(l, buf, len, &im, &cause);
	segur_ledger_close(l);
	free(buf);
	segurctl_csv_findings_print(env->err, file, &im.warnings,
	    "avertissement");
	segurctl_csv_findings_print(env->err, file, &im.errors, "erreur");
	free(copy);
	if (rc != 0) {
		segur_import_release(&im);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (im.flags & SEGUR_IMPORT_DRY_RUN)
		fprintf(env->out, "%s: dry run (%s, '%c', %zu rows): %zu "
		    "requests would be registered as drafts, %zu updated, "
		    "%zu unchanged; nothing written\n", file, im.encoding,
		    im.delim, im.rows, im.added, im.updated, im.unchanged);
	else if (im.flags & SEGUR_IMPORT_UPDATE)
		fprintf(env->out, "%s: %zu requests registered as drafts, "
		    "%zu updated, %zu unchanged\n", file, im.added, im.updated,
		    im.unchanged);
	else
		fprintf(env->out, "%s: %zu requests registered as drafts\n",
		    file, im.added);
	segur_import_release(&im);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_import = {
	"request import",
	"[--dry-run] [--update] FILE.csv | --template [--out FILE]",
	"register drafts from a spreadsheet export, all or nothing", 0,
	request_import_exec
};
