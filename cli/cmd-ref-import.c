/*
 * cmd-ref-import.c: segurctl ref import eligible|tranches FILE.csv: replace
 * a reference table with a CSV file, all or nothing; --dry-run checks and
 * counts without writing, --template writes the header line to fill. The
 * helpers every CSV import shares live here too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

void
segurctl_csv_findings_print(FILE *f, const char *file,
    const struct segur_csv_errors *e, const char *what)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		if (e->v[i].row <= 0)
			fprintf(f, "%s: %s: %s\n", file, what,
			    e->v[i].message);
		else if (e->v[i].column != NULL)
			fprintf(f, "%s:%ld:%s: %s: %s\n", file, e->v[i].row,
			    e->v[i].column, what, e->v[i].message);
		else
			fprintf(f, "%s:%ld: %s: %s\n", file, e->v[i].row, what,
			    e->v[i].message);
	}
}

void
segurctl_csv_errors_print(FILE *f, const char *file,
    const struct segur_csv_errors *e)
{
	segurctl_csv_findings_print(f, file, e, "erreur");
}

int
segurctl_csv_read(const struct segurctl_cmd *self, struct segurctl_env *env,
    const char *file, char **buf, size_t *len)
{
	char	*cause = NULL;
	int	 rc;

	/* Past the limit the file is not read at all. */
	rc = segur_read_file(file, SEGUR_CSV_MAX_BYTES, buf, len, &cause);
	if (rc == SEGUR_ETOOBIG) {
		fprintf(env->err, "%s: erreur: fichier de plus de %zu octets "
		    "(16 Mio), la limite des imports CSV : découpez-le\n", file,
		    SEGUR_CSV_MAX_BYTES);
		free(cause);
		return (SEGURCTL_EXIT_FINDINGS);
	}
	if (rc != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	return (0);
}

int
segurctl_template_write(const struct segurctl_cmd *self,
    struct segurctl_env *env, int kind, const char *out)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	*cause = NULL;
	int	 rc = SEGURCTL_EXIT_OK;

	if (segur_import_template((enum segur_import_kind)kind, &b) != 0) {
		fprintf(env->err, "segurctl %s: mémoire épuisée\n",
		    self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	if (out == NULL) {
		if (fwrite(b.data, 1, b.len, env->out) != b.len) {
			fprintf(env->err, "segurctl %s: impossible d'écrire "
			    "le modèle\n", self->name);
			rc = SEGURCTL_EXIT_USAGE;
		}
	} else if (segur_write_file_atomic(out, b.data, b.len, 0644,
	    &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		rc = SEGURCTL_EXIT_USAGE;
	} else
		fprintf(env->out, "%s : modèle écrit\n", out);
	segur_buf_release(&b);
	return (rc);
}

static int
ref_import_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_import im;
	struct segur_ledger *l;
	enum segur_import_kind kind;
	const char	*out = NULL, *file;
	char		*buf, *cause = NULL;
	size_t		 len;
	int		 rc, template, nargs;

	memset(&im, 0, sizeof(im));
	if (segurctl_flag(self, args, "dry-run"))
		im.flags |= SEGUR_IMPORT_DRY_RUN;
	template = segurctl_flag(self, args, "template");
	out = segurctl_arg(self, args, "out");
	nargs = template ? 1 : 2;
	if (args->argc != nargs)
		return (segurctl_usage_error(self, env, template ?
		    "--template takes eligible|tranches and no file" :
		    "expected eligible|tranches and a file"));
	if (strcmp(args->argv[0], "eligible") == 0)
		kind = SEGUR_IMPORT_ELIGIBLE;
	else if (strcmp(args->argv[0], "tranches") == 0)
		kind = SEGUR_IMPORT_TRANCHES;
	else
		return (segurctl_usage_error(self, env, "unknown table '%s' "
		    "(eligible or tranches)", args->argv[0]));
	if (template) {
		if (im.flags != 0)
			return (segurctl_usage_error(self, env,
			    "--template takes no --dry-run"));
		return (segurctl_template_write(self, env, kind, out));
	}
	if (out != NULL)
		return (segurctl_usage_error(self, env,
		    "--out goes with --template"));
	file = args->argv[1];
	if ((rc = segurctl_csv_read(self, env, file, &buf, &len)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		return (rc);
	}
	im.name = file;
	rc = segur_ledger_ref_import_csv(l, kind, buf, len, &im, &cause);
	segur_ledger_close(l);
	free(buf);
	segurctl_csv_findings_print(env->err, file, &im.warnings,
	    "avertissement");
	segurctl_csv_findings_print(env->err, file, &im.errors, "erreur");
	if (rc != 0) {
		segur_import_release(&im);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (im.flags & SEGUR_IMPORT_DRY_RUN)
		fprintf(env->out, "%s: dry run (%s, '%c'): %zu rows would be "
		    "loaded into %s (%zu added, %zu changed, %zu removed); "
		    "nothing written\n", file, im.encoding, im.delim, im.rows,
		    args->argv[0], im.added, im.changed, im.removed);
	else
		fprintf(env->out, "%s: %zu rows loaded into %s (%zu added, "
		    "%zu changed, %zu removed)\n", file, im.rows, args->argv[0],
		    im.added, im.changed, im.removed);
	segur_import_release(&im);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt ref_import_opts[] = {
	{ "dry-run", 0, NULL, "vérifier le fichier et dire ce qui changerait, "
	    "sans rien changer" },
	{ "template", 0, NULL, "écrire le modèle CSV de cette table" },
	{ "out", 0, "FILE", "avec --template : dans FILE (par défaut : la "
	    "sortie standard)" },
	{ NULL, 0, NULL, NULL }
};

/* --template needs no ledger: it opens it itself, after the options. */
const struct segurctl_cmd cmd_ref_import = {
	.name = "ref import",
	.group = "ref",
	.args = "[--dry-run] eligible|tranches FILE.csv | "
	    "--template [--out FILE] eligible|tranches",
	.summary = "remplacer les ESMS éligibles ou les montants des tranches "
	    "par un fichier CSV",
	.opts = ref_import_opts,
	.flags = SEGURCTL_DB | SEGURCTL_WRITES,
	.args_min = 1,
	.args_max = 2,
	.exec = ref_import_exec
};
