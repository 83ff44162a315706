/*
 * ledger.h: the ledger, one SQLite database holding every request, number,
 * file, decision and event (docs/internals/ledger.md).
 *
 * One handle per process and thread: segurctl and segurd each open the same
 * file (WAL, synchronous=FULL, foreign keys on, busy timeout). A handle is
 * never used by two threads at once: it has no mutex of its own
 * (NOMUTEX). Every function that changes something is one transaction
 * (BEGIN IMMEDIATE) that also appends its events to the hash-chained event
 * log; when the caller has opened a transaction with segur_ledger_begin(),
 * the function joins it (a savepoint) so that build and ingest record a
 * whole batch at once.
 *
 * Errors: 0 or a negative SEGUR_E* code; when cause is not NULL, *cause
 * receives a malloc'ed sentence (caller frees). Domain refusals (a state
 * that forbids a transition, an unknown reference) are in French, system
 * errors in English.
 */
#ifndef SEGUR_LEDGER_H
#define SEGUR_LEDGER_H

#include <stddef.h>
#include <stdint.h>

struct segur_buf;
struct segur_anomaly;
struct segur_ledger;
struct segur_report;
struct segur_validate_ctx;

/* The schema version this binary writes (PRAGMA user_version). */
#define SEGUR_LEDGER_SCHEMA_VERSION	14

/* Milliseconds a writer waits for the other process's lock. */
#define SEGUR_LEDGER_BUSY_MS		10000

/* Flags of segur_ledger_open(). */
#define SEGUR_LEDGER_CREATE	0x1	/* create the file and its folder,
					   migrate to the current schema */

/*
 * Opens the ledger at path. Without SEGUR_LEDGER_CREATE, the file must exist
 * at the current schema version (SEGUR_ENOENT: no ledger; SEGUR_ESTATE: an
 * older schema, run "segurctl init"). With it, creates or migrates, each
 * migration one transaction (idempotent). A database newer than this binary
 * is refused with SEGUR_EVERSION. *out: caller closes with
 * segur_ledger_close(). The actor of the events is the real user, login
 * name and uid, "alice (uid 1000)", with $SEGUR_ACTOR beside it when set,
 * "alice (uid 1000) « Alice Martin »" (see segur_ledger_set_actor()).
 */
int	segur_ledger_open(const char *path, unsigned flags,
	    struct segur_ledger **out, char **cause);

/*
 * segur_ledger_open() with the key that seals the events the handle
 * appends (see segur_ledger_set_seal_key(); key copied, NULL: none), set
 * before any migration so that the migrations' events are sealed too.
 */
int	segur_ledger_open_sealed(const char *path, unsigned flags,
	    const unsigned char *key, size_t keylen,
	    struct segur_ledger **out, char **cause);

/* Closes the handle, rolling back a transaction left open. NULL is ok. */
void	segur_ledger_close(struct segur_ledger *l);

/* The schema version of the open database. */
int	segur_ledger_version(struct segur_ledger *l);

/* Sets who the events name instead ("segurd" for the daemon); copied. */
int	segur_ledger_set_actor(struct segur_ledger *l, const char *actor);

/* Borrowed until segur_ledger_close() or the next set_actor(). */
const char *segur_ledger_actor(struct segur_ledger *l);

/*
 * Explicit transactions, for a batch of changes that must land together
 * (build, ingest, CSV import). begin takes the write lock at once (BEGIN
 * IMMEDIATE) so that two processes never deadlock on a lock upgrade.
 * Nesting is allowed (savepoints). rollback undoes the innermost level.
 */
int	segur_ledger_begin(struct segur_ledger *l, char **cause);
int	segur_ledger_commit(struct segur_ledger *l, char **cause);
void	segur_ledger_rollback(struct segur_ledger *l);

/*
 * Copies what the write-ahead log holds back into the database file (a
 * PASSIVE checkpoint: it waits for no reader and no writer, and copies
 * what it can), so that the next transaction starts the log afresh.
 * SQLite otherwise does it inside the commit that takes the log past 1,000
 * pages, which then costs that commit as much again: segurd runs it after
 * each file it ingests, once the file is out of the inbox (SQLite also
 * checkpoints when the last connection closes, as segurctl's do). Outside
 * any transaction (SEGUR_ESTATE).
 */
int	segur_ledger_checkpoint(struct segur_ledger *l, char **cause);

/* ------------------------------------------------------------------ */
/* Allocators: the number is taken inside the caller's transaction when
 * one is open (it is then used by what the transaction records), else in
 * a transaction of its own. Never reused, even if the request using it is
 * later rejected or withdrawn. */

/*
 * Allocates a fresh numeroEditeur: 5 characters [0-9A-Z], base 36 from
 * "00001", skipping values already used (case-insensitively), including
 * those recorded from files sent before the ledger existed. out receives
 * it, NUL-terminated.
 */
int	segur_ledger_alloc_numero_editeur(struct segur_ledger *l,
	    char out[6], char **cause);

/*
 * Records a numeroEditeur used outside the allocator (a file sent before
 * the ledger existed). SEGUR_EEXIST if it was used already.
 */
int	segur_ledger_record_numero_editeur(struct segur_ledger *l,
	    const char *value, char **cause);

/* Is value used (1), or not (0)? Negative on error. */
int	segur_ledger_numero_editeur_used(struct segur_ledger *l,
	    const char *value);

/*
 * Allocates the next rank (1..999) of the files of day ("AAAAMMJJ") for
 * numeroAns. SEGUR_ETOOBIG after 999.
 */
int	segur_ledger_alloc_file_rank(struct segur_ledger *l,
	    const char *numero_ans, const char *day, int *rank, char **cause);

