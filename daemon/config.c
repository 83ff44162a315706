/*
 * config.c: segurd.conf through inih and one table of keys (config.h).
 *
 * Loading is three passes over the file held in memory:
 *  1. a line pass that refuses what inih would get wrong silently (lines
 *     longer than its 200-byte buffer, NUL bytes) and checks every
 *     section header, so empty or misspelt sections are errors too;
 *  2. inih, fed line by line by cfg_reader() so that every key is known
 *     with its line number, each value going through the table;
 *  3. cross-key checks per section (required keys, secrets).
 * Every error is collected as "FILE:LINE: message" and the whole load
 * fails if there is one.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <ini.h>

#include "segur/error.h"
#include "segur/util.h"
#include "config.h"

#define CFG_FILE_MAX	(1024 * 1024)
#define CFG_MAX_ERRORS	20
#define MS_PER_DAY	(UINT64_C(86400000))

struct cfg_ctx;

/* How a key's value is stored and printed. */
enum cfg_kind {
	K_STR,		/* char *, checked by the key's check function */
	K_URL,		/* char *, printed with its token masked */
	K_PATH,		/* char *, made absolute */
	K_DURATION,	/* uint64_t ms within [lo, hi] */
	K_DURATION_OFF,	/* as K_DURATION, or "off" stored as 0 */
	K_UINT,		/* uint64_t within [lo, hi] */
	K_CHOICE,	/* int: index of the value in type "a|b|c" */
	K_LOGLEVEL,	/* enum log_level */
	K_SECRET,	/* struct segurd_secret, read from the named file */
	K_TIME		/* unsigned: minutes after midnight, from HH:MM */
};

#define CFG_REQUIRED	0x1	/* no default: must be given in its section */
#define CFG_BESIDE_LEDGER 0x2	/* the default is a name in the folder of
				   [ledger] path, as segurctl has it */

/* One configuration key. */
struct cfg_key {
	const char	*section;
	const char	*name;
	const char	*type;	/* shown in the doc; choices for K_CHOICE */
	enum cfg_kind	 kind;
	const char	*def;	/* default as written in the file, or NULL */
	int		 flags;
	size_t		 off;	/* in segurd_config, or segurd_webhook */
	uint64_t	 lo, hi;
	/* Extra check of the written value; 0 or SEGUR_EINVAL + cause. */
	int		(*check)(struct cfg_ctx *, const char *, char **);
	const char	*doc;
};

/* One section; "multi" sections are [name NAME], several allowed. */
struct cfg_section {
	const char	*name;
	int		 multi;
	const char	*doc;
};

static int	check_listen(struct cfg_ctx *, const char *, char **);
static int	check_webhook_url(struct cfg_ctx *, const char *, char **);
static int	check_smtp_url(struct cfg_ctx *, const char *, char **);
static int	check_address(struct cfg_ctx *, const char *, char **);
static int	check_address_list(struct cfg_ctx *, const char *, char **);
static int	check_username(struct cfg_ctx *, const char *, char **);

#define C(f)	offsetof(struct segurd_config, f)
#define W(f)	offsetof(struct segurd_webhook, f)

static const struct cfg_section cfg_sections[] = {
	{ "ledger", 0, "Where the ledger is." },
	{ "audit", 0, "The audit key, shared with segurctl, which reads "
	    "this section too." },
	{ "inbox", 0, "The folder where ASP's returned files are dropped, "
	    "and where taken files go." },
	{ "http", 0, "The read-only HTTP endpoint (health, metrics, "
	    "status), on loopback or a Unix socket only." },
	{ "log", 0, "Logging to standard error." },
	{ "webhook", 1, "A webhook alert channel; several sections with "
	    "different NAMEs are allowed, [webhook] alone is named "
	    "\"default\". NAME is 1 to 32 letters, digits, '-' or '_'." },
	{ "mail", 0, "The e-mail alert channel over SMTP; present means "
	    "enabled." },
	{ "alerts", 0, "Delivery of alerts on every channel." },
	{ "reminders", 0, "The daily check that queues reminders; a day "
	    "count of 0 disables that reminder." },
};
#define NSECTIONS	(sizeof(cfg_sections) / sizeof(cfg_sections[0]))

/*
 * The one table of keys. Defaults are written as in the file and go
 * through the same parsing as the file's values.
 */
