/*
 * ledger-state.c: the life of a request, in one place.
 *
 * Every change of a request's state goes through segur__request_transition(),
 * which refuses anything not in transitions[] below and logs a
 * "request.state" event in the same transaction.
 *
 *   request_add()
 *        |
 *        v        request_promote()         attempt_new() (build)
 *   +---------+  (validates clean)  +-------+ numeroEditeur  +-----------+
 *   |  draft  |-------------------->| ready |--------------->| submitted |
 *   +---------+                     +-------+<---------------+-----------+
 *                                       ^    file_cancel()        |  |
 *                                       |    (never uploaded)     |  |
 *                                       |                         |  |
 *                                       |        attempt_answer() |  |
 *                                       |        (ingest), or     |  |
 *                                       |        file_refuse()    |  |
 *                    request_promote()  |   +----------+          |  |
 *                    (resubmission,     +---| rejected |<---------+  |
 *                     validates clean)      +----------+             |
 *                                                          +----------+
 *                                                          | accepted |
 *                                                          +----------+
 *                              record(REFUSAL)  +---------+  |    |
 *                                          +----| refused |<-+    | record(GRANT)
 *                                          |    +---------+       v
 *                                          |              +---------+
 *                                          |              | granted |
 *                                          |              +---------+
 *                                          |                   | record(ADVANCE_PAID)
 *                                          |                   v
 *                                          |            +--------------+
 *                                          |            | advance_paid |
 *                                          |            +--------------+
 *                                          |                   | record(BALANCE_REQUESTED)
 *                                          |                   v
 *                                          |          +-------------------+
 *                                          |          | balance_requested |<--+
 *                                          |          +-------------------+   |
 *                                          |      record(BALANCE_ACCEPTED) |  | record(BALANCE_REJECTED)
 *                                          |                   v           v  |
 *                                          |  +------------------+ +------------------+
 *                                          |  | balance_accepted | | balance_rejected |
 *                                          |  +------------------+ +------------------+
 *                                          |          | record(BALANCE_PAID)    record(BALANCE_REQUESTED)
 *                                          |          v
 *                                          |  +--------------+ record(CLOSE) +--------+
 *                                          |  | balance_paid |-------------->| closed |
 *                                          |  +--------------+               +--------+
 *
 *   request_withdraw() (ops, with a reason): draft, ready, rejected,
 *   accepted, granted -> withdrawn.
 *   request_edit() (new content): ready -> draft, to be validated again;
 *   a draft or a rejected request keeps its state.
 *
 *   Files closed without an answer (lib/ledger/ledger-file.c; one
 *   transaction per file, which gets its row in file_closure): only a
 *   built file none of whose lines is answered.
 *     file_refuse() (the portal refused it whole, control 1): submitted
 *     -> rejected, the attempt closed rejected with the reason as its
 *     label (resubmit gives new numbers); balance_requested ->
 *     balance_rejected through record(BALANCE_REJECTED), the line
 *     rejected (ready for a new balance request).
 *     file_cancel() (never uploaded): submitted -> ready, the attempt
 *     cancelled and its numeroEditeur burnt; balance_requested -> the
 *     state solde build found (advance_paid or balance_rejected, read in
 *     the log), the line cancelled.
 *
 *   Balances (lib/ledger/solde.c, lib/files/solde-build.c): a delivery recorded on an
 *   advance_paid request (or on a balance_rejected one, to correct it)
 *   makes it ready for its balance; that is a fact (table delivery), not a
 *   state. solde build records BALANCE_REQUESTED, ingest of ASP's answer
 *   BALANCE_ACCEPTED or _REJECTED, and segur_solde_paid() BALANCE_PAID then
 *   CLOSE in one transaction: no request rests in balance_paid.
 *
 * What holds in each state (CHECKs of sql/migrations/001-schema.sql hold
 * the starred facts):
 *   draft              content is a JSON object, maybe not valid yet; no
 *                      attempt; amount and regime may be unknown.
 *   ready              content validated clean with the ledger's
 *                      reference data*; amount and regime known*; the
 *                      attempts, if any, are all rejected or cancelled.
 *   submitted          exactly one pending attempt*, holding a fresh
 *                      numeroEditeur.
 *   accepted           the last attempt is accepted; numeroASP known* and
 *                      unique*.
 *   rejected           the last attempt is rejected, ASP's code and label
 *                      kept (or, its file refused whole, no code and the
 *                      reason as label); nothing pending.
 *   granted, refused   a decision row of that kind exists.
 *   advance_paid ...   a decision row per step, with its date and, for
 *                      payments, its amount*.
 *   closed, refused,   final: no transition leaves them.
 *   withdrawn          final; the reason is kept* (and only there*).
 * In every state the request row stays: requests are never deleted*, and
 * no numeroEditeur is ever released*.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

static const char *const state_names[SEGUR_STATE_COUNT] = {
	"draft", "ready", "submitted", "accepted", "rejected", "granted",
	"refused", "advance_paid", "balance_requested", "balance_accepted",
	"balance_rejected", "balance_paid", "closed", "withdrawn"
};

/* The transition table: the only changes of state there are. */
static const struct transition {
	enum segur_state	 from;
	enum segur_state	 to;
	const char		*by;	/* the function that performs it */
} transitions[] = {
	{ SEGUR_STATE_DRAFT, SEGUR_STATE_READY, "segur_ledger_request_promote" },
	{ SEGUR_STATE_READY, SEGUR_STATE_DRAFT, "segur_ledger_request_edit" },
	{ SEGUR_STATE_READY, SEGUR_STATE_SUBMITTED, "segur_ledger_attempt_new" },
	{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_ACCEPTED,
	    "segur_ledger_attempt_answer" },
	{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_REJECTED,
	    "segur_ledger_attempt_answer" },
	{ SEGUR_STATE_REJECTED, SEGUR_STATE_READY,
	    "segur_ledger_request_promote" },
	{ SEGUR_STATE_ACCEPTED, SEGUR_STATE_GRANTED, "segur_ledger_record" },
	{ SEGUR_STATE_ACCEPTED, SEGUR_STATE_REFUSED, "segur_ledger_record" },
	{ SEGUR_STATE_GRANTED, SEGUR_STATE_ADVANCE_PAID,
	    "segur_ledger_record" },
	{ SEGUR_STATE_ADVANCE_PAID, SEGUR_STATE_BALANCE_REQUESTED,
	    "segur_ledger_record" },
	{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_ACCEPTED,
	    "segur_ledger_record" },
	{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_REJECTED,
	    "segur_ledger_record" },
	{ SEGUR_STATE_BALANCE_REJECTED, SEGUR_STATE_BALANCE_REQUESTED,
	    "segur_ledger_record" },
	{ SEGUR_STATE_BALANCE_ACCEPTED, SEGUR_STATE_BALANCE_PAID,
	    "segur_ledger_record" },
	{ SEGUR_STATE_BALANCE_PAID, SEGUR_STATE_CLOSED, "segur_ledger_record" },
	{ SEGUR_STATE_DRAFT, SEGUR_STATE_WITHDRAWN,
	    "segur_ledger_request_withdraw" },
	{ SEGUR_STATE_READY, SEGUR_STATE_WITHDRAWN,
	    "segur_ledger_request_withdraw" },
	{ SEGUR_STATE_REJECTED, SEGUR_STATE_WITHDRAWN,
	    "segur_ledger_request_withdraw" },
	{ SEGUR_STATE_ACCEPTED, SEGUR_STATE_WITHDRAWN,
	    "segur_ledger_request_withdraw" },
	{ SEGUR_STATE_GRANTED, SEGUR_STATE_WITHDRAWN,
	    "segur_ledger_request_withdraw" },
	/*
	 * A file closed without an answer (lib/ledger/ledger-file.c): refused
	 * whole by the portal (control 1), or cancelled, never uploaded.
	 * A refused balance file goes through segur_ledger_record
	 * (BALANCE_REJECTED), like ASP's answer.
	 */
	{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_REJECTED,
	    "segur_ledger_file_refuse" },
	{ SEGUR_STATE_SUBMITTED, SEGUR_STATE_READY,
	    "segur_ledger_file_cancel" },
	{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_ADVANCE_PAID,
	    "segur_ledger_file_cancel" },
	{ SEGUR_STATE_BALANCE_REQUESTED, SEGUR_STATE_BALANCE_REJECTED,
	    "segur_ledger_file_cancel" },
};

