/*
 * cmd-software-add.c: segurctl software add: register a software reference.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
software_add_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_software s;
	const char	*ans = NULL, *siret = NULL, *prof = NULL, *name = NULL;
	char		*cause = NULL;
	unsigned	 profiles;
	int		 rc;

	ans = segurctl_arg(self, args, "ans");
	siret = segurctl_arg(self, args, "siret");
	prof = segurctl_arg(self, args, "profiles");
	name = segurctl_arg(self, args, "name");
	if (ans == NULL || siret == NULL || prof == NULL)
		return (segurctl_usage_error(self, env,
		    "--ans, --siret et --profiles sont obligatoires"));
	if (segur_profiles_parse(prof, &profiles, &cause) != 0) {
		rc = segurctl_usage_error(self, env, "%s", cause);
		free(cause);
		return (rc);
	}
	rc = segur_ledger_software_add(l, ans, siret, name, profiles, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json")) {
		/* What the ledger holds now, its date of registration too. */
		if ((rc = segur_ledger_software_get(l, ans, &s, &cause)) != 0)
			return (segurctl_ledger_error(self, env, rc, cause));
		rc = segurctl_print_json(env, segurctl_software_json(&s));
		segur_software_release(&s);
		return (rc);
	}
	fprintf(env->out, "logiciel %s enregistré\n", ans);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt software_add_opts[] = {
	{ "ans", 0, "NUMERO_ANS", "son numéro ANS (numéro de référencement)" },
	{ "siret", 0, "SIRET", "le SIRET de l'éditeur" },
	{ "profiles", 0, "LIST", "ses profils référencés, séparés par des "
	    "virgules" },
	{ "name", 0, "NAME", "son nom" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_software_add = {
	.name = "software add",
	.group = "software",
	.args = "[--json] --ans NUMERO_ANS --siret SIRET --profiles LIST "
	    "[--name NAME]",
	.summary = "enregistrer un logiciel référencé et ses profils "
	    "référencés",
	.opts = software_add_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = software_add_exec
};
