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
    int argc, char **argv)
{
	return (segurctl_file_close(self, env, argc, argv, 0));
}

const struct segurctl_cmd cmd_file_cancel = {
	"file cancel", "--reason TEXT [--json] FILE_NAME",
	"cancel a built file never uploaded (requests back, numbers burnt)",
	0, file_cancel_exec
};
