/*
 * segurctl.h: what every segurctl subcommand sees.
 *
 * To add a subcommand (docs/internals/cli.md says more):
 *  1. write cli/cmd-<verb>[-<noun>].c exporting one const struct
 *     segurctl_cmd: name, group, usage, summary, option table, argument
 *     bounds, flags and exec function; exec gets the options parsed
 *     (segurctl_arg(), segurctl_flag()), the positional arguments and,
 *     with SEGURCTL_LEDGER, the ledger opened;
 *  2. declare it below and add it to the table in cli/segurctl.c, which
 *     is in alphabetical order;
 *  3. document it in docs/man/segurctl.1 with the same usage line and the
 *     same options (t0002-cli-usage-man checks both);
 *  4. test it: tests/e2e/tNNNN-<area>-<detail>.sh.
 * The help, the man page check and the shell completions come from the
 * table: nothing else to write.
 */
#ifndef SEGURCTL_H
#define SEGURCTL_H

#include <stdint.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand. */
#define SEGURCTL_EXIT_OK	0	/* done, nothing wrong */
#define SEGURCTL_EXIT_FINDINGS	1	/* done, but errors/anomalies found */
#define SEGURCTL_EXIT_USAGE	2	/* bad usage, unreadable input */

/* Flags of a subcommand. */
#define SEGURCTL_LEDGER		0x01	/* the dispatch opens the ledger
					   before exec, closes it after;
					   --db applies */
#define SEGURCTL_DB		0x02	/* --db applies, the command opens
					   (or replaces) the ledger itself,
					   in the modes that need it */
#define SEGURCTL_CREATE		0x04	/* with SEGURCTL_LEDGER: create it
					   when missing (init) */
#define SEGURCTL_WRITES		0x08	/* changes the ledger or its files */
#define SEGURCTL_JSON		0x10	/* has --json (segurctl_flag()) */
#define SEGURCTL_OPTS_FIRST	0x20	/* options before the arguments only:
					   the first argument ends them */

/* Most options a command has, --db, --json and --help included. */
#define SEGURCTL_OPTS_MAX	24

/* Where env->db_path came from (cli/ledger-locate.c). */
enum segurctl_db_source {
	SEGURCTL_DB_DEFAULT,		/* ./var/ledger.db */
	SEGURCTL_DB_OPTION,		/* --db, global or the command's */
	SEGURCTL_DB_ENV,		/* $SEGUR_DB */
	SEGURCTL_DB_CONF		/* [ledger] path of conf_file */
};

struct segurctl_env {
	const char	*progname;	/* argv[0]'s last component */
	const char	*db_path;	/* the ledger, see db_source */
	enum segurctl_db_source db_source;
	const char	*conf_file;	/* segurd.conf when it exists */
	char		*conf_db;	/* owned; the ledger it names */
	char		*conf_key;	/* owned; its [audit] key_file, or
					   NULL */
	int		 conf_errno;	/* conf_file exists, unreadable */
	int		 verbose;	/* -v: say which ledger */
	int		 announced;	/* -v said it already */
	FILE		*out;		/* primary output (stdout) */
	FILE		*err;		/* diagnostics (stderr) */
};

/* One option of a command's table. */
struct segurctl_opt {
	const char	*name;		/* long name, without "--" */
	int		 short_name;	/* 'x' for -x, or 0 */
	const char	*arg;		/* its argument ("PATH"), or NULL:
					   takes none */
	const char	*help;		/* one line for --help */
};

/* What the dispatch parsed for exec. */
struct segurctl_args {
	int		 argc;		/* the positional arguments */
	char		**argv;		/* borrowed from main's argv, or the
					   dispatch's with requests resolved */
	/* Per option of the command (segurctl_cmd_opts() order): its last
	 * argument, "" for an option without one, NULL when absent;
	 * borrowed from main's argv. */
	const char	*value[SEGURCTL_OPTS_MAX];
	/* A DATE option's value as AAAA-MM-JJ, which value[] then names. */
	char		 dates[SEGURCTL_OPTS_MAX][11];
	/* SEGURCTL_LEDGER: borrowed, the dispatch closes it after exec. */
	struct segur_ledger *ledger;
};

