/*
 * test-msfile.c: the canonical writer reproduces the examples byte for
 * byte, orders keys as the guide, writes nulls and two-decimal amounts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/msfile.h"
#include "segur/util.h"

/* Reads tests/data/name; caller frees. */
static char *
load(const char *name, size_t *len)
{
	const char *dir = getenv("SEGUR_TEST_DATA");
	char	*path, *data = NULL;

	assert_non_null(dir);
	path = segur_asprintf("%s/%s", dir, name);
	assert_int_equal(segur_read_file(path, 1 << 20, &data, len, NULL), 0);
	free(path);
	return (data);
}

/* Parses a file and rewrites it with segur_msfile_write(). */
static char *
rewrite(const char *text, int *rc, char **cause)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	const cJSON	**lines;
	cJSON		*root, *arr, *e;
	size_t		 n = 0;

	root = cJSON_Parse(text);
	assert_non_null(root);
	arr = cJSON_GetObjectItemCaseSensitive(root, "lignesImport");
	lines = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*lines));
	cJSON_ArrayForEach(e, arr)
		lines[n++] = e;
	*rc = segur_msfile_write(root, lines, n, &out, cause);
	free(lines);
	cJSON_Delete(root);
	return (segur_buf_detach(&out));
}

static void
test_msfile_examples_roundtrip_byte_for_byte(void **state)
{
	static const char *names[] = {
		"JSON-2023000042-20231002-001.json",
		"JSON-2023000042-20231002-001.retour.json",
	};
	char	*orig, *again;
	size_t	 len, i;
	int	 rc;

	(void)state;
	for (i = 0; i < 2; i++) {
		orig = load(names[i], &len);
		again = rewrite(orig, &rc, NULL);
		assert_int_equal(rc, 0);
		assert_string_equal(again, orig);
		free(orig);
		free(again);
	}
}

static void
test_msfile_orders_keys_fills_nulls_and_amounts(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	cJSON	*line;
	int	 rc;

	(void)state;
	/* Keys out of order, some missing, an integral amount. */
	line = cJSON_Parse("{\"typeAction\":\"C\",\"numLigne\":1,"
	    "\"commande\":{\"montantSegurHT\":5840,\"regimeTVA\":\"HT\"},"
	    "\"inconnue\":1}");
	assert_non_null(line);
	rc = segur_msfile_write_line(line, 0, &out, NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out.data, "{\n  \"numLigne\": 1,\n"
	    "  \"typeAction\": \"C\",\n  \"numeroASP\": null,\n"));
	assert_non_null(strstr(out.data, "\"dateCommande\": null,\n"
	    "    \"regimeTVA\": \"HT\",\n    \"montantSegurHT\": 5840.00\n"));
	/* Absent objects are written with every key null. */
	assert_non_null(strstr(out.data, "\"beneficiaires\": {\n"
	    "    \"isMandataire\": null,"));
	assert_null(strstr(out.data, "inconnue"));
	assert_non_null(strstr(out.data, "\"libelleTraitement\": null\n}"));
	segur_buf_release(&out);
	cJSON_Delete(line);
}

static void
test_msfile_escapes_strings_keeps_utf8(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	cJSON	*line;

	(void)state;
	line = cJSON_Parse("{\"typeAction\":\"a\\\"b\\\\c\\n\\u0001"
	    "\u00c9\"}");
	assert_non_null(line);
	assert_int_equal(segur_msfile_write_line(line, 0, &out, NULL), 0);
	assert_non_null(strstr(out.data, "\"typeAction\": "
	    "\"a\\\"b\\\\c\\n\\u0001\xc3\x89\","));
	segur_buf_release(&out);
	cJSON_Delete(line);
}

static void
test_msfile_refuses_amount_finer_than_cent_with_path(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	char	*cause = NULL;
	cJSON	*line;

	(void)state;
	line = cJSON_Parse("{\"commande\":{\"montantSegurHT\":5840.001},"
	    "\"scenarioInstallation\":[{\"FINESSGeo\":\"1\"}]}");
	assert_int_equal(segur_msfile_write_line(line, 0, &out, &cause),
	    SEGUR_EINVAL);
	assert_string_equal(cause, "commande.montantSegurHT: montant en "
	    "centimes entiers attendu");
	/* Nothing half-written stays in the buffer. */
	assert_true(out.len == 0);
	cJSON_Delete(line);
	line = cJSON_Parse("{\"scenarioInstallation\":[{},{\"isMaitreId\":"
	    "[1]}]}");
	assert_int_equal(segur_msfile_write_line(line, 0, &out, &cause),
	    SEGUR_EINVAL);
	assert_string_equal(cause, "scenarioInstallation[1].isMaitreId: "
	    "valeur simple attendue (texte, nombre, booléen ou null)");
	cJSON_Delete(line);
	segur_buf_release(&out);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msfile_examples_roundtrip_byte_for_byte),
		cmocka_unit_test(
		    test_msfile_orders_keys_fills_nulls_and_amounts),
		cmocka_unit_test(test_msfile_escapes_strings_keeps_utf8),
		cmocka_unit_test(
		    test_msfile_refuses_amount_finer_than_cent_with_path),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