/* What each record kind moves the request to. */
static const enum segur_state record_target[] = {
	[SEGUR_RECORD_GRANT] = SEGUR_STATE_GRANTED,
	[SEGUR_RECORD_REFUSAL] = SEGUR_STATE_REFUSED,
	[SEGUR_RECORD_ADVANCE_PAID] = SEGUR_STATE_ADVANCE_PAID,
	[SEGUR_RECORD_BALANCE_REQUESTED] = SEGUR_STATE_BALANCE_REQUESTED,
	[SEGUR_RECORD_BALANCE_ACCEPTED] = SEGUR_STATE_BALANCE_ACCEPTED,
	[SEGUR_RECORD_BALANCE_REJECTED] = SEGUR_STATE_BALANCE_REJECTED,
	[SEGUR_RECORD_BALANCE_PAID] = SEGUR_STATE_BALANCE_PAID,
	[SEGUR_RECORD_CLOSE] = SEGUR_STATE_CLOSED,
};

static const char *const record_names[] = {
	"grant", "refusal", "advance_paid", "balance_requested",
	"balance_accepted", "balance_rejected", "balance_paid", "close"
};

const char *
segur_record_name(int k)
{
	if (k < 0 ||
	    (size_t)k >= sizeof(record_names) / sizeof(record_names[0]))
		return (NULL);
	return (record_names[k]);
}

/* The same in the French of messages. */
static const char *const record_fr[] = {
	"un accord", "un refus", "le versement de l'avance",
	"une demande de solde", "l'acceptation du solde", "le rejet du solde",
	"le versement du solde", "la clôture"
};

const char *
segur_state_name(enum segur_state s)
{
	if ((int)s < 0 || s >= SEGUR_STATE_COUNT)
		return (NULL);
	return (state_names[s]);
}

/* The states in French, for people: report, exports, console, texts. */
static const char *const state_labels[SEGUR_STATE_COUNT] = {
	[SEGUR_STATE_DRAFT] = "brouillon",
	[SEGUR_STATE_READY] = "prête à envoyer",
	[SEGUR_STATE_SUBMITTED] = "envoyée, sans réponse",
	[SEGUR_STATE_ACCEPTED] = "acceptée par l'ASP",
	[SEGUR_STATE_REJECTED] = "rejetée par l'ASP",
	[SEGUR_STATE_GRANTED] = "accordée",
	[SEGUR_STATE_REFUSED] = "refusée",
	[SEGUR_STATE_ADVANCE_PAID] = "avance versée",
	[SEGUR_STATE_BALANCE_REQUESTED] = "solde demandé",
	[SEGUR_STATE_BALANCE_ACCEPTED] = "solde accepté",
	[SEGUR_STATE_BALANCE_REJECTED] = "solde rejeté",
	[SEGUR_STATE_BALANCE_PAID] = "solde versé",
	[SEGUR_STATE_CLOSED] = "close",
	[SEGUR_STATE_WITHDRAWN] = "retirée"
};

const char *
segur_state_label(enum segur_state s)
{
	if ((int)s < 0 || s >= SEGUR_STATE_COUNT)
		return (NULL);
	return (state_labels[s]);
}

int
segur_state_parse(const char *name)
{
	char	 buf[32];
	size_t	 i;
	int	 s;

	if (name == NULL || strlen(name) >= sizeof(buf))
		return (-1);
	for (i = 0; name[i] != '\0'; i++)
		buf[i] = (char)(name[i] == '-' ? '_' : name[i]);
	buf[i] = '\0';
	for (s = 0; s < SEGUR_STATE_COUNT; s++)
		if (strcmp(buf, state_names[s]) == 0)
			return (s);
	return (-1);
}

int
segur_state_allowed(enum segur_state from, enum segur_state to)
{
	size_t	 i;

	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].from == from && transitions[i].to == to)
			return (1);
	return (0);
}

int
segur__state_allowed_by(enum segur_state from, enum segur_state to,
    const char *by)
{
	size_t	 i;

	if (by == NULL)
		return (segur_state_allowed(from, to));
	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].from == from && transitions[i].to == to &&
		    strcmp(transitions[i].by, by) == 0)
			return (1);
	return (0);
}

int
segur_state_final(enum segur_state s)
{
	size_t	 i;

	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].from == s)
			return (0);
	return (1);
}

