/*
 * build-int.h: the build driver (lib/files/build.c) and the two kinds of
 * file it builds, advance requests (lib/files/build-advance.c) and balance
 * requests (lib/files/build-solde.c). Internal to lib/.
 *
 * The driver owns the steps and their guarantees: recover the output
 * folder, load the requests, check and archive their documents, plan (dry
 * run) or write each file of at most max_lines requests and its zips, the
 * crash points, commit, rename into place (docs/internals/build.md). A
 * kind supplies what differs: which requests, which documents, how a file
 * is written from its requests and what is recorded for each of them.
 */
#ifndef SEGUR_BUILD_INT_H
#define SEGUR_BUILD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "segur/archive.h"
#include "segur/build.h"
#include "segur/bundle.h"
#include "segur/ledger.h"
#include "segur/util.h"

/* A supporting document of a request being built. */
struct segur__bdoc {
	int64_t			 id;		/* advance: its document row */
	char			*type;		/* owned; typeFichier, or
						   FACTURE, PV_RECETTE */
	char			*path;		/* owned; as registered */
	enum segur_doc_format	 format;
	char			 sha256[65];
	uint64_t		 size;
	int			 sent;		/* goes with the request */
	char			*archived;	/* owned; its archive path */
	char			 name[64];	/* canonical name */
};

/*
 * A request being built: the first member of each kind's own struct,
 * allocated by segur__build_req_new() and freed by the driver (after the
 * kind's release()).
 */
struct segur__breq {
	int64_t			 id;
	char			*ref;		/* owned */
	char			*skip;		/* owned; why it stays out */
	struct segur__bdoc	 docs[4];
	size_t			 ndocs;
};

struct segur__build_kind;

/* A file written under its temporary name, renamed after the commit. */
struct segur__pending {
	char	*tmp;		/* owned */
	char	*final;		/* owned */
};

struct segur__build {
	struct segur_ledger		*l;
	const struct segur_build_opts	*o;
	const struct segur__build_kind	*k;
	struct segur_build_result	*r;
	struct segur_archive		 archive;
	struct segur_software		 sw;
	struct segur__breq		**reqs;	/* owned */
	size_t				 nreqs;
	const char			*tmpl;	/* balance: the template */
	size_t				 tmpl_len;
	struct segur__pending		*pending; /* owned; the files to
						     rename */
	size_t				 npending;
	char				**cause;
};

struct segur__build_kind {
	enum segur_file_kind	 kind;		/* of its JSON files */
	const char		*prefix;	/* JSON-<prefix><ans>-...,
						   PJ-<prefix><ans>-... */
	const char		*q_last_rank;	/* the day's last rank, for
						   a dry run: ans, day bound */
	const char		*again;		/* the command that completes
						   an interrupted build */
	/* Before anything (may be NULL). */
	int	(*prepare)(struct segur__build *);
	/* Adds the candidate requests with segur__build_req_new(). */
	int	(*load)(struct segur__build *);
	/* Checks q and its documents: sets q->skip (segur__build_skip())
	 * or marks the documents sent, checked by segur__build_doc_check();
	 * the driver archives them. */
	int	(*check)(struct segur__build *, struct segur__breq *q);
	/* Allocates the next rank of the day (in the transaction). */
	int	(*alloc_rank)(struct segur__build *, int *rank);
	/* Writes the file name of reqs[0..n) into text; before it is
	 * archived and recorded. */
	int	(*write)(struct segur__build *, struct segur__breq **reqs,
		    size_t n, const char *name, struct segur_buf *text);
	/* Records what each request of the file file_id became. */
	int	(*record)(struct segur__build *, struct segur__breq **reqs,
		    size_t n, int64_t file_id, const char *name);
	/* Records that d of q went in the zip zip_id (its archive row is
	 * recorded already). */
	int	(*record_doc)(struct segur__build *, struct segur__breq *q,
		    const struct segur__bdoc *d, int64_t zip_id,
		    const char *zip_name);
	/* Frees what the kind's part of q owns (may be NULL). */
	void	(*release)(struct segur__breq *q);
};

extern const struct segur__build_kind segur__build_advance;
extern const struct segur__build_kind segur__build_solde;

/* A zeroed request of size bytes (the kind's struct) appended to b's;
 * NULL on ENOMEM. */
struct segur__breq *segur__build_req_new(struct segur__build *b,
	    size_t size);

/* Keeps q out of the build with reason (owned: taken, or freed when q
 * has one already). SEGUR_ENOMEM when reason is NULL. */
int	segur__build_skip(struct segur__breq *q, char *reason);

/*
 * Checks d (segur_doc_check(): size, format by content) and fills its
 * hash and size; returns 0 when sound, 1 when it keeps q out (q->skip
 * set), or SEGUR_E*.
 */
int	segur__build_doc_check(struct segur__build *b, struct segur__breq *q,
	    struct segur__bdoc *d);

#endif /* SEGUR_BUILD_INT_H */
