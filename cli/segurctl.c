/*
 * segurctl.c: the command table, the dispatch, the help and main().
 *
 * Every subcommand lives in its own cli/cmd-*.c file and is registered in
 * the table below (see the checklist at the top of segurctl.h and
 * docs/internals/cli.md). A command name may have several words
 * ("request add"): the longest name that matches the first arguments wins.
 * The dispatch parses the command's options with getopt_long() built from
 * its table, opens the ledger when the command needs it, runs it and
 * closes; every usage error exits SEGURCTL_EXIT_USAGE.
 */
#include <assert.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/version.h"
#include "segurctl.h"

const struct segurctl_cmd *const segurctl_table[] = {
	/* In alphabetical order of name; --help lists them by group. */
	&cmd_alerts_list,
	&cmd_anomalies,
	&cmd_anomalies_resolve,
	&cmd_audit_bundle,
	&cmd_audit_export,
	&cmd_audit_head,
	&cmd_audit_verify,
	&cmd_audit_verify_bundle,
	&cmd_backup,
	&cmd_build,
	&cmd_completion,
	&cmd_file_cancel,
	&cmd_file_list,
	&cmd_file_refused,
	&cmd_help,
	&cmd_ingest,
	&cmd_init,
	&cmd_record_advance_paid,
	&cmd_record_balance_paid,
	&cmd_record_delivered,
	&cmd_record_grant,
	&cmd_record_import,
	&cmd_record_refusal,
	&cmd_ref_import,
	&cmd_ref_operators,
	&cmd_ref_set,
	&cmd_ref_show,
	&cmd_remind,
	&cmd_report,
	&cmd_request_add,
	&cmd_request_edit,
	&cmd_request_history,
	&cmd_request_import,
	&cmd_request_list,
	&cmd_request_ready,
	&cmd_request_show,
	&cmd_request_withdraw,
	&cmd_restore,
	&cmd_resubmit,
	&cmd_software_add,
	&cmd_software_list,
	&cmd_software_show,
	&cmd_solde_build,
	&cmd_solde_deadline,
	&cmd_solde_list,
	&cmd_solde_variables,
	&cmd_status,
	&cmd_validate,
	NULL
};

/* The options every command of a kind gets, after its own. */
static const struct segurctl_opt opt_json = {
	"json", 0, NULL, "écrire du JSON sur la sortie standard"
};
static const struct segurctl_opt opt_db = {
	"db", 0, "PATH", "le registre (sinon $SEGUR_DB, path de [ledger] dans "
	"segurd.conf, ./var/ledger.db)"
};
static const struct segurctl_opt opt_help = {
	"help", 'h', NULL, "afficher cette aide"
};

const struct segurctl_group segurctl_groups[] = {
	/* In the order --help lists them. */
	{ "ledger", "registre" },
	{ "validate", "validation" },
	{ "software", "logiciels" },
	{ "ref", "référentiels" },
	{ "request", "demandes" },
	{ "file", "fichiers" },
	{ "record", "décisions, livraisons et paiements" },
	{ "solde", "solde" },
	{ "anomalies", "anomalies" },
	{ "alerts", "alertes et relances" },
	{ "audit", "audit" },
	{ "report", "rapport" },
	{ "backup", "sauvegarde" },
	{ "help", "aide" },
	{ NULL, NULL }
};

int
segurctl_cmd_opts(const struct segurctl_cmd *cmd,
    const struct segurctl_opt **opts)
{
	const struct segurctl_opt *o;
	int	 n = 0;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		/* Room left for the three added below. */
		assert(n < SEGURCTL_OPTS_MAX - 3);
		opts[n++] = o;
	}
	if (cmd->flags & SEGURCTL_JSON)
		opts[n++] = &opt_json;
	if (cmd->flags & (SEGURCTL_LEDGER | SEGURCTL_DB))
		opts[n++] = &opt_db;
	opts[n++] = &opt_help;
	return (n);
}

/* Index of option name in cmd_opts(), or -1. */
static int
opt_index(const struct segurctl_cmd *cmd, const char *name)
{
	const struct segurctl_opt *opts[SEGURCTL_OPTS_MAX];
	int	 n, i;

	n = segurctl_cmd_opts(cmd, opts);
	for (i = 0; i < n; i++)
		if (strcmp(opts[i]->name, name) == 0)
			return (i);
	return (-1);
}

const char *
segurctl_arg(const struct segurctl_cmd *cmd, const struct segurctl_args *a,
    const char *name)
{
	int	 i = opt_index(cmd, name);

	/* A name not in the table is a typo in the command's file. */
	assert(i >= 0);
	return (i >= 0 ? a->value[i] : NULL);
}

