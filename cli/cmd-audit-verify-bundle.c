/*
 * cmd-audit-verify-bundle.c: segurctl audit verify-bundle: proves that
 * nothing in an evidence bundle changed, or names what did.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/audit.h"
#include "segur/error.h"

#include "segurctl.h"

struct findings {
	FILE	*f;		/* text output, or NULL */
	cJSON	*arr;		/* JSON output, or NULL */
	const char *zip;
	int	 nomem;
};

static int
on_finding(void *arg, const char *file, const char *problem)
{
	struct findings	*fd = arg;
	cJSON		*o;

	if (fd->f != NULL)
		fprintf(fd->f, "%s:%s: erreur: %s\n", fd->zip, file, problem);
	if (fd->arr != NULL && ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(fd->arr, o) ||
	    cJSON_AddStringToObject(o, "file", file) == NULL ||
	    cJSON_AddStringToObject(o, "problem", problem) == NULL))
		fd->nomem = 1;
	return (0);
}

static int
audit_verify_bundle_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct findings	 fd = { NULL, NULL, NULL, 0 };
	struct segur_audit_key key;
	struct segur_chain_head h;
	const char	*keyfile = NULL;
	char		*cause = NULL;
	size_t		 n = 0;
	cJSON		*o = NULL;
	int		 c, rc, json = 0, have;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'k')
			keyfile = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env, "expected one "
		    "FILE.zip"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	fd.zip = argv[optind];
	if (json) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    (fd.arr = cJSON_AddArrayToObject(o, "findings")) == NULL)
			fd.nomem = 1;
	} else
		fd.f = env->out;
	rc = segur_audit_bundle_verify(argv[optind], have ? &key : NULL,
	    on_finding, &fd, &h, &n, &cause);
	segur_audit_key_release(&key);
	if (rc != 0 && rc != SEGUR_ECORRUPT) {
		cJSON_Delete(o);
		fprintf(env->err, "segurctl %s: %s\n", self->name,
		    cause != NULL ? cause : segur_strerror(rc));
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	free(cause);
	if (json) {
		if (o == NULL || fd.nomem ||
		    cJSON_AddBoolToObject(o, "ok", rc == 0) == NULL ||
		    cJSON_AddNumberToObject(o, "files", (double)n) == NULL ||
		    !cJSON_AddItemToObject(o, "chainHead",
		    segur_audit_head_json(&h))) {
			cJSON_Delete(o);
			o = NULL;
		}
		if (segurctl_print_json(env, o) != 0)
			return (SEGURCTL_EXIT_USAGE);
	} else if (rc == 0)
		fprintf(env->out, "%s: intact, %zu fichier(s) conformes au "
		    "manifeste%s; tête de chaîne %s (%" PRId64 " événements, "
		    "%s)\n", argv[optind], n, have ? " scellé" : "", h.hash,
		    h.events, h.at);
	else
		fprintf(env->out, "%s: MODIFIÉ (voir ci-dessus)\n",
		    argv[optind]);
	return (rc == 0 ? SEGURCTL_EXIT_OK : SEGURCTL_EXIT_FINDINGS);
}

const struct segurctl_cmd cmd_audit_verify_bundle = {
	"audit verify-bundle", "[--json] [--key FILE] FILE.zip",
	"prove that nothing in an evidence bundle changed, or name what did",
	0, audit_verify_bundle_exec
};
