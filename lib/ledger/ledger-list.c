/*
 * ledger-list.c: the lists of requests, segur_ledger_request_list(),
 * _lines() and _views(), and the line segurctl prints of a request.
 *
 * A list reads the covering index request_list (migration 008) in the
 * order (updated_at, id). A long one is read from both ends at once: the
 * caller's connection forward, and a helper thread on a connection of its
 * own backward, the two meeting in the middle (struct list_meet). The
 * helper keeps its rows as they are in the index, and the caller renders
 * and hands them out after its own, so that the caller's callback always
 * runs in the caller's thread and in order. Both connections read the same
 * snapshot of the ledger, or the helper gives up and the caller reads on
 * alone: the helper only ever spares time, never changes a list.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/*
 * What a list reads of each entry of request_list: the list_row, ASP's
 * number and the time of the last change; then the state when the list
 * does not filter on it, and the id when it needs it (struct list_cols).
 * SQLite's decoding of each column read is most of a long list. The id
 * orders rows of the same second, which the two ends of a list compare,
 * and rows show it; a text list read by one end does without. The
 * software's numeroAns is not joined: a JOIN costs a B-tree seek per row
 * for a table of a handful of rows, so lists resolve software_id through a
 * map read once per call (struct ans_map).
 */
#define ROW_COLUMNS	"r.list_row, r.numero_asp, r.updated_at"

/* Where a list statement's other columns are: -1 when not selected. */
struct list_cols {
	int	 state;		/* r.state, unless the list filters on it */
	int	 id;		/* r.id, when the list needs it */
};

/* Rows a helper keeps at most (about 110 bytes each): past that, the
 * caller reads on. */
#define LIST_HELP_MAX	((size_t)1 << 18)

/* The longest updated_at the two ends compare (ours are 20 bytes). */
#define LIST_KEY_MAX	64

/* ------------------------------------------------------------------ */
/* The software's numbers. */

/* software.id -> numero_ans, for one list call. */
struct ans_map {
	struct ans_entry {
		int64_t	 id;
		char	 numero_ans[11];
		size_t	 len;
	}		*v;		/* owned, sorted by id */
	size_t		 n;
	size_t		 last;		/* index of the last hit */
};

/* Reads every software of the ledger into m, sorted by id (a handful of
 * rows). */
static int
ans_map_load(struct segur_ledger *l, struct ans_map *m, char **cause)
{
	static const char *const q =
	    "SELECT id, numero_ans FROM software ORDER BY id";
	struct ans_entry *nv;
	sqlite3_stmt	*st;
	const char	*s;
	size_t		 n;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((nv = realloc(m->v, (m->n + 1) * sizeof(*nv))) == NULL) {
			sqlite3_reset(st);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory"));
		}
		m->v = nv;
		nv[m->n].id = sqlite3_column_int64(st, 0);
		s = (const char *)sqlite3_column_text(st, 1);
		n = s != NULL ? strnlen(s, sizeof(nv->numero_ans) - 1) : 0;
		if (n > 0)
			memcpy(nv[m->n].numero_ans, s, n);
		nv[m->n].numero_ans[n] = '\0';
		nv[m->n].len = n;
		m->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "read the software"));
	return (0);
}

/* The entry of software id, or NULL if there is none (the row is then
 * left out, as the JOIN did). */