/* What a request named on the command line becomes (req_as). */
#define SEGURCTL_REQ_REF	0	/* its reference */
#define SEGURCTL_REQ_ASP	1	/* its numeroASP (accepted by ASP) */

/* One command; each cli/cmd-*.c defines one, with designated
 * initializers. */
struct segurctl_cmd {
	const char	*name;		/* "validate", "request add" */
	const char	*group;		/* what --help lists it under */
	const char	*args;		/* usage after the name, as in the
					   man page SYNOPSIS */
	const char	*summary;	/* one line for --help */
	/* Its own options, { NULL } ended, or NULL; --db (SEGURCTL_LEDGER,
	 * SEGURCTL_DB), --json (SEGURCTL_JSON) and --help are added. */
	const struct segurctl_opt *opts;
	int		 args_min;	/* positional arguments */
	int		 args_max;	/* -1: no limit */
	int		 flags;		/* SEGURCTL_* */
	/* The leading positional arguments that name a request (-1: all of
	 * them): each a reference, numeroEditeur or numeroASP, resolved by
	 * the dispatch (segur_ledger_request_resolve()) to what exec takes,
	 * req_as. */
	int		 req_args;
	int		 req_as;	/* SEGURCTL_REQ_* */
	/* Optional: checks the options before the ledger is opened; 0, or
	 * the exit status of segurctl_usage_error(). */
	int		(*check)(const struct segurctl_cmd *,
			    struct segurctl_env *, struct segurctl_args *);
	/* Returns the exit status; usage errors through
	 * segurctl_usage_error(). */
	int		(*exec)(const struct segurctl_cmd *,
			    struct segurctl_env *, struct segurctl_args *);
};

/*
 * The value of option name (its long name) in a: its argument, "" for an
 * option without one, NULL when absent. Borrowed. name must be in the
 * command's table (assert).
 */
const char *segurctl_arg(const struct segurctl_cmd *cmd,
	    const struct segurctl_args *a, const char *name);

/* Whether option name was given. */
int	segurctl_flag(const struct segurctl_cmd *cmd,
	    const struct segurctl_args *a, const char *name);

/* The table of every command, NULL ended, by name (cli/segurctl.c). */
extern const struct segurctl_cmd *const segurctl_table[];

/* A group of commands: the code in segurctl_cmd.group, and the French
 * heading --help lists its commands under. */
struct segurctl_group {
	const char	*name;
	const char	*heading;
};

/* The groups, in the order --help lists them, { NULL } ended
 * (cli/segurctl.c). */
extern const struct segurctl_group segurctl_groups[];

/*
 * Every option of cmd into opts (SEGURCTL_OPTS_MAX of them, borrowed): its
 * own, then --json, --db and --help as its flags give them. Returns how
 * many; segurctl_args.value[] follows this order.
 */
int	segurctl_cmd_opts(const struct segurctl_cmd *cmd,
	    const struct segurctl_opt **opts);

/*
 * segurctl --commands: the table as tab-separated lines, for the tests
 * and the completions (cli/cmd-completion.c):
 *   group GROUP HEADING
 *   command NAME GROUP ARGS_MIN ARGS_MAX FLAGS
 *   option NAME --LONG -SHORT|- ARG|- own|common
 * Returns the exit status.
 */
int	segurctl_table_dump(FILE *f);

/* Prints "usage: segurctl NAME ARGS" for cmd to f. */
void	segurctl_usage(const struct segurctl_cmd *cmd, FILE *f);

/*
 * Reports a usage error for cmd on env->err (message, then usage) and
 * returns SEGURCTL_EXIT_USAGE.
 */
