/*
 * alert.h: an alert and its renderings (webhook JSON, chat text, e-mail,
 * digest).
 *
 * An alert is what a person must hear about: a rejection by the ASP, an
 * anomaly found while ingesting a returned file, a reminder of something
 * late, or a digest of several of those. The ledger's outbox decides
 * which alerts exist and gives each a stable id; this module only turns
 * one into the bytes a channel sends, in French, so that a person reading
 * it knows which request, which OG/ESMS, what the ASP said and what to do.
 * Pure functions: no I/O, no clock (times are passed in).
 */
#ifndef SEGUR_ALERT_H
#define SEGUR_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/*
 * Kinds the composer knows; any other word is accepted and rendered
 * generically. The kind is also the suffix of the webhook "type"
 * ("segur.alert.rejection").
 */
#define SEGUR_ALERT_REJECTION	"rejection"
#define SEGUR_ALERT_ANOMALY	"anomaly"
#define SEGUR_ALERT_REMINDER	"reminder"
#define SEGUR_ALERT_DIGEST	"digest"
#define SEGUR_ALERT_HEAD	"head"		/* the daily chain head */

/*
 * Keys of facts that the composer and the digest read (all optional,
 * strings, names as in the guide where it has one). Other keys are kept
 * and sent as they are in the webhook's JSON.
 */
#define SEGUR_ALERT_F_REFERENCE	"reference"	/* the editor's request ref */
#define SEGUR_ALERT_F_EDITEUR	"numeroEditeur"
#define SEGUR_ALERT_F_ASP	"numeroASP"
#define SEGUR_ALERT_F_FINESS_OG	"finessOG"	/* FINESS juridique */
#define SEGUR_ALERT_F_FINESS_ES	"finessESMS"	/* FINESS géographique */
#define SEGUR_ALERT_F_RAISON	"raisonSociale"	/* name of the OG/ESMS */
#define SEGUR_ALERT_F_LABEL	"libelleASP"	/* the ASP's own words */
#define SEGUR_ALERT_F_FILE	"fichier"	/* returned file it came from */
#define SEGUR_ALERT_F_ACTION	"action"	/* what to do next */
/* The anomaly, in French. */
#define SEGUR_ALERT_F_ANOMALY	"anomalie"
/* The anomaly's kind (unknown_numero_editeur...) and its id in segurctl
 * anomalies (a number). */
#define SEGUR_ALERT_F_ANOMALY_KIND "typeAnomalie"
#define SEGUR_ALERT_F_ANOMALY_ID "idAnomalie"
/* The request's montantSegurHT, a number in euros as in the guide; the
 * text shows it the French way ("13 140,00 €"). */
#define SEGUR_ALERT_F_AMOUNT	"montantSegurHT"

struct segur_alert {
	char	*id;		/* owned; stable, [A-Za-z0-9_-]+ */
	char	*kind;		/* owned; SEGUR_ALERT_* or another word */
	int64_t	 created;	/* unix seconds */
	char	*subject;	/* owned; French, UTF-8, one line */
	char	*body;		/* owned; French, UTF-8, '\n' lines */
	cJSON	*facts;		/* owned; a JSON object, may be NULL */
};

/* Frees the contents (not a); a may be all NULLs. */
void	 segur_alert_release(struct segur_alert *a);

/*
 * Checks what every renderer relies on: id made of [A-Za-z0-9_-] (it
 * goes into webhook-id and Message-ID), kind a word, subject on one line,
 * facts an object or NULL. Returns 0 or SEGUR_EINVAL with a cause.
 */
int	 segur_alert_check(const struct segur_alert *a, char **cause);

/*
 * Fills a->subject and a->body (when NULL) in French from a->kind and
 * a->facts: "Ségur : demande REF rejetée par l'ASP", then one line per
 * known fact and the action to take. Returns 0 or SEGUR_ENOMEM.
 */
int	 segur_alert_compose(struct segur_alert *a);

/*
 * The webhook body: {"type":"segur.alert.<kind>","timestamp":"<created,
 * RFC 3339 UTC>","data":{"id","kind","subject","text","facts"}}, as the
 * Standard Webhooks convention shapes payloads. *out is malloc'ed,
 * NUL-terminated; caller frees. Returns 0 or SEGUR_ENOMEM.
 */
int	 segur_alert_webhook_json(const struct segur_alert *a, char **out);

/*
 * The chat body {"text": "<subject>\n\n<body>"} that Slack, Mattermost
 * and Rocket.Chat incoming webhooks take. *out: caller frees.
 */
int	 segur_alert_chat_json(const struct segur_alert *a, char **out);

/*
 * An RFC 5322 message: Date (a->created), From, To (all of to[0..nto)),
 * Subject (RFC 2047 "B" encoded words when not plain ASCII), Message-ID
 * <id@domain-of-from> (the same for every retry, so that mail clients
 * show one message), MIME-Version, Content-Type text/plain;
 * charset=UTF-8, Content-Transfer-Encoding quoted-printable,
 * Auto-Submitted: auto-generated; CRLF line ends. Addresses are bare
 * "local@domain" strings. *out (caller frees) and *len get the message.
 * Returns 0, SEGUR_EINVAL (bad address, with a cause) or SEGUR_ENOMEM.
 */
int	 segur_alert_mail(const struct segur_alert *a, const char *from,
	    const char *const *to, size_t nto, char **out, size_t *len,
	    char **cause);

/*
 * Groups alerts[0..n) (n >= 1) into one digest alert *out (caller
 * releases with segur_alert_release()): kind "digest", created = now, id
 * "digest-" followed by 16 hex digits of the SHA-256 of the ids (the same
 * set gives the same id, so a digest resent after a restart is dropped as
 * a duplicate), subject counting the alerts by kind, body listing each
 * alert's subject and body in order, facts {"alerts":[{id, kind, created,
 * subject, facts}...]}. Returns 0, SEGUR_EINVAL or SEGUR_ENOMEM.
 */
int	 segur_alert_digest(const struct segur_alert *const *alerts, size_t n,
	    int64_t now, struct segur_alert *out, char **cause);

/*
 * Encodes a UTF-8 header value as RFC 2047 "=?UTF-8?B?...?=" words of at
 * most 75 characters, never splitting a character, folded with CRLF SP
 * (the first line leaves room for a header name of up to 'used' chars).
 * Plain printable ASCII is appended as it is. Appends to b. Exposed for
 * the tests.
 */
struct segur_buf;
int	 segur_alert_rfc2047(struct segur_buf *b, const char *s, size_t used);

/*
 * Appends s as quoted-printable (RFC 2045) to b, turning '\n' into CRLF
 * hard line breaks and keeping lines under 76 characters with soft
 * breaks. Exposed for the tests.
 */
int	 segur_alert_qp(struct segur_buf *b, const char *s);

#endif /* SEGUR_ALERT_H */
