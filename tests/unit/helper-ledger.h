/*
 * helper-ledger.h: the ledger fixture of the unit tests: a private folder
 * under $TMPDIR, a ledger in it (optionally with the examples' software,
 * the guide's two example lines registered and ready), removed afterwards;
 * and a few ledger counts.
 */
#ifndef HELPER_LEDGER_H
#define HELPER_LEDGER_H

#include <stdint.h>

struct segur_ledger;

/* The example's software (tests/data/JSON-2023000042-20231002-001.json). */
#define HELPER_ANS	"2023000042"
#define HELPER_SIRET	"38042372300028"

/*
 * A fresh folder $TMPDIR/segur-<name>-XXXXXX (TMPDIR unset or empty:
 * /tmp), by mkdtemp(); malloc'ed, freed by helper_tmpdir_free(). Every
 * unit test makes its temporary files in one of these.
 */
char	*helper_tmpdir(const char *name);

/* Removes dir and everything under it (read-only folders too), and frees
 * dir. NULL is ok. */
void	 helper_tmpdir_free(char *dir);

/* "dir/leaf", malloc'ed. */
char	*helper_path(const char *dir, const char *leaf);

/* A new ledger at dir/ledger.db, with the software HELPER_ANS when
 * with_software. */
struct segur_ledger *helper_ledger_new(const char *dir, int with_software);

/*
 * The state of the shared fixture: the tests' "struct fixture" where it
 * holds no more than this.
 */
struct helper_ledger {
	char			*dir;	/* private folder (helper_tmpdir()) */
	char			*db;	/* the ledger's file in dir */
	struct segur_ledger	*l;	/* open on db; NULL once a test closed
					   it for good */
};

/*
 * cmocka setup: *state becomes a struct helper_ledger with an empty
 * ledger at dir/ledger.db, dir named after the test program, and
 * $SEGUR_ACTOR set to "test" (the actor of the events).
 */
int	 helper_ledger_setup(void **state);

/* The same with the ledger at dir/leaf (its folders created by the
 * ledger's open). */
int	 helper_ledger_setup_at(void **state, const char *leaf);

/* cmocka teardown of both: closes the ledger, removes dir, frees. */
int	 helper_ledger_teardown(void **state);

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