int	segurctl_usage_error(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * The value of option name of cmd, a count (--limit N), into *n; 0 when
 * absent (*n unchanged). Returns 0, or the exit status of the usage error
 * it reported.
 */
int	segurctl_count_arg(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, struct segurctl_args *args,
	    const char *name, size_t *n);

/* Subcommands, one per cli/cmd-*.c, grouped by family. */
extern const struct segurctl_cmd cmd_help;
extern const struct segurctl_cmd cmd_completion;
/* validator */
extern const struct segurctl_cmd cmd_validate;
/* ledger */
extern const struct segurctl_cmd cmd_init;
extern const struct segurctl_cmd cmd_software_add;
extern const struct segurctl_cmd cmd_software_list;
extern const struct segurctl_cmd cmd_software_show;
extern const struct segurctl_cmd cmd_ref_import;
extern const struct segurctl_cmd cmd_ref_operators;
extern const struct segurctl_cmd cmd_request_add;
extern const struct segurctl_cmd cmd_request_import;
extern const struct segurctl_cmd cmd_request_ready;
extern const struct segurctl_cmd cmd_request_list;
extern const struct segurctl_cmd cmd_request_show;
extern const struct segurctl_cmd cmd_request_history;
extern const struct segurctl_cmd cmd_request_withdraw;
extern const struct segurctl_cmd cmd_record_grant;
extern const struct segurctl_cmd cmd_record_refusal;
extern const struct segurctl_cmd cmd_record_advance_paid;
extern const struct segurctl_cmd cmd_record_import;
extern const struct segurctl_cmd cmd_status;
extern const struct segurctl_cmd cmd_audit_verify;

/*
 * Finds the ledger: $SEGUR_DB, else [ledger] path of segurd.conf
 * ($SEGUR_CONF, else /etc/segur/segurd.conf) when the file exists, else
 * ./var/ledger.db; --db overrides it later (segurctl_db_option()). Fills
 * env's db_path, db_source and conf_*. 0 or SEGUR_ENOMEM.
 * (cli/ledger-locate.c)
 */
int	segurctl_ledger_locate(struct segurctl_env *env);

/* --db PATH (global or a command's): path is borrowed from argv. */
void	segurctl_db_option(struct segurctl_env *env, const char *path);

/* "--db", "$SEGUR_DB", the configuration file or "défaut". */
const char *segurctl_db_source(const struct segurctl_env *env);

/*
 * Before the ledger is used: with -v, says once on env->err which ledger
 * and why; refuses (exit status, after saying why) when the configuration
 * file that would name it cannot be read. 0 otherwise.
 */
int	segurctl_ledger_announce(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env);

/*
 * init's guard: 0 when env->db_path exists (a migration) or is the ledger
 * segurd.conf names (or there is no configuration); else says why, in
 * French with both paths, and returns the exit status.
 */
int	segurctl_init_check(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env);

/* Shared by the ledger's commands (cli/ledger-common.c). */
struct segur_ledger;
struct segur_request_row;
struct cJSON;


/* Opens env->db_path; on failure prints why and returns the exit status
 * (*l is then NULL), else 0. Close with segur_ledger_close(). */
int	segurctl_ledger_open(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, unsigned flags,
	    struct segur_ledger **l);

/* Prints cause (freed) or rc's text; returns the exit status for rc. */
int	segurctl_ledger_error(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, int rc, char *cause);

/* "<folder of the ledger db>/<leaf>" (archive, out, quarantine), malloc'ed;
 * NULL on ENOMEM. */
char	*segurctl_beside_ledger(const char *db, const char *leaf);

/*
 * Removes the leftovers of writes a crash interrupted in the archive dir
 * (segur_archive_leftovers()), saying so on env->err; a command about to
 * write to the archive calls it. A failure is a warning only.
 */
void	segurctl_archive_sweep(struct segurctl_env *env, const char *dir);

/*
 * Lists those leftovers without removing them, as warnings on env->err
 * ("audit verify": not tampering, a crash's trace). Returns how many.
 */
size_t	segurctl_archive_leftovers_report(struct segurctl_env *env,
	    const char *dir);

/*
 * The crash tests' hook for the library's crash points: with
 * SEGUR_FAULT_INJECTION compiled in, exits 99 at the point that
 * SEGUR_TEST_CRASH_AT names; without it, NULL (the variable does nothing).
 */
extern void (*const segurctl_crash_point)(void *arg, int point);

/* The body of request ready and resubmit (cli/cmd-request-ready.c): the
 * requests in state from named, or all of them with option all_opt. */
int	segurctl_promote(const struct segurctl_cmd *self,
	    struct segurctl_env *env, struct segurctl_args *args, int from,
	    const char *all_opt);

/* The --json of build and solde build: type is the request type to declare
 * on the portal ("avance", "solde"). Caller deletes; NULL on ENOMEM. */
struct segur_build_result;
struct cJSON *segurctl_build_json(const struct segur_build_result *r,
	    int dry_run, const char *type);

/* A day of build's "AAAAMMJJ" as "JJ/MM/AAAA" in out (SEGUR_DATE_FR_BUFSZ
 * bytes); day itself when it is not one. */
const char *segurctl_day_fr(const char *day, char out[17]);

/* The text of build and solde build after their heading: the files to
 * upload, then the requests left out of the batch and why. */
void	segurctl_build_files_print(FILE *f,
	    const struct segur_build_result *r);

/* Prints o indented on env->out and deletes it. */
int	segurctl_print_json(struct segurctl_env *env, struct cJSON *o);

/* A request row as JSON (caller deletes), or NULL on ENOMEM. */
struct cJSON *segurctl_row_json(const struct segur_request_row *r);

/* Prints s on f padded with spaces to width characters (not bytes: UTF-8
 * aware), on the left when right; a longer s is printed whole. */
void	segurctl_cell(FILE *f, const char *s, size_t width, int right);

/*
 * The request of reference ref as segurctl_row_json(), read again from the
 * ledger: what a command that changed it prints with --json. NULL after
 * saying why on env->err. Caller deletes.
 */
struct cJSON *segurctl_request_json(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, struct segur_ledger *l, const char *ref);

/* A request row as one line of text, and the header above such lines; a
 * rejected request's line is followed by segurctl_rejection_print()'s. */
void	segurctl_row_print(FILE *f, const struct segur_request_row *r);
void	segurctl_row_header(FILE *f);

/* "INDENTmotif ASP : REASON (code CODE)" on one line (control characters
 * as spaces), "aucun libellé" without a reason; code NULL or "": none. */
void	segurctl_rejection_print(FILE *f, const char *indent,
	    const char *reason, const char *code);

/* The figures (segur_ledger_figures()) as lines of text under a French
 * heading: label, requests, amount written « 13 140,00 € ». */
struct segur_figures;
void	segurctl_figures_print(FILE *f, const char *heading,
	    const struct segur_figures *fg);

/* Prints CSV findings as FILE:ROW:COLUMN: erreur: MESSAGE. */
struct segur_csv_errors;
void	segurctl_csv_errors_print(FILE *f, const char *file,
	    const struct segur_csv_errors *e);

/* The same with what ("erreur", "avertissement"); row 0: the file. */
void	segurctl_csv_findings_print(FILE *f, const char *file,
	    const struct segur_csv_errors *e, const char *what);

/*
 * Reads a CSV input whole, refusing one over SEGUR_CSV_MAX_BYTES unread;
 * 0, or the exit status after saying why (cli/cmd-ref-import.c).
 */
int	segurctl_csv_read(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, const char *file, char **buf,
	    size_t *len);

/* Writes the template of import kind (enum segur_import_kind) to out, or
 * to env->out when NULL; returns the exit status. */
int	segurctl_template_write(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, int kind, const char *out);

/* A software reference as JSON (caller deletes), or NULL on ENOMEM. */
struct segur_software;
struct cJSON *segurctl_software_json(const struct segur_software *s);

/* The one implementation of "record grant|refusal|advance-paid" (and the
 * text and --json of balance-paid, delivered). */
/* The same options checked before the ledger is opened and the request
 * resolved: a usage error first (cmd's check). */
int	segurctl_record_check(int kind, const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, struct segurctl_args *args);
int	segurctl_record_exec(int kind,
	    const struct segurctl_cmd *cmd, struct segurctl_env *env,
	    struct segurctl_args *args);

/*
 * The request key (reference, numeroEditeur, numeroASP) re-read after a
 * change: its row into *row and, when show is not NULL, what request show
 * gives into *show (caller deletes). 0 or an error code with *cause.
 */
int	segurctl_request_reread(struct segur_ledger *l, const char *key,
	    struct segur_request_row *row, struct cJSON **show,
	    char **cause);

/*
 * After a record on the request numero_asp: its row re-read into *row
 * and, when out is not NULL, the --json of the command into *out (caller
 * deletes): segurctl_row_json() of that row, "record": record, and the
 * facts of what was recorded as request show gives them (the latest item
 * of list, "decisions" of kind record or "deliveries"); a decision's
 * "forced" says whether its amount was forced. 0 or an error code with
 * *cause. (cli/ledger-common.c)
 */
int	segurctl_recorded_read(struct segur_ledger *l, const char *numero_asp,
	    const char *record, const char *list,
	    struct segur_request_row *row, struct cJSON **out, char **cause);

/* After a change committed, the re-read for its report failed: says that
 * the change is recorded, then the cause (segurctl_ledger_error()). */
int	segurctl_reread_error(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, int rc, char *cause);

/* The text line of a decision or payment kind recorded on the request
 * numero_asp, on date (AAAA-MM-JJ), of cents (-1: no amount), and the
 * state it left row in: "N : décision d'accord enregistrée, 4 866,67 € le
 * 02/11/2023 ; état : accordée". */
void	segurctl_record_print(struct segurctl_env *env, int kind,
	    const char *numero_asp, const char *date, int64_t cents,
	    const struct segur_request_row *row);
/* build */
extern const struct segurctl_cmd cmd_build;
extern const struct segurctl_cmd cmd_resubmit;
extern const struct segurctl_cmd cmd_request_edit;
extern const struct segurctl_cmd cmd_file_refused;
extern const struct segurctl_cmd cmd_file_cancel;
extern const struct segurctl_cmd cmd_file_list;

/* The body of file refused (refuse 1) and file cancel (refuse 0)
 * (cli/cmd-file-refused.c). */
int	segurctl_file_close(const struct segurctl_cmd *self,
	    struct segurctl_env *env, struct segurctl_args *args, int refuse);
/* ingest */
extern const struct segurctl_cmd cmd_ingest;
extern const struct segurctl_cmd cmd_alerts_list;
extern const struct segurctl_cmd cmd_anomalies;
extern const struct segurctl_cmd cmd_anomalies_resolve;
/* solde */
extern const struct segurctl_cmd cmd_ref_set;
extern const struct segurctl_cmd cmd_ref_show;
extern const struct segurctl_cmd cmd_record_delivered;
extern const struct segurctl_cmd cmd_record_balance_paid;
extern const struct segurctl_cmd cmd_solde_list;
extern const struct segurctl_cmd cmd_solde_deadline;
extern const struct segurctl_cmd cmd_solde_build;
extern const struct segurctl_cmd cmd_solde_variables;

/* Euros as ops write them ("1460", "1460.00", "1460,00") into cents,
 * exactly; 0, or -1 for anything else (cli/cmd-solde-list.c). */
int	segurctl_parse_euros(const char *s, int64_t *cents);

/* daemon */
extern const struct segurctl_cmd cmd_remind;

/* audit */
extern const struct segurctl_cmd cmd_audit_head;
extern const struct segurctl_cmd cmd_audit_export;
extern const struct segurctl_cmd cmd_audit_bundle;
extern const struct segurctl_cmd cmd_audit_verify_bundle;
extern const struct segurctl_cmd cmd_report;
extern const struct segurctl_cmd cmd_backup;
extern const struct segurctl_cmd cmd_restore;

/* Loads the sealing key of --key opt (NULL: $SEGUR_AUDIT_KEY_FILE; none:
 * *have stays 0). Returns 0 or the exit status after printing why. Release
 * with segur_audit_key_release() when *have. (cli/audit-common.c) */
struct segur_audit_key;
int	segurctl_audit_key(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, const char *opt,
	    struct segur_audit_key *key, int *have);

/* Loads the key that seals the events a command writes:
 * $SEGUR_AUDIT_KEY_FILE, else [audit] key_file of segurd.conf. An
 * unreadable key is a warning (events go unsealed, *have stays 0). Release
 * with segur_audit_key_release() when *have. (cli/audit-common.c) */
void	segurctl_seal_key(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, struct segur_audit_key *key, int *have);

/* Writes b to path atomically, or to env->out when path is NULL or "-".
 * Returns 0 or the exit status after printing why. */
struct segur_buf;
int	segurctl_write_output(const struct segurctl_cmd *cmd,
	    struct segurctl_env *env, const char *path,
	    const struct segur_buf *b);

#endif /* SEGURCTL_H */
