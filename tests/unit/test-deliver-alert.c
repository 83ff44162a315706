/*
 * test-deliver-alert.c: what an alert looks like on each channel: the
 * French text, the webhook and chat JSON, the e-mail (headers, RFC 2047
 * subject, quoted-printable body, CRLF) and digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "segur/alert.h"
#include "segur/error.h"
#include "segur/util.h"

/* 2026-11-27 13:34:52 UTC, a Friday. */
#define T0	1795786492

static void
make_rejection(struct segur_alert *a, const char *id)
{
	memset(a, 0, sizeof(*a));
	a->id = strdup(id);
	a->kind = strdup(SEGUR_ALERT_REJECTION);
	a->created = T0;
	a->facts = cJSON_Parse("{\"reference\":\"DEM-2023-0042\","
	    "\"numeroEditeur\":\"2023000042-0001\",\"finessOG\":\"750000001\","
	    "\"finessESMS\":\"750000019\",\"raisonSociale\":\"EHPAD Les "
	    "Tilleuls\",\"libelleASP\":\"FINESS géographique inconnu du "
	    "référentiel\",\"fichier\":\"JSON-2023000042-20231002-001."
	    "retour.json\"}");
	assert_non_null(a->id);
	assert_non_null(a->facts);
	assert_int_equal(segur_alert_compose(a), 0);
}

static void
test_alert_compose_french_text_a_person_can_act_on(void **state)
{
	struct segur_alert a;

	(void)state;
	make_rejection(&a, "alert-000123");
	assert_string_equal(a.subject,
	    "Ségur : demande DEM-2023-0042 rejetée par l'ASP");
	assert_non_null(strstr(a.body, "La demande DEM-2023-0042 a été "
	    "rejetée par l'ASP.\n"));
	assert_non_null(strstr(a.body,
	    "\nNuméro éditeur : 2023000042-0001\n"));
	assert_non_null(strstr(a.body,
	    "\nOG (FINESS juridique) : 750000001\n"));
	assert_non_null(strstr(a.body, "\nESMS (FINESS géographique) : "
	    "750000019\n"));
	assert_non_null(strstr(a.body, "\nMotif donné par l'ASP : FINESS "
	    "géographique inconnu du référentiel\n"));
	assert_non_null(strstr(a.body, "\nÀ faire : corriger la demande"));
	assert_int_equal(segur_alert_check(&a, NULL), 0);
	segur_alert_release(&a);
}

/* A numeroEditeur the ledger never sent is not called a request. */
static void
test_alert_compose_unknown_numero_editeur(void **state)
{
	struct segur_alert a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.id = strdup("alert-9");
	a.kind = strdup(SEGUR_ALERT_ANOMALY);
	a.facts = cJSON_CreateObject();
	cJSON_AddStringToObject(a.facts, SEGUR_ALERT_F_EDITEUR, "6XNVZ");
	cJSON_AddStringToObject(a.facts, SEGUR_ALERT_F_ANOMALY_KIND,
	    "unknown_numero_editeur");
	cJSON_AddStringToObject(a.facts, SEGUR_ALERT_F_ANOMALY,
	    "numeroEditeur 6XNVZ jamais envoyé par ce registre");
	assert_int_equal(segur_alert_compose(&a), 0);
	assert_string_equal(a.subject, "Ségur : anomalie sur le numéro "
	    "éditeur 6XNVZ inconnu du registre");
	assert_null(strstr(a.subject, "demande"));
	assert_non_null(strstr(a.body, "numéro éditeur 6XNVZ inconnu du "
	    "registre"));
	assert_non_null(strstr(a.body, "Anomalie : numeroEditeur 6XNVZ "
	    "jamais envoyé"));
	assert_null(strstr(a.body, "la demande 6XNVZ"));
	segur_alert_release(&a);
}