/* ------------------------------------------------------------------ */
/* Files built or received (for build and ingest). */

enum segur_file_kind {
	SEGUR_FILE_SUBMISSION = 0,	/* JSON-<ans>-<day>-<NNN>.json built */
	SEGUR_FILE_RETURNED,		/* the same, annotated by ASP */
	SEGUR_FILE_DOCUMENTS,		/* a zip of supporting documents */
	SEGUR_FILE_SOLDE,		/* a balance request built */
	SEGUR_FILE_SOLDE_RETURNED	/* a balance request answered */
};

/* The kind's code in the ledger's file table ("submission", "returned",
 * "documents", "solde", "solde_returned"); NULL for no kind. Static. */
const char	*segur_file_kind_name(enum segur_file_kind k);

/* What a file record is made of. Strings are borrowed for the call. */
struct segur_file_new {
	enum segur_file_kind kind;
	int		 outgoing;	/* 1: built here, 0: received */
	const char	*name;		/* its name (without folder) */
	const char	*numero_ans;	/* or NULL */
	const char	*day;		/* "AAAAMMJJ" of its name, or NULL */
	int		 rank;		/* rank of the day, 0: none */
	const char	*sha256;	/* 64 hex digits: already stored in
					   the archive (written, fsynced) */
	int64_t		 size;
	const char	*imp_id;	/* ASP's impId, or NULL */
	int64_t		 answers;	/* id of the file it answers, or 0 */
};

/*
 * Records a file (and its archive object) with a "file.add" event.
 * SEGUR_EEXIST when a file of that direction and kind with that SHA-256 is
 * already recorded: *id then receives the existing file's id (ingest is
 * idempotent on it). *id (may be NULL) receives the new row's id.
 */
int	segur_ledger_file_add(struct segur_ledger *l,
	    const struct segur_file_new *f, int64_t *id, char **cause);



/* ------------------------------------------------------------------ */
/* Software references. */

struct segur_software {
	char		 numero_ans[11];
	char		 siret[15];
	char		*name;		/* owned, may be NULL */
	unsigned	 profiles;	/* SEGUR_PROFIL_* of validate.h */
	char		 created_at[24];
};

/* Adds a software reference. SEGUR_EEXIST if numeroAns is known. */
int	segur_ledger_software_add(struct segur_ledger *l,
	    const char *numero_ans, const char *siret, const char *name,
	    unsigned profiles, char **cause);

/* All software, by numeroAns: *out is a malloc'ed array the caller frees
 * with segur_software_free_array(). */
int	segur_ledger_software_list(struct segur_ledger *l,
	    struct segur_software **out, size_t *n, char **cause);

/* One software into *out (release with segur_software_release()). */
int	segur_ledger_software_get(struct segur_ledger *l,
	    const char *numero_ans, struct segur_software *out, char **cause);

void	segur_software_release(struct segur_software *s);
void	segur_software_free_array(struct segur_software *a, size_t n);

/*
 * Profiles as text: a comma-separated list of REFERENTIEL_ID, ESCLAVE_ID,
 * STOCKAGE_ID, PA, PH, DOM, SAAD, SOINS, SANS_SOINS (case-insensitive on
 * input). parse returns 0 or SEGUR_EINVAL naming the bad word; format
 * returns a malloc'ed string (caller frees) or NULL on ENOMEM.
 */
int	segur_profiles_parse(const char *s, unsigned *profiles, char **cause);
char	*segur_profiles_format(unsigned profiles);

/* ------------------------------------------------------------------ */
/* Reference data. */

/* One finding about a CSV input: 1-based row (the header is row 1),
 * column name (NULL for the whole row), message. */
struct segur_csv_error {
	long		 row;
	char		*column;	/* owned, may be NULL */
	char		*message;	/* owned */
};

struct segur_csv_errors {
	struct segur_csv_error *v;	/* owned array */
	size_t		 n;
};

void	segur_csv_errors_release(struct segur_csv_errors *e);

/*
 * Limits of every CSV input (docs/ledger.md, "Limits"): a file, a cell,
 * a row (its cells' bytes), the columns of a row, the records of a file
 * (header included). Past one, the read stops at once with a finding
 * naming the row and column: no cell is read whole before it is measured.
 */
#define SEGUR_CSV_MAX_BYTES	((size_t)16 * 1024 * 1024)
#define SEGUR_CSV_MAX_CELL	4096
#define SEGUR_CSV_MAX_ROW	65536
#define SEGUR_CSV_MAX_COLUMNS	100
#define SEGUR_CSV_MAX_ROWS	100000

/* What a CSV import reads. */
enum segur_import_kind {
	SEGUR_IMPORT_REQUESTS = 0,	/* request import */
	SEGUR_IMPORT_ELIGIBLE,		/* ref import eligible */
	SEGUR_IMPORT_TRANCHES,		/* ref import tranches */
	SEGUR_IMPORT_RECORDS		/* record import */
};

/* Flags of struct segur_import. */
#define SEGUR_IMPORT_DRY_RUN	0x1	/* check everything, in a transaction
					   rolled back: nothing is written */
#define SEGUR_IMPORT_UPDATE	0x2	/* request import: a reference already
					   registered as a draft is updated
					   (segur_ledger_request_edit()) */

/* What a request import did with one order (struct segur_import). */
enum segur_import_outcome {
	SEGUR_IMPORT_ADDED = 0,		/* registered as a draft */
	SEGUR_IMPORT_UPDATED,		/* its draft replaced (--update) */
	SEGUR_IMPORT_UNCHANGED		/* its draft said the same */
};

struct segur_import_ref {
	char		*ref;		/* owned: the order's reference */
	enum segur_import_outcome outcome;
};