static const struct cfg_key cfg_keys[] = {
	{ "ledger", "path", "path", K_PATH, "/var/lib/segur/ledger.db", 0,
	    C(ledger_path), 0, 0, NULL,
	    "The SQLite ledger segurd ingests into." },
	{ "ledger", "audit_key_file", "file", K_SECRET, NULL, 0,
	    C(audit_key), 0, 0, NULL,
	    "The older spelling of [audit] key_file; giving both is "
	    "refused." },

	{ "audit", "key_file", "file", K_SECRET, NULL, 0,
	    C(audit_key), 0, 0, NULL,
	    "File holding the audit key (at least 16 bytes) that seals "
	    "every event segurd writes. segurctl reads the same key from "
	    "here when neither --key nor $SEGUR_AUDIT_KEY_FILE is given "
	    "(docs/audit.md). A bare name is looked up in "
	    "$CREDENTIALS_DIRECTORY when set, else beside this file: "
	    "keep the key as /etc/segur/audit-key (root:segur 0640) and "
	    "give segurd LoadCredential=audit-key:/etc/segur/audit-key, "
	    "so that both read the same file." },

	{ "inbox", "path", "path", K_PATH, "/var/lib/segur/inbox", 0,
	    C(inbox_path), 0, 0, NULL,
	    "The watched folder. Deliver a file by writing it elsewhere on "
	    "the same file system and renaming it in." },
	{ "inbox", "archive", "path", K_PATH, "archive", CFG_BESIDE_LEDGER,
	    C(archive_path), 0, 0, NULL,
	    "Where ingested files are moved. segurctl looks for the "
	    "archive in the same default place (audit verify)." },
	{ "inbox", "quarantine", "path", K_PATH, "quarantine",
	    CFG_BESIDE_LEDGER, C(quarantine_path), 0, 0, NULL,
	    "Where files that cannot be ingested are moved." },
	{ "inbox", "settle", "duration", K_DURATION, "500ms", 0,
	    C(settle_ms), 10, 3600000, NULL,
	    "How long a file written in place must keep the same size and "
	    "modification time before it is taken (10ms to 1h)." },
	{ "inbox", "rescan", "duration", K_DURATION, "60s", 0,
	    C(rescan_ms), 1000, MS_PER_DAY, NULL,
	    "Period of the full rescan of the inbox, which catches what "
	    "file events missed (1s to 1d)." },
	{ "inbox", "stuck_after", "duration", K_DURATION, "2min", 0,
	    C(stuck_after_ms), 1000, MS_PER_DAY, NULL,
	    "/healthz answers 503 while the processing of one file has "
	    "lasted longer than this (1s to 1d)." },

	{ "http", "listen", "address", K_STR, "127.0.0.1:9477", 0,
	    C(listen), 0, 0, check_listen,
	    "A loopback IPv4 address and port (127.0.0.1:9477), an IPv6 "
	    "one in brackets ([::1]:9477), or unix: and an absolute "
	    "socket path. Other addresses are refused unless allow_remote "
	    "= yes." },
	{ "http", "allow_remote", "no|yes", K_CHOICE, "no", 0,
	    C(allow_remote), 0, 0, NULL,
	    "yes lets listen name an address that is not loopback. segurd "
	    "has no authentication and no TLS: expose its console only "
	    "through a reverse proxy that has both (docs/console.md), and "
	    "keep it loopback-only otherwise." },
	{ "http", "max_request_bytes", "bytes", K_UINT, "8192", 0,
	    C(max_request_bytes), 1024, 1048576, NULL,
	    "Largest request accepted, headers included; larger ones get "
	    "413 or 431 (1024 to 1048576)." },
	{ "http", "client_timeout", "duration", K_DURATION, "10s", 0,
	    C(client_timeout_ms), 100, 300000, NULL,
	    "A client that has not sent a whole request within this time "
	    "gets 408 and is disconnected (100ms to 5min)." },
	{ "http", "max_per_client", "count", K_UINT, "8", 0,
	    C(max_per_client), 1, 64, NULL,
	    "Connections one client (an IP address, or a user on the Unix "
	    "socket) may hold at once, out of 64 in all; a new one beyond "
	    "either bound evicts the oldest one still waiting for its "
	    "request (1 to 64)." },

	{ "log", "level", "error|warning|info|debug", K_LOGLEVEL, "info", 0,
	    C(log_level), 0, 0, NULL,
	    "The most verbose level written." },

	{ "webhook", "url", "url", K_URL, NULL, CFG_REQUIRED,
	    W(url), 0, 0, check_webhook_url,
	    "The https:// address alerts are posted to (http:// only to "
	    "127.0.0.1, [::1] or localhost). Printed with its path "
	    "masked, since chat webhooks carry their token there." },
	{ "webhook", "secret_file", "file", K_SECRET, NULL, 0,
	    W(secret), 0, 0, NULL,
	    "File holding the Standard Webhooks secret (whsec_ and the "
	    "base64 of 24 to 64 bytes, or the bare base64), required with "
	    "format standard. A bare name is looked up in "
	    "$CREDENTIALS_DIRECTORY when set." },
	{ "webhook", "format", "standard|text", K_CHOICE, "standard", 0,
	    W(format), 0, 0, NULL,
	    "standard: signed JSON (webhook-id, webhook-timestamp, "
	    "webhook-signature); text: {\"text\": ...} for Slack, "
	    "Mattermost or Rocket.Chat." },
	{ "webhook", "timeout", "duration", K_DURATION, "10s", 0,
	    W(timeout_ms), 1000, 300000, NULL,
	    "Time allowed for one delivery attempt (1s to 5min)." },

	{ "mail", "smtp_url", "url", K_URL, NULL, CFG_REQUIRED,
	    C(mail.smtp_url), 0, 0, check_smtp_url,
	    "smtp://host:port (with STARTTLS, see starttls) or "
	    "smtps://host:port." },
	{ "mail", "from", "address", K_STR, NULL, CFG_REQUIRED,
	    C(mail.from), 0, 0, check_address,
	    "Sender address." },
	{ "mail", "to", "addresses", K_STR, NULL, CFG_REQUIRED,
	    C(mail.to), 0, 0, check_address_list,
	    "Recipients, separated by commas." },
	{ "mail", "username", "string", K_STR, NULL, 0,
	    C(mail.username), 0, 0, check_username,
	    "SMTP login; needs password_file." },
	{ "mail", "password_file", "file", K_SECRET, NULL, 0,
	    C(mail.password), 0, 0, NULL,
	    "File holding the SMTP password; needs username. A bare name "
	    "is looked up in $CREDENTIALS_DIRECTORY when set." },
	{ "mail", "starttls", "required|try|no", K_CHOICE, "required", 0,
	    C(mail.starttls), 0, 0, NULL,
	    "For smtp:// URLs: required refuses to send without STARTTLS; "
	    "no is allowed only without a login or to a loopback server." },
	{ "mail", "timeout", "duration", K_DURATION, "30s", 0,
	    C(mail.timeout_ms), 1000, 300000, NULL,
	    "Time allowed for one SMTP session (1s to 5min)." },

	{ "alerts", "retry_for", "duration", K_DURATION, "24h", 0,
	    C(retry_for_ms), 60000, 30 * MS_PER_DAY, NULL,
	    "How long a failing delivery is retried, with exponential "
	    "back-off, before the alert is marked failed (1min to 30d)." },
	{ "alerts", "digest", "off|duration", K_DURATION_OFF, "off", 0,
	    C(digest_ms), 60000, MS_PER_DAY, NULL,
	    "off sends one message per alert; a duration (15min) groups "
	    "the alerts of each period into one message (1min to 1d)." },

	{ "reminders", "at", "HH:MM", K_TIME, "09:00", 0,
	    C(remind_at_minute), 0, 0, NULL,
	    "Local time of the daily check." },
	{ "reminders", "submitted_days", "days", K_UINT, "7", 0,
	    C(submitted_days), 0, 3650, NULL,
	    "Remind of a submitted file with no answer from ASP after this "
	    "many days." },
	{ "reminders", "decision_days", "days", K_UINT, "60", 0,
	    C(decision_days), 0, 3650, NULL,
	    "Remind of an accepted request with no grant or refusal after "
	    "this many days." },
	{ "reminders", "balance_days", "days", K_UINT, "180", 0,
	    C(balance_days), 0, 3650, NULL,
	    "Remind of a paid advance with no balance request after this "
	    "many days." },
	{ "reminders", "balance_deadline_days", "days", K_UINT, "0", 0,
	    C(balance_deadline_days), 0, 3650, NULL,
	    "The programme's deadline for the balance request, in days "
	    "after the advance payment, quoted in balance reminders when "
	    "the ledger has none (neither a request's own nor segurctl "
	    "ref set solde-deadline-days); 0: the ledger's built-in "
	    "default, 365 days." },
	{ "reminders", "chain_head", "0|1", K_UINT, "1", 0,
	    C(chain_head), 0, 1, NULL,
	    "1: with the daily check, queue an alert carrying the head of "
	    "the event log, so that it leaves the database every day "
	    "(segurctl audit verify --head proves the ledger extends it); "
	    "0: do not." },
};
#define NKEYS	(sizeof(cfg_keys) / sizeof(cfg_keys[0]))

/* The state of one load. */
struct cfg_ctx {
	struct segurd_config *cfg;
	const char	*file;
	char		*dir;		/* folder of file, for relative paths */
	const char	*buf;		/* the file's bytes */
	size_t		 len, pos;	/* cfg_reader()'s position */
	int		 lineno;	/* line cfg_reader() handed out last */
	struct segur_buf errs;		/* "FILE:LINE: msg\n"... */
	int		 nerrs;
	int		 oom;
	int		 section_line[NSECTIONS];
	int		 set_main[NKEYS];	/* line each key was set at */
	int		 set_webhook[SEGURD_MAX_WEBHOOKS][NKEYS];
	int		 cur_section;	/* for check functions */
	int		 cur_webhook;
};

