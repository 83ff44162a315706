/*
 * validate-find.c: what every check of the validator reports through
 * (validate-int.h): the path of the value being checked, findings, values
 * quoted for messages, an object's keys sorted into the guide's slots, the
 * ASP-filled values, and the sets of strings seen earlier in a run.
 *
 * validate.c (file level) and validate-line.c (request lines) both call
 * these and never each other's internals, except validate.c handing each
 * line to segur__vline().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "segur/error.h"
#include "segur/util.h"
#include "validate/validate-int.h"

/* --- paths and findings ------------------------------------------------- */

void
segur__vpush_key(struct segur__vstate *st, const char *key)
{
	if (st->depth < SEGUR__PATH_MAX) {
		st->path[st->depth].key = key;
		st->path[st->depth].idx = -1;
	}
	st->depth++;
}

void
segur__vpush_idx(struct segur__vstate *st, long idx)
{
	if (st->depth < SEGUR__PATH_MAX) {
		st->path[st->depth].key = NULL;
		st->path[st->depth].idx = idx;
	}
	st->depth++;
}

void
segur__vpop(struct segur__vstate *st)
{
	if (st->depth > 0)
		st->depth--;
}

/*
 * Makes s fit on one line: control characters (a key or a value may hold
 * a decoded "\n") become visible escapes. Returns s, or a new string and
 * frees s; NULL on ENOMEM (s freed).
 */
static char *
one_line(char *s)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const unsigned char *p;
	int	 rc = 0;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7F)
			break;
	if (*p == '\0')
		return (s);
	for (p = (const unsigned char *)s; *p != '\0' && rc == 0; p++) {
		if (*p == '\n')
			rc = segur_buf_adds(&b, "\\n");
		else if (*p == '\t')
			rc = segur_buf_adds(&b, "\\t");
		else if (*p < 0x20 || *p == 0x7F)
			rc = segur_buf_addf(&b, "\\u%04X", *p);
		else
			rc = segur_buf_add(&b, p, 1);
	}
	free(s);
	if (rc != 0) {
		segur_buf_release(&b);
		return (NULL);
	}
	return (segur_buf_detach(&b));
}

/* Copies key for a message: at most 60 characters, cut on a boundary. */
static const char *
key_text(const char *key, char *out, size_t outsz)
{
	const char	*p = key;
	size_t		 cps;

	for (cps = 0; *p != '\0' && cps < 60; cps++)
		(void)segur__utf8_next(&p);
	snprintf(out, outsz, "%.*s%s", (int)(p - key), key,
	    *p != '\0' ? "…" : "");
	return (out);
}

/* Renders the current path plus leaf: keys joined by '.', [i] indexes. */
static char *
path_render(const struct segur__vstate *st, const char *leaf)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	 k[256];
	int	 i, n = st->depth < SEGUR__PATH_MAX ? st->depth :
		    SEGUR__PATH_MAX, rc = 0;

	/* Keys are cut at 60 characters: only unknown keys are that long. */
	for (i = 0; i < n && rc == 0; i++) {
		if (st->path[i].key != NULL)
			rc = segur_buf_addf(&b, "%s%s", b.len > 0 ? "." : "",
			    key_text(st->path[i].key, k, sizeof(k)));
		else
			rc = segur_buf_addf(&b, "[%ld]", st->path[i].idx);
	}
	if (leaf != NULL && rc == 0)
		rc = segur_buf_addf(&b, "%s%s", b.len > 0 ? "." : "",
		    key_text(leaf, k, sizeof(k)));
	if (rc != 0) {
		segur_buf_release(&b);
		return (NULL);
	}
	return (one_line(segur_buf_detach(&b)));
}

/* Room for one more finding, zeroed; NULL on ENOMEM (st->oom set). */
static struct segur_finding *
finding_slot(struct segur__vstate *st)
{
	struct segur_report *rep = st->rep;
	struct segur_finding *f;
	size_t	 ncap;

	if (rep->nfindings == st->fcap) {
		ncap = st->fcap == 0 ? 16 : st->fcap * 2;
		f = reallocarray(rep->findings, ncap, sizeof(*f));
		if (f == NULL) {
			st->oom = 1;
			return (NULL);
		}
		rep->findings = f;
		st->fcap = ncap;
	}
	f = &rep->findings[rep->nfindings];
	memset(f, 0, sizeof(*f));
	return (f);
}

/* Past SEGUR__MAX_FINDINGS: count, and say once that the rest is not kept. */
static void
finding_over_limit(struct segur__vstate *st, const struct segur_rule *r)
{
	struct segur_report *rep = st->rep;
	struct segur_finding *f;

	if (r->severity == SEGUR_SEV_ERROR)
		rep->nerrors++;
	else
		rep->nwarnings++;
	if (st->truncated || (f = finding_slot(st)) == NULL)
		return;
	st->truncated = 1;
	f->message = segur_asprintf("plus de %d constats : les suivants sont "
	    "comptés dans le résumé mais pas détaillés ; corrigez d'abord "
	    "ceux-ci", SEGUR__MAX_FINDINGS);
	if (f->message == NULL) {
		st->oom = 1;
		return;
	}
	f->rule = &segur__rules[R_RAPPORT_TRONQUE];
	f->severity = f->rule->severity;
	f->line = -1;
	f->numLigne = -1;
	rep->nfindings++;
	rep->nwarnings++;
}