int
segurctl_flag(const struct segurctl_cmd *cmd, const struct segurctl_args *a,
    const char *name)
{
	return (segurctl_arg(cmd, a, name) != NULL);
}

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

/* The help of one command: summary, usage, then one line per option. */
static void
cmd_help_print(const struct segurctl_cmd *cmd, FILE *f)
{
	const struct segurctl_opt *opts[SEGURCTL_OPTS_MAX];
	char	 left[64];
	int	 n, i;

	fprintf(f, "%s\n", cmd->summary);
	segurctl_usage(cmd, f);
	if (cmd->flags & SEGURCTL_WRITES)
		fprintf(f, "modifie le registre ou ses fichiers\n");
	fprintf(f, "\noptions :\n");
	n = segurctl_cmd_opts(cmd, opts);
	for (i = 0; i < n; i++) {
		if (opts[i]->short_name != 0)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    opts[i]->short_name, opts[i]->name,
			    opts[i]->arg != NULL ? " " : "",
			    opts[i]->arg != NULL ? opts[i]->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s",
			    opts[i]->name, opts[i]->arg != NULL ? " " : "",
			    opts[i]->arg != NULL ? opts[i]->arg : "");
		fprintf(f, "  %-26s %s\n", left, opts[i]->help);
	}
}

/* Prints the general usage, the commands by group, then every command's
 * usage line to f. */
static void
usage_all(FILE *f)
{
	const struct segurctl_cmd *const *c;
	const struct segurctl_group *g;

	fprintf(f, "usage: segurctl [-v] [--db PATH] COMMAND [ARGS...]\n"
	    "       segurctl --version | --help\n\ncommandes :\n");
	for (g = segurctl_groups; g->name != NULL; g++) {
		for (c = segurctl_table; *c != NULL; c++)
			if (strcmp((*c)->group, g->name) == 0)
				break;
		if (*c != NULL)
			fprintf(f, "%s :\n", g->heading);
		for (c = segurctl_table; *c != NULL; c++)
			if (strcmp((*c)->group, g->name) == 0)
				fprintf(f, "  %-22s %s\n", (*c)->name,
				    (*c)->summary);
	}
	fprintf(f, "\nusage de chaque commande :\n");
	for (g = segurctl_groups; g->name != NULL; g++)
		for (c = segurctl_table; *c != NULL; c++)
			if (strcmp((*c)->group, g->name) == 0)
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

/* Whether c belongs to the noun word: its group, or its first word. */
static int
in_noun(const struct segurctl_cmd *c, const char *word)
{
	size_t	 n = strlen(word);

	return (strcmp(c->group, word) == 0 || (strncmp(c->name, word, n) ==
	    0 && c->name[n] == ' '));
}

/*
 * The commands of the noun word ("request", "audit", "file"...), each with
 * its summary, to f; returns how many (0: word is no noun).
 */
static int
noun_print(FILE *f, const char *word)
{
	const struct segurctl_cmd *const *c;
	int	 n = 0;

	for (c = segurctl_table; *c != NULL; c++) {
		if (!in_noun(*c, word))
			continue;
		if (n++ == 0)
			fprintf(f, "commandes « %s » :\n", word);
		fprintf(f, "  %-22s %s\n", (*c)->name, (*c)->summary);
	}
	if (n > 0)
		fprintf(f, "\nsegurctl help COMMANDE : l'usage et les options "
		    "d'une commande\n");
	return (n);
}

/*
 * No command is named by argv[0..argc): "segurctl request", "segurctl
 * request --help" and "segurctl help request" list the noun's commands
 * (exit 0); anything else is an unknown command, with the noun's list
 * when its first word is one.
 */
static int
no_command(struct segurctl_env *env, int argc, char **argv)
{
	if (argc == 1 || (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))) {
		if (noun_print(env->out, argv[0]) > 0)
			return (SEGURCTL_EXIT_OK);
	}
	fprintf(env->err, "segurctl: commande inconnue « %s%s%s » (voir "
	    "segurctl --help)\n", argv[0], argc > 1 ? " " : "",
	    argc > 1 ? argv[1] : "");
	noun_print(env->err, argv[0]);
	return (SEGURCTL_EXIT_USAGE);
}

