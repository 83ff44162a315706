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
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	*len = strlen(*out);
	return (0);
}

/*
 * What the last "request.edit" event of ref recorded: the JSON paths that
 * changed into changes, the types of the documents replaced into docs.
 */
static int
last_edit(struct segur_ledger *l, const char *ref, cJSON *changes,
    cJSON *docs, char **cause)
{
	struct segur_event *ev;
	const cJSON	*it;
	cJSON		*after = NULL;
	size_t		 n, i;
	int		 rc;

	if ((rc = segur_ledger_request_history(l, ref, &ev, &n, cause)) != 0)
		return (rc);
	for (i = n; i > 0; i--) {
		if (strcmp(ev[i - 1].action, "request.edit") == 0) {
			after = cJSON_Parse(ev[i - 1].after);
			break;
		}
	}
	segur_event_free_array(ev, n);
	if (after == NULL)
		return (segur_cause(cause, SEGUR_ECORRUPT, "la demande « %s » "
		    "n'a pas d'événement request.edit lisible", ref));
	rc = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(after,
	    "changes"))
		if (!cJSON_IsString(it) || !cJSON_AddItemToArray(changes,
		    cJSON_CreateString(it->valuestring)))
			rc = SEGUR_ENOMEM;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(after,
	    "documents"))
		if (!cJSON_AddItemToArray(docs, cJSON_CreateString(
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it,
		    "type")))))
			rc = SEGUR_ENOMEM;
	cJSON_Delete(after);
	return (rc != 0 ? segur_cause(cause, rc, "mémoire épuisée") : 0);
}

/*
 * --json: the request as it is now (segurctl_row_json()), with the number
 * of changes, the JSON paths that changed and the documents replaced.
 */
static int
edit_json(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segur_ledger *l, const char *ref, int n)
{
	cJSON	*o, *changes, *docs;
	char	*cause = NULL;
	int	 rc;

	if ((o = segurctl_request_json(self, env, l, ref)) == NULL)
		return (SEGURCTL_EXIT_USAGE);
	if (cJSON_AddNumberToObject(o, "changed", n) == NULL ||
	    (changes = cJSON_AddArrayToObject(o, "changes")) == NULL ||
	    (docs = cJSON_AddArrayToObject(o, "documents")) == NULL) {
		cJSON_Delete(o);
		return (segurctl_print_json(env, NULL));
	}
	if (n > 0 && (rc = last_edit(l, ref, changes, docs, &cause)) != 0) {
		cJSON_Delete(o);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	return (segurctl_print_json(env, o));
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
		    "REF et FILE.json attendus (ou - pour l'entrée standard), "
		    "ou REF avec --bdc ou --ht"));
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
		    args->argv[1], cause != NULL ? cause : "illisible (au plus "
		    "16 Mio)");
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
	if (segurctl_flag(self, args, "json"))
		return (edit_json(self, env, l, req.ref, n));
	if (n == 0)
		fprintf(env->out, "%s : inchangée\n", req.ref);
	else
		fprintf(env->out, "%s : %d modification(s) enregistrée(s) ; "
		    "validez-la de nouveau (segurctl request ready, ou "
		    "segurctl resubmit si elle a été rejetée)\n", req.ref, n);
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
	.args = "[--json] [--bdc FILE] [--ht FILE] REF [FILE.json|-]",
	.summary = "remplacer le contenu d'une demande qui n'est pas en cours "
	    "(la différence est journalisée)",
	.opts = request_edit_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 2,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_REF,
	.check = request_edit_check,
	.exec = request_edit_exec
};
