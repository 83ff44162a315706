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
 * Records the archive row and the file row, and appends the event action
 * ("file.built", "file.received"...) naming it. *id gets the file's row.
 * Inside a transaction.
 */
int	segur__file_record(struct segur_ledger *l, const struct segur__file *f,
	    const char *action, int64_t *id, char **cause);

#endif /* SEGUR_FILEREC_H */