static void
test_alert_check_refuses_unsafe_ids(void **state)
{
	struct segur_alert a;
	char	*cause = NULL;

	(void)state;
	make_rejection(&a, "alert-1");
	free(a.id);
	/* The id goes into headers: no CR, LF, '.' or '>'. */
	a.id = strdup("alert-1\r\nBcc: x@y");
	assert_int_equal(segur_alert_check(&a, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "[A-Za-z0-9_-]"));
	free(a.id);
	a.id = strdup("alert-1");
	free(a.subject);
	a.subject = strdup("two\nlines");
	assert_int_equal(segur_alert_check(&a, &cause), SEGUR_EINVAL);
	free(cause);
	segur_alert_release(&a);
}

static void
test_alert_webhook_json_shape(void **state)
{
	struct segur_alert a;
	char	*s;
	cJSON	*j, *data;

	(void)state;
	make_rejection(&a, "alert-000123");
	assert_int_equal(segur_alert_webhook_json(&a, &s), 0);
	j = cJSON_Parse(s);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring,
	    "segur.alert.rejection");
	assert_string_equal(cJSON_GetObjectItem(j, "timestamp")->valuestring,
	    "2026-11-27T13:34:52Z");
	data = cJSON_GetObjectItem(j, "data");
	assert_string_equal(cJSON_GetObjectItem(data, "id")->valuestring,
	    "alert-000123");
	assert_string_equal(cJSON_GetObjectItem(data, "text")->valuestring,
	    a.body);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(data,
	    "facts"), "finessESMS")->valuestring, "750000019");
	cJSON_Delete(j);
	free(s);
	assert_int_equal(segur_alert_chat_json(&a, &s), 0);
	j = cJSON_Parse(s);
	assert_non_null(j);
	/* Only "text": the key every chat tool reads. */
	assert_int_equal(cJSON_GetArraySize(j), 1);
	assert_memory_equal(cJSON_GetObjectItem(j, "text")->valuestring,
	    "Ségur : demande DEM-2023-0042 rejetée par l'ASP\n\nLa demande",
	    strlen("Ségur : demande DEM-2023-0042 rejetée par l'ASP\n\n"
	    "La demande"));
	cJSON_Delete(j);
	free(s);
	segur_alert_release(&a);
}

static void
test_alert_rfc2047_words_are_short_and_whole(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const char	*p, *eol;

	(void)state;
	assert_int_equal(segur_alert_rfc2047(&b, "Plain ASCII", 9), 0);
	assert_string_equal(b.data, "Plain ASCII");
	b.len = 0;
	assert_int_equal(segur_alert_rfc2047(&b, "Ségur", 9), 0);
	/* base64("Ségur") */
	assert_string_equal(b.data, "=?UTF-8?B?U8OpZ3Vy?=");
	b.len = 0;
	/* 60 'é' (120 bytes): several words, each at most 75 characters,
	 * each holding whole characters (an even number of bytes). */
	for (int i = 0; i < 60; i++)
		assert_int_equal(segur_buf_adds(&b, "é"), 0);
	{
		char *long_subject = strdup(b.data);

		b.len = 0;
		assert_int_equal(segur_alert_rfc2047(&b, long_subject, 9), 0);
		free(long_subject);
	}
	for (p = b.data; *p != '\0'; p = *eol != '\0' ? eol + 2 : eol) {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if (p != b.data) {
			assert_int_equal(*p, ' ');
			p++;
		}
		assert_true(eol - p <= 75);
		assert_memory_equal(p, "=?UTF-8?B?", 10);
		assert_memory_equal(eol - 2, "?=", 2);
		/* Whole 'é' only: an even number of decoded bytes. */
		{
			size_t n = (size_t)(eol - 2 - (p + 10));

			n = n / 4 * 3 - (eol[-3] == '=') - (eol[-4] == '=');
			assert_int_equal(n % 2, 0);
		}
	}
	segur_buf_release(&b);
}

static void
test_alert_qp_encodes_and_wraps(void **state)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	char	 line[200];

	(void)state;
	assert_int_equal(segur_alert_qp(&b, "À faire = x \n.point\n"), 0);
	assert_string_equal(b.data, "=C3=80 faire =3D x=20\r\n.point\r\n");
	b.len = 0;
	memset(line, 'a', 150);
	line[150] = '\0';
	assert_int_equal(segur_alert_qp(&b, line), 0);
	/* 75 characters, a '=' soft break, the 75 others, CRLF. */
	assert_int_equal(b.len, 75 + 3 + 75 + 2);
	assert_memory_equal(b.data + 75, "=\r\n", 3);
	segur_buf_release(&b);
}