static void
cfg_error(struct cfg_ctx *ctx, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records one error at line (0: no line). */
static void
cfg_error(struct cfg_ctx *ctx, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	if (ctx->nerrs++ >= CFG_MAX_ERRORS)
		return;
	if (line > 0)
		rc = segur_buf_addf(&ctx->errs, "%s:%d: ", ctx->file, line);
	else
		rc = segur_buf_addf(&ctx->errs, "%s: ", ctx->file);
	va_start(ap, fmt);
	if (rc == 0)
		rc = segur_buf_vaddf(&ctx->errs, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = segur_buf_adds(&ctx->errs, "\n");
	if (rc != 0)
		ctx->oom = 1;
}

/* Durations. */

static const struct {
	const char	*unit;
	uint64_t	 ms;
} duration_units[] = {
	{ "d", MS_PER_DAY },
	{ "h", 3600000 },
	{ "min", 60000 },
	{ "s", 1000 },
	{ "ms", 1 },
};
#define NUNITS	(sizeof(duration_units) / sizeof(duration_units[0]))

int
segurd_duration_parse(const char *s, uint64_t *ms, char **cause)
{
	const char	*p = s;
	uint64_t	 n = 0;
	size_t		 i;

	if (*p < '0' || *p > '9')
		return (segur_cause(cause, SEGUR_EINVAL, "« %s » n'est pas "
		    "une durée : un nombre et une unité (ms, s, min, h, d) "
		    "sont attendus, par exemple 30s", s));
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "durée « %s » trop grande", s));
		n = n * 10 + (uint64_t)(*p - '0');
	}
	for (i = 0; i < NUNITS; i++) {
		if (strcmp(p, duration_units[i].unit) != 0)
			continue;
		if (n > UINT64_MAX / duration_units[i].ms)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "durée « %s » trop grande", s));
		*ms = n * duration_units[i].ms;
		return (0);
	}
	if (*p == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "durée « %s » sans "
		    "unité : écrivez %sms, %ss, %smin, %sh ou %sd", s, s, s, s,
		    s, s));
	return (segur_cause(cause, SEGUR_EINVAL, "durée « %s » : unité "
	    "inconnue « %s » (ms, s, min, h ou d attendu)", s, p));
}

void
segurd_duration_format(uint64_t ms, char *buf, size_t size)
{
	size_t	 i;

	for (i = 0; i < NUNITS; i++) {
		if (ms != 0 && ms % duration_units[i].ms == 0) {
			snprintf(buf, size, "%llu%s", (unsigned long long)(ms /
			    duration_units[i].ms), duration_units[i].unit);
			return;
		}
	}
	snprintf(buf, size, "%llums", (unsigned long long)ms);
}

/* Listen addresses. */

/* Parses a decimal port 1..65535 that ends the string. */
static int
parse_port(const char *s, int *port)
{
	long	 n = 0;

	if (*s == '\0' || strlen(s) > 5)
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		n = n * 10 + (*s - '0');
	}
	if (n < 1 || n > 65535)
		return (-1);
	*port = (int)n;
	return (0);
}

/* Parses s; with remote, an address that is not loopback is kept, and
 * out->remote says so. */
static int
listen_parse(const char *s, struct segurd_listen *out, int remote,
    char **cause)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	const char	*colon, *end;
	size_t		 n;

	memset(out, 0, sizeof(*out));
	if (strncmp(s, "unix:", 5) == 0) {
		out->kind = SEGURD_LISTEN_UNIX;
		if (s[5] != '/')
			return (segur_cause(cause, SEGUR_EINVAL, "« %s » : le "
			    "chemin d'une socket Unix doit être absolu", s));
		if (strlen(s + 5) >= sizeof(out->path))
			return (segur_cause(cause, SEGUR_EINVAL, "« %s » : "
			    "chemin de socket de plus de %zu octets", s,
			    sizeof(out->path) - 1));
		snprintf(out->path, sizeof(out->path), "%s", s + 5);
		return (0);
	}
	out->kind = SEGURD_LISTEN_TCP;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return (segur_cause(cause, SEGUR_EINVAL,
			    "« %s » : "
			    "[IPv6]:PORT attendu", s));
		n = (size_t)(end - s - 1);
		if (n == 0 || n >= sizeof(out->host))
			return (segur_cause(cause, SEGUR_EINVAL, "« %s » : "
			    "adresse IPv6 invalide", s));
		memcpy(out->host, s + 1, n);
		out->host[n] = '\0';
		colon = end + 1;
		if (inet_pton(AF_INET6, out->host, &a6) != 1)
			return (segur_cause(cause, SEGUR_EINVAL, "« %s » : "
			    "adresse IPv6 invalide (un nom n'est pas accepté)",
			    s));
		out->remote = !IN6_IS_ADDR_LOOPBACK(&a6);
		if (out->remote && !remote)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "« %s » n'est "
			    "pas une adresse locale : segurd ne sert que sur "
			    "::1, 127.0.0.0/8 ou une socket Unix", s));
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "« %s » : "
			    "ADRESSE:PORT ou unix:/CHEMIN attendu", s));
		n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(out->host))
			return (segur_cause(cause, SEGUR_EINVAL, "« %s » : "
			    "adresse invalide", s));
		memcpy(out->host, s, n);
		out->host[n] = '\0';
		if (inet_pton(AF_INET, out->host, &a4) != 1)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "« %s » : adresse "
			    "IPv4 invalide (un nom n'est pas accepté ; une "
			    "adresse IPv6 s'écrit entre crochets)", s));
		out->remote = (ntohl(a4.s_addr) >> 24) != 127;
		if (out->remote && !remote)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "« %s » n'est "
			    "pas une adresse locale : segurd ne sert que sur "
			    "127.0.0.0/8, ::1 ou une socket Unix", s));
	}
	if (parse_port(colon + 1, &out->port) != 0)
		return (segur_cause(cause, SEGUR_EINVAL, "« %s » : le port "
		    "doit aller de 1 à 65535", s));
	return (0);
}

int
segurd_listen_parse(const char *s, struct segurd_listen *out, char **cause)
{
	return (listen_parse(s, out, 0, cause));
}

/* Check functions of the table. */

/* Any address here; one that is not loopback needs allow_remote, which
 * may come later in the file (cfg_finish()). */
static int
check_listen(struct cfg_ctx *ctx, const char *v, char **cause)
{
	return (listen_parse(v, &ctx->cfg->listen_addr, 1, cause));
}

/* Is the host of a URL (after "scheme://") a loopback one? */
static int
url_host_is_loopback(const char *rest)
{
	static const char *const hosts[] = { "127.0.0.1", "[::1]",
	    "localhost" };
	size_t	 i, n;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		n = strlen(hosts[i]);
		if (strncmp(rest, hosts[i], n) == 0 &&
		    (rest[n] == '\0' || rest[n] == ':' || rest[n] == '/'))
			return (1);
	}
	return (0);
}

/* Checks scheme://host...: no spaces, no user info, a host. */
static int
check_url_common(const char *v, const char *rest, char **cause)
{
	const char	*p;
	size_t		 hostlen;

	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return (segur_cause(cause, SEGUR_EINVAL, "URL avec une "
			    "espace ou un caractère de contrôle"));
	hostlen = strcspn(rest, "/?#");
	if (hostlen == 0 || rest[0] == ':')
		return (segur_cause(cause, SEGUR_EINVAL, "URL sans hôte"));
	if (memchr(rest, '@', hostlen) != NULL)
		return (segur_cause(cause, SEGUR_EINVAL, "l'URL ne doit "
		    "porter ni utilisateur ni mot de passe ; utilisez username "
		    "et password_file"));
	return (0);
}