int
segur__request_find(struct segur_ledger *l, const char *ref, int64_t *id,
    enum segur_state *state, char **cause)
{
	static const char *const q =
	    "SELECT id, state FROM request WHERE ref = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*state = (enum segur_state)segur_state_parse(
		    (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		return (0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "recherche de la demande"));
	return (segur_cause(cause, SEGUR_ENOENT, "demande « %s » inconnue",
	    ref));
}

/*
 * The transition with a reason (withdraw) or not, and with ASP's number
 * when the request is accepted: one UPDATE of the row, so that its indexes
 * and the state totals move once.
 */
static int
transition(struct segur_ledger *l, int64_t id, const char *ref,
    enum segur_state from, enum segur_state to, const char *reason,
    const char *numero_asp, const char *detail_json, char **cause)
{
	/*
	 * OR ROLLBACK: a constraint this UPDATE breaks (a bug: the table
	 * above and the callers' checks come first) undoes the whole
	 * transaction, so SQLite keeps no statement journal for it; with the
	 * state-totals trigger, that journal copied every page the UPDATE
	 * touched and cost more than the rest of it. segur__stmt() refuses to
	 * go on in a transaction SQLite has rolled back.
	 */
	static const char *const q =
	    "UPDATE OR ROLLBACK request SET state = ?1, updated_at = ?2, "
	    "withdraw_reason = ?3 WHERE id = ?4 AND state = ?5";
	static const char *const q_asp =
	    "UPDATE OR ROLLBACK request SET state = ?1, updated_at = ?2, "
	    "withdraw_reason = ?3, numero_asp = ?6 WHERE id = ?4 AND "
	    "state = ?5";
	struct segur_buf before = SEGUR_BUF_INIT, after = SEGUR_BUF_INIT;
	sqlite3_stmt	*st;
	char		 now[24];
	int		 rc;

	if (!segur_state_allowed(from, to))
		return (segur_cause(cause, SEGUR_ESTATE, "la demande « %s » "
		    "est à l'état %s : passage à l'état %s impossible", ref,
		    segur_state_name(from), segur_state_name(to)));
	if ((rc = segur__stmt(l, numero_asp != NULL ? q_asp : q, &st,
	    cause)) != 0)
		return (rc);
	segur__ledger_now_l(l, now);
	segur__bind_text(st, 1, segur_state_name(to));
	segur__bind_text(st, 2, now);
	segur__bind_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, id);
	segur__bind_text(st, 5, segur_state_name(from));
	if (numero_asp != NULL)
		segur__bind_text(st, 6, numero_asp);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "changement d'état de la demande"));
	if (sqlite3_changes(l->db) != 1)
		return (segur_cause(cause, SEGUR_ESTATE, "la demande « %s » "
		    "n'est plus à l'état %s", ref, segur_state_name(from)));
	/* Pieces rather than a format: this runs once per line ingested. */
	if (segur_buf_reserve(&after, 48 + (detail_json != NULL ?
	    strlen(detail_json) : 0)) != 0 ||
	    segur_buf_adds(&before, "{\"state\":\"") != 0 ||
	    segur_buf_adds(&before, segur_state_name(from)) != 0 ||
	    segur_buf_adds(&before, "\"}") != 0 ||
	    segur_buf_adds(&after, "{\"state\":\"") != 0 ||
	    segur_buf_adds(&after, segur_state_name(to)) != 0 ||
	    segur_buf_adds(&after, "\"") != 0 ||
	    (detail_json != NULL && (segur_buf_adds(&after,
	    ",\"detail\":") != 0 || segur_buf_adds(&after,
	    detail_json) != 0)) ||
	    segur_buf_adds(&after, "}") != 0)
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
	else
		rc = segur__event_append(l, "request.state", "request", ref,
		    id, before.data, after.data, cause);
	segur_buf_release(&before);
	segur_buf_release(&after);
	return (rc);
}

int
segur__request_transition(struct segur_ledger *l, int64_t id, const char *ref,
    enum segur_state from, enum segur_state to, const char *detail_json,
    char **cause)
{
	if (to == SEGUR_STATE_WITHDRAWN)
		return (segur_cause(cause, SEGUR_EINVAL,
		    "withdraw through segur_ledger_request_withdraw()"));
	return (transition(l, id, ref, from, to, NULL, NULL, detail_json,
	    cause));
}

/*
 * Replaces a draft's content with "{}" (the column is NOT NULL and JSON)
 * and notes in d the SHA-256 and size of what was dropped.
 */
static int
withdraw_drop_content(struct segur_ledger *l, int64_t id, cJSON *d,
    char **cause)
{
	static const char *const q_get =
	    "SELECT content FROM request WHERE id = ?";
	static const char *const q_set =
	    "UPDATE request SET content = '{}' WHERE id = ?";
	sqlite3_stmt	*st;
	const unsigned char *text;
	cJSON		*c;
	char		 hex[65];
	int		 n, rc;

	if ((rc = segur__stmt(l, q_get, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause, "lecture du contenu"));
	}
	text = sqlite3_column_text(st, 0);
	n = sqlite3_column_bytes(st, 0);
	segur_sha256_hex(text, (size_t)n, hex);
	sqlite3_reset(st);
	if ((c = cJSON_AddObjectToObject(d, "content_dropped")) == NULL ||
	    cJSON_AddStringToObject(c, "sha256", hex) == NULL ||
	    cJSON_AddNumberToObject(c, "bytes", n) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur__stmt(l, q_set, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : segur__db_error(l, cause,
	    "suppression du contenu"));
}

int
segur_ledger_request_withdraw(struct segur_ledger *l, const char *ref,
    const char *reason, char **cause)
{
	enum segur_state state = SEGUR_STATE_DRAFT;
	cJSON		*d = NULL;
	char		*json = NULL;
	int64_t		 id = 0;
	int		 rc;

	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "un retrait demande "
		    "un motif"));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__request_find(l, ref, &id, &state, cause)) != 0)
		goto fail;
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "reason", reason) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	/*
	 * A draft was never sent: its content (perhaps a mistaken import of
	 * megabytes) goes, its hash stays in the event. Sent content stays:
	 * ASP knows it.
	 */
	if (state == SEGUR_STATE_DRAFT && (rc = withdraw_drop_content(l, id,
	    d, cause)) != 0)
		goto fail;
	if ((json = cJSON_PrintUnformatted(d)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = transition(l, id, ref, state, SEGUR_STATE_WITHDRAWN, reason,
	    NULL, json, cause)) != 0)
		goto fail;
	cJSON_Delete(d);
	free(json);
	return (segur_ledger_commit(l, cause));