void
segur__vfind(struct segur__vstate *st, int rule, const char *leaf,
    const char *fmt, ...)
{
	const struct segur_rule *r = &segur__rules[rule];
	struct segur_report *rep = st->rep;
	struct segur_finding *f;
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;
	int	 rc;

	if (st->oom)
		return;
	if (r->severity == SEGUR_SEV_ERROR && st->line >= 0) {
		/* ASP mode: a line's check stops at its first error. */
		if (st->first_error && st->line_errors > 0)
			return;
		st->line_errors++;
	}
	if (rep->nfindings >= SEGUR__MAX_FINDINGS) {
		finding_over_limit(st, r);
		return;
	}
	if ((f = finding_slot(st)) == NULL)
		return;
	va_start(ap, fmt);
	rc = segur_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0 || (f->message = one_line(segur_buf_detach(&b))) ==
	    NULL) {
		segur_buf_release(&b);
		st->oom = 1;
		return;
	}
	if (r->scope != SEGUR_SCOPE_STRUCTURE &&
	    (st->depth > 0 || leaf != NULL) &&
	    (f->path = path_render(st, leaf)) == NULL) {
		free(f->message);
		st->oom = 1;
		return;
	}
	f->rule = r;
	f->severity = r->severity;
	f->line = st->line;
	f->numLigne = st->line >= 0 ? st->numLigne : -1;
	rep->nfindings++;
	if (r->severity == SEGUR_SEV_ERROR)
		rep->nerrors++;
	else
		rep->nwarnings++;
}

const char *
segur__vnumtext(const struct segur__vstate *st, const cJSON *v, size_t *n)
{
	size_t	 k;

	if (v == NULL || v->valueint < 0 ||
	    (k = (size_t)v->valueint) >= st->nspans) {
		*n = 0;
		return ("");
	}
	*n = st->spans[k].len;
	return (st->buf + st->spans[k].off);
}

void
segur__vquote(const struct segur__vstate *st, const cJSON *v, char *out,
    size_t outsz)
{
	const char	*s, *p;
	size_t		 n, cps = 0;

	if (v == NULL)
		snprintf(out, outsz, "absent");
	else if (V_IS_STRING(v)) {
		/* At most 60 characters, cut on a character boundary. */
		s = v->valuestring;
		for (p = s; *p != '\0' && cps < 60; cps++)
			(void)segur__utf8_next(&p);
		snprintf(out, outsz, "\"%.*s%s\"", (int)(p - s), s,
		    *p != '\0' ? "…" : "");
	} else if (V_IS_NUMBER(v)) {
		s = segur__vnumtext(st, v, &n);
		snprintf(out, outsz, "%.*s", (int)(n > 60 ? 60 : n), s);
	} else if (V_IS_TRUE(v))
		snprintf(out, outsz, "true");
	else if (V_IS_FALSE(v))
		snprintf(out, outsz, "false");
	else if (V_IS_NULL(v))
		snprintf(out, outsz, "null");
	else if (V_IS_ARRAY(v))
		snprintf(out, outsz, "un tableau");
	else
		snprintf(out, outsz, "un objet");
}

const char *
segur__vq(const struct segur__vstate *st, const cJSON *v, char *out,
    size_t outsz)
{
	segur__vquote(st, v, out, outsz);
	return (out);
}

const char *
segur__vtypename(const cJSON *v)
{
	if (V_IS_STRING(v))
		return ("un texte");
	if (V_IS_NUMBER(v))
		return ("un nombre");
	if (V_IS_BOOL(v))
		return ("un booléen");
	if (V_IS_NULL(v))
		return ("null");
	if (V_IS_ARRAY(v))
		return ("un tableau");
	return ("un objet");
}

/* --- strings seen earlier ------------------------------------------------ */

/* The slot of s in set's index: where it is, or the empty slot to use. */
static size_t
seen_slot(const struct segur__seenset *set, const char *s, uint32_t h)
{
	size_t	 mask = set->icap - 1, i = h & mask;
	const struct segur__seen *e;

	while (set->idx[i] != 0) {
		e = &set->v[set->idx[i] - 1];
		if (e->hash == h && strcmp(e->s, s) == 0)
			break;
		i = (i + 1) & mask;
	}
	return (i);
}

int
segur__seen_find(const struct segur__seenset *set, const char *s,
    long *where)
{
	size_t	 i;

	if (set->n == 0)
		return (0);
	i = seen_slot(set, s, segur__hash(s));
	if (set->idx[i] == 0)
		return (0);
	if (where != NULL)
		*where = set->v[set->idx[i] - 1].where;
	return (1);
}

