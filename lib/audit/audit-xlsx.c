/*
 * audit-xlsx.c: the export as an xlsx workbook (segur_audit_export_xlsx(),
 * audit.h), written with libxlsxwriter: the sheets of audit-export.c, each
 * cell typed (identifiers text, amounts euros, dates dates) so that no
 * spreadsheet guesses, and the chain head with the ledger's figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <xlsxwriter.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "audit/audit-int.h"
#include "ledger/ledger-int.h"

/* The last row of a sheet (Excel's limit: 1,048,576 rows). */
#define XLSX_ROW_MAX	1048575

/* The formats of the cells; owned by the workbook. */
struct formats {
	lxw_format	*header, *id, *amount, *date, *time;
};

/* One workbook being written. */
struct xw {
	lxw_workbook	*wb;		/* owned; workbook_close() frees */
	struct formats	 fmt;
	const char	*sheet;		/* the sheet being written */
	lxw_row_t	 row;		/* its current row */
	lxw_error	 err;		/* the first error, sticky */
	lxw_col_t	 err_col;
	lxw_row_t	 err_row;
	const char	*err_sheet;
};

/* Remembers the first failure of a libxlsxwriter call. */
static void
check(struct xw *x, lxw_col_t col, lxw_error e)
{
	if (e == LXW_NO_ERROR || x->err != LXW_NO_ERROR)
		return;
	x->err = e;
	x->err_sheet = x->sheet;
	x->err_row = x->row;
	x->err_col = col;
}

static lxw_format *
new_format(lxw_workbook *wb, const char *num_format, int bold)
{
	lxw_format	*f = workbook_add_format(wb);

	if (f == NULL)
		return (NULL);
	if (num_format != NULL)
		format_set_num_format(f, num_format);
	if (bold)
		format_set_bold(f);
	return (f);
}

static int
make_formats(lxw_workbook *wb, struct formats *f)
{
	f->header = new_format(wb, NULL, 1);
	f->id = new_format(wb, "@", 0);		/* text, even if edited */
	f->amount = new_format(wb, "#,##0.00\\ \"€\"", 0);
	f->date = new_format(wb, "dd/mm/yyyy", 0);
	f->time = new_format(wb, "dd/mm/yyyy hh:mm:ss", 0);
	return (f->header && f->id && f->amount && f->date && f->time ? 0 :
	    SEGUR_ENOMEM);
}

/* A date or time of the ledger as a date cell; other text as text. */
static void
write_when(struct xw *x, lxw_worksheet *ws, lxw_col_t c, const char *s)
{
	struct segur__xtime t;
	lxw_datetime	 d;
	int		 kind;

	if ((kind = segur__export_time(s, &t)) == 0) {
		check(x, c, worksheet_write_string(ws, x->row, c, s, NULL));
		return;
	}
	d.year = t.year;
	d.month = t.month;
	d.day = t.day;
	d.hour = t.hour;
	d.min = t.min;
	d.sec = t.sec;
	check(x, c, worksheet_write_datetime(ws, x->row, c, &d,
	    kind == 1 ? x->fmt.date : x->fmt.time));
}

/* Writes column i of st's row from column *c on; advances *c. */
static void
write_cell(struct xw *x, lxw_worksheet *ws, const struct segur__xcol *col,
    sqlite3_stmt *st, int i, lxw_col_t *c)
{
	const char	*t = (const char *)sqlite3_column_text(st, i);
	int		 s;

	if (t == NULL) {	/* a blank cell: nothing to write */
		*c = (lxw_col_t)(*c + (col->kind == SEGUR_XCOL_STATE ? 2 : 1));
		return;
	}
	switch (col->kind) {
	case SEGUR_XCOL_ID:
		check(x, *c, worksheet_write_string(ws, x->row, *c, t,
		    x->fmt.id));
		break;
	case SEGUR_XCOL_INT:
		check(x, *c, worksheet_write_number(ws, x->row, *c,
		    (double)sqlite3_column_int64(st, i), NULL));
		break;
	case SEGUR_XCOL_AMOUNT:
		check(x, *c, worksheet_write_number(ws, x->row, *c,
		    (double)sqlite3_column_int64(st, i) / 100.0,
		    x->fmt.amount));
		break;
	case SEGUR_XCOL_DATE:
	case SEGUR_XCOL_TIME:
		write_when(x, ws, *c, t);
		break;
	case SEGUR_XCOL_STATE:
		if ((s = segur_state_parse(t)) >= 0)
			check(x, *c, worksheet_write_string(ws, x->row, *c,
			    segur_state_label((enum segur_state)s), NULL));
		(*c)++;
		check(x, *c, worksheet_write_string(ws, x->row, *c, t, NULL));
		break;
	case SEGUR_XCOL_TEXT:
		check(x, *c, worksheet_write_string(ws, x->row, *c, t, NULL));
		break;
	}
	(*c)++;
}

