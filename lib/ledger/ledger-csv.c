/*
 * ledger-csv.c: CSV input of the ledger (libcsv) and the reference data it
 * loads: messaging operators, eligible ESMS, tranche amounts.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <csv.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/* The messaging operators a new ledger starts with. */
#define OPERATORS_CSV		"sql/ref/operateurs-messagerie.csv"

void
segur_csv_errors_release(struct segur_csv_errors *e)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		free(e->v[i].column);
		free(e->v[i].message);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

int
segur__csv_error(struct segur_csv_errors *e, long row, const char *column,
    const char *fmt, ...)
{
	struct segur_csv_error *v;
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = segur_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0 || (v = realloc(e->v, (e->n + 1) * sizeof(*v))) == NULL) {
		segur_buf_release(&b);
		return (SEGUR_ENOMEM);
	}
	e->v = v;
	v[e->n].row = row;
	v[e->n].column = NULL;
	if (column != NULL && (v[e->n].column = strdup(column)) == NULL) {
		segur_buf_release(&b);
		return (SEGUR_ENOMEM);
	}
	if ((v[e->n].message = segur_buf_detach(&b)) == NULL) {
		free(v[e->n].column);
		return (SEGUR_ENOMEM);
	}
	e->n++;
	return (0);
}

/* Is s[0..n) valid UTF-8 (no overlong forms, no surrogates)? */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t	 i = 0, k, need;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			need = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			need = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			need = 3;
			cp = s[i] & 0x07;
		} else
			return (0);
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			return (0);
		i += need + 1;
	}
	return (1);
}

struct csv_state {
	struct segur__csv	*c;
	struct segur__csv_row	 cur;
	long			 row;
	int			 oom;
};

static void
csv_on_field(void *p, size_t n, void *arg)
{
	struct csv_state *s = arg;
	char	**f, *v;

	if (s->oom)
		return;
	if ((f = realloc(s->cur.f, (s->cur.n + 1) * sizeof(*f))) == NULL) {
		s->oom = 1;
		return;
	}
	s->cur.f = f;
	if ((v = malloc(n + 1)) == NULL) {
		s->oom = 1;
		return;
	}
	if (n > 0)
		memcpy(v, p, n);
	v[n] = '\0';
	f[s->cur.n++] = v;
}

static void
csv_on_row(int c, void *arg)
{
	struct csv_state *s = arg;
	struct segur__csv_row *r;

	(void)c;
	s->row++;
	if (s->oom)
		return;
	if ((r = realloc(s->c->rows, (s->c->nrows + 1) * sizeof(*r))) ==
	    NULL) {
		s->oom = 1;
		return;
	}
	s->c->rows = r;
	s->cur.row = s->row;
	r[s->c->nrows++] = s->cur;
	memset(&s->cur, 0, sizeof(s->cur));
}

static void
row_release(struct segur__csv_row *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	memset(r, 0, sizeof(*r));
}

