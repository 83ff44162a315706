/*
 * fuzz-validate.c: libFuzzer target over the validator.
 *
 * Every input goes through segur_validate_buffer() and
 * segur_validate_request(), with no flags and with ASP mode + returned mode
 * (and a reference-data context), checking the report's invariants: the
 * counters agree with the findings, structure findings have no path and no
 * line, a failed structure has no line count, every finding has a rule and
 * a message. A crash, leak or broken invariant is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "segur/validate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
eligible(void *arg, const char *geo, char tranche[8], char fj[10])
{
	(void)arg;
	if (geo[8] == '9')
		return (0);
	tranche[0] = 'B';
	memcpy(fj, "750000127", 10);
	return (1);
}

static int
tranche(void *arg, const char *t, int64_t *cents)
{
	(void)arg;
	(void)t;
	*cents = 292000;
	return (1);
}

static int
profiles(void *arg, const char *ans, unsigned *p)
{
	(void)arg;
	*p = ans[0] == '2' ? 0x1FF : 0x0F0;
	return (1);
}

static int
used(void *arg, const char *ne)
{
	(void)arg;
	return (ne[0] == '9' ? -4 : ne[0] == '8');
}

static int
live(void *arg, const char *geo, char **other)
{
	(void)arg;
	if (geo[0] != '6')
		return (0);
	*other = strdup("demande 1");
	return (1);
}

static void
check(const struct segur_report *r)
{
	size_t	 i, ne = 0, nw = 0;

	for (i = 0; i < r->nfindings; i++) {
		const struct segur_finding *f = &r->findings[i];

		if (f->rule == NULL || f->message == NULL ||
		    f->severity != f->rule->severity)
			abort();
		if (f->rule->scope == SEGUR_SCOPE_STRUCTURE &&
		    (f->path != NULL || f->line != -1))
			abort();
		if (f->line < 0 && f->numLigne != -1)
			abort();
		if (f->severity == SEGUR_SEV_ERROR)
			ne++;
		else
			nw++;
	}
	/* Past 10 000 findings the rest is only counted. */
	if (r->nfindings > 0 && strcmp(r->findings[r->nfindings - 1].rule->id,
	    "RAPPORT-TRONQUE") == 0) {
		if (ne > r->nerrors || nw > r->nwarnings)
			abort();
	} else if (ne != r->nerrors || nw != r->nwarnings)
		abort();
	if (!r->structure_ok && r->lines != -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = {
		0, SEGUR_VALIDATE_FIRST_ERROR | SEGUR_VALIDATE_RETURNED
	};
	struct segur_validate_ctx ctx;
	struct segur_validate_opts opts;
	struct segur_report r;
	size_t	 i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.finess_eligible = eligible;
	ctx.tranche_amount = tranche;
	ctx.software_profiles = profiles;
	ctx.numero_editeur_used = used;
	ctx.finess_geo_live = live;
	ctx.today = 20261127;
	for (i = 0; i < 2; i++) {
		memset(&opts, 0, sizeof(opts));
		opts.flags = flags[i];
		opts.filename = "JSON-2023000042-20231002-001.json";
		opts.numeroAns = "2023000042";
		opts.ctx = i == 1 ? &ctx : NULL;
		if (segur_validate_buffer((const char *)data, size, &opts,
		    &r) == 0)
			check(&r);
		segur_report_release(&r);
		if (segur_validate_request((const char *)data, size, &opts,
		    &r) == 0)
			check(&r);
		segur_report_release(&r);
	}
	return (0);
}
