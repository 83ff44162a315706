/*
 * config.h: segurd.conf, read with inih and checked against one table.
 *
 * Every key lives in one declarative table in config.c (section, name,
 * type, default, check function, one-line doc). The table drives the
 * parsing, the defaults, segurd --check-config (segurd_config_print) and
 * the key list of segurd.conf(5) (segurd_config_doc). A configuration is
 * loaded whole into a new struct segurd_config or not at all, so SIGHUP
 * can swap it only when the new one is valid.
 *
 * Secrets (webhook secret, SMTP password) are read from files named in the
 * configuration, at load; they live only in struct segurd_secret.value and
 * no function of this module prints or logs them.
 */
#ifndef SEGURD_CONFIG_H
#define SEGURD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "deliver.h"
#include "log.h"

#define SEGURD_CONFIG_DEFAULT	"/etc/segur/segurd.conf"
#define SEGURD_MAX_WEBHOOKS	16
/* Longest line inih (r55, fixed 200-byte buffer) reads whole. */
#define SEGURD_CONFIG_MAX_LINE	198
/* Largest secret file read. */
#define SEGURD_SECRET_MAX	4096

enum segurd_listen_kind {
	SEGURD_LISTEN_TCP,
	SEGURD_LISTEN_UNIX
};

/* A parsed [http] listen value: a loopback address and port, or a path. */
struct segurd_listen {
	enum segurd_listen_kind kind;
	char	 host[64];	/* numeric address, no brackets (TCP) */
	int	 port;		/* 1..65535 (TCP) */
	char	 path[108];	/* absolute socket path (UNIX) */
	int	 remote;	/* TCP, not loopback: needs allow_remote */
};

/* A secret read from a file at load time. */
struct segurd_secret {
	char	*file;		/* owned; resolved path, printable */
	char	*value;		/* owned; NUL-terminated, never printed */
	size_t	 len;
};

enum segurd_webhook_format {
	SEGURD_WEBHOOK_STANDARD,	/* Standard Webhooks, signed JSON */
	SEGURD_WEBHOOK_TEXT		/* {"text": ...} for chat tools */
};

/* One [webhook NAME] section. */
struct segurd_webhook {
	char	*name;		/* owned; the NAME of the section */
	char	*url;		/* owned; may hold a token: see print */
	struct segurd_secret secret;	/* value NULL when not given */
	enum segurd_webhook_format format;
	uint64_t timeout_ms;
	int	 line;		/* line of the section header */
};

/* starttls: enum segurd_starttls of deliver.h (REQUIRED, TRY, OFF), the
 * choices' order in the table. */

/* The [mail] section; enabled when the section is present. */
struct segurd_mail {
	int	 enabled;
	char	*smtp_url;	/* owned */
	char	*from;		/* owned */
	char	*to;		/* owned; comma-separated addresses */
	char	*username;	/* owned; NULL when not given */
	struct segurd_secret password;	/* value NULL when not given */
	enum segurd_starttls starttls;
	uint64_t timeout_ms;
	int	 line;
};

/* A whole configuration; every string is owned and freed by
 * segurd_config_free(). Paths are absolute (relative values are taken
 * from the folder of the configuration file). */
struct segurd_config {
	char	*file;			/* the file it was read from */

	char	*ledger_path;
	struct segurd_secret audit_key;	/* seals the events segurd writes;
					   value NULL when not given */

	char	*inbox_path;
	char	*archive_path;
	char	*quarantine_path;
	uint64_t settle_ms;
	uint64_t rescan_ms;
	uint64_t stuck_after_ms;	/* /healthz: an ingestion is stuck */

	char	*listen;		/* as written */
	struct segurd_listen listen_addr;	/* parsed */
	uint64_t max_request_bytes;
	uint64_t client_timeout_ms;
	uint64_t max_per_client;	/* connections from one client */
	int	 allow_remote;		/* listen may be non-loopback */

	enum log_level log_level;

	struct segurd_webhook webhooks[SEGURD_MAX_WEBHOOKS];
	size_t	 nwebhooks;

	struct segurd_mail mail;

	uint64_t retry_for_ms;
	uint64_t digest_ms;		/* 0: one message per alert */

	unsigned remind_at_minute;	/* minutes after local midnight */
	uint64_t submitted_days;	/* 0 disables each reminder */
	uint64_t decision_days;
	uint64_t balance_days;
	uint64_t balance_deadline_days;	/* 0: the ledger's default */
	uint64_t chain_head;		/* 1: mail the chain head daily */
};

/*
 * Reads and checks file into a new configuration (*out, caller frees with
 * segurd_config_free()). On error returns SEGUR_E* and sets *cause to one
 * or more lines "FILE:LINE: message" separated by '\n' (caller frees).
 * Relative secret file names are looked up in $CREDENTIALS_DIRECTORY when
 * it is set (systemd LoadCredential=), else beside the configuration file.
 */
int	 segurd_config_load(const char *file, struct segurd_config **out,
	    char **cause);
void	 segurd_config_free(struct segurd_config *cfg);

/* Prints the effective configuration as INI, with secrets and the tokens
 * of webhook URLs masked. Returns 0 or -1 on a write error. */
int	 segurd_config_print(const struct segurd_config *cfg, FILE *f);

/* Prints the key list of segurd.conf(5) as mdoc, from the table. */
int	 segurd_config_doc(FILE *f);

/*
 * Parses a duration: a decimal integer immediately followed by one unit,
 * ms, s, min, h or d ("500ms", "60s", "15min", "24h", "7d"). No sign, no
 * space, no fraction, no bare number. Returns 0 or SEGUR_EINVAL.
 */
int	 segurd_duration_parse(const char *s, uint64_t *ms, char **cause);
/* Writes ms back in the largest unit that divides it ("90s", "15min"). */
void	 segurd_duration_format(uint64_t ms, char *buf, size_t size);

/* Parses an [http] listen value, refusing non-loopback addresses
 * (the configuration accepts them with [http] allow_remote = yes). */
int	 segurd_listen_parse(const char *s, struct segurd_listen *out,
	    char **cause);

#endif /* SEGURD_CONFIG_H */
