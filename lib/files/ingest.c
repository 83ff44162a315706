/*
 * ingest.c: recording the files ASP returns (ingest.h,
 * docs/internals/ingest.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "files/filerec.h"
#include "ledger/ledger-int.h"
#include "segur/alert.h"
#include "segur/archive.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/outbox.h"
#include "segur/retour.h"
#include "segur/util.h"
#include "segur/validate.h"

/* What the ledger knows of the attempt a line names. */
struct attempt {
	int64_t		 id;
	int64_t		 request_id;
	char		*ref;		/* owned */
	char		*outcome;	/* owned: pending, accepted, rejected */
	char		*numero_asp;	/* owned, may be NULL */
	char		*code;		/* owned, may be NULL */
	char		*label;		/* owned, may be NULL */
	int64_t		 file_id;	/* the file it was sent in */
	enum segur_state state;		/* the request's */
};

struct ingest {
	struct segur_ledger		*l;
	const struct segur_ingest_opts	*o;
	struct segur_ingest_result	*r;
	struct segur_retour		 ret;
	const char			*path;
	char				*data;	/* owned; the file */
	size_t				 len;
	int64_t				 file_id;	/* this file's row */
	int64_t				 answers_id;	/* the file answered */
	enum segur_file_kind		 file_kind;	/* RETURNED, or
							   SOLDE_RETURNED */
	struct attempt			*found;	/* owned; per line, what
						   pick_answered() read */
	int				*found_rc; /* owned; per line: 0,
						   SEGUR_ENOENT, or -1 to
						   read again */
	char				**cause;
};

static void
crash_point(const struct ingest *g, int at)
{
	if (g->o->crash_point != NULL)
		g->o->crash_point(g->o->crash_arg, at);
}

/*
 * Puts the file in the archive, written and fsynced, before anything is
 * written to the ledger about it (recorded or quarantined): a crash leaves
 * at most an object nobody refers to. An object found altered and put
 * right is logged and alerted before the file's own records.
 */
static int
archive_file(struct ingest *g)
{
	struct segur_archive	 a;
	char			*why = NULL;
	int			 rc;

	if ((rc = segur_archive_open(&a, g->o->archive_dir, g->cause)) != 0)
		return (rc);
	rc = segur_archive_put_hashed(&a, g->data, g->len, g->r->sha256, &why);
	segur_archive_release(&a);
	if (rc < 0) {
		segur_cause(g->cause, rc, "%s", why != NULL ? why :
		    segur_strerror(rc));
		free(why);
		return (rc);
	}
	free(why);
	return (segur__archive_repaired(g->l, rc, g->r->sha256, g->r->name,
	    g->cause));
}

static void
attempt_release(struct attempt *a)
{
	free(a->ref);
	free(a->outcome);
	free(a->numero_asp);
	free(a->code);
	free(a->label);
	memset(a, 0, sizeof(*a));
}

void
segur_ingest_result_release(struct segur_ingest_result *r)
{
	size_t	 i;

	for (i = 0; i < r->nlines; i++) {
		free(r->lines[i].numeroEditeur);
		free(r->lines[i].ref);
		free(r->lines[i].numeroASP);
		free(r->lines[i].label);
		free(r->lines[i].detail);
	}
	for (i = 0; i < r->nfile_anomalies; i++)
		free(r->anomalies[i]);
	free(r->anomalies);
	free(r->lines);
	free(r->name);
	free(r->answers);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

/* The name of file id (malloc'ed in *name); the file must exist. */
static int
file_name(struct ingest *g, int64_t id, char **name)
{
	static const char *const sql = "SELECT name FROM file WHERE id = ?";
	sqlite3_stmt	*st;
	int		 rc, oom = 0;

	*name = NULL;
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*name = segur__column_dup(st, 0, &oom);
	sqlite3_reset(st);
	if (oom || (rc == SQLITE_ROW && *name == NULL))
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	if (rc != SQLITE_ROW)
		return (segur__db_error(g->l, g->cause, "find the file"));
	return (0);
}

/* What attempt_read() reads, of attempt a joined to its request r. */
#define ATTEMPT_COLUMNS \
	"a.id, a.request_id, r.ref, a.outcome, a.numero_asp, " \
	"a.code_traitement, a.libelle_traitement, a.file_id, r.state"

/* Fills a from the row at st whose columns from first on are
 * ATTEMPT_COLUMNS; *oom set when a copy fails. */
static void
attempt_read(sqlite3_stmt *st, int first, struct attempt *a, int *oom)
{
	a->id = sqlite3_column_int64(st, first);
	a->request_id = sqlite3_column_int64(st, first + 1);
	a->ref = segur__column_dup(st, first + 2, oom);
	a->outcome = segur__column_dup(st, first + 3, oom);
	a->numero_asp = segur__column_dup(st, first + 4, oom);
	a->code = segur__column_dup(st, first + 5, oom);
	a->label = segur__column_dup(st, first + 6, oom);
	a->file_id = sqlite3_column_int64(st, first + 7);
	a->state = (enum segur_state)segur_state_parse(
	    (const char *)sqlite3_column_text(st, first + 8));
}

/*
 * Finds the attempt of numeroEditeur; 0 found, SEGUR_ENOENT, or error.
 * Two tables, one row each: the name of the file it was sent in, the same
 * for most lines, is read once (file_name()) and only when needed.
 */
static int
find_attempt(struct ingest *g, const char *numero_editeur, struct attempt *a)
{
	static const char *const sql =
	    "SELECT " ATTEMPT_COLUMNS " FROM attempt a JOIN request r "
	    "ON r.id = a.request_id WHERE a.numero_editeur = ? "
	    "COLLATE NOCASE";
	sqlite3_stmt	*st;
	int		 rc, oom = 0;

	memset(a, 0, sizeof(*a));
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, numero_editeur);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		attempt_read(st, 0, a, &oom);
	sqlite3_reset(st);
	if (oom) {
		attempt_release(a);
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	}
	if (rc == SQLITE_DONE)
		return (SEGUR_ENOENT);
	if (rc != SQLITE_ROW)
		return (segur__db_error(g->l, g->cause, "find the attempt"));
	return (0);
}