static int
check_webhook_url(struct cfg_ctx *ctx, const char *v, char **cause)
{
	(void)ctx;
	if (strncmp(v, "https://", 8) == 0)
		return (check_url_common(v, v + 8, cause));
	if (strncmp(v, "http://", 7) == 0) {
		if (!url_host_is_loopback(v + 7))
			return (segur_cause(cause, SEGUR_EINVAL,
			    "http:// en clair n'est permis que vers un hôte "
			    "local ; utilisez https://"));
		return (check_url_common(v, v + 7, cause));
	}
	return (segur_cause(cause, SEGUR_EINVAL, "l'URL d'un webhook "
	    "doit commencer par https://"));
}

static int
check_smtp_url(struct cfg_ctx *ctx, const char *v, char **cause)
{
	(void)ctx;
	if (strncmp(v, "smtps://", 8) == 0)
		return (check_url_common(v, v + 8, cause));
	if (strncmp(v, "smtp://", 7) == 0)
		return (check_url_common(v, v + 7, cause));
	return (segur_cause(cause, SEGUR_EINVAL, "l'URL SMTP doit commencer "
	    "par smtp:// ou smtps://"));
}

/* A plain address local@domain, no display name, no spaces. */
static int
address_ok(const char *s, size_t n)
{
	const char	*at;
	size_t		 i;

	if (n == 0 || n > 254)
		return (0);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>(),;:\"\\[]",
		    s[i]) != NULL || s[i] == 0x7f)
			return (0);
	at = memchr(s, '@', n);
	if (at == NULL || at == s || at == s + n - 1 ||
	    memchr(at + 1, '@', (size_t)(s + n - at - 1)) != NULL)
		return (0);
	return (memchr(at + 1, '.', (size_t)(s + n - at - 1)) != NULL ||
	    strncmp(at + 1, "localhost", (size_t)(s + n - at - 1)) == 0);
}

static int
check_address(struct cfg_ctx *ctx, const char *v, char **cause)
{
	(void)ctx;
	if (!address_ok(v, strlen(v)))
		return (segur_cause(cause, SEGUR_EINVAL, "« %s » n'est pas "
		    "une simple adresse électronique (nom@example.org)", v));
	return (0);
}

static int
check_address_list(struct cfg_ctx *ctx, const char *v, char **cause)
{
	const char	*p = v, *end;
	size_t		 n;

	(void)ctx;
	for (;;) {
		p += strspn(p, " ");
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (!address_ok(p, n))
			return (segur_cause(cause, SEGUR_EINVAL,
			    "« %.*s » n'est "
			    "pas une simple adresse électronique (écrivez "
			    "nom@example.org, séparées par des virgules)",
			    (int)n, p));
		if (end == NULL)
			return (0);
		p = end + 1;
	}
}

static int
check_username(struct cfg_ctx *ctx, const char *v, char **cause)
{
	const char	*p;

	(void)ctx;
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return (segur_cause(cause, SEGUR_EINVAL,
			    "username contient "
			    "un caractère de contrôle"));
	return (0);
}

/* Secrets. */

/*
 * Resolves the file name of a secret: absolute as is; a bare name in
 * $CREDENTIALS_DIRECTORY when set (systemd LoadCredential=); anything
 * else beside the configuration file. Returns a malloc'ed path or NULL.
 */
static char *
secret_path(struct cfg_ctx *ctx, const char *v)
{
	const char	*creds;

	if (v[0] == '/')
		return (strdup(v));
	creds = getenv("CREDENTIALS_DIRECTORY");
	if (creds != NULL && creds[0] != '\0' && strchr(v, '/') == NULL)
		return (segur_asprintf("%s/%s", creds, v));
	return (segur_asprintf("%s/%s", ctx->dir, v));
}

