/*
 * validate-ops.c: the messaging operator codes of the guide's annex
 * (sql/ref/operateurs-messagerie.csv, compiled in), used when the context
 * gives no operator_known callback.
 *
 * The list is parsed on first use within one validation run (a few
 * microseconds) and freed with the run: no global state.
 */
#include <stdlib.h>
#include <string.h>

#include "segur/embedded.h"
#include "segur/error.h"
#include "validate-int.h"

#define OPS_CSV	"sql/ref/operateurs-messagerie.csv"

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/*
 * Copies the first field of every record after the header into st->opblock
 * (RFC 4180: a quoted field may hold commas, doubled quotes and newlines)
 * and indexes them, sorted, in st->ops.
 */
static int
ops_load(struct segur__vstate *st)
{
	const struct segur_embedded_file *f;
	const char	*p, *end;
	char		*w;
	size_t		 nrec = 0, i;
	int		 first = 1, quoted;

	if ((f = segur_embedded_find(OPS_CSV)) == NULL)
		return (SEGUR_ENOENT);
	for (i = 0; i < f->len; i++)
		nrec += f->data[i] == '\n';
	if ((st->opblock = malloc(f->len + 1)) == NULL ||
	    (st->ops = calloc(nrec + 1, sizeof(*st->ops))) == NULL)
		return (SEGUR_ENOMEM);
	p = f->data;
	end = f->data + f->len;
	w = st->opblock;
	while (p < end) {
		char	*start = w;

		quoted = *p == '"';
		if (quoted) {
			for (p++; p < end; p++) {
				if (*p == '"' && p + 1 < end && p[1] == '"')
					*w++ = *p++;
				else if (*p == '"')
					break;
				else
					*w++ = *p;
			}
			p++;
		} else {
			while (p < end && *p != ',' && *p != '\n' &&
			    *p != '\r')
				*w++ = *p++;
		}
		*w++ = '\0';
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
			w = start;
			continue;
		}
		if (start[0] == '\0' || st->nops == nrec + 1) {
			w = start;
			continue;
		}
		st->ops[st->nops++] = start;
	}
	qsort(st->ops, st->nops, sizeof(*st->ops), cmp_str);
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
	return (bsearch(&code, st->ops, st->nops, sizeof(*st->ops),
	    cmp_str) != NULL);
}

void
segur__ops_release(struct segur__vstate *st)
{
	free(st->ops);
	free(st->opblock);
	st->ops = NULL;
	st->opblock = NULL;
	st->nops = 0;
	st->ops_loaded = 0;
}
