/*
 * segurctl.c: the command table, option dispatch and main().
 *
 * Every subcommand lives in its own cli/cmd-*.c file and is registered in
 * the table below (see the checklist at the top of segurctl.h). A command
 * name may have several words ("request add"): the longest name that
 * matches the first arguments wins.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/ledger.h"
#include "segur/version.h"
#include "segurctl.h"

static const struct segurctl_cmd *const segurctl_table[] = {
	/* validator */
	&cmd_validate,
	/* ledger */
	&cmd_init,
	&cmd_software_add,
	&cmd_software_list,
	&cmd_software_show,
	&cmd_ref_import,
	&cmd_ref_operators,
	&cmd_request_add,
	&cmd_request_import,
	&cmd_request_ready,
	&cmd_request_list,
	&cmd_request_show,
	&cmd_request_history,
	&cmd_request_withdraw,
	&cmd_record_grant,
	&cmd_record_refusal,
	&cmd_record_advance_paid,
	&cmd_record_import,
	&cmd_status,
	&cmd_audit_verify,
	/* build */
	&cmd_build,
	&cmd_resubmit,
	&cmd_request_edit,
	&cmd_file_refused,
	&cmd_file_cancel,
	&cmd_file_list,
	/* ingest */
	&cmd_ingest,
	&cmd_alerts_list,
	&cmd_anomalies,
	&cmd_anomalies_resolve,
	/* solde */
	&cmd_ref_set,
	&cmd_ref_show,
	&cmd_record_delivered,
	&cmd_record_balance_paid,
	&cmd_solde_list,
	&cmd_solde_deadline,
	&cmd_solde_build,
	&cmd_solde_variables,
	/* audit */
	&cmd_audit_head,
	&cmd_audit_export,
	&cmd_audit_bundle,
	&cmd_audit_verify_bundle,
	&cmd_report,
	&cmd_backup,
	&cmd_restore,
	/* daemon */
	&cmd_remind,
	&cmd_help,
	NULL
};

void
segurctl_usage(const struct segurctl_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: segurctl %s%s%s\n", cmd->name,
	    cmd->args[0] != '\0' ? " " : "", cmd->args);
}

int
segurctl_usage_error(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    const char *fmt, ...)
{
	va_list	 ap;

	fprintf(env->err, "segurctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(env->err, fmt, ap);
	va_end(ap);
	fputc('\n', env->err);
	segurctl_usage(cmd, env->err);
	return (SEGURCTL_EXIT_USAGE);
}

/* Prints the general usage and every command's usage line to f. */
static void
usage_all(FILE *f)
{
	const struct segurctl_cmd *const *c;

	fprintf(f, "usage: segurctl [-v] [--db PATH] COMMAND [ARGS...]\n"
	    "       segurctl --version | --help\n\ncommands:\n");
	for (c = segurctl_table; *c != NULL; c++)
		fprintf(f, "  %-22s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\nusage of each command:\n");
	for (c = segurctl_table; *c != NULL; c++)
		segurctl_usage(*c, f);
}

/* How many words of name match argv[0..argc); 0 if not all of them. */
static int
match_words(const char *name, int argc, char **argv)
{
	const char	*p = name;
	size_t		 n;
	int		 i;

	for (i = 0; *p != '\0'; i++) {
		n = strcspn(p, " ");
		if (i >= argc || strlen(argv[i]) != n ||
		    strncmp(argv[i], p, n) != 0)
			return (0);
		p += n;
		p += strspn(p, " ");
	}
	return (i);
}

/* Finds the command named by the first words of argv; *nwords gets its
 * word count. */
static const struct segurctl_cmd *
find_cmd(int argc, char **argv, int *nwords)
{
	const struct segurctl_cmd *const *c, *best = NULL;
	int	 n;

	*nwords = 0;
	for (c = segurctl_table; *c != NULL; c++) {
		n = match_words((*c)->name, argc, argv);
		if (n > *nwords) {
			*nwords = n;
			best = *c;
		}
	}
	return (best);
}

/* Lists the commands whose first word is word, for "segurctl request". */
static int
usage_family(struct segurctl_env *env, const char *word)
{
	const struct segurctl_cmd *const *c;
	size_t	 n = strlen(word);
	int	 found = 0;

	for (c = segurctl_table; *c != NULL; c++) {
		if (strncmp((*c)->name, word, n) == 0 && (*c)->name[n] == ' ') {
			if (!found)
				fprintf(env->err, "segurctl %s: expected one "
				    "of:\n", word);
			segurctl_usage(*c, env->err);
			found = 1;
		}
	}
	if (!found)
		fprintf(env->err, "segurctl: unknown command '%s' (see "
		    "segurctl --help)\n", word);
	return (SEGURCTL_EXIT_USAGE);
}

static int
help_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	const struct segurctl_cmd *cmd;
	int	 n;

	(void)self;
	if (argc <= 1) {
		usage_all(env->out);
		return (SEGURCTL_EXIT_OK);
	}
	if ((cmd = find_cmd(argc - 1, argv + 1, &n)) == NULL)
		return (usage_family(env, argv[1]));
	fprintf(env->out, "%s\n", cmd->summary);
	segurctl_usage(cmd, env->out);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_help = {
	"help", "[COMMAND]", "show the commands, or one command's usage", 0,
	help_exec
};

/* The global options, then the command; returns the exit status. */
static int
run(struct segurctl_env *env, int argc, char **argv)
{
	const struct segurctl_cmd *cmd;
	int			 n, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("segurctl %s\n", SEGUR_VERSION);
			return (SEGURCTL_EXIT_OK);
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage_all(stdout);
			return (SEGURCTL_EXIT_OK);
		} else if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0) {
			env->verbose = 1;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			segurctl_db_option(env, argv[++i]);
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			segurctl_db_option(env, argv[i] + 5);
		} else {
			fprintf(stderr, "segurctl: unknown option '%s'\n",
			    argv[i]);
			usage_all(stderr);
			return (SEGURCTL_EXIT_USAGE);
		}
	}
	if (i == argc) {
		usage_all(stderr);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((cmd = find_cmd(argc - i, argv + i, &n)) == NULL)
		return (usage_family(env, argv[i]));
	/* The command sees its last word as argv[0], then its arguments. */
	i += n - 1;
	if (i + 1 < argc && (strcmp(argv[i + 1], "--help") == 0 ||
	    strcmp(argv[i + 1], "-h") == 0)) {
		printf("%s\n", cmd->summary);
		segurctl_usage(cmd, stdout);
		return (SEGURCTL_EXIT_OK);
	}
	return (cmd->exec(cmd, env, argc - i, argv + i));
}

int
main(int argc, char **argv)
{
	struct segurctl_env	 env;
	const char		*slash;
	int			 rc;

	memset(&env, 0, sizeof(env));
	slash = strrchr(argv[0], '/');
	env.progname = slash != NULL ? slash + 1 : argv[0];
	env.out = stdout;
	env.err = stderr;
	if (segurctl_ledger_locate(&env) != 0) {
		fprintf(stderr, "segurctl: out of memory\n");
		return (SEGURCTL_EXIT_USAGE);
	}
	rc = run(&env, argc, argv);
	free(env.conf_db);
	free(env.conf_key);
	return (rc);
}
