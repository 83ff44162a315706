/*
 * cmd-status.c: segurctl status: one screen for the ops team.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/anomaly.h"
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

	fprintf(f, "\n%s: %lld\n", title, (long long)count);
	if (n == 0)
		return;
	segurctl_row_header(f);
	for (i = 0; i < n; i++)
		segurctl_row_print(f, &v[i]);
	if ((int64_t)n < count)
		fprintf(f, "... and %lld more (segurctl request list)\n",
		    (long long)(count - (int64_t)n));
}

static int
status_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_status st;
	struct segur_figures fg;
	char		*cause = NULL, b[SEGUR_AMOUNT_BUFSZ];
	cJSON		*o, *states, *s, *j;
	int64_t		 n = 0, cents = 0;
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
	fprintf(env->out, "%-18s %8s %16s\n", "STATE", "REQUESTS",
	    "MONTANT_HT");
	for (k = 0; k < SEGUR_STATE_COUNT; k++) {
		fprintf(env->out, "%-18s %8lld %16s\n",
		    segur_state_name((enum segur_state)k),
		    (long long)st.count[k], segur_amount_format(st.cents[k], b));
		n += st.count[k];
		cents += st.cents[k];
	}
	fprintf(env->out, "%-18s %8lld %16s\n", "total", (long long)n,
	    segur_amount_format(cents, b));
	segurctl_figures_print(env->out, "Montants HT :", &fg);
	print_list(env->out, "Rejected, waiting for a resubmission",
	    st.count[SEGUR_STATE_REJECTED], st.rejected, st.nrejected);
	print_list(env->out, "Accepted, waiting for ASP's decision",
	    st.count[SEGUR_STATE_ACCEPTED], st.accepted, st.naccepted);
	print_list(env->out, "Advance paid, waiting for the balance",
	    st.count[SEGUR_STATE_ADVANCE_PAID], st.advance_paid,
	    st.nadvance_paid);
	fprintf(env->out, "\nOpen anomalies: %lld\n",
	    (long long)st.anomalies_open);
	if (st.oldest_anomaly != NULL)
		fprintf(env->out, "oldest: %lld %s since %s%s%s: %s\n"
		    "(segurctl anomalies)\n",
		    (long long)st.oldest_anomaly->id, st.oldest_anomaly->kind,
		    st.oldest_anomaly->at, st.oldest_anomaly->ref != NULL ?
		    ", request " : "", st.oldest_anomaly->ref != NULL ?
		    st.oldest_anomaly->ref : "", st.oldest_anomaly->detail);
	segur_status_release(&st);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_status = {
	.name = "status",
	.group = "ledger",
	.args = "[--json]",
	.summary = "counts and amounts per state, and what waits, oldest first",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_max = 0,
	.exec = status_exec
};
