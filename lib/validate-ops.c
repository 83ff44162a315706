/*
 * validate-ops.c: the messaging operator codes of the guide's annex
 * (sql/ref/operateurs-messagerie.csv, compiled in), used when the context
 * gives no operator_known callback.
 *
 * The list is indexed on first use within one validation run (a few
 * microseconds, no copy: the codes are read where they lie in the embedded
 * data) and dropped with the run: no global state.
 */
#include <stdlib.h>
#include <string.h>

#include "segur/embedded.h"
#include "segur/error.h"
#include "validate-int.h"

#define OPS_CSV	"sql/ref/operateurs-messagerie.csv"

static int
cmp_code(const void *a, const void *b)
{
	const struct segur__opcode *x = a, *y = b;
	int	 c;

	c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
	if (c != 0)
		return (c);
	return (x->n < y->n ? -1 : x->n > y->n);
}

/*
 * Indexes the first field of every record after the header, sorted, in
 * st->ops. An unquoted field is used where it lies in the embedded data; a
 * quoted one (RFC 4180: it may hold commas, doubled quotes and newlines) is
 * unquoted into st->opblock.
 */
static int
ops_load(struct segur__vstate *st)
{
	const struct segur_embedded_file *f;
	const char	*p, *end, *start;
	char		*w = NULL;
	size_t		 nrec = 1, i, n;
	int		 first = 1, quoted;

	if ((f = segur_embedded_find(OPS_CSV)) == NULL)
		return (SEGUR_ENOENT);
	for (i = 0; i < f->len; i++)
		nrec += f->data[i] == '\n';
	st->ops = st->ops_inline;
	if (nrec > sizeof(st->ops_inline) / sizeof(st->ops_inline[0]) &&
	    (st->ops = calloc(nrec, sizeof(*st->ops))) == NULL)
		return (SEGUR_ENOMEM);
	p = f->data;
	end = f->data + f->len;
	while (p < end) {
		if (*p == '"') {
			if (w == NULL && (w = st->opblock =
			    malloc(f->len + 1)) == NULL)
				return (SEGUR_ENOMEM);
			start = w;
			for (p++; p < end; p++) {
				if (*p == '"' && p + 1 < end && p[1] == '"')
					*w++ = *p++;
				else if (*p == '"')
					break;
				else
					*w++ = *p;
			}
			p++;
			n = (size_t)(w - start);
		} else {
			start = p;
			while (p < end && *p != ',' && *p != '\n' &&
			    *p != '\r')
				p++;
			n = (size_t)(p - start);
		}
		/* Skip the rest of the record, quoted fields included. */
		quoted = 0;
		while (p < end && (quoted || *p != '\n')) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		p++;
		if (first) {
			first = 0;	/* the header: code,libelle */
			continue;
		}
		if (n > 0 && st->nops < nrec) {
			st->ops[st->nops].s = start;
			st->ops[st->nops].n = n;
			st->nops++;
		}
	}
	qsort(st->ops, st->nops, sizeof(*st->ops), cmp_code);
	return (0);
}

int
segur__operator_known(struct segur__vstate *st, const char *code)
{
	struct segur__opcode key;
	int	 rc;

	/* ops_loaded: 0 not yet, 1 loaded, <0 the load's SEGUR_E* code. */
	if (st->ctx != NULL && st->ctx->operator_known != NULL)
		return (st->ctx->operator_known(st->ctx->arg, code));
	if (st->ops_loaded == 0)
		st->ops_loaded = (rc = ops_load(st)) == 0 ? 1 : rc;
	if (st->ops_loaded < 0)
		return (st->ops_loaded);
	key.s = code;
	key.n = strlen(code);
	return (bsearch(&key, st->ops, st->nops, sizeof(*st->ops),
	    cmp_code) != NULL);
}

void
segur__ops_release(struct segur__vstate *st)
{
	if (st->ops != st->ops_inline)
		free(st->ops);
	free(st->opblock);
	st->ops = NULL;
	st->opblock = NULL;
	st->nops = 0;
	st->ops_loaded = 0;
}
