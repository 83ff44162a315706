/*
 * projection.h: the table rows that are a projection of the event log,
 * shared by the writer (segur__event_append() stores, in every version 2
 * event, the rows it changed: its "image") and by the replay of
 * `audit verify` (lib/audit/audit-replay.c), which rebuilds them from the
 * log and compares them with the tables. Not installed.
 *
 * A row is a JSON array of cells in the order of cols[], written by
 * SQLite's json_array() both when an image is taken and when the tables
 * are read back, so that equal rows are equal texts.
 */
#ifndef SEGUR_PROJECTION_H
#define SEGUR_PROJECTION_H

#include <stdint.h>

#include "segur/util.h"

struct segur_ledger;

/* How the replay names a row (the key of its expected row). */
enum segur__proj_key {
	SEGUR__KEY_CELL0,	/* cell 0 (the row's id, or value) */
	SEGUR__KEY_CELL01,	/* cells 0 and 1: "request_id/seq" */
	SEGUR__KEY_REQ_NTH,	/* "request_id/n": the request's n-th row by
				   id, n counted by the events that add one */
	SEGUR__KEY_NTH		/* "n": the table's n-th row by id */
};

enum segur__proj_id {
	SEGUR__P_REQUEST,
	SEGUR__P_ATTEMPT,
	SEGUR__P_DECISION,
	SEGUR__P_FILE,
	SEGUR__P_ALERT,
	SEGUR__P_QUARANTINE,
	SEGUR__P_ANOMALY,
	SEGUR__P_NUMERO,
	SEGUR__P_CLOSURE,
	SEGUR__P_COUNT
};

struct segur__proj {
	const char		*table;
	const char *const	*cols;	/* cell names, NULL-terminated */
	int			 ncols;
	enum segur__proj_key	 key;
	/* Every row: its key as text and its cells (the replay). */
	const char		*q_all;
	/* One row for an image, by ?1 (see image rules in projection.c). */
	const char		*q_one;
};

extern const struct segur__proj segur__projs[SEGUR__P_COUNT];

/* The projection of that table name, or -1. */
int	segur__proj_find(const char *table, size_t len);

/*
 * The image of an event about to be appended: {"table": [cells], ...}
 * for each row its action changes (rules in projection.c), read in the
 * writer's transaction. Adds it to out (nothing when no rule applies).
 */
int	segur__event_image(struct segur_ledger *l, const char *action,
	    int64_t request_id, const char *key, struct segur_buf *out,
	    char **cause);

/* Registers segur_sha256(text) on the handle (lower-case hex; NULL for
 * NULL): the request's content is compared by its hash. */
int	segur__register_sha256(struct segur_ledger *l);

#endif /* SEGUR_PROJECTION_H */