/* The width of a column of kind, in characters. */
static double
col_width(enum segur__xcol_kind kind)
{
	switch (kind) {
	case SEGUR_XCOL_INT:
		return (10);
	case SEGUR_XCOL_AMOUNT:
	case SEGUR_XCOL_DATE:
		return (14);
	case SEGUR_XCOL_TIME:
		return (20);
	default:
		return (18);
	}
}

/* The header row of sheet; returns its number of columns. */
static lxw_col_t
write_header(struct xw *x, lxw_worksheet *ws, const struct segur__xsheet *sh)
{
	lxw_col_t	 c = 0;
	size_t		 i;

	for (i = 0; i < sh->ncols; i++) {
		if (sh->cols[i].kind == SEGUR_XCOL_STATE) {
			check(x, c, worksheet_set_column(ws, c, c, 24, NULL));
			check(x, c, worksheet_write_string(ws, 0, c,
			    SEGUR_XCOL_STATE_LABEL, x->fmt.header));
			c++;
		}
		check(x, c, worksheet_set_column(ws, c, c,
		    col_width(sh->cols[i].kind), NULL));
		check(x, c, worksheet_write_string(ws, 0, c, sh->cols[i].name,
		    x->fmt.header));
		c++;
	}
	worksheet_freeze_panes(ws, 1, 0);
	return (c);
}

