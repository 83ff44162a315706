/*
 * cmd-audit-bundle.c: segurctl audit bundle: an evidence bundle (zip) of
 * some requests, their history, files and documents, with a manifest and
 * the chain head.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* What audit bundle --json prints, the facts of its text line. Caller
 * deletes; NULL on ENOMEM. */
static cJSON *
bundle_json(const char *path, size_t nreq, const struct segur_chain_head *h)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "path", path) == NULL ||
	    cJSON_AddNumberToObject(o, "requests", (double)nreq) == NULL ||
	    cJSON_AddStringToObject(o, "head", h->hash) == NULL ||
	    cJSON_AddNumberToObject(o, "events", (double)h->events) == NULL ||
	    cJSON_AddBoolToObject(o, "sealed", h->seal[0] != '\0') == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

static int
audit_bundle_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_bundle_sel sel = { NULL, 0, NULL, NULL, NULL, NULL, 0 };
	struct segur_date day;
	struct segur_archive arch = { NULL };
	struct segur_audit_key key;
	struct segur_ledger_check chk;
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;
	struct segur_audit a;
	const char	*keyfile = NULL, *path = NULL, *archdir = NULL;
	char		*cause = NULL, *dflt = NULL;
	size_t		 n = 0;
	int		 c, rc, have, filters, json_rc = SEGURCTL_EXIT_OK;
	const char	*v;

	sel.og = segurctl_arg(self, args, "og");
	sel.numero_ans = segurctl_arg(self, args, "ans");
	for (c = 0; c < 2; c++) {
		if ((v = segurctl_arg(self, args, c == 0 ? "from" : "to")) ==
		    NULL)
			continue;
		if (segur_date_parse(v, strlen(v), SEGUR_DATE_ISO, &day) != 0)
			return (segurctl_usage_error(self, env,
			    "date invalide « %s » (AAAA-MM-JJ)", v));
		*(c == 0 ? &sel.from : &sel.to) = v;
	}
	sel.all = segurctl_flag(self, args, "all");
	path = segurctl_arg(self, args, "out");
	archdir = segurctl_arg(self, args, "archive");
	keyfile = segurctl_arg(self, args, "key");
	sel.refs = (const char *const *)args->argv;
	sel.nrefs = (size_t)args->argc;
	/* The filters combine (this OG's requests sent in 2024); references
	 * and --all stand alone. */
	filters = sel.og != NULL || sel.numero_ans != NULL ||
	    sel.from != NULL || sel.to != NULL;
	if ((sel.nrefs > 0) + filters + sel.all != 1)
		return (segurctl_usage_error(self, env, "donnez des "
		    "références, des filtres (--og, --ans, --from, --to) ou "
		    "--all (un seul des trois)"));
	if (path == NULL)
		return (segurctl_usage_error(self, env,
		    "--out est obligatoire"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	if (archdir == NULL &&
	    (archdir = dflt = segurctl_beside_ledger(env->db_path,
	    "archive")) == NULL) {
		rc = segur_cause(&cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto out;
	}
	/*
	 * A bundle of a ledger that fails audit verify would prove nothing:
	 * the chain (with the seals when the key is given), the schema, and
	 * the tables against the log.
	 */
	if (have && segur_ledger_set_seal_key(l, key.bytes, key.len) != 0)
		rc = segur_cause(&cause, SEGUR_ENOMEM, "mémoire épuisée");
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
	if (segurctl_flag(self, args, "json"))
		json_rc = segurctl_print_json(env, bundle_json(path, n, &h));
	else
		fprintf(env->out, "%s: %zu demande(s), tête de chaîne %s "
		    "(%lld événements)\n", path, n, h.hash,
		    (long long)h.events);
out:
	segur_archive_release(&arch);
	segur_audit_key_release(&key);
	free(dflt);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	return (json_rc);
}

static const struct segurctl_opt audit_bundle_opts[] = {
	{ "og", 0, "FINESS", "les demandes de l'OG de ce FINESS juridique" },
	{ "ans", 0, "NUMERO_ANS", "les demandes de ce logiciel" },
	{ "from", 0, "DATE", "les demandes envoyées (sinon enregistrées) "
	    "depuis DATE (AAAA-MM-JJ)" },
	{ "to", 0, "DATE", "les demandes envoyées (sinon enregistrées) jusqu'à "
	    "DATE (AAAA-MM-JJ)" },
	{ "all", 0, NULL, "toutes les demandes" },
	{ "out", 0, "FILE.zip", "le dossier de preuves à écrire (zip)" },
	{ "archive", 0, "DIR", "l'archive (par défaut : archive/ à côté du "
	    "registre)" },
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE, sinon key_file de [audit] dans "
	    "segurd.conf)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_audit_bundle = {
	.name = "audit bundle",
	.group = "audit",
	.args = "[--json] (REF ... | [--og FINESS] [--ans NUMERO_ANS] "
	    "[--from DATE] [--to DATE] | --all) --out FILE.zip "
	    "[--archive DIR] [--key FILE]",
	.summary = "écrire un dossier de preuves : historiques, fichiers, "
	    "pièces justificatives, décisions, paiements, manifeste, tête de "
	    "chaîne",
	.opts = audit_bundle_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = -1,
	.req_args = -1,
	.req_as = SEGURCTL_REQ_REF,
	.exec = audit_bundle_exec
};
