/*
 * cmd-report.c: segurctl report --html: one static page (inline CSS and
 * SVG, no script, no network) for the ops team and auditors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "segurctl.h"

static int
report_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "html", required_argument, NULL, 'H' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_audit_key key;
	struct segur_chain_head h;
	struct segur_ledger *l;
	const char	*keyfile = NULL, *path = NULL;
	char		*cause = NULL;
	int		 c, rc, have;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'H')
			path = optarg;
		else if (c == 'k')
			keyfile = optarg;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env,
		    "no argument expected"));
	if (path == NULL)
		return (segurctl_usage_error(self, env, "--html is required"));
	if ((rc = segurctl_audit_key(self, env, keyfile, &key, &have)) != 0)
		return (rc);
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0) {
		segur_audit_key_release(&key);
		return (rc);
	}
	rc = segur_audit_head(l, have ? &key : NULL, &h, &cause);
	segur_audit_key_release(&key);
	if (rc == 0)
		rc = segur_audit_report_html(l, &h, &out, &cause);
	segur_ledger_close(l);
	if (rc != 0) {
		segur_buf_release(&out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	rc = segurctl_write_output(self, env, path, &out);
	segur_buf_release(&out);
	return (rc);
}

const struct segurctl_cmd cmd_report = {
	"report", "--html FILE [--key FILE]",
	"write a static HTML report: states, amounts, rejections, weeks, "
	"to-do lists", 0, report_exec
};
