/*
 * cmd-solde-variables.c: segurctl solde variables: the documented
 * variables of balance templates (lib/files/template.c), as text or as the
 * Markdown table of docs/solde.md.
 */
#include <stdio.h>

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

static int
solde_variables_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	const struct segur_tvar_def *d;
	int	 md = 0;

	md = segurctl_flag(self, args, "markdown");
	if (md)
		fprintf(env->out, "| Variable | Type | Portée | Valeur |\n"
		    "|---|---|---|---|\n");
	for (d = segur_template_vars(); d->name != NULL; d++) {
		if (md)
			fprintf(env->out, "| `${%s}` | %s | %s | %s |\n",
			    d->name, type_name(d->type), d->scope ==
			    SEGUR_TVAR_LINE ? "ligne" : "fichier", d->doc);
		else
			fprintf(env->out, "%-22s %-8s %-8s %s\n", d->name,
			    type_name(d->type), d->scope == SEGUR_TVAR_LINE ?
			    "ligne" : "fichier", d->doc);
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
	.args = "[--markdown]",
	.summary = "lister les variables des modèles de solde",
	.opts = solde_variables_opts,
	.flags = 0,
	.args_min = 0,
	.args_max = 0,
	.exec = solde_variables_exec
};
