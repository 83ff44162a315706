/*
 * ledger-file.c: built files closed without an answer, and the list of
 * every file with its state (ledger.h, docs/internals/ledger.md).
 *
 * The portal refuses a malformed file whole (control 1) and gives nothing
 * back: without a record of it, its requests would wait in submitted for
 * ever. A file built and never uploaded is the same for the ledger, except
 * that ASP never saw it. Closing either is one transaction: the file's row
 * in file_closure and its event, then each request moved through the
 * transition table (ledger-state.c draws the edges) with its attempt or
 * balance line closed. Numbers are not given back: the file's
 * numeroEditeur stay in numero_editeur and its rank stays taken.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

static const char *const fstate_names[] = {
	"built", "answered", "refused", "cancelled", "ingested", "quarantined"
};

const char *
segur_file_state_name(enum segur_file_state s)
{
	if ((int)s < 0 || s > SEGUR_FSTATE_QUARANTINED)
		return (NULL);
	return (fstate_names[s]);
}

/* A file is masculine: "le fichier est construit". */
static const char *const fstate_labels[] = {
	"construit", "avec réponse", "refusé à l'envoi", "annulé",
	"reçu", "en quarantaine"
};

const char *
segur_file_state_label(enum segur_file_state s)
{
	if ((int)s < 0 || s > SEGUR_FSTATE_QUARANTINED)
		return (NULL);
	return (fstate_labels[s]);
}

