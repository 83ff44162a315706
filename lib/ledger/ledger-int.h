/*
 * ledger-int.h: what the ledger's files (lib/ledger*.c) and the lib modules
 * built on it (build, ingest) share. Not installed; not for segurctl.
 */
#ifndef SEGUR_LEDGER_INT_H
#define SEGUR_LEDGER_INT_H

#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "segur/ledger.h"

/* Prepared statements kept for the life of the handle, by SQL text. */
#define SEGUR__STMT_CACHE	64

struct segur_ledger {
	sqlite3		*db;
	char		*path;		/* owned */
	char		*actor;		/* owned */
	int		 depth;		/* transaction nesting level */
	int		 version;	/* PRAGMA user_version */
	int64_t		 validate_self;	/* request excluded from
					   finess_geo_live */
	struct {
		const char	*sql;	/* static string, compared by address */
		sqlite3_stmt	*stmt;
	}		 cache[SEGUR__STMT_CACHE];
	size_t		 ncache;
	/*
	 * "ROLLBACK", "ROLLBACK TO segur" and "RELEASE segur", prepared at
	 * open: undoing a transaction is what a failed allocation inside it
	 * calls for, and must not have to compile SQL then. (SQLite may
	 * still refuse while allocations fail; segur_ledger_begin() then
	 * finishes the rollback.)
	 */
	sqlite3_stmt	*undo[3];
	int64_t		 last_id;	/* the last event, when last_known: */
	char		 last_hash[65];	/* kept from our own append inside the
					   transaction that holds the write
					   lock; forgotten at every begin and
					   rollback */
	int		 last_known;
	EVP_MD		*sha256;	/* owned; NULL until the first event */
	EVP_MD_CTX	*mdctx;		/* owned; NULL until the first event */
	int		 event_v;	/* the version of the events we append:
					   2 from schema 12 on, else 1 */
	unsigned char	*seal_key;	/* owned, NULL: events go unsealed */
	size_t		 seal_key_len;
	time_t		 now_t;		/* segur__ledger_now_l()'s last second */
	char		 now_text[24];	/* and its text, "" before the first */
};

/* The current UTC time, "2026-11-27T13:35:02Z". */
void	segur__ledger_now(char buf[24]);

/*
 * The same, formatted once per second and handle: an ingested line asks
 * for the time three times, and strftime() showed in its profile.
 */
void	segur__ledger_now_l(struct segur_ledger *l, char buf[24]);

/* Today as "AAAA-MM-JJ" (UTC). */
void	segur__ledger_today(char buf[11]);

/*
 * A prepared statement for sql, a string of static storage: cached and
 * reset by the next call with the same sql. Borrowed until close.
 */
int	segur__stmt(struct segur_ledger *l, const char *sql,
	    sqlite3_stmt **out, char **cause);

/* SEGUR_EDB (or SEGUR_EBUSY) with SQLite's message in *cause. */
int	segur__db_error(struct segur_ledger *l, char **cause, const char *what);

/* Binds text or NULL. */
int	segur__bind_text(sqlite3_stmt *st, int i, const char *s);

/* A malloc'ed copy of column i, NULL for NULL; *oom set on failure. */
char	*segur__column_dup(sqlite3_stmt *st, int i, int *oom);

/*
 * Appends one event to the log, chained to the last one. Must run inside a
 * transaction. before and after are JSON texts or NULL; request_id 0 for
 * none.
 */
int	segur__event_append(struct segur_ledger *l, const char *action,
	    const char *entity, const char *key, int64_t request_id,
	    const char *before, const char *after, char **cause);

/* Runs one statement without result rows (schema, pragmas). */
int	segur__exec(struct segur_ledger *l, const char *sql, char **cause);

/*
 * Loads the compiled-in messaging operators (sql/ref/) into operator,
 * inside the caller's transaction (migration 1); *rows counts them.
 */
int	segur__ledger_seed_operators(struct segur_ledger *l, size_t *rows,
	    char **cause);

/* Migrates to version target (tests use it to build older ledgers). */
int	segur__ledger_migrate(struct segur_ledger *l, int target,
	    char **cause);

/* Opens without migrating or checking the version (tests). */
int	segur__ledger_open_raw(const char *path, struct segur_ledger **out,
	    char **cause);

/* The request's id and state by reference; SEGUR_ENOENT if unknown. */
int	segur__request_find(struct segur_ledger *l, const char *ref,
	    int64_t *id, enum segur_state *state, char **cause);

/*
 * The one place where a request changes state: checks the transition
 * table, updates the row (extra SQL assignments done by the caller before),
 * and logs "request.state" with before and after. Inside a transaction.
 */
int	segur__request_transition(struct segur_ledger *l, int64_t id,
	    const char *ref, enum segur_state from, enum segur_state to,
	    const char *detail_json, char **cause);

/*
 * Is from -> to an edge of the transition table performed by the function
 * named by (its "by" column)? by NULL: by anyone (segur_state_allowed()).
 * A function that checks a state before its changes asks for its own
 * edges, so that an edge added for another one (a cancelled file's
 * submitted -> ready) does not open it a way.
 */
int	segur__state_allowed_by(enum segur_state from, enum segur_state to,
	    const char *by);

/*
 * The SQL condition on a solde_line row that ASP examined it: not in a
 * file closed without an answer (refused whole at upload, or cancelled,
 * lib/ledger/ledger-file.c). A request in balance_rejected is ready for a
 * new balance when its current delivery is newer than the last such line:
 * a line of a refused file asks for no correction of the invoice.
 */
#define SEGUR__SOLDE_LINE_ANSWERED_BY_ASP \
	"file_id NOT IN (SELECT file_id FROM file_closure)"

