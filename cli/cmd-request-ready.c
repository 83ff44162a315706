/*
 * cmd-request-ready.c: segurctl request ready REF...|--all: validate drafts
 * with the ledger's reference data and make the clean ones ready.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/validate.h"

#include "segurctl.h"

struct refs {
	char	**v;
	size_t	  n;
};

static int
collect_ref(void *arg, const struct segur_request_row *row)
{
	struct refs	*r = arg;
	char		**nv;

	if ((nv = realloc(r->v, (r->n + 1) * sizeof(*nv))) == NULL)
		return (-1);
	r->v = nv;
	if ((r->v[r->n] = strdup(row->ref)) == NULL)
		return (-1);
	r->n++;
	return (0);
}

/* Adds one request's outcome to arr (--json), or prints it. */
static int
report_one(struct segurctl_env *env, cJSON *arr, const char *ref,
    const struct segur_report *rep, int promoted, enum segur_state from)
{
	enum segur_state now = promoted ? SEGUR_STATE_READY : from;
	cJSON	*o, *fs, *f;
	size_t	 i;

	if (arr == NULL) {
		for (i = 0; i < rep->nfindings; i++)
			fprintf(env->err, "%s:%s: %s: %s\n", ref,
			    rep->findings[i].path != NULL ?
			    rep->findings[i].path : "",
			    rep->findings[i].severity == SEGUR_SEV_ERROR ?
			    "erreur" : segur_ledger_finding_blocks(
			    &rep->findings[i]) ? "avertissement bloquant" :
			    "avertissement", rep->findings[i].message);
		fprintf(env->out, "%s : %s%s (%zu erreur(s), %zu "
		    "avertissement(s))\n", ref, promoted ? "" : "toujours ",
		    segur_state_label(now), rep->nerrors, rep->nwarnings);
		return (0);
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(arr, o) ||
	    cJSON_AddStringToObject(o, "ref", ref) == NULL ||
	    cJSON_AddBoolToObject(o, "ready", promoted) == NULL ||
	    cJSON_AddStringToObject(o, "state", segur_state_name(now)) ==
	    NULL ||
	    (fs = cJSON_AddArrayToObject(o, "findings")) == NULL)
		return (-1);
	for (i = 0; i < rep->nfindings; i++) {
		if ((f = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(fs, f) ||
		    cJSON_AddStringToObject(f, "rule",
		    rep->findings[i].rule->id) == NULL ||
		    cJSON_AddStringToObject(f, "severity",
		    rep->findings[i].severity == SEGUR_SEV_ERROR ? "erreur" :
		    "avertissement") == NULL ||
		    cJSON_AddBoolToObject(f, "blocking",
		    segur_ledger_finding_blocks(&rep->findings[i])) == NULL ||
		    (rep->findings[i].path != NULL ?
		    cJSON_AddStringToObject(f, "path", rep->findings[i].path) :
		    cJSON_AddNullToObject(f, "path")) == NULL ||
		    cJSON_AddStringToObject(f, "message",
		    rep->findings[i].message) == NULL)
			return (-1);
	}
	return (0);
}

/*
 * The body of "request ready" (drafts) and "resubmit" (rejected requests):
 * validates each request named, or every one in state from with the
 * option all_opt, and makes the clean ones ready.
 */
int
segurctl_promote(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args, int from, const char *all_opt)
{
	struct segur_request_filter f = { .state = from };
	struct segur_report rep;
	struct segur_ledger *l = args->ledger;
	char		**argv = args->argv;
	int		 argc = args->argc;
	struct refs	 refs = { NULL, 0 };
	cJSON		*arr = NULL;
	char		*cause = NULL;
	size_t		 i;
	int		 rc = 0, all, json, promoted, status;
	int		 stayed = 0;

	json = segurctl_flag(self, args, "json");
	all = segurctl_flag(self, args, all_opt);
	if (all == (argc > 0))
		return (segurctl_usage_error(self, env,
		    "donnez des références ou --%s", all_opt));
	if (all && (rc = segur_ledger_request_list(l, &f, collect_ref, &refs,
	    &cause)) != 0) {
		for (i = 0; i < refs.n; i++)
			free(refs.v[i]);
		free(refs.v);
		return (segurctl_ledger_error(self, env, rc > 0 ? SEGUR_ENOMEM :
		    rc, cause));
	}
	for (i = 0; !all && i < (size_t)argc; i++) {
		char	**nv = realloc(refs.v, (refs.n + 1) * sizeof(*nv));

		if (nv == NULL)
			break;
		refs.v = nv;
		refs.v[refs.n++] = strdup(argv[i]);
	}
	if (!all && refs.n != (size_t)argc) {
		for (i = 0; i < refs.n; i++)
			free(refs.v[i]);
		free(refs.v);
		fprintf(env->err, "segurctl %s: mémoire épuisée\n",
		    self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	if (json)
		arr = cJSON_CreateArray();
	status = SEGURCTL_EXIT_OK;
	for (i = 0; i < refs.n; i++) {
		if (refs.v[i] == NULL) {
			status = SEGURCTL_EXIT_USAGE;
			break;
		}
		rc = segur_ledger_request_promote(l, refs.v[i], &rep,
		    &promoted, &cause);
		if (rc != 0) {
			segur_report_release(&rep);
			status = segurctl_ledger_error(self, env, rc, cause);
			cause = NULL;
			stayed++;
			continue;
		}
		if (report_one(env, arr, refs.v[i], &rep, promoted,
		    (enum segur_state)from) != 0)
			status = SEGURCTL_EXIT_USAGE;
		if (!promoted)
			stayed++;
		segur_report_release(&rep);
	}
	for (i = 0; i < refs.n; i++)
		free(refs.v[i]);
	free(refs.v);
	if (json && segurctl_print_json(env, arr) != 0)
		return (SEGURCTL_EXIT_USAGE);
	if (status == SEGURCTL_EXIT_OK && stayed > 0)
		status = SEGURCTL_EXIT_FINDINGS;
	return (status);
}

static int
request_ready_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	return (segurctl_promote(self, env, args, SEGUR_STATE_DRAFT, "all"));
}

static const struct segurctl_opt request_ready_opts[] = {
	{ "all", 0, NULL, "tous les brouillons" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_request_ready = {
	.name = "request ready",
	.group = "request",
	.args = "[--json] REF...|--all",
	.summary = "valider les brouillons avec les référentiels du registre ; "
	    "ceux sans erreur deviennent prêts",
	.opts = request_ready_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = -1,
	.req_args = -1,
	.req_as = SEGURCTL_REQ_REF,
	.exec = request_ready_exec
};
