/*
 * ingest.h: recording the files ASP returns, every line's fate exactly
 * once (docs/internals/ingest.md).
 *
 * segur_ingest_file() reads a returned file, keeps it in the archive
 * (written and fsync'ed before the transaction that refers to it
 * commits), checks its structure with the validator's --returned rules,
 * finds the submitted file it answers through the attempts' numeroEditeur
 * values, and records, in ONE transaction, for every line: acceptance
 * (numeroASP kept, unique in the ledger) or rejection (ASP's code and
 * label kept verbatim), with one event per line; anomalies (a line whose
 * numeroASP and label disagree, an unknown numeroEditeur, a line missing
 * from the answer, a numeroASP given to another request, an answer that
 * contradicts one already recorded) are recorded and alerted, never
 * guessed. Every rejected line and every anomaly queues an alert in the
 * outbox, in the same transaction.
 *
 * The same content twice (whatever its name) changes nothing and says so.
 * A file that cannot be read as a returned file, holds more than
 * SEGUR_INGEST_MAX_LINES lines, or matches nothing the ledger sent, goes
 * to the quarantine with a ".reason" file beside it, and the ledger
 * records that too (one alert). Without move, content quarantined before
 * is not quarantined again: r->quarantined_at says when it was.
 *
 * The path is opened as untrusted (segur_open_untrusted(), util.h): never
 * through a symbolic link, never blocking on a FIFO, a regular file with
 * one link checked on the descriptor that is then read. Anything else
 * found there (link, FIFO, socket, device, folder) is, with move,
 * renamed into the quarantine without being opened, with its reason and
 * an alert; without move it is an error. Reasons quote the file's bytes
 * only as short excerpts with control characters escaped.
 *
 * More than SEGUR_INGEST_ALERTS_MAX anomalies in one file queue one
 * summary alert (counts per kind, the first few) instead of one each.
 */
#ifndef SEGUR_INGEST_H
#define SEGUR_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "segur/retour.h"

struct segur_ledger;

struct segur_ingest_opts {
	const char	*archive_dir;	/* the evidence archive */
	const char	*quarantine_dir; /* where unreadable files go */
	size_t		 max_bytes;	/* 0: SEGUR_VALIDATE_MAX_BYTES */
	int		 move;		/* the file leaves its folder (inbox):
					   removed once archived and recorded,
					   or moved to the quarantine; else it
					   is left in place and copied */
	/* Called at each numbered crash point (1..3,
	   docs/internals/ingest.md) with crash_arg; NULL: none. */
	void		(*crash_point)(void *crash_arg, int point);
	void		*crash_arg;
	/* Tests only, NULL otherwise: called with hook_arg and the path
	   just before it is opened, after whatever the caller checked
	   (segurd's lstat()), so that a test swaps a link or a FIFO in at
	   that very instant (tests/unit/test-ingest.c, t5011). */
	void		(*before_open)(void *hook_arg, const char *path);
	void		*hook_arg;
};

/* A returned file holds 1 to 200 lines (spec); more refuses it whole. */
#define SEGUR_INGEST_MAX_LINES	200

/* More anomalies than this in one file raise one summary alert. */
#define SEGUR_INGEST_ALERTS_MAX	5

enum segur_ingest_status {
	SEGUR_INGEST_RECORDED = 0,	/* the answers are recorded */
	SEGUR_INGEST_DUPLICATE,		/* the same content was already */
	SEGUR_INGEST_QUARANTINED	/* unreadable or unmatched */
};

/* The fate of one line of the file. */
struct segur_ingest_line {
	long		 index;		/* 0-based in lignesImport */
	long		 numLigne;
	char		*numeroEditeur;	/* owned; NULL if absent */
	char		*ref;		/* owned; the request, NULL if none */
	enum segur_answer answer;	/* ANOMALY when anything is off */
	char		*numeroASP;	/* owned; NULL unless accepted */
	char		*label;		/* owned; ASP's label, verbatim */
	char		*detail;	/* owned; French: the anomaly, or
					   "déjà enregistré" */
};

/*
 * One anomaly this ingestion recorded (a row of the ledger's anomaly
 * table, listed and resolved with segurctl anomalies).
 */
struct segur_ingest_anomaly {
	int64_t		 id;		/* the anomaly's row */
	long		 index;		/* 0-based line; -1: file */
	char		*kind;		/* owned; "numero_asp_taken"... */
	char		*ref;		/* owned; request; NULL: none */
	char		*numeroEditeur;	/* owned; NULL if none */
	char		*detail;	/* owned; French */
};

struct segur_ingest_result {
	enum segur_ingest_status status;
	char		 sha256[65];
	char		*name;		/* owned; the file's name */
	char		*answers;	/* owned; the submitted file it
					   answers, or NULL */
	char		*reason;	/* owned; why it was quarantined, or
					   the duplicate's first name */
	char		*quarantined_at; /* owned; set when this content
					   was quarantined before (not
					   again, without move): when */
	struct segur_ingest_line *lines;	/* owned array */
	size_t		 nlines;
	size_t		 naccepted;
	size_t		 nrejected;
	size_t		 nanomalies;	/* lines, missing lines, file-level */
	char		**anomalies;	/* owned French texts of the
					   anomalies that are not one line's */
	size_t		 nfile_anomalies;
	struct segur_ingest_anomaly *recorded;	/* owned array: every
						   anomaly, in order */
	size_t		 nrecorded;
};

/*
 * Ingests the file at path. Fills *r (release it with
 * segur_ingest_result_release(), also on error). Returns 0 when the file
 * was recorded, found a duplicate or quarantined (r->status says which);
 * SEGUR_E* with a cause when it could not even be read, or the ledger or
 * the archive failed (nothing recorded then: run again).
 */
int	segur_ingest_file(struct segur_ledger *l, const char *path,
	    const struct segur_ingest_opts *opts, struct segur_ingest_result *r,
	    char **cause);

void	segur_ingest_result_release(struct segur_ingest_result *r);

#endif /* SEGUR_INGEST_H */
