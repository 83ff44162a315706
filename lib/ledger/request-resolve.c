/*
 * request-resolve.c: one way to name a request.
 *
 * Ops hold whatever identifier the last document in their hands carries:
 * the editor's reference on an order form, a numeroEditeur in a file sent
 * to ASP, a numeroASP in ASP's answer or payment notice. Every command that
 * takes a request resolves it here, trying the three kinds; a miss says
 * which kinds were tried and suggests the nearest identifier the ledger
 * holds, found among the neighbours of the key in each index (a typo is
 * most often near the end), so a miss costs six index probes, never a
 * scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger-int.h"

/* What each kind is called in messages. */
static const char *const kind_names[] = {
	[SEGUR_IDENT_REF] = "référence",
	[SEGUR_IDENT_EDITEUR] = "numeroEditeur",
	[SEGUR_IDENT_ASP] = "numéro ASP"
};

const char *
segur_ident_kind_name(enum segur_ident_kind k)
{
	if ((int)k < 0 || k > SEGUR_IDENT_ASP)
		return ("?");
	return (kind_names[k]);
}

/* Copies column i of st into dst, "" when NULL. */
static void
copy_text(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const char	*s = (const char *)sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", s != NULL ? s : "");
}

/* Fills out from the request row id. */
static int
ident_fill(struct segur_ledger *l, int64_t id, struct segur_request_ident *out,
    char **cause)
{
	static const char *const q =
	    "SELECT ref, state, numero_asp, numero_editeur FROM request "
	    "WHERE id = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->id = id;
		copy_text(st, 0, out->ref, sizeof(out->ref));
		out->state = (enum segur_state)segur_state_parse(
		    (const char *)sqlite3_column_text(st, 1));
		copy_text(st, 2, out->numero_asp, sizeof(out->numero_asp));
		copy_text(st, 3, out->numero_editeur,
		    sizeof(out->numero_editeur));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "lire la demande"));
	return (0);
}

/*
 * The requests key names, one row per (kind, request): a numeroEditeur
 * or numeroASP of any attempt, not only the current one, as ASP's old
 * answers and notices carry them.
 */
static const char *const q_match =
    "SELECT 0, id FROM request WHERE ref = ?1 "
    "UNION SELECT 1, request_id FROM attempt WHERE numero_editeur = ?1 "
    "UNION SELECT 2, id FROM request WHERE numero_asp = ?1 "
    "UNION SELECT 2, request_id FROM attempt WHERE numero_asp = ?1 "
    "ORDER BY 1, 2";

/* Levenshtein distance of two short strings (identifiers: < 128 bytes). */
static size_t
distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, prev, cur, diag;
	size_t	 row[129];

	if (la > 128 || lb > 128)
		return ((size_t)-1);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			prev = row[j];
			cur = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			row[j] = cur;
			diag = prev;
		}
	}
	return (row[lb]);
}

/* The neighbours of key in each index, both sides. */
static const char *const q_near[] = {
	"SELECT ref FROM request WHERE ref > ?1 ORDER BY ref LIMIT 2",
	"SELECT ref FROM request WHERE ref < ?1 ORDER BY ref DESC LIMIT 2",
	"SELECT numero_editeur FROM attempt WHERE numero_editeur > ?1 "
	    "ORDER BY numero_editeur LIMIT 2",
	"SELECT numero_editeur FROM attempt WHERE numero_editeur < ?1 "
	    "ORDER BY numero_editeur DESC LIMIT 2",
	"SELECT numero_asp FROM request WHERE numero_asp > ?1 "
	    "ORDER BY numero_asp LIMIT 2",
	"SELECT numero_asp FROM request WHERE numero_asp < ?1 "
	    "ORDER BY numero_asp DESC LIMIT 2"
};

/*
 * The nearest identifier to key and its kind, into best (size bytes);
 * best[0] stays '\0' when nothing is near enough to be a likely typo (a
 * quarter of the key's length, at least two edits).
 */
static int
nearest(struct segur_ledger *l, const char *key, char *best, size_t size,
    enum segur_ident_kind *kind, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i, d, bestd, limit;
	const char	*s;
	int		 rc;

	best[0] = '\0';
	limit = strlen(key) / 4 > 2 ? strlen(key) / 4 : 2;
	bestd = limit + 1;
	for (i = 0; i < sizeof(q_near) / sizeof(q_near[0]); i++) {
		if ((rc = segur__stmt(l, q_near[i], &st, cause)) != 0)
			return (rc);
		segur__bind_text(st, 1, key);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			s = (const char *)sqlite3_column_text(st, 0);
			/* Identifiers are short: a longer one is no typo. */
			if (s == NULL || strlen(s) >= size ||
			    (d = distance(key, s)) >= bestd)
				continue;
			bestd = d;
			memcpy(best, s, strlen(s) + 1);
			*kind = (enum segur_ident_kind)(i / 2);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return (segur__db_error(l, cause, "chercher un "
			    "identifiant proche"));
	}
	return (0);
}

/* The message of a miss: the kinds tried, and a suggestion. */
static int
miss(struct segur_ledger *l, const char *key, char **cause)
{
	enum segur_ident_kind kind = SEGUR_IDENT_REF;
	char		 best[128];
	int		 rc;

	if ((rc = nearest(l, key, best, sizeof(best), &kind, cause)) != 0)
		return (rc);
	if (best[0] == '\0')
		return (segur_cause(cause, SEGUR_ENOENT, "« %s » : aucune "
		    "demande n'a cette référence, ce numeroEditeur ni ce "
		    "numéro ASP", key));
	return (segur_cause(cause, SEGUR_ENOENT, "« %s » : aucune demande "
	    "n'a cette référence, ce numeroEditeur ni ce numéro ASP ; "
	    "le plus proche : %s « %s »", key, kind_names[kind], best));
}

int
segur_ledger_request_resolve(struct segur_ledger *l, const char *key,
    struct segur_request_ident *out, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id = 0, other = 0;
	int		 rc, kind = 0, okind = 0, n = 0;

	memset(out, 0, sizeof(*out));
	if (key == NULL || key[0] == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "demande non "
		    "désignée : donnez sa référence, son numeroEditeur ou son "
		    "numéro ASP"));
	if ((rc = segur__stmt(l, q_match, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n > 0 && sqlite3_column_int64(st, 1) == id)
			continue;
		if (n == 0) {
			kind = sqlite3_column_int(st, 0);
			id = sqlite3_column_int64(st, 1);
		} else if (n == 1) {
			okind = sqlite3_column_int(st, 0);
			other = sqlite3_column_int64(st, 1);
		}
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "trouver la demande"));
	if (n == 0)
		return (miss(l, key, cause));
	if (n > 1) {
		/* Two requests under one string: no guess. */
		struct segur_request_ident a, b;

		if ((rc = ident_fill(l, id, &a, cause)) != 0 ||
		    (rc = ident_fill(l, other, &b, cause)) != 0)
			return (rc);
		return (segur_cause(cause, SEGUR_EINVAL, "« %s » désigne "
		    "plusieurs demandes : %s de %s et %s de %s ; donnez la "
		    "référence", key, kind_names[kind], a.ref,
		    kind_names[okind], b.ref));
	}
	if ((rc = ident_fill(l, id, out, cause)) != 0)
		return (rc);
	out->matched = (enum segur_ident_kind)kind;
	return (0);
}
