/*
 * cmd-status.c: segurctl status: one screen for the ops team.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* How many of each waiting list the screen shows. */
#define STATUS_ROWS	10

/* Adds the money figures to o: "amounts" (euros as text, two decimals,
 * like montantSegurHT) and "counts", with the same keys. */
static int
add_figures(cJSON *o, const struct segur_figures *fg)
{
	cJSON	*a, *c;
	char	 b[SEGUR_AMOUNT_BUFSZ];
	int	 i;

	if ((a = cJSON_AddObjectToObject(o, "amounts")) == NULL ||
	    (c = cJSON_AddObjectToObject(o, "counts")) == NULL)
		return (-1);
	for (i = 0; i < SEGUR_FIGURE_COUNT; i++)
		if (cJSON_AddStringToObject(a, segur_figure_key(
		    (enum segur_figure)i), segur_amount_format(fg->cents[i],
		    b)) == NULL || cJSON_AddNumberToObject(c, segur_figure_key(
		    (enum segur_figure)i), (double)fg->count[i]) == NULL)
			return (-1);
	return (0);
}

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
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	struct segur_status st;
	struct segur_figures fg;
	char		*cause = NULL, b[SEGUR_AMOUNT_BUFSZ];
	cJSON		*o, *states, *s;
	int64_t		 n = 0, cents = 0;
	int		 c, rc, k, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			env->db_path = optarg;
		else if (c == 'j')
			json = 1;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_status(l, STATUS_ROWS, &st, &cause);
	if (rc == 0 && (rc = segur_ledger_figures(l, NULL, &fg,
	    &cause)) != 0)
		segur_status_release(&st);
	segur_ledger_close(l);
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
		if (add_figures(o, &fg) != 0)
			goto oom;
		if (add_list(o, "rejected", st.count[SEGUR_STATE_REJECTED],
		    st.rejected, st.nrejected) != 0 ||
		    add_list(o, "accepted", st.count[SEGUR_STATE_ACCEPTED],
		    st.accepted, st.naccepted) != 0 ||
		    add_list(o, "advance_paid",
		    st.count[SEGUR_STATE_ADVANCE_PAID], st.advance_paid,
		    st.nadvance_paid) != 0)
			goto oom;
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
	fprintf(env->out, "\n%-18s %8s %16s\n", "MONEY", "REQUESTS", "EUROS");
	for (k = 0; k < SEGUR_FIGURE_COUNT; k++)
		fprintf(env->out, "%-18s %8lld %16s\n",
		    segur_figure_key((enum segur_figure)k),
		    (long long)fg.count[k], segur_amount_format(fg.cents[k],
		    b));
	print_list(env->out, "Rejected, waiting for a resubmission",
	    st.count[SEGUR_STATE_REJECTED], st.rejected, st.nrejected);
	print_list(env->out, "Accepted, waiting for ASP's decision",
	    st.count[SEGUR_STATE_ACCEPTED], st.accepted, st.naccepted);
	print_list(env->out, "Advance paid, waiting for the balance",
	    st.count[SEGUR_STATE_ADVANCE_PAID], st.advance_paid,
	    st.nadvance_paid);
	segur_status_release(&st);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_status = {
	"status", "[--json]",
	"counts and amounts per state, and what waits, oldest first", 0,
	status_exec
};
