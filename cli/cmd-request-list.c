/*
 * cmd-request-list.c: segurctl request list: requests by state, OG, ESMS,
 * date of last change, oldest change first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

struct list_out {
	struct segurctl_env	*env;
	cJSON			*arr;	/* --json, else NULL */
	size_t			 n;
};

static int
list_row(void *arg, const struct segur_request_row *row)
{
	struct list_out	*o = arg;
	cJSON		*j;

	o->n++;
	if (o->arr == NULL) {
		segurctl_row_print(o->env->out, row);
		return (0);
	}
	if ((j = segurctl_row_json(row)) == NULL ||
	    !cJSON_AddItemToArray(o->arr, j)) {
		cJSON_Delete(j);
		return (-1);
	}
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
		{ NULL, 0, NULL, 0 }
	};
	struct segur_request_filter f = { -1, NULL, NULL, NULL, 0 };
	struct list_out	 o = { env, NULL, 0 };
	struct segur_ledger *l;
	char		*cause = NULL, *end;
	int		 c, rc, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			env->db_path = optarg;
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
	if (json && (o.arr = cJSON_CreateArray()) == NULL) {
		segur_ledger_close(l);
		return (segurctl_print_json(env, NULL));
	}
	if (!json)
		segurctl_row_header(env->out);
	rc = segur_ledger_request_list(l, &f, list_row, &o, &cause);
	segur_ledger_close(l);
	if (rc != 0) {
		cJSON_Delete(o.arr);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		return (segurctl_print_json(env, o.arr));
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_list = {
	"request list",
	"[--json] [--state S] [--og FINESS] [--esms FINESS] [--since DATE] "
	"[--limit N]",
	"list requests, oldest change first", 0, request_list_exec
};