/*
 * One CSV import: what the caller gives, then what the import found.
 * Release with segur_import_release() (also after an error).
 */
struct segur_import {
	/* In, borrowed for the call. */
	const char	*name;		/* the file's name, for the events */
	const char	*base_dir;	/* request import: the documents'
					   folder, NULL: the current one */
	unsigned	 flags;		/* SEGUR_IMPORT_* */
	/* Out. */
	const char	*encoding;	/* static: "UTF-8", "UTF-8 (BOM)",
					   "Windows-1252"; NULL if unread */
	char		 delim;		/* ';' or ',' */
	size_t		 rows;		/* data rows read */
	size_t		 added;		/* requests, or reference rows */
	size_t		 updated;	/* requests (--update) */
	size_t		 unchanged;	/* requests (--update), or reference
					   rows kept as they were */
	size_t		 changed;	/* reference rows whose values moved */
	size_t		 removed;	/* reference rows gone */
	struct segur_csv_errors errors;	  /* refusals: nothing is written */
	struct segur_csv_errors warnings; /* fixed or worth a look: a FINESS
					     given its leading zero back, an
					     unknown column, the validator's
					     findings on an imported request */
	/* Request import: each order registered, updated or unchanged (or,
	 * with SEGUR_IMPORT_DRY_RUN, that would be), in file order; empty
	 * when the import is refused. Owned array. */
	struct segur_import_ref *refs;
	size_t		 nrefs;
};

void	segur_import_release(struct segur_import *im);

/*
 * The header line of an import's template: every column it reads, as
 * French Excel opens it (UTF-8 with BOM, ';', CRLF), appended to out.
 * Importing it alone reads zero rows. 0 or SEGUR_ENOMEM.
 */
int	segur_import_template(enum segur_import_kind kind,
	    struct segur_buf *out);

/* The column names of an import, in the template's order (static). */
const char *const *segur_import_columns(enum segur_import_kind kind,
	    size_t *n);

enum segur_ref_kind {
	SEGUR_REF_ELIGIBLE = 0,	/* finess_geo, finess_juridique, tranche */
	SEGUR_REF_TRANCHES = 1	/* tranche, montant_ttc */
};

/*
 * Replaces one reference table with the rows of the CSV buf[0..len)
 * (docs/ledger.md lists the columns; ';' or ',', UTF-8 with or without
 * BOM). All or nothing: on any bad row, nothing changes, every finding is
 * in *errors (release it, also on success) and SEGUR_EINVAL is returned.
 * *rows receives the number of rows loaded. One event names the file's
 * SHA-256 and the rows added, removed and changed.
 */
int	segur_ledger_ref_import(struct segur_ledger *l,
	    enum segur_ref_kind kind, const char *name, const char *buf,
	    size_t len, size_t *rows, struct segur_csv_errors *errors,
	    char **cause);

/*
 * The same with options and a full account (struct segur_import): kind is
 * SEGUR_IMPORT_ELIGIBLE or _TRANCHES; SEGUR_IMPORT_DRY_RUN checks and
 * counts without writing. The CSV may be UTF-8 (with or without BOM) or
 * Windows-1252, ';' or ',' separated; headers match without regard to
 * case, accents and spacing.
 */
int	segur_ledger_ref_import_csv(struct segur_ledger *l,
	    enum segur_import_kind kind, const char *buf, size_t len,
	    struct segur_import *im, char **cause);

struct segur_operator {
	char	*code;		/* owned */
	char	*label;		/* owned */
};

/* The messaging operators by code: free with segur_operator_free_array(). */
int	segur_ledger_operators(struct segur_ledger *l,
	    struct segur_operator **out, size_t *n, char **cause);
void	segur_operator_free_array(struct segur_operator *a, size_t n);

/* How many rows each reference table holds (ref show). */
struct segur_ref_counts {
	int64_t		 tranche;	/* tranche amounts (ref import) */
	int64_t		 eligible;	/* eligible ESMS (ref import) */
	int64_t		 operator;	/* messaging operators (built in) */
};

int	segur_ledger_ref_counts(struct segur_ledger *l,
	    struct segur_ref_counts *out, char **cause);

/* ------------------------------------------------------------------ */
/* Requests and their state machine (lib/ledger/ledger-state.c draws it). */

enum segur_state {
	SEGUR_STATE_DRAFT = 0,
	SEGUR_STATE_READY,
	SEGUR_STATE_SUBMITTED,
	SEGUR_STATE_ACCEPTED,
	SEGUR_STATE_REJECTED,
	SEGUR_STATE_GRANTED,
	SEGUR_STATE_REFUSED,
	SEGUR_STATE_ADVANCE_PAID,
	SEGUR_STATE_BALANCE_REQUESTED,
	SEGUR_STATE_BALANCE_ACCEPTED,
	SEGUR_STATE_BALANCE_REJECTED,
	SEGUR_STATE_BALANCE_PAID,
	SEGUR_STATE_CLOSED,
	SEGUR_STATE_WITHDRAWN,
	SEGUR_STATE_COUNT
};

/* "draft", "advance_paid"...: static. NULL for an out-of-range value. */
const char	*segur_state_name(enum segur_state s);

/* "brouillon", "avance versée"...: the state in French words for people
 * (exports, report); static. NULL for an out-of-range value. */
const char	*segur_state_label(enum segur_state s);

/* Parses a state name (also with '-' for '_'); -1 if unknown. */
int	segur_state_parse(const char *name);

/* Is the transition from -> to in the transition table? 1 or 0. */
int	segur_state_allowed(enum segur_state from, enum segur_state to);

/* Is the state final (no transition leaves it)? */
int	segur_state_final(enum segur_state s);

/* ------------------------------------------------------------------ */
/* Built files closed without an answer, and the list of files. */

