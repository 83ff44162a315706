/*
 * cmd-build.c: segurctl build: the ready requests of one numeroAns into
 * files to upload on the ASP portal (lib/files/build.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/build.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

static void
result_print(FILE *f, const struct segur_build_result *r, int dry_run)
{
	char	 day[SEGUR_DATE_FR_BUFSZ];

	if (r->nrecovered > 0)
		fprintf(f, "%zu fichier(s) d'un lot interrompu mis en place.\n",
		    r->nrecovered);
	if (r->nrequests == 0)
		fprintf(f, "Aucune demande prête pour le logiciel %s.\n",
		    r->numero_ans);
	else {
		fprintf(f, "%s pour le logiciel %s le %s : %zu demande(s).\n",
		    dry_run ? "Lot prévu (rien n'est alloué ni écrit)" :
		    "Lot construit et enregistré", r->numero_ans,
		    segurctl_day_fr(r->day, day), r->nrequests);
		fprintf(f, "À déposer sur le portail ASP (type de demande : "
		    "avance, numéro ANS : %s) :\n", r->numero_ans);
	}
	segurctl_build_files_print(f, r);
}

static int
build_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_build_opts	 o;
	struct segur_build_result r;
	struct segur_ledger	*l = args->ledger;
	char			*cause = NULL, *out = NULL, *arch = NULL;
	const char		*crash;
	int			 rc, json = 0;

	memset(&o, 0, sizeof(o));
	o.numero_ans = segurctl_arg(self, args, "ans");
	o.day = segurctl_arg(self, args, "date");
	o.outdir = segurctl_arg(self, args, "out");
	o.archive_dir = segurctl_arg(self, args, "archive");
	o.dry_run = segurctl_flag(self, args, "dry-run");
	json = segurctl_flag(self, args, "json");
	if (o.outdir == NULL)
		o.outdir = out = segurctl_beside_ledger(env->db_path,
		    "out");
	if (o.archive_dir == NULL)
		o.archive_dir = arch = segurctl_beside_ledger(env->db_path,
		    "archive");
	/* Test hooks (docs/internals/build.md): a crash point, and a small
	 * zip limit so that splitting is tested without 200 MB of data. */
	o.crash_point = segurctl_crash_point;
	if ((crash = getenv("SEGUR_TEST_MAX_ZIP")) != NULL)
		o.max_zip = strtoull(crash, NULL, 10);
	segurctl_archive_sweep(env, o.archive_dir);
	rc = segur_build_run(l, &o, &r, &cause);
	if (rc != 0) {
		segur_build_result_release(&r);
		rc = segurctl_ledger_error(self, env, rc, cause);
		goto done;
	}
	if (json)
		segurctl_print_json(env, segurctl_build_json(&r, o.dry_run,
		    "avance"));
	else
		result_print(env->out, &r, o.dry_run);
	rc = r.nskipped > 0 ? SEGURCTL_EXIT_FINDINGS : SEGURCTL_EXIT_OK;
	segur_build_result_release(&r);
done:
	free(out);
	free(arch);
	return (rc);
}

static const struct segurctl_opt build_opts[] = {
	{ "ans", 0, "NUMERO_ANS", "le logiciel (par défaut : le seul que "
	    "connaît le registre)" },
	{ "date", 0, "DATE", "la date des fichiers, AAAA-MM-JJ, JJ/MM/AAAA ou "
	    "AAAAMMJJ (par défaut : aujourd'hui)" },
	{ "out", 0, "DIR", "où écrire les fichiers (par défaut : out/ à côté "
	    "du registre)" },
	{ "archive", 0, "DIR", "l'archive (par défaut : archive/ à côté du "
	    "registre)" },
	{ "dry-run", 0, NULL, "dire ce qui serait construit, sans rien "
	    "attribuer ni écrire" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_build = {
	.name = "build",
	.group = "file",
	.args = "[--ans NUMERO_ANS] [--date DATE] [--out DIR] "
	    "[--archive DIR] [--dry-run] [--json]",
	.summary = "construire les fichiers à déposer à partir des demandes "
	    "prêtes",
	.opts = build_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = build_exec
};
