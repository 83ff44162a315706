/*
 * cmd-audit-verify.c: segurctl audit verify: walk the event log's hash
 * chain and report the first broken row; check every archived file
 * against its recorded hash; with --head, prove that the ledger still
 * extends a head published earlier.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* Findings of the schema check and the replay, printed or collected. */
struct find_out {
	FILE		*f;		/* text, or NULL */
	cJSON		*schema;	/* JSON arrays, or NULL */
	cJSON		*diffs;
	cJSON		*unproved;
	int		 nomem;
};

/* One finding: a line in French, or a JSON object. */
static int
on_finding(void *arg, const struct segur_audit_finding *fd)
{
	struct find_out	*fo = arg;
	const char	*kind;
	cJSON		*o, *arr;

	switch (fd->kind) {
	case SEGUR_AUDIT_SCHEMA:
		kind = fd->found == NULL ? "absent" : fd->expected == NULL ?
		    "en trop" : "modifié";
		arr = fo->schema;
		if (fo->f != NULL)
			fprintf(fo->f, "schéma : %s %s %s\n", fd->table,
			    fd->key != NULL ? fd->key : "?", kind);
		break;
	case SEGUR_AUDIT_DIFF:
		kind = "différence";
		arr = fo->diffs;
		if (fo->f != NULL)
			fprintf(fo->f, "relecture : table %s, ligne %s, "
			    "colonne %s : attendu %s, trouvé %s", fd->table,
			    fd->key, fd->column, fd->expected, fd->found);
		if (fo->f != NULL && fd->event > 0)
			fprintf(fo->f, " (dernier événement : %lld)",
			    (long long)fd->event);
		if (fo->f != NULL)
			fputc('\n', fo->f);
		break;
	case SEGUR_AUDIT_MISSING:
		kind = "ligne absente";
		arr = fo->diffs;
		if (fo->f != NULL)
			fprintf(fo->f, "relecture : table %s, ligne %s : "
			    "absente, alors que l'événement %lld l'a écrite "
			    "(attendu %s)\n", fd->table, fd->key,
			    (long long)fd->event, fd->expected);
		break;
	case SEGUR_AUDIT_EXTRA:
		kind = "ligne sans événement";
		arr = fo->diffs;
		if (fo->f != NULL)
			fprintf(fo->f, "relecture : table %s, ligne %s : aucun "
			    "événement ne l'a écrite (trouvé %s)\n", fd->table,
			    fd->key, fd->found);
		break;
	case SEGUR_AUDIT_UNPROVED:
		kind = "non prouvé";
		arr = fo->unproved;
		if (fo->f != NULL)
			fprintf(fo->f, "non prouvé : %s.%s sur %lld ligne(s) "
			    "(écrites par des événements v1, qui ne portent "
			    "pas cette colonne)\n", fd->table, fd->column,
			    (long long)fd->count);
		break;
	default:
		kind = "action inconnue";
		arr = fo->unproved;
		if (fo->f != NULL)
			fprintf(fo->f, "non prouvé : %lld événement(s) d'une "
			    "action que la relecture ne connaît pas (%s)\n",
			    (long long)fd->count, fd->key != NULL ? fd->key :
			    "?");
		break;
	}
	if (arr != NULL && ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(arr, o) ||
	    cJSON_AddStringToObject(o, "kind", kind) == NULL ||
	    (fd->table != NULL && cJSON_AddStringToObject(o, "table",
	    fd->table) == NULL) ||
	    (fd->key != NULL && cJSON_AddStringToObject(o, "key",
	    fd->key) == NULL) ||
	    (fd->column != NULL && cJSON_AddStringToObject(o, "column",
	    fd->column) == NULL) ||
	    (fd->expected != NULL && cJSON_AddStringToObject(o, "expected",
	    fd->expected) == NULL) ||
	    (fd->found != NULL && cJSON_AddStringToObject(o, "found",
	    fd->found) == NULL) ||
	    (fd->event > 0 && cJSON_AddNumberToObject(o, "event",
	    (double)fd->event) == NULL) ||
	    (fd->count > 0 && cJSON_AddNumberToObject(o, "count",
	    (double)fd->count) == NULL)))
		fo->nomem = 1;
	return (0);
}

