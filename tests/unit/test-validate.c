/*
 * test-validate.c: the validator's API, control 1 (structure) and the file
 * header. Line rules are in test-validate-rules.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/util.h"
#include "segur/validate.h"
#include "validate-cases.h"

static void
test_validate_examples_are_clean(void **state)
{
	struct segur_report r;

	(void)state;
	tv_run(EX_FILE, NULL, 0, NULL, &r);
	if (r.nfindings != 0)
		tv_dump(EX_FILE, &r);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(r.structure_ok, 1);
	assert_int_equal(r.lines, 2);
	segur_report_release(&r);

	tv_run(EX_RETURNED, NULL, SEGUR_VALIDATE_RETURNED, NULL, &r);
	if (r.nfindings != 0)
		tv_dump(EX_RETURNED, &r);
	assert_int_equal(r.nfindings, 0);
	segur_report_release(&r);

	/* The same file in submission mode: ASP's values are errors. */
	tv_run(EX_RETURNED, NULL, 0, NULL, &r);
	assert_int_equal(tv_count(&r, "FICHIER-IMPID", "impId"), 1);
	assert_int_equal(tv_count(&r, "LIGNE-NUMERO-ASP",
	    "lignesImport[0].numeroASP"), 1);
	assert_int_equal(tv_count(&r, "LIGNE-CODE-TRAITEMENT", NULL), 2);
	assert_int_equal(tv_count(&r, "LIGNE-LIBELLE-TRAITEMENT", NULL), 2);
	segur_report_release(&r);
}

static void
test_validate_rule_table_is_consistent(void **state)
{
	const struct segur_rule *t, *r;
	size_t	 n, i, j;

	(void)state;
	t = segur_validate_rules(&n);
	assert_true(n > 60);
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].id);
		assert_true(strlen(t[i].summary) > 10);
		assert_true(strlen(t[i].source) > 3);
		r = segur_validate_rule(t[i].id);
		assert_ptr_equal(r, &t[i]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(t[i].id, t[j].id);
		/* Structure rules are errors: control 1 rejects a file. */
		if (t[i].scope == SEGUR_SCOPE_STRUCTURE)
			assert_int_equal(t[i].severity, SEGUR_SEV_ERROR);
	}
	assert_null(segur_validate_rule("NO-SUCH-RULE"));
	assert_null(segur_validate_rule(NULL));
	assert_int_equal(segur_validate_rule("JSON-CLE-INCONNUE")->severity,
	    SEGUR_SEV_WARNING);
}

static void
test_validate_report_release_is_safe(void **state)
{
	struct segur_report r;

	(void)state;
	memset(&r, 0, sizeof(r));
	segur_report_release(&r);
	segur_report_release(NULL);
	tv_bytes("[]", 2, 0, &r);
	assert_int_equal(r.nfindings, 1);
	segur_report_release(&r);
	assert_null(r.findings);
	assert_int_equal(r.nfindings, 0);
	segur_report_release(&r);
}

/* Asserts that buf gives exactly one structure error of rule. */
static void
expect_structure(const char *buf, size_t len, size_t max, const char *rule)
{
	struct segur_report r;

	tv_bytes(buf, len, max, &r);
	if (r.nfindings != 1 || strcmp(r.findings[0].rule->id, rule) != 0)
		tv_dump(rule, &r);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(r.findings[0].rule->id, rule);
	assert_int_equal(r.findings[0].severity, SEGUR_SEV_ERROR);
	assert_null(r.findings[0].path);
	assert_int_equal(r.findings[0].line, -1);
	assert_int_equal(r.findings[0].numLigne, -1);
	assert_true(strlen(r.findings[0].message) > 20);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.structure_ok, 0);
	assert_int_equal(r.lines, -1);
	segur_report_release(&r);
}

