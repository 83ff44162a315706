/*
 * outdir.c: the day, the software and the output folder of a build
 * (outdir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/ledger-int.h"
#include "files/outdir.h"
#include "segur/build.h"
#include "segur/bundle.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

int
segur__outdir_add(struct segur__outdir *o, const char *final,
    const char **tmp)
{
	struct segur__pending *p;
	const char	*slash = strrchr(final, '/');
	char		*t, *f;

	if (slash == NULL)
		return (SEGUR_EINVAL);
	t = segur_asprintf("%.*s/.%s" SEGUR__TMP_SUFFIX, (int)(slash - final),
	    final, slash + 1);
	f = strdup(final);
	p = realloc(o->v, (o->n + 1) * sizeof(*o->v));
	if (p != NULL)
		o->v = p;
	if (t == NULL || f == NULL || p == NULL) {
		free(t);
		free(f);
		return (SEGUR_ENOMEM);
	}
	o->v[o->n].tmp = t;
	o->v[o->n].final = f;
	*tmp = o->v[o->n++].tmp;
	return (0);
}

/* Is name (in the folder) a temporary file of a build? */
static int
tmp_name(const char *name)
{
	size_t	 nl = strlen(name), sl = strlen(SEGUR__TMP_SUFFIX);

	return (name[0] == '.' && nl > 1 + sl &&
	    strcmp(name + nl - sl, SEGUR__TMP_SUFFIX) == 0);
}

/* Did the ledger record final's name with the content of tmp? */
static int
recorded(struct segur_ledger *l, const char *tmp, const char *name)
{
	static const char *const sql =
	    "SELECT sha256 FROM file WHERE direction = 'out' AND name = ?";
	sqlite3_stmt	*st;
	char		*data, hex[65];
	size_t		 len;
	int		 yes = 0;

	if (segur__stmt(l, sql, &st, NULL) != 0)
		return (0);
	segur__bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW && segur_read_file(tmp,
	    SEGUR_ZIP_MAX_BYTES + (size_t)1024 * 1024, &data, &len,
	    NULL) == 0) {
		segur_sha256_hex(data, len, hex);
		yes = strcmp(hex, (const char *)sqlite3_column_text(st, 0)) ==
		    0;
		free(data);
	}
	sqlite3_reset(st);
	return (yes);
}

int
segur__outdir_recover(struct segur_ledger *l, const char *dir,
    size_t *nrecovered, char **cause)
{
	struct dirent	*de;
	DIR		*d;
	char		*tmp, *final;
	size_t		 sl = strlen(SEGUR__TMP_SUFFIX);
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		/* Leftovers of segur_write_file_atomic() go too. */
		if (de->d_name[0] != '.' || strstr(de->d_name,
		    SEGUR__TMP_SUFFIX) == NULL)
			continue;
		tmp = segur_asprintf("%s/%s", dir, de->d_name);
		final = tmp_name(de->d_name) ? segur_asprintf("%s/%.*s", dir,
		    (int)(strlen(de->d_name) - 1 - sl), de->d_name + 1) : NULL;
		if (tmp != NULL && final != NULL && access(final, F_OK) != 0 &&
		    recorded(l, tmp, strrchr(final, '/') + 1)) {
			if (rename(tmp, final) == 0)
				(*nrecovered)++;
			else
				rc = segur_cause(cause, SEGUR_EIO,
				    "rename %s: %s", tmp, strerror(errno));
		} else if (tmp != NULL)
			unlink(tmp);
		free(final);
		free(tmp);
	}
	closedir(d);
	if (rc == 0)
		rc = segur_fsync_dir(dir, cause);
	return (rc);
}

int
segur__outdir_finish(struct segur__outdir *o, void (*after_first)(void *),
    void *arg, const char *again, char **cause)
{
	size_t	 i;

	for (i = 0; i < o->n; i++) {
		if (rename(o->v[i].tmp, o->v[i].final) == -1)
			return (segur_cause(cause, SEGUR_EIO, "rename %s: %s "
			    "(le lot est enregistré : relancez %s pour "
			    "terminer)", o->v[i].tmp, strerror(errno), again));
		if (i == 0 && after_first != NULL)
			after_first(arg);
	}
	return (segur_fsync_dir(o->dir, cause));
}

/* Removes the temporary files of a build that did not commit. */
static void
outdir_discard(struct segur__outdir *o)
{
	size_t	 i;

	for (i = 0; i < o->n; i++)
		unlink(o->v[i].tmp);
}

void
segur__outdir_abandon(struct segur_ledger *l, struct segur__outdir *o,
    struct segur_build_result *r)
{
	size_t	 i;

	segur_ledger_rollback(l);
	outdir_discard(o);
	for (i = 0; i < r->nfiles; i++) {
		free(r->files[i].name);
		free(r->files[i].path);
	}
	r->nfiles = 0;
}

void
segur__outdir_release(struct segur__outdir *o)
{
	size_t	 i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].tmp);
		free(o->v[i].final);
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

int
segur__build_day(const char *opt, char day[9], char **cause)
{
	struct segur_date d;

	if (opt != NULL) {
		if (segur_date_parse(opt, strlen(opt), SEGUR_DATE_COMPACT,
		    &d) != 0 || d.year < 1900)
			return (segur_cause(cause, SEGUR_EINVAL, "date « %s » : "
			    "AAAAMMJJ attendu (une date réelle)", opt));
	} else if (segur_date_today(&d) != 0)
		return (segur_cause(cause, SEGUR_EIO, "localtime"));
	segur_date_format_compact(&d, day);
	return (0);
}

int
segur__build_software(struct segur_ledger *l, const char *ans,
    struct segur_software *sw, char **cause)
{
	struct segur_software	*all;
	size_t			 n;
	int			 rc;

	if (ans != NULL)
		return (segur_ledger_software_get(l, ans, sw, cause));
	if ((rc = segur_ledger_software_list(l, &all, &n, cause)) != 0)
		return (rc);
	if (n != 1) {
		segur_software_free_array(all, n);
		return (segur_cause(cause, n == 0 ? SEGUR_ENOENT :
		    SEGUR_EINVAL, n == 0 ? "aucun logiciel enregistré "
		    "(segurctl software add)" : "plusieurs logiciels "
		    "enregistrés : précisez --ans NUMERO_ANS"));
	}
	rc = segur_ledger_software_get(l, all[0].numero_ans, sw, cause);
	segur_software_free_array(all, n);
	return (rc);
}
