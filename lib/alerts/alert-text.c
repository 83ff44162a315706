/*
 * alert-text.c: alerts rendered as webhook JSON, chat text, e-mail and
 * digests, in French.
 *
 * Times are shown in UTC and say so: the daemon may run under any TZ and
 * a reader must not have to guess which one.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "segur/alert.h"
#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/util.h"

/* RFC 5322 wants English names whatever the locale. */
static const char *const wdays[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

void
segur_alert_release(struct segur_alert *a)
{
	free(a->id);
	free(a->kind);
	free(a->subject);
	free(a->body);
	cJSON_Delete(a->facts);
	memset(a, 0, sizeof(*a));
}

int
segur_alert_check(const struct segur_alert *a, char **cause)
{
	const char	*p;

	if (a->id == NULL || *a->id == '\0' || strlen(a->id) > 200)
		return segur_cause(cause, SEGUR_EINVAL, "alerte sans "
		    "identifiant");
	for (p = a->id; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return segur_cause(cause, SEGUR_EINVAL, "identifiant "
			    "d'alerte « %s » : caractères hors de "
			    "[A-Za-z0-9_-]", a->id);
	if (a->kind == NULL || *a->kind == '\0')
		return segur_cause(cause, SEGUR_EINVAL, "alerte %s sans "
		    "type", a->id);
	for (p = a->kind; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return segur_cause(cause, SEGUR_EINVAL, "alerte %s : "
			    "type « %s » qui n'est pas un mot", a->id, a->kind);
	if (a->subject == NULL || a->body == NULL)
		return segur_cause(cause, SEGUR_EINVAL, "alerte %s sans "
		    "objet ou sans texte", a->id);
	if (strpbrk(a->subject, "\r\n") != NULL)
		return segur_cause(cause, SEGUR_EINVAL, "alerte %s : objet sur "
		    "plusieurs lignes", a->id);
	if (a->facts != NULL && !cJSON_IsObject(a->facts))
		return segur_cause(cause, SEGUR_EINVAL, "alerte %s : faits "
		    "qui ne sont pas un objet JSON", a->id);
	return 0;
}

/* A fact as a string, or NULL when absent or not a non-empty string. */
static const char *
fact(const struct segur_alert *a, const char *key)
{
	const cJSON	*v;

	if (a->facts == NULL)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(a->facts, key);
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
		return NULL;
	return v->valuestring;
}

static void
utc(int64_t t, struct tm *tm)
{
	time_t	tt = (time_t)t;

	if (gmtime_r(&tt, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

/*
 * A UTC time of the ledger as "JJ/MM/AAAA HH:MM UTC" in out; a text that
 * is none is shown as it is, "?" when absent. Returns what to show.
 */
static const char *
utc_text(const char *text, char out[SEGUR_DATE_FR_BUFSZ + 4])
{
	char	 fr[SEGUR_DATE_FR_BUFSZ];
	time_t	 t;

	if (text == NULL)
		return ("?");
	if (segur_date_instant(text, &t) != 0)
		return (text);
	snprintf(out, SEGUR_DATE_FR_BUFSZ + 4, "%s UTC",
	    segur_date_fr_utc(t, fr));
	return (out);
}

/*
 * What an anomaly is about, after "anomalie": its request when it has
 * one; a numeroEditeur is not a request, and one the ledger never sent
 * is said to be unknown; else its file. Caller frees; NULL: no memory.
 */
static char *
anomaly_about(const struct segur_alert *a)
{
	const char	*ref, *ne, *kind, *file;

	ref = fact(a, SEGUR_ALERT_F_REFERENCE);
	ne = fact(a, SEGUR_ALERT_F_EDITEUR);
	kind = fact(a, SEGUR_ALERT_F_ANOMALY_KIND);
	file = fact(a, SEGUR_ALERT_F_FILE);
	if (ref != NULL)
		return segur_asprintf("sur la demande %s", ref);
	if (ne != NULL && kind != NULL &&
	    strcmp(kind, "unknown_numero_editeur") == 0)
		return segur_asprintf("sur le numéro éditeur %s inconnu du "
		    "registre", ne);
	if (ne != NULL)
		return segur_asprintf("sur le numéro éditeur %s", ne);
	if (file != NULL)
		return segur_asprintf("sur le fichier %s", file);
	return strdup("(sans référence)");
}

/* The amount fact as "13 140,00 €" in out, or NULL when absent or not
 * an amount. */
static const char *
amount_text(const struct segur_alert *a, char out[SEGUR_AMOUNT_BUFSZ + 8])
{
	const cJSON	*v;
	char		 fr[SEGUR_AMOUNT_BUFSZ];
	int64_t		 cents;

	if (a->facts == NULL || !cJSON_IsNumber(v =
	    cJSON_GetObjectItemCaseSensitive(a->facts, SEGUR_ALERT_F_AMOUNT)) ||
	    segur_amount_from_double(v->valuedouble, &cents) != 0)
		return (NULL);
	snprintf(out, SEGUR_AMOUNT_BUFSZ + 8, "%s €",
	    segur_amount_format_fr(cents, fr));
	return (out);
}

/* The number of the anomaly a reminder recalls, or 0. */
static long long
anomaly_id(const struct segur_alert *a)
{
	const cJSON	*v;

	if (a->facts == NULL || !cJSON_IsNumber(v =
	    cJSON_GetObjectItemCaseSensitive(a->facts,
	    SEGUR_ALERT_F_ANOMALY_ID)))
		return 0;
	return (long long)v->valuedouble;
}

int
segur_alert_compose(struct segur_alert *a)
{
	static const struct {
		const char	*key;
		const char	*label;
	} lines[] = {
		{ SEGUR_ALERT_F_REFERENCE, "Demande" },
		{ SEGUR_ALERT_F_EDITEUR, "Numéro éditeur" },
		{ SEGUR_ALERT_F_ASP, "Numéro ASP" },
		{ SEGUR_ALERT_F_FINESS_OG, "OG (FINESS juridique)" },
		{ SEGUR_ALERT_F_FINESS_ES, "ESMS (FINESS géographique)" },
		{ SEGUR_ALERT_F_RAISON, "Raison sociale" },
		{ SEGUR_ALERT_F_FILE, "Fichier retourné" },
		{ SEGUR_ALERT_F_LABEL, "Motif donné par l'ASP" },
		{ SEGUR_ALERT_F_ANOMALY, "Anomalie" },
	};
	struct segur_buf b = SEGUR_BUF_INIT;
	const char	*ref, *kind = a->kind != NULL ? a->kind : "";
	const char	*action, *s, *relance;
	char		*about, when[SEGUR_DATE_FR_BUFSZ];
	char		 money[SEGUR_AMOUNT_BUFSZ + 8];
	char		 last[SEGUR_DATE_FR_BUFSZ + 4];
	size_t		 i;
	int		 rc = 0, anomaly;

	ref = fact(a, SEGUR_ALERT_F_REFERENCE);
	if (ref == NULL)
		ref = fact(a, SEGUR_ALERT_F_EDITEUR);
	if (ref == NULL)
		ref = "(sans référence)";
	/* An anomaly, or a reminder of one still open. */
	relance = fact(a, "relance");
	anomaly = strcmp(kind, SEGUR_ALERT_ANOMALY) == 0 ||
	    (strcmp(kind, SEGUR_ALERT_REMINDER) == 0 && relance != NULL &&
	    strcmp(relance, "anomaly") == 0);
	about = NULL;
	if (anomaly && (about = anomaly_about(a)) == NULL)
		return SEGUR_ENOMEM;
	if (a->subject == NULL) {
		if (strcmp(kind, SEGUR_ALERT_REJECTION) == 0)
			s = segur_asprintf("Ségur : demande %s rejetée par "
			    "l'ASP", ref);
		else if (strcmp(kind, SEGUR_ALERT_ANOMALY) == 0)
			s = segur_asprintf("Ségur : anomalie %s", about);
		else if (anomaly)
			s = segur_asprintf("Ségur : relance, anomalie n° %lld "
			    "toujours ouverte %s", anomaly_id(a), about);
		else if (strcmp(kind, SEGUR_ALERT_REMINDER) == 0)
			s = segur_asprintf("Ségur : relance pour la demande "
			    "%s", ref);
		else if (strcmp(kind, SEGUR_ALERT_HEAD) == 0)
			s = segur_asprintf("Ségur : empreinte du registre du "
			    "%s", segur_date_fr(fact(a, "date"), when) != NULL ?
			    when : "jour");
		else
			s = segur_asprintf("Ségur : alerte « %s » pour la "
			    "demande %s", kind, ref);
		if (s == NULL) {
			free(about);
			return SEGUR_ENOMEM;
		}
		a->subject = (char *)s;
	}
	if (a->body != NULL) {
		free(about);
		return 0;
	}
	if (strcmp(kind, SEGUR_ALERT_REJECTION) == 0) {
		rc |= segur_buf_addf(&b, "La demande %s a été rejetée par "
		    "l'ASP.\n\n", ref);
		action = "corriger la demande selon le motif ci-dessus, puis "
		    "la déposer à nouveau dans un prochain fichier sur le "
		    "portail de l'ASP.";
	} else if (strcmp(kind, SEGUR_ALERT_ANOMALY) == 0) {
		rc |= segur_buf_addf(&b, "Une anomalie a été relevée %s.\n\n",
		    about);
		action = "vérifier le fichier retourné et l'état de la "
		    "demande dans le registre (segurctl anomalies).";
	} else if (anomaly) {
		rc |= segur_buf_addf(&b, "L'anomalie n° %lld relevée %s n'est "
		    "toujours pas résolue.\n\n", anomaly_id(a), about);
		action = "la vérifier avec l'ASP puis la résoudre (segurctl "
		    "anomalies resolve).";
	} else if (strcmp(kind, SEGUR_ALERT_REMINDER) == 0) {
		rc |= segur_buf_addf(&b, "La demande %s attend une suite "
		    "depuis trop longtemps.\n\n", ref);
		action = "vérifier l'état de la demande sur le portail de "
		    "l'ASP et l'enregistrer dans le registre (segurctl).";
	} else if (strcmp(kind, SEGUR_ALERT_HEAD) == 0) {
		rc |= segur_buf_addf(&b, "Empreinte du journal des événements "
		    "du registre (la tête de sa chaîne SHA-256) :\n\n"
		    "  %s\n  %s événement(s), le dernier le %s\n%s%s%s\n",
		    fact(a, "empreinte") != NULL ? fact(a, "empreinte") : "?",
		    fact(a, "evenements") != NULL ? fact(a, "evenements") : "?",
		    utc_text(fact(a, "dernier"), last),
		    fact(a, "sceau") != NULL ? "  sceau HMAC : " : "",
		    fact(a, "sceau") != NULL ? fact(a, "sceau") : "",
		    fact(a, "sceau") != NULL ? "\n" : "");
		action = "conserver ce message hors du registre : segurctl "
		    "audit verify --head EMPREINTE prouvera plus tard que le "
		    "registre prolonge toujours cette empreinte.";
	} else {
		rc |= segur_buf_addf(&b, "Alerte « %s » sur la demande "
		    "%s.\n\n", kind, ref);
		action = "consulter la demande dans le registre (segurctl).";
	}
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if ((s = fact(a, lines[i].key)) != NULL)
			rc |= segur_buf_addf(&b, "%s : %s\n", lines[i].label,
			    s);
	if ((s = amount_text(a, money)) != NULL)
		rc |= segur_buf_addf(&b, "Montant Ségur HT : %s\n", s);
	if ((s = fact(a, SEGUR_ALERT_F_ACTION)) != NULL)
		action = s;
	rc |= segur_buf_addf(&b, "\nÀ faire : %s\n", action);
	if (a->id != NULL)
		rc |= segur_buf_addf(&b, "\n-- \nAlerte %s envoyée par segurd "
		    "(segur-ledger).\n", a->id);
	free(about);
	if (rc != 0) {
		segur_buf_release(&b);
		return SEGUR_ENOMEM;
	}
	if ((a->body = segur_buf_detach(&b)) == NULL)
		return SEGUR_ENOMEM;
	return 0;
}

/* Adds the fields common to the webhook's data and a digest's items. */
static int
add_common(cJSON *o, const struct segur_alert *a, int with_text)
{
	struct tm	 tm;
	char		 ts[80];
	cJSON		*facts;

	utc(a->created, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (cJSON_AddStringToObject(o, "id", a->id) == NULL ||
	    cJSON_AddStringToObject(o, "kind", a->kind) == NULL ||
	    cJSON_AddStringToObject(o, "created", ts) == NULL ||
	    cJSON_AddStringToObject(o, "subject", a->subject) == NULL ||
	    (with_text &&
	    cJSON_AddStringToObject(o, "text", a->body) == NULL))
		return SEGUR_ENOMEM;
	facts = a->facts != NULL ? cJSON_Duplicate(a->facts, 1) :
	    cJSON_CreateObject();
	if (facts == NULL)
		return SEGUR_ENOMEM;
	cJSON_AddItemToObject(o, "facts", facts);
	return 0;
}

int
segur_alert_webhook_json(const struct segur_alert *a, char **out)
{
	cJSON	*root, *data;
	char	*type;
	const cJSON *created;

	*out = NULL;
	if ((root = cJSON_CreateObject()) == NULL)
		return SEGUR_ENOMEM;
	if ((data = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(root);
		return SEGUR_ENOMEM;
	}
	if ((type = segur_asprintf("segur.alert.%s", a->kind)) == NULL ||
	    cJSON_AddStringToObject(root, "type", type) == NULL ||
	    add_common(data, a, 1) != 0 ||
	    (created = cJSON_GetObjectItemCaseSensitive(data, "created")) ==
	    NULL ||
	    cJSON_AddStringToObject(root, "timestamp",
	    created->valuestring) == NULL) {
		free(type);
		cJSON_Delete(data);
		cJSON_Delete(root);
		return SEGUR_ENOMEM;
	}
	free(type);
	cJSON_AddItemToObject(root, "data", data);
	*out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return *out != NULL ? 0 : SEGUR_ENOMEM;
}

int
segur_alert_chat_json(const struct segur_alert *a, char **out)
{
	cJSON	*root;
	char	*text;

	*out = NULL;
	if ((text = segur_asprintf("%s\n\n%s", a->subject, a->body)) == NULL)
		return SEGUR_ENOMEM;
	if ((root = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(root, "text", text) == NULL) {
		free(text);
		cJSON_Delete(root);
		return SEGUR_ENOMEM;
	}
	free(text);
	*out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return *out != NULL ? 0 : SEGUR_ENOMEM;
}

/* Length of the UTF-8 sequence that starts with byte c (1 if invalid). */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

int
segur_alert_rfc2047(struct segur_buf *b, const char *s, size_t used)
{
	/* An encoded word is at most 75 characters, 12 of them framing. */
	unsigned char	 enc[64];
	const char	*p;
	size_t		 n, linemax, chunk, k;
	int		 plain = 1, first = 1, rc;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			plain = 0;
	if (plain && strstr(s, "=?") == NULL)
		return segur_buf_adds(b, s);
	n = strlen(s);
	p = s;
	while (n > 0) {
		/* The first line shares its 78 columns with the header name. */
		linemax = first && used < 40 ? 78 - used : 75;
		if (linemax > 75)
			linemax = 75;
		chunk = (linemax - 12) / 4 * 3;
		/* Back off to a character boundary. */
		k = 0;
		while (k < n && k + utf8_len((unsigned char)p[k]) <= chunk)
			k += utf8_len((unsigned char)p[k]);
		if (k == 0)
			k = n < chunk ? n : chunk;
		if (k > n)
			k = n;
		EVP_EncodeBlock(enc, (const unsigned char *)p, (int)k);
		if ((rc = segur_buf_addf(b, "%s=?UTF-8?B?%s?=",
		    first ? "" : "\r\n ", (const char *)enc)) != 0)
			return rc;
		first = 0;
		p += k;
		n -= k;
	}
	return 0;
}

int
segur_alert_qp(struct segur_buf *b, const char *s)
{
	const char	*p, *eol;
	char		 tok[4];
	size_t		 col, toklen;
	int		 rc;

	for (p = s; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		col = 0;
		for (; p < eol; p++) {
			unsigned char c = (unsigned char)*p;
			int last = p + 1 == eol ||
			    (p + 2 == eol && p[1] == '\r');

			if (c == '\r' && p + 1 == eol)
				break;		/* CRLF input: CR dropped */
			if ((c >= 33 && c <= 126 && c != '=') ||
			    ((c == ' ' || c == '\t') && !last)) {
				tok[0] = (char)c;
				toklen = 1;
			} else {
				snprintf(tok, sizeof(tok), "=%02X", c);
				toklen = 3;
			}
			/* 76 columns at most, the soft break's '=' included. */
			if (col + toklen > 75) {
				if ((rc = segur_buf_adds(b, "=\r\n")) != 0)
					return rc;
				col = 0;
			}
			if ((rc = segur_buf_add(b, tok, toklen)) != 0)
				return rc;
			col += toklen;
		}
		if ((rc = segur_buf_adds(b, "\r\n")) != 0)
			return rc;
	}
	return 0;
}

/* True for a bare "local@domain" address we can put in headers as is. */
static int
address_ok(const char *s)
{
	const char	*at = strchr(s, '@');
	const char	*p;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[]\\,;:\"", *p) != NULL)
			return 0;
	return 1;
}

int
segur_alert_mail(const struct segur_alert *a, const char *from,
    const char *const *to, size_t nto, char **out, size_t *len,
    char **cause)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	struct tm	 tm;
	size_t		 i;
	int		 rc = 0;

	*out = NULL;
	*len = 0;
	if (from == NULL || !address_ok(from))
		return segur_cause(cause, SEGUR_EINVAL, "adresse "
		    "d'expéditeur invalide « %s »", from != NULL ? from : "");
	if (nto == 0)
		return segur_cause(cause, SEGUR_EINVAL, "aucun destinataire");
	for (i = 0; i < nto; i++)
		if (!address_ok(to[i]))
			return segur_cause(cause, SEGUR_EINVAL, "adresse de "
			    "destinataire invalide « %s »", to[i]);
	utc(a->created, &tm);
	rc |= segur_buf_addf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d "
	    "+0000\r\n", wdays[tm.tm_wday % 7], tm.tm_mday,
	    months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	rc |= segur_buf_addf(&b, "From: segurd <%s>\r\n", from);
	for (i = 0; i < nto; i++)
		rc |= segur_buf_addf(&b, "%s<%s>%s", i == 0 ? "To: " : " ",
		    to[i], i + 1 < nto ? ",\r\n" : "\r\n");
	rc |= segur_buf_adds(&b, "Subject: ");
	rc |= segur_alert_rfc2047(&b, a->subject, strlen("Subject: "));
	rc |= segur_buf_addf(&b, "\r\nMessage-ID: <%s@%s>\r\n", a->id,
	    strchr(from, '@') + 1);
	rc |= segur_buf_adds(&b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n");
	rc |= segur_buf_addf(&b, "X-Segur-Alert: %s %s\r\n\r\n", a->kind,
	    a->id);
	rc |= segur_alert_qp(&b, a->body);
	if (rc != 0) {
		segur_buf_release(&b);
		return SEGUR_ENOMEM;
	}
	*len = b.len;
	if ((*out = segur_buf_detach(&b)) == NULL)
		return SEGUR_ENOMEM;
	return 0;
}

/* French plural of a kind for the digest's subject. */
static const char *
kind_words(const char *kind, size_t n)
{
	if (strcmp(kind, SEGUR_ALERT_REJECTION) == 0)
		return n > 1 ? "rejets" : "rejet";
	if (strcmp(kind, SEGUR_ALERT_ANOMALY) == 0)
		return n > 1 ? "anomalies" : "anomalie";
	if (strcmp(kind, SEGUR_ALERT_REMINDER) == 0)
		return n > 1 ? "relances" : "relance";
	return n > 1 ? "autres" : "autre";
}

int
segur_alert_digest(const struct segur_alert *const *alerts, size_t n,
    int64_t now, struct segur_alert *out, char **cause)
{
	static const char *const order[] = {
		SEGUR_ALERT_REJECTION, SEGUR_ALERT_ANOMALY,
		SEGUR_ALERT_REMINDER, NULL
	};
	struct segur_buf ids = SEGUR_BUF_INIT, subj = SEGUR_BUF_INIT;
	struct segur_buf body = SEGUR_BUF_INIT;
	struct segur_alert d;
	cJSON		*list, *item;
	char		 hex[65], when[SEGUR_DATE_FR_BUFSZ];
	const char	*line, *eol;
	size_t		 i, k, count, shown = 0;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (n == 0)
		return segur_cause(cause, SEGUR_EINVAL, "récapitulatif vide");
	for (i = 0; i < n; i++)
		if ((rc = segur_alert_check(alerts[i], cause)) != 0)
			return rc;
	rc = 0;
	for (i = 0; i < n; i++)
		rc |= segur_buf_addf(&ids, "%s\n", alerts[i]->id);
	/* Subject: "Ségur : 3 alertes (2 rejets, 1 anomalie)". */
	rc |= segur_buf_addf(&subj, "Ségur : %zu alerte%s (", n,
	    n > 1 ? "s" : "");
	for (k = 0; k < 4; k++) {
		count = 0;
		for (i = 0; i < n; i++) {
			int known = strcmp(alerts[i]->kind,
			    SEGUR_ALERT_REJECTION) == 0 ||
			    strcmp(alerts[i]->kind, SEGUR_ALERT_ANOMALY) == 0 ||
			    strcmp(alerts[i]->kind, SEGUR_ALERT_REMINDER) == 0;

			if (order[k] != NULL ?
			    strcmp(alerts[i]->kind, order[k]) == 0 : !known)
				count++;
		}
		if (count == 0)
			continue;
		rc |= segur_buf_addf(&subj, "%s%zu %s", shown++ ? ", " : "",
		    count, kind_words(order[k] != NULL ? order[k] : "",
		    count));
	}
	rc |= segur_buf_adds(&subj, ")");
	rc |= segur_buf_addf(&body, "%zu alerte%s réunie%s dans ce message "
	    "(%s UTC).\n", n, n > 1 ? "s" : "", n > 1 ? "s" : "",
	    segur_date_fr_utc((time_t)now, when));
	if ((list = cJSON_CreateArray()) == NULL)
		rc |= SEGUR_ENOMEM;
	for (i = 0; i < n && rc == 0; i++) {
		const struct segur_alert *a = alerts[i];

		rc |= segur_buf_addf(&body, "\n%zu. %s\n   (%s, %s UTC)\n",
		    i + 1, a->subject, a->id,
		    segur_date_fr_utc((time_t)a->created, when));
		for (line = a->body; *line != '\0'; line = eol) {
			eol = line + strcspn(line, "\n");
			if (eol > line)
				rc |= segur_buf_adds(&body, "   ");
			rc |= segur_buf_add(&body, line, (size_t)(eol - line));
			rc |= segur_buf_adds(&body, "\n");
			if (*eol == '\n')
				eol++;
		}
		if ((item = cJSON_CreateObject()) == NULL) {
			rc |= SEGUR_ENOMEM;
			break;
		}
		cJSON_AddItemToArray(list, item);
		rc |= add_common(item, a, 0);
	}
	segur_sha256_hex(ids.data, ids.len, hex);
	hex[16] = '\0';
	if (rc == 0 && ((d.id = segur_asprintf("digest-%s", hex)) == NULL ||
	    (d.kind = strdup(SEGUR_ALERT_DIGEST)) == NULL ||
	    (d.subject = segur_buf_detach(&subj)) == NULL ||
	    (d.body = segur_buf_detach(&body)) == NULL ||
	    (d.facts = cJSON_CreateObject()) == NULL))
		rc = SEGUR_ENOMEM;
	if (rc == 0) {
		cJSON_AddItemToObject(d.facts, "alerts", list);
		list = NULL;
	}
	cJSON_Delete(list);
	segur_buf_release(&ids);
	segur_buf_release(&subj);
	segur_buf_release(&body);
	if (rc != 0) {
		segur_alert_release(&d);
		return SEGUR_ENOMEM;
	}
	d.created = now;
	*out = d;
	return 0;
}
