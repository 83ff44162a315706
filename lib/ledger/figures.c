/*
 * figures.c: the money of a set of requests, defined once
 * (segur_ledger_figures(), ledger.h; docs/decisions.md, "Figures").
 *
 * Every command that shows an amount (status, solde list, report, audit
 * export, segurd's /metrics and /api/v1/status) reads it here, so that
 * they cannot disagree. Each request holds at most one grant, one advance
 * and one balance paid (the state machine never records a step twice), so
 * every figure is a sum per state of the request amounts and of those
 * decisions. For the whole ledger (or one state) the triggers keep those
 * sums (state_total, 002; decision_total, 013): 14 + 42 rows, whatever
 * the size of the ledger. For one OG, two aggregate statements over its
 * requests, found by index; for one software, one pass over its requests
 * and one over the decisions.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "ledger/ledger-int.h"

static const char *const figure_keys[SEGUR_FIGURE_COUNT] = {
	"requested", "accepted", "granted", "advance_paid",
	"balance_requested", "balance_paid", "balance_awaited"
};

const char *
segur_figure_key(enum segur_figure f)
{
	if ((int)f < 0 || f >= SEGUR_FIGURE_COUNT)
		return (NULL);
	return (figure_keys[f]);
}

static const char *const figure_labels[SEGUR_FIGURE_COUNT] = {
	"demandé à l'ASP", "accepté par l'ASP", "accordé", "avance reçue",
	"solde demandé", "solde reçu", "solde attendu"
};

const char *
segur_figure_label(enum segur_figure f)
{
	if ((int)f < 0 || f >= SEGUR_FIGURE_COUNT)
		return (NULL);
	return (figure_labels[f]);
}

int
segur_figures_json(const struct segur_figures *fg, cJSON *o)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*a, *c;
	int	 i;

	if ((a = cJSON_AddObjectToObject(o, "amounts")) == NULL ||
	    (c = cJSON_AddObjectToObject(o, "counts")) == NULL)
		return (-1);
	for (i = 0; i < SEGUR_FIGURE_COUNT; i++)
		if (cJSON_AddStringToObject(a, figure_keys[i],
		    segur_amount_format(fg->cents[i], b)) == NULL ||
		    cJSON_AddNumberToObject(c, figure_keys[i],
		    (double)fg->count[i]) == NULL)
			return (-1);
	return (0);
}

/* The decisions whose amounts the figures sum. */
enum { D_GRANT, D_ADVANCE, D_PAID, D_COUNT };

struct per_state {
	int64_t		 n, cents;		/* requests, montant */
	int64_t		 dn[D_COUNT], dc[D_COUNT]; /* decisions, amounts */
};

#define STATE_BIT(s)	(1u << (s))

/* Which states each figure reads. */
static const unsigned sent = ~(STATE_BIT(SEGUR_STATE_DRAFT) |
    STATE_BIT(SEGUR_STATE_READY) | STATE_BIT(SEGUR_STATE_WITHDRAWN));
static const unsigned accepted = STATE_BIT(SEGUR_STATE_ACCEPTED) |
    STATE_BIT(SEGUR_STATE_GRANTED) | STATE_BIT(SEGUR_STATE_REFUSED) |
    STATE_BIT(SEGUR_STATE_ADVANCE_PAID) |
    STATE_BIT(SEGUR_STATE_BALANCE_REQUESTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_ACCEPTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_REJECTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_PAID) | STATE_BIT(SEGUR_STATE_CLOSED);
static const unsigned balance_requested =
    STATE_BIT(SEGUR_STATE_BALANCE_REQUESTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_ACCEPTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_REJECTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_PAID) | STATE_BIT(SEGUR_STATE_CLOSED);
static const unsigned awaited = STATE_BIT(SEGUR_STATE_ADVANCE_PAID) |
    STATE_BIT(SEGUR_STATE_BALANCE_REQUESTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_ACCEPTED) |
    STATE_BIT(SEGUR_STATE_BALANCE_REJECTED);

