/*
 * ingest.c: recording the files ASP returns (ingest.h,
 * docs/internals/ingest.md).
 */
#include <sys/stat.h>

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
	char				**dup;	/* owned; per line, the
						   anomaly of a numeroASP
						   other lines carry too,
						   or NULL */
	char				**cause;
	/* The anomalies' alerts, queued at the end (alerts_flush()): the
	 * first ones (owned facts, their request), and a count per kind. */
	cJSON		*alert_facts[SEGUR_INGEST_ALERTS_MAX];
	int64_t		 alert_req[SEGUR_INGEST_ALERTS_MAX];
	size_t		 nalerts;
	struct {
		const char	*kind;	/* static */
		size_t		 n;
	}		 alert_kinds[16];
	size_t		 nkinds;
};

/* Longest excerpt of the file's own text that a reason or alert quotes. */
#define EXCERPT_MAX	120

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
	for (i = 0; i < r->nrecorded; i++) {
		free(r->recorded[i].kind);
		free(r->recorded[i].ref);
		free(r->recorded[i].numeroEditeur);
		free(r->recorded[i].detail);
	}
	free(r->recorded);
	free(r->lines);
	free(r->name);
	free(r->answers);
	free(r->reason);
	free(r->quarantined_at);
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (rc != SQLITE_ROW)
		return (segur__db_error(g->l, g->cause, "recherche du fichier"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if (rc == SQLITE_DONE)
		return (SEGUR_ENOENT);
	if (rc != SQLITE_ROW)
		return (segur__db_error(g->l, g->cause, "recherche de la tentative"));
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

/* Adds the request's montantSegurHT to alert facts, in euros as the
 * guide writes it (the alert's text prints it the French way). */
static void
add_amount_fact(struct ingest *g, int64_t request_id, cJSON *facts)
{
	static const char *const sql =
	    "SELECT montant_cents FROM request WHERE id = ?";
	sqlite3_stmt	*st;

	if (request_id <= 0 || segur__stmt(g->l, sql, &st, NULL) != 0)
		return;
	sqlite3_bind_int64(st, 1, request_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		cJSON_AddNumberToObject(facts, SEGUR_ALERT_F_AMOUNT,
		    (double)sqlite3_column_int64(st, 0) / 100.0);
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
	if (a != NULL) {
		add_esms_facts(g, a->request_id, f);
		add_amount_fact(g, a->request_id, f);
	}
	if (action != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_ACTION, action);
	return (f);
}

/* What ASP returned on line rl, as a JSON text (caller frees); NULL
 * when out of memory. */
static char *
returned_json(const struct segur_retour_line *rl)
{
	cJSON	*o;
	char	*s;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if ((rl->numeroEditeur != NULL && cJSON_AddStringToObject(o,
	    "numeroEditeur", rl->numeroEditeur) == NULL) ||
	    (rl->numeroASP != NULL && cJSON_AddStringToObject(o, "numeroASP",
	    rl->numeroASP) == NULL) ||
	    (rl->code != NULL && cJSON_AddStringToObject(o, "codeTraitement",
	    rl->code) == NULL) ||
	    (rl->label != NULL && cJSON_AddStringToObject(o,
	    "libelleTraitement", rl->label) == NULL)) {
		cJSON_Delete(o);
		return (NULL);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return (s);
}

/* Keeps anomaly id in the result, for ingest --json and segurd's log. */
static int
keep_anomaly(struct ingest *g, int64_t id, const char *kind,
    const char *detail, const struct segur_retour_line *rl,
    const struct attempt *a)
{
	struct segur_ingest_anomaly *p, *e;

	p = realloc(g->r->recorded, (g->r->nrecorded + 1) * sizeof(*p));
	if (p == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	g->r->recorded = p;
	e = &p[g->r->nrecorded++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->index = rl != NULL ? rl->index : -1;
	if ((e->kind = strdup(kind)) == NULL ||
	    (e->detail = strdup(detail)) == NULL ||
	    (a != NULL && a->ref != NULL && (e->ref = strdup(a->ref)) ==
	    NULL) || (rl != NULL && rl->numeroEditeur != NULL &&
	    (e->numeroEditeur = strdup(rl->numeroEditeur)) == NULL))
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}

/*
 * Keeps an anomaly's alert (taking facts) for alerts_flush(): the first
 * SEGUR_INGEST_ALERTS_MAX whole, the others counted by kind only.
 */
static void
alert_defer(struct ingest *g, const char *kind, int64_t request_id,
    cJSON *facts)
{
	size_t	 i;

	for (i = 0; i < g->nkinds && strcmp(g->alert_kinds[i].kind, kind) !=
	    0; i++)
		;
	if (i == g->nkinds && i < sizeof(g->alert_kinds) /
	    sizeof(g->alert_kinds[0])) {
		g->alert_kinds[i].kind = kind;
		g->alert_kinds[i].n = 0;
		g->nkinds++;
	}
	if (i < g->nkinds)
		g->alert_kinds[i].n++;
	if (g->nalerts < SEGUR_INGEST_ALERTS_MAX) {
		g->alert_facts[g->nalerts] = facts;
		g->alert_req[g->nalerts] = request_id;
	} else
		cJSON_Delete(facts);
	g->nalerts++;
}

static void
alerts_release(struct ingest *g)
{
	size_t	 i;

	for (i = 0; i < g->nalerts && i < SEGUR_INGEST_ALERTS_MAX; i++)
		cJSON_Delete(g->alert_facts[i]);
	g->nalerts = 0;
	g->nkinds = 0;
}

/*
 * Queues the anomalies' alerts, in the file's transaction: each one when
 * they are few, else ONE that sums them up (counts per kind, the first
 * few): a file with many anomalies is one problem to look at, not a
 * flood that buries every other alert.
 */
static int
alerts_flush(struct ingest *g)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const cJSON	*d;
	cJSON		*facts;
	char		*ex;
	size_t		 i;
	int		 rc = 0;

	if (g->nalerts <= SEGUR_INGEST_ALERTS_MAX) {
		for (i = 0; rc == 0 && i < g->nalerts; i++)
			rc = segur_outbox_add(g->l, SEGUR_ALERT_ANOMALY,
			    "error", g->alert_req[i], g->file_id,
			    g->alert_facts[i], NULL, g->cause);
		alerts_release(g);
		return (rc);
	}
	rc = segur_buf_addf(&b, "%zu anomalies dans ce fichier, résumées en "
	    "une seule alerte :", g->nalerts);
	for (i = 0; rc == 0 && i < g->nkinds; i++)
		rc = segur_buf_addf(&b, "%s %zu %s", i == 0 ? "" : ",",
		    g->alert_kinds[i].n, g->alert_kinds[i].kind);
	if (rc == 0)
		rc = segur_buf_addf(&b, " ; les %d premières :",
		    SEGUR_INGEST_ALERTS_MAX);
	for (i = 0; rc == 0 && i < SEGUR_INGEST_ALERTS_MAX; i++) {
		d = cJSON_GetObjectItemCaseSensitive(g->alert_facts[i],
		    SEGUR_ALERT_F_ANOMALY);
		if (!cJSON_IsString(d))
			continue;
		if ((ex = segur_excerpt(d->valuestring,
		    strlen(d->valuestring), EXCERPT_MAX)) == NULL)
			rc = SEGUR_ENOMEM;
		else
			rc = segur_buf_addf(&b, " (%zu) %s", i + 1, ex);
		free(ex);
	}
	if (rc == 0 && (facts = cJSON_CreateObject()) != NULL) {
		if (cJSON_AddStringToObject(facts, SEGUR_ALERT_F_FILE,
		    g->r->name) == NULL ||
		    cJSON_AddStringToObject(facts, "anomalie", b.data) ==
		    NULL ||
		    cJSON_AddNumberToObject(facts, "anomalies",
		    (double)g->nalerts) == NULL ||
		    cJSON_AddStringToObject(facts, SEGUR_ALERT_F_ACTION,
		    "examiner le fichier retourné et ses anomalies "
		    "(segurctl ingest --json, ou le détail de chaque "
		    "anomalie dans le registre) avant toute autre action")
		    == NULL)
			rc = SEGUR_ENOMEM;
		else
			rc = segur_outbox_add(g->l, SEGUR_ALERT_ANOMALY,
			    "error", 0, g->file_id, facts, NULL, g->cause);
		cJSON_Delete(facts);
	} else if (rc == 0)
		rc = SEGUR_ENOMEM;
	segur_buf_release(&b);
	alerts_release(g);
	if (rc == SEGUR_ENOMEM)
		segur_cause(g->cause, rc, "mémoire épuisée");
	return (rc);
}

/*
 * Records an anomaly (kind, French detail) about this file and, when
 * known, a line and its attempt (or, for balances, its request: attempt
 * id 0); logs it and queues its alert. The row keeps the line and what
 * ASP returned on it, so that segurctl anomalies shows them without the
 * file; it stays open until segurctl anomalies resolve.
 */
static int
anomaly(struct ingest *g, const char *kind, const char *detail,
    const struct segur_retour_line *rl, const struct attempt *a)
{
	static const char *const sql =
	    "INSERT INTO anomaly(file_id, attempt_id, kind, detail, at, "
	    "request_id, line_index, returned) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*facts, *ev;
	char		 now[24], *text = NULL, *ret = NULL;
	int64_t		 id;
	int		 rc;

	segur__ledger_now(now);
	if (rl != NULL && (ret = returned_json(rl)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0) {
		free(ret);
		return (rc);
	}
	sqlite3_bind_int64(st, 1, g->file_id);
	if (a != NULL && a->id > 0)
		sqlite3_bind_int64(st, 2, a->id);
	else
		sqlite3_bind_null(st, 2);
	segur__bind_text(st, 3, kind);
	segur__bind_text(st, 4, detail);
	segur__bind_text(st, 5, now);
	if (a != NULL && a->request_id > 0)
		sqlite3_bind_int64(st, 6, a->request_id);
	else
		sqlite3_bind_null(st, 6);
	if (rl != NULL)
		sqlite3_bind_int64(st, 7, rl->index);
	else
		sqlite3_bind_null(st, 7);
	segur__bind_text(st, 8, ret);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(ret);
	if (rc != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "enregistrement d'une anomalie"));
	id = sqlite3_last_insert_rowid(g->l->db);
	if ((ev = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(ev, "id", (double)id) == NULL ||
	    cJSON_AddStringToObject(ev, "kind", kind) == NULL ||
	    cJSON_AddStringToObject(ev, "detail", detail) == NULL ||
	    cJSON_AddStringToObject(ev, "file", g->r->name) == NULL ||
	    (rl != NULL && cJSON_AddNumberToObject(ev, "line",
	    (double)rl->index) == NULL) ||
	    (text = cJSON_PrintUnformatted(ev)) == NULL) {
		cJSON_Delete(ev);
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	cJSON_Delete(ev);
	rc = segur__event_append(g->l, "anomaly.recorded", "file", g->r->name,
	    a != NULL ? a->request_id : 0, NULL, text, g->cause);
	free(text);
	if (rc != 0)
		return (rc);
	if ((facts = line_facts(g, rl, a, "vérifier ce point avec l'ASP "
	    "avant toute autre action ; le registre n'a rien deviné ; une "
	    "fois réglé : segurctl anomalies resolve")) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	cJSON_AddStringToObject(facts, SEGUR_ALERT_F_ANOMALY, detail);
	cJSON_AddStringToObject(facts, SEGUR_ALERT_F_ANOMALY_KIND, kind);
	cJSON_AddNumberToObject(facts, SEGUR_ALERT_F_ANOMALY_ID, (double)id);
	alert_defer(g, kind, a != NULL ? a->request_id : 0, facts);
	g->r->nanomalies++;
	return (keep_anomaly(g, id, kind, detail, rl, a));
}

/* A file-level anomaly, kept in the result too. */
static int
file_anomaly(struct ingest *g, const char *kind, const char *detail)
{
	char	**p;

	p = realloc(g->r->anomalies, (g->r->nfile_anomalies + 1) *
	    sizeof(*p));
	if (p == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	g->r->anomalies = p;
	if ((p[g->r->nfile_anomalies] = strdup(detail)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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

/*
 * Who holds numeroASP already: "BC-1 (numéro éditeur 00001) par FILE" in
 * *who (malloc'ed), for the anomaly of the newcomer.
 */
static int
asp_holder(struct ingest *g, const char *numero_asp, char **who)
{
	static const char *const sql =
	    "SELECT r.ref, a.numero_editeur, f.name FROM attempt a JOIN "
	    "request r ON r.id = a.request_id LEFT JOIN file f ON f.id = "
	    "a.answer_file_id WHERE a.numero_asp = ?1 UNION ALL "
	    "SELECT ref, numero_editeur, NULL FROM request WHERE "
	    "numero_asp = ?1 LIMIT 1";
	sqlite3_stmt	*st;
	const char	*ref, *ne, *file;
	int		 rc;

	*who = NULL;
	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, numero_asp);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ref = (const char *)sqlite3_column_text(st, 0);
		ne = (const char *)sqlite3_column_text(st, 1);
		file = (const char *)sqlite3_column_text(st, 2);
		*who = segur_asprintf("%s (numéro éditeur %s) %s%s", ref,
		    ne != NULL ? ne : "inconnu", file != NULL ? "par " :
		    "hors de tout fichier retourné", file != NULL ? file : "");
	} else
		*who = segur_asprintf("une autre demande");
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "recherche du numéro ASP"));
	if (*who == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
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
		/* The earlier holder stays; the newcomer is the anomaly. */
		char *who;

		free(why);
		if ((rc = asp_holder(g, rl->numeroASP, &who)) != 0)
			return (rc);
		rc = line_anomaly(g, il, rl, a, "numero_asp_taken",
		    segur_asprintf("numeroASP %s déjà attribué à %s : rien "
		    "n'est enregistré pour %s", rl->numeroASP, who, a->ref));
		free(who);
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
			    "mémoire épuisée"));
		set_line(il, SEGUR_ANSWER_ACCEPTED, NULL);
		return (0);
	}
	g->r->nrejected++;
	set_line(il, SEGUR_ANSWER_REJECTED, NULL);
	facts = line_facts(g, rl, a, "corriger la demande (segurctl request "
	    "edit) puis la soumettre à nouveau (segurctl resubmit) : elle "
	    "recevra un nouveau numeroEditeur");
	if (facts == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée");
	else if (a.file_id != g->answers_id) {
		if (a.file_id == 0 || (rc = file_name(g, a.file_id,
		    &sent)) == 0)
			rc = line_anomaly(g, il, rl, &a, "other_file",
			    segur_asprintf("numeroEditeur %s (%s) a été envoyé "
			    "dans %s, pas dans %s", rl->numeroEditeur, a.ref,
			    sent != NULL ? sent : "(aucun fichier)",
			    g->r->answers));
		free(sent);
	} else if (g->dup[i] != NULL && strcmp(a.outcome, "pending") == 0) {
		rc = line_anomaly(g, il, rl, &a, "numero_asp_duplicate",
		    g->dup[i]);
		g->dup[i] = NULL;
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
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée");
	else if (rc != SQLITE_DONE)
		rc = segur__db_error(g->l, g->cause, "liste des lignes en attente");
	else
		rc = 0;
	for (i = 0; rc == 0 && i < n; i++) {
		if ((rc = find_attempt(g, missing[i], &a)) != 0)
			break;
		char *d = segur_asprintf("%s (numeroEditeur %s, ligne envoyée "
		    "dans %s) est absente de la réponse de l'ASP", a.ref,
		    missing[i], g->r->answers);
		rc = d == NULL ? segur_cause(g->cause, SEGUR_ENOMEM,
		    "mémoire épuisée") :
		    anomaly(g, "line_missing", d, NULL, &a);
		if (rc == 0) {
			char **p = realloc(g->r->anomalies,
			    (g->r->nfile_anomalies + 1) * sizeof(*p));
			if (p == NULL)
				rc = segur_cause(g->cause, SEGUR_ENOMEM,
				    "mémoire épuisée");
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
	char		*qname, *ex;
	int		 rc;

	g->r->status = SEGUR_INGEST_QUARANTINED;
	if ((qname = segur_quarantine_name(g->r->name)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	/* A name too long for the quarantine's suffixes is shortened
	 * there; the row keeps the original and the reason says both. */
	if (strcmp(qname, g->r->name) != 0) {
		ex = segur_excerpt(g->r->name, strlen(g->r->name), 1024);
		g->r->reason = ex == NULL ? NULL : segur_asprintf("%s (nom "
		    "trop long pour la quarantaine : conservé sous %s ; nom "
		    "d'origine : %s)", reason, qname, ex);
		free(ex);
	} else
		g->r->reason = strdup(reason);
	if (g->r->reason == NULL) {
		free(qname);
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	reason = g->r->reason;
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
		rc = segur__db_error(g->l, g->cause, "enregistrement de la quarantaine");
		goto fail;
	}
	if ((facts = cJSON_CreateObject()) == NULL) {
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée");
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
	else if (g->data == NULL)
		/* Not read (too large): the user's file is all there is. */
		rc = 0;
	else if ((tmpdir = segur_asprintf("%s/.incoming",
	    g->o->quarantine_dir)) == NULL || (copy = segur_asprintf("%s/%s",
	    tmpdir, qname)) == NULL)
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
	free(qname);
	return (segur_ledger_commit(g->l, g->cause));
fail:
	free(copy);
	free(tmpdir);
	free(why);
	free(qname);
	segur_ledger_rollback(g->l);
	return (rc);
}

/*
 * Was this content quarantined before? 1 with r->quarantined_at and
 * r->reason (the first quarantine's), 0, or an error. segurctl's user
 * runs ingest again on the same file: it is not quarantined twice.
 */
static int
quarantined_before(struct ingest *g)
{
	static const char *const sql =
	    "SELECT at, reason FROM quarantine WHERE sha256 = ? "
	    "ORDER BY id LIMIT 1";
	sqlite3_stmt	*st;
	int		 rc, found = 0, oom = 0;

	if ((rc = segur__stmt(g->l, sql, &st, g->cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, g->r->sha256);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		g->r->quarantined_at = segur__column_dup(st, 0, &oom);
		g->r->reason = segur_asprintf("déjà mis en quarantaine le %s, "
		    "pas une seconde fois : %s", sqlite3_column_text(st, 0),
		    sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(g->l, g->cause, "look for the "
		    "quarantine"));
	if (found && (oom || g->r->quarantined_at == NULL ||
	    g->r->reason == NULL))
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (found)
		g->r->status = SEGUR_INGEST_QUARANTINED;
	return (found);
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
		return (segur__db_error(g->l, g->cause, "recherche du fichier"));
	return (dup);
}

/*
 * The reason for a file that is not JSON at all: its first line (what a
 * refusal's text saved under a .json name shows at once), the bytes
 * outside printable ASCII shown as '?' so that the reason stays valid
 * UTF-8 whatever the file's encoding. NULL when data starts like JSON
 * text ('{' or '[' after a BOM and white space: the validator's own
 * words say better what is wrong) or is empty.
 */
static char *
not_json_reason(const char *data, size_t len)
{
	char	 head[64];
	size_t	 i = 0, n = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && strchr(" \t\r\n", data[i]) != NULL)
		i++;
	if (i == len || data[i] == '{' || data[i] == '[')
		return (NULL);
	for (; i < len && data[i] != '\n' && n < sizeof(head) - 4; i++)
		head[n++] = (unsigned char)data[i] >= 0x20 &&
		    (unsigned char)data[i] < 0x7f ? data[i] : '?';
	if (i < len && data[i] != '\n') {
		memcpy(head + n, "...", 3);
		n += 3;
	}
	head[n] = '\0';
	return (segur_asprintf("le fichier n'est pas du JSON : il commence "
	    "par « %s » alors qu'un fichier retourné par l'ASP est un objet "
	    "JSON qui commence par « { ». S'il s'agit du texte d'un refus du "
	    "fichier entier par le portail (contrôle 1), enregistrer ce refus "
	    "(segurctl file refused) : aucune réponse ligne à ligne ne "
	    "viendra", head));
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
	char				*ex;
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
		return (segur_cause(g->cause, rc, "mémoire épuisée"));
	}
	/* Not JSON at all: say so, not what its first word looked like
	 * to a JSON parser ("nombre mal écrit" for a date). */
	if (!rep.structure_ok && (*reason = not_json_reason(g->data,
	    g->len)) != NULL) {
		segur_report_release(&rep);
		cJSON_Delete(*tree);
		*tree = NULL;
		return (0);
	}
	if (!rep.structure_ok) {
		segur_buf_adds(&b, "structure illisible :");
		for (i = 0; i < rep.nfindings; i++) {
			if (rep.findings[i].rule->scope !=
			    SEGUR_SCOPE_STRUCTURE)
				continue;
			/* Messages may quote the file ("près de ..."):
			 * escaped, so that no raw byte reaches a reason,
			 * an alert or a log line. */
			ex = segur_excerpt(rep.findings[i].message,
			    strlen(rep.findings[i].message), 400);
			segur_buf_addf(&b, " %s [%s]", ex != NULL ? ex : "?",
			    rep.findings[i].rule->id);
			free(ex);
		}
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if (rc == SQLITE_DONE)
		return (SEGUR_ENOENT);
	if (rc != SQLITE_ROW)
		return (segur__db_error(g->l, g->cause, "recherche de la ligne de solde"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur__db_error(g->l, g->cause, "enregistrement de la ligne de solde"));
	if ((il->numeroASP = strdup(rl->numeroASP)) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
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
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée");
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
	else if (g->dup[i] != NULL && strcmp(s.outcome, "pending") == 0) {
		rc = line_anomaly(g, il, rl, &s.a, "numero_asp_duplicate",
		    g->dup[i]);
		g->dup[i] = NULL;
	} else if (ans == SEGUR_ANSWER_ANOMALY)
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
		return (segur__db_error(g->l, g->cause, "lecture des lignes de solde"));
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
		    "mémoire épuisée") :
		    anomaly(g, "line_missing", d, NULL, &a);
		if (rc == 0) {
			p = realloc(g->r->anomalies,
			    (g->r->nfile_anomalies + 1) * sizeof(*p));
			if (p == NULL)
				rc = segur_cause(g->cause, SEGUR_ENOMEM,
				    "mémoire épuisée");
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
 * The request line j names, for the message of a duplicate: what
 * pick_answered() read (advances), else the balance line of its
 * numeroASP. *ref NULL when the ledger knows none.
 */
static int
dup_ref(struct ingest *g, size_t j, char **ref)
{
	struct solde_ans s;
	int		 rc;

	*ref = NULL;
	if (g->found != NULL) {
		if (g->found_rc[j] == 0 && g->found[j].ref != NULL &&
		    (*ref = strdup(g->found[j].ref)) == NULL)
			return (segur_cause(g->cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		return (0);
	}
	if ((rc = solde_find(g, g->ret.lines[j].numeroASP, &s)) ==
	    SEGUR_ENOENT)
		return (0);
	if (rc != 0)
		return (rc);
	*ref = s.a.ref;
	s.a.ref = NULL;
	solde_ans_release(&s);
	return (0);
}

/*
 * A numeroASP carried by two or more lines of one answer settles none of
 * them (spec §7): ASP gives one number per request, so at most one of
 * them can be right and the file cannot say which. Each such line gets in
 * g->dup its anomaly's text, naming the other lines (their request and
 * numeroEditeur); the lines are then recorded as anomalies instead of
 * answers. Quadratic in the lines, at most 200.
 */
static int
find_duplicates(struct ingest *g)
{
	const struct segur_retour_line *li, *lj;
	struct segur_buf b;
	char		*ref;
	size_t		 i, j, n;
	int		 rc = 0;

	if ((g->dup = calloc(g->ret.nlines + 1, sizeof(*g->dup))) == NULL)
		return (segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée"));
	for (i = 0; i < g->ret.nlines && rc == 0; i++) {
		li = &g->ret.lines[i];
		if (li->numeroASP == NULL)
			continue;
		memset(&b, 0, sizeof(b));
		for (n = 0, j = 0; j < g->ret.nlines && rc == 0; j++) {
			lj = &g->ret.lines[j];
			/* The same line repeated (same numeroEditeur, as
			   NOCASE compares it) is one request's answer twice,
			   not two requests: recorded once, as before. */
			if (j == i || lj->numeroASP == NULL ||
			    strcmp(lj->numeroASP, li->numeroASP) != 0 ||
			    (li->numeroEditeur != NULL &&
			    lj->numeroEditeur != NULL &&
			    strcasecmp(li->numeroEditeur,
			    lj->numeroEditeur) == 0))
				continue;
			if ((rc = dup_ref(g, j, &ref)) != 0)
				break;
			if (n++ == 0)
				rc = segur_buf_addf(&b, "numeroASP %s porté "
				    "aussi par ", li->numeroASP);
			else
				rc = segur_buf_adds(&b, ", ");
			if (rc == 0 && ref != NULL)
				rc = segur_buf_addf(&b, "la ligne %ld (%s, "
				    "numéro éditeur %s)", lj->index + 1, ref,
				    lj->numeroEditeur != NULL ?
				    lj->numeroEditeur : "absent");
			else if (rc == 0)
				rc = segur_buf_addf(&b, "la ligne %ld "
				    "(numéro éditeur %s inconnu du registre)",
				    lj->index + 1, lj->numeroEditeur != NULL ?
				    lj->numeroEditeur : "absent");
			free(ref);
		}
		if (rc == 0 && n > 0 && (rc = segur_buf_addf(&b, " de ce "
		    "fichier : aucune de ces lignes n'est enregistrée, l'ASP "
		    "ne donne qu'un numéro par demande")) == 0 &&
		    (g->dup[i] = segur_buf_detach(&b)) == NULL)
			rc = SEGUR_ENOMEM;
		segur_buf_release(&b);
		if (rc == SEGUR_ENOMEM)
			rc = segur_cause(g->cause, rc, "mémoire épuisée");
	}
	return (rc);
}

/* Frees what find_duplicates() kept. */
static void
dup_release(struct ingest *g)
{
	size_t	 i;

	for (i = 0; g->dup != NULL && i < g->ret.nlines; i++)
		free(g->dup[i]);
	free(g->dup);
	g->dup = NULL;
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
		rc = segur_cause(g->cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	g->r->nlines = g->ret.nlines;
	if ((rc = find_duplicates(g)) != 0)
		goto fail;
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
	if ((rc = alerts_flush(g)) != 0)
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
	char	*reason = NULL, *ex;
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
		if (rc == SEGUR_EINVAL) {
			ex = reason != NULL ? segur_excerpt(reason,
			    strlen(reason), 400) : NULL;
			rc = ex == NULL ? segur_cause(g->cause, SEGUR_ENOMEM,
			    "mémoire épuisée") : quarantine(g, ex);
			free(ex);
		}
		free(reason);
		return (rc);
	}
	/*
	 * The spec's bound, refused whole before any line is looked at: a
	 * 60,000-line answer is no answer of ASP, and its lines are not
	 * worth 60,000 anomalies and as many alerts.
	 */
	if (g->ret.nlines > SEGUR_INGEST_MAX_LINES) {
		if ((reason = segur_asprintf("%zu lignes dans lignesImport : "
		    "un fichier retourné en compte de 1 à %d ; refusé en "
		    "entier, aucune ligne appliquée", g->ret.nlines,
		    SEGUR_INGEST_MAX_LINES)) == NULL)
			return (segur_cause(g->cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
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
	struct stat		 st;
	const char		*what;
	char			*copy, *why = NULL, *reason = NULL;
	size_t			 max;
	int			 fd, rc;

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
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	free(copy);
	max = o->max_bytes > 0 ? o->max_bytes : SEGUR_VALIDATE_MAX_BYTES;
	if (o->before_open != NULL)
		o->before_open(o->hook_arg, path);
	/* One way in for segurctl and segurd: the descriptor checked is
	 * the one read (util.h). */
	rc = segur_open_untrusted(path, max, &fd, &st, &what, &why);
	if (rc == SEGUR_EINVAL && what != NULL) {
		if (!o->move) {
			rc = segur_cause(cause, rc, "%s : %s, non lu (donnez "
			    "le fichier lui-même)", path, what);
			goto out;
		}
		/* Moved aside by rename(2), which never follows a link. */
		if ((reason = segur_asprintf("%s trouvé dans la boîte de "
		    "réception à la place d'un fichier : mis de côté sans être "
		    "ouvert ni lu", what)) == NULL)
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
		else
			rc = quarantine(&g, reason);
		goto out;
	}
	if (rc == SEGUR_ETOOBIG) {
		/* Too big to be a returned file: keep it, out of the way. */
		if ((reason = segur_asprintf("fichier de %jd octets, au-delà "
		    "de la limite de %zu : non lu", (intmax_t)st.st_size,
		    max)) == NULL)
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
		else
			rc = quarantine(&g, reason);
		goto out;
	}
	if (rc != 0) {
		segur_cause(cause, rc, "%s", why);
		goto out;
	}
	rc = segur_read_fd(fd, path, (size_t)st.st_size, &g.data, &g.len,
	    &why);
	close(fd);
	if (rc != 0) {
		segur_cause(cause, rc, "%s", why);
		goto out;
	}
	segur_sha256_hex(g.data, g.len, r->sha256);
	/* segurctl, run again on a file it quarantined: said, not redone.
	 * segurd (move) must still take the file out of its inbox. */
	if (!o->move && (rc = quarantined_before(&g)) != 0) {
		if (rc == 1)
			rc = 0;
		goto out;
	}
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
	free(reason);
	free(g.data);
	found_release(&g);
	alerts_release(&g);
	dup_release(&g);
	segur_retour_release(&g.ret);
	return (rc);
}