static void
test_validate_structure_empty_truncated_not_json(void **state)
{
	char	*ex;
	size_t	 len;

	(void)state;
	expect_structure("", 0, 0, "STRUCT-JSON");
	expect_structure(" \n\t\r\n", 5, 0, "STRUCT-JSON");
	ex = helper_read_data(EX_FILE, &len);
	expect_structure(ex, len / 2, 0, "STRUCT-JSON");
	expect_structure(ex, len - 2, 0, "STRUCT-JSON");
	free(ex);
	expect_structure("impId;numeroAns\n1;2\n", 20, 0, "STRUCT-JSON");
	expect_structure("{\"a\": 1} x", 10, 0, "STRUCT-JSON");
	expect_structure("{\"a\": 1,}", 9, 0, "STRUCT-JSON");
	/* Numbers cJSON would accept but JSON does not. */
	expect_structure("{\"a\": 01}", 9, 0, "STRUCT-JSON");
	expect_structure("{\"a\": 1.}", 9, 0, "STRUCT-JSON");
	expect_structure("{\"a\": -}", 8, 0, "STRUCT-JSON");
	/* A raw tab inside a text. */
	expect_structure("{\"a\": \"x\ty\"}", 12, 0, "STRUCT-JSON");
	expect_structure("[1, 2]", 6, 0, "STRUCT-RACINE");
	expect_structure("\"texte\"", 7, 0, "STRUCT-RACINE");
}

/*
 * Structure mode judges the file, not its lines, and hands its parse over
 * to the caller, who then needs no second parse (ingestion).
 */
static void
test_validate_structure_mode_hands_the_tree_over(void **state)
{
	struct segur_validate_opts o;
	struct segur_report r;
	cJSON	*tree = NULL;
	char	*ex;
	size_t	 len;

	(void)state;
	ex = helper_read_data(EX_RETURNED, &len);
	memset(&o, 0, sizeof(o));
	o.flags = SEGUR_VALIDATE_STRUCTURE;	/* not --returned: ASP's
						   values would be errors */
	o.tree = &tree;
	assert_int_equal(segur_validate_buffer(ex, len, &o, &r), 0);
	assert_int_equal(r.structure_ok, 1);
	assert_int_equal(r.lines, 2);
	assert_int_equal(r.nfindings, 0);
	segur_report_release(&r);
	assert_non_null(tree);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
	    tree, "lignesImport")), 2);
	cJSON_Delete(tree);

	/* A file cut short: no tree (set to NULL over any old value). */
	tree = (cJSON *)&o;
	assert_int_equal(segur_validate_buffer(ex, len / 2, &o, &r), 0);
	assert_int_equal(r.structure_ok, 0);
	assert_null(tree);
	segur_report_release(&r);
	free(ex);
}

static void
test_validate_structure_size_limit_before_parsing(void **state)
{
	char	*ex;
	size_t	 len;

	(void)state;
	ex = helper_read_data(EX_FILE, &len);
	expect_structure(ex, len, len - 1, "STRUCT-TAILLE");
	free(ex);
	/* The buffer is not read at all: NULL is fine past the limit. */
	expect_structure(NULL, (size_t)SEGUR_VALIDATE_MAX_BYTES + 1, 0,
	    "STRUCT-TAILLE");
}

static void
test_validate_structure_deep_nesting(void **state)
{
	char	 buf[2 * 5000 + 1];
	size_t	 i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		buf[i] = '[';
		buf[5000 + i] = ']';
	}
	expect_structure(buf, 10000, 0, "STRUCT-PROFONDEUR");
	/* Unclosed nesting is reported as depth too, before parsing. */
	expect_structure(buf, 5000, 0, "STRUCT-PROFONDEUR");
}