fail:
	cJSON_Delete(d);
	free(json);
	segur_ledger_rollback(l);
	return (rc);
}

/* Parses "AAAA-MM-JJ" or "JJ/MM/AAAA", 1900 or later, into iso
 * "AAAA-MM-JJ"; 0 or -1. */
static int
parse_date(const char *s, char iso[11])
{
	struct segur_date d;

	if (s == NULL || segur_date_parse(s, strlen(s), SEGUR_DATE_ISO |
	    SEGUR_DATE_FR, &d) != 0 || d.year < 1900)
		return (-1);
	segur_date_format_iso(&d, iso);
	return (0);
}

/* ------------------------------------------------------------------ */
/* Money and dates (docs/decisions.md, "Money and dates"). */

/* "date de l'accord", "avant l'accord": the steps' names in refusals. */
static const char *const record_of[] = {
	"de l'accord", "du refus", "du versement de l'avance",
	"de la demande de solde", "de l'acceptation du solde",
	"du rejet du solde", "du versement du solde", "de la clôture"
};
static const char *const record_step[] = {
	"à l'accord", "au refus", "au versement de l'avance",
	"à la demande de solde", "à l'acceptation du solde",
	"au rejet du solde", "au versement du solde", "à la clôture"
};

/*
 * The steps each record follows, in the order of docs/decisions.md
 * (accepted file <= grant <= advance paid <= delivery <= balance
 * requested <= balance accepted <= balance paid), as the list of decision
 * kinds bound into money_prev_step()'s query. A rejected balance is not
 * in the chain: a new request follows the corrected delivery.
 */
static const char *const record_after[] = {
	[SEGUR_RECORD_GRANT] = "",
	[SEGUR_RECORD_REFUSAL] = "",
	[SEGUR_RECORD_ADVANCE_PAID] = ",grant,",
	[SEGUR_RECORD_BALANCE_REQUESTED] = ",grant,advance_paid,",
	[SEGUR_RECORD_BALANCE_ACCEPTED] = ",grant,advance_paid,"
	    "balance_requested,",
	[SEGUR_RECORD_BALANCE_REJECTED] = ",grant,advance_paid,"
	    "balance_requested,",
	[SEGUR_RECORD_BALANCE_PAID] = ",grant,advance_paid,balance_requested,"
	    "balance_accepted,",
	[SEGUR_RECORD_CLOSE] = ",grant,advance_paid,balance_requested,"
	    "balance_accepted,balance_paid,",
};

int64_t
segur_advance_expected(int64_t granted_cents)
{
	/* 30 % of whole cents, half up: (g * 30 + 50) / 100 for g >= 0. */
	return ((granted_cents * 30 + 50) / 100);
}

/* What the rules need to know of a request: its amount and regime, and
 * the money recorded so far. */
struct money {
	int64_t		 requested;	/* montant_cents, -1: unknown */
	char		 regime[4];	/* "HT", "TTC" or "" */
	int64_t		 granted;	/* the grant's amount, -1: no grant */
	int64_t		 advance;	/* advances paid */
	int64_t		 balance;	/* balances paid */
};

static int
money_read(struct segur_ledger *l, int64_t id, struct money *m, char **cause)
{
	/* A grant recorded before its amount was required (NULL) is the
	 * amount requested, as the follow-up has always read it. */
	static const char *const q =
	    "SELECT coalesce(r.montant_cents, -1), coalesce(r.regime_tva, ''), "
	    "(SELECT coalesce(d.amount_cents, r.montant_cents, -1) FROM "
	    " decision d WHERE d.request_id = r.id AND d.kind = 'grant' "
	    " ORDER BY d.id DESC LIMIT 1), "
	    "(SELECT coalesce(sum(amount_cents), 0) FROM decision WHERE "
	    " request_id = r.id AND kind = 'advance_paid'), "
	    "(SELECT coalesce(sum(amount_cents), 0) FROM decision WHERE "
	    " request_id = r.id AND kind = 'balance_paid') "
	    "FROM request r WHERE r.id = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m->requested = sqlite3_column_int64(st, 0);
		snprintf(m->regime, sizeof(m->regime), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		m->granted = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 2);
		m->advance = sqlite3_column_int64(st, 3);
		m->balance = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_ROW ? 0 : segur__db_error(l, cause,
	    "lecture des montants de la demande"));
}

/*
 * The date of the step a record of kind k follows, into prev ("" when
 * none), with its French name: the latest decision, the current delivery
 * for a balance request, and for the first decision the day of the file
 * ASP accepted (its name's AAAAMMJJ).
 */
