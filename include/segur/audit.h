/*
 * audit.h: readiness for an a posteriori control (docs/audit.md,
 * docs/internals/audit.md): the chain head that leaves the database (and
 * its HMAC seal), the archive checked against its recorded hashes, exports
 * of every attempt, evidence bundles and their verification, the static
 * HTML report, and online backups.
 *
 * Errors: 0 or a negative SEGUR_E* code; when cause is not NULL, *cause
 * receives a malloc'ed sentence (caller frees).
 */
#ifndef SEGUR_AUDIT_H
#define SEGUR_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "segur/csvout.h"
#include "segur/util.h"

struct cJSON;
struct segur_archive;
struct segur_audit;
struct segur_ledger;

/* The smallest key accepted: 128 bits. */
#define SEGUR_AUDIT_KEY_MIN	16

/* What the seal covers, first line (the format's version). */
#define SEGUR_AUDIT_SEAL_TAG	"segur-chain-head-v1"

/* A secret key for sealing heads: the bytes of a file outside the ledger. */
struct segur_audit_key {
	unsigned char	*bytes;		/* owned */
	size_t		 len;
};

/*
 * Reads the key file at path: its bytes as they are, a final newline
 * dropped; at least SEGUR_AUDIT_KEY_MIN bytes, at most 4096 (SEGUR_EINVAL
 * otherwise). Release with segur_audit_key_release().
 */
int	segur_audit_key_load(const char *path, struct segur_audit_key *k,
	    char **cause);
void	segur_audit_key_release(struct segur_audit_key *k);

/* ------------------------------------------------------------------ */
/* The ledger against its own log (lib/audit/audit-replay.c). */

enum segur_audit_finding_kind {
	SEGUR_AUDIT_DIFF,	/* a cell differs from what the log made */
	SEGUR_AUDIT_MISSING,	/* a row the log made is not in the table */
	SEGUR_AUDIT_EXTRA,	/* a row no event made */
	SEGUR_AUDIT_SCHEMA,	/* a schema object missing, changed, added */
	SEGUR_AUDIT_UNPROVED,	/* not a finding: count rows whose column
				   only v1 events made, which do not carry
				   it */
	SEGUR_AUDIT_UNKNOWN	/* not a finding: count events of an action
				   the replay does not know */
};

/* One finding; every string borrowed for the callback's duration. */
struct segur_audit_finding {
	enum segur_audit_finding_kind kind;
	const char	*table;		/* "request", "déclencheur"… */
	const char	*key;		/* the row: id, "request_id/seq"…;
					   the object's name for SCHEMA */
	const char	*column;	/* NULL for a whole row */
	const char	*expected;	/* JSON cells or SQL; NULL if none */
	const char	*found;
	int64_t		 event;		/* the last event about it, or 0 */
	int64_t		 count;		/* UNPROVED, UNKNOWN */
};

/* Called for every finding; a non-zero return stops and is returned. */
typedef int (*segur_audit_finding_fn)(void *arg,
    const struct segur_audit_finding *f);

/*
 * Compares the ledger's schema (tables, indexes, triggers: every row of
 * sqlite_schema, its SQL text included) with the one the embedded
 * migrations create in an empty database. *n counts the differences
 * (each also given to fn, kind SEGUR_AUDIT_SCHEMA).
 */
int	segur_audit_schema_check(struct segur_ledger *l,
	    segur_audit_finding_fn fn, void *arg, int64_t *n, char **cause);

struct segur_replay_report {
	int64_t		 events;	/* events replayed */
	int64_t		 rows;		/* rows compared */
	int64_t		 findings;	/* DIFF, MISSING and EXTRA */
	int64_t		 unproved;	/* cells no event proves */
};

/*
 * Replays the event log in id order into the rows it projects (requests,
 * attempts, numeroEditeur numbers, decisions and payments, files, alerts,
 * quarantine, anomalies, and the state totals computed from the
 * requests) and compares them with the tables, giving fn each
 * difference, then a summary of what v1 events could not prove. Works in
 * a TEMP table of the handle. Reads only.
 */
int	segur_audit_replay(struct segur_ledger *l, segur_audit_finding_fn fn,
	    void *arg, struct segur_replay_report *r, char **cause);

/* What segur_audit_ledger_check() found. */
struct segur_ledger_check {
	int		 chain_rc;	/* 0 or SEGUR_ECORRUPT */
	int64_t		 schema;	/* schema differences */
	struct segur_replay_report replay;
};