/* Whether f selects whole states only: the triggers' totals answer. */
static int
whole_states(const struct segur_figures_filter *f)
{
	return (f == NULL || (f->numero_ans == NULL && f->og == NULL));
}

static void
bind_filter(sqlite3_stmt *st, const struct segur_figures_filter *f,
    int others)
{
	if (f == NULL)
		return;
	segur__bind_text(st, 1, f->state >= 0 ?
	    segur_state_name((enum segur_state)f->state) : NULL);
	if (others)
		segur__bind_text(st, 2, f->numero_ans);
	if (others && f->og != NULL)	/* only q_og has ?3 */
		segur__bind_text(st, 3, f->og);
}

/* Which statement of three answers f: whole states, one OG, else. */
static const char *
pick(const struct segur_figures_filter *f, const char *q_all,
    const char *q_og, const char *q_software)
{
	if (whole_states(f))
		return (q_all);
	return (f->og != NULL ? q_og : q_software);
}

static int
read_states(struct segur_ledger *l, const struct segur_figures_filter *f,
    struct per_state *ps, char **cause)
{
	/* The whole ledger: the totals the triggers keep (002, 006). */
	static const char *const q_all =
	    "SELECT state, n, cents FROM state_total WHERE "
	    "?1 IS NULL OR state = ?1";
	/* One OG: its requests found by the index on request_esms. */
	static const char *const q_og =
	    "SELECT r.state, count(*), coalesce(sum(r.montant_cents), 0) "
	    "FROM request r WHERE r.id IN (SELECT request_id FROM "
	    " request_esms WHERE finess_juridique = ?3) AND "
	    "(?1 IS NULL OR r.state = ?1) AND "
	    "(?2 IS NULL OR r.software_id = (SELECT id FROM software WHERE "
	    " numero_ans = ?2)) GROUP BY r.state";
	static const char *const q_software =
	    "SELECT r.state, count(*), coalesce(sum(r.montant_cents), 0) "
	    "FROM request r WHERE (?1 IS NULL OR r.state = ?1) AND "
	    "r.software_id = (SELECT id FROM software WHERE numero_ans = ?2) "
	    "GROUP BY r.state";
	sqlite3_stmt	*st;
	int		 rc, s;

	if ((rc = segur__stmt(l, pick(f, q_all, q_og, q_software), &st,
	    cause)) != 0)
		return (rc);
	bind_filter(st, f, !whole_states(f));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = segur_state_parse((const char *)sqlite3_column_text(st, 0));
		if (s < 0)
			continue;
		ps[s].n = sqlite3_column_int64(st, 1);
		ps[s].cents = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(l, cause,
	    "lecture des totaux des demandes"));
}

static int
read_decisions(struct segur_ledger *l, const struct segur_figures_filter *f,
    struct per_state *ps, char **cause)
{
	/* The whole ledger: the totals the triggers keep (013). */
	static const char *const q_all =
	    "SELECT state, kind, n, cents FROM decision_total WHERE "
	    "?1 IS NULL OR state = ?1";
	/*
	 * The decisions with an amount of the requests selected, each with
	 * its request's state, found by the index on decision(request_id).
	 * A grant recorded without an amount (before the rules, issue 19) is
	 * the amount requested.
	 */
	static const char *const q_og =
	    "SELECT r.state, d.kind, count(*), "
	    "coalesce(sum(coalesce(d.amount_cents, r.montant_cents)), 0) "
	    "FROM request r JOIN decision d ON d.request_id = r.id "
	    "WHERE r.id IN (SELECT request_id FROM request_esms WHERE "
	    " finess_juridique = ?3) AND "
	    "d.kind IN ('grant', 'advance_paid', 'balance_paid') AND "
	    "(?1 IS NULL OR r.state = ?1) AND "
	    "(?2 IS NULL OR r.software_id = (SELECT id FROM software WHERE "
	    " numero_ans = ?2)) GROUP BY r.state, d.kind";
	/* One software: one pass over the decisions. */
	static const char *const q_software =
	    "SELECT r.state, d.kind, count(*), "
	    "coalesce(sum(coalesce(d.amount_cents, r.montant_cents)), 0) "
	    "FROM decision d JOIN request r ON r.id = d.request_id "
	    "WHERE d.kind IN ('grant', 'advance_paid', 'balance_paid') AND "
	    "(?1 IS NULL OR r.state = ?1) AND "
	    "r.software_id = (SELECT id FROM software WHERE numero_ans = ?2) "
	    "GROUP BY r.state, d.kind";
	sqlite3_stmt	*st;
	const char	*k;
	int		 rc, s, i;

