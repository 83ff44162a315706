/*
 * cmd-request-add.c: segurctl request add: register a draft from one
 * line-shaped JSON object (a file, or - for standard input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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
    struct segurctl_args *args)
{
	struct segur_request_new req;
	struct segur_ledger *l = args->ledger;
	char		*buf = NULL, *cause = NULL;
	cJSON		*o;
	size_t		 len;
	int		 rc;

	memset(&req, 0, sizeof(req));
	req.ref = segurctl_arg(self, args, "ref");
	req.numero_ans = segurctl_arg(self, args, "ans");
	req.bdc_path = segurctl_arg(self, args, "bdc");
	req.ht_path = segurctl_arg(self, args, "ht");
	if (req.ref == NULL)
		return (segurctl_usage_error(self, env,
		    "--ref est obligatoire"));
	if (strcmp(args->argv[0], "-") == 0) {
		if (read_stdin(&buf, &len) != 0) {
			fprintf(env->err, "segurctl %s: impossible de lire "
			    "l'entrée standard (au plus 4 Mio)\n", self->name);
			return (SEGURCTL_EXIT_USAGE);
		}
	} else if (segur_read_file(args->argv[0], REQUEST_MAX_BYTES, &buf,
	    &len, &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", self->name, cause);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	req.content = buf;
	req.content_len = len;
	rc = segur_ledger_request_add(l, &req, NULL, &cause);
	free(buf);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (segurctl_flag(self, args, "json")) {
		if ((o = segurctl_request_json(self, env, l, req.ref)) == NULL)
			return (SEGURCTL_EXIT_USAGE);
		return (segurctl_print_json(env, o));
	}
	fprintf(env->out, "%s : enregistrée comme brouillon\n", req.ref);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt request_add_opts[] = {
	{ "ref", 0, "REF", "votre référence pour cette demande" },
	{ "ans", 0, "NUMERO_ANS", "son logiciel (par défaut : le seul que "
	    "connaît le registre)" },
	{ "bdc", 0, "FILE", "le bon de commande signé (PDF, PNG ou JPEG)" },
	{ "ht", 0, "FILE", "l'attestation de non-assujettissement à la TVA, "
	    "pour le régime HT (PDF, PNG ou JPEG)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_request_add = {
	.name = "request add",
	.group = "request",
	.args = "[--json] --ref REF [--ans NUMERO_ANS] [--bdc FILE] "
	    "[--ht FILE] FILE.json|-",
	.summary = "enregistrer une demande comme brouillon à partir d'une "
	    "ligne de demande",
	.opts = request_add_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = request_add_exec
};