/* Findings about the archive, printed or collected. */
struct arch_out {
	FILE		*f;		/* text, or NULL */
	cJSON		*arr;		/* JSON, or NULL */
	const char	*root;
	int		 nomem;
};

static int
on_archive(void *arg, const char *sha, int problem, const char *what)
{
	struct arch_out	*ao = arg;
	/* The JSON says it with a code, the text in French. */
	const char	*p = problem == SEGUR_ENOENT ? "missing" : "altered";
	cJSON		*o;

	if (ao->f != NULL)
		fprintf(ao->f, "%s/%s: %s (%s)\n", ao->root, sha,
		    problem == SEGUR_ENOENT ? "manquant" : "altéré",
		    what[0] ? what : "aucun fichier n'y renvoie");
	if (ao->arr != NULL && ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(ao->arr, o) ||
	    cJSON_AddStringToObject(o, "sha256", sha) == NULL ||
	    cJSON_AddStringToObject(o, "problem", p) == NULL ||
	    cJSON_AddStringToObject(o, "refs", what) == NULL))
		ao->nomem = 1;
	return (0);
}

/* The seals, the schema and the replay in a few lines of French. */
static void
text_ledger(FILE *f, const struct segur_audit *a, int64_t nschema,
    const struct segur_replay_report *rep)
{
	fprintf(f, "événements : %lld en v2, %lld en v1 (écrits avant le "
	    "schéma 12 : NULL et 0 y sont confondus, sans image ni sceau)\n",
	    (long long)a->v2, (long long)a->v1);
	fprintf(f, "sceaux : %lld événement(s) v2 scellé(s), %lld non "
	    "scellé(s) ; %s\n", (long long)a->sealed, (long long)a->unsealed,
	    a->seals_checked ? "chaque sceau correspond à la clé" :
	    a->sealed > 0 ? "sans la clé, les sceaux n'ont pas été vérifiés : "
	    "rien ne prouve qu'aucun événement n'a été forgé" :
	    "aucun sceau : rien ne prouve qu'aucun événement n'a été forgé");
	if (a->late_unsealed > 0)
		fprintf(f, "sceaux : SUSPECT : %lld événement(s) non scellé(s) "
		    "après le premier événement scellé (%lld), le premier à "
		    "l'événement %lld : écrits sans la clé, ou forgés\n",
		    (long long)a->late_unsealed, (long long)a->first_sealed,
		    (long long)a->first_late);
	if (nschema == 0)
		fprintf(f, "schéma : conforme aux migrations\n");
	else
		fprintf(f, "schéma : NON CONFORME : %lld différence(s) avec "
		    "celui des migrations\n", (long long)nschema);
	if (rep->findings == 0)
		fprintf(f, "relecture : %lld événements rejoués, %lld lignes "
		    "conformes au journal\n", (long long)rep->events,
		    (long long)rep->rows);
	else
		fprintf(f, "relecture : %lld DIFFÉRENCE(S) entre les tables et "
		    "le journal (%lld événements rejoués, %lld lignes)\n",
		    (long long)rep->findings, (long long)rep->events,
		    (long long)rep->rows);
}