/* Adds the request's OG and ESMS to alert facts. */
static void
add_esms_facts(struct ingest *g, int64_t request_id, cJSON *facts)
{
	static const char *const sql =
	    "SELECT group_concat(finess_geo, ', '), "
	    "group_concat(DISTINCT finess_juridique) FROM request_esms "
	    "WHERE request_id = ?";
	sqlite3_stmt	*st;

	if (request_id <= 0 || segur__stmt(g->l, sql, &st, NULL) != 0)
		return;
	sqlite3_bind_int64(st, 1, request_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		cJSON_AddStringToObject(facts, SEGUR_ALERT_F_FINESS_OG,
		    (const char *)sqlite3_column_text(st, 1));
		cJSON_AddStringToObject(facts, SEGUR_ALERT_F_FINESS_ES,
		    (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
}

/* The facts of an alert about a line of this file (caller deletes). */
static cJSON *
line_facts(struct ingest *g, const struct segur_retour_line *rl,
    const struct attempt *a, const char *action)
{
	cJSON	*f;

	if ((f = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (a != NULL && a->ref != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_REFERENCE, a->ref);
	if (rl != NULL && rl->numeroEditeur != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_EDITEUR,
		    rl->numeroEditeur);
	if (rl != NULL && rl->numeroASP != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_ASP, rl->numeroASP);
	if (rl != NULL && rl->label != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_LABEL, rl->label);
	if (rl != NULL && rl->code != NULL)
		cJSON_AddStringToObject(f, "codeTraitement", rl->code);
	if (rl != NULL)
		cJSON_AddNumberToObject(f, "numLigne", (double)rl->numLigne);
	cJSON_AddStringToObject(f, SEGUR_ALERT_F_FILE, g->r->name);
	if (a != NULL)
		add_esms_facts(g, a->request_id, f);
	if (action != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_ACTION, action);
	return (f);
}

/*
 * Records an anomaly (kind, French detail) about this file and, when
 * known, a line and its attempt; logs it and queues its alert.
 */
static int
anomaly(struct ingest *g, const char *kind, const char *detail,
    const struct segur_retour_line *rl, const struct attempt *a)
{
	static const char *const sql =
	    "INSERT INTO anomaly(file_id, attempt_id, kind, detail, at) "
	    "VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*facts, *ev;
	char		 now[24], *text = NULL;
	int		 rc;

	segur__ledger_now(now);
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, g->file_id);
	if (a != NULL && a->id > 0)
		sqlite3_bind_int64(st, 2, a->id);
	else
		sqlite3_bind_null(st, 2);
	segur__bind_text(st, 3, kind);
	segur__bind_text(st, 4, detail);
	segur__bind_text(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "record an anomaly"));
	if ((ev = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(ev, "kind", kind) == NULL ||
	    cJSON_AddStringToObject(ev, "detail", detail) == NULL ||
	    cJSON_AddStringToObject(ev, "file", g->r->name) == NULL ||
	    (text = cJSON_PrintUnformatted(ev)) == NULL) {
		cJSON_Delete(ev);
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	}
	cJSON_Delete(ev);
	rc = segur__event_append(g->l, "anomaly.recorded", "file", g->r->name,
	    a != NULL ? a->request_id : 0, NULL, text, g->cause);
	free(text);
	if (rc != 0)
		return (rc);
	if ((facts = line_facts(g, rl, a, "vérifier ce point avec l'ASP "
	    "avant toute autre action ; le registre n'a rien deviné")) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	cJSON_AddStringToObject(facts, "anomalie", detail);
	rc = segur_outbox_add(g->l, SEGUR_ALERT_ANOMALY, "error",
	    a != NULL ? a->request_id : 0, g->file_id, facts, NULL, g->cause);
	cJSON_Delete(facts);
	g->r->nanomalies++;
	return (rc);
}

/* A file-level anomaly, kept in the result too. */
static int
file_anomaly(struct ingest *g, const char *kind, const char *detail)
{
	char	**p;

	p = realloc(g->r->anomalies, (g->r->nfile_anomalies + 1) *
	    sizeof(*p));
	if (p == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	g->r->anomalies = p;
	if ((p[g->r->nfile_anomalies] = strdup(detail)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	g->r->nfile_anomalies++;
	return (anomaly(g, kind, detail, NULL, NULL));
}

/* Sets a result line's detail (taking msg) and answer. */
static void
set_line(struct segur_ingest_line *il, enum segur_answer answer, char *msg)
{
	il->answer = answer;
	free(il->detail);
	il->detail = msg;
}

/* A line's anomaly: recorded, alerted, and shown in the result. */
static int
line_anomaly(struct ingest *g, struct segur_ingest_line *il,
    const struct segur_retour_line *rl, const struct attempt *a,
    const char *kind, char *detail)
{
	int	 rc;

	if (detail == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	rc = anomaly(g, kind, detail, rl, a);
	set_line(il, SEGUR_ANSWER_ANOMALY, detail);
	return (rc);
}

/* Does an answer already recorded say the same as this line? */
static int
same_answer(const struct attempt *a, const struct segur_retour_line *rl)
{
	if (rl->answer == SEGUR_ANSWER_ACCEPTED)
		return (strcmp(a->outcome, "accepted") == 0 &&
		    a->numero_asp != NULL && strcmp(a->numero_asp,
		    rl->numeroASP) == 0);
	return (strcmp(a->outcome, "rejected") == 0 &&
	    (a->label == NULL) == (rl->label == NULL) &&
	    (a->label == NULL || strcmp(a->label, rl->label) == 0) &&
	    (a->code == NULL) == (rl->code == NULL) &&
	    (a->code == NULL || strcmp(a->code, rl->code) == 0));
}

/* Records ASP's answer to a pending attempt. */
static int
record_answer(struct ingest *g, struct segur_ingest_line *il,
    const struct segur_retour_line *rl, const struct attempt *a)
{
	struct segur__answer an = { a->id, a->request_id, a->ref,
	    rl->numeroEditeur, rl->answer == SEGUR_ANSWER_ACCEPTED ?
	    rl->numeroASP : NULL, rl->code, rl->label, g->file_id, a->state };
	char	*why = NULL;
	cJSON	*facts;
	size_t	 j;
	int	 rc;

	/* In the file's transaction: a refusal changes nothing. */
	rc = segur__attempt_answer(g->l, &an, &why);
	if (rc == 0)
		/* A later line naming the same attempt must see this. */
		for (j = (size_t)(il - g->r->lines) + 1; j < g->ret.nlines;
		    j++)
			if (g->found_rc[j] == 0 && g->found[j].id == a->id)
				g->found_rc[j] = -1;
	if (rc == SEGUR_EEXIST) {
		rc = line_anomaly(g, il, rl, a, "numero_asp_taken",
		    segur_asprintf("numeroASP %s déjà attribué à une autre "
		    "demande (%s) : rien n'est enregistré pour %s",
		    rl->numeroASP, why != NULL ? why : "", a->ref));
		free(why);
		return (rc);
	}
	if (rc != 0) {
		segur_cause(g->cause, rc, "%s", why != NULL ? why :
		    segur_strerror(rc));
		free(why);
		return (rc);
	}
	free(why);
	if (rl->answer == SEGUR_ANSWER_ACCEPTED) {
		g->r->naccepted++;
		if ((il->numeroASP = strdup(rl->numeroASP)) == NULL)
			return (segur_cause(g->cause, SEGUR_ENOMEM,
			    "out of memory"));
		set_line(il, SEGUR_ANSWER_ACCEPTED, NULL);
		return (0);
	}
	g->r->nrejected++;
	set_line(il, SEGUR_ANSWER_REJECTED, NULL);
	facts = line_facts(g, rl, a, "corriger la demande (segurctl request "
	    "edit) puis la soumettre à nouveau (segurctl resubmit) : elle "
	    "recevra un nouveau numeroEditeur");
	if (facts == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	rc = segur_outbox_add(g->l, SEGUR_ALERT_REJECTION, "warning",
	    a->request_id, g->file_id, facts, NULL, g->cause);
	cJSON_Delete(facts);
	return (rc);
}

/* Decides and records the fate of line i. */
static int
ingest_line(struct ingest *g, size_t i)
{
	const struct segur_retour_line *rl = &g->ret.lines[i];
	struct segur_ingest_line *il = &g->r->lines[i];
	struct attempt	 a;
	char		*sent = NULL;
	int		 rc;

	il->index = rl->index;
	il->numLigne = rl->numLigne;
	if ((rl->numeroEditeur != NULL && (il->numeroEditeur =
	    strdup(rl->numeroEditeur)) == NULL) || (rl->label != NULL &&
	    (il->label = strdup(rl->label)) == NULL))
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	if (rl->numeroEditeur == NULL)
		return (line_anomaly(g, il, rl, NULL, "line_unreadable",
		    segur_asprintf("ligne %ld : %s", rl->index + 1,
		    rl->anomaly != NULL ? rl->anomaly : "illisible")));
	if ((rc = g->found_rc[i]) == -1)
		rc = find_attempt(g, rl->numeroEditeur, &a);
	else {
		/* Taken over: released below with the line's. */
		a = g->found[i];
		memset(&g->found[i], 0, sizeof(g->found[i]));
		g->found_rc[i] = SEGUR_ENOENT;
	}
	if (rc == SEGUR_ENOENT)
		return (line_anomaly(g, il, rl, NULL, "unknown_numero_editeur",
		    segur_asprintf("numeroEditeur %s jamais envoyé par ce "
		    "registre", rl->numeroEditeur)));
	if (rc != 0)
		return (rc);
	if (a.ref == NULL || (il->ref = strdup(a.ref)) == NULL)
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "out of memory");
	else if (a.file_id != g->answers_id) {
		if (a.file_id == 0 || (rc = file_name(g, a.file_id,
		    &sent)) == 0)
			rc = line_anomaly(g, il, rl, &a, "other_file",
			    segur_asprintf("numeroEditeur %s (%s) a été envoyé "
			    "dans %s, pas dans %s", rl->numeroEditeur, a.ref,
			    sent != NULL ? sent : "(aucun fichier)",
			    g->r->answers));
		free(sent);
	} else if (rl->answer == SEGUR_ANSWER_ANOMALY)
		rc = line_anomaly(g, il, rl, &a, "answer_unclear",
		    segur_asprintf("%s : %s", a.ref, rl->anomaly));
	else if (strcmp(a.outcome, "pending") == 0)
		rc = record_answer(g, il, rl, &a);
	else if (same_answer(&a, rl))
		set_line(il, rl->answer, strdup("déjà enregistré"));
	else
		rc = line_anomaly(g, il, rl, &a, "contradiction",
		    segur_asprintf("%s : réponse contraire à celle déjà "
		    "enregistrée (%s%s%s)", a.ref, a.outcome,
		    a.numero_asp != NULL ? ", " : "", a.numero_asp != NULL ?
		    a.numero_asp : ""));
	attempt_release(&a);
	return (rc);
}

/* Attempts of the answered file that the returned file does not answer. */
static int
missing_lines(struct ingest *g)
{
	static const char *const sql =
	    "SELECT a.numero_editeur FROM attempt a WHERE a.file_id = ? AND "
	    "a.outcome = 'pending' ORDER BY a.num_ligne";
	sqlite3_stmt	*st;
	struct attempt	 a;
	char		**missing = NULL, *ne;
	size_t		 n = 0, i, j;
	int		 rc, found, oom = 0;

	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, g->answers_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ne = (char *)sqlite3_column_text(st, 0);
		for (found = 0, j = 0; j < g->ret.nlines && !found; j++)
			found = g->ret.lines[j].numeroEditeur != NULL &&
			    strcasecmp(g->ret.lines[j].numeroEditeur, ne) == 0;
		if (found)
			continue;
		char **p = realloc(missing, (n + 1) * sizeof(*p));
		if (p == NULL || (p[n] = strdup(ne)) == NULL) {
			if (p != NULL)
				missing = p;
			oom = 1;
			break;
		}
		missing = p;
		n++;
	}
	sqlite3_reset(st);
	if (oom)
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "out of memory");
	else if (rc != SQLITE_DONE)
		rc = segur__db_error(g->l, g->cause, "list the pending lines");
	else
		rc = 0;
	for (i = 0; rc == 0 && i < n; i++) {
		if ((rc = find_attempt(g, missing[i], &a)) != 0)
			break;
		char *d = segur_asprintf("%s (numeroEditeur %s, ligne envoyée "
		    "dans %s) est absente de la réponse de l'ASP", a.ref,
		    missing[i], g->r->answers);
		rc = d == NULL ? segur_cause(g->cause, SEGUR_ENOMEM,
		    "out of memory") : anomaly(g, "line_missing", d, NULL, &a);
		if (rc == 0) {
			char **p = realloc(g->r->anomalies,
			    (g->r->nfile_anomalies + 1) * sizeof(*p));
			if (p == NULL)
				rc = segur_cause(g->cause, SEGUR_ENOMEM,
				    "out of memory");
			else {
				g->r->anomalies = p;
				p[g->r->nfile_anomalies++] = d;
				d = NULL;
			}
		}
		free(d);
		attempt_release(&a);
	}
	for (i = 0; i < n; i++)
		free(missing[i]);
	free(missing);
	return (rc);
}

/* A line waiting for its attempt, for fill_from_file(). */
struct named_line {
	const char	*ne;	/* its numeroEditeur, borrowed */
	size_t		 i;	/* its index */
};

/*
 * Orders lines by numeroEditeur as SQLite's NOCASE compares them: the
 * programs of this project never call setlocale(), so strcasecmp() folds
 * the ASCII letters only, as missing_lines() relies on too.
 */
static int
cmp_named(const void *x, const void *y)
{
	return (strcasecmp(((const struct named_line *)x)->ne,
	    ((const struct named_line *)y)->ne));
}

/*
 * Reads every attempt sent in file file_id in one statement and gives
 * each to the lines from line from on that name it and are not read yet
 * (filled[]): the same row find_attempt() would read for them, as
 * numero_editeur is unique, without a lookup per line. The index on
 * (file_id, num_ligne) is named: most attempts of a large ledger may
 * have no file yet, and its statistics would then make a scan look
 * cheaper.
 */
static int
fill_from_file(struct ingest *g, int64_t file_id, size_t from, char *filled)
{
	static const char *const sql =
	    "SELECT a.numero_editeur, " ATTEMPT_COLUMNS " FROM attempt a "
	    "INDEXED BY sqlite_autoindex_attempt_4 CROSS JOIN request r ON "
	    "r.id = a.request_id WHERE a.file_id = ?";
	const struct segur_retour_line *lines = g->ret.lines;
	struct named_line *idx;
	sqlite3_stmt	*st;
	const char	*ne;
	size_t		 n = 0, lo, hi, mid, k;
	int		 rc, step = SQLITE_DONE, oom = 0;

	if ((idx = calloc(g->ret.nlines + 1, sizeof(*idx))) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	for (k = from; k < g->ret.nlines; k++)
		if (!filled[k] && lines[k].numeroEditeur != NULL) {
			idx[n].ne = lines[k].numeroEditeur;
			idx[n++].i = k;
		}
	qsort(idx, n, sizeof(*idx), cmp_named);
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0) {
		free(idx);
		return (rc);
	}
	sqlite3_bind_int64(st, 1, file_id);
	while (!oom && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ne = (const char *)sqlite3_column_text(st, 0)) == NULL)
			continue;
		/* The first line naming ne, then every other one. */
		for (lo = 0, hi = n; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (strcasecmp(idx[mid].ne, ne) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && strcasecmp(idx[lo].ne, ne) == 0; lo++) {
			attempt_read(st, 1, &g->found[idx[lo].i], &oom);
			filled[idx[lo].i] = 1;
		}
	}
	sqlite3_reset(st);
	free(idx);
	if (oom)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	if (step != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "read the file's "
		    "attempts"));
	return (0);
}

/*
 * Picks the submitted file the returned one answers: the one that sent
 * most of its lines' numbers. 0 with answers_id 0 when no line matches.
 * What it reads of each line's attempt stays in g->found for
 * ingest_line(): one lookup per line.
 */
static int
pick_answered(struct ingest *g)
{
	struct attempt	*a;
	int64_t		*ids;
	size_t		*counts, n = 0, i, j, best = 0;
	char		*filled;
	int		 rc = 0, bulk = 0;

	ids = calloc(g->ret.nlines + 1, sizeof(*ids));
	counts = calloc(g->ret.nlines + 1, sizeof(*counts));
	filled = calloc(g->ret.nlines + 1, 1);
	g->found = calloc(g->ret.nlines + 1, sizeof(*g->found));
	g->found_rc = calloc(g->ret.nlines + 1, sizeof(*g->found_rc));
	if (ids == NULL || counts == NULL || filled == NULL ||
	    g->found == NULL || g->found_rc == NULL) {
		free(ids);
		free(counts);
		free(filled);
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	}
	for (i = 0; i < g->ret.nlines; i++) {
		a = &g->found[i];
		g->found_rc[i] = SEGUR_ENOENT;
		if (g->ret.lines[i].numeroEditeur == NULL)
			continue;
		rc = filled[i] ? 0 : find_attempt(g,
		    g->ret.lines[i].numeroEditeur, a);
		g->found_rc[i] = rc;
		if (rc == SEGUR_ENOENT) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		/* The first file met: its other lines in one read. */
		if (!bulk && a->file_id != 0) {
			bulk = 1;
			if ((rc = fill_from_file(g, a->file_id, i + 1,
			    filled)) != 0)
				break;
		}
		for (j = 0; j < n && ids[j] != a->file_id; j++)
			;
		if (j == n)
			ids[n++] = a->file_id;
		counts[j]++;
		if (counts[j] > counts[best] || g->answers_id == 0) {
			best = j;
			g->answers_id = ids[j];
		}
	}
	free(ids);
	free(counts);
	free(filled);
	free(g->r->answers);
	g->r->answers = NULL;
	if (rc == 0 && g->answers_id != 0)
		rc = file_name(g, g->answers_id, &g->r->answers);
	return (rc);
}

/* Frees what pick_answered() kept. */
static void
found_release(struct ingest *g)
{
	size_t	 i;

	for (i = 0; g->found != NULL && i < g->ret.nlines; i++)
		attempt_release(&g->found[i]);
	free(g->found);
	free(g->found_rc);
	g->found = NULL;
	g->found_rc = NULL;
}

/* Records the returned file itself; sets g->file_id. */
static int
record_file(struct ingest *g)
{
	struct segur_file_new	 f;

	memset(&f, 0, sizeof(f));
	f.kind = g->file_kind;
	f.name = g->r->name;
	f.numero_ans = g->ret.numeroAns;
	f.sha256 = g->r->sha256;
	f.size = (int64_t)g->len;
	f.imp_id = g->ret.impId;
	f.answers = g->answers_id;
	return (segur_ledger_file_add(g->l, &f, &g->file_id, g->cause));
}

/*
 * Quarantines the file: the ledger records it (and queues an alert), the
 * file goes (moved or copied) to the quarantine with its reason; one
 * transaction, committed only once the file is there.
 */
static int
quarantine(struct ingest *g, const char *reason)
{
	static const char *const sql =
	    "INSERT INTO quarantine(name, sha256, reason, at) "
	    "VALUES (?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*facts;
	char		 now[24], *copy = NULL, *why = NULL, *tmpdir = NULL;
	int		 rc;

	g->r->status = SEGUR_INGEST_QUARANTINED;
	if ((g->r->reason = strdup(reason)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	if ((rc = segur_ledger_begin(g->l, g->cause)) != 0)
		return (rc);
	segur__ledger_now(now);
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, g->r->name);
	segur__bind_text(st, 2, g->r->sha256[0] != '\0' ? g->r->sha256 :
	    NULL);
	segur__bind_text(st, 3, reason);
	segur__bind_text(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(g->l, g->cause, "record the quarantine");
		goto fail;
	}
	if ((facts = cJSON_CreateObject()) == NULL) {
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "out of memory");
		goto fail;
	}
	cJSON_AddStringToObject(facts, SEGUR_ALERT_F_FILE, g->r->name);
	cJSON_AddStringToObject(facts, "anomalie", reason);
	cJSON_AddStringToObject(facts, SEGUR_ALERT_F_ACTION, "examiner le "
	    "fichier mis en quarantaine et son fichier .reason");
	rc = segur__event_append(g->l, "file.quarantined", "file", g->r->name,
	    0, NULL, NULL, g->cause);
	if (rc == 0)
		rc = segur_outbox_add(g->l, SEGUR_ALERT_ANOMALY, "error", 0, 0,
		    facts, NULL, g->cause);
	cJSON_Delete(facts);
	if (rc != 0)
		goto fail;
	if (g->o->move)
		rc = segur_quarantine_file(g->o->quarantine_dir, g->path,
		    reason, NULL, &why);
	else if ((tmpdir = segur_asprintf("%s/.incoming",
	    g->o->quarantine_dir)) == NULL || (copy = segur_asprintf("%s/%s",
	    tmpdir, g->r->name)) == NULL)
		rc = SEGUR_ENOMEM;
	else if ((rc = segur_mkdir_p(tmpdir, &why)) == 0 &&
	    (rc = segur_write_file_atomic(copy, g->data, g->len, 0640,
	    &why)) == 0)
		/* A copy, under the file's own name: the user's file stays. */
		rc = segur_quarantine_file(g->o->quarantine_dir, copy, reason,
		    NULL, &why);
	if (rc != 0) {
		segur_cause(g->cause, rc, "quarantaine de %s : %s", g->path,
		    why != NULL ? why : segur_strerror(rc));
		if (copy != NULL)
			unlink(copy);
		goto fail;
	}
	free(copy);
	free(tmpdir);
	free(why);
	return (segur_ledger_commit(g->l, g->cause));
fail:
	free(copy);
	free(tmpdir);
	free(why);
	segur_ledger_rollback(g->l);
	return (rc);
}

/*
 * Is the content already recorded? Fills r->reason with its name. Every
 * kind is named so that the lookup seeks the file table's UNIQUE
 * (direction, kind, sha256) index instead of reading every file received.
 */
static int
duplicate(struct ingest *g)
{
	static const char *const sql =
	    "SELECT name, created_at FROM file WHERE direction = 'in' AND "
	    "kind IN ('documents', 'returned', 'solde', 'solde_returned', "
	    "'submission') AND sha256 = ?";
	sqlite3_stmt	*st;
	int		 rc, dup = 0;

	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, g->r->sha256);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		dup = 1;
		g->r->reason = segur_asprintf("déjà intégré le %s sous le nom "
		    "%s", sqlite3_column_text(st, 1), sqlite3_column_text(st,
		    0));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "look for the file"));
	return (dup);
}

/*
 * Checks the structure with the validator's --returned rules, and keeps
 * its parse in *tree (NULL when the structure is not sound).
 */
static int
structure_reason(struct ingest *g, char **reason, cJSON **tree)
{
	struct segur_validate_opts	 vo;
	struct segur_report		 rep;
	struct segur_buf		 b = SEGUR_BUF_INIT;
	size_t				 i;
	int				 rc;

	*reason = NULL;
	memset(&vo, 0, sizeof(vo));
	memset(&rep, 0, sizeof(rep));
	vo.flags = SEGUR_VALIDATE_RETURNED | SEGUR_VALIDATE_STRUCTURE;
	vo.max_bytes = g->o->max_bytes;
	vo.tree = tree;
	if ((rc = segur_validate_buffer(g->data, g->len, &vo, &rep)) != 0) {
		segur_report_release(&rep);
		cJSON_Delete(*tree);
		*tree = NULL;
		return (segur_cause(g->cause, rc, "out of memory"));
	}
	if (!rep.structure_ok) {
		segur_buf_adds(&b, "structure illisible :");
		for (i = 0; i < rep.nfindings; i++)
			if (rep.findings[i].rule->scope ==
			    SEGUR_SCOPE_STRUCTURE)
				segur_buf_addf(&b, " %s [%s]",
				    rep.findings[i].message,
				    rep.findings[i].rule->id);
		*reason = segur_buf_detach(&b);
	}
	segur_report_release(&rep);
	return (0);
}

/* ------------------------------------------------------------------ */
/*
 * Balance returns (issue 8, docs/internals/solde.md). ASP answers a
 * balance file with its lines annotated, each carrying the advance's
 * numeroASP. A returned file is a balance return when more of its lines
 * name, by numeroASP, a line of a balance file this ledger built than are
 * advance lines: typeAction "C" (the guide's only value, an advance
 * request) or a numeroEditeur of an attempt still waiting for ASP. Its
 * lines are then matched by numeroASP (the last balance line of that
 * request) and recorded as balance_accepted or balance_rejected, with the
 * same anomaly and alert rules as advance returns.
 */

/* What the ledger knows of the balance line a returned line names. */
struct solde_ans {
	struct attempt	 a;	/* id 0, request_id, ref: for the
				   alerts and anomalies */
	int64_t		 line_id;
	char		 outcome[16];
	char		*code;		/* owned, may be NULL */
	char		*label;		/* owned, may be NULL */
	int64_t		 file_id;	/* the balance file sent */
	char		*file_name;	/* owned */
	char		 numero_editeur[6];
};

static void
solde_ans_release(struct solde_ans *s)
{
	attempt_release(&s->a);
	free(s->code);
	free(s->label);
	free(s->file_name);
	memset(s, 0, sizeof(*s));
}

/* The last balance line of numeroASP; 0, SEGUR_ENOENT, or an error. */
static int
solde_find(struct ingest *g, const char *numero_asp, struct solde_ans *s)
{
	static const char *const sql =
	    "SELECT sl.id, sl.request_id, r.ref, sl.outcome, "
	    "sl.code_traitement, sl.libelle_traitement, sl.file_id, f.name, "
	    "sl.numero_editeur FROM solde_line sl JOIN request r ON r.id = "
	    "sl.request_id JOIN file f ON f.id = sl.file_id "
	    "WHERE sl.numero_asp = ? ORDER BY sl.id DESC LIMIT 1";
	sqlite3_stmt	*st;
	int		 rc, oom = 0;

	memset(s, 0, sizeof(*s));
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, numero_asp);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->line_id = sqlite3_column_int64(st, 0);
		s->a.request_id = sqlite3_column_int64(st, 1);
		s->a.ref = segur__column_dup(st, 2, &oom);
		snprintf(s->outcome, sizeof(s->outcome), "%s",
		    (const char *)sqlite3_column_text(st, 3));
		s->code = segur__column_dup(st, 4, &oom);
		s->label = segur__column_dup(st, 5, &oom);
		s->file_id = sqlite3_column_int64(st, 6);
		s->file_name = segur__column_dup(st, 7, &oom);
		snprintf(s->numero_editeur, sizeof(s->numero_editeur), "%s",
		    (const char *)sqlite3_column_text(st, 8));
	}
	sqlite3_reset(st);
	if (oom) {
		solde_ans_release(s);
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	}
	if (rc == SQLITE_DONE)
		return (SEGUR_ENOENT);
	if (rc != SQLITE_ROW)
		return (segur__db_error(g->l, g->cause, "find the balance"));
	return (0);
}


