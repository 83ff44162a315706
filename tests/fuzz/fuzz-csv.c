/*
 * fuzz-csv.c: libFuzzer target over the CSV reader of the imports
 * (lib/ledger/ledger-csv.c, segur__csv_read(): requests, reference data,
 * operators), fed files people export from spreadsheets.
 *
 * Checks: on success there is a header row, rows are numbered in
 * increasing order from 1, every field is a C string no longer than three
 * times the input (Windows-1252 is converted to UTF-8: at most three
 * bytes a character), the delimiter is ';' or ','; on SEGUR_EINVAL at
 * least one finding, each with a message.
 * A crash, leak or broken invariant is a bug. The reader is internal
 * (ledger-int.h): this target follows its name and signature.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger-int.h"
#include "segur/error.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct segur_csv_errors e = { NULL, 0 };
	struct segur__csv c;
	size_t	 i, j;
	long	 last = 0;
	int	 rc;

	rc = segur__csv_read((const char *)data, size, &c, &e);
	if (rc == SEGUR_EINVAL && e.n == 0)
		abort();
	for (i = 0; i < e.n; i++)
		if (e.v[i].message == NULL || strlen(e.v[i].message) == 0)
			abort();
	if (rc == 0) {
		if (c.nrows == 0 || (c.delim != ';' && c.delim != ','))
			abort();
		for (i = 0; i < c.nrows; i++) {
			if (c.rows[i].row <= last)
				abort();
			last = c.rows[i].row;
			for (j = 0; j < c.rows[i].n; j++)
				if (c.rows[i].f[j] == NULL ||
				    strlen(c.rows[i].f[j]) > 3 * size)
					abort();
		}
	}
	/* Safe whatever rc: an emptied table releases nothing. */
	segur__csv_release(&c);
	segur_csv_errors_release(&e);
	return (0);
}