/*
 * A built file closed without an answer (lib/ledger/ledger-file.c): the
 * portal refused it whole at upload (control 1: no annotated JSON comes
 * back, spec section 7), or it will never be uploaded. name is the built
 * JSON file's name as build printed it ("JSON-2023000042-20231002-001.json",
 * "JSON-SOLDE-..."); reason is required and kept verbatim. Only a built
 * file with no answer yet may be closed: none of its lines answered, no
 * returned file ingested for it, not closed before (SEGUR_ESTATE naming
 * its state); SEGUR_ENOENT for a name no built file has, SEGUR_EINVAL for
 * a file that is not a request file (a zip, an answer). One transaction:
 * the file's row in file_closure and its "file.refuse" or "file.cancel"
 * event, then each of its requests:
 *
 *   refuse, advance file:  submitted -> rejected, the attempt closed as
 *                          rejected with the reason as its label (resubmit
 *                          gives it a new numeroEditeur);
 *   refuse, balance file:  balance_requested -> balance_rejected (a
 *                          balance_rejected decision, the reason as its
 *                          note), the line rejected; ready for a new
 *                          balance request;
 *   cancel, advance file:  submitted -> ready, the attempt cancelled;
 *   cancel, balance file:  balance_requested -> the state solde build
 *                          found (advance_paid or balance_rejected), the
 *                          line cancelled.
 *
 * The file's numbers are never reused (numero_editeur keeps them, its rank
 * stays taken). *out (may be NULL) receives what moved: release it with
 * segur_file_closed_release(), also on error.
 */
struct segur_file_closed_request {
	char		 ref[65];
	enum segur_state state;		/* where it went */
};

struct segur_file_closed {
	enum segur_file_kind kind;	/* SUBMISSION or SOLDE */
	struct segur_file_closed_request *v;	/* owned array, by line */
	size_t		 n;
};

int	segur_ledger_file_refuse(struct segur_ledger *l, const char *name,
	    const char *reason, struct segur_file_closed *out, char **cause);
int	segur_ledger_file_cancel(struct segur_ledger *l, const char *name,
	    const char *reason, struct segur_file_closed *out, char **cause);
void	segur_file_closed_release(struct segur_file_closed *c);

/* What a file is now (segurctl file list). */
enum segur_file_state {
	SEGUR_FSTATE_BUILT = 0,		/* built, no answer yet */
	SEGUR_FSTATE_ANSWERED,		/* an answer recorded for it */
	SEGUR_FSTATE_REFUSED,		/* refused whole at upload */
	SEGUR_FSTATE_CANCELLED,		/* never uploaded */
	SEGUR_FSTATE_INGESTED,		/* received and recorded */
	SEGUR_FSTATE_QUARANTINED	/* received, unreadable (quarantine) */
};

/* "built", "answered", "refused", "cancelled", "ingested", "quarantined";
 * NULL for no state. Static. */
const char	*segur_file_state_name(enum segur_file_state s);

/* Its French label for text ("construit", "avec réponse", "refusé à
 * l'envoi", "annulé", "reçu", "en quarantaine"); NULL for no state.
 * Static. */
const char	*segur_file_state_label(enum segur_file_state s);

/*
 * One file of segur_ledger_file_list(). Strings are borrowed for the
 * callback. A zip takes the state of the JSON file it goes with. Counts
 * are -1 where they mean nothing (a quarantined file).
 */
struct segur_file_row {
	int64_t		 id;		/* file row; 0 for a quarantined file */
	const char	*name;
	const char	*kind;		/* segur_file_kind_name()'s codes; NULL
					   when unknown (quarantined) */
	const char	*direction;	/* "out" (built) or "in" (received) */
	enum segur_file_state state;
	const char	*date;		/* recorded at, UTC */
	int64_t		 lines;		/* a request file: its lines; an
					   answer: the lines it recorded; a
					   zip: its documents */
	int64_t		 accepted;	/* lines by outcome: of a request */
	int64_t		 rejected;	/* file, as answered; of an answer, */
	int64_t		 pending;	/* what it recorded */
	int64_t		 cancelled;
	const char	*reason;	/* refused or cancelled: ops' reason;
					   quarantined: why; else NULL */
	const char	*parent;	/* a zip: its JSON file; an answer: the
					   file it answers; else NULL */
};

/* One file row as `file list --json` and segurd's /api/v1/files write it
 * (a count that means nothing is null); caller deletes; NULL on ENOMEM. */
struct cJSON *segur_file_row_json(const struct segur_file_row *r);

/*
 * Calls fn for every file built or received, and every file quarantined,
 * oldest first; fn returns 0 to go on, anything else stops the walk and
 * is returned. Read in one snapshot.
 */
int	segur_ledger_file_list(struct segur_ledger *l,
	    int (*fn)(void *arg, const struct segur_file_row *row), void *arg,
	    char **cause);

/* What a new request is made of. Strings are borrowed for the call. */
struct segur_request_new {
	const char	*ref;		/* the editor's reference (order) */
	const char	*numero_ans;	/* NULL: the only software known */
	const char	*content;	/* one line-shaped JSON object */
	size_t		 content_len;
	const char	*bdc_path;	/* order form, may be NULL */
	const char	*ht_path;	/* VAT certificate (HT), may be NULL */
};

/*
 * Registers a draft. The content must be a JSON object; the numbering keys
 * (numLigne, numeroEditeur, numeroASP, codeTraitement, libelleTraitement,
 * piecesJustificatives[].nomFichier) are the ledger's to fill and are
 * dropped. Its order, OGs (with contacts) and ESMS are indexed. Documents
 * are hashed and recorded by path. SEGUR_EEXIST for a known reference,
 * SEGUR_ENOENT for an unknown numeroAns or a missing document,
 * SEGUR_EINVAL for content that is not an object or an amount that is not
 * a whole number of cents. *id (may be NULL) receives its row id.
 */
