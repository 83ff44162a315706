/*
 * cmd-solde-deadline.c: segurctl solde deadline: one request's balance
 * deadline, overriding the programme's (lib/ledger/solde.c).
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/util.h"

#include "segurctl.h"

/* Usage first, before the ledger is opened and the request resolved. */
static int
solde_deadline_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	if ((segurctl_arg(self, args, "date") == NULL) ==
	    !segurctl_flag(self, args, "clear"))
		return (segurctl_usage_error(self, env,
		    "donnez soit --date, soit --clear"));
	return (0);
}

/* The date of the advance paid in a request shown, or NULL. */
static const char *
advance_date(const cJSON *show)
{
	const cJSON	*it, *phase, *date;
	const char	*found = NULL;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(show,
	    "payments")) {
		phase = cJSON_GetObjectItemCaseSensitive(it, "phase");
		date = cJSON_GetObjectItemCaseSensitive(it, "date");
		if (cJSON_IsString(phase) && cJSON_IsString(date) &&
		    strcmp(phase->valuestring, "avance") == 0)
			found = date->valuestring;
	}
	return (found);
}

/* The --json: the request's row, "deadline" (its own, null once cleared)
 * and "echeance" (the one that applies, null before its advance). */
static cJSON *
deadline_json(const struct segur_request_row *row, const char *own,
    const char *due)
{
	cJSON	*o;

	if ((o = segurctl_row_json(row)) == NULL ||
	    (own != NULL ? cJSON_AddStringToObject(o, "deadline", own) :
	    cJSON_AddNullToObject(o, "deadline")) == NULL ||
	    (due[0] != '\0' ? cJSON_AddStringToObject(o, "echeance", due) :
	    cJSON_AddNullToObject(o, "echeance")) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

static int
solde_deadline_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_request_row row;
	struct segur_ledger	*l = args->ledger;
	const char		*date = NULL;
	cJSON			*show = NULL;
	char			*cause = NULL, due[11], day[SEGUR_DATE_FR_BUFSZ];
	int			 rc;

	date = segurctl_arg(self, args, "date");
	rc = segur_solde_deadline_set(l, args->argv[0], date, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	/* Re-read: the deadline that applies now, as solde list shows it. */
	rc = segurctl_request_reread(l, args->argv[0], &row, &show, &cause);
	if (rc == 0 && (rc = segur_solde_deadline_of(l, row.id,
	    advance_date(show), due, &cause)) >= 0)
		rc = 0;
	cJSON_Delete(show);
	if (rc != 0)
		return (segurctl_reread_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json"))
		return (segurctl_print_json(env, deadline_json(&row, date,
		    due)));
	if (due[0] == '\0' || segur_date_fr(due, day) == NULL)
		snprintf(day, sizeof(day), "%s", due);
	if (date != NULL)
		fprintf(env->out, "%s : échéance du solde fixée au %s\n",
		    args->argv[0], day);
	else if (due[0] != '\0')
		fprintf(env->out, "%s : échéance du solde, celle du "
		    "programme : le %s\n", args->argv[0], day);
	else
		fprintf(env->out, "%s : échéance du solde, celle du "
		    "programme (comptée depuis le versement de l'avance)\n",
		    args->argv[0]);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt solde_deadline_opts[] = {
	{ "date", 0, "DATE", "son échéance de solde" },
	{ "clear", 0, NULL, "revenir au délai du programme (ref set)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_solde_deadline = {
	.name = "solde deadline",
	.group = "solde",
	.args = "[--json] [--date DATE] [--clear] NUMERO_ASP",
	.summary = "fixer ou effacer l'échéance de solde d'une demande",
	.opts = solde_deadline_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = solde_deadline_check,
	.exec = solde_deadline_exec
};