/*
 * Is the file a balance return? 1 (g->answers_id and r->answers set to
 * the balance file most of its lines name), 0, or an error. The advance
 * lines are counted first: when they are at least as many as the lines
 * that carry a numeroASP, no count of balance lines can outnumber them,
 * and an advance answer (every line typeAction "C") is told without a
 * single balance lookup.
 */
static int
solde_detect(struct ingest *g)
{
	const struct segur_retour_line *rl;
	struct solde_ans s;
	struct attempt	 a;
	int64_t		*ids;
	char		*name;
	size_t		 i, j, nb = 0, na = 0, nasp = 0, best = 0, cnt;
	int		 rc = 0;

	for (i = 0; i < g->ret.nlines && rc == 0; i++) {
		rl = &g->ret.lines[i];
		nasp += rl->numeroASP != NULL;
		if (rl->typeAction != NULL && strcmp(rl->typeAction, "C") == 0)
			na++;
		else if (rl->numeroEditeur != NULL) {
			rc = find_attempt(g, rl->numeroEditeur, &a);
			if (rc == 0 && strcmp(a.outcome, "pending") == 0)
				na++;
			if (rc == 0)
				attempt_release(&a);
			if (rc == SEGUR_ENOENT)
				rc = 0;
		}
	}
	if (rc != 0)
		return (rc);
	if (nasp == 0 || nasp <= na)
		return (0);
	if ((ids = calloc(g->ret.nlines + 1, sizeof(*ids))) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	for (i = 0; i < g->ret.nlines && rc == 0; i++) {
		rl = &g->ret.lines[i];
		if (rl->numeroASP == NULL)
			continue;
		if ((rc = solde_find(g, rl->numeroASP, &s)) == SEGUR_ENOENT) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		nb++;
		ids[i] = s.file_id;
		solde_ans_release(&s);
	}
	/* The balance file named by most lines. */
	for (i = 0; rc == 0 && i < g->ret.nlines; i++) {
		if (ids[i] == 0)
			continue;
		for (cnt = 0, j = 0; j < g->ret.nlines; j++)
			cnt += ids[j] == ids[i];
		if (cnt > best) {
			best = cnt;
			g->answers_id = ids[i];
		}
	}
	free(ids);
	if (rc != 0)
		return (rc);
	if (nb == 0 || nb <= na) {
		g->answers_id = 0;
		return (0);
	}
	if ((rc = file_name(g, g->answers_id, &name)) != 0)
		return (rc);
	free(g->r->answers);
	g->r->answers = name;
	return (1);
}

/* Records ASP's answer to a pending balance line. */
static int
solde_record(struct ingest *g, struct segur_ingest_line *il,
    const struct segur_retour_line *rl, struct solde_ans *s,
    enum segur_answer ans)
{
	static const char *const sql =
	    "UPDATE solde_line SET outcome = ?, code_traitement = ?, "
	    "libelle_traitement = ?, answer_file_id = ?, answered_at = ? "
	    "WHERE id = ? AND outcome = 'pending'";
	struct segur_record rec;
	sqlite3_stmt	*st;
	cJSON		*facts;
	char		 today[11], now[24], *why = NULL;
	int		 rc;

	memset(&rec, 0, sizeof(rec));
	segur__ledger_today(today);
	rec.date = today;
	rec.amount_cents = -1;
	rec.letter_ref = NULL;
	rec.note = rl->label;
	rc = segur_ledger_record(g->l, ans == SEGUR_ANSWER_ACCEPTED ?
	    SEGUR_RECORD_BALANCE_ACCEPTED : SEGUR_RECORD_BALANCE_REJECTED,
	    rl->numeroASP, &rec, &why);
	if (rc == SEGUR_ESTATE)
		return (line_anomaly(g, il, rl, &s->a, "contradiction",
		    segur_asprintf("%s : %s", s->a.ref, why != NULL ? why :
		    "état inattendu")));
	if (rc != 0) {
		segur_cause(g->cause, rc, "%s", why != NULL ? why :
		    segur_strerror(rc));
		free(why);
		return (rc);
	}
	free(why);
	segur__ledger_now(now);
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, ans == SEGUR_ANSWER_ACCEPTED ? "accepted" :
	    "rejected");
	segur__bind_text(st, 2, rl->code);
	segur__bind_text(st, 3, rl->label);
	sqlite3_bind_int64(st, 4, g->file_id);
	segur__bind_text(st, 5, now);
	sqlite3_bind_int64(st, 6, s->line_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "record the balance"));
	if ((il->numeroASP = strdup(rl->numeroASP)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	set_line(il, ans, NULL);
	if (ans == SEGUR_ANSWER_ACCEPTED) {
		g->r->naccepted++;
		return (0);
	}
	g->r->nrejected++;
	facts = line_facts(g, rl, &s->a, "corriger la facture ou le "
	    "procès-verbal (segurctl record delivered) puis redemander le "
	    "solde (segurctl solde build)");
	if (facts == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	rc = segur_outbox_add(g->l, SEGUR_ALERT_REJECTION, "warning",
	    s->a.request_id, g->file_id, facts, NULL, g->cause);
	cJSON_Delete(facts);
	return (rc);
}

/* Decides and records the fate of balance line i. */
static int
solde_line_ingest(struct ingest *g, size_t i)
{
	const struct segur_retour_line *rl = &g->ret.lines[i];
	struct segur_ingest_line *il = &g->r->lines[i];
	struct solde_ans s;
	enum segur_answer ans;
	int		 rc;

	il->index = rl->index;
	il->numLigne = rl->numLigne;
	if ((rl->numeroEditeur != NULL && (il->numeroEditeur =
	    strdup(rl->numeroEditeur)) == NULL) || (rl->label != NULL &&
	    (il->label = strdup(rl->label)) == NULL))
		return (segur_cause(g->cause, SEGUR_ENOMEM, "out of memory"));
	if (rl->numeroASP == NULL)
		return (line_anomaly(g, il, rl, NULL, "line_unreadable",
		    segur_asprintf("ligne %ld : numeroASP absent, ligne de "
		    "solde illisible", rl->index + 1)));
	rc = solde_find(g, rl->numeroASP, &s);
	if (rc == SEGUR_ENOENT)
		return (line_anomaly(g, il, rl, NULL, "unknown_numero_asp",
		    segur_asprintf("numeroASP %s : aucun solde demandé par ce "
		    "registre", rl->numeroASP)));
	if (rc != 0)
		return (rc);
	/* ASP's label decides, as for advances; no label nor code: no
	 * answer, never a guess. */
	ans = segur_label_is_accepted(rl->label) ? SEGUR_ANSWER_ACCEPTED :
	    rl->label != NULL || rl->code != NULL ? SEGUR_ANSWER_REJECTED :
	    SEGUR_ANSWER_ANOMALY;
	if ((il->ref = strdup(s.a.ref)) == NULL)
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "out of memory");
	else if (s.file_id != g->answers_id)
		rc = line_anomaly(g, il, rl, &s.a, "other_file",
		    segur_asprintf("le solde de %s (%s) a été demandé dans %s, "
		    "pas dans %s", rl->numeroASP, s.a.ref, s.file_name,
		    g->r->answers));
	else if (rl->numeroEditeur != NULL && strcasecmp(rl->numeroEditeur,
	    s.numero_editeur) != 0)
		rc = line_anomaly(g, il, rl, &s.a, "numero_editeur_mismatch",
		    segur_asprintf("%s : numeroASP %s envoyé avec le "
		    "numeroEditeur %s, la réponse porte %s", s.a.ref,
		    rl->numeroASP, s.numero_editeur, rl->numeroEditeur));
	else if (ans == SEGUR_ANSWER_ANOMALY)
		rc = line_anomaly(g, il, rl, &s.a, "answer_unclear",
		    segur_asprintf("%s : solde sans code ni libellé de "
		    "traitement", s.a.ref));
	else if (strcmp(s.outcome, "pending") == 0)
		rc = solde_record(g, il, rl, &s, ans);
	else if (strcmp(s.outcome, ans == SEGUR_ANSWER_ACCEPTED ?
	    "accepted" : "rejected") == 0 && (s.label == NULL) ==
	    (rl->label == NULL) && (s.label == NULL || strcmp(s.label,
	    rl->label) == 0))
		set_line(il, ans, strdup("déjà enregistré"));
	else
		rc = line_anomaly(g, il, rl, &s.a, "contradiction",
		    segur_asprintf("%s : réponse de solde contraire à celle "
		    "déjà enregistrée (%s)", s.a.ref, s.outcome));
	solde_ans_release(&s);
	return (rc);
}

/* Balance lines of the answered file that the return does not answer. */
static int
solde_missing(struct ingest *g)
{
	static const char *const sql =
	    "SELECT sl.numero_asp, r.ref, r.id FROM solde_line sl JOIN "
	    "request r ON r.id = sl.request_id WHERE sl.file_id = ? AND "
	    "sl.outcome = 'pending' ORDER BY sl.num_ligne";
	sqlite3_stmt	*st;
	struct segur_buf list = SEGUR_BUF_INIT;
	struct attempt	 a;
	char		*d, **p, *line, *nl, *t1, *t2;
	const char	*asp;
	size_t		 j;
	int		 rc, step, found;

	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, g->answers_id);
	/* anomaly() uses other statements: collect first, then record. */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		asp = (const char *)sqlite3_column_text(st, 0);
		for (found = 0, j = 0; j < g->ret.nlines && !found; j++)
			found = g->ret.lines[j].numeroASP != NULL &&
			    strcmp(g->ret.lines[j].numeroASP, asp) == 0;
		if (!found)
			segur_buf_addf(&list, "%s\t%s\t%lld\n", asp,
			    sqlite3_column_text(st, 1),
			    (long long)sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		segur_buf_release(&list);
		return (segur__db_error(g->l, g->cause, "read the balances"));
	}
	for (line = list.data; rc == 0 && line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		t1 = strchr(line, '\t');
		*t1++ = '\0';
		t2 = strchr(t1, '\t');
		*t2++ = '\0';
		memset(&a, 0, sizeof(a));
		a.request_id = strtoll(t2, NULL, 10);
		a.ref = t1;
		d = segur_asprintf("%s (numeroASP %s, solde demandé dans %s) "
		    "est absente de la réponse de l'ASP", t1, line,
		    g->r->answers);
		rc = d == NULL ? segur_cause(g->cause, SEGUR_ENOMEM,
		    "out of memory") : anomaly(g, "line_missing", d, NULL, &a);
		if (rc == 0) {
			p = realloc(g->r->anomalies,
			    (g->r->nfile_anomalies + 1) * sizeof(*p));
			if (p == NULL)
				rc = segur_cause(g->cause, SEGUR_ENOMEM,
				    "out of memory");
			else {
				g->r->anomalies = p;
				p[g->r->nfile_anomalies++] = d;
				d = NULL;
			}
		}
		free(d);
	}
	segur_buf_release(&list);
	return (rc);
}

