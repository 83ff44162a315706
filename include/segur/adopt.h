/*
 * adopt.h: adopting the funding files uploaded before the ledger existed
 * (segurctl ingest --submitted, docs/internals/ingest.md), so that the
 * ledger starts complete and ASP's answers to them are ingested as usual.
 */
#ifndef SEGUR_ADOPT_H
#define SEGUR_ADOPT_H

#include <stddef.h>

struct segur_ledger;

struct segur_adopt_opts {
	const char	*archive_dir;	/* the evidence archive */
	const char	*documents_dir;	/* where the documents named in the
					   file are, or NULL */
};

struct segur_adopt_result {
	char		*name;		/* owned; the file's name */
	char		 numero_ans[11];
	char		**refs;		/* owned; the requests created,
					   "NE-<numeroEditeur>" */
	size_t		 nrefs;
	size_t		 nmissing;	/* lines whose order form was not
					   found in documents_dir */
	size_t		 nerrors;	/* validator errors in the file (it
					   was sent as it is: recorded) */
};

/*
 * Records a funding file uploaded before the ledger existed, so that the
 * ledger starts complete: the file (archived; its rank of the day, when
 * its name has one, reserved), and per line a request "NE-<numeroEditeur>"
 * in state submitted with one attempt holding that numeroEditeur (recorded
 * as used for ever) and the documents found in documents_dir (archived,
 * recorded as sent). One transaction; refused whole (nothing recorded)
 * when the file is already recorded, a numeroEditeur is already used, the
 * rank is taken, the software is unknown or its SIRET differs, or the file
 * carries ASP's answers already. Release *r with
 * segur_adopt_result_release(), also on error.
 */
int	segur_adopt_file(struct segur_ledger *l, const char *path,
	    const struct segur_adopt_opts *opts, struct segur_adopt_result *r,
	    char **cause);

void	segur_adopt_result_release(struct segur_adopt_result *r);

#endif /* SEGUR_ADOPT_H */
