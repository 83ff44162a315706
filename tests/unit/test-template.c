/*
 * test-template.c: typed substitution in balance templates, errors that
 * name the template's path, the default template.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "segur/embedded.h"
#include "segur/error.h"
#include "segur/template.h"

static const struct segur_tval file_v[] = {
	{ "numeroAns", 0, "2023000042", 0 },
	{ "SIRET", 0, "38042372300028", 0 },
};
static const struct segur_tval line1_v[] = {
	{ "numLigne", 0, NULL, 1 },
	{ "numeroASP", 0, "MS1-DUI-2023-0001872", 0 },
	{ "numeroEditeur", 0, "00001", 0 },
	{ "montantSoldeHT", 0, NULL, 340667 },
	{ "montantFactureHT", 0, NULL, 486667 },
	{ "numeroFacture", 1, NULL, 0 },
};
static const struct segur_tval line2_v[] = {
	{ "numLigne", 0, NULL, 2 },
	{ "numeroASP", 0, "MS1-DUI-2023-0001999", 0 },
	{ "numeroEditeur", 0, "0000A", 0 },
	{ "montantSoldeHT", 0, NULL, 5 },
	{ "montantFactureHT", 0, NULL, 584000 },
	{ "numeroFacture", 0, "F-2024-\"7\"", 0 },
};

/* Renders t with the two lines above; returns the text or the cause. */
static char *
render(const char *t, int *rc)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_tvals file = { file_v, 2 };
	struct segur_tvals lines[2] = { { line1_v, 6 }, { line2_v, 6 } };
	char	*cause = NULL;

	*rc = segur_template_render(t, strlen(t), &file, lines, 2, &out,
	    &cause);
	if (*rc != 0) {
		assert_true(out.len == 0);
		segur_buf_release(&out);
		return (cause);
	}
	free(cause);
	return (segur_buf_detach(&out));
}

static void
test_template_typed_values_and_line_repetition(void **state)
{
	const char *t = "{\"impId\":null,\"numeroAns\":\"${numeroAns}\","
	    "\"lignesImport\":[{\"numLigne\":\"${numLigne}\","
	    "\"numeroASP\":\"${numeroASP}\",\"solde\":\"${montantSoldeHT}\","
	    "\"facture\":\"${numeroFacture}\",\"pj\":\"MS1-DUI-Va1-FAC-"
	    "${numeroEditeur}.pdf\",\"prix\":\"$$${montantFactureHT}\","
	    "\"n\":[1,2.5,true]}]}";
	char	*s;
	cJSON	*j, *l0, *l1;
	int	 rc;

	(void)state;
	s = render(t, &rc);
	assert_int_equal(rc, 0);
	/* Amounts with two decimals, integers plain, null kept. */
	assert_non_null(strstr(s, "\"solde\": 3406.67,"));
	assert_non_null(strstr(s, "\"solde\": 0.05,"));
	assert_non_null(strstr(s, "\"numLigne\": 2,"));
	assert_non_null(strstr(s, "\"facture\": null,"));
	assert_non_null(strstr(s, "\"facture\": \"F-2024-\\\"7\\\"\","));
	assert_non_null(strstr(s, "\"pj\": \"MS1-DUI-Va1-FAC-0000A.pdf\","));
	assert_non_null(strstr(s, "\"prix\": \"$5840.00\","));
	j = cJSON_Parse(s);
	assert_non_null(j);
	l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "lignesImport"), 0);
	l1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "lignesImport"), 1);
	assert_string_equal(cJSON_GetObjectItem(l0, "numeroASP")->valuestring,
	    "MS1-DUI-2023-0001872");
	assert_string_equal(cJSON_GetObjectItem(l1, "numeroASP")->valuestring,
	    "MS1-DUI-2023-0001999");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j,
	    "lignesImport")), 2);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "impId")));
	cJSON_Delete(j);
	free(s);
}

static void
test_template_errors_name_the_path(void **state)
{
	static const struct {
		const char *t;
		const char *want;
	} cases[] = {
		{ "{\"lignesImport\":[{\"a\":{\"b\":\"${montant}\"}}]}",
		  "lignesImport[0].a.b : variable inconnue ${montant}" },
		{ "{\"x\":\"${numeroASP}\",\"lignesImport\":[{}]}",
		  "x : variable de ligne hors de lignesImport[0] "
		  "${numeroASP}" },
		{ "{\"lignesImport\":[{\"d\":\"${dateFacture}\"}]}",
		  "lignesImport[0].d : valeur manquante pour ${dateFacture}" },
		{ "{\"lignesImport\":[{\"d\":\"F-${numeroFacture}\"}]}",
		  "lignesImport[0].d : valeur nulle dans un texte "
		  "${numeroFacture}" },
		{ "{\"lignesImport\":[{},{}]}",
		  "lignesImport : lignesImport doit être un tableau d'un seul "
		  "élément : le modèle de ligne" },
		{ "{\"lignesImport\":[{\"d\":\"${numLigne\"}]}",
		  "lignesImport[0].d : « ${ » sans « } » dans le texte" },
		{ "{\"a\":1}", "le modèle doit être un objet JSON avec une clé "
		  "lignesImport" },
		{ "{\"a\":", "le modèle n'est pas du JSON valide" },
	};
	size_t	 i;
	char	*cause;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cause = render(cases[i].t, &rc);
		assert_int_equal(rc, SEGUR_EINVAL);
		if (strncmp(cause, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\"", i, cause);
		free(cause);
	}
}