static int
help_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *a)
{
	const struct segurctl_cmd *cmd;
	int	 n;

	(void)self;
	if (a->argc == 0) {
		usage_all(env->out);
		return (SEGURCTL_EXIT_OK);
	}
	if ((cmd = find_cmd(a->argc, a->argv, &n)) == NULL)
		return (no_command(env, a->argc, a->argv));
	cmd_help_print(cmd, env->out);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_help = {
	.name = "help",
	.group = "help",
	.args = "[COMMAND]",
	.summary = "afficher les commandes, ou l'usage et les options d'une "
	    "commande",
	.args_min = 0,
	.args_max = 2,
	.exec = help_exec
};

/*
 * Every option whose argument is a DATE takes the same forms, AAAA-MM-JJ
 * or JJ/MM/AAAA (and AAAAMMJJ, as file names write it), a real calendar
 * day: rewritten AAAA-MM-JJ in a->dates for exec, or a usage error.
 */
static int
dates_parse(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    const struct segurctl_opt *const *opts, int n, struct segurctl_args *a)
{
	struct segur_date d;
	const char	*v;
	int		 i;

	for (i = 0; i < n; i++) {
		if (opts[i]->arg == NULL || strcmp(opts[i]->arg, "DATE") != 0 ||
		    (v = a->value[i]) == NULL)
			continue;
		if (segur_date_parse(v, strlen(v), SEGUR_DATE_ISO |
		    SEGUR_DATE_FR | SEGUR_DATE_COMPACT, &d) != 0 ||
		    d.year < 1900)
			return (segurctl_usage_error(cmd, env, "--%s : date "
			    "« %s » : AAAA-MM-JJ ou JJ/MM/AAAA attendu (une "
			    "date réelle)", opts[i]->name, v));
		segur_date_format_iso(&d, a->dates[i]);
		a->value[i] = a->dates[i];
	}
	return (0);
}

/*
 * Parses cmd's options in argv (argv[0] is its last word) with a
 * getopt_long built from its table, into a. Returns 0, -1 after printing
 * the help that --help asks for, or the exit status of a usage error.
 */
static int
cmd_parse(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    int argc, char **argv, struct segurctl_args *a)
{
	const struct segurctl_opt *opts[SEGURCTL_OPTS_MAX];
	struct option	 lo[SEGURCTL_OPTS_MAX + 1];
	char		 shorts[3 * SEGURCTL_OPTS_MAX + 3], *p = shorts;
	int		 n, i, c;

	memset(a, 0, sizeof(*a));
	n = segurctl_cmd_opts(cmd, opts);
	if (cmd->flags & SEGURCTL_OPTS_FIRST)
		*p++ = '+';
	*p++ = ':';		/* a missing argument is not unknown */
	for (i = 0; i < n; i++) {
		lo[i].name = opts[i]->name;
		lo[i].has_arg = opts[i]->arg != NULL ? required_argument :
		    no_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + i;	/* above every short option */
		if (opts[i]->short_name != 0) {
			*p++ = (char)opts[i]->short_name;
			if (opts[i]->arg != NULL)
				*p++ = ':';
		}
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	*p = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (c == '?') {
			if (optopt != 0 && optopt < 256)
				return (segurctl_usage_error(cmd, env,
				    "option inconnue « -%c »", optopt));
			return (segurctl_usage_error(cmd, env,
			    "option inconnue « %s »", argv[optind - 1]));
		}
		if (c == ':')
			return (segurctl_usage_error(cmd, env,
			    "l'option « %s » demande un argument",
			    argv[optind - 1]));
		if (c < 256) {
			for (i = 0; i < n && opts[i]->short_name != c; i++)
				;
			assert(i < n);
		} else
			i = c - 256;
		a->value[i] = optarg != NULL ? optarg : "";
	}
	if (segurctl_flag(cmd, a, "help")) {
		cmd_help_print(cmd, env->out);
		return (-1);
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	if (cmd->args_max == 0 && a->argc > 0)
		return (segurctl_usage_error(cmd, env, "aucun argument "
		    "attendu (« %s »)", a->argv[0]));
	if (cmd->args_max >= 0 && a->argc > cmd->args_max)
		return (segurctl_usage_error(cmd, env, "argument en trop "
		    "« %s »", a->argv[cmd->args_max]));
	if (a->argc < cmd->args_min)
		return (segurctl_usage_error(cmd, env, "argument manquant"));
	return (dates_parse(cmd, env, opts, n, a));
}

/*
 * The one way to name a request: the first cmd->req_args arguments (all
 * with -1), each a reference, numeroEditeur or numeroASP, become what the
 * command takes, in *owned (an array of malloc'ed strings, freed by
 * resolved_free()) that a->argv then points to. Nothing is run when one
 * does not resolve: the message says what was tried and what is near.
 */
static int
resolve_requests(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    struct segurctl_args *a, char ***owned)
{
	struct segur_request_ident id;
	char		**v, *cause = NULL;
	const char	*label;
	int		 i, n, rc;

	*owned = NULL;
	n = cmd->req_args < 0 || cmd->req_args > a->argc ? a->argc :
	    cmd->req_args;
	if (n == 0)
		return (0);
	if ((v = calloc((size_t)a->argc + 1, sizeof(*v))) == NULL)
		return (segurctl_ledger_error(cmd, env, SEGUR_ENOMEM, NULL));
	*owned = v;
	for (i = 0; i < a->argc; i++) {
		if (i >= n) {
			if ((v[i] = strdup(a->argv[i])) == NULL)
				return (segurctl_ledger_error(cmd, env,
				    SEGUR_ENOMEM, NULL));
			continue;
		}
		if ((rc = segur_ledger_request_resolve(a->ledger, a->argv[i],
		    &id, &cause)) != 0)
			return (segurctl_ledger_error(cmd, env, rc, cause));
		if (cmd->req_as == SEGURCTL_REQ_ASP && id.numero_asp[0] ==
		    '\0') {
			label = segur_state_label(id.state);
			fprintf(env->err, "segurctl %s: la demande %s (« %s », "
			    "%s %s) n'a pas de numéro ASP (état : %s) : %s ne "
			    "s'applique qu'à une demande acceptée par l'ASP\n",
			    cmd->name, id.ref, a->argv[i], id.matched ==
			    SEGUR_IDENT_REF ? "sa" : "son",
			    segur_ident_kind_name(id.matched),
			    label != NULL ? label : "?", cmd->name);
			return (SEGURCTL_EXIT_FINDINGS);
		}
		if ((v[i] = strdup(cmd->req_as == SEGURCTL_REQ_ASP ?
		    id.numero_asp : id.ref)) == NULL)
			return (segurctl_ledger_error(cmd, env, SEGUR_ENOMEM,
			    NULL));
	}
	a->argv = v;
	return (0);
}

static void
resolved_free(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Runs cmd on argv (argv[0] is its last word): parses its options, opens
 * the ledger when it needs one, resolves the requests it names, runs it,
 * closes. Returns the exit status.
 */
static int
cmd_run(const struct segurctl_cmd *cmd, struct segurctl_env *env, int argc,
    char **argv)
{
	struct segurctl_args	 a;
	const char		*db;
	char			**resolved = NULL;
	int			 rc;

	if ((rc = cmd_parse(cmd, env, argc, argv, &a)) != 0)
		return (rc < 0 ? SEGURCTL_EXIT_OK : rc);
	if (cmd->check != NULL && (rc = cmd->check(cmd, env, &a)) != 0)
		return (rc);
	if ((cmd->flags & (SEGURCTL_LEDGER | SEGURCTL_DB)) &&
	    (db = segurctl_arg(cmd, &a, "db")) != NULL)
		segurctl_db_option(env, db);
	if (cmd->flags & SEGURCTL_LEDGER) {
		/* Never a second ledger beside the one segurd uses. */
		if ((cmd->flags & SEGURCTL_CREATE) &&
		    (rc = segurctl_init_check(cmd, env)) != 0)
			return (rc);
		if ((rc = segurctl_ledger_open(cmd, env,
		    (cmd->flags & SEGURCTL_CREATE) ? SEGUR_LEDGER_CREATE : 0,
		    &a.ledger)) != 0)
			return (rc);
	}
	if (a.ledger == NULL || (rc = resolve_requests(cmd, env, &a,
	    &resolved)) == 0)
		rc = cmd->exec(cmd, env, &a);
	resolved_free(resolved);
	if (a.ledger != NULL)
		segur_ledger_close(a.ledger);
	return (rc);
}

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
		} else if (strcmp(argv[i], "--commands") == 0) {
			/* Undocumented: the table as data, for the tests
			 * and the completions. */
			return (segurctl_table_dump(env->out));
		} else if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0) {
			env->verbose = 1;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			segurctl_db_option(env, argv[++i]);
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			segurctl_db_option(env, argv[i] + 5);
		} else {
			fprintf(stderr, strcmp(argv[i], "--db") == 0 ?
			    "segurctl: l'option « %s » demande un argument\n" :
			    "segurctl: option inconnue « %s »\n", argv[i]);
			usage_all(stderr);
			return (SEGURCTL_EXIT_USAGE);
		}
	}
	if (i == argc) {
		usage_all(stderr);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((cmd = find_cmd(argc - i, argv + i, &n)) == NULL)
		return (no_command(env, argc - i, argv + i));
	/* The command sees its last word as argv[0], then its arguments. */
	i += n - 1;
	return (cmd_run(cmd, env, argc - i, argv + i));
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
		fprintf(stderr, "segurctl: mémoire épuisée\n");
		return (SEGURCTL_EXIT_USAGE);
	}
	rc = run(&env, argc, argv);
	free(env.conf_db);
	free(env.conf_key);
	return (rc);
}
