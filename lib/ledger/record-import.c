/*
 * record-import.c: ASP's decisions and payments from a spreadsheet, all or
 * nothing (segurctl record import). The CSV is read by ledger-csv.c like
 * every other import; each row is recorded by segur_ledger_record() or
 * segur_solde_paid(), so that a row obeys exactly the rules of the record
 * commands. docs/ledger.md lists the columns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/* The columns, in the template's order. */
static const char *const column_names[] = {
#define C_ASP		0
	"numero_asp",
#define C_TYPE		1
	"type",
#define C_DATE		2
	"date",
#define C_MONTANT	3
	"montant",
#define C_COURRIER	4
	"courrier",
#define C_NOTE		5
	"note",
#define C_FORCE		6
	"force_motif",
};
#define NCOLUMNS (sizeof(column_names) / sizeof(column_names[0]))

static const int column_required[NCOLUMNS] = { 1, 1, 1, 0, 0, 0, 0 };

/* The words of the type column (folded), and what each records. */
static const struct {
	const char	*word;
	int		 kind;
} type_words[] = {
	{ "accord", SEGUR_RECORD_GRANT },
	{ "grant", SEGUR_RECORD_GRANT },
	{ "refus", SEGUR_RECORD_REFUSAL },
	{ "refusal", SEGUR_RECORD_REFUSAL },
	{ "avance", SEGUR_RECORD_ADVANCE_PAID },
	{ "avance_versee", SEGUR_RECORD_ADVANCE_PAID },
	{ "advance_paid", SEGUR_RECORD_ADVANCE_PAID },
	{ "solde", SEGUR_RECORD_BALANCE_PAID },
	{ "solde_verse", SEGUR_RECORD_BALANCE_PAID },
	{ "balance_paid", SEGUR_RECORD_BALANCE_PAID },
};

/* One row being imported: its public line and the cells it borrows. */
struct rline {
	struct segur_record_line *pub;	/* borrowed, in the caller's array */
	const char	*letter;	/* borrowed from the CSV, or NULL */
	const char	*note;
	const char	*reason;
};

struct rimport {
	struct segur__csv	*c;
	int			 idx[NCOLUMNS];
	struct segur_csv_errors	*e;
	struct rline		*lines;	/* owned */
	size_t			 n;
	size_t			 refused;
	int			 oom;
};

const char *const *
segur__record_columns(size_t *n)
{
	*n = NCOLUMNS;
	return (column_names);
}

void
segur_record_lines_release(struct segur_record_lines *lines)
{
	size_t	 i;

	for (i = 0; i < lines->n; i++)
		free(lines->v[i].message);
	free(lines->v);
	lines->v = NULL;
	lines->n = 0;
}

/* The header cell of column k as the file writes it. */
static const char *
colname(struct rimport *im, int k)
{
	const char *h = segur__csv_header(im->c, im->idx[k]);

	return (h != NULL && h[0] != '\0' ? h : column_names[k]);
}

/* Refuses line x: the message in the line and in the findings, at column
 * k (-1: the whole row). */
