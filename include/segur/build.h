/*
 * build.h: turning the requests of the ledger into the files the ASP
 * portal accepts: advance requests (kind SEGUR_FILE_SUBMISSION) from the
 * ready requests, balance requests (kind SEGUR_FILE_SOLDE) from those
 * ready for their balance (solde.h).
 *
 * One build takes the requests of one numeroAns, checks and archives
 * their supporting documents (a request whose document fails stays out,
 * with the reason; the others go on), then, in ONE ledger transaction:
 * per file of at most 200 requests, allocates the day's next rank
 * (JSON-<numeroAns>-<AAAAMMJJ>-<NNN>.json, or JSON-SOLDE-... in the
 * balance files' own sequence), writes the file (advance: a fresh
 * numeroEditeur per request, the canonical layout, validated; balance:
 * the template rendered and read back), archives it, packs the documents
 * under their canonical names into zips (PJ-[SOLDE-]<numeroAns>-
 * <AAAAMMJJ>-<NNN>-<k>.zip), and records files, requests' attempts or
 * balance lines, and documents with their hashes. A file that does not
 * validate or read back undoes the whole build.
 *
 * Files are written under temporary names (".<name>.segur-tmp") in the
 * output folder, fsync'ed, and renamed only after the transaction commits.
 * The next build in that folder, of either kind, completes what a crash
 * interrupted: temporary files of a committed build are renamed into
 * place, those of a build that never committed are removed. So either the
 * batch is recorded and its files are in the folder (at the latest after
 * the next build), or nothing is recorded and nothing is left half-written.
 */
#ifndef SEGUR_BUILD_H
#define SEGUR_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "segur/ledger.h"

/* At most this many lines in one file (spec §2). */
#define SEGUR_BUILD_MAX_LINES	200

/* The name of the balance files' embedded default template. */
#define SEGUR_SOLDE_TEMPLATE	"sql/ref/solde-MS1-DUI.template.json"

struct segur_build_opts {
	enum segur_file_kind kind;	/* SEGUR_FILE_SUBMISSION (advance) or
					   SEGUR_FILE_SOLDE (balance) */
	const char	*numero_ans;	/* NULL: the only software known */
	const char	*day;		/* "AAAAMMJJ"; NULL: today (local) */
	const char	*outdir;	/* where the files go (created) */
	const char	*archive_dir;	/* the evidence archive */
	int		 dry_run;	/* plan only: allocate nothing */
	size_t		 max_lines;	/* 0: SEGUR_BUILD_MAX_LINES */
	uint64_t	 max_zip;	/* 0: SEGUR_ZIP_MAX_BYTES */
	size_t		 max_doc;	/* 0: SEGUR_DOC_MAX_BYTES */
	const char	*tmpl;		/* balance: the template (template.h);
					   NULL: SEGUR_SOLDE_TEMPLATE */
	size_t		 tmpl_len;
	/* Called at each numbered crash point (1..4,
	   docs/internals/build.md) with crash_arg; NULL: none. The crash
	   tests' hook ends the process there; the library only calls it. */
	void		(*crash_point)(void *crash_arg, int point);
	void		*crash_arg;
};

/* A file of the build: a JSON file or a zip of documents. */
struct segur_build_file {
	enum segur_file_kind kind;	/* the build's, or DOCUMENTS (zip) */
	char		*name;		/* owned; e.g. "JSON-...-001.json" */
	char		*path;		/* owned; outdir/name */
	char		 sha256[65];	/* "" in a dry run */
	uint64_t	 size;
	size_t		 count;		/* lines (JSON) or documents (zip) */
};

/* A request kept out of the build, and why (French). */
struct segur_build_skip {
	char		*ref;		/* owned */
	char		*reason;	/* owned */
};

struct segur_build_result {
	char			 numero_ans[11];
	char			 day[9];
	struct segur_build_file	*files;		/* owned array, in order */
	size_t			 nfiles;
	struct segur_build_skip	*skipped;	/* owned array */
	size_t			 nskipped;
	size_t			 nrequests;	/* requests put in files */
	size_t			 nrecovered;	/* files completed from an
						   interrupted build */
};

/*
 * Runs a build of opts->kind (see above). Fills *r (release with
 * segur_build_result_release(), also on error). Returns 0 when the build
 * ran, even if some requests were kept out (r->nskipped) or none was ready
 * (r->nrequests == 0); SEGUR_E* with a cause when nothing was built. A
 * balance template is checked first (segur_template_check()): a bad one is
 * SEGUR_EINVAL with a cause starting "modèle", nothing done.
 */
int	segur_build_run(struct segur_ledger *l,
	    const struct segur_build_opts *opts, struct segur_build_result *r,
	    char **cause);

void	segur_build_result_release(struct segur_build_result *r);

#endif /* SEGUR_BUILD_H */
