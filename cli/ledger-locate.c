/*
 * ledger-locate.c: which ledger segurctl uses, and why.
 *
 * segurd reads its ledger from [ledger] path of /etc/segur/segurd.conf;
 * segurctl used to default to ./var/ledger.db, so that run from another
 * folder it found no ledger and invited "segurctl init", which would have
 * created a second, empty one. The order is now: --db (global or the
 * command's), $SEGUR_DB, [ledger] path of the configuration file when it
 * exists ($SEGUR_CONF names another file, for tests; empty: none), else
 * ./var/ledger.db.
 *
 * The same file's [audit] key_file (or its older spelling [ledger]
 * audit_key_file) names the audit key, which segurctl uses when neither
 * --key nor $SEGUR_AUDIT_KEY_FILE is given (cli/audit-common.c).
 *
 * The configuration is read here with inih, two keys only, rather than by
 * linking daemon/config.c: segurd's loader also reads the secrets the file
 * names, which an auditor running segurctl may not read, and refuses the
 * whole file for a key segurctl does not care about.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "segur/error.h"
#include "segur/util.h"

#include "segurctl.h"

/* segurd's defaults (daemon/config.h, daemon/config.c's table). */
#define CONF_DEFAULT		"/etc/segur/segurd.conf"
#define CONF_LEDGER_DEFAULT	"/var/lib/segur/ledger.db"
#define LEDGER_DEFAULT		"./var/ledger.db"

struct conf_read {
	char	*path;		/* owned; [ledger] path as written */
	char	*key;		/* owned; [audit] key_file as written */
	int	 oom;
};

/* inih's handler: keeps [ledger] path and the key file, ignores the rest. */
static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_read *r = user;
	char		**dst;

	if (strcmp(section, "ledger") == 0 && strcmp(name, "path") == 0)
		dst = &r->path;
	else if ((strcmp(section, "audit") == 0 &&
	    strcmp(name, "key_file") == 0) ||
	    (strcmp(section, "ledger") == 0 &&
	    strcmp(name, "audit_key_file") == 0))
		dst = &r->key;
	else
		return (1);
	if (value[0] == '\0')
		return (1);
	free(*dst);
	if ((*dst = strdup(value)) == NULL)
		r->oom = 1;
	return (1);
}

/*
 * The key file the configuration names, found as segurd finds it
 * (daemon/config.c's secret_path()): absolute as is; a bare name in
 * $CREDENTIALS_DIRECTORY when set, else beside the file; any other
 * relative name beside the file. Malloc'ed; NULL on ENOMEM.
 */
static char *
conf_key(const char *file, const char *value)
{
	const char	*creds = getenv("CREDENTIALS_DIRECTORY");
	char		*copy, *p;

	if (value[0] == '/')
		return (strdup(value));
	if (creds != NULL && creds[0] != '\0' && strchr(value, '/') == NULL)
		return (segur_asprintf("%s/%s", creds, value));
	if ((copy = strdup(file)) == NULL)
		return (NULL);
	p = segur_asprintf("%s/%s", dirname(copy), value);
	free(copy);
	return (p);
}

/*
 * The ledger file names: [ledger] path, relative to the folder of the
 * file as segurd takes it, or segurd's default. Malloc'ed; NULL on ENOMEM.
 */
static char *
conf_ledger(const char *file, const char *value)
{
	char	*copy, *dir, *p;

	if (value == NULL)
		return (strdup(CONF_LEDGER_DEFAULT));
	if (value[0] == '/')
		return (strdup(value));
	if ((copy = strdup(file)) == NULL)
		return (NULL);
	/* Absolute, as segurd makes it, so that -v says where it is. */
	if ((dir = realpath(dirname(copy), NULL)) == NULL) {
		free(copy);
		if ((copy = strdup(file)) == NULL)
			return (NULL);
		p = segur_asprintf("%s/%s", dirname(copy), value);
		free(copy);
		return (p);
	}
	p = segur_asprintf("%s/%s", dir, value);
	free(dir);
	free(copy);
	return (p);
}