static void refuse(struct rimport *, struct rline *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
refuse(struct rimport *im, struct rline *x, int k, const char *fmt, ...)
{
	va_list	 ap, ap2;
	char	*m = NULL;
	int	 n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0 && (m = malloc((size_t)n + 1)) != NULL)
		vsnprintf(m, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	va_end(ap);
	if (m == NULL || segur__csv_error(im->e, x->pub->row, k >= 0 ?
	    colname(im, k) : NULL, "%s", m) != 0) {
		free(m);
		im->oom = 1;
		return;
	}
	if (x->pub->fate != SEGUR_LINE_REFUSED)
		im->refused++;
	x->pub->fate = SEGUR_LINE_REFUSED;
	/* The first reason is the line's. */
	if (x->pub->message == NULL)
		x->pub->message = m;
	else
		free(m);
}

static const char *
text_or_null(const char *s)
{
	return (s[0] != '\0' ? s : NULL);
}

/* The cell of column k of data row i. */
static const char *
cell(struct rimport *im, size_t i, int k)
{
	return (segur__csv_field(&im->c->rows[i], im->idx[k]));
}

/* Reads data row i into x, refusing what the spreadsheet got wrong. */
static void
read_line(struct rimport *im, size_t i, struct rline *x)
{
	const char	*asp = cell(im, i, C_ASP), *type = cell(im, i, C_TYPE);
	const char	*date = cell(im, i, C_DATE);
	const char	*montant = cell(im, i, C_MONTANT);
	const char	*force = cell(im, i, C_FORCE);
	char		 fr[11], *folded = NULL;
	size_t		 k;
	int		 rc;

	x->pub->row = im->c->rows[i].row;
	x->pub->kind = -1;
	x->pub->amount_cents = -1;
	x->letter = text_or_null(cell(im, i, C_COURRIER));
	x->note = text_or_null(cell(im, i, C_NOTE));
	x->reason = text_or_null(force);
	x->pub->forced = x->reason != NULL;
	if (asp[0] == '\0' || strlen(asp) >= sizeof(x->pub->numero_asp))
		refuse(im, x, C_ASP, "numéro ASP « %s » : 1 à %zu caractères "
		    "attendus", asp, sizeof(x->pub->numero_asp) - 1);
	else
		snprintf(x->pub->numero_asp, sizeof(x->pub->numero_asp), "%s",
		    asp);
	if ((rc = segur__csv_fold(type, &folded)) == SEGUR_ENOMEM) {
		im->oom = 1;
		return;
	}
	for (k = 0; folded != NULL && k < sizeof(type_words) /
	    sizeof(type_words[0]); k++)
		if (strcmp(folded, type_words[k].word) == 0)
			x->pub->kind = type_words[k].kind;
	free(folded);
	if (x->pub->kind < 0)
		refuse(im, x, C_TYPE, "type « %s » inconnu : accord, refus, "
		    "avance ou solde attendu", type);
	rc = segur__csv_date(date, fr);
	if (rc == 0)
		snprintf(x->pub->date, sizeof(x->pub->date), "%.4s-%.2s-%.2s",
		    fr + 6, fr + 3, fr);
	else if (rc == 1)
		refuse(im, x, C_DATE, "date « %s » : année sur deux chiffres, "
		    "écrivez-la en entier (%s ?)", date, fr);
	else
		refuse(im, x, C_DATE, "date « %s » invalide : JJ/MM/AAAA ou "
		    "AAAA-MM-JJ attendu", date);
	if (montant[0] != '\0' && (segur__csv_amount(montant,
	    &x->pub->amount_cents) != 0 || x->pub->amount_cents <= 0)) {
		x->pub->amount_cents = -1;
		refuse(im, x, C_MONTANT, "montant « %s » invalide : des euros "
		    "> 0, au plus 2 décimales (1460, 1460,00, 1 460,00 €, "
		    "1460.00)", montant);
		return;
	}
	switch (x->pub->kind) {
	case SEGUR_RECORD_ADVANCE_PAID:
	case SEGUR_RECORD_BALANCE_PAID:
		if (montant[0] == '\0')
			refuse(im, x, C_MONTANT, "montant requis pour %s",
			    x->pub->kind == SEGUR_RECORD_ADVANCE_PAID ?
			    "une avance" : "un solde");
		break;
	case SEGUR_RECORD_REFUSAL:
		if (montant[0] != '\0')
			refuse(im, x, C_MONTANT, "un refus n'a pas de montant "
			    "(« %s »)", montant);
		/* FALLTHROUGH */
	case SEGUR_RECORD_GRANT:
		if (x->reason != NULL)
			refuse(im, x, C_FORCE, "force_motif ne s'applique qu'au "
			    "montant d'une avance ou d'un solde");
		break;
	}
}

/* The name of a kind in messages: masculine, as "%s déjà enregistré" has
 * it. */
static const char *
kind_fr(int k)
{
	switch (k) {
	case SEGUR_RECORD_GRANT:
		return ("accord");
	case SEGUR_RECORD_REFUSAL:
		return ("refus");
	case SEGUR_RECORD_ADVANCE_PAID:
		return ("versement de l'avance");
	default:
		return ("versement du solde");
	}
}

/* A day "AAAA-MM-JJ" as "JJ/MM/AAAA" in b, or iso itself. */
static const char *
day_fr(const char *iso, char b[SEGUR_DATE_FR_BUFSZ])
{
	return (segur_date_fr(iso, b) != NULL ? b : iso);
}

/* " pour 1 460,00 €", or "" without an amount (b holds it). */
static const char *
for_amount(int64_t cents, char b[SEGUR_AMOUNT_BUFSZ + 16])
{
	char	 a[SEGUR_AMOUNT_BUFSZ];

	if (cents < 0)
		return ("");
	snprintf(b, SEGUR_AMOUNT_BUFSZ + 16, " pour %s €",
	    segur_amount_format_fr(cents, a));
	return (b);
}

/*
 * Compares x with what the ledger holds of its kind (a grant and a
 * refusal are one decision): *done is 1 when x is unchanged or refused as
 * a contradiction, 0 when it is still to record.
 */
static int
against_ledger(struct rimport *im, struct segur_ledger *l, struct rline *x,
    int *done, char **cause)
{
	static const char *const q_prev =
	    "SELECT d.kind, d.date, coalesce(d.amount_cents, r.montant_cents, "
	    "-1), d.letter_ref FROM decision d JOIN request r ON "
	    "r.id = d.request_id WHERE r.numero_asp = ?1 AND "
	    "instr(?2, ',' || d.kind || ',') > 0 ORDER BY d.id DESC LIMIT 1";
	static const char *const q_req =
	    "SELECT coalesce(montant_cents, -1) FROM request WHERE "
	    "numero_asp = ?";
	const struct segur_record_line *p = x->pub;
	sqlite3_stmt	*st;
	char		 kind[24], date[11], letter[128];
	char		 b1[SEGUR_AMOUNT_BUFSZ + 16];
	char		 b2[SEGUR_AMOUNT_BUFSZ + 16];
	char		 d1[SEGUR_DATE_FR_BUFSZ], d2[SEGUR_DATE_FR_BUFSZ];
	int64_t		 amount, mine = p->amount_cents;
	int		 rc, k, have_letter;

	*done = 0;
	if ((rc = segur__stmt(l, q_prev, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, p->numero_asp);
	segur__bind_text(st, 2, p->kind == SEGUR_RECORD_GRANT ||
	    p->kind == SEGUR_RECORD_REFUSAL ? ",grant,refusal," :
	    p->kind == SEGUR_RECORD_ADVANCE_PAID ? ",advance_paid," :
	    ",balance_paid,");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(kind, sizeof(kind), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		snprintf(date, sizeof(date), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		amount = sqlite3_column_int64(st, 2);
		have_letter = sqlite3_column_type(st, 3) != SQLITE_NULL;
		snprintf(letter, sizeof(letter), "%s", have_letter ?
		    (const char *)sqlite3_column_text(st, 3) : "");
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return (0);
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "lecture des décisions"));
	k = strcmp(kind, "grant") == 0 ? SEGUR_RECORD_GRANT :
	    strcmp(kind, "refusal") == 0 ? SEGUR_RECORD_REFUSAL : p->kind;
	/* A grant without an amount is the amount requested. */
	if (p->kind == SEGUR_RECORD_GRANT && mine < 0) {
		if ((rc = segur__stmt(l, q_req, &st, cause)) != 0)
			return (rc);
		segur__bind_text(st, 1, p->numero_asp);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			mine = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return (segur__db_error(l, cause,
			    "lecture de la demande"));
	}
	if (k == SEGUR_RECORD_REFUSAL)
		amount = -1;
	if (p->kind == SEGUR_RECORD_REFUSAL)
		mine = -1;
	*done = 1;
	if (k != p->kind || strcmp(date, p->date) != 0 || amount != mine)
		refuse(im, x, -1, "contredit le registre : %s enregistré le "
		    "%s%s, le fichier dit %s le %s%s (corrigez le fichier, ou "
		    "le registre si le fichier a raison)", kind_fr(k),
		    day_fr(date, d1), for_amount(amount, b1), kind_fr(p->kind),
		    day_fr(p->date, d2), for_amount(mine, b2));
	else if (have_letter && x->letter != NULL &&
	    strcmp(letter, x->letter) != 0)
		refuse(im, x, C_COURRIER, "contredit le registre : %s du %s "
		    "enregistré avec le courrier « %s », le fichier dit « %s »",
		    kind_fr(k), day_fr(date, d1), letter, x->letter);
	else {
		x->pub->fate = SEGUR_LINE_UNCHANGED;
		if ((x->pub->message = segur_asprintf("%s déjà enregistré le "
		    "%s%s : rien à faire", kind_fr(k), day_fr(date, d1),
		    for_amount(amount, b1))) == NULL)
			im->oom = 1;
	}
	return (0);
}

/* Records line x in the open transaction; a refusal is the line's. */
static int
record_line(struct rimport *im, struct segur_ledger *l, struct rline *x,
    char **cause)
{
	struct segur_record rec;
	char		*why = NULL;
	int		 rc, done;

	if ((rc = against_ledger(im, l, x, &done, cause)) != 0 || done)
		return (rc);
	memset(&rec, 0, sizeof(rec));
	rec.date = x->pub->date;
	rec.amount_cents = x->pub->amount_cents;
	rec.letter_ref = x->letter;
	rec.note = x->note;
	rec.force = x->pub->forced;
	rec.reason = x->reason;
	/* Each joins the transaction as a savepoint: a refusal undoes only
	 * its own line. */
	if (x->pub->kind == SEGUR_RECORD_BALANCE_PAID)
		rc = segur_solde_paid(l, x->pub->numero_asp, &rec, &why);
	else
		rc = segur_ledger_record(l,
		    (enum segur_record_kind)x->pub->kind, x->pub->numero_asp,
		    &rec, &why);
	switch (rc) {
	case 0:
		break;
	case SEGUR_EINVAL:
	case SEGUR_ENOENT:
	case SEGUR_EEXIST:
	case SEGUR_ESTATE:
		refuse(im, x, rc == SEGUR_ENOENT ? C_ASP : -1, "%s",
		    why != NULL ? why : segur_strerror(rc));
		rc = 0;
		break;
	default:
		/* The ledger itself failed: the caller rolls back. */
		if (cause != NULL) {
			*cause = why;
			why = NULL;
		}
		break;
	}
	free(why);
	return (rc);
}

/* Grants and refusals first, then advances, then balances; file order
 * within each. */
static int
rank(int kind)
{
	return (kind == SEGUR_RECORD_ADVANCE_PAID ? 1 :
	    kind == SEGUR_RECORD_BALANCE_PAID ? 2 : 0);
}

static int
line_cmp(const void *a, const void *b)
{
	const struct rline *x = a, *y = b;
	int	 d = rank(x->pub->kind) - rank(y->pub->kind);

	if (d != 0)
		return (d);
	return (x->pub->row < y->pub->row ? -1 : x->pub->row > y->pub->row);
}

/* Reads every data row of im->c into lines (one each), refusing what the
 * spreadsheet got wrong. 0 or SEGUR_ENOMEM. */
static int
read_lines(struct rimport *im, struct segur_record_lines *lines)
{
	size_t	 i;

	im->n = im->c->nrows - 1;
	if (im->n == 0)
		return (0);
	if ((lines->v = calloc(im->n, sizeof(*lines->v))) == NULL ||
	    (im->lines = calloc(im->n, sizeof(*im->lines))) == NULL)
		return (SEGUR_ENOMEM);
	lines->n = im->n;
	for (i = 0; i < im->n && !im->oom; i++) {
		im->lines[i].pub = &lines->v[i];
		read_line(im, i + 1, &im->lines[i]);
	}
	return (im->oom ? SEGUR_ENOMEM : 0);
}

int
segur_ledger_record_import_csv(struct segur_ledger *l, const char *buf,
    size_t len, struct segur_import *out, struct segur_record_lines *lines,
    char **cause)
{
	const char	*name = out->name != NULL ? out->name : "-";
	struct segur__csv c;
	struct rimport	 im;
	size_t		 i;
	int		 rc;

	memset(&out->errors, 0, sizeof(out->errors));
	memset(&out->warnings, 0, sizeof(out->warnings));
	out->rows = out->added = out->updated = out->unchanged =
	    out->changed = out->removed = 0;
	memset(lines, 0, sizeof(*lines));
	memset(&im, 0, sizeof(im));
	if ((rc = segur__csv_read(buf, len, &c, &out->errors)) != 0) {
		segur__csv_release(&c);
		return (segur_cause(cause, rc, rc == SEGUR_ENOMEM ?
		    "mémoire épuisée" : "%s: %zu erreur(s), rien n'est "
		    "enregistré", name, out->errors.n));
	}
	out->encoding = c.encoding;
	out->delim = c.delim;
	im.c = &c;
	im.e = &out->errors;
	if ((rc = segur__csv_columns(&c, column_names, column_required,
	    im.idx, NCOLUMNS, im.e, &out->warnings)) != 0) {
		rc = segur_cause(cause, rc, rc == SEGUR_ENOMEM ?
		    "mémoire épuisée" : "%s: %zu erreur(s), rien n'est "
		    "enregistré", name, out->errors.n);
		goto done;
	}
	if (c.nrows < 2 && segur__csv_error(&out->warnings, 0, NULL,
	    "aucune ligne de données : rien à enregistrer") != 0)
		im.oom = 1;
	if (im.oom || (rc = read_lines(&im, lines)) != 0) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto done;
	}
	out->rows = im.n;
	/* Lines the spreadsheet got wrong are refused already; the others
	 * are still tried, so that one run reports every line's fate. */
	if (im.n > 0)
		qsort(im.lines, im.n, sizeof(*im.lines), line_cmp);
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	for (i = 0; i < im.n && rc == 0 && !im.oom; i++)
		if (im.lines[i].pub->fate == SEGUR_LINE_OK)
			rc = record_line(&im, l, &im.lines[i], cause);
	if (rc == 0 && im.oom)
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
	if (rc == 0 && im.refused > 0)
		rc = segur_cause(cause, SEGUR_EINVAL, "%s: %zu ligne(s) "
		    "refusée(s), rien n'est enregistré", name, im.refused);
	for (i = 0; i < im.n; i++) {
		if (lines->v[i].fate == SEGUR_LINE_OK)
			out->added++;
		else if (lines->v[i].fate == SEGUR_LINE_UNCHANGED)
			out->unchanged++;
	}
	if (rc != 0 || (out->flags & SEGUR_IMPORT_DRY_RUN)) {
		/* A dry run checked everything by doing it: undo it. */
		segur_ledger_rollback(l);
		goto done;
	}
	rc = segur_ledger_commit(l, cause);
done:
	if (rc != 0 && rc != SEGUR_EINVAL)
		out->added = out->unchanged = 0;
	free(im.lines);
	segur__csv_release(&c);
	return (rc);
}
