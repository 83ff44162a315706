/*
 * cmd-request-list.c: segurctl request list: requests by state, OG, ESMS,
 * date of last change, oldest change first, a page at a time with --limit
 * and --after.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* Where a list goes, and how many rows went. */
struct list_out {
	struct segurctl_env	*env;
	size_t			 n;
};

/* One row as segurctl_row_print()'s line. */
static int
list_line(void *arg, const struct segur_request_row *row)
{
	struct list_out	*o = arg;

	segurctl_row_print(o->env->out, row);
	o->n++;
	return (0);
}

/*
 * One row as a member of the --json array: each object is printed and
 * freed as it comes, so that a list of any length holds one at a time.
 */
static int
list_json(void *arg, const struct segur_request_row *row)
{
	struct list_out	*o = arg;
	cJSON		*j;
	char		*s;

	if ((j = segurctl_row_json(row)) == NULL)
		return (SEGUR_ENOMEM);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s == NULL)
		return (SEGUR_ENOMEM);
	if (o->n > 0)
		fputc(',', o->env->out);
	fputs(s, o->env->out);
	free(s);
	o->n++;
	return (0);
}

static int
request_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ "og", required_argument, NULL, 'o' },
		{ "esms", required_argument, NULL, 'e' },
		{ "since", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'l' },
		{ "after", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_request_filter f = { .state = -1 };
	struct list_out	 o;
	struct segur_ledger *l;
	char		*cause = NULL, *end;
	int		 c, rc, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			if ((f.state = segur_state_parse(optarg)) < 0)
				return (segurctl_usage_error(self, env,
				    "unknown state '%s'", optarg));
			break;
		case 'o':
			f.og = optarg;
			break;
		case 'e':
			f.esms = optarg;
			break;
		case 'S':
			if (strlen(optarg) != 10 || optarg[4] != '-' ||
			    optarg[7] != '-')
				return (segurctl_usage_error(self, env,
				    "--since takes AAAA-MM-JJ"));
			f.since = optarg;
			break;
		case 'a':
			f.after = optarg;
			break;
		case 'l':
			f.limit = strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '-')
				return (segurctl_usage_error(self, env,
				    "bad --limit '%s'", optarg));
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	o.env = env;
	o.n = 0;
	if (json) {
		fputc('[', env->out);
		rc = segur_ledger_request_list(l, &f, list_json, &o, &cause);
	} else {
		segurctl_row_header(env->out);
		rc = segur_ledger_request_list(l, &f, list_line, &o, &cause);
	}
	segur_ledger_close(l);
	/* On an error the array stays open: no reader takes it as whole. */
	if (rc != 0) {
		if (json)
			fputc('\n', env->out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		fputs("]\n", env->out);
	if (fflush(env->out) != 0 || ferror(env->out)) {
		fprintf(env->err, "segurctl %s: write error\n", self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_list = {
	"request list",
	"[--json] [--state S] [--og FINESS] [--esms FINESS] [--since DATE] "
	"[--limit N] [--after REF]",
	"list requests, oldest change first", 0, request_list_exec
};
