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

/* Every form a reader takes for "Demande acceptée" (spec §7). */
static void
test_retour_label_every_form_accepted(void **state)
{
	static const char *const forms[] = {
		"Demande acceptée",			/* NFC */
		"Demande accepte\xcc\x81" "e",		/* NFD: e + U+0301 */
		"DEMANDE ACCEPTÉE",
		"DEMANDE ACCEPTE\xcc\x81" "E",		/* NFD, upper case */
		"demande acceptee",			/* no accent */
		"Demande Acceptèe",			/* another accent */
		"Demande\xc2\xa0" "acceptée",		/* U+00A0 */
		"Demande\xe2\x80\xaf" "acceptée",	/* U+202F */
		"Demande  acceptée",			/* doubled space */
		"Demande \xc2\xa0 \t acceptée",	/* mixed run */
		"  Demande acceptée \n",		/* surrounding */
		"\tDemande\tacceptée\t",		/* tabs */
		"\xe2\x80\x83" "Demande acceptée\xe2\x80\x83", /* U+2003 */
		"Demande accep\xc2\xadtée",		/* soft hyphen */
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!segur_label_is_accepted(forms[i]))
			fail_msg("form %zu \"%s\" not accepted", i, forms[i]);
}

/* Other words, and bytes that are not text, are never acceptance. */
static void
test_retour_label_others_not_accepted(void **state)
{
	static const char *const others[] = {
		"Demande refusée",
		"Demande acceptée partiellement",
		"Demande non acceptée",
		"Demande accept",
		"Demandeacceptée",
		"Demande acceptées",
		"Demande acceptée.",
		"Demande accept\xc3\xa9",		/* no final e */
		"Demande accept\xff\xfe" "e",		/* invalid UTF-8 */
		"Demande accept\xc3" "e",			/* cut sequence */
		"Demande accept\xed\xa0\x80" "e",	/* surrogate */
		"Demande accept\xc3\xa9\xc0\xaf",	/* overlong '/' */
		"\xff",
		"",
		"   ",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (segur_label_is_accepted(others[i]))
			fail_msg("\"%s\" accepted", others[i]);
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

/* The label's fate on a line: its form changes nothing. */
static void
test_retour_label_form_on_a_line(void **state)
{
	struct segur_retour r;

	(void)state;
	/* NFD, upper case, no-break space: accepted. */
	parse1("\"numeroEditeur\":\"00001\",\"numeroASP\":\"X1\","
	    "\"codeTraitement\":\"0\",\"libelleTraitement\":"
	    "\" DEMANDE\u00a0ACCEPTE\u0301E \"", &r);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ACCEPTED);
	/* Verbatim: the label is kept as ASP wrote it. */
	assert_string_equal(r.lines[0].label,
	    " DEMANDE\xc2\xa0" "ACCEPTE\xcc\x81" "E ");
	segur_retour_release(&r);
	/* Not recognised, no numeroASP: a rejection. */
	parse1("\"numeroEditeur\":\"00001\",\"numeroASP\":null,"
	    "\"codeTraitement\":\"E1\",\"libelleTraitement\":"
	    "\"Demande accept\xff\xfe" "e\"", &r);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_REJECTED);
	segur_retour_release(&r);
	/* Not recognised, with a numeroASP: an anomaly. */
	parse1("\"numeroEditeur\":\"00001\",\"numeroASP\":\"X1\","
	    "\"codeTraitement\":\"0\",\"libelleTraitement\":"
	    "\"Demande accept\xff\xfe" "e\"", &r);
	assert_int_equal(r.lines[0].answer, SEGUR_ANSWER_ANOMALY);
	assert_non_null(strstr(r.lines[0].anomaly, "acceptation incertaine"));
	segur_retour_release(&r);
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
		cmocka_unit_test(test_retour_label_every_form_accepted),
		cmocka_unit_test(test_retour_label_others_not_accepted),
		cmocka_unit_test(test_retour_label_form_on_a_line),
		cmocka_unit_test(test_retour_example_one_accepted_one_rejected),
		cmocka_unit_test(test_retour_numbers_read_as_text),
		cmocka_unit_test(test_retour_anomalies_never_guessed),
		cmocka_unit_test(test_retour_structure_errors),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