/* Reads a secret file into s; the value never appears in a cause. */
static int
secret_read(const char *path, struct segurd_secret *s, char **cause)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 r;
	size_t		 n = 0, i;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return (segur_cause(cause, SEGUR_EIO, "impossible "
		    "d'ouvrir le fichier secret %s : %s", path,
		    strerror(errno)));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (segur_cause(cause, SEGUR_EINVAL, "le fichier secret "
		    "%s n'est pas un fichier ordinaire", path));
	}
	if (st.st_mode & S_IROTH) {
		close(fd);
		return (segur_cause(cause, SEGUR_EINVAL, "le fichier secret "
		    "%s est lisible par tous : faites chmod o-rwx", path));
	}
	if (st.st_size > SEGURD_SECRET_MAX) {
		close(fd);
		return (segur_cause(cause, SEGUR_ETOOBIG, "le fichier "
		    "secret %s dépasse %d octets", path, SEGURD_SECRET_MAX));
	}
	if ((buf = malloc(SEGURD_SECRET_MAX + 2)) == NULL) {
		close(fd);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	while (n < SEGURD_SECRET_MAX + 1) {
		r = read(fd, buf + n, SEGURD_SECRET_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			segur_cause(cause, SEGUR_EIO, "impossible de "
			    "lire le fichier secret %s : %s", path,
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	fd = -1;
	if (n > SEGURD_SECRET_MAX) {
		segur_cause(cause, SEGUR_ETOOBIG, "le fichier secret %s "
		    "dépasse %d octets", path, SEGURD_SECRET_MAX);
		goto fail;
	}
	/* One final newline, as editors and echo write, is not part of it. */
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0) {
		segur_cause(cause, SEGUR_EINVAL, "le fichier secret %s est "
		    "vide", path);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == '\0' || buf[i] == '\n' || buf[i] == '\r') {
			segur_cause(cause, SEGUR_EINVAL, "le fichier secret "
			    "%s a plus d'une ligne ou un octet NUL", path);
			goto fail;
		}
	}
	buf[n] = '\0';
	s->value = buf;
	s->len = n;
	return (0);
fail:
	if (fd >= 0)
		close(fd);
	explicit_bzero(buf, SEGURD_SECRET_MAX + 2);
	free(buf);
	return (SEGUR_EINVAL);
}

static void
secret_release(struct segurd_secret *s)
{
	if (s->value != NULL) {
		explicit_bzero(s->value, s->len);
		free(s->value);
	}
	free(s->file);
	memset(s, 0, sizeof(*s));
}

/* Applying one value of the table. */

/* Parses an unsigned decimal number, no sign, no spaces. */
static int
parse_uint(const char *s, uint64_t *out)
{
	uint64_t	 n = 0;

	if (*s == '\0')
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
			return (-1);
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*out = n;
	return (0);
}

/* Finds v among the '|'-separated choices; its index or -1. */
static int
choice_index(const char *choices, const char *v)
{
	const char	*p = choices;
	size_t		 n, vl = strlen(v);
	int		 i;

	for (i = 0;; i++) {
		n = strcspn(p, "|");
		if (n == vl && strncmp(p, v, n) == 0)
			return (i);
		if (p[n] == '\0')
			return (-1);
		p += n + 1;
	}
}

/* Replaces the string at *dst by a copy of v. */
static int
set_string(char **dst, const char *v)
{
	char	*s;

	if ((s = strdup(v)) == NULL)
		return (SEGUR_ENOMEM);
	free(*dst);
	*dst = s;
	return (0);
}

/*
 * Parses v for key k into the storage at base + k->off. Returns 0 or
 * SEGUR_E* with *cause (no file or line: the caller adds them).
 */
static int
cfg_apply(struct cfg_ctx *ctx, const struct cfg_key *k, void *base,
    const char *v, char **cause)
{
	void		*dst = (char *)base + k->off;
	uint64_t	 n;
	char		*path;
	int		 rc, i;
	enum log_level	 lvl;

	if (v[0] == '\0')
		return (segur_cause(cause, SEGUR_EINVAL, "%s est vide ; "
		    "retirez la ligne pour garder la valeur par défaut",
		    k->name));
	if (k->check != NULL && (rc = k->check(ctx, v, cause)) != 0)
		return (rc);
	switch (k->kind) {
	case K_STR:
	case K_URL:
		return (set_string(dst, v));
	case K_PATH:
		for (i = 0; v[i] != '\0'; i++)
			if ((unsigned char)v[i] < ' ')
				return (segur_cause(cause, SEGUR_EINVAL,
				    "chemin avec un caractère de contrôle"));
		if (v[0] == '/')
			return (set_string(dst, v));
		if ((path = segur_asprintf("%s/%s", ctx->dir, v)) == NULL)
			return (SEGUR_ENOMEM);
		free(*(char **)dst);
		*(char **)dst = path;
		return (0);
	case K_DURATION_OFF:
		if (strcmp(v, "off") == 0) {
			*(uint64_t *)dst = 0;
			return (0);
		}
		/* FALLTHROUGH */
	case K_DURATION:
		if ((rc = segurd_duration_parse(v, &n, cause)) != 0)
			return (rc);
		if (n < k->lo || n > k->hi) {
			char lo[32], hi[32];

			segurd_duration_format(k->lo, lo, sizeof(lo));
			segurd_duration_format(k->hi, hi, sizeof(hi));
			return (segur_cause(cause, SEGUR_EINVAL,
			    "%s = %s hors "
			    "limites (de %s à %s)", k->name, v, lo, hi));
		}
		*(uint64_t *)dst = n;
		return (0);
	case K_UINT:
		if (parse_uint(v, &n) != 0 || n < k->lo || n > k->hi)
			return (segur_cause(cause, SEGUR_EINVAL, "%s = %s : "
			    "nombre entier de %llu à %llu attendu",
			    k->name, v, (unsigned long long)k->lo,
			    (unsigned long long)k->hi));
		*(uint64_t *)dst = n;
		return (0);
	case K_CHOICE:
		if ((i = choice_index(k->type, v)) < 0)
			return (segur_cause(cause, SEGUR_EINVAL, "%s = %s : "
			    "une valeur parmi %s attendue", k->name, v,
			    k->type));
		*(int *)dst = i;
		return (0);
	case K_LOGLEVEL:
		if (log_level_parse(v, &lvl) != 0)
			return (segur_cause(cause, SEGUR_EINVAL, "%s = %s : "
			    "une valeur parmi %s attendue", k->name, v,
			    k->type));
		*(enum log_level *)dst = lvl;
		return (0);
	case K_SECRET: {
		struct segurd_secret *s = dst, ns = { NULL, NULL, 0 };

		if ((ns.file = secret_path(ctx, v)) == NULL)
			return (SEGUR_ENOMEM);
		if ((rc = secret_read(ns.file, &ns, cause)) != 0) {
			free(ns.file);
			return (rc);
		}
		secret_release(s);
		*s = ns;
		return (0);
	}
	case K_TIME:
		if (strlen(v) != 5 || v[2] != ':' || v[0] < '0' ||
		    v[0] > '2' || v[1] < '0' || v[1] > '9' || v[3] < '0' ||
		    v[3] > '5' || v[4] < '0' || v[4] > '9' ||
		    (v[0] - '0') * 10 + (v[1] - '0') > 23)
			return (segur_cause(cause, SEGUR_EINVAL, "%s = %s : "
			    "heure HH:MM de 00:00 à 23:59 attendue",
			    k->name, v));
		*(unsigned *)dst = (unsigned)(((v[0] - '0') * 10 +
		    (v[1] - '0')) * 60 + (v[3] - '0') * 10 + (v[4] - '0'));
		return (0);
	}
	return (SEGUR_EINVAL);
}

/* Applies the defaults of section sec to base. */
static int
cfg_defaults(struct cfg_ctx *ctx, const char *sec, void *base)
{
	size_t	 i;
	char	*cause = NULL;
	int	 rc;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(cfg_keys[i].section, sec) != 0 ||
		    cfg_keys[i].def == NULL ||
		    (cfg_keys[i].flags & CFG_BESIDE_LEDGER))
			continue;
		rc = cfg_apply(ctx, &cfg_keys[i], base, cfg_keys[i].def,
		    &cause);
		/* Defaults are checked by the tests: only ENOMEM is left. */
		free(cause);
		cause = NULL;
		if (rc != 0)
			return (rc);
	}
	return (0);
}

/* Section headers. */

static int
section_index(const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < NSECTIONS; i++)
		if (strlen(cfg_sections[i].name) == n &&
		    strncmp(cfg_sections[i].name, name, n) == 0)
			return ((int)i);
	return (-1);
}

/*
 * Splits the text of a section header (as inih passes it: what is
 * between '[' and ']') into a section index and an instance name.
 * Returns 0, or -1 with *why set to a static reason.
 */
static int
section_split(const char *hdr, int *sec, char *name, size_t namesz,
    const char **why)
{
	const char	*p = hdr, *w;
	size_t		 n;

	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if ((*sec = section_index(p, n)) < 0) {
		*why = "section inconnue";
		return (-1);
	}
	p += n;
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	w = p + n;
	w += strspn(w, " \t");
	if (*w != '\0') {
		*why = "un en-tête de section s'écrit [NOM] ou [webhook NOM]";
		return (-1);
	}
	if (!cfg_sections[*sec].multi) {
		if (n != 0) {
			*why = "cette section ne prend pas de nom";
			return (-1);
		}
		name[0] = '\0';
		return (0);
	}
	if (n == 0) {
		snprintf(name, namesz, "default");
		return (0);
	}
	if (n > 32 || n >= namesz) {
		*why = "nom de webhook de plus de 32 caractères";
		return (-1);
	}
	for (w = p; w < p + n; w++) {
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		    (*w >= '0' && *w <= '9') || *w == '-' || *w == '_')) {
			*why = "un nom de webhook n'a que des lettres, des "
			    "chiffres, « - » et « _ »";
			return (-1);
		}
	}
	memcpy(name, p, n);
	name[n] = '\0';
	return (0);
}

/* Finds the webhook called name; its index or -1. */
static int
webhook_find(const struct segurd_config *cfg, const char *name)
{
	size_t	 i;

	for (i = 0; i < cfg->nwebhooks; i++)
		if (strcmp(cfg->webhooks[i].name, name) == 0)
			return ((int)i);
	return (-1);
}