int
segur__seen_add(struct segur__vstate *st, struct segur__seenset *set,
    const char *s, long where, long *prev)
{
	struct segur__seen *v;
	uint32_t *idx, h = segur__hash(s);
	size_t	 i, ncap;

	if (set->icap > 0 && set->n > 0) {
		i = seen_slot(set, s, h);
		if (set->idx[i] != 0) {
			*prev = set->v[set->idx[i] - 1].where;
			return (1);
		}
	}
	if (set->n == set->cap) {
		ncap = set->cap == 0 ? 16 : set->cap * 2;
		if ((v = reallocarray(set->v, ncap, sizeof(*v))) == NULL) {
			st->oom = 1;
			return (0);
		}
		set->v = v;
		set->cap = ncap;
	}
	/* Keep the index at most half full. */
	if (2 * (set->n + 1) > set->icap) {
		ncap = set->icap == 0 ? 32 : set->icap * 2;
		if ((idx = calloc(ncap, sizeof(*idx))) == NULL) {
			st->oom = 1;
			return (0);
		}
		free(set->idx);
		set->idx = idx;
		set->icap = ncap;
		for (i = 0; i < set->n; i++)
			set->idx[seen_slot(set, set->v[i].s, set->v[i].hash)] =
			    (uint32_t)i + 1;
	}
	set->v[set->n].s = s;
	set->v[set->n].hash = h;
	set->v[set->n].where = where;
	set->idx[seen_slot(set, s, h)] = (uint32_t)++set->n;
	return (0);
}

void
segur__seen_clear(struct segur__seenset *set)
{
	if (set->n > 0)
		memset(set->idx, 0, set->icap * sizeof(*set->idx));
	set->n = 0;
}

void
segur__seen_release(struct segur__seenset *set)
{
	free(set->v);
	free(set->idx);
	memset(set, 0, sizeof(*set));
}

/* --- objects ------------------------------------------------------------ */

/*
 * Sorts the keys of obj into slots[] following keys[] (the guide's order),
 * reporting a key seen twice (on the later one: the earlier value is the one
 * checked) and unknown keys (warning, with a hint when only the case
 * differs). Missing keys are left NULL for the field checks to report.
 */
void
segur__vobject(struct segur__vstate *st, const cJSON *obj,
    const char *const *keys, size_t nkeys, const cJSON **slots)
{
	const cJSON	*c, *d;
	char		 k[256];
	size_t		 i, next = 0;

	for (i = 0; i < nkeys; i++)
		slots[i] = NULL;
	for (c = obj->child; c != NULL; c = c->next) {
		/* Keys usually come in the guide's order: try that first. */
		if (next < nkeys && strcmp(c->string, keys[next]) == 0)
			i = next;
		else
			for (i = 0; i < nkeys; i++)
				if (strcmp(c->string, keys[i]) == 0)
					break;
		if (i < nkeys) {
			next = i + 1;
			if (slots[i] == NULL)
				slots[i] = c;
			else
				segur__vfind(st, R_JSON_CLE_EN_DOUBLE,
				    c->string, "la clé \"%s\" apparaît "
				    "plusieurs fois dans cet objet : gardez-en "
				    "une seule (la valeur retenue serait "
				    "ambiguë)", key_text(c->string, k,
				    sizeof(k)));
			continue;
		}
		for (d = obj->child; d != c; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				break;
		if (d != c) {
			segur__vfind(st, R_JSON_CLE_EN_DOUBLE, c->string,
			    "la clé \"%s\" apparaît plusieurs fois dans cet "
			    "objet : gardez-en une seule",
			    key_text(c->string, k, sizeof(k)));
			continue;
		}
		for (i = 0; i < nkeys; i++)
			if (strcasecmp(c->string, keys[i]) == 0)
				break;
		if (i < nkeys)
			segur__vfind(st, R_JSON_CLE_INCONNUE, c->string,
			    "clé inconnue \"%s\" : les noms de clés respectent "
			    "la casse, écrivez \"%s\"", key_text(c->string,
			    k, sizeof(k)), keys[i]);
		else
			segur__vfind(st, R_JSON_CLE_INCONNUE, c->string,
			    "clé inconnue \"%s\" : elle n'existe pas dans le "
			    "guide, supprimez-la", key_text(c->string, k,
			    sizeof(k)));
	}
}

/* --- values ASP fills ---------------------------------------------------- */

/* ASP-filled value on return: null, a text or a number. */
void
segur__vreturned(struct segur__vstate *st, int rule, const char *key,
    const cJSON *v)
{
	char	 q[128];

	if (v == NULL)
		return;
	if (!st->returned) {
		if (!V_IS_NULL(v)) {
			segur__vquote(st, v, q, sizeof(q));
			segur__vfind(st, rule, key, "%s doit valoir null à "
			    "l'envoi (ASP le remplit au retour) ; valeur "
			    "trouvée : %s", key, q);
		}
		return;
	}
	if (!V_IS_NULL(v) && !V_IS_STRING(v) && !V_IS_NUMBER(v)) {
		segur__vquote(st, v, q, sizeof(q));
		segur__vfind(st, rule, key, "%s vaut null, un texte ou un "
		    "nombre dans un fichier retourné par ASP ; valeur "
		    "trouvée : %s", key, q);
	}
}
