/*
 * anomaly.h: the life of an anomaly (docs/internals/ingest.md,
 * "Anomalies").
 *
 * Ingest records an anomaly wherever an answer of ASP cannot be recorded
 * without a guess (include/segur/ingest.h): a row of the ledger's anomaly
 * table, an anomaly.recorded event and an alert. It stays open, shown by
 * segurctl status, request show, the report, segurd's /metrics and its
 * daily reminders, until a person resolves it with a note saying what was
 * done (segurctl anomalies resolve: event anomaly.resolve). Resolving
 * changes no request: what ASP confirmed is recorded through the ordinary
 * commands (docs/guide.md).
 *
 *   open --segur_anomaly_resolve()--> resolved (note, who, when)
 */
#ifndef SEGUR_ANOMALY_H
#define SEGUR_ANOMALY_H

#include <stddef.h>
#include <stdint.h>

struct segur_ledger;

/* One anomaly; every text owned, freed by segur_anomaly_free_array(). */
struct segur_anomaly {
	int64_t		 id;
	char		*kind;		/* "numero_asp_taken"... */
	char		*detail;	/* French */
	char		*at;		/* recorded (UTC, ISO 8601) */
	char		*file;		/* its file; NULL: none */
	long		 line;		/* 0-based; -1: none */
	int64_t		 request_id;	/* 0: none */
	char		*ref;		/* the request's; NULL: none */
	int64_t		 attempt_id;	/* 0: none (balance, file) */
	long		 attempt_seq;	/* its number; 0: none */
	char		*numero_editeur; /* NULL: none */
	char		*returned;	/* JSON object: what ASP returned
					   on the line; NULL: none */
	char		*resolved_at;	/* NULL while open */
	char		*resolved_by;
	char		*note;
};

/* Flags of segur_anomaly_list(). */
#define SEGUR_ANOMALY_ALL	0x1	/* resolved ones too */

/*
 * The anomalies, open ones only unless SEGUR_ANOMALY_ALL, of request
 * request_id (0: all), oldest first, in *out (caller frees with
 * segur_anomaly_free_array()). Returns 0 or SEGUR_E* with a cause.
 */
int	segur_anomaly_list(struct segur_ledger *l, int flags,
	    int64_t request_id, struct segur_anomaly **out, size_t *n,
	    char **cause);

/*
 * The number of open anomalies in *count and the oldest in *oldest
 * (caller frees with segur_anomaly_free_array(*oldest, 1); NULL when
 * none). Reads in the caller's transaction if any.
 */
int	segur_anomaly_open(struct segur_ledger *l, int64_t *count,
	    struct segur_anomaly **oldest, char **cause);

/*
 * Resolves anomaly id with note (required: what was done, in words), in
 * one transaction with its event anomaly.resolve (who: the ledger's
 * actor). SEGUR_ENOENT for no such anomaly, SEGUR_ESTATE when it is
 * resolved already, SEGUR_EINVAL for an empty note; each with a French
 * cause, and nothing changed.
 */
int	segur_anomaly_resolve(struct segur_ledger *l, int64_t id,
	    const char *note, char **cause);

void	segur_anomaly_free_array(struct segur_anomaly *a, size_t n);

/*
 * x as the JSON object of segurctl anomalies --json, status and request
 * show (docs/ledger.md): id, state ("open" or "resolved"), kind, file,
 * line, ref, numeroEditeur, attempt, returned, detail, at, resolvedAt,
 * resolvedBy, note. Caller frees with cJSON_Delete(); NULL when out of
 * memory.
 */
struct cJSON;
struct cJSON *segur_anomaly_json(const struct segur_anomaly *x);

#endif /* SEGUR_ANOMALY_H */
