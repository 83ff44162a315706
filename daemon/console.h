/*
 * console.h: segurd's read-only console, the pages of
 * include/segur/console.h served over the HTTP endpoint (docs/console.md).
 *
 * Routes, GET or HEAD, each page also as JSON under /api/v1:
 *
 *   /                       dashboard
 *   /console.css            the style sheet (the only one: CSP 'self')
 *   /requests               ?state=&q=&after=&limit=  (api: same)
 *   /requests/REF           one request          (api: /api/v1/requests/REF)
 *   /requests/REF/bundle    its evidence bundle (zip), built off the loop
 *   /files                  ?offset=&limit=      (api: /api/v1/files)
 *   /anomalies              ?offset=&limit=&all=1 (api: /api/v1/anomalies)
 *
 * REF is percent-encoded in the path; a bad encoding (a '%' without two
 * hex digits, an encoded NUL or control character) or a bad parameter is
 * 400, an unknown request 404.
 */
#ifndef SEGURD_CONSOLE_H
#define SEGURD_CONSOLE_H

#include <stddef.h>

#include "http.h"

/*
 * Decodes s[0..n) (percent-encoding; with plus, '+' is a space, as in a
 * query) into out, NUL-terminated; out needs n + 1 bytes. Returns the
 * decoded length, or -1 for a bad encoding: '%' not followed by two hex
 * digits, or a byte below 0x20 or 0x7f, encoded or not.
 */
long	 segurd_console_decode(const char *s, size_t n, int plus, char *out);

/* The console's handler (http.h; arg: struct segurd *). */
int	 segurd_console_handle(void *arg, const struct segurd_http_request *req,
	    struct segurd_http_response *resp);

#endif /* SEGURD_CONSOLE_H */
