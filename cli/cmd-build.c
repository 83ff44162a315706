/*
 * cmd-build.c: segurctl build: the ready requests of one numeroAns into
 * files to upload on the ASP portal (lib/files/build.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/build.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

static void
result_print(FILE *f, const struct segur_build_result *r, int dry_run)
{
	if (r->nrecovered > 0)
		fprintf(f, "%zu fichier(s) d'un lot interrompu mis en place.\n",
		    r->nrecovered);
	if (r->nrequests == 0)
		fprintf(f, "Aucune demande prête pour le logiciel %s.\n",
		    r->numero_ans);
	else {
		fprintf(f, "%s pour le logiciel %s le %s : %zu demande(s).\n",
		    dry_run ? "Lot prévu (rien n'est alloué ni écrit)" :
		    "Lot construit et enregistré", r->numero_ans, r->day,
		    r->nrequests);
		fprintf(f, "À déposer sur le portail ASP (type de demande : "
		    "avance, numéro ANS : %s) :\n", r->numero_ans);
	}
	segurctl_build_files_print(f, r);
}

static int
build_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "ans", required_argument, NULL, 'a' },
		{ "date", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "archive", required_argument, NULL, 'A' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_build_opts	 o;
	struct segur_build_result r;
	struct segur_ledger	*l;
	char			*cause = NULL, *out = NULL, *arch = NULL;
	const char		*crash;
	int			 c, rc, json = 0;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'a':
			o.numero_ans = optarg;
			break;
		case 'd':
			o.day = optarg;
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case 'A':
			o.archive_dir = optarg;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "unexpected argument "
		    "'%s'", argv[optind]));
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
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		goto done;
	rc = segur_build_run(l, &o, &r, &cause);
	segur_ledger_close(l);
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

const struct segurctl_cmd cmd_build = {
	"build", "[--ans NUMERO_ANS] [--date AAAAMMJJ] [--out DIR] "
	"[--archive DIR] [--dry-run] [--json]",
	"build the files to upload from the ready requests", 0, build_exec
};