int	segur_ledger_request_add(struct segur_ledger *l,
	    const struct segur_request_new *req, int64_t *id, char **cause);

/*
 * Registers the requests of a spreadsheet export buf[0..len) (CSV, one row
 * per ESMS, rows of one order grouped by its reference; columns in
 * docs/ledger.md), each as segur_ledger_request_add() would, all in one
 * transaction: on any bad row or refused request nothing is registered,
 * every finding is in *errors by row and column (release it, also on
 * success), and SEGUR_EINVAL is returned. Relative document paths are read
 * from base_dir (NULL: the current folder). *nrequests receives the number
 * of requests registered.
 */
int	segur_ledger_request_import(struct segur_ledger *l, const char *name,
	    const char *buf, size_t len, const char *base_dir,
	    size_t *nrequests, struct segur_csv_errors *errors, char **cause);

/*
 * The same with options and a full account (struct segur_import): with
 * SEGUR_IMPORT_UPDATE, an order already registered as a draft is replaced
 * by its rows (a "request.edit" event with the diff; unchanged when they
 * say the same), and one in any other state is refused; with
 * SEGUR_IMPORT_DRY_RUN everything is checked and counted in a transaction
 * that is rolled back. The validator's findings on each request (with the
 * ledger's reference data when loaded) are warnings naming the CSV row
 * and column the JSON path comes from.
 */
int	segur_ledger_request_import_csv(struct segur_ledger *l,
	    const char *buf, size_t len, struct segur_import *im,
	    char **cause);

/*
 * Validates a draft (or a rejected request being resubmitted) with the
 * ledger's reference data and makes it ready when no finding blocks it
 * (segur_ledger_finding_blocks()). *report receives the findings (caller
 * releases it with segur_report_release(), also on error); *promoted is 1
 * when the state changed. SEGUR_ESTATE if the request is neither draft nor
 * rejected, or if the eligible ESMS or the tranche amounts are not loaded.
 */
int	segur_ledger_request_promote(struct segur_ledger *l, const char *ref,
	    struct segur_report *report, int *promoted, char **cause);

/*
 * Replaces the content of a request that is not in flight (draft, ready
 * or rejected; not submitted, not accepted), and its order form or VAT
 * certificate when req->bdc_path / ht_path are given (req->ref names the
 * request; numero_ans is ignored). The "request.edit" event keeps the old
 * content, the new one and the JSON paths that changed. A ready request
 * goes back to draft (validate it again); a rejected one stays rejected
 * until resubmitted. *nchanges gets the number of changes (0: the same
 * content, nothing recorded).
 */
int	segur_ledger_request_edit(struct segur_ledger *l,
	    const struct segur_request_new *req, int *nchanges, char **cause);

/*
 * Withdraws a request (ops decision, reason required): allowed from draft,
 * ready, rejected, accepted and granted (docs/decisions.md). The request
 * stays, in state withdrawn; its numbers are never reused. A draft's
 * content (never sent, perhaps never valid) is dropped: the column keeps
 * "{}" and the event its SHA-256 and size, so that a draft imported by
 * mistake does not weigh on the ledger for ever.
 */
int	segur_ledger_request_withdraw(struct segur_ledger *l, const char *ref,
	    const char *reason, char **cause);

/*
 * Puts a ready request in a file: allocates a numeroEditeur, records the
 * attempt (file_id and num_ligne may be 0 when the file is recorded later
 * in the same transaction, see segur_ledger_attempt_place()) and moves the
 * request to submitted. numero_editeur receives the number. For build.
 */
int	segur_ledger_attempt_new(struct segur_ledger *l, const char *ref,
	    char numero_editeur[6], int64_t *attempt_id, char **cause);

/* Places an attempt in a recorded file at line num_ligne. For build. */
int	segur_ledger_attempt_place(struct segur_ledger *l, int64_t attempt_id,
	    int64_t file_id, int num_ligne, char **cause);

/*
 * Records ASP's answer to the pending attempt of numeroEditeur: accepted
 * (numero_asp not NULL; unique in the ledger, SEGUR_EEXIST otherwise) or
 * rejected (numero_asp NULL). code and label are kept verbatim. The
 * request moves to accepted or rejected. For ingest.
 */
int	segur_ledger_attempt_answer(struct segur_ledger *l,
	    const char *numero_editeur, const char *numero_asp,
	    const char *code, const char *label, int64_t answer_file_id,
	    char **cause);

/* Decisions and payments recorded by ops, by numeroASP. */
enum segur_record_kind {
	SEGUR_RECORD_GRANT = 0,		/* accepted -> granted */
	SEGUR_RECORD_REFUSAL,		/* accepted -> refused */
	SEGUR_RECORD_ADVANCE_PAID,	/* granted -> advance_paid */
	SEGUR_RECORD_BALANCE_REQUESTED,	/* advance_paid|balance_rejected ->
					   balance_requested */
	SEGUR_RECORD_BALANCE_ACCEPTED,	/* balance_requested -> _accepted */
	SEGUR_RECORD_BALANCE_REJECTED,	/* balance_requested -> _rejected */
	SEGUR_RECORD_BALANCE_PAID,	/* balance_accepted -> balance_paid */
	SEGUR_RECORD_CLOSE		/* balance_paid -> closed */
};

/* The code of record kind k, as decisions and events name it ("grant",
 * "advance_paid"...), or NULL for no kind. Static. */
const char *segur_record_name(int k);