static void
test_validate_structure_encoding(void **state)
{
	static const char latin1[] = "{\"impId\": null, \"numeroAns\": "
	    "\"LEF\xC8VRE\"}";
	static const char overlong[] = "{\"a\": \"\xC0\xAF\"}";
	static const char surrogate[] = "{\"a\": \"\xED\xA0\x80\"}";
	static const char cut[] = "{\"a\": \"\xE2\x82";
	static const char nul[] = "{\"a\": \"x\0y\"}";
	static const char bom[] = "\xEF\xBB\xBF{\"a\": 1}";
	static const char esc0[] = "{\"a\": \"x\\u0000y\"}";
	char	*ex, *p;
	size_t	 len;

	(void)state;
	expect_structure(latin1, sizeof(latin1) - 1, 0, "STRUCT-UTF8");
	expect_structure(overlong, sizeof(overlong) - 1, 0, "STRUCT-UTF8");
	expect_structure(surrogate, sizeof(surrogate) - 1, 0, "STRUCT-UTF8");
	expect_structure(cut, sizeof(cut) - 1, 0, "STRUCT-UTF8");
	expect_structure(nul, sizeof(nul) - 1, 0, "STRUCT-NUL");
	expect_structure(bom, sizeof(bom) - 1, 0, "STRUCT-BOM");
	expect_structure(esc0, sizeof(esc0) - 1, 0, "STRUCT-NUL");

	/* The example saved in Windows-1252: "È" of LEFÈVRE as 0xC8. */
	ex = helper_read_data(EX_FILE, &len);
	p = strstr(ex, "LEF\xC3\x88VRE");
	assert_non_null(p);
	p[3] = (char)0xC8;
	memmove(p + 4, p + 5, len - (size_t)(p + 5 - ex) + 1);
	expect_structure(ex, len - 1, 0, "STRUCT-UTF8");
	free(ex);
}

