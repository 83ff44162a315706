/*
 * cmd-solde-variables.c: segurctl solde variables: the documented
 * variables of balance templates (lib/files/template.c), as text or as the
 * Markdown table of docs/solde.md.
 */
#include <getopt.h>
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
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "markdown", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const struct segur_tvar_def *d;
	int	 c, md = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'm')
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		md = 1;
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "unexpected argument "
		    "'%s'", argv[optind]));
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

const struct segurctl_cmd cmd_solde_variables = {
	"solde variables", "[--markdown]",
	"list the variables of balance templates", 0, solde_variables_exec
};