static void
test_alert_mail_message(void **state)
{
	struct segur_alert a;
	const char *to[] = { "ops@example.org", "dir@example.org" };
	char	*m, *cause = NULL, *p;
	size_t	 len;

	(void)state;
	make_rejection(&a, "alert-000123");
	assert_int_equal(segur_alert_mail(&a, "segurd@editeur.example", to, 2,
	    &m, &len, NULL), 0);
	assert_int_equal(strlen(m), len);
	assert_memory_equal(m, "Date: Fri, 27 Nov 2026 13:34:52 +0000\r\n",
	    39);
	assert_non_null(strstr(m, "\r\nFrom: segurd <segurd@editeur.example>"
	    "\r\nTo: <ops@example.org>,\r\n <dir@example.org>\r\n"));
	assert_non_null(strstr(m, "\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(m, "\r\nMessage-ID: <alert-000123@editeur."
	    "example>\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Type: text/plain; "
	    "charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable"
	    "\r\n"));
	assert_non_null(strstr(m, "\r\n\r\nLa demande DEM-2023-0042 a "
	    "=C3=A9t=C3=A9 rejet=C3=A9e par l'ASP.\r\n"));
	/* Every line ends in CRLF: no bare LF, no bare CR. */
	for (p = m; (p = strchr(p, '\n')) != NULL; p++)
		assert_int_equal(p[-1], '\r');
	for (p = m; (p = strchr(p, '\r')) != NULL; p++)
		assert_int_equal(p[1], '\n');
	assert_memory_equal(m + len - 2, "\r\n", 2);
	free(m);
	/* A header injection through an address is refused. */
	to[1] = "x@y>\r\nBcc: <z@w";
	assert_int_equal(segur_alert_mail(&a, "segurd@editeur.example", to, 2,
	    &m, &len, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "destinataire"));
	free(cause);
	segur_alert_release(&a);
}

static void
test_alert_digest_groups_and_has_a_stable_id(void **state)
{
	struct segur_alert a[3], d, d2;
	const struct segur_alert *list[3] = { &a[0], &a[1], &a[2] };
	cJSON	*items;

	(void)state;
	make_rejection(&a[0], "alert-1");
	make_rejection(&a[1], "alert-2");
	memset(&a[2], 0, sizeof(a[2]));
	a[2].id = strdup("alert-3");
	a[2].kind = strdup(SEGUR_ALERT_ANOMALY);
	a[2].created = T0 + 60;
	assert_int_equal(segur_alert_compose(&a[2]), 0);
	assert_int_equal(segur_alert_digest(list, 3, T0 + 900, &d, NULL), 0);
	assert_string_equal(d.kind, "digest");
	assert_string_equal(d.subject,
	    "Ségur : 3 alertes (2 rejets, 1 anomalie)");
	assert_int_equal(strncmp(d.id, "digest-", 7), 0);
	assert_int_equal(strlen(d.id), 7 + 16);
	assert_int_equal(segur_alert_check(&d, NULL), 0);
	assert_non_null(strstr(d.body, "\n1. Ségur : demande DEM-2023-0042 "
	    "rejetée par l'ASP\n   (alert-1, 27/11/2026 13:34 UTC)\n   La "
	    "demande"));
	assert_non_null(strstr(d.body, "\n3. Ségur : anomalie (sans "
	    "référence)\n"));
	items = cJSON_GetObjectItem(d.facts, "alerts");
	assert_int_equal(cJSON_GetArraySize(items), 3);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 2),
	    "id")->valuestring, "alert-3");
	/* The same alerts give the same id; others another. */
	assert_int_equal(segur_alert_digest(list, 3, T0 + 1800, &d2, NULL), 0);
	assert_string_equal(d.id, d2.id);
	segur_alert_release(&d2);
	assert_int_equal(segur_alert_digest(list, 2, T0 + 1800, &d2, NULL), 0);
	assert_string_not_equal(d.id, d2.id);
	assert_string_equal(d2.subject, "Ségur : 2 alertes (2 rejets)");
	segur_alert_release(&d2);
	segur_alert_release(&d);
	for (int i = 0; i < 3; i++)
		segur_alert_release(&a[i]);
}

