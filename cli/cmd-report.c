/*
 * cmd-report.c: segurctl report --html: one static page (inline CSS and
 * SVG, no script, no network) for the ops team and auditors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

static int
report_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l = args->ledger;
	const char	*keyfile = NULL, *path = NULL;
	char		*cause = NULL;
	int		 rc, have;

	path = segurctl_arg(self, args, "html");
	keyfile = segurctl_arg(self, args, "key");
	if (path == NULL)
		return (segurctl_usage_error(self, env, "--html is required"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_audit_key_release(&key);
	if (rc == 0)
		rc = segur_audit_report_html(l, &h, &out, &cause);
	if (rc != 0) {
		segur_buf_release(&out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	rc = segurctl_write_output(self, env, path, &out);
	segur_buf_release(&out);
	return (rc);
}

static const struct segurctl_opt report_opts[] = {
	{ "html", 0, "FILE", "le rapport à écrire" },
	{ "key", 0, "FILE", "la clé de scellement (par défaut : "
	    "$SEGUR_AUDIT_KEY_FILE)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_report = {
	.name = "report",
	.group = "report",
	.args = "--html FILE [--key FILE]",
	.summary = "écrire un rapport HTML statique : états, montants, rejets, "
	    "semaines, listes de choses à faire",
	.opts = report_opts,
	.flags = SEGURCTL_LEDGER,
	.args_min = 0,
	.args_max = 0,
	.exec = report_exec
};
