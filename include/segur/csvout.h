/*
 * csvout.h: a small CSV writer for exports that people open in a
 * spreadsheet.
 *
 * Two dialects. SEGUR_CSV_EXCEL_FR is what French Excel opens correctly by
 * double-click: UTF-8 with a BOM, ';' between fields, decimal comma.
 * SEGUR_CSV_RFC4180 is the open-data form: ',' between fields, decimal
 * point, no BOM. Both end rows with CRLF and quote a field (doubling its
 * quotes) when it holds the separator, a quote, CR or LF, or starts or
 * ends with a space.
 *
 * Text fields that a spreadsheet would run as a formula (starting with
 * '=', '+', '-', '@', a tab or CR) are neutralized with a leading
 * apostrophe, as OWASP recommends against CSV injection. Amounts and
 * integers are written by their own functions and never neutralized.
 *
 * Control characters never reach the file raw (a terminal running `cat`
 * on an export would obey an ESC; a spreadsheet shows garbage): C0 ones
 * other than TAB, LF and CR, and DEL, are written as the four visible
 * characters \xHH (BEL as \x07, ESC as \x1b); C1 ones (U+0080..U+009F)
 * as \u00HH. The HTML report does the same (svg.h). A backslash already
 * in the text is kept as it is: the escape is for eyes, not a reversible
 * encoding.
 */
#ifndef SEGUR_CSVOUT_H
#define SEGUR_CSVOUT_H

#include <stddef.h>
#include <stdint.h>

#include "segur/util.h"

enum segur_csv_dialect {
	SEGUR_CSV_EXCEL_FR = 0,
	SEGUR_CSV_RFC4180 = 1
};

struct segur_csvw {
	struct segur_buf	*out;		/* borrowed; appended to */
	enum segur_csv_dialect	 dialect;
	int			 field;		/* fields in the current row */
	int			 nomem;		/* an append failed: sticky */
};

/* Starts writing to out; writes the BOM of SEGUR_CSV_EXCEL_FR. */
void	segur_csvw_init(struct segur_csvw *w, struct segur_buf *out,
	    enum segur_csv_dialect dialect);

/* Appends one field to the current row. NULL text is an empty field. */
void	segur_csvw_text(struct segur_csvw *w, const char *s);
/*
 * An identifier (numeroEditeur, FINESS, SIRET...) that a spreadsheet must
 * not read as a number: in SEGUR_CSV_EXCEL_FR, written as the formula
 * ="00001" (unquoted), which Excel and LibreOffice both evaluate to the
 * text 00001, leading zeros kept. Falls back to segur_csvw_text() for
 * SEGUR_CSV_RFC4180, and for a value longer than SEGUR_CSV_ID_MAX bytes or
 * holding a quote, the separator or a control character (no spreadsheet
 * reads such a value as a number anyway).
 */
#define SEGUR_CSV_ID_MAX	255
void	segur_csvw_id(struct segur_csvw *w, const char *s);
void	segur_csvw_amount(struct segur_csvw *w, int64_t cents);
void	segur_csvw_int(struct segur_csvw *w, long long v);
void	segur_csvw_empty(struct segur_csvw *w);

/* Ends the current row (CRLF). */
void	segur_csvw_end_row(struct segur_csvw *w);

/*
 * If s[0..n) (n >= 1) starts with a control character to make visible,
 * writes its escape into esc (NUL-terminated), sets *skip to the bytes it
 * replaces and returns the escape's length; else returns 0.
 */
size_t	segur_control_escape(const char *s, size_t n, size_t *skip,
	    char esc[8]);

/* 0 when everything was written, SEGUR_ENOMEM if an append failed. */
int	segur_csvw_finish(struct segur_csvw *w);

#endif /* SEGUR_CSVOUT_H */
