/*
 * cmd-file-cancel.c: segurctl file cancel --reason TEXT [--json] FILE_NAME:
 * a built file that will never be uploaded. Its requests go back to where
 * build found them; its numbers are burnt (cli/cmd-file-refused.c holds
 * the body).
 */
#include <stdio.h>

#include "segurctl.h"

static int
file_cancel_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	return (segurctl_file_close(self, env, args, 0));
}

static const struct segurctl_opt file_cancel_opts[] = {
	{ "reason", 0, "TEXT", "pourquoi il ne sera jamais déposé" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_file_cancel = {
	.name = "file cancel",
	.group = "file",
	.args = "--reason TEXT [--json] FILE_NAME",
	.summary = "annuler un fichier construit jamais déposé (ses demandes "
	    "reviennent, ses numéros sont perdus)",
	.opts = file_cancel_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = file_cancel_exec
};
