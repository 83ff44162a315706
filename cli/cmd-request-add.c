/*
 * cmd-request-add.c: segurctl request add: register a draft from one
 * line-shaped JSON object (a file, or - for standard input).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* A request line is a few kilobytes; anything this large is a mistake. */
#define REQUEST_MAX_BYTES	((size_t)4 * 1024 * 1024)

/* Reads standard input whole into a malloc'ed buffer. */
static int
read_stdin(char **out, size_t *len)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	 chunk[8192];
	size_t	 n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (b.len + n > REQUEST_MAX_BYTES ||
		    segur_buf_add(&b, chunk, n) != 0) {
			segur_buf_release(&b);
			return (-1);
		}
	}
	if (ferror(stdin)) {
		segur_buf_release(&b);
		return (-1);
	}
	*len = b.len;
	*out = segur_buf_detach(&b);
	return (*out != NULL ? 0 : -1);
}

static int
request_add_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "ref", required_argument, NULL, 'r' },
		{ "ans", required_argument, NULL, 'a' },
		{ "bdc", required_argument, NULL, 'b' },
		{ "ht", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_request_new req;
	struct segur_ledger *l;
	char		*buf = NULL, *cause = NULL;
	size_t		 len;
	int		 c, rc;

	memset(&req, 0, sizeof(req));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'r':
			req.ref = optarg;
			break;
		case 'a':
			req.numero_ans = optarg;
			break;
		case 'b':
			req.bdc_path = optarg;
			break;
		case 'h':
			req.ht_path = optarg;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one FILE.json or -"));
	if (req.ref == NULL)
		return (segurctl_usage_error(self, env, "--ref is required"));
	if (strcmp(argv[optind], "-") == 0) {
		if (read_stdin(&buf, &len) != 0) {
			fprintf(env->err, "segurctl %s: cannot read standard "
			    "input\n", self->name);
			return (SEGURCTL_EXIT_USAGE);
		}
	} else if (segur_read_file(argv[optind], REQUEST_MAX_BYTES, &buf,
	    &len, &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	req.content = buf;
	req.content_len = len;
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(buf);
		return (rc);
	}
	rc = segur_ledger_request_add(l, &req, NULL, &cause);
	segur_ledger_close(l);
	free(buf);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: registered as a draft\n", req.ref);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_add = {
	"request add",
	"--ref REF [--ans NUMERO_ANS] [--bdc FILE] [--ht FILE] FILE.json|-",
	"register a draft request from one request line", 0,
	request_add_exec
};