void
segur__csv_release(struct segur__csv *c)
{
	size_t	 i;

	for (i = 0; i < c->nrows; i++)
		row_release(&c->rows[i]);
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* ';' when the header line has more of them than of ',', else ','. */
static char
guess_delim(const char *buf, size_t len)
{
	size_t	 i, semi = 0, comma = 0;
	int	 quoted = 0;

	for (i = 0; i < len && (quoted || (buf[i] != '\n' && buf[i] != '\r'));
	    i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		else if (!quoted && buf[i] == ';')
			semi++;
		else if (!quoted && buf[i] == ',')
			comma++;
	}
	return ((char)(semi > comma ? ';' : ','));
}

int
segur__csv_read(const char *buf, size_t len, struct segur__csv *out,
    struct segur_csv_errors *errors)
{
	struct csv_parser p;
	struct csv_state s;
	size_t	 i, j;
	int	 bad = 0;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.c = out;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return (SEGUR_ENOMEM);
	out->delim = guess_delim(buf, len);
	csv_set_delim(&p, (unsigned char)out->delim);
	if (csv_parse(&p, buf, len, csv_on_field, csv_on_row, &s) != len ||
	    csv_fini(&p, csv_on_field, csv_on_row, &s) != 0) {
		if (csv_error(&p) == CSV_ENOMEM ||
		    segur__csv_error(errors, s.row + 1, NULL,
		    "CSV mal formé (guillemets) : %s",
		    csv_strerror(csv_error(&p))) != 0)
			s.oom = 1;
		bad = 1;
	}
	csv_free(&p);
	row_release(&s.cur);
	if (s.oom) {
		segur__csv_release(out);
		return (SEGUR_ENOMEM);
	}
	for (i = 0; i < out->nrows; i++) {
		for (j = 0; j < out->rows[i].n; j++) {
			const char *f = out->rows[i].f[j];

			if (utf8_ok((const unsigned char *)f, strlen(f)))
				continue;
			if (segur__csv_error(errors, out->rows[i].row, NULL,
			    "texte non UTF-8 (colonne %zu) : enregistrez le "
			    "fichier en UTF-8", j + 1) != 0)
				return (SEGUR_ENOMEM);
			bad = 1;
		}
	}
	if (!bad && out->nrows == 0) {
		if (segur__csv_error(errors, 1, NULL, "fichier vide : une "
		    "ligne d'en-tête est attendue") != 0)
			return (SEGUR_ENOMEM);
		bad = 1;
	}
	return (bad ? SEGUR_EINVAL : 0);
}

/* Compares a header cell with a column name: case, ' ' and '-' ignored. */
static int
header_is(const char *cell, const char *name)
{
	for (; *cell != '\0' && *name != '\0'; cell++, name++) {
		char c = (char)tolower((unsigned char)*cell);

		if (c == ' ' || c == '-')
			c = '_';
		if (c != *name)
			return (0);
	}
	return (*cell == '\0' && *name == '\0');
}

int
segur__csv_columns(const struct segur__csv *c, const char *const *names,
    const int *required, int *idx, size_t n, struct segur_csv_errors *errors)
{
	const struct segur__csv_row *h = &c->rows[0];
	size_t	 i, j;
	int	 bad = 0;

	for (i = 0; i < n; i++) {
		idx[i] = -1;
		for (j = 0; j < h->n; j++) {
			if (header_is(h->f[j], names[i])) {
				idx[i] = (int)j;
				break;
			}
		}
		if (idx[i] == -1 && required[i]) {
			if (segur__csv_error(errors, 1, names[i], "colonne "
			    "obligatoire absente de l'en-tête") != 0)
				return (SEGUR_ENOMEM);
			bad = 1;
		}
	}
	return (bad ? SEGUR_EINVAL : 0);
}

const char *
segur__csv_field(const struct segur__csv_row *r, int idx)
{
	if (idx < 0 || (size_t)idx >= r->n)
		return ("");
	return (r->f[idx]);
}

int
segur__finess_ok(const char *s)
{
	size_t	 i = 0;

	if (strlen(s) != 9)
		return (0);
	if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
		i = 2;
	for (; i < 9; i++)
		if (s[i] < '0' || s[i] > '9')
			return (0);
	return (1);
}

int
segur__ledger_seed_operators(struct segur_ledger *l, size_t *rows,
    char **cause)
{
	static const char *const names[] = { "code", "libelle" };
	static const int required[] = { 1, 1 };
	static const char *const q =
	    "INSERT OR REPLACE INTO operator(code, label) VALUES (?, ?)";
	struct segur_csv_errors errs = { NULL, 0 };
	struct segur__csv c;
	sqlite3_stmt	*st;
	size_t		 i;
	const struct segur_embedded_file *ops;
	int		 idx[2], rc;

	*rows = 0;
	if ((ops = segur_embedded_find(OPERATORS_CSV)) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL, "%s is not compiled "
		    "in", OPERATORS_CSV));
	if ((rc = segur__csv_read(ops->data, ops->len, &c, &errs)) != 0 ||
	    (rc = segur__csv_columns(&c, names, required, idx, 2,
	    &errs)) != 0) {
		rc = segur_cause(cause, rc, "compiled-in operators list: "
		    "row %ld: %s", errs.n ? errs.v[0].row : 0,
		    errs.n ? errs.v[0].message : "out of memory");
		goto done;
	}
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto done;
	for (i = 1; i < c.nrows; i++) {
		sqlite3_reset(st);
		segur__bind_text(st, 1, segur__csv_field(&c.rows[i], idx[0]));
		segur__bind_text(st, 2, segur__csv_field(&c.rows[i], idx[1]));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = segur__db_error(l, cause, "seed the operators");
			goto done;
		}
		(*rows)++;
	}
	sqlite3_reset(st);