static void
test_template_default_checks_and_renders(void **state)
{
	const struct segur_embedded_file *f;
	const char *t;
	char	*s, *cause = NULL;
	int	 rc;

	(void)state;
	f = segur_embedded_find("sql/ref/solde-MS1-DUI.template.json");
	assert_non_null(f);
	assert_int_equal(segur_template_check(f->data, f->len, &cause), 0);
	/* The test lines lack most variables: rendering names the first. */
	s = render(f->data, &rc);
	assert_int_equal(rc, SEGUR_EINVAL);
	assert_non_null(strstr(s, "valeur manquante pour ${dateFacture}"));
	free(s);
	/* An unknown variable is caught without values too. */
	t = "{\"lignesImport\":[{\"a\":\"${nope}\"}]}";
	assert_int_equal(segur_template_check(t, strlen(t), &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "variable inconnue ${nope}"));
	free(cause);
}

static void
test_template_zero_lines_and_vars_table(void **state)
{
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_tvals file = { file_v, 2 };
	const struct segur_tvar_def *d;
	const char *t = "{\"numeroAns\":\"${numeroAns}\",\"lignesImport\":"
	    "[{\"x\":\"${numLigne}\"}]}";
	size_t	 n = 0;

	(void)state;
	assert_int_equal(segur_template_render(t, strlen(t), &file, NULL, 0,
	    &out, NULL), 0);
	assert_string_equal(out.data, "{\n  \"numeroAns\": \"2023000042\",\n"
	    "  \"lignesImport\": []\n}\n");
	segur_buf_release(&out);
	for (d = segur_template_vars(); d->name != NULL; d++, n++)
		assert_non_null(d->doc);
	assert_true(n >= 20);
}

static void
test_template_every_type_and_null(void **state)
{
	static const struct segur_tval lv[] = {
		{ "numLigne", 0, NULL, 7 },
		{ "resoumission", 0, NULL, 1 },
		{ "montantAvance", 0, NULL, 0 },
		{ "montantSoldeHT", 0, NULL, 100000000 },
		{ "montantFactureHT", 1, NULL, 0 },
		{ "numeroASP", 0, "MS1-DUI-2023-0001872", 0 },
		{ "numeroFacture", 0, "", 0 },
	};
	static const struct segur_tval fv[] = {
		{ "numeroAns", 0, "2023000042", 0 },
		{ "dateFichier", 0, "20240229", 0 },
	};
	const char *t = "{\"d\":\"${dateFichier}\",\"lignesImport\":[{"
	    "\"i\":\"${numLigne}\",\"b\":\"${resoumission}\","
	    "\"t\":\"B${resoumission}-${numLigne}-${montantSoldeHT}\","
	    "\"z\":\"${montantAvance}\",\"big\":\"${montantSoldeHT}\","
	    "\"n\":\"${montantFactureHT}\",\"s\":\"${numeroASP}\","
	    "\"e\":\"${numeroFacture}\"}]}";
	struct segur_buf out = SEGUR_BUF_INIT;
	struct segur_tvals file = { fv, 2 }, line = { lv, 7 };

	(void)state;
	assert_int_equal(segur_template_render(t, strlen(t), &file, &line, 1,
	    &out, NULL), 0);
	assert_string_equal(out.data, "{\n"
	    "  \"d\": \"20240229\",\n"
	    "  \"lignesImport\": [\n"
	    "    {\n"
	    "      \"i\": 7,\n"
	    "      \"b\": true,\n"
	    "      \"t\": \"Btrue-7-1000000.00\",\n"
	    "      \"z\": 0.00,\n"
	    "      \"big\": 1000000.00,\n"
	    "      \"n\": null,\n"
	    "      \"s\": \"MS1-DUI-2023-0001872\",\n"
	    "      \"e\": \"\"\n"
	    "    }\n"
	    "  ]\n"
	    "}\n");
	segur_buf_release(&out);
}

/* A template of another layout (the day ASP publishes its own): nested
 * objects, arrays of values, a header after the lines, keys in order. */
static void
test_template_other_layout(void **state)
{
	const char *t = "{\"version\":2,\"lignesImport\":[{\"demande\":"
	    "{\"ids\":[\"${numeroASP}\",\"${numeroEditeur}\"],"
	    "\"montants\":{\"solde\":\"${montantSoldeHT}\",\"fixe\":12.5}},"
	    "\"ligne\":\"${numLigne}\"}],\"entete\":{\"ans\":"
	    "\"${numeroAns}\",\"siret\":\"${SIRET}\",\"vide\":{},"
	    "\"liste\":[]}}";
	char	*s;
	cJSON	*j, *l1;
	int	 rc;

	(void)state;
	assert_int_equal(segur_template_check(t, strlen(t), NULL), 0);
	s = render(t, &rc);
	assert_int_equal(rc, 0);
	j = cJSON_Parse(s);
	assert_non_null(j);
	assert_string_equal(j->child->string, "version");
	assert_string_equal(j->child->next->string, "lignesImport");
	assert_string_equal(j->child->next->next->string, "entete");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j,
	    "entete"), "siret")->valuestring, "38042372300028");
	l1 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "lignesImport"), 1);
	assert_int_equal(cJSON_GetObjectItem(l1, "ligne")->valueint, 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(l1, "demande"), "ids"), 1)->valuestring,
	    "0000A");
	assert_non_null(strstr(s, "\"solde\": 0.05,"));
	assert_non_null(strstr(s, "\"fixe\": 12.5\n"));
	assert_non_null(strstr(s, "\"vide\": {},"));
	cJSON_Delete(j);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_template_typed_values_and_line_repetition),
		cmocka_unit_test(test_template_errors_name_the_path),
		cmocka_unit_test(test_template_default_checks_and_renders),
		cmocka_unit_test(test_template_zero_lines_and_vars_table),
		cmocka_unit_test(test_template_every_type_and_null),
		cmocka_unit_test(test_template_other_layout),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
