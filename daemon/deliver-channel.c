/*
 * deliver-channel.c: what each channel sends (signed webhook JSON, chat
 * text, an e-mail over SMTP) and how its answers read (success, endpoint
 * gone, permanent error, try again).
 *
 * Reasons and logs name the channel, never its URL: chat incoming-webhook
 * URLs are themselves secrets.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "segur/alert.h"
#include "segur/error.h"
#include "segur/util.h"
#include "segur/version.h"
#include "segur/webhook.h"

#include "curl-load.h"
#include "deliver-int.h"

#define USER_AGENT	"segurd/" SEGUR_VERSION

/* True when url starts with one of the schemes (lower case). */
static int
has_scheme(const char *url, const char *const *schemes)
{
	size_t	n;

	for (; *schemes != NULL; schemes++) {
		n = strlen(*schemes);
		if (strncasecmp(url, *schemes, n) == 0 && url[n] != '\0')
			return 1;
	}
	return 0;
}

static int
address_ok(const char *s)
{
	const char	*at, *p;

	if (s == NULL || (at = strchr(s, '@')) == NULL || at == s ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[]\\,;:\"", *p) != NULL)
			return 0;
	return 1;
}

int
segurd_channel_check(const struct segurd_channel *ch, char **cause)
{
	static const char *const http[] = { "http://", "https://", NULL };
	static const char *const smtp[] = { "smtp://", "smtps://", NULL };
	unsigned char	 key[SEGUR_WEBHOOK_KEY_MAX];
	size_t		 keylen, i;
	const char	*name = ch->name != NULL ? ch->name : "channel";
	int		 rc;

	if (ch->url == NULL || strpbrk(ch->url, " \t\r\n") != NULL)
		return segur_cause(cause, SEGUR_EINVAL, "%s : URL absente "
		    "ou invalide", name);
	switch (ch->type) {
	case SEGURD_CHANNEL_WEBHOOK:
	case SEGURD_CHANNEL_CHAT:
		if (!has_scheme(ch->url, http))
			return segur_cause(cause, SEGUR_EINVAL, "%s : l'URL "
			    "doit commencer par https:// ou http://", name);
		if (ch->secret != NULL && (rc = segur_webhook_secret_decode(
		    ch->secret, key, &keylen, cause)) != 0) {
			segur_cause(cause, rc, "%s : le secret de webhook "
			    "n'est pas « whsec_ » suivi du base64 de 24 à 64 "
			    "octets",
			    name);
			return rc;
		}
		break;
	case SEGURD_CHANNEL_MAIL:
		if (!has_scheme(ch->url, smtp))
			return segur_cause(cause, SEGUR_EINVAL, "%s : l'URL "
			    "doit commencer par smtp:// ou smtps://", name);
		if (!address_ok(ch->mail_from))
			return segur_cause(cause, SEGUR_EINVAL, "%s : adresse "
			    "d'expéditeur invalide", name);
		if (ch->nmail_to == 0)
			return segur_cause(cause, SEGUR_EINVAL, "%s : aucun "
			    "destinataire", name);
		for (i = 0; i < ch->nmail_to; i++)
			if (!address_ok(ch->mail_to[i]))
				return segur_cause(cause, SEGUR_EINVAL, "%s : "
				    "adresse de destinataire invalide « %s »",
				    name,
				    ch->mail_to[i] != NULL ? ch->mail_to[i] :
				    "");
		if (ch->starttls < SEGURD_STARTTLS_REQUIRED ||
		    ch->starttls > SEGURD_STARTTLS_OFF)
			return segur_cause(cause, SEGUR_EINVAL, "%s : valeur "
			    "de starttls invalide", name);
		if ((ch->username == NULL) != (ch->password == NULL))
			return segur_cause(cause, SEGUR_EINVAL, "%s : un nom "
			    "d'utilisateur demande un mot de passe, et "
			    "inversement",
			    name);
		break;
	default:
		return segur_cause(cause, SEGUR_EINVAL, "%s : type de "
		    "canal inconnu %d", name, ch->type);
	}
	return 0;
}

/* strdup() that keeps NULL as NULL; sets *bad on allocation failure. */
static char *
dup_opt(const char *s, int *bad)
{
	char	*p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*bad = 1;
	return p;
}