/* An amount in the facts (euros, as the guide writes them) is shown the
 * French way; a fact that is no amount is left out. */
static void
test_alert_amount_in_french(void **state)
{
	struct segur_alert a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.id = strdup("alert-7");
	a.kind = strdup(SEGUR_ALERT_REMINDER);
	a.facts = cJSON_Parse("{\"reference\":\"BC-1\","
	    "\"montantSegurHT\":13140}");
	assert_int_equal(segur_alert_compose(&a), 0);
	assert_non_null(strstr(a.body, "\nMontant Ségur HT : "
	    "13\xe2\x80\xaf" "140,00 €\n"));
	segur_alert_release(&a);
	memset(&a, 0, sizeof(a));
	a.kind = strdup(SEGUR_ALERT_REMINDER);
	a.facts = cJSON_Parse("{\"reference\":\"BC-1\","
	    "\"montantSegurHT\":\"beaucoup\"}");
	assert_int_equal(segur_alert_compose(&a), 0);
	assert_null(strstr(a.body, "Montant"));
	segur_alert_release(&a);
}

/* The chain head: its day as JJ/MM/AAAA, its last event's time in UTC
 * and saying so, whatever TZ the daemon runs under; a digest's time too. */
static void
test_alert_times_are_french_and_utc(void **state)
{
	struct segur_alert a, d;
	const struct segur_alert *list[1] = { &a };
	char	*old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "UTC-11", 1);
	tzset();
	memset(&a, 0, sizeof(a));
	a.id = strdup("alert-9");
	a.kind = strdup(SEGUR_ALERT_HEAD);
	a.created = T0;
	a.facts = cJSON_Parse("{\"date\":\"2026-11-27\",\"empreinte\":"
	    "\"ab12\",\"evenements\":\"42\",\"dernier\":"
	    "\"2026-11-27T23:05:09.125Z\"}");
	assert_non_null(a.facts);
	assert_int_equal(segur_alert_compose(&a), 0);
	assert_string_equal(a.subject,
	    "Ségur : empreinte du registre du 27/11/2026");
	assert_non_null(strstr(a.body, "  42 événement(s), le dernier le "
	    "27/11/2026 23:05 UTC\n"));
	assert_int_equal(segur_alert_digest(list, 1, T0, &d, NULL), 0);
	assert_non_null(strstr(d.body, "1 alerte réunie dans ce message "
	    "(27/11/2026 13:34 UTC).\n"));
	segur_alert_release(&d);
	segur_alert_release(&a);
	/* A time that is none is shown as it is, never as a wrong date. */
	memset(&a, 0, sizeof(a));
	a.kind = strdup(SEGUR_ALERT_HEAD);
	a.facts = cJSON_Parse("{\"dernier\":\"hier\"}");
	assert_int_equal(segur_alert_compose(&a), 0);
	assert_non_null(strstr(a.body, ", le dernier le hier\n"));
	assert_non_null(strstr(a.subject, "registre du jour"));
	segur_alert_release(&a);
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_alert_compose_french_text_a_person_can_act_on),
		cmocka_unit_test(test_alert_compose_unknown_numero_editeur),
		cmocka_unit_test(test_alert_check_refuses_unsafe_ids),
		cmocka_unit_test(test_alert_webhook_json_shape),
		cmocka_unit_test(test_alert_rfc2047_words_are_short_and_whole),
		cmocka_unit_test(test_alert_qp_encodes_and_wraps),
		cmocka_unit_test(test_alert_mail_message),
		cmocka_unit_test(test_alert_digest_groups_and_has_a_stable_id),
		cmocka_unit_test(test_alert_times_are_french_and_utc),
		cmocka_unit_test(test_alert_amount_in_french),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