done:
	segur__csv_release(&c);
	segur_csv_errors_release(&errs);
	return (rc);
}

int
segur_ledger_operators(struct segur_ledger *l, struct segur_operator **out,
    size_t *n, char **cause)
{
	static const char *const q =
	    "SELECT code, label FROM operator ORDER BY code";
	struct segur_operator *a = NULL, *na;
	sqlite3_stmt	*st;
	size_t		 cnt = 0;
	int		 rc, oom = 0;

	*out = NULL;
	*n = 0;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((na = realloc(a, (cnt + 1) * sizeof(*a))) == NULL) {
			oom = 1;
			break;
		}
		a = na;
		a[cnt].code = segur__column_dup(st, 0, &oom);
		a[cnt].label = segur__column_dup(st, 1, &oom);
		cnt++;
		if (oom)
			break;
	}
	sqlite3_reset(st);
	if (oom) {
		segur_operator_free_array(a, cnt);
		return (segur_cause(cause, SEGUR_ENOMEM, "out of memory"));
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		segur_operator_free_array(a, cnt);
		return (segur__db_error(l, cause, "read the operators"));
	}
	*out = a;
	*n = cnt;
	return (0);
}

void
segur_operator_free_array(struct segur_operator *a, size_t n)
{
	size_t	 i;

	for (i = 0; a != NULL && i < n; i++) {
		free(a[i].code);
		free(a[i].label);
	}
	free(a);
}

/* One parsed row of a reference CSV. */
struct ref_row {
	const char	*key;		/* finess_geo or tranche code */
	const char	*a;		/* finess_juridique, or NULL */
	const char	*b;		/* tranche, or NULL */
	int64_t		 cents;		/* tranche amount */
};

/* Checks the rows of an eligible-ESMS CSV into rr. */
static int
parse_eligible(const struct segur__csv *c, struct ref_row *rr,
    struct segur_csv_errors *e)
{
	static const char *const names[] = { "finess_geo",
	    "finess_juridique", "tranche" };
	static const int required[] = { 1, 1, 1 };
	int	 idx[3], rc, bad = 0;
	size_t	 i, k;

	if ((rc = segur__csv_columns(c, names, required, idx, 3, e)) != 0)
		return (rc);
	for (i = 1; i < c->nrows; i++) {
		const struct segur__csv_row *r = &c->rows[i];
		struct ref_row *x = &rr[i - 1];

		x->key = segur__csv_field(r, idx[0]);
		x->a = segur__csv_field(r, idx[1]);
		x->b = segur__csv_field(r, idx[2]);
		if (!segur__finess_ok(x->key)) {
			bad = 1;
			if (segur__csv_error(e, r->row, names[0], "FINESS "
			    "« %s » invalide : 9 chiffres, ou 2A/2B et 7 "
			    "chiffres", x->key) != 0)
				return (SEGUR_ENOMEM);
		}
		if (!segur__finess_ok(x->a)) {
			bad = 1;
			if (segur__csv_error(e, r->row, names[1], "FINESS "
			    "« %s » invalide : 9 chiffres, ou 2A/2B et 7 "
			    "chiffres", x->a) != 0)
				return (SEGUR_ENOMEM);
		}
		if (x->b[0] == '\0' || strlen(x->b) > 7) {
			bad = 1;
			if (segur__csv_error(e, r->row, names[2], "tranche "
			    "« %s » invalide : 1 à 7 caractères", x->b) != 0)
				return (SEGUR_ENOMEM);
		}
		for (k = 0; k + 1 < i; k++) {
			if (strcmp(rr[k].key, x->key) == 0) {
				bad = 1;
				if (segur__csv_error(e, r->row, names[0],
				    "FINESS %s déjà donné ligne %ld", x->key,
				    c->rows[k + 1].row) != 0)
					return (SEGUR_ENOMEM);
				break;
			}
		}
	}
	return (bad ? SEGUR_EINVAL : 0);
}

