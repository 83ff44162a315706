/*
 * cmd-alerts-list.c: segurctl alerts list: the outbox (lib/alerts/outbox.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/alert.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/outbox.h"

#include "segurctl.h"

struct list {
	FILE	*f;
	cJSON	*json;		/* array, or NULL for text */
	size_t	 n;
};

/* A string member of facts, or NULL. */
static const char *
fact(const cJSON *facts, const char *key)
{
	return (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(facts,
	    key)));
}

static int
on_row(void *arg, const struct segur_outbox_row *row)
{
	struct list	*s = arg;
	char		 id[32], at[SEGUR_DATE_FR_BUFSZ];
	const char	*reason;
	cJSON		*o, *facts;
	int		 rejection;

	segur_outbox_alert_id(row->id, id);
	s->n++;
	/* Owned until added to o, or deleted below. */
	facts = row->facts != NULL ? cJSON_Parse(row->facts) : NULL;
	/* What ASP said of the line it rejected (lib/files/ingest.c); an
	 * anomaly's facts may hold a label that rejects nothing. */
	rejection = strcmp(row->kind, SEGUR_ALERT_REJECTION) == 0;
	reason = rejection ? fact(facts, SEGUR_ALERT_F_LABEL) : NULL;
	if (s->json == NULL) {
		fprintf(s->f, "%s  %s  %-9s %-7s %s\n", id,
		    segur_date_fr(row->created_at, at), row->kind, row->failed > 0 ? "ÉCHEC" : row->pending > 0 ?
		    "à livrer" : row->delivered > 0 ? "livrée" : "en file",
		    row->subject);
		if (rejection)
			segurctl_rejection_print(s->f, "        ", reason,
			    fact(facts, "codeTraitement"));
		if (row->failed > 0 && row->last_error != NULL)
			fprintf(s->f, "        dernière erreur : %s\n",
			    row->last_error);
		cJSON_Delete(facts);
		return (0);
	}
	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(facts);
		return (SEGUR_ENOMEM);
	}
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "kind", row->kind);
	cJSON_AddStringToObject(o, "severity", row->severity);
	cJSON_AddStringToObject(o, "createdAt", row->created_at);
	cJSON_AddStringToObject(o, "subject", row->subject);
	if (row->ref != NULL)
		cJSON_AddStringToObject(o, "ref", row->ref);
	if (reason != NULL)
		cJSON_AddStringToObject(o, "rejectionReason", reason);
	else
		cJSON_AddNullToObject(o, "rejectionReason");
	cJSON_AddItemToObject(o, "facts", facts);
	cJSON_AddNumberToObject(o, "delivered", row->delivered);
	cJSON_AddNumberToObject(o, "pending", row->pending);
	cJSON_AddNumberToObject(o, "failed", row->failed);
	if (row->last_error != NULL)
		cJSON_AddStringToObject(o, "lastError", row->last_error);
	cJSON_AddItemToArray(s->json, o);
	return (0);
}

/* The options into *f (strings borrowed from args): 0, or the exit status
 * of a usage error. */
static int
alerts_filter(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args, struct segur_outbox_filter *f)
{
	const char	*v;

	memset(f, 0, sizeof(*f));
	if ((v = segurctl_arg(self, args, "state")) != NULL) {
		if (strcmp(v, "pending") != 0 && strcmp(v, "delivered") != 0 &&
		    strcmp(v, "failed") != 0 && strcmp(v, "undelivered") != 0)
			return (segurctl_usage_error(self, env,
			    "--state : état inconnu « %s » (pending, "
			    "delivered, failed ou undelivered)", v));
		f->state = v;
	}
	f->kind = segurctl_arg(self, args, "kind");
	return (segurctl_count_arg(self, env, args, "limit", &f->limit));
}

/* Usage errors before the ledger is opened. */
static int
alerts_list_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_outbox_filter f;

	return (alerts_filter(self, env, args, &f));
}

static int
alerts_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_outbox_filter f;
	struct segur_ledger	*l = args->ledger;
	struct list		 s;
	char			*cause = NULL;
	int			 rc, json = 0;

	if ((rc = alerts_filter(self, env, args, &f)) != 0)
		return (rc);
	json = segurctl_flag(self, args, "json");
	memset(&s, 0, sizeof(s));
	s.f = env->out;
	if (json && (s.json = cJSON_CreateArray()) == NULL)
		return (segurctl_print_json(env, NULL));
	rc = segur_outbox_list(l, &f, on_row, &s, &cause);
	if (rc != 0) {
		cJSON_Delete(s.json);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		return (segurctl_print_json(env, s.json));
	if (s.n == 0)
		fprintf(env->out, "Aucune alerte.\n");
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt alerts_list_opts[] = {
	{ "state", 0, "S", "seulement celles dans cet état : pending, "
	    "delivered, failed ou undelivered" },
	{ "kind", 0, "K", "seulement les alertes de ce type" },
	{ "limit", 0, "N", "au plus N alertes" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_alerts_list = {
	.name = "alerts list",
	.group = "alerts",
	.args = "[--state S] [--kind K] [--limit N] [--json]",
	.summary = "lister les alertes de la file d'envoi et leurs envois",
	.opts = alerts_list_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.check = alerts_list_check,
	.exec = alerts_list_exec
};