/* Handles the header on line lineno whose text (from '[') is p. */
static int
line_section(struct cfg_ctx *ctx, int lineno, const char *p, size_t n)
{
	struct segurd_webhook *w;
	const char	*close, *why;
	char		 hdr[128], name[64];
	int		 sec, i;

	close = memchr(p, ']', n);
	if (close == NULL) {
		cfg_error(ctx, lineno, "en-tête de section sans « ] »");
		return (0);
	}
	/* inih keeps 50 bytes of a section name. */
	if ((size_t)(close - p - 1) >= 50) {
		cfg_error(ctx, lineno, "en-tête de section trop long");
		return (0);
	}
	memcpy(hdr, p + 1, (size_t)(close - p - 1));
	hdr[close - p - 1] = '\0';
	if (section_split(hdr, &sec, name, sizeof(name), &why) != 0) {
		cfg_error(ctx, lineno, "[%s] : %s", hdr, why);
		return (0);
	}
	if (!cfg_sections[sec].multi) {
		if (ctx->section_line[sec] != 0) {
			cfg_error(ctx, lineno, "section [%s] déjà ouverte à "
			    "la ligne %d", cfg_sections[sec].name,
			    ctx->section_line[sec]);
			return (0);
		}
		ctx->section_line[sec] = lineno;
		if (strcmp(cfg_sections[sec].name, "mail") == 0) {
			ctx->cfg->mail.enabled = 1;
			ctx->cfg->mail.line = lineno;
			return (cfg_defaults(ctx, "mail", ctx->cfg));
		}
		return (0);
	}
	if ((i = webhook_find(ctx->cfg, name)) >= 0) {
		cfg_error(ctx, lineno, "[webhook %s] déjà ouverte à la ligne "
		    "%d", name, ctx->cfg->webhooks[i].line);
		return (0);
	}
	if (ctx->cfg->nwebhooks == SEGURD_MAX_WEBHOOKS) {
		cfg_error(ctx, lineno, "plus de %d webhooks",
		    SEGURD_MAX_WEBHOOKS);
		return (0);
	}
	w = &ctx->cfg->webhooks[ctx->cfg->nwebhooks++];
	w->line = lineno;
	if ((w->name = strdup(name)) == NULL)
		return (SEGUR_ENOMEM);
	return (cfg_defaults(ctx, "webhook", w));
}

/*
 * Pass 1: line lengths, NUL bytes and section headers. inih would cut a
 * long line in two silently (the tail becoming a key of its own) and
 * would never tell an empty section.
 */
static int
cfg_lines(struct cfg_ctx *ctx)
{
	const char	*p = ctx->buf, *end = ctx->buf + ctx->len, *nl, *s;
	size_t		 n;
	int		 lineno = 0, rc;

	if (memchr(ctx->buf, '\0', ctx->len) != NULL) {
		cfg_error(ctx, 0, "le fichier contient un octet NUL : ce n'est "
		    "pas un fichier texte");
		return (0);
	}
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > SEGURD_CONFIG_MAX_LINE) {
			cfg_error(ctx, lineno, "ligne de %zu octets ; les "
			    "lignes de plus de %d octets sont refusées, car "
			    "inih les couperait sans le dire", n,
			    SEGURD_CONFIG_MAX_LINE);
		} else {
			s = p;
			if (lineno == 1 && n >= 3 &&
			    memcmp(s, "\xef\xbb\xbf", 3) == 0)
				s += 3;
			while (s < p + n && (*s == ' ' || *s == '\t'))
				s++;
			if (s < p + n && *s == '[' &&
			    (rc = line_section(ctx, lineno, s,
			    (size_t)(p + n - s))) != 0)
				return (rc);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return (0);
}

/* inih's reader: one line at a time, with its line number noted. */
static char *
cfg_reader(char *str, int num, void *stream)
{
	struct cfg_ctx	*ctx = stream;
	const char	*p, *nl;
	size_t		 n, adv;

	if (ctx->pos >= ctx->len)
		return (NULL);
	p = ctx->buf + ctx->pos;
	nl = memchr(p, '\n', ctx->len - ctx->pos);
	n = nl != NULL ? (size_t)(nl - p) : ctx->len - ctx->pos;
	adv = nl != NULL ? n + 1 : n;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	/* Pass 1 refused longer lines; cut anyway rather than overflow. */
	if (num < 2)
		return (NULL);
	if (n > (size_t)num - 2)
		n = (size_t)num - 2;
	memcpy(str, p, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	ctx->pos += adv;
	ctx->lineno++;
	return (str);
}

/* inih's handler: one name = value of the current line. */
static int
cfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_ctx	*ctx = user;
	void		*base;
	int		*set;
	char		 wname[64], *cause = NULL;
	const char	*why;
	size_t		 i;
	int		 sec, w = -1, rc;

	if (section[0] == '\0') {
		cfg_error(ctx, ctx->lineno, "« %s » est hors de toute section",
		    name);
		return (1);
	}
	/* Bad headers were reported by pass 1. */
	if (section_split(section, &sec, wname, sizeof(wname), &why) != 0)
		return (1);
	if (cfg_sections[sec].multi) {
		if ((w = webhook_find(ctx->cfg, wname)) < 0)
			return (1);
		base = &ctx->cfg->webhooks[w];
		set = ctx->set_webhook[w];
	} else {
		base = ctx->cfg;
		set = ctx->set_main;
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(cfg_keys[i].section, cfg_sections[sec].name) == 0 &&
		    strcmp(cfg_keys[i].name, name) == 0)
			break;
	if (i == NKEYS) {
		cfg_error(ctx, ctx->lineno, "clé inconnue « %s » dans [%s]",
		    name, section);
		return (1);
	}
	if (set[i] != 0) {
		cfg_error(ctx, ctx->lineno, "%s déjà donnée à la ligne %d",
		    name, set[i]);
		return (1);
	}
	set[i] = ctx->lineno;
	ctx->cur_section = sec;
	ctx->cur_webhook = w;
	rc = cfg_apply(ctx, &cfg_keys[i], base, value, &cause);
	if (rc == SEGUR_ENOMEM)
		ctx->oom = 1;
	else if (rc != 0)
		cfg_error(ctx, ctx->lineno, "%s", cause != NULL ? cause :
		    segur_strerror(rc));
	free(cause);
	return (1);
}

/* Line where key name of section sec was set in set[], or the fallback. */
static int
key_line(const int *set, const char *sec, const char *name, int fallback)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(cfg_keys[i].section, sec) == 0 &&
		    strcmp(cfg_keys[i].name, name) == 0)
			return (set[i] != 0 ? set[i] : fallback);
	return (fallback);
}

/* Reports the required keys of section sec missing from set[]. */
static void
cfg_required(struct cfg_ctx *ctx, const char *sec, const char *label,
    const int *set, int line)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(cfg_keys[i].section, sec) == 0 &&
		    (cfg_keys[i].flags & CFG_REQUIRED) && set[i] == 0)
			cfg_error(ctx, line, "[%s] demande %s", label,
			    cfg_keys[i].name);
}

