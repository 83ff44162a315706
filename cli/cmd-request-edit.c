/*
 * cmd-request-edit.c: segurctl request edit REF [FILE.json|-]: replace the
 * content (and documents) of a request that is not in flight; with --bdc
 * or --ht alone, a document and nothing else.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

/* Reads all of standard input (at most max bytes) into *out. */
static int
read_stdin(size_t max, char **out, size_t *len)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	 chunk[8192];
	size_t	 n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (b.len + n > max || segur_buf_add(&b, chunk, n) != 0) {
			segur_buf_release(&b);
			return (-1);
		}
	}
	*len = b.len;
	*out = segur_buf_detach(&b);
	return (*out != NULL ? 0 : -1);
}

/* The request's stored content, to keep it when only a document moves. */
static int
current_content(struct segur_ledger *l, const char *ref, char **out,
    size_t *len, char **cause)
{
	cJSON	*o;
	int	 rc;

	if ((rc = segur_ledger_request_show(l, ref, &o, cause)) != 0)
		return (rc);
	*out = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o,
	    "content"));
	cJSON_Delete(o);
	if (*out == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	*len = strlen(*out);
	return (0);
}

static int
request_edit_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "bdc", required_argument, NULL, 'b' },
		{ "ht", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_request_new req;
	struct segur_ledger	*l;
	char			*data = NULL, *cause = NULL;
	size_t			 len = 0;
	int			 c, rc, n;

	memset(&req, 0, sizeof(req));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'b')
			req.bdc_path = optarg;
		else if (c == 'h')
			req.ht_path = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	/* A document alone keeps the content: FILE.json is optional. */
	if (optind != argc - 2 && !(optind == argc - 1 &&
	    (req.bdc_path != NULL || req.ht_path != NULL)))
		return (segurctl_usage_error(self, env,
		    "expected REF and FILE.json (or - for standard input), "
		    "or REF with --bdc or --ht"));
	req.ref = argv[optind];
	if (optind == argc - 2 && (strcmp(argv[optind + 1], "-") == 0 ?
	    read_stdin(1 << 24, &data, &len) != 0 :
	    segur_read_file(argv[optind + 1], 1 << 24, &data, &len,
	    &cause) != 0)) {
		fprintf(env->err, "segurctl %s: %s: %s\n", self->name,
		    argv[optind + 1], cause != NULL ? cause : "unreadable");
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		free(data);
		return (rc);
	}
	if (data == NULL && (rc = current_content(l, req.ref, &data, &len,
	    &cause)) != 0) {
		segur_ledger_close(l);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	req.content = data;
	req.content_len = len;
	rc = segur_ledger_request_edit(l, &req, &n, &cause);
	segur_ledger_close(l);
	free(data);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (n == 0)
		fprintf(env->out, "%s: unchanged\n", req.ref);
	else
		fprintf(env->out, "%s: %d change(s) recorded; validate it "
		    "again (segurctl request ready, or segurctl resubmit if it "
		    "was rejected)\n", req.ref, n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_edit = {
	"request edit", "[--bdc FILE] [--ht FILE] REF [FILE.json|-]",
	"replace the content of a request not in flight (the diff is logged)",
	0, request_edit_exec
};
