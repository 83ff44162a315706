/*
 * cmd-request-edit.c: segurctl request edit REF [FILE.json|-]: replace the
 * content (and documents) of a request that is not in flight; with --bdc
 * or --ht alone, a document and nothing else.
 */
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

/* Usage first, before the ledger is opened and the request resolved. */
static int
request_edit_check(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	/* A document alone keeps the content: FILE.json is optional. */
	if (args->argc == 1 && segurctl_arg(self, args, "bdc") == NULL &&
	    segurctl_arg(self, args, "ht") == NULL)
		return (segurctl_usage_error(self, env,
		    "expected REF and FILE.json (or - for standard input), "
		    "or REF with --bdc or --ht"));
	return (0);
}

static int
request_edit_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_request_new req;
	struct segur_ledger	*l = args->ledger;
	char			*data = NULL, *cause = NULL;
	size_t			 len = 0;
	int			 rc, n;

	memset(&req, 0, sizeof(req));
	req.bdc_path = segurctl_arg(self, args, "bdc");
	req.ht_path = segurctl_arg(self, args, "ht");
	req.ref = args->argv[0];
	if (args->argc == 2 && (strcmp(args->argv[1], "-") == 0 ?
	    read_stdin(1 << 24, &data, &len) != 0 :
	    segur_read_file(args->argv[1], 1 << 24, &data, &len,
	    &cause) != 0)) {
		fprintf(env->err, "segurctl %s: %s: %s\n", self->name,
		    args->argv[1], cause != NULL ? cause : "unreadable");
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	if (data == NULL && (rc = current_content(l, req.ref, &data, &len,
	    &cause)) != 0) {
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	req.content = data;
	req.content_len = len;
	rc = segur_ledger_request_edit(l, &req, &n, &cause);
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

static const struct segurctl_opt request_edit_opts[] = {
	{ "bdc", 0, "FILE", "un nouveau bon de commande signé (PDF, PNG ou "
	    "JPEG)" },
	{ "ht", 0, "FILE", "une nouvelle attestation de non-assujettissement à "
	    "la TVA (PDF, PNG ou JPEG)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_request_edit = {
	.name = "request edit",
	.group = "request",
	.args = "[--bdc FILE] [--ht FILE] REF [FILE.json|-]",
	.summary = "remplacer le contenu d'une demande qui n'est pas en cours "
	    "(la différence est journalisée)",
	.opts = request_edit_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES,
	.args_min = 1,
	.args_max = 2,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_REF,
	.check = request_edit_check,
	.exec = request_edit_exec
};