int
segurd__job_prepare(struct segurd_job *j, const struct segurd_channel *ch,
    const struct segur_alert *alert, char **cause)
{
	char	*rcpt;
	size_t	 i;
	int	 rc, bad = 0;

	if ((rc = segurd_channel_check(ch, cause)) != 0 ||
	    (rc = segur_alert_check(alert, cause)) != 0)
		return rc;
	j->type = ch->type;
	j->starttls = ch->starttls;
	j->alert_id = dup_opt(alert->id, &bad);
	j->channel = dup_opt(ch->name != NULL ? ch->name : "channel", &bad);
	j->url = dup_opt(ch->url, &bad);
	j->cainfo = dup_opt(ch->cainfo, &bad);
	if (bad)
		return SEGUR_ENOMEM;
	switch (ch->type) {
	case SEGURD_CHANNEL_WEBHOOK:
	case SEGURD_CHANNEL_CHAT:
		if (ch->secret != NULL && (rc = segur_webhook_secret_decode(
		    ch->secret, j->key, &j->keylen, cause)) != 0)
			return rc;
		rc = ch->type == SEGURD_CHANNEL_WEBHOOK ?
		    segur_alert_webhook_json(alert, &j->payload) :
		    segur_alert_chat_json(alert, &j->payload);
		if (rc != 0)
			return rc;
		j->payloadlen = strlen(j->payload);
		break;
	case SEGURD_CHANNEL_MAIL:
		if ((rc = segur_alert_mail(alert, ch->mail_from, ch->mail_to,
		    ch->nmail_to, &j->payload, &j->payloadlen, cause)) != 0)
			return rc;
		j->mail_from = segur_asprintf("<%s>", ch->mail_from);
		j->username = dup_opt(ch->username, &bad);
		j->password = dup_opt(ch->password, &bad);
		if (j->mail_from == NULL || bad)
			return SEGUR_ENOMEM;
		if ((j->to = calloc(ch->nmail_to, sizeof(*j->to))) == NULL)
			return SEGUR_ENOMEM;
		for (i = 0; i < ch->nmail_to; i++) {
			if ((rcpt = segur_asprintf("<%s>", ch->mail_to[i])) ==
			    NULL)
				return SEGUR_ENOMEM;
			j->to[j->nto++] = rcpt;
		}
		break;
	}
	return 0;
}

/* Keeps the start of the response body for the failure reason. */
static size_t
on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct segurd_job *j = arg;
	size_t		 n = size * nmemb, room;

	room = sizeof(j->reply) - 1 - j->replylen;
	if (room > n)
		room = n;
	memcpy(j->reply + j->replylen, p, room);
	j->replylen += room;
	j->reply[j->replylen] = '\0';
	return n;
}

/* Feeds the message to libcurl's SMTP upload (which dot-stuffs it). */
static size_t
on_read(char *p, size_t size, size_t nmemb, void *arg)
{
	struct segurd_job *j = arg;
	size_t		 n = size * nmemb, left = j->payloadlen - j->readoff;

	if (n > left)
		n = left;
	memcpy(p, j->payload + j->readoff, n);
	j->readoff += n;
	return n;
}

/* Adds "name: value" (or name alone when value is NULL); 0 or 1. */
static int
add_header(struct segurd_job *j, const char *name, const char *value)
{
	struct curl_slist *l;
	char		*h;

	h = value != NULL ? segur_asprintf("%s: %s", name, value) :
	    strdup(name);
	if (h == NULL)
		return 1;
	l = segurd_curl.slist_append(j->headers, h);
	free(h);
	if (l == NULL)
		return 1;
	j->headers = l;
	return 0;
}

/* Sets the last failure to "<channel> : <what>". */
static void
set_reason(struct segurd_job *j, const char *what)
{
	free(j->reason);
	j->reason = segur_asprintf("%s : %s", j->channel, what);
}

