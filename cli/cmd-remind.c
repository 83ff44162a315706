/*
 * cmd-remind.c: segurctl remind: the daily reminder check of segurd, run
 * by hand; with --dry-run, what is due without queuing anything.
 *
 * The day counts default to segurd.conf's ([reminders]); the date is
 * today (UTC). Test hook: SEGUR_TEST_TODAY=AAAA-MM-JJ replaces the date
 * (tests only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/outbox.h"
#include "segur/remind.h"
#include "segurctl.h"

struct out {
	FILE	*f;
	cJSON	*json;		/* array, or NULL for text */
	int	 oom;
};

static const char *
kind_fr(const char *kind)
{
	if (strcmp(kind, "submitted") == 0)
		return ("sans réponse de l'ASP");
	if (strcmp(kind, "decision") == 0)
		return ("acceptée, sans décision");
	if (strcmp(kind, "balance") == 0)
		return ("avance versée, sans solde");
	if (strcmp(kind, "anomaly") == 0)
		return ("anomalie ouverte");
	return ("échéance du solde");
}

static void
on_item(void *arg, const struct segur_remind_item *it)
{
	struct out	*o = arg;
	char		 id[32] = "", since[SEGUR_DATE_FR_BUFSZ];
	cJSON		*j;

	if (it->alert_id > 0)
		segur_outbox_alert_id(it->alert_id, id);
	if (o->json == NULL) {
		if (segur_date_fr(it->since, since) == NULL)
			snprintf(since, sizeof(since), "%s", it->since);
		fprintf(o->f, "%-16s %-5s %s depuis %s (%s%d j)%s%s\n",
		    it->ref, it->period, kind_fr(it->kind), since,
		    strcmp(it->kind, "deadline") == 0 ? "reste " : "",
		    it->days, *id != '\0' ? "  " : "", id);
		return;
	}
	if ((j = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(j, "ref", it->ref) == NULL ||
	    cJSON_AddStringToObject(j, "kind", it->kind) == NULL ||
	    cJSON_AddStringToObject(j, "period", it->period) == NULL ||
	    cJSON_AddStringToObject(j, "since", it->since) == NULL ||
	    cJSON_AddNumberToObject(j, "days", it->days) == NULL ||
	    (*id != '\0' && cJSON_AddStringToObject(j, "alert", id) == NULL) ||
	    !cJSON_AddItemToArray(o->json, j)) {
		cJSON_Delete(j);
		o->oom = 1;
	}
}

static int
days_arg(const char *s, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v > 3650)
		return (-1);
	*out = (unsigned)v;
	return (0);
}

static int
remind_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_remind_opts o;
	struct segur_ledger *l = args->ledger;
	static const char *const days[] = { "submitted-days", "decision-days",
	    "balance-days", "deadline-days" };
	const char	*v;
	size_t		 i;
	struct out	 out;
	cJSON		*root;
	char		*cause = NULL;
	unsigned	 queued = 0, *dst;
	int		 rc, json = 0;

	memset(&o, 0, sizeof(o));
	o.submitted_days = 7;
	o.decision_days = 60;
	o.balance_days = 180;
	o.today = getenv("SEGUR_TEST_TODAY");
	o.dry_run = segurctl_flag(self, args, "dry-run");
	json = segurctl_flag(self, args, "json");
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		dst = i == 0 ? &o.submitted_days : i == 1 ? &o.decision_days :
		    i == 2 ? &o.balance_days : &o.balance_deadline_days;
		if ((v = segurctl_arg(self, args, days[i])) != NULL &&
		    days_arg(v, dst) != 0)
			return (segurctl_usage_error(self, env,
			    "--%s : un nombre de jours, de 0 à 3650",
			    days[i]));
	}
	memset(&out, 0, sizeof(out));
	out.f = env->out;
	if (json && (out.json = cJSON_CreateArray()) == NULL) {
		return (segurctl_ledger_error(self, env, SEGUR_ENOMEM, NULL));
	}
	rc = segur_remind_check(l, &o, on_item, &out, &queued, &cause);
	if (rc == 0 && out.oom)
		rc = SEGUR_ENOMEM;
	if (rc != 0) {
		cJSON_Delete(out.json);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json) {
		if ((root = cJSON_CreateObject()) == NULL) {
			cJSON_Delete(out.json);
			return (segurctl_ledger_error(self, env, SEGUR_ENOMEM,
			    NULL));
		}
		cJSON_AddBoolToObject(root, "dryRun", o.dry_run);
		cJSON_AddNumberToObject(root, "count", queued);
		cJSON_AddItemToObject(root, "reminders", out.json);
		return (segurctl_print_json(env, root));
	}
	if (queued == 0)
		fprintf(env->out, "Aucune relance due.\n");
	else
		fprintf(env->out, "%u relance%s %s.\n", queued, queued > 1 ?
		    "s" : "", o.dry_run ? (queued > 1 ? "dues" : "due") :
		    (queued > 1 ? "mises en file" : "mise en file"));
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt remind_opts[] = {
	{ "dry-run", 0, NULL, "lister ce qui est dû, sans rien mettre en "
	    "file" },
	{ "submitted-days", 0, "N", "relancer une demande envoyée restée sans "
	    "réponse après N jours (7 ; 0 : jamais)" },
	{ "decision-days", 0, "N", "relancer une demande acceptée sans accord "
	    "ni refus après N jours (60)" },
	{ "balance-days", 0, "N", "relancer une avance payée sans demande de "
	    "solde après N jours (180)" },
	{ "deadline-days", 0, "N", "échéance du solde N jours après l'avance ; "
	    "relances 30, 7 et 1 jours avant (0 : le délai par défaut)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_remind = {
	.name = "remind",
	.group = "alerts",
	.args = "[--dry-run] [--json] [--submitted-days N] "
	    "[--decision-days N] [--balance-days N] [--deadline-days N]",
	.summary = "mettre en file les relances dues aujourd'hui (ce que "
	    "segurd fait chaque jour)",
	.opts = remind_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 0,
	.args_max = 0,
	.exec = remind_exec
};
