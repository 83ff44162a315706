/*
 * audit-common.c: what the audit family's subcommands share: the sealing
 * key (--key FILE, else $SEGUR_AUDIT_KEY_FILE, else [audit] key_file of
 * segurd.conf), which also seals the events every command writes, and the
 * archive folder (--archive DIR, else archive/ beside the ledger).
 *
 * A key named on the command line or in the environment must be read; the
 * one of segurd.conf is readable only by the segur group, so an auditor
 * outside it is told, and the command goes on without the key (audit
 * verify then says what it could not prove).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/audit.h"
#include "segur/error.h"
#include "segur/ledger.h"

#include "segurctl.h"

int
segurctl_audit_key(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    const char *opt, struct segur_audit_key *key, int *have)
{
	const char	*path = opt;
	char		*cause = NULL;

	int		 from_conf = 0;

	*have = 0;
	memset(key, 0, sizeof(*key));
	if (path == NULL)
		path = getenv("SEGUR_AUDIT_KEY_FILE");
	if ((path == NULL || path[0] == '\0') && env->conf_key != NULL) {
		path = env->conf_key;
		from_conf = 1;
	}
	if (path == NULL || path[0] == '\0')
		return (0);
	if (segur_audit_key_load(path, key, &cause) != 0) {
		if (from_conf) {
			fprintf(env->err, "segurctl %s: attention : clé "
			    "d'audit de %s illisible (%s) : commande "
			    "exécutée sans la clé\n", cmd->name,
			    env->conf_file, cause != NULL ? cause : path);
			free(cause);
			return (0);
		}
		fprintf(env->err, "segurctl %s: %s\n", cmd->name,
		    cause != NULL ? cause : "impossible de lire la clé");
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	*have = 1;
	return (0);
}

/* The key that seals writes: $SEGUR_AUDIT_KEY_FILE, else segurd.conf's. */
static const char *
seal_key_path(const struct segurctl_env *env)
{
	const char	*path = getenv("SEGUR_AUDIT_KEY_FILE");

	if (path != NULL && path[0] != '\0')
		return (path);
	return (env->conf_key);
}

void
segurctl_seal_key(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    struct segur_audit_key *key, int *have)
{
	const char	*path = seal_key_path(env);
	char		*cause = NULL;

	*have = 0;
	memset(key, 0, sizeof(*key));
	if (path == NULL || path[0] == '\0')
		return;
	if (segur_audit_key_load(path, key, &cause) != 0) {
		/* Reading needs no key; an unsealed write is flagged by
		 * audit verify, so say it now. */
		fprintf(env->err, "segurctl %s: attention : %s : les "
		    "événements écrits ne seront pas scellés\n", cmd->name,
		    cause != NULL ? cause : path);
		free(cause);
		return;
	}
	*have = 1;
}

int
segurctl_write_output(const struct segurctl_cmd *cmd,
    struct segurctl_env *env, const char *path, const struct segur_buf *b)
{
	char	*cause = NULL;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (b->len > 0 && fwrite(b->data, 1, b->len, env->out) !=
		    b->len) {
			fprintf(env->err, "segurctl %s: impossible d'écrire "
			    "la sortie\n", cmd->name);
			return (SEGURCTL_EXIT_USAGE);
		}
		return (0);
	}
	if (segur_write_file_atomic(path, b->data != NULL ? b->data : "",
	    b->len, 0640, &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", cmd->name,
		    cause != NULL ? cause : path);
		free(cause);
		return (SEGURCTL_EXIT_USAGE);
	}
	return (0);
}