static void
test_validate_structure_header_keys(void **state)
{
	struct segur_report r;
	const char *miss[] = { "-SIRET", "-impId", NULL };
	const char *notarray[] = { "lignesImport={}", NULL };
	const char *wrongcase[] = { "-SIRET", "Siret=\"38042372300028\"",
		NULL };

	(void)state;
	tv_run(EX_FILE, miss, 0, NULL, &r);
	assert_int_equal(r.nfindings, 2);
	assert_int_equal(tv_count(&r, "STRUCT-ENTETE", ""), 2);
	assert_non_null(strstr(r.findings[0].message, "\"impId\""));
	assert_int_equal(r.structure_ok, 0);
	segur_report_release(&r);

	tv_run(EX_FILE, notarray, 0, NULL, &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(tv_count(&r, "STRUCT-LIGNES", ""), 1);
	segur_report_release(&r);

	tv_run(EX_FILE, wrongcase, 0, NULL, &r);
	assert_int_equal(tv_count(&r, "STRUCT-ENTETE", ""), 1);
	segur_report_release(&r);
}

/* One edit of the example; asserts the finding (rule, path) appears. */
static void
expect_finding(const char *edit, const char *rule, const char *path)
{
	struct segur_report r;
	const char *edits[] = { edit, NULL };

	tv_run(EX_FILE, edit != NULL ? edits : NULL, 0, NULL, &r);
	if (tv_count(&r, rule, path) != 1)
		tv_dump(edit, &r);
	assert_int_equal(tv_count(&r, rule, path), 1);
	assert_int_equal(r.structure_ok, 1);
	segur_report_release(&r);
}

static void
test_validate_header_values(void **state)
{
	(void)state;
	expect_finding("impId=\"IMP-1\"", "FICHIER-IMPID", "impId");
	expect_finding("impId=12", "FICHIER-IMPID", "impId");
	expect_finding("numeroAns=\"202300004\"", "FICHIER-NUMERO-ANS",
	    "numeroAns");
	expect_finding("numeroAns=2023000042", "FICHIER-NUMERO-ANS",
	    "numeroAns");
	expect_finding("numeroAns=null", "FICHIER-NUMERO-ANS", "numeroAns");
	expect_finding("numeroAns=\"          \"", "FICHIER-NUMERO-ANS",
	    "numeroAns");
	expect_finding("SIRET=\"3804237230002\"", "FICHIER-SIRET", "SIRET");
	expect_finding("SIRET=\"3804237230002A\"", "FICHIER-SIRET", "SIRET");
	expect_finding("SIRET=38042372300028", "FICHIER-SIRET", "SIRET");
	expect_finding("SIRET=\"38042372300029\"", "FICHIER-SIRET-CLE",
	    "SIRET");
	expect_finding("lignesImport=[]", "FICHIER-NB-LIGNES",
	    "lignesImport");
}

static void
test_validate_header_siret_la_poste(void **state)
{
	struct segur_report r;
	/* La Poste: digits add up to a multiple of 5, Luhn fails. */
	const char *poste[] = { "SIRET=\"35600000000001\"", NULL };

	(void)state;
	tv_run(EX_FILE, poste, 0, NULL, &r);
	assert_int_equal(r.nfindings, 0);
	segur_report_release(&r);
	expect_finding("SIRET=\"35600000000103\"", "FICHIER-SIRET-CLE",
	    "SIRET");
}

static void
test_validate_header_more_than_200_lines(void **state)
{
	struct segur_report r;
	struct segur_validate_opts opts;
	cJSON	*root, *lines, *line;
	char	*ex, *json, num[8];
	int	 i;

	(void)state;
	ex = helper_read_data(EX_FILE, NULL);
	root = cJSON_Parse(ex);
	free(ex);
	assert_non_null(root);
	lines = cJSON_GetObjectItem(root, "lignesImport");
	for (i = 2; i < 201; i++) {
		line = cJSON_Duplicate(cJSON_GetArrayItem(lines, 0), 1);
		cJSON_ReplaceItemInObject(line, "numLigne",
		    cJSON_CreateNumber(i + 1));
		snprintf(num, sizeof(num), "%05d", i + 1);
		cJSON_ReplaceItemInObject(line, "numeroEditeur",
		    cJSON_CreateString(num));
		cJSON_AddItemToArray(lines, line);
	}
	json = cJSON_Print(root);
	cJSON_Delete(root);
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(segur_validate_buffer(json, strlen(json), &opts, &r),
	    0);
	free(json);
	assert_int_equal(r.lines, 201);
	assert_int_equal(tv_count(&r, "FICHIER-NB-LIGNES", "lignesImport"), 1);
	assert_int_equal(r.findings[0].line, -1);
	/* Copies keep line 1's PJ names: each later line has that error. */
	assert_int_equal(tv_count(&r, "PJ-NOM-NUMERO-EDITEUR", NULL), 199);
	segur_report_release(&r);
}

static void
test_validate_file_name(void **state)
{
	static const struct {
		const char *name;
		const char *rule;	/* NULL: clean */
	} cases[] = {
		{ "JSON-2023000042-20231002-001.json", NULL },
		{ "/tmp/x/JSON-2023000042-20240229-999.json", NULL },
		{ "JSON-2023000042-20231002-1.json", "FICHIER-NOM" },
		{ "JSON-2023000042-20231002-001.JSON", "FICHIER-NOM" },
		{ "json-2023000042-20231002-001.json", "FICHIER-NOM" },
		{ "JSON-2023000042-20230229-001.json", "FICHIER-NOM" },
		{ "JSON-2023000042-20231302-001.json", "FICHIER-NOM" },
		{ "JSON-2023000042-20231002-000.json", "FICHIER-NOM" },
		{ "JSON-20231002-001.json", "FICHIER-NOM" },
		{ "demande.json", "FICHIER-NOM" },
		{ "JSON-2023000043-20231002-001.json", "FICHIER-NOM-ANS" },
	};
	struct segur_validate_opts opts;
	struct segur_report r;
	char	*ex;
	size_t	 len, i;

	(void)state;
	ex = helper_read_data(EX_FILE, &len);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&opts, 0, sizeof(opts));
		opts.filename = cases[i].name;
		assert_int_equal(segur_validate_buffer(ex, len, &opts, &r), 0);
		if (r.nfindings != (cases[i].rule != NULL))
			tv_dump(cases[i].name, &r);
		if (cases[i].rule == NULL)
			assert_int_equal(r.nfindings, 0);
		else {
			assert_int_equal(r.nfindings, 1);
			assert_string_equal(r.findings[0].rule->id,
			    cases[i].rule);
			assert_null(r.findings[0].path);
			assert_int_equal(r.findings[0].line, -1);
		}
		segur_report_release(&r);
	}
	free(ex);
}