static int
money_prev_step(struct segur_ledger *l, int64_t id, enum segur_record_kind k,
    char prev[11], char what[96], char **cause)
{
	static const char *const q_dec =
	    "SELECT kind, date FROM decision WHERE request_id = ?1 AND "
	    "instr(?2, ',' || kind || ',') > 0 ORDER BY date DESC, id DESC "
	    "LIMIT 1";
	static const char *const q_del =
	    "SELECT date FROM delivery WHERE request_id = ? AND current = 1";
	static const char *const q_file =
	    "SELECT f.day, f.name FROM attempt a JOIN file f ON "
	    "f.id = a.file_id WHERE a.request_id = ? AND "
	    "a.outcome = 'accepted' ORDER BY a.seq DESC LIMIT 1";
	sqlite3_stmt	*st;
	const char	*t;
	int		 rc, i;

	prev[0] = what[0] = '\0';
	if ((rc = segur__stmt(l, q_dec, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	segur__bind_text(st, 2, record_after[k]);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; i <= SEGUR_RECORD_CLOSE; i++)
			if (strcmp(t, record_names[i]) == 0)
				snprintf(what, 96, "%s", record_step[i]);
		snprintf(prev, 11, "%s",
		    (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture des décisions"));
	if (k == SEGUR_RECORD_BALANCE_REQUESTED) {
		if ((rc = segur__stmt(l, q_del, &st, cause)) != 0)
			return (rc);
		sqlite3_bind_int64(st, 1, id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		    (t = (const char *)sqlite3_column_text(st, 0)) != NULL &&
		    strcmp(t, prev) > 0) {
			snprintf(prev, 11, "%s", t);
			snprintf(what, 96, "à la livraison");
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return (segur__db_error(l, cause,
			    "lecture de la livraison"));
	}
	if (prev[0] != '\0')
		return (0);
	if ((rc = segur__stmt(l, q_file, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    strlen(t) == 8) {
		snprintf(prev, 11, "%.4s-%.2s-%.2s", t, t + 4, t + 6);
		snprintf(what, 96, "au fichier accepté %s",
		    (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "lecture du fichier accepté"));
	return (0);
}

/* A day "AAAA-MM-JJ" as "JJ/MM/AAAA" in b, or iso itself. */
static const char *
day_fr(const char *iso, char b[SEGUR_DATE_FR_BUFSZ])
{
	return (segur_date_fr(iso, b) != NULL ? b : iso);
}

/*
 * The rules a record must pass, before anything is written: the date, and
 * the amount, which it may fill (a grant without one) into *amount;
 * *expected receives the amount the rules expected (-1: none) so that a
 * forced record keeps it.
 */
static int
money_rules(struct segur_ledger *l, enum segur_record_kind k, int64_t id,
    const char *iso, const struct segur_record *rec, int64_t *amount,
    int64_t *expected, char **cause)
{
	struct money	 m;
	char		 prev[11], what[96], today[11];
	char		 f1[SEGUR_DATE_FR_BUFSZ], f2[SEGUR_DATE_FR_BUFSZ];
	char		 a[SEGUR_AMOUNT_BUFSZ], b[SEGUR_AMOUNT_BUFSZ];
	char		 c[SEGUR_AMOUNT_BUFSZ], d[SEGUR_AMOUNT_BUFSZ];
	int64_t		 exp;
	int		 rc;

	*expected = -1;
	if (segur_date_future(iso) == 1) {
		segur_date_today_iso(today);
		return (segur_cause(cause, SEGUR_EINVAL, "date %s %s dans le "
		    "futur : au plus tard aujourd'hui, %s, attendu",
		    record_of[k], day_fr(iso, f1), day_fr(today, f2)));
	}
	if ((rc = money_prev_step(l, id, k, prev, what, cause)) != 0)
		return (rc);
	if (prev[0] != '\0' && strcmp(iso, prev) < 0)
		return (segur_cause(cause, SEGUR_EINVAL, "date %s %s antérieure "
		    "%s du %s : le %s ou plus tard attendu", record_of[k],
		    day_fr(iso, f1), what, day_fr(prev, f2), f2));
	if (rec->force && (rec->reason == NULL ||
	    rec->reason[strspn(rec->reason, " \t\r\n")] == '\0'))
		return (segur_cause(cause, SEGUR_EINVAL, "--force demande un "
		    "motif (--reason TEXTE), gardé dans le journal"));
	if ((rc = money_read(l, id, &m, cause)) != 0)
		return (rc);
	switch (k) {
	case SEGUR_RECORD_GRANT:
		if (*amount < 0)
			*amount = m.requested;
		if (*amount <= 0)
			return (segur_cause(cause, SEGUR_EINVAL, "montant "
			    "accordé : un montant > 0 attendu"));
		if (m.requested >= 0 && *amount > m.requested)
			return (segur_cause(cause, SEGUR_EINVAL, "montant "
			    "accordé : au plus %s € %s attendu (montant demandé),"
			    " pas %s €", segur_amount_format_fr(m.requested, a),
			    m.regime, segur_amount_format_fr(*amount, b)));
		return (0);
	case SEGUR_RECORD_ADVANCE_PAID:
		if (m.granted < 0)
			return (0);	/* the state refuses it */
		exp = segur_advance_expected(m.granted);
		if (m.advance + *amount > m.granted)
			return (segur_cause(cause, SEGUR_EINVAL, "avance de "
			    "%s € : plus que les %s € accordés (avance "
			    "attendue : %s €, 30 %% de %s € accordés)",
			    segur_amount_format_fr(*amount, a),
			    segur_amount_format_fr(m.granted, b),
			    segur_amount_format_fr(exp, c),
			    segur_amount_format_fr(m.granted, b)));
		break;
	case SEGUR_RECORD_BALANCE_REQUESTED:
	case SEGUR_RECORD_BALANCE_PAID:
		if (m.granted < 0 || (k == SEGUR_RECORD_BALANCE_REQUESTED &&
		    *amount < 0))
			return (0);
		exp = m.granted - m.advance - (k == SEGUR_RECORD_BALANCE_PAID ?
		    m.balance : 0);
		if (k == SEGUR_RECORD_BALANCE_PAID && m.advance + m.balance +
		    *amount > m.granted)
			return (segur_cause(cause, SEGUR_EINVAL, "solde de %s € "
			    ": le total versé dépasserait les %s € accordés "
			    "(solde attendu : %s € = %s € accordés − %s € "
			    "d'avance)", segur_amount_format_fr(*amount, a),
			    segur_amount_format_fr(m.granted, b),
			    segur_amount_format_fr(exp, c),
			    segur_amount_format_fr(m.granted, b),
			    segur_amount_format_fr(m.advance, d)));
		break;
	default:
		return (0);
	}
	*expected = exp;
	if (*amount == exp || rec->force)
		return (0);
	if (k == SEGUR_RECORD_ADVANCE_PAID)
		return (segur_cause(cause, SEGUR_EINVAL, "avance attendue : "
		    "%s € (30 %% de %s € accordés), pas %s € ; un autre "
		    "montant s'enregistre avec --force --reason TEXTE",
		    segur_amount_format_fr(exp, a),
		    segur_amount_format_fr(m.granted, b),
		    segur_amount_format_fr(*amount, c)));
	return (segur_cause(cause, SEGUR_EINVAL, "solde attendu : %s € (%s € "
	    "accordés − %s € d'avance), pas %s € ; un autre montant "
	    "s'enregistre avec --force --reason TEXTE",
	    segur_amount_format_fr(exp, a),
	    segur_amount_format_fr(m.granted, b),
	    segur_amount_format_fr(m.advance, c),
	    segur_amount_format_fr(*amount, d)));
}

int
segur_ledger_record(struct segur_ledger *l, enum segur_record_kind k,
    const char *numero_asp, const struct segur_record *rec, char **cause)
{
	static const char *const q_find =
	    "SELECT id, ref, state FROM request WHERE numero_asp = ?";
	static const char *const q_ins =
	    "INSERT INTO decision(request_id, kind, date, amount_cents, "
	    "letter_ref, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	enum segur_state state, to;
	sqlite3_stmt	*st;
	cJSON		*d = NULL, *fo;
	char		 iso[11], now[24], *json = NULL, *ref = NULL;
	char		*note = NULL;
	int64_t		 id, amount = rec->amount_cents, expected = -1;
	int		 rc, oom = 0, forced;

	if ((int)k < 0 || k > SEGUR_RECORD_CLOSE)
		return (segur_cause(cause, SEGUR_EINVAL, "nature d'enregistrement inconnue"));
	to = record_target[k];
	if (parse_date(rec->date, iso) != 0)
		return (segur_cause(cause, SEGUR_EINVAL, "date « %s » "
		    "invalide : AAAA-MM-JJ ou JJ/MM/AAAA attendu",
		    rec->date ? rec->date : ""));
	if ((k == SEGUR_RECORD_ADVANCE_PAID || k == SEGUR_RECORD_BALANCE_PAID)
	    && rec->amount_cents <= 0)
		return (segur_cause(cause, SEGUR_EINVAL, "un paiement demande "
		    "un montant > 0"));
	if (rec->amount_cents < -1 || rec->amount_cents >
	    SEGUR_AMOUNT_MAX_CENTS)
		return (segur_cause(cause, SEGUR_EINVAL, "montant invalide"));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q_find, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, numero_asp);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? segur_cause(cause, SEGUR_ENOENT,
		    "aucune demande acceptée sous le numéro ASP « %s »",
		    numero_asp) : segur__db_error(l, cause,
		    "recherche du numéro ASP");
		goto fail;
	}
	id = sqlite3_column_int64(st, 0);
	ref = segur__column_dup(st, 1, &oom);
	state = (enum segur_state)segur_state_parse(
	    (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (oom) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	/* Only its own edges: cancelling a balance file also leads from
	 * balance_requested to advance_paid, a payment does not. */
	if (!segur__state_allowed_by(state, to, "segur_ledger_record")) {
		rc = segur_cause(cause, SEGUR_ESTATE, "la demande « %s » "
		    "(numéro ASP %s) est à l'état « %s » : impossible d'y "
		    "enregistrer %s", ref, numero_asp,
		    segur_state_label(state), record_fr[k]);
		goto fail;
	}
	if ((rc = money_rules(l, k, id, iso, rec, &amount, &expected,
	    cause)) != 0)
		goto fail;
	/*
	 * A forced amount says so in the decision's note too, where the
	 * report finds it ("forcé : " first, then the note given).
	 */
	forced = expected >= 0 && amount != expected;
	if (forced && (note = segur_asprintf("forcé : %s%s%s", rec->reason,
	    rec->note != NULL ? " ; " : "", rec->note != NULL ? rec->note :
	    "")) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, q_ins, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	segur__bind_text(st, 2, record_names[k]);
	segur__bind_text(st, 3, iso);
	if (amount >= 0)
		sqlite3_bind_int64(st, 4, amount);
	else
		sqlite3_bind_null(st, 4);
	segur__bind_text(st, 5, rec->letter_ref);
	segur__bind_text(st, 6, forced ? note : rec->note);
	segur__bind_text(st, 7, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement de la décision");
		goto fail;
	}
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "kind", record_names[k]) == NULL ||
	    cJSON_AddStringToObject(d, "numeroASP", numero_asp) == NULL ||
	    cJSON_AddStringToObject(d, "date", iso) == NULL ||
	    (amount >= 0 && cJSON_AddNumberToObject(d,
	    "amount_cents", (double)amount) == NULL) ||
	    (rec->letter_ref != NULL && cJSON_AddStringToObject(d,
	    "letter_ref", rec->letter_ref) == NULL) ||
	    (rec->note != NULL && cJSON_AddStringToObject(d, "note",
	    rec->note) == NULL) ||
	    (forced && ((fo = cJSON_AddObjectToObject(d, "forced")) == NULL ||
	    cJSON_AddStringToObject(fo, "reason", rec->reason) == NULL ||
	    cJSON_AddNumberToObject(fo, "expected_cents",
	    (double)expected) == NULL)) ||
	    (json = cJSON_PrintUnformatted(d)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "decision.record", "decision",
	    numero_asp, id, NULL, json, cause)) != 0)
		goto fail;
	if ((rc = segur__request_transition(l, id, ref, state, to, json,
	    cause)) != 0)
		goto fail;
	cJSON_Delete(d);
	free(json);
	free(ref);
	free(note);
	return (segur_ledger_commit(l, cause));
fail:
	cJSON_Delete(d);
	free(json);
	free(ref);
	free(note);
	segur_ledger_rollback(l);
	return (rc);
}

int
segur_ledger_attempt_new(struct segur_ledger *l, const char *ref,
    char numero_editeur[6], int64_t *attempt_id, char **cause)
{
	static const char *const q_seq =
	    "SELECT coalesce(max(seq), 0) + 1 FROM attempt WHERE request_id = ?";
	static const char *const q_ins =
	    "INSERT INTO attempt(request_id, seq, numero_editeur, created_at) "
	    "VALUES (?, ?, ?, ?)";
	static const char *const q_cur =
	    "UPDATE request SET numero_editeur = ?1 WHERE id = ?2";
	enum segur_state state = SEGUR_STATE_DRAFT;
	sqlite3_stmt	*st;
	char		 now[24], detail[96];
	int64_t		 id = 0, seq;
	int		 rc;

	numero_editeur[0] = '\0';
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__request_find(l, ref, &id, &state, cause)) != 0)
		goto fail;
	if (!segur_state_allowed(state, SEGUR_STATE_SUBMITTED)) {
		rc = segur_cause(cause, SEGUR_ESTATE, "la demande « %s » est "
		    "à l'état %s : elle ne peut pas être soumise", ref,
		    segur_state_name(state));
		goto fail;
	}
	if ((rc = segur__stmt(l, q_seq, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = segur__db_error(l, cause, "lecture des tentatives");
		goto fail;
	}
	seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = segur_ledger_alloc_numero_editeur(l, numero_editeur,
	    cause)) != 0)
		goto fail;
	if ((rc = segur__stmt(l, q_ins, &st, cause)) != 0)
		goto fail;
	segur__ledger_now(now);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, seq);
	segur__bind_text(st, 3, numero_editeur);
	segur__bind_text(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause,
		    "enregistrement de la tentative");
		goto fail;
	}
	if (attempt_id != NULL)
		*attempt_id = sqlite3_last_insert_rowid(l->db);
	if ((rc = segur__stmt(l, q_cur, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, numero_editeur);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause,
		    "enregistrement de la tentative");
		goto fail;
	}
	snprintf(detail, sizeof(detail), "{\"attempt\":%" PRId64 ","
	    "\"numeroEditeur\":\"%s\"}", seq, numero_editeur);
	if ((rc = segur__request_transition(l, id, ref, state,
	    SEGUR_STATE_SUBMITTED, detail, cause)) != 0)
		goto fail;
	return (segur_ledger_commit(l, cause));
fail:
	numero_editeur[0] = '\0';
	segur_ledger_rollback(l);
	return (rc);
}

int
segur_ledger_attempt_place(struct segur_ledger *l, int64_t attempt_id,
    int64_t file_id, int num_ligne, char **cause)
{
	static const char *const q =
	    "UPDATE attempt SET file_id = ?, num_ligne = ? "
	    "WHERE id = ? AND outcome = 'pending' AND file_id IS NULL "
	    "RETURNING request_id, numero_editeur";
	sqlite3_stmt	*st;
	char		 after[96], key[8];
	int64_t		 rid;
	int		 rc;

	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int(st, 2, num_ligne);
	sqlite3_bind_int64(st, 3, attempt_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? segur_cause(cause, SEGUR_ESTATE,
		    "la tentative %" PRId64 " n'attend pas d'être placée",
		    attempt_id) : segur__db_error(l, cause,
		    "placement de la tentative");
		goto fail;
	}
	rid = sqlite3_column_int64(st, 0);
	snprintf(key, sizeof(key), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	sqlite3_step(st);
	sqlite3_reset(st);
	snprintf(after, sizeof(after), "{\"file_id\":%" PRId64 ","
	    "\"numLigne\":%d}", file_id, num_ligne);
	if ((rc = segur__event_append(l, "attempt.place", "attempt", key,
	    rid, NULL, after, cause)) != 0)
		goto fail;
	return (segur_ledger_commit(l, cause));
fail:
	segur_ledger_rollback(l);
	return (rc);
}

/* The answer's detail in the event log: what ASP said, verbatim. */
static char *
answer_json(const struct segur__answer *an)
{
	cJSON	*d;
	char	*json = NULL;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "numeroEditeur",
	    an->numero_editeur) != NULL &&
	    (an->numero_asp != NULL ? cJSON_AddStringToObject(d, "numeroASP",
	    an->numero_asp) : cJSON_AddNullToObject(d, "numeroASP")) != NULL &&
	    (an->code != NULL ? cJSON_AddStringToObject(d, "codeTraitement",
	    an->code) : cJSON_AddNullToObject(d, "codeTraitement")) != NULL &&
	    (an->label != NULL ? cJSON_AddStringToObject(d,
	    "libelleTraitement", an->label) : cJSON_AddNullToObject(d,
	    "libelleTraitement")) != NULL)
		json = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return (json);
}

/* Why the answer's UPDATE changed nothing: numeroASP taken (it comes
 * first), or the attempt no longer waiting. */
static int
answer_refused(struct segur_ledger *l, const struct segur__answer *an,
    char **cause)
{
	static const char *const q_asp =
	    "SELECT 1 FROM attempt WHERE numero_asp = ?1 UNION ALL "
	    "SELECT 1 FROM request WHERE numero_asp = ?1";
	sqlite3_stmt	*st;
	int		 rc;

	if (an->numero_asp != NULL) {
		if ((rc = segur__stmt(l, q_asp, &st, cause)) != 0)
			return (rc);
		segur__bind_text(st, 1, an->numero_asp);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW)
			return (segur_cause(cause, SEGUR_EEXIST, "le numéro "
			    "ASP « %s » est déjà donné à une autre demande",
			    an->numero_asp));
		if (rc != SQLITE_DONE)
			return (segur__db_error(l, cause,
			    "recherche du numéro ASP"));
	}
	return (segur_cause(cause, SEGUR_ESTATE, "le numeroEditeur « %s » "
	    "n'attend plus de réponse", an->numero_editeur));
}