/* One sheet: its query's rows, one per row. *n receives the rows. */
static int
write_sheet(struct xw *x, struct segur_ledger *l,
    const struct segur__xsheet *sh, const struct segur_export_filter *f,
    size_t *n, char **cause)
{
	lxw_worksheet	*ws;
	sqlite3_stmt	*st;
	lxw_col_t	 c, ncols;
	size_t		 i;
	int		 rc;

	*n = 0;
	x->sheet = sh->title;
	x->row = 0;
	if ((ws = workbook_add_worksheet(x->wb, sh->title)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	ncols = write_header(x, ws, sh);
	if ((rc = segur__export_prepare(l, sh, f, &st, cause)) != 0)
		return (rc);
	while (x->err == LXW_NO_ERROR &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (x->row == XLSX_ROW_MAX) {
			sqlite3_finalize(st);
			return (segur_cause(cause, SEGUR_EINVAL, "feuille "
			    "« %s » : plus de %d lignes, la limite d'un "
			    "classeur xlsx ; exporter en CSV, ou par OG "
			    "(--og) ou par période (--from, --to)", sh->title,
			    XLSX_ROW_MAX));
		}
		x->row++;
		for (i = 0, c = 0; i < sh->ncols; i++)
			write_cell(x, ws, &sh->cols[i], st, (int)i, &c);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (x->err == LXW_NO_ERROR && rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture de l'export"));
	check(x, 0, worksheet_autofilter(ws, 0, 0, x->row, ncols - 1));
	return (0);
}

/* The French words of each figure (segur_figure_key() gives the key). */
static const char *const figure_labels[SEGUR_FIGURE_COUNT] = {
	[SEGUR_FIGURE_REQUESTED] = "demandé à l'ASP",
	[SEGUR_FIGURE_ACCEPTED] = "accepté par l'ASP",
	[SEGUR_FIGURE_GRANTED] = "accordé",
	[SEGUR_FIGURE_ADVANCE_PAID] = "avance reçue",
	[SEGUR_FIGURE_BALANCE_REQUESTED] = "solde demandé",
	[SEGUR_FIGURE_BALANCE_PAID] = "solde reçu",
	[SEGUR_FIGURE_BALANCE_AWAITED] = "solde attendu"
};

/* Writes "name | text" on the next row of the head sheet. */
static void
head_text(struct xw *x, lxw_worksheet *ws, const char *name, const char *v)
{
	x->row++;
	check(x, 0, worksheet_write_string(ws, x->row, 0, name, NULL));
	if (v != NULL && v[0] != '\0')
		check(x, 1, worksheet_write_string(ws, x->row, 1, v, NULL));
}

/*
 * The head sheet: the chain head (the same four fields as the CSV's last
 * columns), then the figures of segur_ledger_figures() for the filter's
 * OG, never recomputed here.
 */
static int
write_head(struct xw *x, struct segur_ledger *l,
    const struct segur_chain_head *h, const struct segur_export_filter *f,
    char **cause)
{
	struct segur_figures_filter ff = { NULL, f->og, -1 };
	struct segur_figures fg;
	lxw_worksheet	*ws;
	char		*scope;
	int		 i, rc;

	x->sheet = "Tête de chaîne";
	x->row = 0;
	if ((rc = segur_ledger_figures(l, &ff, &fg, cause)) != 0)
		return (rc);
	if ((ws = workbook_add_worksheet(x->wb, x->sheet)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	check(x, 0, worksheet_set_column(ws, 0, 0, 22, NULL));
	check(x, 1, worksheet_set_column(ws, 1, 1, 68, NULL));
	check(x, 2, worksheet_set_column(ws, 2, 3, 16, NULL));
	check(x, 0, worksheet_write_string(ws, 0, 0, "champ", x->fmt.header));
	check(x, 1, worksheet_write_string(ws, 0, 1, "valeur", x->fmt.header));
	worksheet_freeze_panes(ws, 1, 0);
	head_text(x, ws, "teteChaine", h->hash);
	x->row++;
	check(x, 0, worksheet_write_string(ws, x->row, 0, "evenementsChaine",
	    NULL));
	check(x, 1, worksheet_write_number(ws, x->row, 1, (double)h->events,
	    NULL));
	x->row++;
	check(x, 0, worksheet_write_string(ws, x->row, 0, "dateTeteChaine",
	    NULL));
	if (h->at[0] != '\0')
		write_when(x, ws, 1, h->at);
	head_text(x, ws, "sceauTeteChaine", h->seal);
	scope = f->og != NULL ?
	    segur_asprintf("les demandes de l'OG %s", f->og) :
	    segur_asprintf("tout le registre");
	if (scope == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	x->row++;
	head_text(x, ws, "montants", scope);
	free(scope);
	head_text(x, ws, "", "segur_ledger_figures() ; --from et --to ne "
	    "s'appliquent pas aux montants");
	x->row++;
	check(x, 0, worksheet_write_string(ws, x->row, 0, "chiffre",
	    x->fmt.header));
	check(x, 1, worksheet_write_string(ws, x->row, 1, "libelle",
	    x->fmt.header));
	check(x, 2, worksheet_write_string(ws, x->row, 2, "demandes",
	    x->fmt.header));
	check(x, 3, worksheet_write_string(ws, x->row, 3, "montant",
	    x->fmt.header));
	for (i = 0; i < SEGUR_FIGURE_COUNT; i++) {
		head_text(x, ws, segur_figure_key((enum segur_figure)i),
		    figure_labels[i]);
		check(x, 2, worksheet_write_number(ws, x->row, 2,
		    (double)fg.count[i], NULL));
		check(x, 3, worksheet_write_number(ws, x->row, 3,
		    (double)fg.cents[i] / 100.0, x->fmt.amount));
	}
	return (0);
}

/* Fills the workbook; the caller closes it whatever happens. */
static int
write_book(struct xw *x, struct segur_ledger *l,
    const struct segur_export_filter *f, const struct segur_chain_head *h,
    size_t *nrows, char **cause)
{
	size_t	 n;
	int	 i, rc;

	if (make_formats(x->wb, &x->fmt) != 0)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	for (i = 0; i < SEGUR_XSHEET_COUNT; i++) {
		if ((rc = write_sheet(x, l, segur__export_sheet(i), f, &n,
		    cause)) != 0)
			return (rc);
		if (i == SEGUR_XSHEET_ATTEMPTS && nrows != NULL)
			*nrows = n;
	}
	return (write_head(x, l, h, f, cause));
}

int
segur_audit_export_xlsx(struct segur_ledger *l,
    const struct segur_export_filter *f, const struct segur_chain_head *h,
    const char *path, size_t *nrows, char **cause)
{
	/* Rows go to temporary files as they are written: the memory
	 * stays flat whatever the ledger's size. */
	lxw_workbook_options opt = { LXW_TRUE, NULL, LXW_FALSE };
	struct xw	 x;
	lxw_error	 closed;
	char		*tmp;
	int		 rc;

	if (nrows != NULL)
		*nrows = 0;
	memset(&x, 0, sizeof(x));
	if ((tmp = segur_asprintf("%s.segur-tmp", path)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	unlink(tmp);
	if ((x.wb = workbook_new_opt(tmp, &opt)) == NULL) {
		free(tmp);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	rc = write_book(&x, l, f, h, nrows, cause);
	closed = workbook_close(x.wb);
	if (rc == 0 && x.err != LXW_NO_ERROR)
		rc = segur_cause(cause, SEGUR_EINVAL, "feuille « %s », ligne "
		    "%u, colonne %u : %s", x.err_sheet, (unsigned)x.err_row + 1,
		    (unsigned)x.err_col + 1, lxw_strerror(x.err));
	if (rc == 0 && closed != LXW_NO_ERROR)
		rc = segur_cause(cause, SEGUR_EIO, "%s: %s", tmp,
		    lxw_strerror(closed));
	if (rc == 0 && (rc = segur_chmod(tmp, 0640, cause)) == 0 &&
	    (rc = segur__audit_fsync_file(tmp, cause)) == 0)
		rc = segur__audit_commit_file(tmp, path, cause);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return (rc);
}