void
segur_file_closed_release(struct segur_file_closed *c)
{
	if (c == NULL)
		return;
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* The lines of a built file by outcome. */
struct counts {
	int64_t	 lines, accepted, rejected, pending, cancelled;
};

/*
 * The state of the built request file id (solde: a balance file) and its
 * lines by outcome; *reason (may be NULL) receives the closure's reason,
 * malloc'ed, or NULL. Answered: a line has ASP's answer, or an answer
 * file names it (one whose every line was an anomaly answers it too).
 */
static int
built_state(struct segur_ledger *l, int64_t id, int solde,
    enum segur_file_state *state, struct counts *k, char **reason,
    char **cause)
{
	static const char *const q_close =
	    "SELECT state, reason FROM file_closure WHERE file_id = ?";
	static const char *const q_att =
	    "SELECT count(*), coalesce(sum(outcome = 'accepted'), 0), "
	    "coalesce(sum(outcome = 'rejected'), 0), "
	    "coalesce(sum(outcome = 'pending'), 0), "
	    "coalesce(sum(outcome = 'cancelled'), 0) "
	    "FROM attempt WHERE file_id = ?";
	static const char *const q_sol =
	    "SELECT count(*), coalesce(sum(outcome = 'accepted'), 0), "
	    "coalesce(sum(outcome = 'rejected'), 0), "
	    "coalesce(sum(outcome = 'pending'), 0), "
	    "coalesce(sum(outcome = 'cancelled'), 0) "
	    "FROM solde_line WHERE file_id = ?";
	static const char *const q_ans =
	    "SELECT EXISTS (SELECT 1 FROM file WHERE answers = ?)";
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc, oom = 0, answered;

	if (reason != NULL)
		*reason = NULL;
	if ((rc = segur__stmt(l, solde ? q_sol : q_att, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause,
		    "décompte des lignes du fichier"));
	}
	k->lines = sqlite3_column_int64(st, 0);
	k->accepted = sqlite3_column_int64(st, 1);
	k->rejected = sqlite3_column_int64(st, 2);
	k->pending = sqlite3_column_int64(st, 3);
	k->cancelled = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);

	if ((rc = segur__stmt(l, q_close, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		*state = strcmp(s, "refused") == 0 ? SEGUR_FSTATE_REFUSED :
		    SEGUR_FSTATE_CANCELLED;
		if (reason != NULL)
			*reason = segur__column_dup(st, 1, &oom);
		sqlite3_reset(st);
		return (oom ? segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée") : 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "lecture de la clôture du fichier"));

	answered = k->accepted + k->rejected > 0;
	if (!answered) {
		if ((rc = segur__stmt(l, q_ans, &st, cause)) != 0)
			return (rc);
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return (segur__db_error(l, cause,
			    "recherche de la réponse au fichier"));
		}
		answered = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	*state = answered ? SEGUR_FSTATE_ANSWERED : SEGUR_FSTATE_BUILT;
	return (0);
}

/* ------------------------------------------------------------------ */
/* Closing a file: refused at upload, or cancelled. */

/* One pending line of the file being closed. */
struct cline {
	int64_t		 line_id;	/* attempt or solde_line */
	int64_t		 request_id;
	int64_t		 seq;
	char		 ref[65];
	char		 number[64];	/* numeroEditeur; a balance line:
					   numeroASP */
	enum segur_state state;
};

struct closing {
	struct segur_ledger *l;
	const char	*name;
	const char	*reason;
	int		 refuse;	/* 1: refused, 0: cancelled */
	const char	*verb;		/* "refusé", "annulé" */
	int64_t		 file_id;
	int		 solde;
	struct cline	*v;		/* owned */
	size_t		 n;
	char		 now[24];
	char		**cause;
};

/* Finds the built request file called c->name. */
static int
find_file(struct closing *c)
{
	static const char *const q =
	    "SELECT id, kind, direction FROM file WHERE name = ? "
	    "ORDER BY direction = 'out' AND kind IN ('submission', 'solde') "
	    "DESC, id LIMIT 1";
	sqlite3_stmt	*st;
	char		 kind[16], dir[4];
	int		 rc;

	if ((rc = segur__stmt(c->l, q, &st, c->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, c->name);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return (rc == SQLITE_DONE ? segur_cause(c->cause, SEGUR_ENOENT,
		    "aucun fichier « %s » dans le registre (segurctl file "
		    "list les montre tous)", c->name) :
		    segur__db_error(c->l, c->cause, "recherche du fichier"));
	}
	c->file_id = sqlite3_column_int64(st, 0);
	snprintf(kind, sizeof(kind), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	snprintf(dir, sizeof(dir), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	if (strcmp(dir, "out") != 0 || (strcmp(kind, "submission") != 0 &&
	    strcmp(kind, "solde") != 0))
		return (segur_cause(c->cause, SEGUR_EINVAL, "« %s » est un "
		    "fichier %s (%s) : seul un fichier de demandes construit "
		    "(build, solde build) peut être %s", c->name,
		    strcmp(dir, "out") == 0 ? "construit" : "reçu", kind,
		    c->verb));
	c->solde = strcmp(kind, "solde") == 0;
	return (0);
}

/* Reads the file's pending lines, in their order, into c->v. */
static int
load_lines(struct closing *c, size_t nlines)
{
	static const char *const q_att =
	    "SELECT a.id, a.request_id, a.seq, a.numero_editeur, r.ref, "
	    "r.state FROM attempt a JOIN request r ON r.id = a.request_id "
	    "WHERE a.file_id = ? AND a.outcome = 'pending' "
	    "ORDER BY a.num_ligne";
	static const char *const q_sol =
	    "SELECT s.id, s.request_id, s.seq, s.numero_asp, r.ref, r.state "
	    "FROM solde_line s JOIN request r ON r.id = s.request_id "
	    "WHERE s.file_id = ? AND s.outcome = 'pending' "
	    "ORDER BY s.num_ligne";
	struct cline	*x;
	sqlite3_stmt	*st;
	int		 rc;

	if (nlines > 0 && (c->v = calloc(nlines, sizeof(*c->v))) == NULL)
		return (segur_cause(c->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur__stmt(c->l, c->solde ? q_sol : q_att, &st,
	    c->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, c->file_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->n < nlines) {
		x = &c->v[c->n++];
		x->line_id = sqlite3_column_int64(st, 0);
		x->request_id = sqlite3_column_int64(st, 1);
		x->seq = sqlite3_column_int64(st, 2);
		snprintf(x->number, sizeof(x->number), "%s",
		    (const char *)sqlite3_column_text(st, 3));
		snprintf(x->ref, sizeof(x->ref), "%s",
		    (const char *)sqlite3_column_text(st, 4));
		x->state = (enum segur_state)segur_state_parse(
		    (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return (segur__db_error(c->l, c->cause,
		    "lecture des lignes du fichier"));
	return (0);
}

/* The file's closure row and its event. */
static int
record_closure(struct closing *c)
{
	static const char *const q =
	    "INSERT INTO file_closure(file_id, state, reason, closed_at) "
	    "VALUES (?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*a;
	char		*json = NULL;
	const char	*state = c->refuse ? "refused" : "cancelled";
	int		 rc;

	if ((rc = segur__stmt(c->l, q, &st, c->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, c->file_id);
	segur__bind_text(st, 2, state);
	segur__bind_text(st, 3, c->reason);
	segur__bind_text(st, 4, c->now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(c->l, c->cause,
		    "enregistrement de la clôture"));
	if ((a = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(a, "state", state) == NULL ||
	    cJSON_AddStringToObject(a, "reason", c->reason) == NULL ||
	    cJSON_AddStringToObject(a, "kind", c->solde ? "solde" :
	    "submission") == NULL ||
	    cJSON_AddNumberToObject(a, "file_id", (double)c->file_id) ==
	    NULL ||
	    cJSON_AddNumberToObject(a, "lines", (double)c->n) == NULL ||
	    (json = cJSON_PrintUnformatted(a)) == NULL)
		rc = segur_cause(c->cause, SEGUR_ENOMEM, "mémoire épuisée");
	else
		rc = segur__event_append(c->l, c->refuse ? "file.refuse" :
		    "file.cancel", "file", c->name, 0, "{\"state\":\"built\"}",
		    json, c->cause);
	cJSON_Delete(a);
	free(json);
	return (rc);
}

/* Closes an attempt or a balance line: outcome, label, time. */
static int
close_line(struct closing *c, const struct cline *x, const char *outcome,
    const char *label)
{
	static const char *const q_att =
	    "UPDATE OR ROLLBACK attempt SET outcome = ?1, "
	    "libelle_traitement = ?2, answered_at = ?3 "
	    "WHERE id = ?4 AND outcome = 'pending'";
	static const char *const q_sol =
	    "UPDATE OR ROLLBACK solde_line SET outcome = ?1, "
	    "libelle_traitement = ?2, answered_at = ?3 "
	    "WHERE id = ?4 AND outcome = 'pending'";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(c->l, c->solde ? q_sol : q_att, &st,
	    c->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, outcome);
	segur__bind_text(st, 2, label);
	segur__bind_text(st, 3, c->now);
	sqlite3_bind_int64(st, 4, x->line_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(c->l, c->cause, "clôture de la ligne"));
	if (sqlite3_changes(c->l->db) != 1)
		return (segur_cause(c->cause, SEGUR_ESTATE, "la ligne de « %s » "
		    "n'attend plus de réponse", x->ref));
	return (0);
}

/*
 * The state a balance_requested request was in before solde build put it
 * in this file: the log's last move into balance_requested says (the
 * request may have come from advance_paid or from balance_rejected).
 */
static int
state_before_balance(struct closing *c, const struct cline *x,
    enum segur_state *to)
{
	static const char *const q =
	    "SELECT json_extract(before, '$.state') FROM event "
	    "WHERE request_id = ? AND action = 'request.state' AND "
	    "json_extract(after, '$.state') = 'balance_requested' "
	    "ORDER BY id DESC LIMIT 1";
	sqlite3_stmt	*st;
	int		 rc, s = -1;

	if ((rc = segur__stmt(c->l, q, &st, c->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, x->request_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		s = segur_state_parse((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(c->l, c->cause,
		    "lecture de l'historique"));
	if (s < 0 || !segur__state_allowed_by(SEGUR_STATE_BALANCE_REQUESTED,
	    (enum segur_state)s, "segur_ledger_file_cancel"))
		return (segur_cause(c->cause, SEGUR_ECORRUPT, "la demande "
		    "« %s » : l'historique ne dit pas d'où vient sa demande de "
		    "solde", x->ref));
	*to = (enum segur_state)s;
	return (0);
}

/* The detail of a request's move: the file, the reason, the line. */
static char *
move_detail(const struct closing *c, const struct cline *x)
{
	cJSON	*d;
	char	*json = NULL;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "file", c->name) != NULL &&
	    cJSON_AddStringToObject(d, c->refuse ? "refused" : "cancelled",
	    c->reason) != NULL &&
	    cJSON_AddNumberToObject(d, c->solde ? "balance_line" : "attempt",
	    (double)x->seq) != NULL &&
	    cJSON_AddStringToObject(d, c->solde ? "numeroASP" :
	    "numeroEditeur", x->number) != NULL)
		json = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return (json);
}

/* Moves one request of the file and closes its line. */
static int
close_request(struct closing *c, struct cline *x, enum segur_state *moved)
{
	struct segur_record rec;
	enum segur_state from, to = SEGUR_STATE_DRAFT;
	const char	*by;
	char		 today[11], *json;
	int		 rc;

	from = c->solde ? SEGUR_STATE_BALANCE_REQUESTED :
	    SEGUR_STATE_SUBMITTED;
	by = c->refuse ? "segur_ledger_file_refuse" :
	    "segur_ledger_file_cancel";
	if (c->solde && !c->refuse) {
		if ((rc = state_before_balance(c, x, &to)) != 0)
			return (rc);
	} else if (c->solde) {
		to = SEGUR_STATE_BALANCE_REJECTED;
		by = "segur_ledger_record";
	} else
		to = c->refuse ? SEGUR_STATE_REJECTED : SEGUR_STATE_READY;
	/* A pending line means this state; anything else is a bug. */
	if (x->state != from || !segur__state_allowed_by(from, to, by))
		return (segur_cause(c->cause, SEGUR_ESTATE, "la demande « %s » "
		    "est à l'état « %s » : passage à l'état « %s » impossible",
		    x->ref, segur_state_label(x->state),
		    segur_state_label(to)));
	*moved = to;
	if (c->solde && c->refuse) {
		/* As ASP's rejection would be recorded (ingest's
		 * solde_record()): a decision, the reason as its note. */
		segur__ledger_today(today);
		memset(&rec, 0, sizeof(rec));
		rec.date = today;
		rec.amount_cents = -1;
		rec.note = c->reason;
		if ((rc = segur_ledger_record(c->l,
		    SEGUR_RECORD_BALANCE_REJECTED, x->number, &rec,
		    c->cause)) != 0)
			return (rc);
		return (close_line(c, x, "rejected", c->reason));
	}
	if ((rc = close_line(c, x, c->refuse ? "rejected" : "cancelled",
	    c->refuse ? c->reason : NULL)) != 0)
		return (rc);
	if ((json = move_detail(c, x)) == NULL)
		return (segur_cause(c->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = segur__request_transition(c->l, x->request_id, x->ref, from, to,
	    json, c->cause);
	free(json);
	return (rc);
}

static int
file_close(struct segur_ledger *l, const char *name, const char *reason,
    int refuse, struct segur_file_closed *out, char **cause)
{
	struct closing	 c;
	struct counts	 k;
	enum segur_file_state fs;
	char		*why = NULL;
	size_t		 i;
	int		 rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.l = l;
	c.name = name;
	c.reason = reason;
	c.refuse = refuse;
	c.verb = refuse ? "refusé" : "annulé";
	c.cause = cause;
	if (name == NULL || *name == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "nom de fichier "
		    "manquant"));
	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "un fichier %s "
		    "demande un motif", c.verb));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	segur__ledger_now_l(l, c.now);
	if ((rc = find_file(&c)) != 0)
		goto fail;
	if ((rc = built_state(l, c.file_id, c.solde, &fs, &k, &why,
	    cause)) != 0)
		goto fail;
	if (fs != SEGUR_FSTATE_BUILT) {
		rc = segur_cause(cause, SEGUR_ESTATE, "le fichier « %s » est "
		    "%s%s%s%s : seul un fichier construit, sans réponse, peut "
		    "être %s", name, segur_file_state_label(fs),
		    why != NULL ? " (motif : " : "", why != NULL ? why : "",
		    why != NULL ? ")" : "", c.verb);
		goto fail;
	}
	if ((rc = load_lines(&c, (size_t)k.lines)) != 0 ||
	    (rc = record_closure(&c)) != 0)
		goto fail;
	if (out != NULL && c.n > 0 &&
	    (out->v = calloc(c.n, sizeof(*out->v))) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	for (i = 0; i < c.n; i++) {
		enum segur_state to = SEGUR_STATE_DRAFT;

		if ((rc = close_request(&c, &c.v[i], &to)) != 0)
			goto fail;
		if (out != NULL) {
			memcpy(out->v[i].ref, c.v[i].ref,
			    sizeof(out->v[i].ref));
			out->v[i].state = to;
			out->n = i + 1;
		}
	}
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		goto done;
	if (out != NULL)
		out->kind = c.solde ? SEGUR_FILE_SOLDE : SEGUR_FILE_SUBMISSION;
	goto done;
fail:
	segur_ledger_rollback(l);
	if (out != NULL)
		segur_file_closed_release(out);
done:
	free(why);
	free(c.v);
	return (rc);
}

int
segur_ledger_file_refuse(struct segur_ledger *l, const char *name,
    const char *reason, struct segur_file_closed *out, char **cause)
{
	return (file_close(l, name, reason, 1, out, cause));
}

int
segur_ledger_file_cancel(struct segur_ledger *l, const char *name,
    const char *reason, struct segur_file_closed *out, char **cause)
{
	return (file_close(l, name, reason, 0, out, cause));
}

/* ------------------------------------------------------------------ */
/* The list. */

/* What an answer recorded: its lines by outcome. */
static int
answer_counts(struct segur_ledger *l, int64_t id, struct counts *k,
    char **cause)
{
	static const char *const q =
	    "SELECT count(*), coalesce(sum(outcome = 'accepted'), 0), "
	    "coalesce(sum(outcome = 'rejected'), 0) FROM ("
	    "SELECT outcome FROM attempt WHERE answer_file_id = ?1 "
	    "UNION ALL SELECT outcome FROM solde_line "
	    "WHERE answer_file_id = ?1)";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause,
		    "décompte des lignes de la réponse"));
	}
	k->lines = sqlite3_column_int64(st, 0);
	k->accepted = sqlite3_column_int64(st, 1);
	k->rejected = sqlite3_column_int64(st, 2);
	k->pending = k->cancelled = 0;
	sqlite3_reset(st);
	return (0);
}

/* The documents a zip holds, found through its JSON file's lines. */
static int
zip_documents(struct segur_ledger *l, int64_t zip, int64_t json,
    int64_t *n, char **cause)
{
	static const char *const q =
	    "SELECT (SELECT count(*) FROM attempt a JOIN attempt_document d "
	    "ON d.attempt_id = a.id WHERE a.file_id = ?2 AND "
	    "d.bundle_file_id = ?1) + (SELECT count(*) FROM solde_line s "
	    "JOIN solde_document d ON d.solde_line_id = s.id WHERE "
	    "s.file_id = ?2 AND d.bundle_file_id = ?1)";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, zip);
	sqlite3_bind_int64(st, 2, json);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause,
		    "décompte des pièces du zip"));
	}
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return (0);
}

/*
 * The JSON file a built zip goes with: "PJ-[SOLDE-]<ans>-<day>-<NNN>-<k>.zip"
 * carries its rank NNN (build.c records a zip without one), and the
 * partial unique indexes on (numero_ans, day, rank) find the file. *id
 * 0 when none.
 */
static int
zip_parent(struct segur_ledger *l, const char *name, int solde,
    const char *ans, const char *day, int64_t *id, char **cause)
{
	static const char *const q_sub =
	    "SELECT id FROM file WHERE kind = 'submission' AND "
	    "numero_ans = ? AND day = ? AND rank = ?";
	static const char *const q_sol =
	    "SELECT id FROM file WHERE kind = 'solde' AND "
	    "numero_ans = ? AND day = ? AND rank = ?";
	sqlite3_stmt	*st;
	const char	*dash;
	int		 rc, rank;

	*id = 0;
	if (ans == NULL || day == NULL || (dash = strrchr(name, '-')) ==
	    NULL || dash - name < 4 || dash[-4] != '-' ||
	    sscanf(dash - 3, "%3d", &rank) != 1)
		return (0);
	if ((rc = segur__stmt(l, solde ? q_sol : q_sub, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ans);
	segur__bind_text(st, 2, day);
	sqlite3_bind_int(st, 3, rank);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "recherche du fichier d'un zip"));
	return (0);
}

/* The name of file id into buf ("" if none). */
static int
file_name_of(struct segur_ledger *l, int64_t id, char *buf, size_t len,
    char **cause)
{
	static const char *const q = "SELECT name FROM file WHERE id = ?";
	sqlite3_stmt	*st;
	int		 rc;

	buf[0] = '\0';
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st,
		    0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(l, cause,
		    "lecture du nom d'un fichier"));
	return (0);
}

int
segur_ledger_file_list(struct segur_ledger *l,
    int (*fn)(void *arg, const struct segur_file_row *row), void *arg,
    char **cause)
{
	/* Quarantined files have no row in file: they come after. */
	static const char *const q =
	    "SELECT id, name, kind, direction, created_at, answers, NULL, 0, "
	    "numero_ans, day FROM file "
	    "UNION ALL SELECT 0, name, NULL, 'in', at, NULL, reason, 1, "
	    "NULL, NULL FROM quarantine ORDER BY 5, 8, 1, 2";
	struct segur_file_row row;
	struct counts	 k;
	sqlite3_stmt	*st;
	char		 parent[256], *why = NULL;
	const char	*kind;
	int64_t		 pid;
	int		 rc, src, solde;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		rc = 0;
		memset(&row, 0, sizeof(row));
		memset(&k, 0, sizeof(k));
		row.id = sqlite3_column_int64(st, 0);
		row.name = (const char *)sqlite3_column_text(st, 1);
		row.kind = kind = (const char *)sqlite3_column_text(st, 2);
		row.direction = (const char *)sqlite3_column_text(st, 3);
		row.date = (const char *)sqlite3_column_text(st, 4);
		pid = sqlite3_column_int64(st, 5);
		solde = kind != NULL && strncmp(row.name, "PJ-SOLDE-", 9) == 0;
		if (kind != NULL && strcmp(kind, "documents") == 0 &&
		    strcmp(row.direction, "out") == 0 &&
		    (rc = zip_parent(l, row.name, solde,
		    (const char *)sqlite3_column_text(st, 8),
		    (const char *)sqlite3_column_text(st, 9), &pid,
		    cause)) != 0)
			break;
		parent[0] = '\0';
		if (pid > 0 && (rc = file_name_of(l, pid, parent,
		    sizeof(parent), cause)) != 0)
			break;
		row.parent = parent[0] != '\0' ? parent : NULL;
		if (kind == NULL) {
			row.state = SEGUR_FSTATE_QUARANTINED;
			row.reason = (const char *)sqlite3_column_text(st, 6);
			k.lines = k.accepted = k.rejected = k.pending =
			    k.cancelled = -1;
		} else if (strcmp(row.direction, "in") == 0) {
			row.state = SEGUR_FSTATE_INGESTED;
			rc = answer_counts(l, row.id, &k, cause);
		} else if (strcmp(kind, "documents") == 0) {
			/* The zip's fate is its JSON file's. */
			if (pid > 0 && (rc = built_state(l, pid, solde,
			    &row.state, &k, &why, cause)) == 0)
				rc = zip_documents(l, row.id, pid, &k.lines,
				    cause);
			k.accepted = k.rejected = k.pending = k.cancelled =
			    -1;
		} else {
			solde = strcmp(kind, "solde") == 0;
			rc = built_state(l, row.id, solde, &row.state, &k,
			    &why, cause);
		}
		if (rc != 0)
			break;
		if (row.reason == NULL)
			row.reason = why;
		row.lines = k.lines;
		row.accepted = k.accepted;
		row.rejected = k.rejected;
		row.pending = k.pending;
		row.cancelled = k.cancelled;
		rc = fn(arg, &row);
		free(why);
		why = NULL;
		if (rc != 0)
			break;
	}
	free(why);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = segur__db_error(l, cause, "liste des fichiers");
	sqlite3_reset(st);
	return (rc);
}

/* A count, or null where it means nothing. */
static int
json_count(cJSON *o, const char *key, int64_t n)
{
	return ((n >= 0 ? cJSON_AddNumberToObject(o, key, (double)n) :
	    cJSON_AddNullToObject(o, key)) == NULL ? -1 : 0);
}

static int
json_text(cJSON *o, const char *key, const char *s)
{
	return ((s != NULL ? cJSON_AddStringToObject(o, key, s) :
	    cJSON_AddNullToObject(o, key)) == NULL ? -1 : 0);
}

cJSON *
segur_file_row_json(const struct segur_file_row *r)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (json_text(o, "name", r->name) != 0 ||
	    json_text(o, "kind", r->kind) != 0 ||
	    json_text(o, "direction", r->direction) != 0 ||
	    json_text(o, "state", segur_file_state_name(r->state)) != 0 ||
	    json_text(o, "date", r->date) != 0 ||
	    json_count(o, "lines", r->lines) != 0 ||
	    json_count(o, "accepted", r->accepted) != 0 ||
	    json_count(o, "rejected", r->rejected) != 0 ||
	    json_count(o, "pending", r->pending) != 0 ||
	    json_count(o, "cancelled", r->cancelled) != 0 ||
	    json_text(o, "reason", r->reason) != 0 ||
	    json_text(o, "parent", r->parent) != 0) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}
