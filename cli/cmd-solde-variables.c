/*
 * cmd-solde-variables.c: segurctl solde variables: the documented
 * variables of balance templates (lib/files/template.c), as text or as the
 * Markdown table of docs/solde.md.
 */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "segur/template.h"

#include "segurctl.h"

static const char *
type_name(enum segur_tvar_type t)
{
	switch (t) {
	case SEGUR_TVAR_AMOUNT:
		return ("montant");
	case SEGUR_TVAR_INT:
		return ("entier");
	case SEGUR_TVAR_BOOL:
		return ("booléen");
	case SEGUR_TVAR_TEXT:
		break;
	}
	return ("texte");
}

/* The type's code in JSON. */
static const char *
type_code(enum segur_tvar_type t)
{
	switch (t) {
	case SEGUR_TVAR_AMOUNT:
		return ("amount");
	case SEGUR_TVAR_INT:
		return ("int");
	case SEGUR_TVAR_BOOL:
		return ("bool");
	case SEGUR_TVAR_TEXT:
		break;
	}
	return ("text");
}

/* The variables as a JSON array of {name, type, scope, doc}; caller
 * deletes, NULL on ENOMEM. */
static cJSON *
vars_json(void)
{
	const struct segur_tvar_def *d;
	cJSON	*a, *o;

	if ((a = cJSON_CreateArray()) == NULL)
		return (NULL);
	for (d = segur_template_vars(); d->name != NULL; d++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(a, o) ||
		    cJSON_AddStringToObject(o, "name", d->name) == NULL ||
		    cJSON_AddStringToObject(o, "type", type_code(d->type)) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "scope", d->scope ==
		    SEGUR_TVAR_LINE ? "line" : "file") == NULL ||
		    cJSON_AddStringToObject(o, "doc", d->doc) == NULL) {
			cJSON_Delete(o);
			cJSON_Delete(a);
			return (NULL);
		}
	}
	return (a);
}

static int
solde_variables_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	const struct segur_tvar_def *d;
	int	 md = 0;

	md = segurctl_flag(self, args, "markdown");
	if (segurctl_flag(self, args, "json")) {
		if (md)
			return (segurctl_usage_error(self, env,
			    "--json et --markdown s'excluent"));
		return (segurctl_print_json(env, vars_json()));
	}
	if (md)
		fprintf(env->out, "| Variable | Type | Portée | Valeur |\n"
		    "|---|---|---|---|\n");
	for (d = segur_template_vars(); d->name != NULL; d++) {
		if (md)
			fprintf(env->out, "| `${%s}` | %s | %s | %s |\n",
			    d->name, type_name(d->type), d->scope ==
			    SEGUR_TVAR_LINE ? "ligne" : "fichier", d->doc);
		else {
			segurctl_cell(env->out, d->name, 22, 0);
			fputc(' ', env->out);
			segurctl_cell(env->out, type_name(d->type), 8, 0);
			fputc(' ', env->out);
			segurctl_cell(env->out, d->scope == SEGUR_TVAR_LINE ?
			    "ligne" : "fichier", 8, 0);
			fprintf(env->out, " %s\n", d->doc);
		}
	}
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt solde_variables_opts[] = {
	{ "markdown", 0, NULL, "en table Markdown (docs/solde.md)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_solde_variables = {
	.name = "solde variables",
	.group = "solde",
	.args = "[--markdown] [--json]",
	.summary = "lister les variables des modèles de solde",
	.opts = solde_variables_opts,
	.flags = SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = solde_variables_exec
};