struct segur_record {
	const char	*date;		/* "AAAA-MM-JJ" (or "JJ/MM/AAAA") */
	int64_t		 amount_cents;	/* -1: none (required for the two
					   payments; a grant without one is
					   the amount requested) */
	const char	*letter_ref;	/* ASP's letter reference, or NULL */
	const char	*note;		/* free text, or NULL */
	int		 force;		/* record an amount other than the
					   one expected (never past the
					   grant): reason required */
	const char	*reason;	/* why, with force; kept in the event
					   and the decision's note */
};

/*
 * Records ASP's decision or payment k on the request numero_asp and moves
 * it to the next state, in one transaction with its events. The rules on
 * money and dates (docs/decisions.md, "Money and dates") are checked
 * first, each refusal a French sentence giving the value expected and why:
 *   - the date is a calendar date, not after today, and not before the
 *     step it follows (accepted file's day <= grant <= advance paid <=
 *     delivery <= balance requested <= balance accepted <= balance paid);
 *   - a grant is > 0 and at most the amount requested (regime HT or TTC
 *     of the request); without an amount it is the amount requested;
 *   - the advance is 30 % of the grant, rounded half up to the cent; a
 *     balance (requested or paid) is the grant minus the advance; another
 *     amount only with rec->force and rec->reason (SEGUR_EINVAL
 *     otherwise);
 *   - what is paid for a request (advance + balance) never exceeds its
 *     grant, force or not.
 * SEGUR_EINVAL for a broken rule, SEGUR_ESTATE for a transition the state
 * forbids, SEGUR_ENOENT for an unknown numeroASP.
 */
int	segur_ledger_record(struct segur_ledger *l, enum segur_record_kind k,
	    const char *numero_asp, const struct segur_record *rec,
	    char **cause);

/*
 * The advance expected on a grant of granted_cents: 30 % rounded half up
 * to the cent (547.50 on 1,825.00; 1,460.00 on 4,866.67).
 */
int64_t	segur_advance_expected(int64_t granted_cents);

/* What became of one line of a record import. */
enum segur_line_fate {
	SEGUR_LINE_OK = 0,		/* passes every rule: recorded, unless
					   the run is a dry run or another
					   line is refused */
	SEGUR_LINE_UNCHANGED,		/* recorded already, identically */
	SEGUR_LINE_REFUSED		/* an error (also in im->errors) */
};

/* One data row of a record import, as read and as judged. */
struct segur_record_line {
	long		 row;		/* 1-based; the header is row 1 */
	int		 kind;		/* enum segur_record_kind: GRANT,
					   REFUSAL, ADVANCE_PAID or
					   BALANCE_PAID; -1 when unreadable */
	char		 numero_asp[64];
	char		 date[11];	/* "AAAA-MM-JJ", "" when unreadable */
	int64_t		 amount_cents;	/* -1: none given */
	int		 forced;	/* force_motif given */
	enum segur_line_fate fate;
	char		*message;	/* owned, French: why refused, or
					   what is recorded already; NULL */
};

struct segur_record_lines {
	struct segur_record_line *v;	/* owned array, in file order */
	size_t		 n;
};

void	segur_record_lines_release(struct segur_record_lines *lines);

/*
 * ASP's decisions and payments from a spreadsheet (docs/ledger.md, "record
 * import"): one row per grant, refusal, advance paid or balance paid,
 * read like every CSV import (UTF-8 or Windows-1252, ';' or ',', headers
 * without regard to case and accents). Each row passes the rules of
 * segur_ledger_record() (segur_solde_paid() for a balance), in the order
 * grant/refusal, advance, balance, then file order, so that a file may
 * hold a request's grant and its advance. A row already recorded with the
 * same date and amount is unchanged; one that contradicts the ledger (a
 * refusal where a grant is recorded, another date or amount) is refused
 * naming both values. All or nothing: one transaction, rolled back when a
 * row is refused (SEGUR_EINVAL) or im->flags has SEGUR_IMPORT_DRY_RUN.
 * im->added counts the rows recorded (or that would be), im->unchanged
 * the others; *lines receives every row's fate (release it, also after
 * an error).
 */
int	segur_ledger_record_import_csv(struct segur_ledger *l,
	    const char *buf, size_t len, struct segur_import *im,
	    struct segur_record_lines *lines, char **cause);

/* ------------------------------------------------------------------ */
/* Queries. */

/* Room for a rejection's label in a list row, NUL included. */
#define SEGUR_REJECTION_REASON_SZ	512

/* One row of a request list. Fixed-size fields: no allocation per row. */
struct segur_request_row {
	int64_t		 id;
	char		 ref[65];
	char		 numero_ans[11];
	enum segur_state state;		/* (enum segur_state)-1: a name this
					   build does not know */
	int64_t		 montant_cents;	/* -1 when unknown (draft) */
	char		 numero_editeur[6];	/* last attempt's, or "" */
	char		 numero_asp[64];	/* "" until accepted */
	char		 created_at[24];
	char		 updated_at[24];
	/* Rejected (rejected, balance_rejected): what ASP said of the line
	 * it rejected, its libelleTraitement (or the reason a refused file
	 * was closed with) and its codeTraitement; "" otherwise. A label
	 * longer than the field is cut at a character and ends with "…"
	 * (request show has it whole). */
	char		 rejection_reason[SEGUR_REJECTION_REASON_SZ];
	char		 rejection_code[32];
};

struct segur_request_filter {
	int		 state;		/* enum segur_state, or -1: any */
	const char	*og;		/* FINESS juridique, or NULL */
	const char	*esms;		/* FINESS géo, or NULL */
	const char	*since;		/* "AAAA-MM-JJ": updated since, or NULL */
	const char	*after;		/* a reference: only the rows listed
					   after its request, or NULL */
	size_t		 limit;		/* 0: no limit */
};

