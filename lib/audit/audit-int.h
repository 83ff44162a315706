/*
 * audit-int.h: what lib/audit*.c share. Not installed.
 */
#ifndef SEGUR_AUDIT_INT_H
#define SEGUR_AUDIT_INT_H

/* fsync()s the file at path. */
int	segur__audit_fsync_file(const char *path, char **cause);

/* Renames tmp to path, then fsyncs path's folder. */
int	segur__audit_commit_file(const char *tmp, const char *path,
	    char **cause);

/* The ISO 8601 week of "AAAA-MM-JJ..." as "AAAA-Snn" (report.c); 0 or
 * SEGUR_EINVAL for text that is not a date. */
int	segur__audit_iso_week(const char *date, char out[16]);

/* ------------------------------------------------------------------ */
/* Exports (audit-export.c, audit-xlsx.c). */

struct segur_export_filter;
struct segur_ledger;
struct sqlite3_stmt;

/* What a column holds, which says how each format writes it. */
enum segur__xcol_kind {
	SEGUR_XCOL_TEXT,	/* free text */
	SEGUR_XCOL_ID,		/* an identifier: text, never a number */
	SEGUR_XCOL_INT,
	SEGUR_XCOL_AMOUNT,	/* cents */
	SEGUR_XCOL_DATE,	/* "AAAA-MM-JJ" */
	SEGUR_XCOL_TIME,	/* "AAAA-MM-JJTHH:MM:SSZ" (UTC) */
	SEGUR_XCOL_STATE	/* a state name: written as two columns, the
				   French label (libelleEtat) then the code */
};

/* The header of the column a SEGUR_XCOL_STATE column adds before it. */
#define SEGUR_XCOL_STATE_LABEL	"libelleEtat"

struct segur__xcol {
	const char		*name;
	enum segur__xcol_kind	 kind;
};

/* One sheet: a query whose result columns are cols, in that order. */
struct segur__xsheet {
	const char		*title;	/* the xlsx sheet's name */
	const char		*sql;	/* ?1 OG, ?2 from, ?3 to */
	const struct segur__xcol *cols;
	size_t			 ncols;
};

/* The sheets of the xlsx export: requests, attempts (the rows of the CSV
 * and JSON forms), payments, anomalies. Static. */
enum { SEGUR_XSHEET_REQUESTS, SEGUR_XSHEET_ATTEMPTS, SEGUR_XSHEET_PAYMENTS,
	SEGUR_XSHEET_ANOMALIES, SEGUR_XSHEET_COUNT };
const struct segur__xsheet *segur__export_sheet(int which);

/* Prepares sheet's query with the filter bound into *st (finalize it). */
int	segur__export_prepare(struct segur_ledger *l,
	    const struct segur__xsheet *sheet,
	    const struct segur_export_filter *f, struct sqlite3_stmt **st,
	    char **cause);

/* The calendar fields of a date or time of the ledger. */
struct segur__xtime {
	int	 year, month, day, hour, min, sec;
};

/*
 * Reads "AAAA-MM-JJ" (returns 1) or "AAAA-MM-JJTHH:MM:SSZ" (returns 2)
 * into *t, checking the day exists; 0 for anything else (*t undefined).
 */
int	segur__export_time(const char *s, struct segur__xtime *t);

#endif /* SEGUR_AUDIT_INT_H */
