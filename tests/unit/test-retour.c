/*
 * test-retour.c: reading returned files and deciding each line's fate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/retour.h"
#include "segur/util.h"

static void
test_retour_label_folding(void **state)
{
	(void)state;
	assert_true(segur_label_is_accepted("Demande acceptée"));
	assert_true(segur_label_is_accepted("DEMANDE ACCEPTÉE"));
	assert_true(segur_label_is_accepted("  demande acceptee \n"));
	assert_true(segur_label_is_accepted("Demande Acceptèe"));
	assert_false(segur_label_is_accepted("Demande acceptée partiellement"));
	assert_false(segur_label_is_accepted("Demande refusée"));
	assert_false(segur_label_is_accepted("Demande accept"));
	assert_false(segur_label_is_accepted("Demande  acceptée"));
	assert_false(segur_label_is_accepted(""));
	assert_false(segur_label_is_accepted(NULL));
}

static void
test_retour_example_one_accepted_one_rejected(void **state)
{
	struct segur_retour r;
	char	*data, *path;
	size_t	 len;

	(void)state;
	path = segur_asprintf("%s/JSON-2023000042-20231002-001.retour.json",
	    getenv("SEGUR_TEST_DATA"));
	assert_int_equal(segur_read_file(path, 1 << 20, &data, &len, NULL), 0);
	assert_int_equal(segur_retour_parse(data, len, &r, NULL), 0);
	assert_string_equal(r.impId, "IMP-2023-000731");
	assert_string_equal(r.numeroAns, "2023000042");
	assert_int_equal(r.nlines, 2);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ACCEPTED);
	assert_string_equal(r.lines[0].numeroEditeur, "00001");
	assert_string_equal(r.lines[0].numeroASP, "MS1-DUI-2023-0001872");
	assert_string_equal(r.lines[0].code, "0");
	assert_int_equal(r.lines[1].answer, SEGUR_ANSWER_REJECTED);
	assert_null(r.lines[1].numeroASP);
	assert_string_equal(r.lines[1].code, "E12");
	assert_string_equal(r.lines[1].label, "Le FINESS géographique "
	    "590004016 n'appartient pas à la liste des FINESS éligibles");
	assert_int_equal(r.lines[1].numLigne, 2);
	segur_retour_release(&r);
	free(data);
	free(path);
}

/* Parses a one-line file made of the given line members. */
static void
parse1(const char *members, struct segur_retour *r)
{
	char	*doc;

	doc = segur_asprintf("{\"impId\":731,\"numeroAns\":\"2023000042\","
	    "\"SIRET\":\"38042372300028\",\"lignesImport\":[{\"numLigne\":1,"
	    "%s}]}", members);
	assert_int_equal(segur_retour_parse(doc, strlen(doc), r, NULL), 0);
	assert_int_equal(r->nlines, 1);
	free(doc);
}

static void
test_retour_numbers_read_as_text(void **state)
{
	struct segur_retour r;

	(void)state;
	parse1("\"numeroEditeur\":\"0000A\",\"numeroASP\":18720001,"
	    "\"codeTraitement\":0,\"libelleTraitement\":\"Demande acceptée\"",
	    &r);
	assert_string_equal(r.impId, "731");
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ACCEPTED);
	assert_string_equal(r.lines[0].numeroASP, "18720001");
	assert_string_equal(r.lines[0].code, "0");
	segur_retour_release(&r);
	/* As "%.0f" writes them: the largest exact one, a negative one,
	 * and minus zero. */
	parse1("\"numeroEditeur\":\"0000A\",\"numeroASP\":9007199254740992,"
	    "\"codeTraitement\":-0,\"libelleTraitement\":-12",
	    &r);
	assert_string_equal(r.lines[0].numeroASP, "9007199254740992");
	assert_string_equal(r.lines[0].code, "-0");
	assert_string_equal(r.lines[0].label, "-12");
	segur_retour_release(&r);
}

static void
test_retour_anomalies_never_guessed(void **state)
{
	static const struct {
		const char *members;
		const char *why;
	} cases[] = {
		{ "\"numeroEditeur\":\"00001\",\"numeroASP\":\"X1\","
		  "\"codeTraitement\":\"E1\",\"libelleTraitement\":\"Erreur\"",
		  "numeroASP présent mais libellé « Erreur »" },
		{ "\"numeroEditeur\":\"00001\",\"numeroASP\":null,"
		  "\"codeTraitement\":\"0\",\"libelleTraitement\":"
		  "\"Demande acceptée\"", "sans numeroASP" },
		{ "\"numeroEditeur\":\"00001\",\"numeroASP\":null,"
		  "\"codeTraitement\":null,\"libelleTraitement\":null",
		  "aucune réponse" },
		{ "\"numeroASP\":\"X1\",\"codeTraitement\":\"0\","
		  "\"libelleTraitement\":\"Demande acceptée\"",
		  "numeroEditeur absent" },
		{ "\"numeroEditeur\":\"00001\",\"numeroASP\":1e300,"
		  "\"codeTraitement\":\"0\",\"libelleTraitement\":"
		  "\"Demande acceptée\"", "numeroASP illisible" },
		{ "\"numeroEditeur\":\"00001\",\"numeroASP\":\" \","
		  "\"codeTraitement\":\"0\",\"libelleTraitement\":"
		  "\"Demande acceptée\"", "numeroASP vide" },
		{ "\"numeroEditeur\":\"00001\",\"numeroASP\":null,"
		  "\"codeTraitement\":[1],\"libelleTraitement\":\"x\"",
		  "illisible" },
	};
	struct segur_retour r;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse1(cases[i].members, &r);
		if (r.lines[0].answer != SEGUR_ANSWER_ANOMALY ||
		    strstr(r.lines[0].anomaly, cases[i].why) == NULL)
			fail_msg("case %zu: answer %d, \"%s\"", i,
			    r.lines[0].answer, r.lines[0].anomaly ?
			    r.lines[0].anomaly : "(none)");
		segur_retour_release(&r);
	}
}

static void
test_retour_structure_errors(void **state)
{
	struct segur_retour r;
	char	*cause = NULL;

	(void)state;
	assert_int_equal(segur_retour_parse("{\"lignesImport\":[", 17, &r,
	    &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "pas du JSON valide"));
	assert_int_equal(segur_retour_parse("[]", 2, &r, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "lignesImport"));
	assert_int_equal(segur_retour_parse("{\"lignesImport\":{}}", 19, &r,
	    &cause), SEGUR_EINVAL);
	assert_int_equal(segur_retour_parse("{\"impId\":[],\"lignesImport\":[]}",
	    30, &r, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "en-tête"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retour_label_folding),
		cmocka_unit_test(test_retour_example_one_accepted_one_rejected),
		cmocka_unit_test(test_retour_numbers_read_as_text),
		cmocka_unit_test(test_retour_anomalies_never_guessed),
		cmocka_unit_test(test_retour_structure_errors),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