CURL *
segurd__job_easy(struct segurd_job *j, uint64_t timeout_ms)
{
	const struct segurd_curl *c = &segurd_curl;
	struct curl_slist *l;
	char	 sig[SEGUR_WEBHOOK_SIG_LEN], ts[24];
	CURL	*e;
	int64_t	 now = (int64_t)time(NULL);
	size_t	 i;
	int	 bad = 0;

	c->slist_free_all(j->headers);
	j->headers = NULL;
	c->slist_free_all(j->rcpts);
	j->rcpts = NULL;
	j->errbuf[0] = '\0';
	j->reply[0] = '\0';
	j->replylen = 0;
	j->readoff = 0;
	for (i = 0; i < j->nto; i++) {
		if ((l = c->slist_append(j->rcpts, j->to[i])) == NULL) {
			set_reason(j, "mémoire épuisée");
			return NULL;
		}
		j->rcpts = l;
	}
	if ((e = c->easy_init()) == NULL) {
		set_reason(j, "mémoire épuisée");
		return NULL;
	}
	/* Options that only fail on allocation: one check at the end. */
	bad |= c->easy_setopt(e, CURLOPT_PRIVATE, j) != CURLE_OK;
	bad |= c->easy_setopt(e, CURLOPT_URL, j->url) != CURLE_OK;
	bad |= c->easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= c->easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf) !=
	    CURLE_OK;
	bad |= c->easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms) !=
	    CURLE_OK;
	bad |= c->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write) !=
	    CURLE_OK;
	bad |= c->easy_setopt(e, CURLOPT_WRITEDATA, j) != CURLE_OK;
	if (j->cainfo != NULL)
		bad |= c->easy_setopt(e, CURLOPT_CAINFO, j->cainfo) !=
		    CURLE_OK;
	if (j->type == SEGURD_CHANNEL_MAIL) {
		long use = j->starttls == SEGURD_STARTTLS_REQUIRED ?
		    (long)CURLUSESSL_ALL : j->starttls == SEGURD_STARTTLS_TRY ?
		    (long)CURLUSESSL_TRY : (long)CURLUSESSL_NONE;

		bad |= c->easy_setopt(e, CURLOPT_PROTOCOLS_STR,
		    "smtp,smtps") != CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_USE_SSL, use) != CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_MAIL_FROM, j->mail_from) !=
		    CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_MAIL_RCPT, j->rcpts) !=
		    CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_UPLOAD, 1L) != CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_READFUNCTION, on_read) !=
		    CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_READDATA, j) != CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)j->payloadlen) != CURLE_OK;
		if (j->username != NULL) {
			bad |= c->easy_setopt(e, CURLOPT_USERNAME,
			    j->username) != CURLE_OK;
			bad |= c->easy_setopt(e, CURLOPT_PASSWORD,
			    j->password) != CURLE_OK;
		}
	} else {
		snprintf(ts, sizeof(ts), "%" PRId64, now);
		bad |= c->easy_setopt(e, CURLOPT_PROTOCOLS_STR,
		    "http,https") != CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT) !=
		    CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_POSTFIELDS, j->payload) !=
		    CURLE_OK;
		bad |= c->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)j->payloadlen) != CURLE_OK;
		bad |= add_header(j, "Content-Type", "application/json");
		/* No "Expect: 100-continue" wait for bodies over 1 KiB. */
		bad |= add_header(j, "Expect:", NULL);
		bad |= add_header(j, "webhook-id", j->alert_id);
		bad |= add_header(j, "webhook-timestamp", ts);
		if (j->keylen > 0) {
			if (segur_webhook_sign(j->key, j->keylen, j->alert_id,
			    now, j->payload, j->payloadlen, sig) != 0)
				bad = 1;
			else
				bad |= add_header(j, "webhook-signature",
				    sig);
		}
		bad |= c->easy_setopt(e, CURLOPT_HTTPHEADER, j->headers) !=
		    CURLE_OK;
	}
	if (bad) {
		c->easy_cleanup(e);
		set_reason(j, "impossible de préparer le transfert "
		    "(mémoire épuisée ?)");
		return NULL;
	}
	return e;
}

/* The reply's first line, printable ASCII only, for a reason. */
static void
reply_line(struct segurd_job *j, char *out, size_t n)
{
	size_t	i, k = 0;

	for (i = 0; i < j->replylen && k + 1 < n; i++) {
		unsigned char c = (unsigned char)j->reply[i];

		if (c == '\r' || c == '\n')
			break;
		out[k++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
	}
	out[k] = '\0';
}

int
segurd__job_classify(struct segurd_job *j, CURLcode rc)
{
	char	 what[CURL_ERROR_SIZE + 64], line[100];
	long	 code = 0;

	segurd_curl.easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
	j->code = code;
	if (j->type == SEGURD_CHANNEL_MAIL) {
		if (rc == CURLE_OK)
			return SEGURD_DELIVER_OK;
		snprintf(what, sizeof(what), "SMTP %ld: %s", code,
		    j->errbuf[0] != '\0' ? j->errbuf :
		    segurd_curl.easy_strerror(rc));
		set_reason(j, what);
		/* 5xx is the server's "never": bad address, refused relay,
		 * bad credentials. So is a required STARTTLS not offered. */
		if ((code >= 500 && code <= 599) ||
		    rc == CURLE_USE_SSL_FAILED || rc == CURLE_LOGIN_DENIED ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_URL_MALFORMAT)
			return SEGURD_DELIVER_FAILED;
		return JOB_RETRY;
	}
	if (rc == CURLE_OK && code >= 200 && code <= 299)
		return SEGURD_DELIVER_OK;
	if (rc == CURLE_OK) {
		reply_line(j, line, sizeof(line));
		snprintf(what, sizeof(what), "HTTP %ld%s%s", code,
		    line[0] != '\0' ? ": " : "", line);
		set_reason(j, what);
		return code == 410 ? SEGURD_DELIVER_DISABLED : JOB_RETRY;
	}
	snprintf(what, sizeof(what), "%s", j->errbuf[0] != '\0' ? j->errbuf :
	    segurd_curl.easy_strerror(rc));
	set_reason(j, what);
	if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
		return SEGURD_DELIVER_FAILED;
	return JOB_RETRY;
}

void
segurd__job_release(struct segurd_job *j)
{
	size_t	 i;

	/* Lists exist only once libcurl is loaded: they were made by it. */
	if (j->headers != NULL)
		segurd_curl.slist_free_all(j->headers);
	if (j->rcpts != NULL)
		segurd_curl.slist_free_all(j->rcpts);
	for (i = 0; i < j->nto; i++)
		free(j->to[i]);
	free(j->to);
	free(j->alert_id);
	free(j->channel);
	free(j->url);
	free(j->cainfo);
	free(j->payload);
	free(j->mail_from);
	free(j->username);
	if (j->password != NULL) {
		explicit_bzero(j->password, strlen(j->password));
		free(j->password);
	}
	explicit_bzero(j->key, sizeof(j->key));
	free(j->reason);
}