/*
 * Calls fn for each matching request, oldest change first (then by id);
 * with f->after, the list goes on after that request's place in this
 * order (the next page of a list read with f->limit: give the last
 * reference of a page), SEGUR_ENOENT when no request has that reference;
 * fn returns 0 to go on, anything else stops the walk and is returned. The
 * row is borrowed for the call: a list holds one row at a time, however
 * long. The rows come from one statement, so from one snapshot of the
 * ledger.
 */
int	segur_ledger_request_list(struct segur_ledger *l,
	    const struct segur_request_filter *f,
	    int (*fn)(void *arg, const struct segur_request_row *row),
	    void *arg, char **cause);

/*
 * The list row of the request of reference ref, as a list would give it:
 * what a command prints after changing a request. SEGUR_ENOENT when no
 * request has that reference.
 */
int	segur_ledger_request_row(struct segur_ledger *l, const char *ref,
	    struct segur_request_row *row, char **cause);

/* Which identifier named a request. */
enum segur_ident_kind {
	SEGUR_IDENT_REF,		/* the editor's reference */
	SEGUR_IDENT_EDITEUR,		/* a numeroEditeur of any attempt */
	SEGUR_IDENT_ASP			/* a numeroASP it was given */
};

/* A request as a key resolved to it: every identifier it has now. */
struct segur_request_ident {
	int64_t		 id;
	enum segur_ident_kind matched;	/* what the key was */
	enum segur_state state;
	char		 ref[65];
	char		 numero_editeur[16];	/* current, or "" */
	char		 numero_asp[64];	/* current, or "" */
};

/*
 * The one way commands name a request: key is its reference, a
 * numeroEditeur of any of its attempts or a numeroASP it was given.
 * SEGUR_ENOENT when none matches, the cause naming the kinds tried and the
 * nearest identifier the ledger holds, if one is close; SEGUR_EINVAL when
 * key names two requests (a reference equal to another's numeroEditeur).
 */
int	segur_ledger_request_resolve(struct segur_ledger *l, const char *key,
	    struct segur_request_ident *out, char **cause);

/* "référence", "numeroEditeur" or "numéro ASP": for messages. */
const char *segur_ident_kind_name(enum segur_ident_kind k);

/*
 * Everything about one request, found by reference, numeroEditeur (of any
 * attempt) or numeroASP, as a JSON object (docs/ledger.md shows it): *out,
 * caller frees with cJSON_Delete(). SEGUR_ENOENT if nothing matches.
 */
struct cJSON;
int	segur_ledger_request_show(struct segur_ledger *l, const char *key,
	    struct cJSON **out, char **cause);

/* One event of the log. */
struct segur_event {
	int64_t		 id;
	char		*at;		/* owned, every string below too */
	char		*actor;
	char		*action;
	char		*entity;
	char		*entity_key;	/* may be NULL */
	int64_t		 request_id;	/* 0: none */
	char		*before;	/* JSON or NULL */
	char		*after;		/* JSON or NULL */
	char		*prev_hash;
	char		*hash;
	int		 v;		/* serialization: 1, or 2 (0 reads
					   as 1) */
	char		*image;		/* v2: the rows it changed, JSON */
	char		*seal;		/* v2: HMAC of hash, or NULL */
};

void	segur_event_release(struct segur_event *e);
void	segur_event_free_array(struct segur_event *a, size_t n);

/* The events of one request (by reference), in order: *out is freed
 * with segur_event_free_array(). */
int	segur_ledger_request_history(struct segur_ledger *l, const char *ref,
	    struct segur_event **out, size_t *n, char **cause);

/* What ops see on one screen (segurctl status). */
struct segur_status {
	int64_t		 count[SEGUR_STATE_COUNT];
	int64_t		 cents[SEGUR_STATE_COUNT];
	/* The oldest few of each waiting list, oldest first; *_total counts
	 * all of them. */
	struct segur_request_row *rejected;	/* owned arrays */
	size_t		 nrejected;
	struct segur_request_row *accepted;
	size_t		 naccepted;
	struct segur_request_row *advance_paid;
	size_t		 nadvance_paid;
	/* Anomalies nobody has resolved (include/segur/anomaly.h). */
	int64_t		 anomalies_open;
	struct segur_anomaly *oldest_anomaly;	/* owned; NULL if none */
};

/* Fills *st with at most max rows per waiting list (release it with
 * segur_status_release()). */
int	segur_ledger_status(struct segur_ledger *l, size_t max,
	    struct segur_status *st, char **cause);
void	segur_status_release(struct segur_status *st);

/* ------------------------------------------------------------------ */
/* The money: one definition of every figure (docs/decisions.md). */

enum segur_figure {
	SEGUR_FIGURE_REQUESTED = 0,	/* montantSegurHT of the requests sent
					   (every state but draft, ready,
					   withdrawn) */
	SEGUR_FIGURE_ACCEPTED,		/* the same, of the requests ASP
					   accepted (accepted and after, refused
					   included) */
	SEGUR_FIGURE_GRANTED,		/* the grants (not withdrawn) */
	SEGUR_FIGURE_ADVANCE_PAID,	/* the advances paid */
	SEGUR_FIGURE_BALANCE_REQUESTED,	/* grant - advance of the requests
					   whose balance was requested
					   (balance_* and closed) */
	SEGUR_FIGURE_BALANCE_PAID,	/* the balances paid */
	SEGUR_FIGURE_BALANCE_AWAITED,	/* grant - advance of the requests in
					   advance_paid, balance_requested,
					   balance_accepted, balance_rejected */
	SEGUR_FIGURE_COUNT
};