/* Checks the rows of a tranche-amounts CSV into rr. */
static int
parse_tranches(const struct segur__csv *c, struct ref_row *rr,
    struct segur_csv_errors *e)
{
	static const char *const names[] = { "tranche", "montant_ttc" };
	static const int required[] = { 1, 1 };
	char	 amount[64], *p;
	int	 idx[2], rc, bad = 0;
	size_t	 i, k;

	if ((rc = segur__csv_columns(c, names, required, idx, 2, e)) != 0)
		return (rc);
	for (i = 1; i < c->nrows; i++) {
		const struct segur__csv_row *r = &c->rows[i];
		struct ref_row *x = &rr[i - 1];

		x->key = segur__csv_field(r, idx[0]);
		snprintf(amount, sizeof(amount), "%s",
		    segur__csv_field(r, idx[1]));
		/* A French spreadsheet writes "2920,00". */
		if ((p = strchr(amount, ',')) != NULL)
			*p = '.';
		if (x->key[0] == '\0' || strlen(x->key) > 7) {
			bad = 1;
			if (segur__csv_error(e, r->row, names[0], "tranche "
			    "« %s » invalide : 1 à 7 caractères", x->key) != 0)
				return (SEGUR_ENOMEM);
		}
		if (segur_amount_from_text(amount, strlen(amount),
		    &x->cents) != 0 || x->cents <= 0) {
			bad = 1;
			if (segur__csv_error(e, r->row, names[1], "montant "
			    "« %s » invalide : un nombre d'euros > 0 avec au "
			    "plus 2 décimales est attendu",
			    segur__csv_field(r, idx[1])) != 0)
				return (SEGUR_ENOMEM);
		}
		for (k = 0; k + 1 < i; k++) {
			if (strcmp(rr[k].key, x->key) == 0) {
				bad = 1;
				if (segur__csv_error(e, r->row, names[0],
				    "tranche %s déjà donnée ligne %ld", x->key,
				    c->rows[k + 1].row) != 0)
					return (SEGUR_ENOMEM);
				break;
			}
		}
	}
	return (bad ? SEGUR_EINVAL : 0);
}

int
segur_ledger_ref_import(struct segur_ledger *l, enum segur_ref_kind kind,
    const char *name, const char *buf, size_t len, size_t *rows,
    struct segur_csv_errors *errors, char **cause)
{
	static const char *const q_el_get =
	    "SELECT finess_juridique, tranche FROM eligible "
	    "WHERE finess_geo = ?";
	static const char *const q_tr_get =
	    "SELECT amount_ttc_cents FROM tranche WHERE code = ?";
	static const char *const q_el_ins =
	    "INSERT INTO eligible(finess_geo, finess_juridique, tranche) "
	    "VALUES (?, ?, ?)";
	static const char *const q_tr_ins =
	    "INSERT INTO tranche(code, amount_ttc_cents) VALUES (?, ?)";
	const char	*table = kind == SEGUR_REF_ELIGIBLE ? "eligible" :
			    "tranche";
	struct segur__csv c;
	struct ref_row	*rr = NULL;
	sqlite3_stmt	*st;
	cJSON		*after = NULL;
	char		 hex[65], *json = NULL, *del = NULL;
	int64_t		 old = 0, added = 0, changed = 0;
	size_t		 i;
	int		 rc, same;