	if ((rc = segur__stmt(l, pick(f, q_all, q_og, q_software), &st,
	    cause)) != 0)
		return (rc);
	bind_filter(st, f, !whole_states(f));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = segur_state_parse((const char *)sqlite3_column_text(st, 0));
		k = (const char *)sqlite3_column_text(st, 1);
		i = strcmp(k, "grant") == 0 ? D_GRANT :
		    strcmp(k, "advance_paid") == 0 ? D_ADVANCE : D_PAID;
		if (s < 0)
			continue;
		ps[s].dn[i] = sqlite3_column_int64(st, 2);
		ps[s].dc[i] = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(l, cause,
	    "lecture des totaux des décisions"));
}

int
segur_ledger_figures(struct segur_ledger *l,
    const struct segur_figures_filter *f, struct segur_figures *out,
    char **cause)
{
	struct per_state ps[SEGUR_STATE_COUNT];
	unsigned	 b;
	int		 rc, s;

	memset(out, 0, sizeof(*out));
	memset(ps, 0, sizeof(ps));
	if ((rc = read_states(l, f, ps, cause)) != 0 ||
	    (rc = read_decisions(l, f, ps, cause)) != 0)
		return (rc);
	for (s = 0; s < SEGUR_STATE_COUNT; s++) {
		b = STATE_BIT(s);
		if (b & sent) {
			out->cents[SEGUR_FIGURE_REQUESTED] += ps[s].cents;
			out->count[SEGUR_FIGURE_REQUESTED] += ps[s].n;
		}
		if (b & accepted) {
			out->cents[SEGUR_FIGURE_ACCEPTED] += ps[s].cents;
			out->count[SEGUR_FIGURE_ACCEPTED] += ps[s].n;
		}
		/* A grant withdrawn is no money. */
		if (s != SEGUR_STATE_WITHDRAWN) {
			out->cents[SEGUR_FIGURE_GRANTED] += ps[s].dc[D_GRANT];
			out->count[SEGUR_FIGURE_GRANTED] += ps[s].dn[D_GRANT];
		}
		out->cents[SEGUR_FIGURE_ADVANCE_PAID] += ps[s].dc[D_ADVANCE];
		out->count[SEGUR_FIGURE_ADVANCE_PAID] += ps[s].dn[D_ADVANCE];
		out->cents[SEGUR_FIGURE_BALANCE_PAID] += ps[s].dc[D_PAID];
		out->count[SEGUR_FIGURE_BALANCE_PAID] += ps[s].dn[D_PAID];
		/* The balance is the grant minus the advance (the rules of
		 * segur_ledger_record() hold it so). */
		if (b & balance_requested) {
			out->cents[SEGUR_FIGURE_BALANCE_REQUESTED] +=
			    ps[s].dc[D_GRANT] - ps[s].dc[D_ADVANCE];
			out->count[SEGUR_FIGURE_BALANCE_REQUESTED] += ps[s].n;
		}
		if (b & awaited) {
			out->cents[SEGUR_FIGURE_BALANCE_AWAITED] +=
			    ps[s].dc[D_GRANT] - ps[s].dc[D_ADVANCE];
			out->count[SEGUR_FIGURE_BALANCE_AWAITED] += ps[s].n;
		}
	}
	return (0);
}