static void
test_validate_request_mode(void **state)
{
	struct segur_validate_opts opts;
	struct segur_report r;
	cJSON	*root, *line;
	char	*ex, *json;
	const char *edits[] = { "-numLigne", "-numeroEditeur", "-numeroASP",
		"-codeTraitement", "libelleTraitement=null",
		"piecesJustificatives[0].nomFichier=null",
		"-piecesJustificatives[1].nomFichier", NULL };
	const char *bad[] = { "commande.regimeTVA=\"ttc\"", NULL };

	(void)state;
	ex = helper_read_data(EX_FILE, NULL);
	root = cJSON_Parse(ex);
	free(ex);
	line = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "lignesImport"),
	    1);
	json = cJSON_Print(line);
	cJSON_Delete(root);
	memset(&opts, 0, sizeof(opts));

	/* The line as it is: clean. */
	assert_int_equal(segur_validate_request(json, strlen(json), &opts,
	    &r), 0);
	if (r.nfindings != 0)
		tv_dump("request", &r);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(r.lines, 1);
	segur_report_release(&r);

	/* Build-time fields absent or null: still clean. */
	ex = helper_json_mutate(json, edits);
	assert_int_equal(segur_validate_request(ex, strlen(ex), &opts, &r), 0);
	if (r.nfindings != 0)
		tv_dump("request draft", &r);
	assert_int_equal(r.nfindings, 0);
	segur_report_release(&r);
	free(ex);

	/* Paths are relative to the object; line is 0. */
	ex = helper_json_mutate(json, bad);
	assert_int_equal(segur_validate_request(ex, strlen(ex), &opts, &r), 0);
	assert_int_equal(tv_count(&r, "COMMANDE-REGIME-TVA",
	    "commande.regimeTVA"), 1);
	assert_int_equal(r.findings[0].line, 0);
	assert_int_equal(r.findings[0].numLigne, 2);
	segur_report_release(&r);
	free(ex);
	free(json);

	/* Not an object. */
	assert_int_equal(segur_validate_request("[]", 2, &opts, &r), 0);
	assert_int_equal(tv_count(&r, "STRUCT-RACINE", ""), 1);
	segur_report_release(&r);
}

static void
test_validate_first_error_mode(void **state)
{
	struct segur_report r;
	const char *edits[] = {
		"lignesImport[1].commande.regimeTVA=\"ttc\"",
		"lignesImport[1].typeAction=\"M\"",
		"lignesImport[1].scenarioInstallation[0].IsRefSoins=null",
		"lignesImport[0].numeroEditeur=\"0001\"",
		"SIRET=\"38042372300029\"",
		NULL
	};

	(void)state;
	tv_run(EX_FILE, edits, 0, NULL, &r);
	assert_int_equal(r.nerrors, 4);
	segur_report_release(&r);

	tv_run(EX_FILE, edits, SEGUR_VALIDATE_FIRST_ERROR, NULL, &r);
	/* One error per line, the first in the guide's order. */
	assert_int_equal(r.nerrors, 2);
	assert_int_equal(tv_count(&r, "LIGNE-NUMERO-EDITEUR",
	    "lignesImport[0].numeroEditeur"), 1);
	assert_int_equal(tv_count(&r, "LIGNE-TYPE-ACTION",
	    "lignesImport[1].typeAction"), 1);
	/* Warnings are all kept. */
	assert_int_equal(tv_count(&r, "FICHIER-SIRET-CLE", "SIRET"), 1);
	segur_report_release(&r);
}