int
segurctl_ledger_locate(struct segurctl_env *env)
{
	struct conf_read r;
	const char	*conf, *db;
	FILE		*f;
	int		 ini;

	conf = getenv("SEGUR_CONF");
	if (conf == NULL)
		conf = CONF_DEFAULT;
	if (conf[0] != '\0') {
		memset(&r, 0, sizeof(r));
		if ((f = fopen(conf, "r")) != NULL) {
			env->conf_file = conf;
			/* As segurd reads it (daemon/config.c). */
			ini_allow_multiline = false;
			ini = ini_parse_file(f, conf_handler, &r);
			fclose(f);
			if (r.oom || ini < 0 ||
			    (env->conf_db = conf_ledger(conf, r.path)) ==
			    NULL || (r.key != NULL &&
			    (env->conf_key = conf_key(conf, r.key)) == NULL)) {
				free(r.path);
				free(r.key);
				return (SEGUR_ENOMEM);
			}
			free(r.path);
			free(r.key);
		} else if (errno != ENOENT) {
			/* There is one, but which ledger it names is not
			 * known: no guess, said when a ledger is needed. */
			env->conf_file = conf;
			env->conf_errno = errno;
		}
	}

	if ((db = getenv("SEGUR_DB")) != NULL && db[0] != '\0') {
		env->db_path = db;
		env->db_source = SEGURCTL_DB_ENV;
	} else if (env->conf_db != NULL) {
		env->db_path = env->conf_db;
		env->db_source = SEGURCTL_DB_CONF;
	} else if (env->conf_errno != 0) {
		env->db_path = LEDGER_DEFAULT;
		env->db_source = SEGURCTL_DB_CONF;
	} else {
		env->db_path = LEDGER_DEFAULT;
		env->db_source = SEGURCTL_DB_DEFAULT;
	}
	return (0);
}

void
segurctl_db_option(struct segurctl_env *env, const char *path)
{
	env->db_path = path;
	env->db_source = SEGURCTL_DB_OPTION;
}

const char *
segurctl_db_source(const struct segurctl_env *env)
{
	switch (env->db_source) {
	case SEGURCTL_DB_OPTION:
		return ("--db");
	case SEGURCTL_DB_ENV:
		return ("$SEGUR_DB");
	case SEGURCTL_DB_CONF:
		return (env->conf_file);
	case SEGURCTL_DB_DEFAULT:
		break;
	}
	return ("défaut");
}

int
segurctl_ledger_announce(const struct segurctl_cmd *cmd,
    struct segurctl_env *env)
{
	if (env->db_source == SEGURCTL_DB_CONF && env->conf_errno != 0) {
		fprintf(env->err, "segurctl %s: %s : %s : impossible de savoir "
		    "quel registre utiliser ; donnez --db ou $SEGUR_DB\n",
		    cmd->name, env->conf_file, strerror(env->conf_errno));
		return (SEGURCTL_EXIT_USAGE);
	}
	if (env->verbose && !env->announced)
		fprintf(env->err, "registre : %s (source : %s)\n",
		    env->db_path, segurctl_db_source(env));
	env->announced = 1;
	return (0);
}

/* Whether a and b name the same file, or would once created. */
static int
same_file(const char *a, const char *b)
{
	struct stat	 sa, sb;
	char		*ca, *cb, *da, *db;
	int		 same = 0;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
	if (strcmp(a, b) == 0)
		return (1);
	/* Not there yet: the same folder and the same name. */
	ca = strdup(a);
	cb = strdup(b);
	if (ca != NULL && cb != NULL &&
	    strcmp(basename(ca), basename(cb)) == 0) {
		free(ca);
		free(cb);
		ca = strdup(a);
		cb = strdup(b);
		if (ca != NULL && cb != NULL &&
		    (da = realpath(dirname(ca), NULL)) != NULL) {
			if ((db = realpath(dirname(cb), NULL)) != NULL) {
				same = strcmp(da, db) == 0;
				free(db);
			}
			free(da);
		}
	}
	free(ca);
	free(cb);
	return (same);
}

int
segurctl_init_check(const struct segurctl_cmd *cmd, struct segurctl_env *env)
{
	struct stat	 st;

	/* Migrating a ledger that exists creates nothing. */
	if (stat(env->db_path, &st) == 0)
		return (0);
	if (env->conf_errno != 0) {
		fprintf(env->err, "segurctl %s: %s : %s : impossible de "
		    "vérifier quel registre segurd utilise ; %s n'est pas "
		    "créé\n", cmd->name, env->conf_file,
		    strerror(env->conf_errno), env->db_path);
		return (SEGURCTL_EXIT_USAGE);
	}
	if (env->conf_db == NULL || same_file(env->db_path, env->conf_db))
		return (0);
	fprintf(env->err, "segurctl %s: %s désigne le registre %s ; refus "
	    "d'en créer un second à %s (source : %s). Pour ce registre-là, "
	    "omettez --db et $SEGUR_DB ; pour un registre indépendant, "
	    "SEGUR_CONF= (vide) ne lit aucune configuration.\n", cmd->name,
	    env->conf_file, env->conf_db, env->db_path,
	    segurctl_db_source(env));
	return (SEGURCTL_EXIT_USAGE);
}