/* The figures of a set of requests: cents and how many requests. */
struct segur_figures {
	int64_t		 cents[SEGUR_FIGURE_COUNT];
	int64_t		 count[SEGUR_FIGURE_COUNT];
};

/* Which requests; every field NULL (or -1) for the whole ledger. */
struct segur_figures_filter {
	const char	*numero_ans;	/* one software */
	const char	*og;		/* one OG (FINESS juridique) */
	int		 state;		/* enum segur_state, or -1 */
};

/* "requested", "accepted", "granted", "advance_paid",
 * "balance_requested", "balance_paid", "balance_awaited": the keys of
 * status --json and /api/v1/status. Static; NULL out of range. */
const char	*segur_figure_key(enum segur_figure f);

/* Its French label, as status and solde list print it ("solde attendu").
 * Static; NULL out of range. */
const char	*segur_figure_label(enum segur_figure f);

/* Adds "amounts" (euros, strings with two decimals, like montantSegurHT)
 * and "counts" (requests) under every key to o: the object of status
 * --json, solde list --json and /api/v1/status. -1 when out of memory. */
struct cJSON;
int	segur_figures_json(const struct segur_figures *fg, struct cJSON *o);

/*
 * Computes the figures of the requests f selects (NULL: all) into *out,
 * from SQL aggregates: for whole states, the totals the triggers keep
 * (state_total, decision_total: constant time); for one software or OG,
 * one pass over its requests and one over their decisions. status, solde
 * list, the report, /metrics, /api/v1/status and audit export all print
 * these.
 */
int	segur_ledger_figures(struct segur_ledger *l,
	    const struct segur_figures_filter *f, struct segur_figures *out,
	    char **cause);

/* ------------------------------------------------------------------ */
/* The hash chain. */

struct segur_audit {
	int64_t		 events;	/* rows checked */
	int64_t		 bad_id;	/* first broken row, 0 if none */
	char		*reason;	/* owned, French, NULL if none */
	char		 head[65];	/* hash of the last good row */
	int64_t		 v1;		/* events of each serialization */
	int64_t		 v2;
	int64_t		 sealed;	/* v2 events with a seal */
	int64_t		 unsealed;	/* v2 events without one */
	int64_t		 first_sealed;	/* its id, 0 if none */
	int64_t		 late_unsealed;	/* unsealed after first_sealed:
					   suspicious */
	int64_t		 first_late;	/* the first of them, 0 if none */
	int		 seals_checked;	/* a key was set: every seal read
					   matched it */
};

/*
 * Walks the event log from the first row, recomputing every hash (v1 or
 * v2) and checking every link and id; a v1 event after a v2 one, or a
 * request_id of 0, breaks it too. With a seal key set on the handle
 * (segur_ledger_set_seal_key()), every seal is checked, and a v2 event
 * without one after the first sealed event breaks the chain; without a
 * key, seals are only counted. Returns 0 with bad_id 0 when the chain is
 * whole, SEGUR_ECORRUPT with bad_id and reason set at the first broken row
 * (release *a with segur_audit_release() in both cases).
 */
int	segur_ledger_audit_verify(struct segur_ledger *l, struct segur_audit *a,
	    char **cause);
void	segur_audit_release(struct segur_audit *a);

/*
 * The canonical serialization of an event that its hash covers
 * (docs/internals/ledger.md): fields in order id, at, actor, action,
 * entity, entity_key, request_id, before, after, prev_hash, each written
 * as its byte length in decimal, ':', the bytes, '\n'; a NULL as "-\n".
 * Hashes it into hex. Exposed for auditors' tools and tests.
 *
 * With e->v == 2, the version 2 serialization instead: "segur-event-v2\n"
 * then id, at, actor, action, entity, entity_key, request_id, before,
 * after, prev_hash, v, image, each tagged with its type: "N\n" for NULL,
 * "I<decimal>\n" for an integer (id, request_id, v), "T<length>:<bytes>\n"
 * for a text. request_id 0 is written NULL, as the ledger stores it.
 */
int	segur_event_hash(const struct segur_event *e, char hex[65]);

/*
 * HMAC-SHA256 of "segur-event-seal-v1\n<hash>\n" with key, in lower-case
 * hex: the seal of a v2 event.
 */
int	segur_event_seal(const unsigned char *key, size_t keylen,
	    const char *hash, char out[65]);

/*
 * The key that seals the events this handle appends, and that
 * segur_ledger_audit_verify() checks seals with: copied (the caller keeps
 * and clears its own); NULL clears it. SEGUR_ENOMEM, or 0.
 */
int	segur_ledger_set_seal_key(struct segur_ledger *l,
	    const unsigned char *key, size_t len);

/* ------------------------------------------------------------------ */
/* Validation with the ledger's reference data. */

struct segur_finding;

/*
 * Does this finding keep a request from becoming ready? Every error, and
 * the warnings of the checks made with the ledger's data: eligibility and
 * the OG of each ESMS, the ceiling, referenced profiles, a numeroEditeur
 * already used, double funding, and a check that could not be made.
 */
int	segur_ledger_finding_blocks(const struct segur_finding *f);

/*
 * Fills ctx with callbacks over the ledger: operators, eligibility and
 * tranche, tranche amounts, software profiles, numeroEditeur used, FINESS
 * géo in another live request (a request other than self_request_id, 0
 * for none, in any state but refused and withdrawn). today is set from the
 * clock. ctx borrows l; self_request_id is kept in l, so one context per
 * handle is in use at a time.
 */
void	segur_ledger_validate_ctx(struct segur_ledger *l,
	    int64_t self_request_id, struct segur_validate_ctx *ctx);

#endif /* SEGUR_LEDGER_H */