static void
test_validate_report_keeps_at_most_10000_findings(void **state)
{
	struct segur_validate_opts opts;
	struct segur_report r;
	struct segur_buf b = SEGUR_BUF_INIT;
	char	*ex;
	size_t	 len;
	int	 i;

	(void)state;
	/* 12 000 unknown header keys, then an error in a line. */
	ex = helper_read_data(EX_FILE, &len);
	assert_int_equal(segur_buf_adds(&b, "{"), 0);
	for (i = 0; i < 12000; i++)
		assert_int_equal(segur_buf_addf(&b, "\"x%d\": 0, ", i), 0);
	assert_int_equal(segur_buf_add(&b, ex + 1, len - 1), 0);
	free(ex);
	ex = strstr(b.data, "\"typeAction\": \"C\"");
	assert_non_null(ex);
	ex[15] = 'X';
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(segur_validate_buffer(b.data, b.len, &opts, &r), 0);
	segur_buf_release(&b);
	assert_int_equal(r.nfindings, 10001);
	assert_string_equal(r.findings[10000].rule->id, "RAPPORT-TRONQUE");
	assert_null(r.findings[10000].path);
	assert_int_equal(r.nwarnings, 12001);
	/* The error past the limit still makes the file invalid. */
	assert_int_equal(r.nerrors, 1);
	segur_report_release(&r);
}

static void
test_validate_findings_fit_on_one_line(void **state)
{
	struct segur_report r;
	char	 key[2000];
	char	 edit[2100];
	const char *edits[] = { "lignesImport[0].a\nb=1",
		"lignesImport[1].beneficiaires.nomMandataire=\"A\\nb\"", edit,
		NULL };
	size_t	 i;

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	snprintf(edit, sizeof(edit), "lignesImport[0].%s=2", key);
	tv_run(EX_FILE, edits, 0, NULL, &r);
	assert_int_equal(r.nfindings, 3);
	for (i = 0; i < r.nfindings; i++) {
		assert_null(strchr(r.findings[i].message, '\n'));
		assert_null(strchr(r.findings[i].path, '\n'));
		assert_true(strlen(r.findings[i].message) < 400);
		assert_true(strlen(r.findings[i].path) < 200);
	}
	assert_int_equal(tv_count(&r, "JSON-CLE-INCONNUE",
	    "lignesImport[0].a\\nb"), 1);
	assert_non_null(strstr(r.findings[2].message, "\"A\\nb\""));
	segur_report_release(&r);
}

static void
test_validate_numbers_keep_their_text_in_any_key_order(void **state)
{
	struct segur_validate_opts opts;
	struct segur_report r;
	cJSON	*root, *l;
	char	*ex, *json;

	(void)state;
	/* lignesImport first, numbers before and after it. */
	ex = helper_read_data(EX_FILE, NULL);
	root = cJSON_Parse(ex);
	free(ex);
	l = cJSON_DetachItemFromObject(root, "lignesImport");
	cJSON_AddItemToObject(root, "avant", cJSON_CreateRaw("[1.50, -2e3]"));
	cJSON_AddItemToObject(root, "lignesImport", l);
	cJSON_DeleteItemFromObject(root, "SIRET");
	cJSON_AddItemToObject(root, "SIRET", cJSON_CreateRaw("3.8042372300028e13"));
	cJSON_DeleteItemFromObject(root, "impId");
	cJSON_AddItemToObject(root, "impId", cJSON_CreateRaw("731.0"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetArrayItem(l, 1),
	    "commande"), "montantSegurHT", cJSON_CreateRaw("5840.001"));
	json = cJSON_Print(root);
	cJSON_Delete(root);
	memset(&opts, 0, sizeof(opts));
	opts.flags = SEGUR_VALIDATE_RETURNED;
	assert_int_equal(segur_validate_buffer(json, strlen(json), &opts, &r),
	    0);
	free(json);
	if (r.nfindings != 3)
		tv_dump("key order", &r);
	assert_int_equal(r.nfindings, 3);
	assert_int_equal(tv_count(&r, "JSON-CLE-INCONNUE", "avant"), 1);
	assert_int_equal(tv_count(&r, "FICHIER-SIRET", "SIRET"), 1);
	assert_non_null(strstr(r.findings[1].message, "3.8042372300028e13"));
	assert_int_equal(tv_count(&r, "COMMANDE-MONTANT",
	    "lignesImport[1].commande.montantSegurHT"), 1);
	assert_non_null(strstr(r.findings[2].message, "5840.001"));
	segur_report_release(&r);
}

