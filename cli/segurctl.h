/*
 * segurctl.h: what every segurctl subcommand sees.
 *
 * To add a subcommand:
 *  1. write cli/cmd-<verb>[-<noun>].c exporting one const struct segurctl_cmd;
 *  2. declare it below and add it to the table in cli/segurctl.c, in its
 *     family's block;
 *  3. document it in docs/man/segurctl.1 with the same usage line (the test
 *     t0002-cli-usage-man checks that they agree);
 *  4. test it: tests/e2e/tNNNN-<area>-<detail>.sh.
 */
#ifndef SEGURCTL_H
#define SEGURCTL_H

#include <stdio.h>

/* Exit statuses shared by every subcommand. */
#define SEGURCTL_EXIT_OK	0	/* done, nothing wrong */
#define SEGURCTL_EXIT_FINDINGS	1	/* done, but errors/anomalies found */
#define SEGURCTL_EXIT_USAGE	2	/* bad usage, unreadable input */

/* Flags of a subcommand. */
#define SEGURCTL_NEEDS_LEDGER	0x1	/* opens the ledger (--db applies) */

struct segurctl_env {
	const char	*progname;	/* argv[0]'s last component */
	const char	*db_path;	/* --db, $SEGUR_DB or ./var/ledger.db */
	FILE		*out;		/* primary output (stdout) */
	FILE		*err;		/* diagnostics (stderr) */
};

struct segurctl_cmd {
	const char	*name;		/* "validate", "request add" */
	const char	*args;		/* usage after the name, as in the
					   man page SYNOPSIS */
	const char	*summary;	/* one line for --help */
	int		 flags;		/* SEGURCTL_* */
	/* argv[0] is the command's last word; returns an exit status. */
	int		(*exec)(const struct segurctl_cmd *,
			    struct segurctl_env *, int argc, char **argv);
};

/* Prints "usage: segurctl NAME ARGS" for cmd to f. */
void	segurctl_usage(const struct segurctl_cmd *cmd, FILE *f);

/*
 * Reports a usage error for cmd on env->err (message, then usage) and
 * returns SEGURCTL_EXIT_USAGE.
 */
int	segurctl_usage_error(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Subcommands, one per cli/cmd-*.c, grouped by family. */
extern const struct segurctl_cmd cmd_help;
/* validator */
extern const struct segurctl_cmd cmd_validate;
/* ledger */
/* build */
/* ingest */
/* solde */
/* audit */

#endif /* SEGURCTL_H */