	*rows = 0;
	memset(errors, 0, sizeof(*errors));
	if ((rc = segur__csv_read(buf, len, &c, errors)) != 0) {
		if (rc == SEGUR_ENOMEM)
			segur_cause(cause, rc, "out of memory");
		else
			segur_cause(cause, rc, "%s: %zu erreur(s)", name,
			    errors->n);
		segur__csv_release(&c);
		return (rc);
	}
	if ((rr = calloc(c.nrows, sizeof(*rr))) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto done;
	}
	rc = kind == SEGUR_REF_ELIGIBLE ? parse_eligible(&c, rr, errors) :
	    parse_tranches(&c, rr, errors);
	if (rc != 0) {
		segur_cause(cause, rc, rc == SEGUR_ENOMEM ? "out of memory" :
		    "%s: %zu erreur(s), rien n'est importé", name, errors->n);
		goto done;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	/* Count what changes, for the event, before replacing. */
	for (i = 0; i + 1 < c.nrows; i++) {
		if ((rc = segur__stmt(l, kind == SEGUR_REF_ELIGIBLE ?
		    q_el_get : q_tr_get, &st, cause)) != 0)
			goto fail;
		segur__bind_text(st, 1, rr[i].key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			added++;
		else if (rc == SQLITE_ROW) {
			if (kind == SEGUR_REF_ELIGIBLE)
				same = strcmp((const char *)
				    sqlite3_column_text(st, 0), rr[i].a) == 0 &&
				    strcmp((const char *)
				    sqlite3_column_text(st, 1), rr[i].b) == 0;
			else
				same = sqlite3_column_int64(st, 0) ==
				    rr[i].cents;
			if (!same)
				changed++;
		} else {
			sqlite3_reset(st);
			rc = segur__db_error(l, cause, "read the reference");
			goto fail;
		}
		sqlite3_reset(st);
	}
	if ((del = segur_asprintf("SELECT count(*) FROM %s", table)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto fail;
	}
	if (sqlite3_prepare_v2(l->db, del, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		rc = segur__db_error(l, cause, "count the reference");
		goto fail;
	}
	old = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if ((rc = segur__exec(l, kind == SEGUR_REF_ELIGIBLE ?
	    "DELETE FROM eligible" : "DELETE FROM tranche", cause)) != 0)
		goto fail;
	for (i = 0; i + 1 < c.nrows; i++) {
		if ((rc = segur__stmt(l, kind == SEGUR_REF_ELIGIBLE ?
		    q_el_ins : q_tr_ins, &st, cause)) != 0)
			goto fail;
		segur__bind_text(st, 1, rr[i].key);
		if (kind == SEGUR_REF_ELIGIBLE) {
			segur__bind_text(st, 2, rr[i].a);
			segur__bind_text(st, 3, rr[i].b);
		} else
			sqlite3_bind_int64(st, 2, rr[i].cents);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			rc = segur__db_error(l, cause, "load the reference");
			goto fail;
		}
	}
	segur_sha256_hex(buf, len, hex);
	if ((after = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(after, "file", name) == NULL ||
	    cJSON_AddStringToObject(after, "sha256", hex) == NULL ||
	    cJSON_AddNumberToObject(after, "rows",
	    (double)(c.nrows - 1)) == NULL ||
	    cJSON_AddNumberToObject(after, "added", (double)added) == NULL ||
	    cJSON_AddNumberToObject(after, "changed", (double)changed) ==
	    NULL ||
	    cJSON_AddNumberToObject(after, "removed",
	    (double)(old - ((int64_t)c.nrows - 1 - added))) == NULL ||
	    (json = cJSON_PrintUnformatted(after)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = segur__event_append(l, "ref.import", table, NULL, 0, NULL,
	    json, cause)) != 0)
		goto fail;
	if ((rc = segur_ledger_commit(l, cause)) == 0)
		*rows = c.nrows - 1;
	goto done;
fail:
	segur_ledger_rollback(l);
done:
	cJSON_Delete(after);
	free(json);
	free(del);
	free(rr);
	segur__csv_release(&c);
	return (rc);
}
