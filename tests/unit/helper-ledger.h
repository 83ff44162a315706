/*
 * helper-ledger.h: test helpers for the tests that drive the library end
 * to end (test-build, test-ingest, test-adopt): a private folder under
 * $TMPDIR, a ledger in it with the examples' software, the guide's two
 * example lines registered and ready, and a few ledger counts.
 */
#ifndef HELPER_LEDGER_H
#define HELPER_LEDGER_H

#include <stdint.h>

struct segur_ledger;

/* The example's software (tests/data/JSON-2023000042-20231002-001.json). */
#define HELPER_ANS	"2023000042"
#define HELPER_SIRET	"38042372300028"

/* A fresh folder under $TMPDIR (default /tmp), by mkdtemp(); malloc'ed. */
char	*helper_tmpdir(const char *name);

/* Removes dir and everything under it, and frees dir. */
void	 helper_tmpdir_free(char *dir);

/* "dir/leaf", malloc'ed. */
char	*helper_path(const char *dir, const char *leaf);

/* A new ledger at dir/ledger.db, with the software HELPER_ANS when
 * with_software. */
struct segur_ledger *helper_ledger_new(const char *dir, int with_software);

/*
 * Registers the example's lines as requests BC-1 (its order form) and
 * BC-2 (order form and VAT certificate), with their documents written in
 * dir, and makes both ready.
 */
void	 helper_example_ready(struct segur_ledger *l, const char *dir);

/* The integer the SQL query returns (one row, one column). */
int64_t	 helper_count(struct segur_ledger *l, const char *sql);

/* The text the SQL query returns, malloc'ed; NULL when no row or NULL. */
char	*helper_text(struct segur_ledger *l, const char *sql);

#endif /* HELPER_LEDGER_H */
