/*
 * build.h: turning the ready requests of the ledger into the files the ASP
 * portal accepts (issue "build").
 *
 * One build takes the ready requests of one numeroAns, checks and archives
 * their supporting documents (a request whose document fails stays out,
 * with the reason; the others go on), then, in ONE ledger transaction:
 * allocates a numeroEditeur and a line per request, a rank per file
 * (JSON-<numeroAns>-<AAAAMMJJ>-<NNN>.json, at most 200 lines each), writes
 * each file in the canonical layout, validates it (a file that does not
 * validate is never handed out: the whole build is undone), archives it,
 * packs the documents under their canonical names into zips
 * (PJ-<numeroAns>-<AAAAMMJJ>-<NNN>-<k>.zip), and records files, attempts
 * and documents with their hashes.
 *
 * Files are written under temporary names (".<name>.segur-tmp") in the
 * output folder, fsync'ed, and renamed only after the transaction commits.
 * The next build in that folder completes what a crash interrupted:
 * temporary files of a committed build are renamed into place, those of a
 * build that never committed are removed. So either the batch is recorded
 * and its files are in the folder (at the latest after the next build), or
 * nothing is recorded and nothing is left half-written.
 */
#ifndef SEGUR_BUILD_H
#define SEGUR_BUILD_H

#include <stddef.h>
#include <stdint.h>

struct segur_ledger;

/* At most this many lines in one file (spec §2). */
#define SEGUR_BUILD_MAX_LINES	200

struct segur_build_opts {
	const char	*numero_ans;	/* NULL: the only software known */
	const char	*day;		/* "AAAAMMJJ"; NULL: today (local) */
	const char	*outdir;	/* where the files go (created) */
	const char	*archive_dir;	/* the evidence archive */
	int		 dry_run;	/* plan only: allocate nothing */
	size_t		 max_lines;	/* 0: SEGUR_BUILD_MAX_LINES */
	uint64_t	 max_zip;	/* 0: SEGUR_ZIP_MAX_BYTES */
	size_t		 max_doc;	/* 0: SEGUR_DOC_MAX_BYTES */
	/* Called at each numbered crash point (1..4,
	   docs/internals/build.md) with crash_arg; NULL: none. The crash
	   tests' hook ends the process there; the library only calls it. */
	void		(*crash_point)(void *crash_arg, int point);
	void		*crash_arg;
};

/* A file of the build: a JSON file or a zip of documents. */
struct segur_build_file {
	char		*name;		/* owned; e.g. "JSON-...-001.json" */
	char		*path;		/* owned; outdir/name */
	char		 sha256[65];	/* "" in a dry run */
	uint64_t	 size;
	size_t		 count;		/* lines (JSON) or documents (zip) */
	int		 is_zip;
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
 * Runs a build (see above). Fills *r (release with
 * segur_build_result_release(), also on error). Returns 0 when the build
 * ran, even if some requests were kept out (r->nskipped) or none was ready
 * (r->nrequests == 0); SEGUR_E* with a cause when nothing was built.
 */
int	segur_build_run(struct segur_ledger *l,
	    const struct segur_build_opts *opts, struct segur_build_result *r,
	    char **cause);

void	segur_build_result_release(struct segur_build_result *r);

#endif /* SEGUR_BUILD_H */