/* Structure verdict on {"k": "<prefix><special><suffix>"} (request mode). */
static const char *
verdict_for(const char *special, size_t at, size_t total)
{
	static char rule[32];
	struct segur_validate_opts opts;
	struct segur_report r;
	char	 buf[128];
	size_t	 n = 0, i;

	n += (size_t)snprintf(buf, sizeof(buf), "{\"k\": \"");
	for (i = 0; i < at; i++)
		buf[n++] = 'a';
	memcpy(buf + n, special, strlen(special));
	n += strlen(special);
	for (i = at; i < total; i++)
		buf[n++] = 'b';
	buf[n++] = '"';
	buf[n++] = '}';
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(segur_validate_request(buf, n, &opts, &r), 0);
	snprintf(rule, sizeof(rule), "%s", r.structure_ok ? "ok" :
	    r.findings[0].rule->id);
	segur_report_release(&r);
	return (rule);
}

static void
test_validate_prescan_at_every_alignment(void **state)
{
	size_t	 at, total;

	(void)state;
	/* Specials at every position of texts of 0 to 24 bytes, so that
	 * the word-at-a-time scan meets them in every lane. */
	for (total = 0; total <= 24; total++) {
		for (at = 0; at <= total; at++) {
			assert_string_equal(verdict_for("\\\"", at, total),
			    "ok");
			assert_string_equal(verdict_for("\\\\", at, total),
			    "ok");
			assert_string_equal(verdict_for("\xC3\xA9", at,
			    total), "ok");
			assert_string_equal(verdict_for("\xF0\x9F\x98\x80",
			    at, total), "ok");
			assert_string_equal(verdict_for("\x7F", at, total),
			    "ok");
			assert_string_equal(verdict_for("\x01", at, total),
			    "STRUCT-JSON");
			assert_string_equal(verdict_for("\t", at, total),
			    "STRUCT-JSON");
			assert_string_equal(verdict_for("\xE9", at, total),
			    "STRUCT-UTF8");
			assert_string_equal(verdict_for("\xC3", at, total),
			    "STRUCT-UTF8");
			assert_string_equal(verdict_for("\\u0000", at, total),
			    "STRUCT-NUL");
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_examples_are_clean),
		cmocka_unit_test(test_validate_rule_table_is_consistent),
		cmocka_unit_test(test_validate_report_release_is_safe),
		cmocka_unit_test(
		    test_validate_structure_mode_hands_the_tree_over),
		cmocka_unit_test(
		    test_validate_structure_empty_truncated_not_json),
		cmocka_unit_test(
		    test_validate_structure_size_limit_before_parsing),
		cmocka_unit_test(test_validate_structure_deep_nesting),
		cmocka_unit_test(test_validate_structure_encoding),
		cmocka_unit_test(test_validate_structure_header_keys),
		cmocka_unit_test(test_validate_header_values),
		cmocka_unit_test(test_validate_header_siret_la_poste),
		cmocka_unit_test(test_validate_header_more_than_200_lines),
		cmocka_unit_test(test_validate_file_name),
		cmocka_unit_test(test_validate_request_mode),
		cmocka_unit_test(test_validate_first_error_mode),
		cmocka_unit_test(
		    test_validate_report_keeps_at_most_10000_findings),
		cmocka_unit_test(test_validate_findings_fit_on_one_line),
		cmocka_unit_test(
		    test_validate_numbers_keep_their_text_in_any_key_order),
		cmocka_unit_test(test_validate_prescan_at_every_alignment),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
