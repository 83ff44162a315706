/*
 * filerec.h: recording files in the ledger (internal to lib/): the
 * archive row of their content and the file row, with its event. Shared
 * by build, ingest and the adoption of files sent before the ledger.
 */
#ifndef SEGUR_FILEREC_H
#define SEGUR_FILEREC_H

#include <stdint.h>

struct segur_ledger;

/* What a file row holds; NULL strings and 0 numbers are stored NULL. */
struct segur__file {
	const char	*direction;	/* "out" or "in" */
	const char	*kind;		/* submission, returned, documents... */
	const char	*name;
	const char	*numero_ans;
	const char	*day;		/* "AAAAMMJJ" */
	int		 rank;
	const char	*sha256;
	uint64_t	 size;
	const char	*imp_id;
	int64_t		 answers;	/* the file this one answers */
};

/*
 * Records that an object is in the archive (its content written and
 * synced already). Inside a transaction. Idempotent.
 */
int	segur__archive_record(struct segur_ledger *l, const char *sha256,
	    uint64_t size, char **cause);

/*
 * Records the file with segur_ledger_file_add() (its archive row, its
 * "file.add" event), from the strings build, ingest and adopt use.
 * *id gets the file's row. SEGUR_EEXIST when the same content of that
 * direction and kind is recorded already.
 */
int	segur__file_record(struct segur_ledger *l, const struct segur__file *f,
	    int64_t *id, char **cause);

/*
 * What follows segur_archive_put*() returning rc: when rc is 1 (the object
 * of that SHA-256 was found altered on disk and put right, the altered
 * copy kept beside it), an "archive.repaired" event and an anomaly alert,
 * in the caller's transaction when one is open (else in one of their
 * own): evidence changed on disk is never silent. what names the file
 * being archived. Returns 0 (rc 0 or 1) or an error.
 */
int	segur__archive_repaired(struct segur_ledger *l, int rc,
	    const char *sha256, const char *what, char **cause);

#endif /* SEGUR_FILEREC_H */
