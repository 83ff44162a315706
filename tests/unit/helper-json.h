/*
 * helper-json.h: test helpers linked into every unit test: read a file of
 * tests/data, and edit a cJSON tree by path ("a.b[2].c") with raw JSON text,
 * so that a test can start from a known-good file and break one thing.
 */
#ifndef HELPER_JSON_H
#define HELPER_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Reads $SEGUR_TEST_DATA/name into a malloc'ed NUL-terminated buffer
 * (caller frees); *len (if not NULL) gets its length. Fails the test when
 * the file cannot be read.
 */
char	*helper_read_data(const char *name, size_t *len);

/* The node at path ("" is root), or NULL. Borrowed from root. */
cJSON	*helper_json_at(cJSON *root, const char *path);

/*
 * Applies one edit to root; returns 0 or -1 when the path does not exist:
 *   "path=RAW"   replaces (or adds, for a missing key of an existing
 *                object) the value at path by the JSON text RAW, verbatim
 *   "path+=RAW"  adds one more key named after path's last key (duplicate)
 *   "-path"      deletes the value at path
 * RAW is kept as text (cJSON_CreateRaw): "5840.001" stays so when printed.
 */
int	 helper_json_edit(cJSON *root, const char *edit);

/*
 * Parses json, applies the NULL-terminated edits and prints the result
 * (malloc'ed, caller frees). Fails the test on a bad edit.
 */
char	*helper_json_mutate(const char *json, const char *const *edits);

#endif /* HELPER_JSON_H */