/* The same as JSON members of o; its arrays move into o. */
static int
json_ledger(cJSON *o, const struct segur_audit *a, int64_t nschema,
    const struct segur_replay_report *rep, struct find_out *fo)
{
	cJSON	*s, *r, *e;

	if ((e = cJSON_AddObjectToObject(o, "seals")) == NULL ||
	    cJSON_AddNumberToObject(e, "v1", (double)a->v1) == NULL ||
	    cJSON_AddNumberToObject(e, "v2", (double)a->v2) == NULL ||
	    cJSON_AddNumberToObject(e, "sealed", (double)a->sealed) == NULL ||
	    cJSON_AddNumberToObject(e, "unsealed", (double)a->unsealed) ==
	    NULL ||
	    cJSON_AddNumberToObject(e, "unsealedAfterSealed",
	    (double)a->late_unsealed) == NULL ||
	    cJSON_AddBoolToObject(e, "checked", a->seals_checked) == NULL ||
	    (s = cJSON_AddObjectToObject(o, "schema")) == NULL ||
	    cJSON_AddBoolToObject(s, "ok", nschema == 0) == NULL ||
	    (r = cJSON_AddObjectToObject(o, "replay")) == NULL ||
	    cJSON_AddBoolToObject(r, "ok", rep->findings == 0) == NULL ||
	    cJSON_AddNumberToObject(r, "events", (double)rep->events) ==
	    NULL ||
	    cJSON_AddNumberToObject(r, "rows", (double)rep->rows) == NULL)
		return (-1);
	if (!cJSON_AddItemToObject(s, "problems", fo->schema))
		return (-1);
	fo->schema = NULL;
	if (!cJSON_AddItemToObject(r, "differences", fo->diffs))
		return (-1);
	fo->diffs = NULL;
	if (!cJSON_AddItemToObject(r, "unproved", fo->unproved))
		return (-1);
	fo->unproved = NULL;
	return (0);
}

