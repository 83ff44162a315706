/*
 * cmd-solde-build.c: segurctl solde build: the requests ready for their
 * balance into balance files rendered from a template
 * (lib/files/build-solde.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/build.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/util.h"

#include "segurctl.h"

/* 1 MiB: far more than any template needs. */
#define TEMPLATE_MAX	((size_t)1024 * 1024)

static void
result_print(FILE *f, const struct segur_build_result *r, int dry_run)
{
	char	 day[SEGUR_DATE_FR_BUFSZ];

	if (r->nrecovered > 0)
		fprintf(f, "%zu fichier(s) d'un lot interrompu mis en place.\n",
		    r->nrecovered);
	if (r->nrequests == 0)
		fprintf(f, "Aucune demande prête pour son solde (logiciel "
		    "%s) : segurctl record delivered d'abord.\n",
		    r->numero_ans);
	else
		fprintf(f, "%s pour le logiciel %s le %s : %zu demande(s) de "
		    "solde.\nÀ déposer sur le portail ASP (type de demande : "
		    "solde, numéro ANS : %s) :\n", dry_run ? "Lot prévu (rien "
		    "n'est alloué ni écrit)" : "Lot de solde construit et "
		    "enregistré", r->numero_ans, segurctl_day_fr(r->day, day),
		    r->nrequests, r->numero_ans);
	segurctl_build_files_print(f, r);
}

static int
solde_build_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_build_opts	 o;
	struct segur_build_result r;
	struct segur_ledger	*l = args->ledger;
	const char		*tpath = NULL, *env_val;
	char			*cause = NULL, *out = NULL, *arch = NULL;
	char			*tmpl = NULL;
	int			 rc, json = 0;

	memset(&o, 0, sizeof(o));
	o.kind = SEGUR_FILE_SOLDE;
	o.numero_ans = segurctl_arg(self, args, "ans");
	o.day = segurctl_arg(self, args, "date");
	o.outdir = segurctl_arg(self, args, "out");
	o.archive_dir = segurctl_arg(self, args, "archive");
	tpath = segurctl_arg(self, args, "template");
	o.dry_run = segurctl_flag(self, args, "dry-run");
	json = segurctl_flag(self, args, "json");
	if (tpath != NULL && (rc = segur_read_file(tpath, TEMPLATE_MAX, &tmpl,
	    &o.tmpl_len, &cause)) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	o.tmpl = tmpl;
	if (o.outdir == NULL)
		o.outdir = out = segurctl_beside_ledger(env->db_path, "out");
	if (o.archive_dir == NULL)
		o.archive_dir = arch = segurctl_beside_ledger(env->db_path,
		    "archive");
	/* Test hooks, as segurctl build (docs/internals/build.md). */
	o.crash_point = segurctl_crash_point;
	if ((env_val = getenv("SEGUR_TEST_MAX_ZIP")) != NULL)
		o.max_zip = strtoull(env_val, NULL, 10);
	if ((env_val = getenv("SEGUR_TEST_MAX_LINES")) != NULL)
		o.max_lines = strtoul(env_val, NULL, 10);
	segurctl_archive_sweep(env, o.archive_dir);
	rc = segur_build_run(l, &o, &r, &cause);
	if (rc != 0) {
		segur_build_result_release(&r);
		if (tpath != NULL && cause != NULL &&
		    strncmp(cause, "modèle", strlen("modèle")) == 0) {
			fprintf(env->err, "segurctl %s: %s: %s\n", self->name,
			    tpath, cause);
			free(cause);
			rc = SEGURCTL_EXIT_USAGE;
		} else
			rc = segurctl_ledger_error(self, env, rc, cause);
		goto done;
	}
	if (json)
		segurctl_print_json(env, segurctl_build_json(&r, o.dry_run,
		    "solde"));
	else
		result_print(env->out, &r, o.dry_run);
	rc = r.nskipped > 0 ? SEGURCTL_EXIT_FINDINGS : SEGURCTL_EXIT_OK;
	segur_build_result_release(&r);
done:
	free(tmpl);
	free(out);
	free(arch);
	return (rc);
}

static const struct segurctl_opt solde_build_opts[] = {
	{ "ans", 0, "NUMERO_ANS", "le logiciel (par défaut : le seul que "
	    "connaît le registre)" },
	{ "date", 0, "DATE", "la date des fichiers, AAAA-MM-JJ, JJ/MM/AAAA ou "
	    "AAAAMMJJ (par défaut : aujourd'hui)" },
	{ "out", 0, "DIR", "où écrire les fichiers (par défaut : out/ à côté "
	    "du registre)" },
	{ "archive", 0, "DIR", "l'archive (par défaut : archive/ à côté du "
	    "registre)" },
	{ "template", 0, "FILE", "le modèle de solde à remplir (segurctl solde "
	    "variables)" },
	{ "dry-run", 0, NULL, "dire ce qui serait construit, sans rien "
	    "attribuer ni écrire" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_solde_build = {
	.name = "solde build",
	.group = "solde",
	.args = "[--ans NUMERO_ANS] [--date DATE] [--out DIR] "
	    "[--archive DIR] [--template FILE] [--dry-run] [--json]",
	.summary = "construire les fichiers de solde des demandes livrées",
	.opts = solde_build_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = solde_build_exec
};