/*
 * What both kinds of answer record, in the transaction the caller began:
 * the file, an anomaly when its numeroAns is unknown, each line with line(),
 * then with missing() the lines sent that the answer leaves out; then the
 * commit. Rolls the transaction back on error.
 */
static int
record_returned(struct ingest *g, int (*line)(struct ingest *, size_t),
    int (*missing)(struct ingest *))
{
	struct segur_software sw;
	char	*msg;
	size_t	 i;
	int	 rc, known;

	if ((g->r->lines = calloc(g->ret.nlines + 1,
	    sizeof(*g->r->lines))) == NULL) {
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "out of memory");
		goto fail;
	}
	g->r->nlines = g->ret.nlines;
	crash_point(g, 1);
	if ((rc = record_file(g)) != 0)
		goto fail;
	memset(&sw, 0, sizeof(sw));
	known = g->ret.numeroAns != NULL && segur_ledger_software_get(g->l,
	    g->ret.numeroAns, &sw, NULL) == 0;
	segur_software_release(&sw);
	if (!known) {
		msg = segur_asprintf("numeroAns %s inconnu du registre",
		    g->ret.numeroAns != NULL ? g->ret.numeroAns : "(absent)");
		rc = msg != NULL ? file_anomaly(g, "unknown_numero_ans", msg) :
		    SEGUR_ENOMEM;
		free(msg);
		if (rc != 0)
			goto fail;
	}
	for (i = 0; i < g->ret.nlines; i++)
		if ((rc = line(g, i)) != 0)
			goto fail;
	if ((rc = missing(g)) != 0)
		goto fail;
	crash_point(g, 2);
	if ((rc = segur_ledger_commit(g->l, g->cause)) != 0)
		goto fail;
	g->r->status = SEGUR_INGEST_RECORDED;
	return (0);
