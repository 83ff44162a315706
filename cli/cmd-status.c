/*
 * cmd-status.c: segurctl status: one screen for the ops team.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/anomaly.h"
#include "segur/date.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* How many of each waiting list the screen shows. */
#define STATUS_ROWS	10

/* Adds a waiting list to o as key: {count, oldest: [...]}. */
static int
add_list(cJSON *o, const char *key, int64_t count,
    const struct segur_request_row *v, size_t n)
{
	cJSON	*l, *arr, *j;
	size_t	 i;

	if ((l = cJSON_AddObjectToObject(o, key)) == NULL ||
	    cJSON_AddNumberToObject(l, "count", (double)count) == NULL ||
	    (arr = cJSON_AddArrayToObject(l, "oldest")) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if ((j = segurctl_row_json(&v[i])) == NULL)
			return (-1);
		cJSON_AddItemToArray(arr, j);
	}
	return (0);
}

static void
print_list(FILE *f, const char *title, int64_t count,
    const struct segur_request_row *v, size_t n)
{
	size_t	 i;

	fprintf(f, "\n%s : %lld\n", title, (long long)count);
	if (n == 0)
		return;
	segurctl_row_header(f);
	for (i = 0; i < n; i++)
		segurctl_row_print(f, &v[i]);
	if ((int64_t)n < count)
		fprintf(f, "… et %lld autre(s) (segurctl request list)\n",
		    (long long)(count - (int64_t)n));
}

/* Characters, not bytes: UTF-8 continuation bytes take no column. */
static size_t
text_columns(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return (n);
}

/* One line of the table: label, count and amount in their columns. */
static void
state_line(FILE *f, const char *label, const char *count, const char *amount)
{
	size_t	 w = text_columns(label), a = text_columns(amount);

	fprintf(f, "%s%*s %9s %*s%s\n", label, (int)(w < 24 ? 24 - w : 0), "",
	    count, (int)(a < 18 ? 18 - a : 0), "", amount);
}

/* The requests and their amounts by state, in French, then the total. */
static void
state_table(FILE *f, const struct segur_status *st)
{
	const char	*label;
	char		 b[SEGUR_AMOUNT_BUFSZ], amount[SEGUR_AMOUNT_BUFSZ + 8];
	char		 count[24];
	int64_t		 n = 0, cents = 0;
	int		 k;

	state_line(f, "ÉTAT", "DEMANDES", "MONTANT HT");
	for (k = 0; k < SEGUR_STATE_COUNT; k++) {
		label = segur_state_label((enum segur_state)k);
		snprintf(count, sizeof(count), "%lld", (long long)st->count[k]);
		snprintf(amount, sizeof(amount), "%s €",
		    segur_amount_format_fr(st->cents[k], b));
		state_line(f, label != NULL ? label : "?", count, amount);
		n += st->count[k];
		cents += st->cents[k];
	}
	snprintf(count, sizeof(count), "%lld", (long long)n);
	snprintf(amount, sizeof(amount), "%s €", segur_amount_format_fr(cents,
	    b));
	state_line(f, "total", count, amount);
}

static int
status_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_status st;
	struct segur_figures fg;
	struct segur_anomaly *a;
	char		*cause = NULL, b[SEGUR_AMOUNT_BUFSZ];
	char		 when[SEGUR_DATE_FR_BUFSZ];
	cJSON		*o, *states, *s, *j;
	int		 rc, k, json;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_status(l, STATUS_ROWS, &st, &cause);
	/* The money as every command prints it (docs/decisions.md). */
	if (rc == 0 && (rc = segur_ledger_figures(l, NULL, &fg,
	    &cause)) != 0)
		segur_status_release(&st);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    (states = cJSON_AddObjectToObject(o, "states")) == NULL)
			goto oom;
		for (k = 0; k < SEGUR_STATE_COUNT; k++) {
			if ((s = cJSON_AddObjectToObject(states,
			    segur_state_name((enum segur_state)k))) == NULL ||
			    cJSON_AddNumberToObject(s, "count",
			    (double)st.count[k]) == NULL ||
			    cJSON_AddStringToObject(s, "montantSegurHT",
			    segur_amount_format(st.cents[k], b)) == NULL)
				goto oom;
		}
		if (segur_figures_json(&fg, o) != 0)
			goto oom;
		if (add_list(o, "rejected", st.count[SEGUR_STATE_REJECTED],
		    st.rejected, st.nrejected) != 0 ||
		    add_list(o, "accepted", st.count[SEGUR_STATE_ACCEPTED],
		    st.accepted, st.naccepted) != 0 ||
		    add_list(o, "advance_paid",
		    st.count[SEGUR_STATE_ADVANCE_PAID], st.advance_paid,
		    st.nadvance_paid) != 0)
			goto oom;
		if ((s = cJSON_AddObjectToObject(o, "anomalies")) == NULL ||
		    cJSON_AddNumberToObject(s, "open",
		    (double)st.anomalies_open) == NULL)
			goto oom;
		if (st.oldest_anomaly == NULL) {
			if (cJSON_AddNullToObject(s, "oldest") == NULL)
				goto oom;
		} else if ((j = segur_anomaly_json(st.oldest_anomaly)) ==
		    NULL)
			goto oom;
		else
			cJSON_AddItemToObject(s, "oldest", j);
		segur_status_release(&st);
		return (segurctl_print_json(env, o));
oom:
		segur_status_release(&st);
		return (segurctl_print_json(env, NULL));
	}
	state_table(env->out, &st);
	segurctl_figures_print(env->out, "Montants HT :", &fg);
	print_list(env->out, "Rejetées, à corriger et renvoyer (segurctl "
	    "resubmit)", st.count[SEGUR_STATE_REJECTED], st.rejected,
	    st.nrejected);
	print_list(env->out, "Acceptées, décision de l'ASP attendue",
	    st.count[SEGUR_STATE_ACCEPTED], st.accepted, st.naccepted);
	print_list(env->out, "Avance versée, solde à demander",
	    st.count[SEGUR_STATE_ADVANCE_PAID], st.advance_paid,
	    st.nadvance_paid);
	fprintf(env->out, "\nAnomalies ouvertes : %lld\n",
	    (long long)st.anomalies_open);
	if (st.oldest_anomaly != NULL) {
		a = st.oldest_anomaly;
		fprintf(env->out, "la plus ancienne : %lld %s depuis le %s%s%s "
		    ": %s\n(segurctl anomalies)\n", (long long)a->id, a->kind,
		    segur_date_fr(a->at, when) != NULL ? when : a->at,
		    a->ref != NULL ? ", demande " : "",
		    a->ref != NULL ? a->ref : "", a->detail);
	}
	segur_status_release(&st);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_status = {
	.name = "status",
	.group = "ledger",
	.args = "[--json]",
	.summary = "afficher les nombres et montants par état, et ce qui "
	    "attend, le plus ancien d'abord",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_max = 0,
	.exec = status_exec
};
