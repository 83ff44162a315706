/*
 * cmd-audit-verify-bundle.c: segurctl audit verify-bundle: proves that
 * nothing in an evidence bundle changed, or names what did.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/audit.h"
#include "segur/date.h"
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
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct findings	 fd = { NULL, NULL, NULL, 0 };
	struct segur_audit_key key;
	struct segur_chain_head h;
	const char	*keyfile = NULL;
	char		*cause = NULL, at_fr[SEGUR_DATE_FR_BUFSZ];
	size_t		 n = 0;
	cJSON		*o = NULL;
	int		 rc, json = 0, have;

	json = segurctl_flag(self, args, "json");
	keyfile = segurctl_arg(self, args, "key");
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	fd.zip = args->argv[0];
	if (json) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    (fd.arr = cJSON_AddArrayToObject(o, "findings")) == NULL)
			fd.nomem = 1;
	} else
		fd.f = env->out;
	rc = segur_audit_bundle_verify(args->argv[0], have ? &key : NULL,
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
		    "manifeste%s ; tête de chaîne %s (%" PRId64 " événements, "
		    "%s)\n", args->argv[0], n, have ? " scellé" : "", h.hash,
		    h.events, segur_date_fr(h.at, at_fr) != NULL ? at_fr :
		    h.at);
	else
		fprintf(env->out, "%s: MODIFIÉ (voir ci-dessus)\n",
		    args->argv[0]);
	return (rc == 0 ? SEGURCTL_EXIT_OK : SEGURCTL_EXIT_FINDINGS);
}

static const struct segurctl_opt audit_verify_bundle_opts[] = {
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_audit_verify_bundle = {
	.name = "audit verify-bundle",
	.group = "audit",
	.args = "[--json] [--key FILE] FILE.zip",
	.summary = "prouver que rien n'a changé dans un dossier de preuves, ou "
	    "dire ce qui a changé",
	.opts = audit_verify_bundle_opts,
	.flags = SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = audit_verify_bundle_exec
};