/* Is s "whsec_" followed by non-empty base64? */
static int
whsec_ok(const char *s)
{
	const char	*p = s + 6;
	size_t		 n = 0, pad = 0;

	for (; *p != '\0'; p++, n++) {
		if (*p == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || !((*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '+' || *p == '/'))
			return (0);
	}
	return (n > 0 && n % 4 == 0 && pad <= 2);
}

/*
 * The defaults named beside the ledger, for the keys not given: the
 * folder of [ledger] path (absolute by now) and the name, as segurctl
 * finds them (cli/ledger-common.c).
 */
static int
cfg_beside_ledger(struct cfg_ctx *ctx)
{
	const char	*lp = ctx->cfg->ledger_path, *slash;
	char		**dst;
	size_t		 i;

	slash = strrchr(lp, '/');
	for (i = 0; i < NKEYS; i++) {
		if (!(cfg_keys[i].flags & CFG_BESIDE_LEDGER) ||
		    ctx->set_main[i] != 0)
			continue;
		dst = (char **)((char *)ctx->cfg + cfg_keys[i].off);
		free(*dst);
		if (slash == NULL)
			*dst = strdup(cfg_keys[i].def);
		else
			*dst = segur_asprintf("%.*s/%s", slash == lp ? 0 :
			    (int)(slash - lp), lp, cfg_keys[i].def);
		if (*dst == NULL)
			return (SEGUR_ENOMEM);
	}
	return (0);
}

/*
 * listen against allow_remote, which may come after it: after pass 2,
 * whatever else is wrong, so that every error is reported at once.
 */
static void
cfg_check_remote(struct cfg_ctx *ctx)
{
	struct segurd_config *cfg = ctx->cfg;

	if (cfg->listen_addr.remote && !cfg->allow_remote)
		cfg_error(ctx, key_line(ctx->set_main, "http", "listen", 0),
		    "« %s » n'est pas une adresse locale : segurd ne sert que "
		    "sur 127.0.0.0/8, ::1 ou une socket Unix, sauf avec [http] "
		    "allow_remote = yes, derrière un proxy inverse qui "
		    "authentifie (docs/console.md)", cfg->listen);
}

/* Pass 3: what needs several keys. */
static void
cfg_finish(struct cfg_ctx *ctx)
{
	struct segurd_config *cfg = ctx->cfg;
	struct segurd_mail *m = &cfg->mail;
	size_t		 i;
	char		 label[64];
	int		 line;

	if (cfg_beside_ledger(ctx) != 0)
		ctx->oom = 1;
	/* Both spellings load into one place: the second would win
	 * unseen. */
	if (key_line(ctx->set_main, "ledger", "audit_key_file", 0) != 0 &&
	    (line = key_line(ctx->set_main, "audit", "key_file", 0)) != 0)
		cfg_error(ctx, line, "[audit] key_file et [ledger] "
		    "audit_key_file désignent la même clé : ne gardez que "
		    "[audit] key_file");

	for (i = 0; i < cfg->nwebhooks; i++) {
		struct segurd_webhook *w = &cfg->webhooks[i];

		snprintf(label, sizeof(label), "webhook %s", w->name);
		cfg_required(ctx, "webhook", label, ctx->set_webhook[i],
		    w->line);
		line = key_line(ctx->set_webhook[i], "webhook", "secret_file",
		    w->line);
		if (w->format == SEGURD_WEBHOOK_STANDARD &&
		    w->secret.value == NULL)
			cfg_error(ctx, w->line, "[%s] demande secret_file avec "
			    "format = standard (les destinataires vérifient la "
			    "signature)",
			    label);
		if (w->format == SEGURD_WEBHOOK_TEXT &&
		    w->secret.value != NULL)
			cfg_error(ctx, line, "[%s] : secret_file ne sert "
			    "qu'avec format = standard", label);
		if (w->secret.value != NULL &&
		    strncmp(w->secret.value, "whsec_", 6) == 0 &&
		    !whsec_ok(w->secret.value))
			cfg_error(ctx, line, "[%s] : le secret de %s commence "
			    "par whsec_ mais la suite n'est pas du base64",
			    label, w->secret.file);
	}
	if (m->enabled) {
		cfg_required(ctx, "mail", "mail", ctx->set_main, m->line);
		line = key_line(ctx->set_main, "mail", "username", m->line);
		if ((m->username == NULL) != (m->password.value == NULL))
			cfg_error(ctx, line, "[mail] : username et "
			    "password_file vont ensemble");
		if (m->smtp_url != NULL && m->username != NULL &&
		    m->starttls == SEGURD_STARTTLS_OFF &&
		    strncmp(m->smtp_url, "smtp://", 7) == 0 &&
		    !url_host_is_loopback(m->smtp_url + 7))
			cfg_error(ctx, key_line(ctx->set_main, "mail",
			    "starttls", m->line), "[mail] : starttls = no "
			    "enverrait le mot de passe en clair ; utilisez "
			    "required, try ou smtps://");
	}
}

void
segurd_config_free(struct segurd_config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	free(cfg->file);
	free(cfg->ledger_path);
	secret_release(&cfg->audit_key);
	free(cfg->inbox_path);
	free(cfg->archive_path);
	free(cfg->quarantine_path);
	free(cfg->listen);
	for (i = 0; i < cfg->nwebhooks; i++) {
		free(cfg->webhooks[i].name);
		free(cfg->webhooks[i].url);
		secret_release(&cfg->webhooks[i].secret);
	}
	free(cfg->mail.smtp_url);
	free(cfg->mail.from);
	free(cfg->mail.to);
	free(cfg->mail.username);
	secret_release(&cfg->mail.password);
	free(cfg);
}

int
segurd_config_load(const char *file, struct segurd_config **out,
    char **cause)
{
	struct cfg_ctx	 ctx;
	char		*buf = NULL, *slash, *why = NULL, *real;
	size_t		 len = 0;
	int		 rc, ini;

	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	segur_buf_init(&ctx.errs);
	ctx.file = file;
	if ((rc = segur_read_file(file, CFG_FILE_MAX, &buf, &len, &why)) != 0) {
		rc = segur_cause(cause, rc, "%s : %s", file,
		    why != NULL ? why : segur_strerror(rc));
		free(why);
		return (rc);
	}
	if ((ctx.cfg = calloc(1, sizeof(*ctx.cfg))) == NULL ||
	    (ctx.cfg->file = strdup(file)) == NULL ||
	    (ctx.dir = strdup(file)) == NULL) {
		rc = SEGUR_ENOMEM;
		goto done;
	}
	if ((slash = strrchr(ctx.dir, '/')) == NULL)
		snprintf(ctx.dir, strlen(ctx.dir) + 1, ".");
	else if (slash == ctx.dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	/* Absolute, so that paths do not depend on the working folder. */
	if ((real = realpath(ctx.dir, NULL)) != NULL) {
		free(ctx.dir);
		ctx.dir = real;
	}
	ctx.buf = buf;
	ctx.len = len;

	/* Defaults of the sections that are there even when not written. */
	if ((rc = cfg_defaults(&ctx, "ledger", ctx.cfg)) != 0 ||
	    (rc = cfg_defaults(&ctx, "inbox", ctx.cfg)) != 0 ||
	    (rc = cfg_defaults(&ctx, "http", ctx.cfg)) != 0 ||
	    (rc = cfg_defaults(&ctx, "log", ctx.cfg)) != 0 ||
	    (rc = cfg_defaults(&ctx, "alerts", ctx.cfg)) != 0 ||
	    (rc = cfg_defaults(&ctx, "reminders", ctx.cfg)) != 0)
		goto done;
	if ((rc = cfg_lines(&ctx)) != 0)
		goto done;
	if (ctx.nerrs == 0) {
		/*
		 * No continuation lines: an indented "key = value" is a key of
		 * its own, not the tail of the previous value. (A global of
		 * Debian's libinih, which reads it at run time.)
		 */
		ini_allow_multiline = false;
		ini = ini_parse_stream(cfg_reader, &ctx, cfg_handler, &ctx);
		if (ini > 0)
			cfg_error(&ctx, ini, "erreur de syntaxe : nom = "
			    "valeur, [section] ou un commentaire (# ou ;) "
			    "attendu");
		else if (ini < 0)
			ctx.oom = 1;
		cfg_check_remote(&ctx);
		if (ctx.nerrs == 0)
			cfg_finish(&ctx);
	}
	if (ctx.oom) {
		rc = SEGUR_ENOMEM;
		goto done;
	}
	if (ctx.nerrs > 0) {
		if (ctx.nerrs > CFG_MAX_ERRORS)
			cfg_error(&ctx, 0, "%d autres erreurs non montrées",
			    ctx.nerrs - CFG_MAX_ERRORS);
		/* Drop the final newline: the caller prints line by line. */
		if (ctx.errs.len > 0)
			ctx.errs.data[--ctx.errs.len] = '\0';
		if (cause != NULL) {
			free(*cause);
			*cause = segur_buf_detach(&ctx.errs);
		}
		rc = SEGUR_EINVAL;
		goto done;
	}
	*out = ctx.cfg;
	ctx.cfg = NULL;
	rc = 0;
done:
	if (rc == SEGUR_ENOMEM)
		segur_cause(cause, rc, "%s : mémoire épuisée", file);
	segurd_config_free(ctx.cfg);
	segur_buf_release(&ctx.errs);
	free(ctx.dir);
	free(buf);
	return (rc);
}

/* Printing. */

/* Writes a URL with user info dropped and, when mask_path, its path. */
static void
print_url(FILE *f, const char *url, int mask_path)
{
	const char	*rest, *at, *pathp;
	size_t		 hostlen;

	if ((rest = strstr(url, "://")) == NULL) {
		fputs("***", f);
		return;
	}
	rest += 3;
	hostlen = strcspn(rest, "/?#");
	at = memchr(rest, '@', hostlen);
	fprintf(f, "%.*s", (int)(rest - url), url);
	if (at != NULL) {
		hostlen -= (size_t)(at + 1 - rest);
		rest = at + 1;
	}
	fprintf(f, "%.*s", (int)hostlen, rest);
	pathp = rest + hostlen;
	if (*pathp == '\0')
		return;
	if (mask_path)
		fputs("/***", f);
	else
		fputs(pathp, f);
}

/* Writes the value of key k stored at base. */
static void
print_value(FILE *f, const struct cfg_key *k, const void *base)
{
	const void	*src = (const char *)base + k->off;
	char		 buf[64];
	const char	*p;
	int		 i;

	switch (k->kind) {
	case K_STR:
	case K_PATH:
		fputs(*(char *const *)src != NULL ? *(char *const *)src : "",
		    f);
		break;
	case K_URL:
		if (*(char *const *)src != NULL)
			print_url(f, *(char *const *)src,
			    strcmp(k->section, "webhook") == 0);
		break;
	case K_DURATION_OFF:
		if (*(const uint64_t *)src == 0) {
			fputs("off", f);
			break;
		}
		/* FALLTHROUGH */
	case K_DURATION:
		segurd_duration_format(*(const uint64_t *)src, buf,
		    sizeof(buf));
		fputs(buf, f);
		break;
	case K_UINT:
		fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)src);
		break;
	case K_CHOICE:
		p = k->type;
		for (i = *(const int *)src; i > 0; i--)
			p += strcspn(p, "|") + 1;
		fprintf(f, "%.*s", (int)strcspn(p, "|"), p);
		break;
	case K_LOGLEVEL:
		fputs(log_level_name(*(const enum log_level *)src), f);
		break;
	case K_SECRET:
		fputs(((const struct segurd_secret *)src)->file, f);
		break;
	case K_TIME:
		fprintf(f, "%02u:%02u", *(const unsigned *)src / 60,
		    *(const unsigned *)src % 60);
		break;
	}
}