/*
 * The whole check a bundle needs before it may call the ledger intact:
 * the chain (a) walked with the handle's seal key, the schema, the
 * replay. 0 when all hold, SEGUR_ECORRUPT with *cause saying what did not
 * (release a with segur_audit_release()).
 */
int	segur_audit_ledger_check(struct segur_ledger *l, struct segur_audit *a,
	    segur_audit_finding_fn fn, void *arg, struct segur_ledger_check *c,
	    char **cause);

/* The head of the event log: its last event. */
struct segur_chain_head {
	char		 hash[65];	/* 64 zeros when the log is empty */
	int64_t		 events;	/* the last event's id: its count */
	char		 at[24];	/* its time, "" when empty */
	char		 seal[65];	/* HMAC-SHA256 hex, "" without key */
};

/*
 * Reads the head (the last event's hash, id and time) and, when key is not
 * NULL, seals it. Does not walk the chain: segur_ledger_audit_verify() does.
 * This is what the daemon's daily digest mails.
 */
int	segur_audit_head(struct segur_ledger *l,
	    const struct segur_audit_key *key, struct segur_chain_head *h,
	    char **cause);

/*
 * The seal of h: HMAC-SHA256 under key of the text
 * "segur-chain-head-v1\n<hash>\n<events>\n<at>\n", as hex.
 */
int	segur_audit_seal(const struct segur_audit_key *key,
	    const struct segur_chain_head *h, char out[65]);

/* 0 if seal (hex, any case) is h's seal under key, else SEGUR_ECORRUPT.
 * Compared in constant time. */
int	segur_audit_seal_check(const struct segur_audit_key *key,
	    const struct segur_chain_head *h, const char *seal);

/* h as a JSON object {hash, events, at, seal?} (caller deletes), NULL on
 * ENOMEM. */
struct cJSON *segur_audit_head_json(const struct segur_chain_head *h);

/*
 * Proves the ledger still extends a head published earlier: walks the
 * whole chain (SEGUR_ECORRUPT if broken), then finds the event whose hash
 * is hash (SEGUR_ENOENT: not in this ledger). *found receives that head as
 * it was (hash, events, at; no seal). *current (may be NULL) receives the
 * current head.
 */
int	segur_audit_verify_head(struct segur_ledger *l, const char *hash,
	    struct segur_chain_head *found, struct segur_chain_head *current,
	    char **cause);

/* ------------------------------------------------------------------ */
/* The archive against the ledger. */

struct segur_archive_report {
	int64_t		 objects;	/* archive rows checked */
	int64_t		 missing;
	int64_t		 altered;
};

/*
 * Checks every object of the ledger's archive table with
 * segur_archive_verify(). For each missing or altered one, calls fn with
 * its hash, SEGUR_ENOENT or SEGUR_ECORRUPT, and what refers to it (file
 * names and document names, comma-separated; borrowed for the call); fn
 * returns 0 to go on. Returns 0 (findings are counted in *r, not errors).
 */
int	segur_audit_archive_verify(struct segur_ledger *l,
	    const struct segur_archive *a,
	    int (*fn)(void *arg, const char *sha256, int problem,
	    const char *what), void *arg, struct segur_archive_report *r,
	    char **cause);

/* ------------------------------------------------------------------ */
/* Exports: one row per attempt (a request never sent: one row without
 * attempt), columns in docs/audit.md. */

struct segur_export_filter {
	const char	*og;		/* FINESS juridique, or NULL */
	const char	*from;		/* "AAAA-MM-JJ" or NULL: submission
					   date (creation when never sent) */
	const char	*to;		/* inclusive, or NULL */
};

enum segur_export_format {
	SEGUR_EXPORT_CSV = 0,
	SEGUR_EXPORT_JSON = 1,
	SEGUR_EXPORT_XLSX = 2		/* segur_audit_export_xlsx() only */
};

/*
 * Appends the export to out: CSV in dialect (every row carries the head
 * in its last columns), or one JSON object {chainHead, rows:[...]}, amounts
 * as JSON text "5840.00". *nrows (may be NULL) receives the row count.
 */
int	segur_audit_export(struct segur_ledger *l,
	    const struct segur_export_filter *f, enum segur_export_format fmt,
	    enum segur_csv_dialect dialect, const struct segur_chain_head *h,
	    struct segur_buf *out, size_t *nrows, char **cause);

/*
 * Writes the export as an xlsx workbook at path (through a temporary name,
 * fsync'ed, mode 0640), with libxlsxwriter: one sheet per subject
 * (Demandes, Tentatives, Versements, Anomalies: the requests the filter
 * keeps) and "Tête de chaîne" (h, and the figures of
 * segur_ledger_figures() for the filter's OG). Identifiers are text
 * cells, amounts numbers in euros, dates dates; header row frozen, with
 * an autofilter. *nrows (may be NULL) receives the attempt rows.
 */
