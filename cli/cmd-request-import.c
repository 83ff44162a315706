/*
 * cmd-request-import.c: segurctl request import FILE.csv: many drafts from
 * a spreadsheet export, all or nothing; --dry-run checks without writing,
 * --update replaces drafts already registered, --template writes the
 * header line to fill.
 */
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
    struct segurctl_env *env, struct segurctl_args *args)
{
	struct segur_import im;
	struct segur_ledger *l;
	const char	*file, *out = NULL;
	char		*buf, *cause = NULL, *copy;
	size_t		 len;
	int		 rc, template;

	memset(&im, 0, sizeof(im));
	if (segurctl_flag(self, args, "dry-run"))
		im.flags |= SEGUR_IMPORT_DRY_RUN;
	if (segurctl_flag(self, args, "update"))
		im.flags |= SEGUR_IMPORT_UPDATE;
	template = segurctl_flag(self, args, "template");
	out = segurctl_arg(self, args, "out");
	if (template) {
		if (args->argc != 0 || im.flags != 0)
			return (segurctl_usage_error(self, env,
			    "--template takes no FILE.csv, --dry-run nor "
			    "--update"));
		return (segurctl_template_write(self, env,
		    SEGUR_IMPORT_REQUESTS, out));
	}
	if (out != NULL)
		return (segurctl_usage_error(self, env,
		    "--out goes with --template"));
	if (args->argc != 1)
		return (segurctl_usage_error(self, env,
		    "expected one FILE.csv"));
	file = args->argv[0];
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

static const struct segurctl_opt request_import_opts[] = {
	{ "dry-run", 0, NULL, "vérifier le fichier et dire ce qui serait "
	    "enregistré, sans rien enregistrer" },
	{ "update", 0, NULL, "remplacer les brouillons déjà enregistrés sous "
	    "une référence" },
	{ "template", 0, NULL, "écrire le modèle CSV" },
	{ "out", 0, "FILE", "avec --template : dans FILE (par défaut : la "
	    "sortie standard)" },
	{ NULL, 0, NULL, NULL }
};

/* --template needs no ledger: it opens it itself, after the options. */
const struct segurctl_cmd cmd_request_import = {
	.name = "request import",
	.group = "request",
	.args = "[--dry-run] [--update] FILE.csv | --template [--out FILE]",
	.summary = "enregistrer des brouillons depuis un export de tableur, "
	    "tout ou rien",
	.opts = request_import_opts,
	.flags = SEGURCTL_DB | SEGURCTL_WRITES,
	.args_min = 0,
	.args_max = 1,
	.exec = request_import_exec
};
