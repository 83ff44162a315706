/*
 * validate-cases.h: what the test-validate-*.c files share: run the
 * validator on an example of tests/data after a few edits, and look for a
 * finding.
 */
#ifndef VALIDATE_CASES_H
#define VALIDATE_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper-json.h"
#include "segur/validate.h"

#define EX_FILE		"JSON-2023000042-20231002-001.json"
#define EX_RETURNED	"JSON-2023000042-20231002-001.retour.json"

/*
 * Number of findings of rule (any rule if NULL) whose path is path (any
 * path if NULL; "" matches a NULL path).
 */
static inline size_t
tv_count(const struct segur_report *r, const char *rule, const char *path)
{
	size_t	 i, n = 0;

	for (i = 0; i < r->nfindings; i++) {
		const struct segur_finding *f = &r->findings[i];

		if (rule != NULL && strcmp(f->rule->id, rule) != 0)
			continue;
		if (path != NULL && (path[0] == '\0' ? f->path != NULL :
		    f->path == NULL || strcmp(f->path, path) != 0))
			continue;
		n++;
	}
	return (n);
}

/* Prints a report (shown by cmocka when a test fails). */
static inline void
tv_dump(const char *what, const struct segur_report *r)
{
	size_t	 i;

	fprintf(stderr, "--- %s: %zu finding(s)\n", what, r->nfindings);
	for (i = 0; i < r->nfindings; i++)
		fprintf(stderr, "  [%s] line %ld numLigne %ld %s: %s\n",
		    r->findings[i].rule->id, r->findings[i].line,
		    r->findings[i].numLigne,
		    r->findings[i].path != NULL ? r->findings[i].path : "-",
		    r->findings[i].message);
}

/*
 * Validates the example file name (as a file of that name) after edits
 * (see helper_json_edit(); NULL-terminated, may be NULL), with flags and
 * an optional context. Fills *rep; the caller releases it.
 */
static inline void
tv_run(const char *name, const char *const *edits, unsigned flags,
    const struct segur_validate_ctx *ctx, struct segur_report *rep)
{
	struct segur_validate_opts opts;
	char	*base, *json;

	base = helper_read_data(name, NULL);
	json = helper_json_mutate(base, edits);
	memset(&opts, 0, sizeof(opts));
	opts.flags = flags;
	opts.filename = name;
	opts.ctx = ctx;
	if (segur_validate_buffer(json, strlen(json), &opts, rep) != 0)
		fail_msg("segur_validate_buffer failed");
	free(json);
	free(base);
}

/* Validates raw bytes as a file (no name), with an optional limit. */
static inline void
tv_bytes(const char *buf, size_t len, size_t max, struct segur_report *rep)
{
	struct segur_validate_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.max_bytes = max;
	if (segur_validate_buffer(buf, len, &opts, rep) != 0)
		fail_msg("segur_validate_buffer failed");
}

#endif /* VALIDATE_CASES_H */
