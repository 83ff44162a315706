/*
 * cmd-audit-verify.c: segurctl audit verify: walk the event log's hash
 * chain and report the first broken row; check every archived file
 * against its recorded hash; with --head, prove that the ledger still
 * extends a head published earlier.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/archive.h"
#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

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
	const char	*p = problem == SEGUR_ENOENT ? "missing" : "altered";
	cJSON		*o;

	if (ao->f != NULL)
		fprintf(ao->f, "%s/%s: %s (%s)\n", ao->root, sha, p,
		    what[0] ? what : "no file refers to it");
	if (ao->arr != NULL && ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(ao->arr, o) ||
	    cJSON_AddStringToObject(o, "sha256", sha) == NULL ||
	    cJSON_AddStringToObject(o, "problem", p) == NULL ||
	    cJSON_AddStringToObject(o, "refs", what) == NULL))
		ao->nomem = 1;
	return (0);
}

static int
audit_verify_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "archive", required_argument, NULL, 'A' },
		{ "head", required_argument, NULL, 'H' },
		{ "seal", required_argument, NULL, 'S' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_archive_report ar = { 0, 0, 0 };
	struct arch_out	 ao = { NULL, NULL, NULL, 0 };
	struct segur_chain_head found, cur;
	struct segur_audit_key key;
	struct segur_archive arch = { NULL };
	struct segur_ledger *l;
	struct segur_audit a;
	const char	*head = NULL, *seal = NULL, *keyfile = NULL;
	char		*cause = NULL, *hcause = NULL, *archdir = NULL;
	cJSON		*o, *ja = NULL, *jh;
	int		 c, rc, hrc = 0, arc, json = 0, have = 0, sealrc = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			env->db_path = optarg;
		else if (c == 'j')
			json = 1;
		else if (c == 'A')
			archdir = optarg;
		else if (c == 'H')
			head = optarg;
		else if (c == 'S')
			seal = optarg;
		else if (c == 'k')
			keyfile = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env,
		    "no argument expected"));
	if (seal != NULL && head == NULL)
		return (segurctl_usage_error(self, env, "--seal goes with "
		    "--head"));
	if (seal != NULL) {
		if ((rc = segurctl_audit_key(self, env, keyfile, &key,
		    &have)) != 0)
			return (rc);
		if (!have)
			return (segurctl_usage_error(self, env, "--seal needs "
			    "a key: --key FILE or $SEGUR_AUDIT_KEY_FILE"));
	}
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		if (have)
			segur_audit_key_release(&key);
		return (rc);
	}
	rc = segur_ledger_audit_verify(l, &a, &cause);
	if (rc != 0 && rc != SEGUR_ECORRUPT) {
		segur_ledger_close(l);
		segur_audit_release(&a);
		if (have)
			segur_audit_key_release(&key);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	free(cause);
	cause = NULL;

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
		segur_ledger_close(l);
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
			segur_ledger_close(l);
			segur_audit_release(&a);
			cJSON_Delete(ja);
			if (have)
				segur_audit_key_release(&key);
			return (segurctl_ledger_error(self, env, hrc, hcause));
		}
	}
	segur_ledger_close(l);
	if (have)
		segur_audit_key_release(&key);

	if (json) {
		o = cJSON_CreateObject();
		jh = o != NULL ? cJSON_AddObjectToObject(o, "archive") : NULL;
		if (jh != NULL && ja != NULL &&
		    cJSON_AddItemToObject(jh, "problems", ja))
			ja = NULL;	/* now owned by o */
		if (o == NULL || jh == NULL || ja != NULL || ao.nomem ||
		    cJSON_AddBoolToObject(o, "ok", rc == 0 && ar.missing == 0 &&
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
		if (segurctl_print_json(env, o) != 0)
			return (SEGURCTL_EXIT_USAGE);
		return (rc == 0 && ar.missing == 0 && ar.altered == 0 &&
		    (head == NULL || (hrc == 0 && sealrc == 0)) ?
		    SEGURCTL_EXIT_OK : SEGURCTL_EXIT_FINDINGS);
	}
	if (rc == 0)
		fprintf(env->out, "event log whole: %lld events, head %s\n",
		    (long long)a.events, a.head);
	else
		fprintf(env->out, "event log BROKEN at event %lld: %s "
		    "(%lld events before it are whole, head %s)\n",
		    (long long)a.bad_id, a.reason, (long long)a.events,
		    a.head);
	fprintf(env->out, "archive %s: %lld objects, %lld missing, %lld "
	    "altered\n", ar.missing + ar.altered == 0 ? "whole" : "DAMAGED",
	    (long long)ar.objects, (long long)ar.missing,
	    (long long)ar.altered);
	if (head != NULL && rc == 0 && hrc == 0)
		fprintf(env->out, "published head %s: extended (event %"
		    PRId64 " of %" PRId64 ", %s)%s\n", head, found.events,
		    cur.events, found.at, seal == NULL ? "" : sealrc == 0 ?
		    ", seal ok" : ", SEAL MISMATCH (another key, or a head "
		    "rewritten)");
	else if (head != NULL)
		fprintf(env->out, "published head %s: NOT extended: %s\n",
		    head, rc != 0 ? "the event log is broken" :
		    hcause != NULL ? hcause : segur_strerror(hrc));
	segur_audit_release(&a);
	free(hcause);
	return (rc == 0 && ar.missing == 0 && ar.altered == 0 &&
	    (head == NULL || (hrc == 0 && sealrc == 0)) ? SEGURCTL_EXIT_OK :
	    SEGURCTL_EXIT_FINDINGS);
}

const struct segurctl_cmd cmd_audit_verify = {
	"audit verify",
	"[--json] [--archive DIR] [--head HASH [--seal HMAC] [--key FILE]]",
	"check the event log's hash chain and the archive; prove a published "
	"head is extended", 0, audit_verify_exec
};
