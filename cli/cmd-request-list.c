/*
 * cmd-request-list.c: segurctl request list: requests by state, OG, ESMS,
 * date of last change, oldest change first, a page at a time with --limit
 * and --after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* Where a list goes, and how many rows went. */
struct list_out {
	struct segurctl_env	*env;
	size_t			 n;
};

/* One row as segurctl_row_print()'s line. */
static int
list_line(void *arg, const struct segur_request_row *row)
{
	struct list_out	*o = arg;

	segurctl_row_print(o->env->out, row);
	o->n++;
	return (0);
}

/*
 * One row as a member of the --json array: each object is printed and
 * freed as it comes, so that a list of any length holds one at a time.
 */
static int
list_json(void *arg, const struct segur_request_row *row)
{
	struct list_out	*o = arg;
	cJSON		*j;
	char		*s;

	if ((j = segurctl_row_json(row)) == NULL)
		return (SEGUR_ENOMEM);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s == NULL)
		return (SEGUR_ENOMEM);
	if (o->n > 0)
		fputc(',', o->env->out);
	fputs(s, o->env->out);
	free(s);
	o->n++;
	return (0);
}

/* The options into *f (strings borrowed from args): 0, or the exit status
 * of a usage error. */
static int
list_filter(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args, struct segur_request_filter *f)
{
	const char	*v;

	memset(f, 0, sizeof(*f));
	f->state = -1;
	if ((v = segurctl_arg(self, args, "state")) != NULL &&
	    (f->state = segur_state_parse(v)) < 0)
		return (segurctl_usage_error(self, env, "état inconnu « %s » "
		    "(draft, ready, submitted, accepted, rejected...)", v));
	f->og = segurctl_arg(self, args, "og");
	f->esms = segurctl_arg(self, args, "esms");
	/* A DATE, already checked and written AAAA-MM-JJ by the dispatch. */
	f->since = segurctl_arg(self, args, "since");
	f->after = segurctl_arg(self, args, "after");
	return (segurctl_count_arg(self, env, args, "limit", &f->limit));
}

/* Usage errors before the ledger is opened. */
static int
request_list_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_request_filter f;

	return (list_filter(self, env, args, &f));
}

static int
request_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_request_filter f;
	struct list_out	 o;
	struct segur_ledger *l = args->ledger;
	char		*cause = NULL;
	int		 rc, json;

	json = segurctl_flag(self, args, "json");
	if ((rc = list_filter(self, env, args, &f)) != 0)
		return (rc);
	o.env = env;
	o.n = 0;
	if (json) {
		fputc('[', env->out);
		rc = segur_ledger_request_list(l, &f, list_json, &o, &cause);
	} else {
		segurctl_row_header(env->out);
		rc = segur_ledger_request_list(l, &f, list_line, &o, &cause);
	}
	/* On an error the array stays open: no reader takes it as whole. */
	if (rc != 0) {
		if (json)
			fputc('\n', env->out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		fputs("]\n", env->out);
	if (fflush(env->out) != 0 || ferror(env->out)) {
		fprintf(env->err, "segurctl %s: erreur d'écriture\n", self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt request_list_opts[] = {
	{ "state", 0, "S", "seulement les demandes dans l'état S (draft, "
	    "ready...)" },
	{ "og", 0, "FINESS", "seulement celles de l'OG de ce FINESS "
	    "juridique" },
	{ "esms", 0, "FINESS", "seulement celles de l'ESMS de ce FINESS "
	    "géographique" },
	{ "since", 0, "DATE", "seulement celles modifiées depuis DATE "
	    "(AAAA-MM-JJ)" },
	{ "limit", 0, "N", "au plus N demandes" },
	{ "after", 0, "REF", "la page après la demande REF" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_request_list = {
	.name = "request list",
	.group = "request",
	.args = "[--json] [--state S] [--og FINESS] [--esms FINESS] "
	    "[--since DATE] [--limit N] [--after REF]",
	.summary = "lister les demandes, la plus anciennement modifiée d'abord",
	.opts = request_list_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_max = 0,
	.check = request_list_check,
	.exec = request_list_exec
};
