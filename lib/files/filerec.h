/*
 * filerec.h: what build, ingest and the adoption of files sent before
 * the ledger share about the archive (internal to lib/): recording an
 * object's row, and reporting an object found altered on disk. Files
 * themselves are recorded with segur_ledger_file_add().
 */
#ifndef SEGUR_FILEREC_H
#define SEGUR_FILEREC_H

#include <stdint.h>

struct segur_ledger;

/*
 * Records that an object is in the archive (its content written and
 * synced already). Inside a transaction. Idempotent.
 */
int	segur__archive_record(struct segur_ledger *l, const char *sha256,
	    uint64_t size, char **cause);

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