static int
audit_verify_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_archive_report ar = { 0, 0, 0 };
	struct arch_out	 ao = { NULL, NULL, NULL, 0 };
	struct find_out	 fo = { NULL, NULL, NULL, NULL, 0 };
	struct segur_replay_report rep;
	int64_t		 nschema = 0;
	int		 crc, ledger_ok;
	struct segur_chain_head found, cur;
	struct segur_audit_key key;
	struct segur_archive arch = { NULL };
	struct segur_ledger *l = args->ledger;
	struct segur_audit a;
	const char	*head = NULL, *seal = NULL, *keyfile = NULL;
	char		*cause = NULL, *hcause = NULL, *archdir = NULL;
	char		 at_fr[SEGUR_DATE_FR_BUFSZ];
	cJSON		*o, *ja = NULL, *jh;
	int		 rc, hrc = 0, arc, json = 0, have = 0, sealrc = 0;

	json = segurctl_flag(self, args, "json");
	/* Borrowed from main's argv, which is writable. */
	archdir = (char *)segurctl_arg(self, args, "archive");
	head = segurctl_arg(self, args, "head");
	seal = segurctl_arg(self, args, "seal");
	keyfile = segurctl_arg(self, args, "key");
	if (seal != NULL && head == NULL)
		return (segurctl_usage_error(self, env, "--seal va avec "
		    "--head"));
	/* The key checks the events' seals too, not only a head's. */
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	if (seal != NULL && !have)
		return (segurctl_usage_error(self, env, "--seal demande "
		    "une clé : --key FICHIER, $SEGUR_AUDIT_KEY_FILE ou [audit] "
		    "key_file de segurd.conf"));
	if (have && segur_ledger_set_seal_key(l, key.bytes, key.len) != 0) {
		segur_audit_key_release(&key);
		return (segurctl_ledger_error(self, env, SEGUR_ENOMEM, NULL));
	}
	rc = segur_ledger_audit_verify(l, &a, &cause);
	if (rc != 0 && rc != SEGUR_ECORRUPT) {
		segur_audit_release(&a);
		if (have)
			segur_audit_key_release(&key);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	free(cause);
	cause = NULL;

	/* The tables against the schema of the migrations and against the
	 * log that wrote them. */
	if (json) {
		if ((fo.schema = cJSON_CreateArray()) == NULL ||
		    (fo.diffs = cJSON_CreateArray()) == NULL ||
		    (fo.unproved = cJSON_CreateArray()) == NULL)
			fo.nomem = 1;
	} else
		fo.f = env->out;
	if ((crc = segur_audit_schema_check(l, on_finding, &fo, &nschema,
	    &cause)) != 0 || (crc = segur_audit_replay(l, on_finding, &fo,
	    &rep, &cause)) != 0) {
		segur_audit_release(&a);
		cJSON_Delete(fo.schema);
		cJSON_Delete(fo.diffs);
		cJSON_Delete(fo.unproved);
		if (have)
			segur_audit_key_release(&key);
		return (segurctl_ledger_error(self, env, crc, cause));
	}
	ledger_ok = rc == 0 && nschema == 0 && rep.findings == 0 &&
	    a.late_unsealed == 0;

	/* The archive: built and received files, documents sent. The folder
	 * is not created when absent: every object is then missing. */
	arch.root = archdir != NULL ? archdir :
	    segurctl_beside_ledger(env->db_path, "archive");
	ao.root = arch.root;
	if (json) {
		if ((ja = cJSON_CreateArray()) == NULL)
			ao.nomem = 1;
		ao.arr = ja;
	} else
		ao.f = env->out;
	arc = arch.root == NULL ? SEGUR_ENOMEM :
	    segur_audit_archive_verify(l, &arch, on_archive, &ao, &ar, &cause);
	/* A crash's leftovers: warned about, not counted as damage. */
	if (arch.root != NULL)
		segurctl_archive_leftovers_report(env, arch.root);
	if (archdir == NULL)
		free(arch.root);
	if (arc != 0) {
		segur_audit_release(&a);
		cJSON_Delete(ja);
		if (have)
			segur_audit_key_release(&key);
		return (segurctl_ledger_error(self, env, arc, cause));
	}

	/* A head published earlier: the event is there and the chain
	 * through it is whole (checked above, again by verify_head). */
	if (head != NULL && rc == 0) {
		hrc = segur_audit_verify_head(l, head, &found, &cur, &hcause);
		if (hrc == 0 && seal != NULL)
			sealrc = segur_audit_seal_check(&key, &found, seal);
		if (hrc != 0 && hrc != SEGUR_ENOENT && hrc != SEGUR_EINVAL) {
			segur_audit_release(&a);
			cJSON_Delete(ja);
			if (have)
				segur_audit_key_release(&key);
			return (segurctl_ledger_error(self, env, hrc, hcause));
		}
	}
	if (have)
		segur_audit_key_release(&key);

	if (json) {
		o = cJSON_CreateObject();
		jh = o != NULL ? cJSON_AddObjectToObject(o, "archive") : NULL;
		if (jh != NULL && ja != NULL &&
		    cJSON_AddItemToObject(jh, "problems", ja))
			ja = NULL;	/* now owned by o */
		if (o == NULL || jh == NULL || ja != NULL || ao.nomem ||
		    fo.nomem || json_ledger(o, &a, nschema, &rep, &fo) != 0 ||
		    cJSON_AddBoolToObject(o, "ok", ledger_ok &&
		    ar.missing == 0 &&
		    ar.altered == 0 && (head == NULL || (hrc == 0 &&
		    sealrc == 0))) == NULL ||
		    cJSON_AddNumberToObject(o, "events", (double)a.events) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "head", a.head) == NULL ||
		    (rc != 0 && (cJSON_AddNumberToObject(o, "brokenEvent",
		    (double)a.bad_id) == NULL ||
		    cJSON_AddStringToObject(o, "reason", a.reason) == NULL)) ||
		    cJSON_AddNumberToObject(jh, "objects",
		    (double)ar.objects) == NULL ||
		    cJSON_AddNumberToObject(jh, "missing",
		    (double)ar.missing) == NULL ||
		    cJSON_AddNumberToObject(jh, "altered",
		    (double)ar.altered) == NULL) {
			cJSON_Delete(ja);
			cJSON_Delete(o);
			o = NULL;
		}
		if (o != NULL && head != NULL &&
		    ((jh = cJSON_AddObjectToObject(o, "publishedHead")) ==
		    NULL ||
		    cJSON_AddStringToObject(jh, "hash", head) == NULL ||
		    cJSON_AddBoolToObject(jh, "extended", rc == 0 && hrc == 0)
		    == NULL || (hrc == 0 && cJSON_AddNumberToObject(jh,
		    "events", (double)found.events) == NULL) ||
		    (seal != NULL && cJSON_AddBoolToObject(jh, "sealOk",
		    hrc == 0 && sealrc == 0) == NULL))) {
			cJSON_Delete(o);
			o = NULL;
		}
		segur_audit_release(&a);
		free(hcause);
		cJSON_Delete(fo.schema);
		cJSON_Delete(fo.diffs);
		cJSON_Delete(fo.unproved);
		if (segurctl_print_json(env, o) != 0)
			return (SEGURCTL_EXIT_USAGE);
		return (ledger_ok && ar.missing == 0 && ar.altered == 0 &&
		    (head == NULL || (hrc == 0 && sealrc == 0)) ?
		    SEGURCTL_EXIT_OK : SEGURCTL_EXIT_FINDINGS);
	}
	if (rc == 0)
		fprintf(env->out, "journal d'événements intact : %lld "
		    "événements, tête %s\n", (long long)a.events, a.head);
	else
		fprintf(env->out, "journal d'événements ROMPU à l'événement "
		    "%lld : %s (les %lld événements qui le précèdent sont "
		    "intacts, tête %s)\n", (long long)a.bad_id, a.reason,
		    (long long)a.events, a.head);
	text_ledger(env->out, &a, nschema, &rep);
	fprintf(env->out, "archive %s : %lld objet(s), %lld manquant(s), "
	    "%lld altéré(s)\n", ar.missing + ar.altered == 0 ? "intacte" :
	    "ENDOMMAGÉE", (long long)ar.objects, (long long)ar.missing,
	    (long long)ar.altered);
	if (head != NULL && rc == 0 && hrc == 0)
		fprintf(env->out, "tête publiée %s : prolongée (événement %"
		    PRId64 " sur %" PRId64 ", %s)%s\n", head, found.events,
		    cur.events, segur_date_fr(found.at, at_fr) != NULL ?
		    at_fr : found.at, seal == NULL ? "" : sealrc == 0 ?
		    ", sceau conforme" : ", SCEAU NON CONFORME (autre clé, ou "
		    "tête récrite)");
	else if (head != NULL)
		fprintf(env->out, "tête publiée %s : NON prolongée : %s\n",
		    head, rc != 0 ? "le journal d'événements est rompu" :
		    hcause != NULL ? hcause : segur_strerror(hrc));
	segur_audit_release(&a);
	free(hcause);
	return (ledger_ok && ar.missing == 0 && ar.altered == 0 &&
	    (head == NULL || (hrc == 0 && sealrc == 0)) ? SEGURCTL_EXIT_OK :
	    SEGURCTL_EXIT_FINDINGS);
}

static const struct segurctl_opt audit_verify_opts[] = {
	{ "archive", 0, "DIR", "l'archive (par défaut : archive/ à côté du "
	    "registre)" },
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE)" },
	{ "head", 0, "HASH", "une tête publiée plus tôt : prouver que le "
	    "journal la prolonge" },
	{ "seal", 0, "HMAC", "avec --head : son sceau, vérifié avec la clé" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_audit_verify = {
	.name = "audit verify",
	.group = "audit",
	.args = "[--json] [--archive DIR] [--key FILE] "
	    "[--head HASH [--seal HMAC]]",
	.summary = "vérifier la chaîne d'empreintes et les sceaux du journal, "
	    "le schéma, les tables face au journal, l'archive ; prouver qu'une "
	    "tête publiée est prolongée",
	.opts = audit_verify_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = audit_verify_exec
};