fail:
	segur_ledger_rollback(g->l);
	return (rc);
}

/* Records a balance return, its lines matched by numeroASP, in the
 * transaction the caller began. */
static int
solde_ingest(struct ingest *g)
{
	g->file_kind = SEGUR_FILE_SOLDE_RETURNED;
	return (record_returned(g, solde_line_ingest, solde_missing));
}

/* Everything after the file is read and archived. */
static int
ingest_read(struct ingest *g)
{
	cJSON	*tree = NULL;
	char	*reason = NULL;
	int	 rc;

	if ((rc = structure_reason(g, &reason, &tree)) != 0)
		return (rc);
	if (reason != NULL) {
		cJSON_Delete(tree);
		rc = quarantine(g, reason);
		free(reason);
		return (rc);
	}
	rc = segur_retour_read(tree, &g->ret, &reason);
	cJSON_Delete(tree);
	if (rc != 0) {
		if (rc == SEGUR_EINVAL)
			rc = quarantine(g, reason);
		free(reason);
		return (rc);
	}
	/*
	 * Read in the transaction that records: nothing moves between, and
	 * the lookups of every line run in it rather than each in a read
	 * transaction of its own (locks taken and released every time).
	 */
	if ((rc = segur_ledger_begin(g->l, g->cause)) != 0)
		return (rc);
	/* A balance return goes its own way (see "Balance returns"). */
	if ((rc = solde_detect(g)) < 0)
		goto fail;
	if (rc == 1)
		return (solde_ingest(g));
	if ((rc = pick_answered(g)) != 0)
		goto fail;
	if (g->answers_id == 0) {
		segur_ledger_rollback(g->l);
		return (quarantine(g, "aucune ligne ne porte un numeroEditeur "
		    "envoyé par ce registre : fichier d'un autre éditeur ou "
		    "d'un autre registre ?"));
	}
	return (record_returned(g, ingest_line, missing_lines));
fail:
	segur_ledger_rollback(g->l);
	return (rc);
}