/* ASP's answer to one attempt, for segur__attempt_answer(). */
struct segur__answer {
	int64_t		 attempt_id;
	int64_t		 request_id;
	const char	*ref;
	const char	*numero_editeur;
	const char	*numero_asp;	/* NULL: rejected */
	const char	*code;		/* verbatim, may be NULL */
	const char	*label;		/* verbatim, may be NULL */
	int64_t		 file_id;	/* the answer's file; 0 for none */
	enum segur_state state;		/* the request's, read in this
					   transaction */
};

/*
 * segur_ledger_attempt_answer() for a caller that already found the
 * attempt, inside its transaction and without a savepoint of its own (the
 * ingestion of a 200-line answer would pay one per line). Every refusal
 * (SEGUR_ESTATE: not a transition the table allows, or the attempt no
 * longer pending; SEGUR_EEXIST: numeroASP given to another request) comes
 * before the first change and leaves the transaction as it was; after any
 * other error the caller must roll the whole transaction back.
 */
int	segur__attempt_answer(struct segur_ledger *l,
	    const struct segur__answer *an, char **cause);

/* A CSV file read whole (lib/ledger/ledger-csv.c). */
struct segur__csv_row {
	char		**f;		/* owned: one block holding the
					   pointers and the NUL-terminated
					   fields (or a cell replaced by
					   segur__csv_set()) */
	size_t		 n;
	long		 row;		/* 1-based record number; header: 1 */
};

struct segur__csv {
	struct segur__csv_row *rows;	/* owned; rows[0] is the header */
	size_t		 nrows;
	size_t		 cap;
	char		 delim;		/* ';' or ',' */
	const char	*encoding;	/* static, see struct segur_import */
	char		**extra;	/* owned: segur__csv_set()'s cells */
	size_t		 nextra;
};

/*
 * Reads buf[0..len) as CSV: UTF-8 (with or without BOM) when it is valid
 * UTF-8, else Windows-1252 converted with iconv(3); ';' or ',' (the one
 * the header line uses most); quotes as RFC 4180; cells trimmed of spaces
 * and tabs; data rows whose cells are all empty skipped. Enforces the
 * SEGUR_CSV_MAX_* limits and refuses NUL bytes. Findings go to errors;
 * returns SEGUR_EINVAL when there are some, SEGUR_ENOMEM, or 0.
 */
int	segur__csv_read(const char *buf, size_t len, struct segur__csv *out,
	    struct segur_csv_errors *errors);
void	segur__csv_release(struct segur__csv *c);

/* Adds a finding; SEGUR_ENOMEM if it could not. */
int	segur__csv_error(struct segur_csv_errors *e, long row,
	    const char *column, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * Finds each of names[0..n) in the header: a header cell matches when it
 * folds (segur__csv_fold()) to the name. idx[i] gets its column or -1. A
 * missing name whose required[i] is set, or a name found twice, is an
 * error on row 1; a header cell matching no name is a warning (when
 * warnings is not NULL).
 */
int	segur__csv_columns(const struct segur__csv *c, const char *const *names,
	    const int *required, int *idx, size_t n,
	    struct segur_csv_errors *errors, struct segur_csv_errors *warnings);

/*
 * A header's folded form: Unicode NFKD, case folded, marks stripped, runs
 * of white space, '_' and '-' made one '_', none at either end ("  Régime
 * TVA " -> "regime_tva"). *out is malloc'ed (caller frees). 0 or
 * SEGUR_ENOMEM, SEGUR_EINVAL for text that is not UTF-8.
 */
int	segur__csv_fold(const char *s, char **out);

/* Field idx of row r, "" when the row is short or idx is -1. */
const char *segur__csv_field(const struct segur__csv_row *r, int idx);

/* The header cell idx as written in the file, or NULL. */
const char *segur__csv_header(const struct segur__csv *c, int idx);

/* Replaces cell idx of rows[row] with a copy of v (a normalized value). */
int	segur__csv_set(struct segur__csv *c, size_t row, int idx,
	    const char *v);

/*
 * An amount as spreadsheets write it: "5840", "5840.00", "2 190,00" (space,
 * U+00A0 or U+202F between groups of three digits), "4 866,67 €". 0 and
 * *cents, or -1.
 */
int	segur__csv_amount(const char *s, int64_t *cents);

/*
 * A number of width digits that a spreadsheet stored as a number and so
 * lost its leading zero (FINESS 9, SIRET 14): when s is width - 1 digits,
 * writes "0" and s into out (width + 1 bytes) and returns 1; else 0.
 */
int	segur__csv_zero_fix(const char *s, size_t width, char *out);

/*
 * A date JJ/MM/AAAA, also written J/M/AAAA or AAAA-MM-JJ: 0 and out as
 * JJ/MM/AAAA; 1 for a two-digit year (JJ/MM/AA), out then holds the date
 * with 20AA as a hint; -1 otherwise.
 */
int	segur__csv_date(const char *s, char out[11]);

/* Is s a FINESS: 9 digits, or 2A/2B and 7 digits? */
int	segur__finess_ok(const char *s);

/*
 * Checks the FINESS cell col of c->rows[i] (named name in findings): an
 * 8-digit one gets back the leading zero a spreadsheet took (a warning in
 * w). 0, SEGUR_EINVAL (an error in e) or SEGUR_ENOMEM.
 */
int	segur__csv_finess(struct segur__csv *c, size_t i, int col,
	    const char *name, struct segur_csv_errors *e,
	    struct segur_csv_errors *w);

/* The columns of a reference import (static). */
const char *const *segur__ref_columns(enum segur_import_kind kind,
	    size_t *n);

/* The columns of record import (static; lib/ledger/record-import.c). */
const char *const *segur__record_columns(size_t *n);

#endif /* SEGUR_LEDGER_INT_H */
