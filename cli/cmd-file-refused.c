/*
 * cmd-file-refused.c: segurctl file refused --reason TEXT [--json] FILE_NAME:
 * the portal refused a built file whole at upload (control 1) and gave no
 * annotated JSON back. Also segurctl_file_close(), the body it shares with
 * file cancel (cli/cmd-file-cancel.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

/* The --json of a closed file. */
static cJSON *
closed_json(const char *name, const char *state, const char *reason,
    const struct segur_file_closed *c)
{
	cJSON	*o, *a, *r;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "file", name) == NULL ||
	    cJSON_AddStringToObject(o, "kind", segur_file_kind_name(c->kind))
	    == NULL ||
	    cJSON_AddStringToObject(o, "state", state) == NULL ||
	    cJSON_AddStringToObject(o, "reason", reason) == NULL ||
	    (a = cJSON_AddArrayToObject(o, "requests")) == NULL)
		goto fail;
	for (i = 0; i < c->n; i++) {
		if ((r = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToArray(a, r);
		if (cJSON_AddStringToObject(r, "ref", c->v[i].ref) == NULL ||
		    cJSON_AddStringToObject(r, "state",
		    segur_state_name(c->v[i].state)) == NULL)
			goto fail;
	}
	return (o);
fail:
	cJSON_Delete(o);
	return (NULL);
}

int
segurctl_file_close(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args, int refuse)
{
	struct segur_file_closed c;
	struct segur_ledger *l = args->ledger;
	const char	*reason = NULL, *name, *state;
	char		*cause = NULL;
	size_t		 i;
	int		 rc, json;

	reason = segurctl_arg(self, args, "reason");
	json = segurctl_flag(self, args, "json");
	if (reason == NULL)
		return (segurctl_usage_error(self, env,
		    "--reason est obligatoire"));
	name = args->argv[0];
	rc = refuse ? segur_ledger_file_refuse(l, name, reason, &c, &cause) :
	    segur_ledger_file_cancel(l, name, reason, &c, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	state = refuse ? "refused" : "cancelled";
	if (json) {
		rc = segurctl_print_json(env, closed_json(name, state, reason,
		    &c));
		segur_file_closed_release(&c);
		return (rc);
	}
	fprintf(env->out, "%s : %s, %zu demande(s)\n", name,
	    segur_file_state_label(refuse ? SEGUR_FSTATE_REFUSED :
	    SEGUR_FSTATE_CANCELLED), c.n);
	for (i = 0; i < c.n; i++)
		fprintf(env->out, "%s : %s\n", c.v[i].ref,
		    segur_state_label(c.v[i].state) != NULL ?
		    segur_state_label(c.v[i].state) : "?");
	/* What to do next, in the words of docs/guide.md. */
	if (c.n > 0 && refuse && c.kind == SEGUR_FILE_SUBMISSION)
		fprintf(env->out, "À faire : corriger si besoin (segurctl "
		    "request edit), puis segurctl resubmit --all-rejected et "
		    "segurctl build (nouveaux numeroEditeur).\n");
	else if (c.n > 0 && refuse)
		fprintf(env->out, "À faire : segurctl solde build (une "
		    "nouvelle demande de solde).\n");
	else if (c.n > 0)
		fprintf(env->out, "Les numéros de ce fichier ne serviront "
		    "plus ; le prochain build les remplace.\n");
	segur_file_closed_release(&c);
	return (SEGURCTL_EXIT_OK);
}

static int
file_refused_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	return (segurctl_file_close(self, env, args, 1));
}

static const struct segurctl_opt file_refused_opts[] = {
	{ "reason", 0, "TEXT", "pourquoi le portail l'a refusé" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_file_refused = {
	.name = "file refused",
	.group = "file",
	.args = "--reason TEXT [--json] FILE_NAME",
	.summary = "enregistrer un fichier construit refusé en entier au dépôt "
	    "(demandes rejetées)",
	.opts = file_refused_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = file_refused_exec
};