int
segur_ingest_file(struct segur_ledger *l, const char *path,
    const struct segur_ingest_opts *o, struct segur_ingest_result *r,
    char **cause)
{
	struct ingest		 g;
	char			*copy, *why = NULL;
	int			 rc;

	memset(r, 0, sizeof(*r));
	memset(&g, 0, sizeof(g));
	g.l = l;
	g.o = o;
	g.r = r;
	g.path = path;
	g.cause = cause;
	g.file_kind = SEGUR_FILE_RETURNED;
	if ((copy = strdup(path)) == NULL ||
	    (r->name = strdup(basename(copy))) == NULL) {
		free(copy);
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	}
	free(copy);
	rc = segur_read_file(path, o->max_bytes > 0 ? o->max_bytes :
	    SEGUR_VALIDATE_MAX_BYTES, &g.data, &g.len, &why);
	if (rc == SEGUR_ETOOBIG) {
		/* Too big to be a returned file: keep it, out of the way. */
		rc = quarantine(&g, why);
		free(why);
		return (rc);
	}
	if (rc != 0) {
		segur_cause(cause, rc, "%s", why);
		free(why);
		return (rc);
	}
	segur_sha256_hex(g.data, g.len, r->sha256);
	if ((rc = duplicate(&g)) != 0) {
		if (rc == 1) {
			r->status = SEGUR_INGEST_DUPLICATE;
			rc = 0;
			if (o->move && unlink(path) == -1)
				rc = segur_cause(cause, SEGUR_EIO, "unlink "
				    "%s: %s", path, strerror(errno));
		}
		goto out;
	}
	if ((rc = archive_file(&g)) != 0)
		goto out;
	if ((rc = ingest_read(&g)) != 0)
		goto out;
	crash_point(&g, 3);
	/* Recorded and archived: the inbox copy can go. */
	if (o->move && r->status == SEGUR_INGEST_RECORDED &&
	    unlink(path) == -1)
		rc = segur_cause(cause, SEGUR_EIO, "unlink %s: %s", path,
		    strerror(errno));
	if (rc == 0 && o->move)
		rc = segur_fsync_dir(path, cause);
out:
	free(why);
	free(g.data);
	found_release(&g);
	segur_retour_release(&g.ret);
	return (rc);
}