/* Writes the keys of section sec for one instance (base, set-ness). */
static void
print_section(FILE *f, const char *sec, const void *base)
{
	const struct segurd_secret *s = NULL;
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(cfg_keys[i].section, sec) != 0)
			continue;
		if (cfg_keys[i].kind == K_SECRET) {
			s = (const void *)((const char *)base +
			    cfg_keys[i].off);
			if (s->value == NULL)
				continue;
		} else if ((cfg_keys[i].kind == K_STR ||
		    cfg_keys[i].kind == K_URL) &&
		    *(char *const *)((const char *)base +
		    cfg_keys[i].off) == NULL)
			continue;
		fprintf(f, "%s = ", cfg_keys[i].name);
		print_value(f, &cfg_keys[i], base);
		if (s != NULL && cfg_keys[i].kind == K_SECRET)
			fprintf(f, "\t; secret lu : %zu octets, non montré",
			    s->len);
		fputc('\n', f);
	}
}

int
segurd_config_print(const struct segurd_config *cfg, FILE *f)
{
	size_t	 i, j;

	fprintf(f, "; configuration effective lue dans %s\n", cfg->file);
	for (i = 0; i < NSECTIONS; i++) {
		const char *sec = cfg_sections[i].name;

		if (cfg_sections[i].multi) {
			for (j = 0; j < cfg->nwebhooks; j++) {
				fprintf(f, "\n[%s %s]\n", sec,
				    cfg->webhooks[j].name);
				print_section(f, sec, &cfg->webhooks[j]);
			}
			continue;
		}
		if (strcmp(sec, "mail") == 0 && !cfg->mail.enabled)
			continue;
		fprintf(f, "\n[%s]\n", sec);
		print_section(f, sec, cfg);
	}
	return (ferror(f) || fflush(f) != 0 ? -1 : 0);
}

/* Writes text for mdoc: a line starting with '.' or '\'' is escaped. */
static void
doc_text(FILE *f, const char *s)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else
			fputc(*s, f);
	}
	fputc('\n', f);
}

int
segurd_config_doc(FILE *f)
{
	size_t	 i, j;

	for (i = 0; i < NSECTIONS; i++) {
		fprintf(f, ".Ss [%s%s]\n", cfg_sections[i].name,
		    cfg_sections[i].multi ? " NAME" : "");
		doc_text(f, cfg_sections[i].doc);
		fputs(".Bl -tag -width Ds\n", f);
		for (j = 0; j < NKEYS; j++) {
			const struct cfg_key *k = &cfg_keys[j];

			if (strcmp(k->section, cfg_sections[i].name) != 0)
				continue;
			fprintf(f, ".It Ic %s No = Ar %s\n", k->name, k->type);
			doc_text(f, k->doc);
			if (k->flags & CFG_BESIDE_LEDGER)
				fprintf(f, "Default:\n.Ql %s\nin the folder of "
				    "the ledger\n.Pq Ic [ledger] path .\n",
				    k->def);
			else if (k->def != NULL)
				fprintf(f, "Default:\n.Ql %s .\n", k->def);
			else if (k->flags & CFG_REQUIRED)
				fputs("Required.\n", f);
			else
				fputs("No default.\n", f);
		}
		fputs(".El\n", f);
	}
	return (ferror(f) || fflush(f) != 0 ? -1 : 0);
}
