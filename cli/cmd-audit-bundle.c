/*
 * cmd-audit-bundle.c: segurctl audit bundle: an evidence bundle (zip) of
 * some requests, their history, files and documents, with a manifest and
 * the chain head.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

static int
audit_bundle_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "og", required_argument, NULL, 'o' },
		{ "ans", required_argument, NULL, 'n' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'O' },
		{ "archive", required_argument, NULL, 'A' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_bundle_sel sel = { NULL, 0, NULL, NULL, NULL, NULL, 0 };
	struct segur_date day;
	struct segur_archive arch = { NULL };
	struct segur_audit_key key;
	struct segur_ledger_check chk;
	struct segur_chain_head h;
	struct segur_ledger *l;
	struct segur_audit a;
	const char	*keyfile = NULL, *path = NULL, *archdir = NULL;
	char		*cause = NULL, *dflt = NULL;
	size_t		 n = 0;
	int		 c, rc, have, filters;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'o':
			sel.og = optarg;
			break;
		case 'n':
			sel.numero_ans = optarg;
			break;
		case 'f':
		case 't':
			if (segur_date_parse(optarg, strlen(optarg),
			    SEGUR_DATE_ISO, &day) != 0)
				return (segurctl_usage_error(self, env,
				    "bad date '%s' (AAAA-MM-JJ)", optarg));
			*(c == 'f' ? &sel.from : &sel.to) = optarg;
			break;
		case 'a':
			sel.all = 1;
			break;
		case 'O':
			path = optarg;
			break;
		case 'A':
			archdir = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	sel.refs = (const char *const *)(argv + optind);
	sel.nrefs = (size_t)(argc - optind);
	/* The filters combine (this OG's requests sent in 2024); references
	 * and --all stand alone. */
	filters = sel.og != NULL || sel.numero_ans != NULL ||
	    sel.from != NULL || sel.to != NULL;
	if ((sel.nrefs > 0) + filters + sel.all != 1)
		return (segurctl_usage_error(self, env, "give references, "
		    "filters (--og, --ans, --from, --to) or --all (one of "
		    "them)"));
	if (path == NULL)
		return (segurctl_usage_error(self, env, "--out is required"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		segur_audit_key_release(&key);
		return (rc);
	}
	if (archdir == NULL &&
	    (archdir = dflt = segurctl_beside_ledger(env->db_path,
	    "archive")) == NULL) {
		rc = segur_cause(&cause, SEGUR_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * A bundle of a ledger that fails audit verify would prove nothing:
	 * the chain (with the seals when the key is given), the schema, and
	 * the tables against the log.
	 */
	if (have && segur_ledger_set_seal_key(l, key.bytes, key.len) != 0)
		rc = segur_cause(&cause, SEGUR_ENOMEM, "out of memory");
	else
		rc = segur_audit_ledger_check(l, &a, NULL, NULL, &chk,
		    &cause);
	if (rc == SEGUR_ECORRUPT)
		segur_cause(&cause, rc, "%s : pas de preuves ; voir segurctl "
		    "audit verify", cause != NULL ? cause : "registre altéré");
	segur_audit_release(&a);
	if (rc != 0 ||
	    (rc = segur_archive_open(&arch, archdir, &cause)) != 0 ||
	    (rc = segur_audit_head(l, have ? &key : NULL, &h, &cause)) != 0 ||
	    (rc = segur_audit_bundle(l, &arch, &sel, &h, have ? &key : NULL,
	    path, &n, &cause)) != 0)
		goto out;
	fprintf(env->out, "%s: %zu demande(s), tête de chaîne %s (%lld "
	    "événements)\n", path, n, h.hash, (long long)h.events);
out:
	segur_ledger_close(l);
	segur_archive_release(&arch);
	segur_audit_key_release(&key);
	free(dflt);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_audit_bundle = {
	"audit bundle",
	"(REF ... | [--og FINESS] [--ans NUMERO_ANS] [--from DATE] [--to DATE] "
	"| --all) --out FILE.zip [--archive DIR] [--key FILE]",
	"write an evidence bundle: histories, files, documents, decisions, "
	"payments, manifest, head", 0, audit_bundle_exec
};