int
segur__attempt_answer(struct segur_ledger *l, const struct segur__answer *an,
    char **cause)
{
	/*
	 * Both refusals in the one statement that records, so that a line
	 * costs one statement here instead of two: no row changes when the
	 * attempt no longer waits or when numeroASP is taken
	 * (answer_refused() then tells which).
	 */
	static const char *const q_upd =
	    "UPDATE OR ROLLBACK attempt SET outcome = ?1, "
	    "code_traitement = ?2, libelle_traitement = ?3, numero_asp = ?4, "
	    "answer_file_id = ?5, answered_at = ?6 WHERE id = ?7 AND outcome = 'pending' AND "
	    "(?4 IS NULL OR (NOT EXISTS (SELECT 1 FROM attempt WHERE "
	    "numero_asp = ?4) AND NOT EXISTS (SELECT 1 FROM request WHERE "
	    "numero_asp = ?4)))";
	enum segur_state to;
	sqlite3_stmt	*st;
	char		 now[24], *json;
	int		 rc;

	/* Every refusal before the first change: see ledger-int.h. */
	to = an->numero_asp != NULL ? SEGUR_STATE_ACCEPTED :
	    SEGUR_STATE_REJECTED;
	if (!segur_state_allowed(an->state, to))
		return (segur_cause(cause, SEGUR_ESTATE, "la demande « %s » "
		    "est à l'état %s : passage à l'état %s impossible",
		    an->ref, segur_state_name(an->state),
		    segur_state_name(to)));
	segur__ledger_now_l(l, now);
	if ((rc = segur__stmt(l, q_upd, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, an->numero_asp != NULL ? "accepted" :
	    "rejected");
	segur__bind_text(st, 2, an->code);
	segur__bind_text(st, 3, an->label);
	segur__bind_text(st, 4, an->numero_asp);
	if (an->file_id != 0)
		sqlite3_bind_int64(st, 5, an->file_id);
	else
		sqlite3_bind_null(st, 5);
	segur__bind_text(st, 6, now);
	sqlite3_bind_int64(st, 7, an->attempt_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "enregistrement de la réponse"));
	if (sqlite3_changes(l->db) != 1)
		return (answer_refused(l, an, cause));
	if ((json = answer_json(an)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = transition(l, an->request_id, an->ref, an->state, to, NULL,
	    an->numero_asp, json, cause);
	free(json);
	return (rc);
}

int
segur_ledger_attempt_answer(struct segur_ledger *l, const char *numero_editeur,
    const char *numero_asp, const char *code, const char *label,
    int64_t answer_file_id, char **cause)
{
	static const char *const q_find =
	    "SELECT a.id, a.outcome, r.id, r.ref, r.state FROM attempt a "
	    "JOIN request r ON r.id = a.request_id WHERE a.numero_editeur = ?";
	struct segur__answer an = { 0, 0, NULL, numero_editeur, numero_asp,
	    code, label, answer_file_id, SEGUR_STATE_DRAFT };
	sqlite3_stmt	*st;
	char		*ref = NULL, outcome[16];
	int		 rc, oom = 0;

	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q_find, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, numero_editeur);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? segur_cause(cause, SEGUR_ENOENT,
		    "le numeroEditeur « %s » n'a jamais été envoyé",
		    numero_editeur) : segur__db_error(l, cause,
		    "recherche de la tentative");
		goto fail;
	}
	an.attempt_id = sqlite3_column_int64(st, 0);
	snprintf(outcome, sizeof(outcome), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	an.request_id = sqlite3_column_int64(st, 2);
	an.ref = ref = segur__column_dup(st, 3, &oom);
	an.state = (enum segur_state)segur_state_parse(
	    (const char *)sqlite3_column_text(st, 4));
	sqlite3_reset(st);
	if (oom) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if (strcmp(outcome, "pending") != 0) {
		rc = segur_cause(cause, SEGUR_ESTATE, "le numeroEditeur « %s » "
		    "a déjà une réponse (%s)", numero_editeur,
		    strcmp(outcome, "accepted") == 0 ? "acceptée" : "rejetée");
		goto fail;
	}
	if ((rc = segur__attempt_answer(l, &an, cause)) != 0)
		goto fail;
	free(ref);
	return (segur_ledger_commit(l, cause));
fail:
	free(ref);
	segur_ledger_rollback(l);
	return (rc);
}

int
segur_ledger_file_add(struct segur_ledger *l, const struct segur_file_new *f,
    int64_t *id, char **cause)
{
	static const char *const kinds[] = { "submission", "returned",
	    "documents", "solde", "solde_returned" };
	/*
	 * A built file may repeat the bytes of one closed without an answer
	 * (a balance file built again after a cancel, its zip): only a twin
	 * still open is the same file. Zips follow their JSON file.
	 */
	static const char *const q_find =
	    "SELECT id FROM file WHERE direction = ?1 AND kind = ?2 AND "
	    "sha256 = ?3 AND (?1 = 'in' OR (kind <> 'documents' AND "
	    "NOT EXISTS (SELECT 1 FROM file_closure c WHERE "
	    "c.file_id = file.id)))";
	static const char *const q_arch =
	    "INSERT OR IGNORE INTO archive(sha256, size, stored_at) "
	    "VALUES (?, ?, ?)";
	static const char *const q_ins =
	    "INSERT INTO file(direction, kind, name, numero_ans, day, rank, "
	    "sha256, size, imp_id, answers, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*a = NULL;
	char		 now[24], *json = NULL;
	const char	*dir = f->outgoing ? "out" : "in";
	int64_t		 fid;
	int		 rc;

	if (id != NULL)
		*id = 0;
	if ((int)f->kind < 0 || f->kind > SEGUR_FILE_SOLDE_RETURNED ||
	    f->name == NULL || f->sha256 == NULL ||
	    strlen(f->sha256) != 64 || f->size < 0 || f->rank < 0 ||
	    f->rank > 999)
		return (segur_cause(cause, SEGUR_EINVAL, "fiche de fichier invalide"));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q_find, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, dir);
	segur__bind_text(st, 2, kinds[f->kind]);
	segur__bind_text(st, 3, f->sha256);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (id != NULL)
			*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		rc = segur_cause(cause, SEGUR_EEXIST, "le fichier %s (SHA-256 "
		    "%.12s…) est déjà enregistré", f->name, f->sha256);
		goto fail;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "recherche du fichier");
		goto fail;
	}
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, q_arch, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, f->sha256);
	sqlite3_bind_int64(st, 2, f->size);
	segur__bind_text(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause,
		    "enregistrement de l'objet d'archive");
		goto fail;
	}
	if ((rc = segur__stmt(l, q_ins, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, dir);
	segur__bind_text(st, 2, kinds[f->kind]);
	segur__bind_text(st, 3, f->name);
	segur__bind_text(st, 4, f->numero_ans);
	segur__bind_text(st, 5, f->day);
	if (f->rank > 0)
		sqlite3_bind_int(st, 6, f->rank);
	else
		sqlite3_bind_null(st, 6);
	segur__bind_text(st, 7, f->sha256);
	sqlite3_bind_int64(st, 8, f->size);
	segur__bind_text(st, 9, f->imp_id);
	if (f->answers > 0)
		sqlite3_bind_int64(st, 10, f->answers);
	else
		sqlite3_bind_null(st, 10);
	segur__bind_text(st, 11, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		rc = segur_cause(cause, SEGUR_EEXIST, "le rang %d du %s est déjà "
		    "pris pour le logiciel %s", f->rank, f->day ? f->day : "?",
		    f->numero_ans ? f->numero_ans : "?");
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement du fichier");
		goto fail;
	}
	fid = sqlite3_last_insert_rowid(l->db);
	if ((a = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(a, "direction", dir) == NULL ||
	    cJSON_AddStringToObject(a, "kind", kinds[f->kind]) == NULL ||
	    cJSON_AddStringToObject(a, "name", f->name) == NULL ||
	    cJSON_AddStringToObject(a, "sha256", f->sha256) == NULL ||
	    cJSON_AddNumberToObject(a, "size", (double)f->size) == NULL ||
	    cJSON_AddNumberToObject(a, "file_id", (double)fid) == NULL ||
	    (json = cJSON_PrintUnformatted(a)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "file.add", "file", f->name, 0, NULL,
	    json, cause)) != 0)
		goto fail;
	cJSON_Delete(a);
	free(json);
	if ((rc = segur_ledger_commit(l, cause)) == 0 && id != NULL)
		*id = fid;
	return (rc);
fail:
	cJSON_Delete(a);
	free(json);
	segur_ledger_rollback(l);
	return (rc);
}
