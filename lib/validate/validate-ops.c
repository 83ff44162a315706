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
#include "validate/validate-int.h"

#define OPS_CSV	"sql/ref/operateurs-messagerie.csv"

/* FNV-1a over n bytes. */
static uint32_t
code_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t	 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return (h);
}

/* The index slot of code s[0..n): where it is, or the empty one. */
static size_t
code_slot(const struct segur__vstate *st, const char *s, size_t n)
{
	size_t	 mask = st->opicap - 1, i = code_hash(s, n) & mask;
	const struct segur__opcode *e;

	while (st->opidx[i] != 0) {
		e = &st->ops[st->opidx[i] - 1];
		if (e->n == n && memcmp(e->s, s, n) == 0)
			break;
		i = (i + 1) & mask;
	}
	return (i);
}

/*
 * Indexes the first field of every record after the header in st->ops,
 * with a hash index in st->opidx. An unquoted field is used where it lies in the embedded data; a
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
	st->opidx = st->opidx_inline;
	st->opicap = sizeof(st->opidx_inline) / sizeof(st->opidx_inline[0]);
	while (st->opicap < 2 * st->nops)
		st->opicap *= 2;
	if (st->opidx == st->opidx_inline && st->opicap >
	    sizeof(st->opidx_inline) / sizeof(st->opidx_inline[0]) &&
	    (st->opidx = malloc(st->opicap * sizeof(*st->opidx))) == NULL)
		return (SEGUR_ENOMEM);
	memset(st->opidx, 0, st->opicap * sizeof(*st->opidx));
	for (i = 0; i < st->nops; i++)
		st->opidx[code_slot(st, st->ops[i].s, st->ops[i].n)] =
		    (uint32_t)i + 1;
	return (0);
}

int
segur__operator_known(struct segur__vstate *st, const char *code)
{
	int	 rc;

	/* ops_loaded: 0 not yet, 1 loaded, <0 the load's SEGUR_E* code. */
	if (st->ctx != NULL && st->ctx->operator_known != NULL)
		return (st->ctx->operator_known(st->ctx->arg, code));
	if (st->ops_loaded == 0)
		st->ops_loaded = (rc = ops_load(st)) == 0 ? 1 : rc;
	if (st->ops_loaded < 0)
		return (st->ops_loaded);
	return (st->opidx[code_slot(st, code, strlen(code))] != 0);
}

void
segur__ops_release(struct segur__vstate *st)
{
	if (st->ops != st->ops_inline)
		free(st->ops);
	if (st->opidx != st->opidx_inline)
		free(st->opidx);
	st->opidx = NULL;
	free(st->opblock);
	st->ops = NULL;
	st->opblock = NULL;
	st->nops = 0;
	st->ops_loaded = 0;
}
