/*
 * outdir.h: the build driver's (lib/files/build.c) day and software of a
 * build, and the output folder's crash-safe protocol. Internal to lib/.
 *
 * Files are written as ".<name>.segur-tmp" beside their final name and
 * renamed only after the ledger transaction that records them commits; the
 * next build in the folder, inside its own transaction, renames into place
 * the temporary files whose name and content the ledger recorded and
 * removes the others (docs/internals/build.md, "Crash safety").
 */
#ifndef SEGUR_OUTDIR_H
#define SEGUR_OUTDIR_H

#include <stddef.h>

struct segur_ledger;
struct segur_software;

#define SEGUR__TMP_SUFFIX	".segur-tmp"

/* A file written under its temporary name, renamed after the commit. */
struct segur__pending {
	char	*tmp;		/* owned */
	char	*final;		/* owned */
};

struct segur__outdir {
	const char		*dir;	/* borrowed: the output folder */
	struct segur__pending	*v;	/* owned */
	size_t			 n;
};

/*
 * Adds final (a path in o->dir) to the files to rename after the commit;
 * *tmp (borrowed until release) receives the temporary path to write.
 */
int	segur__outdir_add(struct segur__outdir *o, const char *final,
	    const char **tmp);

/*
 * Completes or clears what an interrupted build left in dir (see above);
 * *nrecovered counts the files put in place. Inside the build's
 * transaction.
 */
int	segur__outdir_recover(struct segur_ledger *l, const char *dir,
	    size_t *nrecovered, char **cause);

/*
 * After the commit: renames every temporary file to its name, calling
 * after_first (may be NULL; the crash tests) after the first, then syncs
 * the folder. again names the command that completes an interrupted run.
 */
int	segur__outdir_finish(struct segur__outdir *o,
	    void (*after_first)(void *), void *arg, const char *again,
	    char **cause);

struct segur_build_result;

/*
 * A build (advance or balance) whose transaction is open and will not
 * commit: rolls it back, discards o's files, and empties r's list of
 * files (nothing was recorded).
 */
void	segur__outdir_abandon(struct segur_ledger *l, struct segur__outdir *o,
	    struct segur_build_result *r);

/* Frees what o holds (not the files). */
void	segur__outdir_release(struct segur__outdir *o);

/*
 * The day of a build: opt ("AAAAMMJJ", a real calendar date) or, when
 * NULL, today in local time (the day the files are uploaded).
 */
int	segur__build_day(const char *opt, char day[9], char **cause);

/* The software of a build: ans, or the only one the ledger knows. */
int	segur__build_software(struct segur_ledger *l, const char *ans,
	    struct segur_software *sw, char **cause);

#endif /* SEGUR_OUTDIR_H */