static const struct ans_entry *
ans_map_get(struct ans_map *m, int64_t id)
{
	size_t	 lo = 0, hi = m->n, mid;

	if (m->n > 0 && m->v[m->last].id == id)
		return (&m->v[m->last]);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->v[mid].id == id) {
			m->last = mid;
			return (&m->v[mid]);
		}
		if (m->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

/* ------------------------------------------------------------------ */
/* A row as the index holds it. */

/* The columns of one entry, as bytes: SQLite's (valid until the next step)
 * or a kept copy's. */
struct list_raw {
	const char	*row, *asp, *at;	/* list_row, numero_asp,
						   updated_at */
	size_t		 nrow, nasp, nat;
	int64_t		 id;
	int		 state;		/* enum segur_state, -1: unknown */
};

/*
 * The state of the row at st: state when the list filters on it, else the
 * selected one, parsed (prev's name first: lists come in runs of one
 * state). -1 for a name this build does not know.
 */
static int
stmt_state(sqlite3_stmt *st, const struct list_cols *c, int state, int prev)
{
	const char	*s, *name;

	if (state >= 0)
		return (state);
	s = (const char *)sqlite3_column_text(st, c->state);
	name = prev >= 0 ? segur_state_name((enum segur_state)prev) : NULL;
	if (s != NULL && name != NULL && strcmp(s, name) == 0)
		return (prev);
	return (segur_state_parse(s));
}

/* The row at st, whose columns are c, into r; state as stmt_state(), prev
 * the last row's; id 0 when not selected. */
static void
raw_from_stmt(sqlite3_stmt *st, const struct list_cols *c, int state,
    int prev, struct list_raw *r)
{
	/* Each text, then its size: SQLite's order (no conversion
	 * between). */
	r->row = sqlite3_column_blob(st, 0);
	r->nrow = (size_t)sqlite3_column_bytes(st, 0);
	r->asp = sqlite3_column_blob(st, 1);
	r->nasp = (size_t)sqlite3_column_bytes(st, 1);
	r->at = sqlite3_column_blob(st, 2);
	r->nat = (size_t)sqlite3_column_bytes(st, 2);
	r->id = c->id >= 0 ? sqlite3_column_int64(st, c->id) : 0;
	r->state = stmt_state(st, c, state, prev);
}

/* Rows kept as copies: records of a header and its bytes, one after the
 * other in buf, each starting at off[i]. */
struct list_recs {
	char		*buf;		/* owned, unless map */
	size_t		 len, size;
	size_t		*off;		/* owned, unless map */
	size_t		 n, cap;
	void		*map;		/* owned: off and buf at once, of
					   map_len bytes, never grown */
	size_t		 map_len;
};

/* A record's header; list_row, numero_asp and updated_at follow. */
struct list_rec {
	int64_t		 id;
	int32_t		 state;
	uint32_t	 nrow, nasp, nat;
};

/* Records start on 8 bytes, as their header wants. */
#define REC_ALIGN(n)	(((n) + 7) & ~(size_t)7)

/* Appends a copy of r; -1 when out of memory. */
static int
recs_add(struct list_recs *s, const struct list_raw *r)
{
	struct list_rec	 h;
	size_t		 need = REC_ALIGN(sizeof(h) + r->nrow + r->nasp +
	    r->nat), sz, *no;
	char		*nb, *p;

	if (r->nrow > UINT32_MAX || r->nasp > UINT32_MAX ||
	    r->nat > UINT32_MAX)
		return (-1);
	if (s->map != NULL && (s->n == s->cap || s->len + need > s->size))
		return (-1);
	if (s->n == s->cap) {
		sz = s->cap > 0 ? s->cap * 2 : SEGUR__LIST_BATCH;
		if ((no = realloc(s->off, sz * sizeof(*no))) == NULL)
			return (-1);
		s->off = no;
		s->cap = sz;
	}
	if (s->len + need > s->size) {
		for (sz = s->size > 0 ? s->size : 32768; sz < s->len + need;)
			sz *= 2;
		if ((nb = realloc(s->buf, sz)) == NULL)
			return (-1);
		s->buf = nb;
		s->size = sz;
	}
	h.id = r->id;
	h.state = r->state;
	h.nrow = (uint32_t)r->nrow;
	h.nasp = (uint32_t)r->nasp;
	h.nat = (uint32_t)r->nat;
	p = s->buf + s->len;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	/* SQLite gives NULL for an empty text: never copied from. */
	if (r->nrow > 0)
		memcpy(p, r->row, r->nrow);
	if (r->nasp > 0)
		memcpy(p + r->nrow, r->asp, r->nasp);
	if (r->nat > 0)
		memcpy(p + r->nrow + r->nasp, r->at, r->nat);
	s->off[s->n++] = s->len;
	s->len += need;
	return (0);
}

/* Record i of s as a row, pointing into s. */
static void
recs_raw(const struct list_recs *s, size_t i, struct list_raw *r)
{
	struct list_rec	 h;
	const char	*p = s->buf + s->off[i];

	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	r->id = h.id;
	r->state = h.state;
	r->row = p;
	r->nrow = h.nrow;
	r->asp = p + h.nrow;
	r->nasp = h.nasp;
	r->at = p + h.nrow + h.nasp;
	r->nat = h.nat;
}

/* Forgets the records after the first n. */
static void
recs_truncate(struct list_recs *s, size_t n)
{
	if (n < s->n) {
		s->len = s->off[n];
		s->n = n;
	}
}

/* The helper's room, for LIST_HELP_MAX rows of this many bytes in all. */
#define LIST_KEEP_BYTES	((size_t)32 << 20)

/*
 * Reserves the room of the helper's rows at once: address space, whose
 * pages come as they are first written, advised to the kernel as huge
 * pages (a helper's 70,000 rows wrote 2,500 pages of 4 KB, and their
 * faults were a sixth of its time). -1 if it cannot: the room then grows
 * as the caller's does.
 */
static int
recs_reserve(struct list_recs *s)
{
	size_t	 noff = LIST_HELP_MAX * sizeof(*s->off);
	void	*p;

	p = mmap(NULL, noff + LIST_KEEP_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	/* Only advice: a kernel without huge pages faults 4 KB at a time. */
	(void)madvise(p, noff + LIST_KEEP_BYTES, MADV_HUGEPAGE);
	s->map = p;
	s->map_len = noff + LIST_KEEP_BYTES;
	s->off = p;
	s->cap = LIST_HELP_MAX;
	s->buf = (char *)p + noff;
	s->size = LIST_KEEP_BYTES;
	return (0);
}

static void
recs_release(struct list_recs *s)
{
	if (s->map != NULL)
		munmap(s->map, s->map_len);
	else {
		free(s->buf);
		free(s->off);
	}
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------ */
/* From a row to what the caller gets. */

/* How many numbers a list_row starts with. */
#define LIST_ROW_NUMBERS	4

/*
 * Reads the LIST_ROW_NUMBERS numbers a list_row starts at p with into num,
 * each of 1 to 18 decimal digits (so that none overflows) and a space, and
 * where each starts into at: one loop for all, as a list reads 150,000 of
 * them. Returns what follows, or NULL if they are not there.
 */
static const char *
list_row_numbers(const char *p, const char *end,
    uint64_t num[LIST_ROW_NUMBERS], const char *at[LIST_ROW_NUMBERS])
{
	uint64_t	 u;
	int		 k;

	for (k = 0; k < LIST_ROW_NUMBERS; k++) {
		for (at[k] = p, u = 0; p < end &&
		    (unsigned char)(*p - '0') < 10; p++)
			u = u * 10 + (uint64_t)(*p - '0');
		if (p == at[k] || p - at[k] > 18 || p == end || *p != ' ')
			return (NULL);
		num[k] = u;
		p++;
	}
	return (p);
}

/*
 * The view of r into v: the list_row cut into software, amount (0: none)
 * and the sizes of the reference and numeroEditeur (0: none), then those
 * texts, then the creation time; the software's numeroAns from map.
 * Returns 0, 1 for a request of no software known (left out, as a JOIN
 * would: a foreign key makes that never happen), or -1 for a list_row
 * that is not one (the table's CHECK makes that a damaged database).
 */
static int
list_view(const struct list_raw *r, struct ans_map *map,
    struct segur_request_view *v)
{
	const struct ans_entry *ans;
	const char	*at[LIST_ROW_NUMBERS], *p, *end = r->row + r->nrow;
	uint64_t	 num[LIST_ROW_NUMBERS];

	if (r->nrow == 0 ||
	    (p = list_row_numbers(r->row, end, num, at)) == NULL ||
	    num[2] + num[3] > (uint64_t)(end - p))
		return (-1);
	if ((ans = ans_map_get(map, (int64_t)num[0])) == NULL)
		return (1);
	v->state = (enum segur_state)r->state;
	v->numero_ans = ans->numero_ans;
	v->nnumero_ans = ans->len;
	v->montant_cents = num[1] > 0 ? (int64_t)num[1] : -1;
	v->cents = at[1];
	v->ncents = num[1] > 0 ? (size_t)(at[2] - 1 - at[1]) : 0;
	v->ref = p;
	v->nref = (size_t)num[2];
	v->numero_editeur = p + v->nref;
	v->nnumero_editeur = (size_t)num[3];
	v->created_at = v->numero_editeur + v->nnumero_editeur;
	v->ncreated_at = (size_t)(end - v->created_at);
	v->numero_asp = r->asp;
	v->nnumero_asp = r->nasp;
	v->updated_at = r->at;
	v->nupdated_at = r->nat;
	return (0);
}

/* Copies n bytes of s into dst[0..sz), cut at sz - 1. */
static void
copy_n(char *dst, size_t sz, const char *s, size_t n)
{
	if (n > sz - 1)
		n = sz - 1;
	if (n > 0)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Fills row but its id from v; without the creation time when
 * line_only. */
static void
view_row(const struct segur_request_view *v, int line_only,
    struct segur_request_row *row)
{
	copy_n(row->ref, sizeof(row->ref), v->ref, v->nref);
	copy_n(row->numero_ans, sizeof(row->numero_ans), v->numero_ans,
	    v->nnumero_ans);
	row->state = v->state;
	row->montant_cents = v->montant_cents;
	copy_n(row->numero_editeur, sizeof(row->numero_editeur),
	    v->numero_editeur, v->nnumero_editeur);
	copy_n(row->numero_asp, sizeof(row->numero_asp), v->numero_asp,
	    v->nnumero_asp);
	copy_n(row->created_at, sizeof(row->created_at), v->created_at,
	    line_only ? 0 : v->ncreated_at);
	copy_n(row->updated_at, sizeof(row->updated_at), v->updated_at,
	    v->nupdated_at);
}

/* Appends n bytes of s to p, returns the end: lines are built from
 * pieces and ended once. */
static char *
put_bytes(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return (p + n);
}

/* Appends s to p padded with spaces to w bytes, on the left (printf's
 * "%-*s") or on the right ("%*s"); returns the end. */
static char *
put_field(char *p, const char *s, size_t w, int right)
{
	size_t	 n = strlen(s);

	if (right && n < w) {
		memset(p, ' ', w - n);
		p += w - n;
	}
	p = put_bytes(p, s, n);
	if (!right && n < w) {
		memset(p, ' ', w - n);
		p += w - n;
	}
	return (p);
}

/* segur_request_row_line() for any row: field by field. */
static size_t
row_line_any(const struct segur_request_row *r,
    char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	char		 b[SEGUR_AMOUNT_BUFSZ], *p = buf;
	const char	*s = segur_state_name(r->state);

	/* Every field is bounded by its array in the row: at most 65 + 17 +
	 * 11 + 32 + 6 + 64 + 24 bytes with separators, under the size. */
	p = put_field(p, r->ref, 20, 0);
	*p++ = ' ';
	p = put_field(p, s != NULL ? s : "?", 17, 0);
	*p++ = ' ';
	p = put_field(p, r->numero_ans, 10, 0);
	*p++ = ' ';
	p = put_field(p, r->montant_cents >= 0 ?
	    segur_amount_format(r->montant_cents, b) : "-", 12, 1);
	*p++ = ' ';
	p = put_field(p, r->numero_editeur[0] ? r->numero_editeur : "-", 5,
	    0);
	*p++ = ' ';
	p = put_field(p, r->numero_asp[0] ? r->numero_asp : "-", 20, 0);
	*p++ = ' ';
	p = put_field(p, r->updated_at, 0, 0);
	*p++ = '\n';
	*p = '\0';
	return ((size_t)(p - buf));
}

/* Where each field of a list line starts, when none overflows its width:
 * the amount is right-aligned and ends at LINE_AMOUNT_END. */
enum {
	LINE_REF = 0, LINE_STATE = 21, LINE_ANS = 39, LINE_AMOUNT_END = 62,
	LINE_EDITEUR = 63, LINE_ASP = 69, LINE_AT = 90
};

/*
 * The line of v, whose state is named s (ns bytes), into buf when every
 * field fits its column (nearly every row): blanks with each field copied
 * at its place, the amount written from its last digit. 0 if one does not
 * fit: the caller takes the general path.
 */
static size_t
line_place(const struct segur_request_view *v, const char *s, size_t ns,
    char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	size_t	 i = LINE_AMOUNT_END, k = v->ncents;

	if (v->nref > 20 || ns > 17 || v->nnumero_ans > 10 || k > 11 ||
	    v->nnumero_editeur > 5 || v->nnumero_asp > 20 ||
	    v->nupdated_at > 23)
		return (0);
	memset(buf, ' ', LINE_AT);
	memcpy(buf + LINE_REF, v->ref, v->nref);
	memcpy(buf + LINE_STATE, s, ns);
	memcpy(buf + LINE_ANS, v->numero_ans, v->nnumero_ans);
	if (k == 0)
		buf[--i] = '-';
	else {
		/* Cents, then the point, then the units ("0" if none). */
		buf[--i] = k > 0 ? v->cents[--k] : '0';
		buf[--i] = k > 0 ? v->cents[--k] : '0';
		buf[--i] = '.';
		if (k == 0)
			buf[--i] = '0';
		i -= k;
		memcpy(buf + i, v->cents, k);
	}
	if (v->nnumero_editeur > 0)
		memcpy(buf + LINE_EDITEUR, v->numero_editeur,
		    v->nnumero_editeur);
	else
		buf[LINE_EDITEUR] = '-';
	if (v->nnumero_asp > 0)
		memcpy(buf + LINE_ASP, v->numero_asp, v->nnumero_asp);
	else
		buf[LINE_ASP] = '-';
	if (v->nupdated_at > 0)
		memcpy(buf + LINE_AT, v->updated_at, v->nupdated_at);
	buf[LINE_AT + v->nupdated_at] = '\n';
	buf[LINE_AT + v->nupdated_at + 1] = '\0';
	return (LINE_AT + v->nupdated_at + 1);
}

size_t
segur_request_row_line(const struct segur_request_row *r,
    char buf[SEGUR_REQUEST_LINE_BUFSZ])
{
	struct segur_request_view v;
	const char	*s;
	char		 digits[24], *d = digits + sizeof(digits);
	size_t		 n;
	uint64_t	 u = (uint64_t)r->montant_cents;

	if ((s = segur_state_name(r->state)) == NULL)
		return (row_line_any(r, buf));
	v.ref = r->ref;
	v.nref = strlen(r->ref);
	v.numero_ans = r->numero_ans;
	v.nnumero_ans = strlen(r->numero_ans);
	v.numero_editeur = r->numero_editeur;
	v.nnumero_editeur = strnlen(r->numero_editeur,
	    sizeof(r->numero_editeur) - 1);
	v.numero_asp = r->numero_asp;
	v.nnumero_asp = strlen(r->numero_asp);
	v.updated_at = r->updated_at;
	v.nupdated_at = strlen(r->updated_at);
	/* The amount's digits, from the last (no amount: none). */
	v.ncents = 0;
	while (r->montant_cents >= 0 && (u > 0 || v.ncents == 0)) {
		*--d = (char)('0' + u % 10);
		v.ncents++;
		u /= 10;
	}
	v.cents = d;
	if ((n = line_place(&v, s, strlen(s), buf)) == 0)
		n = row_line_any(r, buf);
	return (n);
}

/* Where a list goes: rows to row_fn, text lines to line_fn, or views to
 * view_fn; and the room each needs, kept from row to row. */
struct list_to {
	int	(*row_fn)(void *arg, const struct segur_request_row *row);
	int	(*line_fn)(void *arg, const char *line, size_t len);
	int	(*view_fn)(void *arg, const struct segur_request_view *v);
	void	 *arg;
	int	  line_only;
	struct segur_request_row row;
	char	  line[SEGUR_REQUEST_LINE_BUFSZ];
	int	  state;	/* of the names below, -1: none yet */
	const char *name;
	size_t	  nname;
};

/* The line of v into o->line: from the index's bytes as they are when
 * every field fits its column, else through a row, as
 * segur_request_row_line() does; returns its length. */
static size_t
view_line(struct list_to *o, const struct segur_request_view *v)
{
	size_t	 n;

	if ((int)v->state != o->state) {
		o->state = (int)v->state;
		o->name = segur_state_name(v->state);
		o->nname = o->name != NULL ? strlen(o->name) : 0;
	}
	if (o->name != NULL && (n = line_place(v, o->name, o->nname,
	    o->line)) > 0)
		return (n);
	view_row(v, 1, &o->row);
	return (row_line_any(&o->row, o->line));
}

/*
 * Hands r to o; 0 to go on, what the callback returned, or SEGUR_EDB for
 * a damaged list_row (*cause set).
 */
static int
list_emit(struct segur_ledger *l, struct ans_map *map, struct list_to *o,
    const struct list_raw *r, char **cause)
{
	struct segur_request_view v;

	switch (list_view(r, map, &v)) {
	case 1:
		return (0);
	case -1:
		return (segur_cause(cause, SEGUR_EDB, "%s: a request's "
		    "list_row is not one (a damaged database)", l->path));
	}
	if (o->line_fn != NULL)
		return (o->line_fn(o->arg, o->line, view_line(o, &v)));
	if (o->view_fn != NULL)
		return (o->view_fn(o->arg, &v));
	view_row(&v, o->line_only, &o->row);
	o->row.id = o->line_only ? 0 : r->id;
	return (o->row_fn(o->arg, &o->row));
}

/* ------------------------------------------------------------------ */
/* Places in a list. */

/* Where a list's end is: the updated_at and id of a row. */
struct list_key {
	char		 at[LIST_KEY_MAX];
	size_t		 nat;
	int64_t		 id;
};

/* Sets k to r's place; -1 when its updated_at is too long to keep. */
static int
key_set(struct list_key *k, const struct list_raw *r)
{
	if (r->nat > sizeof(k->at))
		return (-1);
	if (r->nat > 0)
		memcpy(k->at, r->at, r->nat);
	k->nat = r->nat;
	k->id = r->id;
	return (0);
}

/* r's place against k's, in the list's order (SQLite's BINARY order of
 * the texts, then the id). */
static int
key_cmp(const struct list_raw *r, const struct list_key *k)
{
	size_t	 n = r->nat < k->nat ? r->nat : k->nat;
	int	 c = n > 0 ? memcmp(r->at, k->at, n) : 0;

	if (c != 0)
		return (c);
	if (r->nat != k->nat)
		return (r->nat < k->nat ? -1 : 1);
	return (r->id < k->id ? -1 : r->id > k->id);
}

/* ------------------------------------------------------------------ */
/* The query. */

/*
 * The list's SQL for f into sql, oldest change first, or newest first
 * when desc (the helper's end); with the id when with_id, and from the
 * time of a place when after (a list going on from there: that time is
 * then its lower bound, at or past since, and the caller skips the rows
 * of that time up to the place). Where the columns past ROW_COLUMNS are
 * into c.
 */
static int
list_sql(const struct segur_request_filter *f, int desc, int with_id,
    int after, struct segur_buf *sql, struct list_cols *c)
{
	const char	*sep = " WHERE ";
	int		 rc, n = 3;

	/* Only fixed fragments go into the SQL; values are bound. */
	c->state = f->state < 0 ? n++ : -1;
	c->id = with_id ? n : -1;
	rc = segur_buf_addf(sql, "SELECT " ROW_COLUMNS "%s%s FROM request r",
	    c->state >= 0 ? ", r.state" : "", c->id >= 0 ? ", r.id" : "");
	if (rc == 0 && f->state >= 0) {
		rc = segur_buf_addf(sql, "%sr.state = ?", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->og != NULL) {
		rc = segur_buf_addf(sql, "%sr.id IN (SELECT request_id FROM "
		    "request_esms WHERE finess_juridique = ?)", sep);
		sep = " AND ";
	}
	if (rc == 0 && f->esms != NULL) {
		rc = segur_buf_addf(sql, "%sr.id IN (SELECT request_id FROM "
		    "request_esms WHERE finess_geo = ?)", sep);
		sep = " AND ";
	}
	/* Not the row value (updated_at, id) > (?, ?): SQLite tests it at
	 * every row, and seeks by since when there is one. */
	if (rc == 0 && (f->since != NULL || after))
		rc = segur_buf_addf(sql, "%sr.updated_at >= ?", sep);
	if (rc == 0)
		rc = segur_buf_adds(sql, desc ?
		    " ORDER BY r.updated_at DESC, r.id DESC" :
		    " ORDER BY r.updated_at, r.id");
	if (rc == 0 && f->limit > 0)
		rc = segur_buf_adds(sql, " LIMIT ?");
	return (rc);
}

/* Binds f's values to st, and after's time unless NULL, in list_sql()'s
 * order. */
static void
list_bind(sqlite3_stmt *st, const struct segur_request_filter *f,
    const struct list_key *after)
{
	int	 i = 1;

	if (f->state >= 0)
		segur__bind_text(st, i++, segur_state_name(
		    (enum segur_state)f->state));
	if (f->og != NULL)
		segur__bind_text(st, i++, f->og);
	if (f->esms != NULL)
		segur__bind_text(st, i++, f->esms);
	if (after != NULL)
		sqlite3_bind_text(st, i++, after->at, (int)after->nat,
		    SQLITE_TRANSIENT);
	else if (f->since != NULL)
		segur__bind_text(st, i++, f->since);
	if (f->limit > 0)
		sqlite3_bind_int64(st, i++, f->limit > INT64_MAX ? INT64_MAX :
		    (int64_t)f->limit);
}

/* The last event's id, read in the connection's transaction: the two
 * ends of a list read the same ledger when they read the same one (every
 * change of a request appends an event in its transaction). */
static int
last_event(sqlite3 *db, int64_t *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM event",
	    -1, &st, NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/* ------------------------------------------------------------------ */
/* Two ends. */

/*
 * Where the two ends of a list meet. Each end reads list_batch rows, then,
 * holding mu, keeps those the other end has not: the caller those before
 * hi, the helper those after lo; and moves its own mark to the last row
 * it kept. A row is thus kept by exactly one end, and the rows between the
 * marks by whoever gets there first.
 */
struct list_meet {
	pthread_mutex_t	 mu;
	struct list_key	 lo;		/* the caller's last row kept */
	int		 lo_set;
	struct list_key	 hi;		/* the helper's last row kept */
	int		 hi_set;
	int		 stop;		/* the helper keeps no more */
};

/* The helper: reads the list from its end into kept, in its own thread. */
struct list_helper {
	pthread_t	 thread;
	struct list_meet meet;
	const char	*path;		/* borrowed: the caller's connection's
					   file, by its full name */
	const char	*sql;		/* borrowed: the newest-first SQL */
	struct list_cols cols;		/* its columns */
	const struct segur_request_filter *f;	/* borrowed */
	int64_t		 last_event;	/* the caller's */
	size_t		 batch;
	struct list_recs kept;		/* newest first; read once joined */
};

/*
 * The helper's look at the caller's end: of what it read since its last
 * look, kept[from..), keeps the rows after the caller's mark, LIST_HELP_MAX
 * in all at most, and moves hi to the last. end: it read its last row.
 * Returns 1 when it has to stop: at its end, at the caller's mark, at its
 * most, or when the caller said so.
 */
static int
helper_look(struct list_helper *h, size_t from, int end)
{
	struct list_meet *m = &h->meet;
	struct list_raw	 r;
	size_t		 n = h->kept.n, i;

	pthread_mutex_lock(&m->mu);
	if (m->stop)
		n = from;
	if (n > LIST_HELP_MAX)
		n = LIST_HELP_MAX;
	for (i = from; m->lo_set && i < n; i++) {
		recs_raw(&h->kept, i, &r);
		if (key_cmp(&r, &m->lo) <= 0) {
			n = i;
			break;
		}
	}
	/* A mark it cannot set (a long updated_at): it keeps none. */
	if (n > from) {
		recs_raw(&h->kept, n - 1, &r);
		if (key_set(&m->hi, &r) == 0)
			m->hi_set = 1;
		else
			n = from;
	}
	if (end || n < h->kept.n)
		m->stop = 1;
	recs_truncate(&h->kept, n);
	end = m->stop;
	pthread_mutex_unlock(&m->mu);
	return (end);
}

/* The helper's thread. On any failure it stops, keeping what it kept:
 * the caller reads on to its mark. */
static void *
helper_main(void *arg)
{
	struct list_helper *h = arg;
	struct list_raw	 r;
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	int64_t		 ev;
	size_t		 from = 0;
	int		 end = 0, prev = -1;

	if (sqlite3_open_v2(h->path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto done;
	sqlite3_busy_timeout(db, SEGUR_LEDGER_BUSY_MS);
	/* Not the caller's snapshot: this end keeps nothing. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    last_event(db, &ev) != 0 || ev != h->last_event ||
	    sqlite3_prepare_v2(db, h->sql, -1, &st, NULL) != SQLITE_OK)
		goto done;
	list_bind(st, h->f, NULL);
	(void)recs_reserve(&h->kept);
	/* A caller done while this end opened: nothing to read. */
	pthread_mutex_lock(&h->meet.mu);
	end = h->meet.stop;
	pthread_mutex_unlock(&h->meet.mu);
	while (!end) {
		while (!end && h->kept.n < from + h->batch) {
			if (sqlite3_step(st) != SQLITE_ROW)
				end = 1;
			else {
				raw_from_stmt(st, &h->cols, h->f->state,
				    prev, &r);
				prev = r.state;
				end = recs_add(&h->kept, &r) != 0;
			}
		}
		end = helper_look(h, from, end);
		from = h->kept.n;
	}
done:
	sqlite3_finalize(st);
	if (db != NULL)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return (NULL);
}

/* A list call: where its rows go, and its helper if it has one. */
struct list_ctx {
	struct segur_ledger *l;
	const struct segur_request_filter *f;
	struct ans_map	 map;
	struct list_to	*o;
	int		 can_help;	/* a helper may start */
	size_t		 batch_n;	/* rows between two looks */
	sqlite3_stmt	*st;		/* owned: the caller's statement */
	struct list_cols cols;		/* its columns */
	struct list_key	 skip;		/* when skipping: the rows up to it
					   were handed out */
	int		 skipping;
	struct list_helper *h;		/* owned; NULL: the caller alone */
	struct segur_buf desc;		/* the helper's SQL */
	struct list_recs batch;		/* the caller's rows since its last
					   look, while helped */
};

/*
 * The place of last, the caller's last row, into k: with its id, read by
 * its reference when the caller's statement has none (a list read alone
 * does without: a tenth of its time).
 */
static int
caller_place(struct list_ctx *x, const struct list_raw *last,
    struct list_key *k)
{
	static const char *const q = "SELECT id FROM request WHERE ref = ?";
	struct segur_request_view v;
	struct list_raw	 r = *last;
	sqlite3_stmt	*st;
	int		 rc;

	if (x->cols.id < 0) {
		if (list_view(last, &x->map, &v) != 0 ||
		    segur__stmt(x->l, q, &st, NULL) != 0)
			return (-1);
		sqlite3_bind_text(st, 1, v.ref, (int)v.nref, SQLITE_STATIC);
		rc = sqlite3_step(st);
		r.id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return (-1);
	}
	return (key_set(k, &r));
}

/*
 * The caller's statement going on after k, with the ids its looks at the
 * helper's end compare: replaces x->st, unless it already has them.
 */
static int
caller_go_on(struct list_ctx *x, const struct list_key *k)
{
	struct segur_buf sql = SEGUR_BUF_INIT;
	struct list_cols c;
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (x->cols.id >= 0)
		return (0);
	rc = list_sql(x->f, 0, 1, 1, &sql, &c) == 0 &&
	    sqlite3_prepare_v2(x->l->db, sql.data, -1, &st, NULL) ==
	    SQLITE_OK ? 0 : -1;
	segur_buf_release(&sql);
	if (rc != 0)
		return (-1);
	list_bind(st, x->f, k);
	sqlite3_finalize(x->st);
	x->st = st;
	x->cols = c;
	x->skip = *k;
	x->skipping = 1;
	return (0);
}

/*
 * Starts a helper after the caller handed out rows up to last. Failing to
 * is no error: the caller reads on alone.
 */
static void
helper_start(struct list_ctx *x, const struct list_raw *last)
{
	struct list_helper *h;
	/* SQLite's full name of the file: a relative one would change
	 * meaning with the working directory. Borrowed from the caller's
	 * connection, open until the helper is joined. */
	const char	*file = sqlite3_db_filename(x->l->db, "main");

	if (file == NULL || file[0] == '\0' ||
	    (h = calloc(1, sizeof(*h))) == NULL)
		return;
	/* The caller's snapshot: its transaction's, since the first read. */
	if (last_event(x->l->db, &h->last_event) != 0 ||
	    list_sql(x->f, 1, 1, 0, &x->desc, &h->cols) != 0 ||
	    caller_place(x, last, &h->meet.lo) != 0 ||
	    pthread_mutex_init(&h->meet.mu, NULL) != 0) {
		free(h);
		return;
	}
	/* last's bytes are x->st's, gone once it is replaced. */
	if (caller_go_on(x, &h->meet.lo) != 0) {
		pthread_mutex_destroy(&h->meet.mu);
		free(h);
		return;
	}
	h->meet.lo_set = 1;
	h->path = file;
	h->sql = x->desc.data;
	h->f = x->f;
	h->batch = x->batch_n;
	if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
		pthread_mutex_destroy(&h->meet.mu);
		free(h);
		return;
	}
	x->h = h;
}

/*
 * The caller's look at the helper's end: keeps the rows of its batch
 * before the helper's mark, moves lo to the last and hands them out. *met
 * is set when it reached the mark: the helper kept the rest.
 */
static int
caller_look(struct list_ctx *x, int *met, char **cause)
{
	struct list_meet *m = &x->h->meet;
	struct list_raw	 r;
	size_t		 n = x->batch.n, i;
	int		 rc = 0;

	pthread_mutex_lock(&m->mu);
	for (i = 0; m->hi_set && i < n; i++) {
		recs_raw(&x->batch, i, &r);
		if (key_cmp(&r, &m->hi) >= 0) {
			n = i;
			break;
		}
	}
	*met = n < x->batch.n;
	/* A mark it cannot set (a long updated_at): the helper stops. */
	if (n > 0) {
		recs_raw(&x->batch, n - 1, &r);
		if (key_set(&m->lo, &r) != 0)
			m->stop = 1;
	}
	if (*met)
		m->stop = 1;
	pthread_mutex_unlock(&m->mu);
	for (i = 0; i < n && rc == 0; i++) {
		recs_raw(&x->batch, i, &r);
		rc = list_emit(x->l, &x->map, x->o, &r, cause);
	}
	recs_truncate(&x->batch, 0);
	return (rc);
}

/* Stops and joins the helper; then, unless rc, hands out what it kept,
 * oldest first. Returns rc or the first error. */
static int
helper_end(struct list_ctx *x, int rc, char **cause)
{
	struct list_helper *h = x->h;
	struct list_raw	 r;
	size_t		 i;

	if (h == NULL)
		return (rc);
	pthread_mutex_lock(&h->meet.mu);
	h->meet.stop = 1;
	pthread_mutex_unlock(&h->meet.mu);
	pthread_join(h->thread, NULL);
	for (i = h->kept.n; i > 0 && rc == 0; i--) {
		recs_raw(&h->kept, i - 1, &r);
		rc = list_emit(x->l, &x->map, x->o, &r, cause);
	}
	if (rc == 0)
		x->l->list_helped = h->kept.n;
	pthread_mutex_destroy(&h->meet.mu);
	recs_release(&h->kept);
	free(h);
	x->h = NULL;
	return (rc);
}

/* Steps x->st and hands each row out, starting a helper once the list is
 * long; the end of list_run(). */
static int
list_rows(struct list_ctx *x, char **cause)
{
	struct list_raw	 r;
	size_t		 n = 0;
	int		 rc, ret = 0, met = 0, prev = -1;

	while ((rc = sqlite3_step(x->st)) == SQLITE_ROW) {
		raw_from_stmt(x->st, &x->cols, x->f->state, prev, &r);
		prev = r.state;
		/* Going on: the rows of the place's time up to it again. */
		if (x->skipping && key_cmp(&r, &x->skip) <= 0)
			continue;
		x->skipping = 0;
		if (x->h == NULL) {
			if ((ret = list_emit(x->l, &x->map, x->o, &r,
			    cause)) != 0)
				break;
			if (++n == x->l->list_help_after && x->can_help)
				helper_start(x, &r);
			continue;
		}
		if (recs_add(&x->batch, &r) != 0) {
			ret = segur_cause(cause, SEGUR_ENOMEM,
			    "out of memory");
			break;
		}
		if (x->batch.n >= x->batch_n &&
		    ((ret = caller_look(x, &met, cause)) != 0 || met))
			break;
	}
	if (ret == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = segur__db_error(x->l, cause, "list the requests");
	if (ret == 0 && !met && x->h != NULL)
		ret = caller_look(x, &met, cause);
	return (helper_end(x, ret, cause));
}

/*
 * May a list have a helper? Not with a limit (the helper's end would be
 * the limit's), nor in the caller's own transaction (another connection
 * would not see its changes), nor for a URI, whose parameters a plain
 * open would drop. (A database with no file, in memory, has no name for
 * helper_start() to open.)
 */
static int
list_can_help(struct segur_ledger *l, const struct segur_request_filter *f,
    int own)
{
	return (own && f->limit == 0 && l->list_help_after > 0 &&
	    strncmp(l->path, "file:", 5) != 0);
}

/* segur_ledger_request_list(), _lines() and _views(). */
static int
list_run(struct segur_ledger *l, const struct segur_request_filter *f,
    struct list_to *o, char **cause)
{
	struct segur_buf sql = SEGUR_BUF_INIT;
	struct list_ctx	 x;
	int		 rc, own = sqlite3_get_autocommit(l->db);

	/* One read transaction: the software read and the rows agree. */
	if (own && (rc = segur__exec(l, "BEGIN", cause)) != 0)
		return (rc);
	l->list_helped = 0;
	memset(&x, 0, sizeof(x));
	x.l = l;
	x.f = f;
	x.o = o;
	o->state = -1;
	segur_buf_init(&x.desc);
	if ((rc = ans_map_load(l, &x.map, cause)) != 0)
		goto done;
	x.can_help = list_can_help(l, f, own);
	x.batch_n = l->list_batch > 0 ? l->list_batch : 1;
	/* Rows show their id; a helper reads it only once it starts. */
	if (list_sql(f, 0, o->row_fn != NULL && !o->line_only, 0, &sql,
	    &x.cols) != 0) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto done;
	}
	if (sqlite3_prepare_v2(l->db, sql.data, -1, &x.st, NULL) !=
	    SQLITE_OK) {
		rc = segur__db_error(l, cause, "list the requests");
		goto done;
	}
	list_bind(x.st, f, NULL);
	rc = list_rows(&x, cause);
done:
	sqlite3_finalize(x.st);
	segur_buf_release(&sql);
	segur_buf_release(&x.desc);
	recs_release(&x.batch);
	free(x.map.v);
	if (own)
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
	return (rc);
}

int
segur_ledger_request_list(struct segur_ledger *l,
    const struct segur_request_filter *f,
    int (*fn)(void *arg, const struct segur_request_row *row), void *arg,
    char **cause)
{
	struct list_to	 o;

	memset(&o, 0, sizeof(o));
	o.row_fn = fn;
	o.arg = arg;
	o.line_only = f->line_only;
	return (list_run(l, f, &o, cause));
}

int
segur_ledger_request_lines(struct segur_ledger *l,
    const struct segur_request_filter *f,
    int (*fn)(void *arg, const char *line, size_t len), void *arg,
    char **cause)
{
	struct list_to	 o;

	memset(&o, 0, sizeof(o));
	o.line_fn = fn;
	o.arg = arg;
	return (list_run(l, f, &o, cause));
}

int
segur_ledger_request_views(struct segur_ledger *l,
    const struct segur_request_filter *f,
    int (*fn)(void *arg, const struct segur_request_view *v), void *arg,
    char **cause)
{
	struct list_to	 o;

	memset(&o, 0, sizeof(o));
	o.view_fn = fn;
	o.arg = arg;
	return (list_run(l, f, &o, cause));
}