int	segur_audit_export_xlsx(struct segur_ledger *l,
	    const struct segur_export_filter *f,
	    const struct segur_chain_head *h, const char *path,
	    size_t *nrows, char **cause);

/* ------------------------------------------------------------------ */
/* Evidence bundles. */

/* The requests of a bundle: the references given, or every request
 * matching all the filters set (all: no filter). Strings borrowed. */
struct segur_bundle_sel {
	const char *const *refs;	/* references, or NULL */
	size_t		 nrefs;
	const char	*og;		/* FINESS juridique, or NULL */
	const char	*numero_ans;	/* the software, or NULL */
	const char	*from;		/* "AAAA-MM-JJ": sent (any attempt)
					   on or after, or NULL; a request
					   never sent: registered */
	const char	*to;		/* inclusive, or NULL */
	int		 all;		/* every request */
};

/*
 * Writes the zip at path (through a temporary name, fsync'ed): one folder
 * holding per request its history (historique.json, historique.html), its
 * state (demande.json), every JSON file sent and received and every
 * document sent, advance and balance, verbatim from the archive, and its
 * inventory (inventaire.txt); HEAD.json (h); MANIFEST.json (every piece of
 * every request with its path and SHA-256, decisions and payments with
 * their dates and amounts, each piece the request's state expects and
 * the ledger lacks marked missing: docs/audit.md); MANIFEST.sha256
 * (sha256sum format, every other file). With key, MANIFEST.sha256.hmac
 * seals the manifest. Everything is read in one read transaction whose
 * head must still be h (SEGUR_ESTATE: the ledger changed since h was
 * read; try again). An archived object missing or altered stops the
 * bundle (SEGUR_ECORRUPT/ENOENT named in cause). *nreq receives the
 * number of requests.
 */
int	segur_audit_bundle(struct segur_ledger *l,
	    const struct segur_archive *a, const struct segur_bundle_sel *sel,
	    const struct segur_chain_head *h,
	    const struct segur_audit_key *key, const char *path, size_t *nreq,
	    char **cause);

/*
 * Checks a bundle: every file listed in its manifest is there with its
 * SHA-256, no file is there unlisted, HEAD.json is readable (into *h, may
 * be NULL), MANIFEST.json (when the bundle has one) agrees with
 * MANIFEST.sha256 file for file, and with key the manifest's seal
 * matches. fn is called once
 * per finding with the file's path inside the zip and a sentence
 * (borrowed); *nfiles receives the files checked. Returns 0 when whole,
 * SEGUR_ECORRUPT when there were findings, another SEGUR_E* when the zip
 * cannot be read.
 */
int	segur_audit_bundle_verify(const char *path,
	    const struct segur_audit_key *key,
	    int (*fn)(void *arg, const char *file, const char *problem),
	    void *arg, struct segur_chain_head *h, size_t *nfiles,
	    char **cause);

/* ------------------------------------------------------------------ */
/* The report and backups. */

/* Appends one self-contained HTML page (inline CSS and SVG, no script). */
int	segur_audit_report_html(struct segur_ledger *l,
	    const struct segur_chain_head *h, struct segur_buf *out,
	    char **cause);

/*
 * Copies the open ledger to path with SQLite's online backup (one
 * consistent snapshot, other processes keep writing), through a
 * temporary name, fsync'ed, then renamed.
 */
int	segur_audit_backup(struct segur_ledger *l, const char *path,
	    char **cause);

/*
 * Checks the ledger file at path without changing it (opened read-only):
 * SQLite's integrity check, then the whole chain; *h gets its head.
 * SEGUR_ECORRUPT (with the first broken event in cause) if not whole.
 */
int	segur_audit_check_file(const char *path, struct segur_chain_head *h,
	    char **cause);

/*
 * Restores the backup at from into the ledger at to: checks the backup
 * first (SQLite integrity, whole chain: SEGUR_ECORRUPT otherwise); refuses
 * (SEGUR_EEXIST) to replace an existing ledger unless force, and then
 * first saves it to "<to>.before-restore-<time>" (*saved, malloc'ed, may
 * be NULL). The copy goes through SQLite's backup API into to, so a
 * process holding to open sees either the old or the new ledger. *h gets
 * the restored head.
 */
int	segur_audit_restore(const char *from, const char *to, int force,
	    struct segur_chain_head *h, char **saved, char **cause);

#endif /* SEGUR_AUDIT_H */
