/*
 * test-daemon-config.c: segurd.conf parsing, checking, secrets, printing.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/util.h"
#include "config.h"
#include "helper-ledger.h"

/* A private folder per test, removed by teardown. */
struct fixture {
	char	*dir;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->dir = helper_tmpdir("test-config");
	unsetenv("CREDENTIALS_DIRECTORY");
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	helper_tmpdir_free(fx->dir);
	free(fx);
	unsetenv("CREDENTIALS_DIRECTORY");
	return (0);
}

/* Writes text to dir/name with mode; returns the path (caller frees). */
static char *
put(struct fixture *fx, const char *name, const char *text, int mode)
{
	char	*path = segur_asprintf("%s/%s", fx->dir, name);
	FILE	*f;

	assert_non_null(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
	return (path);
}

/* Loads text as dir/segurd.conf; returns the rc, *cfg and *cause set. */
static int
load(struct fixture *fx, const char *text, struct segurd_config **cfg,
    char **cause)
{
	char	*path = put(fx, "segurd.conf", text, 0640);
	int	 rc;

	*cause = NULL;
	rc = segurd_config_load(path, cfg, cause);
	free(path);
	return (rc);
}

/* Loads text expecting an error whose text holds want; frees it all. */
static void
expect_error(struct fixture *fx, const char *text, const char *want)
{
	struct segurd_config *cfg = NULL;
	char	*cause = NULL;

	assert_int_not_equal(load(fx, text, &cfg, &cause), 0);
	assert_null(cfg);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	free(cause);
}

/* Prints cfg into a malloc'ed string (caller frees). */
static char *
print(const struct segurd_config *cfg)
{
	char	*s = NULL;
	size_t	 n = 0;
	FILE	*f = open_memstream(&s, &n);

	assert_non_null(f);
	assert_int_equal(segurd_config_print(cfg, f), 0);
	assert_int_equal(fclose(f), 0);
	return (s);
}

static void
test_daemon_config_empty_file_gives_documented_defaults(void **state)
{
	struct segurd_config *cfg;
	char	*cause;

	assert_int_equal(load(*state, "# nothing\n", &cfg, &cause), 0);
	assert_string_equal(cfg->ledger_path, "/var/lib/segur/ledger.db");
	assert_string_equal(cfg->inbox_path, "/var/lib/segur/inbox");
	assert_string_equal(cfg->archive_path, "/var/lib/segur/archive");
	assert_string_equal(cfg->quarantine_path,
	    "/var/lib/segur/quarantine");
	assert_int_equal(cfg->settle_ms, 500);
	assert_int_equal(cfg->stuck_after_ms, 120000);
	assert_int_equal(cfg->max_per_client, 8);
	assert_int_equal(cfg->rescan_ms, 60000);
	assert_string_equal(cfg->listen, "127.0.0.1:9477");
	assert_int_equal(cfg->listen_addr.kind, SEGURD_LISTEN_TCP);
	assert_string_equal(cfg->listen_addr.host, "127.0.0.1");
	assert_int_equal(cfg->listen_addr.port, 9477);
	assert_int_equal(cfg->max_request_bytes, 8192);
	assert_int_equal(cfg->log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg->nwebhooks, 0);
	assert_int_equal(cfg->mail.enabled, 0);
	assert_int_equal(cfg->retry_for_ms, 24 * 3600 * 1000);
	assert_int_equal(cfg->digest_ms, 0);
	assert_int_equal(cfg->remind_at_minute, 9 * 60);
	assert_int_equal(cfg->submitted_days, 7);
	segurd_config_free(cfg);
}

static void
test_daemon_config_full_file_is_read(void **state)
{
	struct fixture *fx = *state;
	struct segurd_config *cfg;
	char	*cause, *k1, *k2, *pw, *text;

	k1 = put(fx, "ops.key", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
	    0600);
	k2 = put(fx, "smtp.pw", "s3cr3t-pw\r\n", 0640);
	pw = NULL;
	text = segur_asprintf(
	    "; segurd test\n"
	    "[ledger]\npath = state/ledger.db\n"
	    "[inbox]\npath = /srv/inbox\narchive = /srv/archive\n"
	    "quarantine = /srv/q\nsettle = 250ms\nrescan = 2min\n"
	    "[http]\nlisten = unix:/run/segur/segurd.sock\n"
	    "max_request_bytes = 4096\nclient_timeout = 3s\n"
	    "[log]\nlevel = debug\n"
	    "[webhook ops]\nurl = https://hooks.example.org/segur\n"
	    "secret_file = %s\ntimeout = 5s\n"
	    "[webhook chat]\nurl = https://chat.example.org/hooks/T0K3N\n"
	    "format = text\n"
	    "[mail]\nsmtp_url = smtp://mail.example.org:587\n"
	    "from = segurd@example.org\n"
	    "to = ops@example.org, compta@example.org\n"
	    "username = segurd\npassword_file = smtp.pw\nstarttls = try\n"
	    "[alerts]\nretry_for = 2d\ndigest = 15min\n"
	    "[reminders]\nat = 07:30\nsubmitted_days = 10\n"
	    "decision_days = 0\nbalance_days = 365\n"
	    "balance_deadline_days = 730\n", k1);
	assert_non_null(text);
	assert_int_equal(load(fx, text, &cfg, &cause), 0);
	assert_null(cause);

	/* Relative paths are taken from the configuration's folder. */
	pw = segur_asprintf("%s/state/ledger.db", fx->dir);
	assert_string_equal(cfg->ledger_path, pw);
	free(pw);
	assert_string_equal(cfg->archive_path, "/srv/archive");
	assert_int_equal(cfg->settle_ms, 250);
	assert_int_equal(cfg->rescan_ms, 120000);
	assert_int_equal(cfg->listen_addr.kind, SEGURD_LISTEN_UNIX);
	assert_string_equal(cfg->listen_addr.path, "/run/segur/segurd.sock");
	assert_int_equal(cfg->max_request_bytes, 4096);
	assert_int_equal(cfg->client_timeout_ms, 3000);
	assert_int_equal(cfg->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(cfg->nwebhooks, 2);
	assert_string_equal(cfg->webhooks[0].name, "ops");
	assert_int_equal(cfg->webhooks[0].format, SEGURD_WEBHOOK_STANDARD);
	assert_string_equal(cfg->webhooks[0].secret.value,
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
	assert_int_equal(cfg->webhooks[0].timeout_ms, 5000);
	assert_string_equal(cfg->webhooks[1].name, "chat");
	assert_int_equal(cfg->webhooks[1].format, SEGURD_WEBHOOK_TEXT);
	assert_null(cfg->webhooks[1].secret.value);
	assert_int_equal(cfg->webhooks[1].timeout_ms, 10000);
	assert_int_equal(cfg->mail.enabled, 1);
	assert_string_equal(cfg->mail.to,
	    "ops@example.org, compta@example.org");
	/* The final CRLF of the password file is not part of it. */
	assert_string_equal(cfg->mail.password.value, "s3cr3t-pw");
	assert_int_equal(cfg->mail.password.len, 9);
	assert_int_equal(cfg->mail.starttls, SEGURD_STARTTLS_TRY);
	assert_int_equal(cfg->retry_for_ms, 2 * 86400000ULL);
	assert_int_equal(cfg->digest_ms, 15 * 60000);
	assert_int_equal(cfg->remind_at_minute, 7 * 60 + 30);
	assert_int_equal(cfg->decision_days, 0);
	assert_int_equal(cfg->balance_deadline_days, 730);

	/* --check-config output: secrets and URL tokens never appear. */
	free(text);
	text = print(cfg);
	assert_null(strstr(text, "MfKQ9r8G"));
	assert_null(strstr(text, "s3cr3t"));
	assert_null(strstr(text, "T0K3N"));
	assert_non_null(strstr(text, "url = https://chat.example.org/***"));
	assert_non_null(strstr(text, "secret lu : 38 octets, non montré"));
	assert_non_null(strstr(text, "[webhook ops]\n"));
	assert_non_null(strstr(text, "digest = 15min\n"));
	assert_non_null(strstr(text, "at = 07:30\n"));
	assert_non_null(strstr(text, "starttls = try\n"));
	assert_non_null(strstr(text, "level = debug\n"));
	free(text);
	free(k1);
	free(k2);
	segurd_config_free(cfg);
}

/* As segurctl has them: archive/ and quarantine/ beside the ledger. */
static void
test_daemon_config_archive_beside_the_ledger(void **state)
{
	struct segurd_config *cfg;
	char	*cause = NULL, *out;

	assert_int_equal(load(*state, "[ledger]\npath = /x/y/ledger.db\n",
	    &cfg, &cause), 0);
	assert_string_equal(cfg->archive_path, "/x/y/archive");
	assert_string_equal(cfg->quarantine_path, "/x/y/quarantine");
	out = print(cfg);
	assert_non_null(strstr(out, "\narchive = /x/y/archive\n"));
	free(out);
	segurd_config_free(cfg);
	/* A key given wins; the other still follows the ledger. */
	assert_int_equal(load(*state, "[ledger]\npath = /x/y/ledger.db\n"
	    "[inbox]\narchive = /srv/a\n", &cfg, &cause), 0);
	assert_string_equal(cfg->archive_path, "/srv/a");
	assert_string_equal(cfg->quarantine_path, "/x/y/quarantine");
	segurd_config_free(cfg);
	assert_int_equal(load(*state, "[ledger]\npath = /ledger.db\n",
	    &cfg, &cause), 0);
	assert_string_equal(cfg->archive_path, "/archive");
	segurd_config_free(cfg);
}

static void
test_daemon_config_printed_config_reads_back(void **state)
{
	struct fixture *fx = *state;
	struct segurd_config *cfg, *again;
	char	*cause, *text;

	assert_int_equal(load(fx, "[inbox]\nsettle = 1500ms\n[alerts]\n"
	    "digest = 1h\n[reminders]\nat = 00:05\n", &cfg, &cause), 0);
	text = print(cfg);
	assert_int_equal(load(fx, text, &again, &cause), 0);
	assert_int_equal(again->settle_ms, 1500);
	assert_int_equal(again->digest_ms, 3600000);
	assert_int_equal(again->remind_at_minute, 5);
	free(text);
	segurd_config_free(cfg);
	segurd_config_free(again);
}

static void
test_daemon_config_indented_lines_are_keys(void **state)
{
	struct segurd_config *cfg;
	char	*cause;

	/* inih would read the second line as the rest of settle's value. */
	assert_int_equal(load(*state, "[inbox]\nsettle = 2s\n\trescan = 5min\n"
	    "  [log]\n  level = warning\n", &cfg, &cause), 0);
	assert_int_equal(cfg->settle_ms, 2000);
	assert_int_equal(cfg->rescan_ms, 300000);
	assert_int_equal(cfg->log_level, LOG_LEVEL_WARNING);
	segurd_config_free(cfg);
}

static void
test_daemon_config_durations_are_strict(void **state)
{
	static const struct {
		const char	*s;
		uint64_t	 ms;
	} good[] = {
		{ "0ms", 0 }, { "500ms", 500 }, { "60s", 60000 },
		{ "15min", 900000 }, { "24h", 86400000 },
		{ "7d", 604800000 },
	};
	static const char *const bad[] = {
		"", "60", "s", "1.5h", "-1s", "+1s", "1 s", " 1s", "1s ",
		"1m", "1sec", "1hour", "1h30min", "1S", "99999999999999999999s",
		"18446744073709551615d",
	};
	char		 buf[32];
	char		*cause = NULL;
	uint64_t	 ms;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(segurd_duration_parse(good[i].s, &ms, NULL),
		    0);
		assert_int_equal(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (segurd_duration_parse(bad[i], &ms, &cause) == 0)
			fail_msg("'%s' parsed as a duration", bad[i]);
		assert_non_null(cause);
	}
	free(cause);
	cause = NULL;
	assert_int_equal(segurd_duration_parse("60", &ms, &cause),
	    SEGUR_EINVAL);
	assert_non_null(strstr(cause, "sans unité"));
	free(cause);
	segurd_duration_format(90000, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
	segurd_duration_format(86400000, buf, sizeof(buf));
	assert_string_equal(buf, "1d");
	segurd_duration_format(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
}

static void
test_daemon_config_long_line_is_refused_with_file_and_line(void **state)
{
	struct fixture *fx = *state;
	struct segurd_config *cfg;
	char	 url[400], *text, *cause, *want;
	size_t	 n;

	/* A webhook URL that inih would cut after 199 bytes. */
	n = (size_t)snprintf(url, sizeof(url), "https://hooks.example.org/");
	for (; n < 240; n++)
		url[n] = (char)('a' + n % 26);
	url[n] = '\0';
	text = segur_asprintf("[webhook chat]\nformat = text\nurl = %s\n", url);
	assert_int_not_equal(load(fx, text, &cfg, &cause), 0);
	assert_null(cfg);
	want = segur_asprintf("%s/segurd.conf:3: ligne de %zu octets",
	    fx->dir, n + 6);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	free(want);
	free(cause);
	free(text);

	/* The longest line inih reads whole is accepted, with CRLF too. */
	n = (size_t)snprintf(url, sizeof(url), "url = https://h.example.org/");
	while (n < SEGURD_CONFIG_MAX_LINE)
		url[n++] = 'x';
	url[n] = '\0';
	text = segur_asprintf("[webhook chat]\r\nformat = text\r\n%s\r\n", url);
	assert_int_equal(load(fx, text, &cfg, &cause), 0);
	assert_int_equal(strlen(cfg->webhooks[0].url), n - 6);
	segurd_config_free(cfg);
	free(text);
	/* One byte more is refused. */
	text = segur_asprintf("[webhook chat]\nformat = text\n%sx\n", url);
	expect_error(fx, text, "segurd.conf:3: ligne de 199 octets");
	free(text);
}

static void
test_daemon_config_unknown_names_are_errors(void **state)
{
	expect_error(*state, "[inbox]\npath = /x\n[inboxe]\n",
	    "segurd.conf:3: [inboxe] : section inconnue");
	expect_error(*state, "[inbox]\nsetle = 1s\n",
	    "segurd.conf:2: clé inconnue « setle » dans [inbox]");
	expect_error(*state, "level = info\n",
	    "segurd.conf:1: « level » est hors de toute section");
	expect_error(*state, "[inbox]\nsettle = 1s\nsettle = 2s\n",
	    "segurd.conf:3: settle déjà donnée à la ligne 2");
	expect_error(*state, "[log]\nlevel = info\n[log]\n",
	    "segurd.conf:3: section [log] déjà ouverte à la ligne 1");
	expect_error(*state, "[inbox ops]\n",
	    "[inbox ops] : cette section ne prend pas de nom");
	expect_error(*state, "[webhook a b]\n",
	    "en-tête de section s'écrit [NOM] ou [webhook NOM]");
	expect_error(*state, "[webhook x!]\n", "que des lettres, des chiffres");
	expect_error(*state, "[inbox]\nthis line has no equals sign\n",
	    "segurd.conf:2: erreur de syntaxe");
	expect_error(*state, "[log]\nlevel =\n", "level est vide");
	expect_error(*state, "[log]\nlevel = loud\n",
	    "une valeur parmi error|warning|info|debug attendue");
	expect_error(*state, "[inbox]\nsettle = 60\n", "sans unité");
	expect_error(*state, "[inbox]\nrescan = 100ms\n",
	    "rescan = 100ms hors limites (de 1s à 1d)");
	expect_error(*state, "[http]\nmax_request_bytes = 8k\n",
	    "nombre entier de 1024 à 1048576 attendu");
	expect_error(*state, "[reminders]\nat = 24:00\n",
	    "heure HH:MM de 00:00 à 23:59 attendue");
	expect_error(*state, "[reminders]\nat = 9:00\n",
	    "heure HH:MM de 00:00 à 23:59 attendue");
}

static void
test_daemon_config_every_error_is_reported(void **state)
{
	struct segurd_config *cfg;
	char	*cause;

	assert_int_equal(load(*state, "[inbox]\nsettle = 1\n[log]\n"
	    "level = x\nfoo = 1\n", &cfg, &cause), SEGUR_EINVAL);
	assert_non_null(strstr(cause, "segurd.conf:2: "));
	assert_non_null(strstr(cause, "\n"));
	assert_non_null(strstr(cause, "segurd.conf:4: "));
	assert_non_null(strstr(cause, "segurd.conf:5: "));
	/* No trailing newline: the caller logs it line by line. */
	assert_int_not_equal(cause[strlen(cause) - 1], '\n');
	free(cause);
}

static void
test_daemon_config_listen_is_loopback_only(void **state)
{
	struct segurd_listen l;
	char	*cause = NULL;

	(void)state;
	assert_int_equal(segurd_listen_parse("127.0.0.1:1", &l, NULL), 0);
	assert_int_equal(segurd_listen_parse("127.1.2.3:65535", &l, NULL), 0);
	assert_int_equal(segurd_listen_parse("[::1]:9477", &l, NULL), 0);
	assert_string_equal(l.host, "::1");
	assert_int_equal(l.port, 9477);
	assert_int_equal(segurd_listen_parse("unix:/run/s.sock", &l, NULL), 0);
	assert_int_not_equal(segurd_listen_parse("0.0.0.0:9477", &l, &cause),
	    0);
	assert_non_null(strstr(cause, "pas une adresse locale"));
	assert_int_not_equal(segurd_listen_parse("192.168.1.10:80", &l, NULL),
	    0);
	assert_int_not_equal(segurd_listen_parse("[::]:80", &l, NULL), 0);
	assert_int_not_equal(segurd_listen_parse("localhost:80", &l, NULL), 0);
	assert_int_not_equal(segurd_listen_parse("127.0.0.1", &l, NULL), 0);
	assert_int_not_equal(segurd_listen_parse("127.0.0.1:0", &l, NULL), 0);
	assert_int_not_equal(segurd_listen_parse("127.0.0.1:65536", &l, NULL),
	    0);
	assert_int_not_equal(segurd_listen_parse("127.0.0.1:-1", &l, NULL), 0);
	assert_int_not_equal(segurd_listen_parse("unix:rel.sock", &l, NULL), 0);
	free(cause);
	expect_error(*state, "[http]\nlisten = 10.0.0.1:9477\n",
	    "segurd.conf:2: « 10.0.0.1:9477 » n'est pas une adresse locale");
}

/* allow_remote = yes lets listen name any address, before or after it;
 * no (the default) or absent keeps the refusal. */
static void
test_daemon_config_allow_remote(void **state)
{
	struct fixture *fx = *state;
	struct segurd_config *cfg = NULL;
	char	*cause = NULL;

	assert_int_equal(load(fx, "[http]\nlisten = 0.0.0.0:9477\n"
	    "allow_remote = yes\n", &cfg, &cause), 0);
	assert_int_equal(cfg->allow_remote, 1);
	assert_int_equal(cfg->listen_addr.remote, 1);
	assert_string_equal(cfg->listen_addr.host, "0.0.0.0");
	segurd_config_free(cfg);
	cfg = NULL;
	assert_int_equal(load(fx, "[http]\nallow_remote = yes\n"
	    "listen = [::]:80\n", &cfg, &cause), 0);
	assert_int_equal(cfg->listen_addr.remote, 1);
	segurd_config_free(cfg);
	cfg = NULL;
	assert_int_equal(load(fx, "[http]\nlisten = 127.0.0.1:80\n", &cfg,
	    &cause), 0);
	assert_int_equal(cfg->allow_remote, 0);
	assert_int_equal(cfg->listen_addr.remote, 0);
	segurd_config_free(cfg);
	expect_error(fx, "[http]\nallow_remote = no\nlisten = "
	    "192.168.1.10:80\n", "segurd.conf:3: « 192.168.1.10:80 » n'est "
	    "pas une adresse locale : segurd ne sert que sur 127.0.0.0/8, ::1 "
	    "ou une socket Unix, sauf avec [http] allow_remote = yes");
	expect_error(fx, "[http]\nallow_remote = maybe\n", "allow_remote = "
	    "maybe : une valeur parmi no|yes attendue");
	/* Still no names, with or without it. */
	expect_error(fx, "[http]\nallow_remote = yes\nlisten = "
	    "example.org:80\n", "un nom n'est pas accepté");
}

static void
test_daemon_config_secrets_from_files_only(void **state)
{
	struct fixture *fx = *state;
	struct segurd_config *cfg;
	char	*cause, *creds, *p;

	/* Standard webhooks need a secret; text ones must not have one. */
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n",
	    "[webhook a] demande secret_file");
	p = put(fx, "k", "whsec_AAAA\n", 0600);
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n"
	    "format = text\nsecret_file = k\n", "ne sert qu'avec format");
	/* A secret that claims base64 and is not. */
	free(p);
	p = put(fx, "k", "whsec_not base64!\n", 0600);
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n"
	    "secret_file = k\n", "n'est pas du base64");
	free(p);
	/* Missing, empty, world-readable, multi-line files. */
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n"
	    "secret_file = missing.key\n",
	    "impossible d'ouvrir le fichier secret");
	p = put(fx, "empty", "\n", 0600);
	free(p);
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n"
	    "secret_file = empty\n", "est vide");
	p = put(fx, "open.key", "whsec_AAAA\n", 0644);
	free(p);
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n"
	    "secret_file = open.key\n", "lisible par tous");
	p = put(fx, "two.key", "line1\nline2\n", 0600);
	free(p);
	expect_error(fx, "[webhook a]\nurl = https://x.example.org/\n"
	    "secret_file = two.key\n", "plus d'une ligne");
	/* The password never shows in a cause. */
	p = put(fx, "pw", "hunter2\nhunter3\n", 0600);
	free(p);
	assert_int_not_equal(load(fx,
	    "[mail]\nsmtp_url = smtps://m.example.org\n"
	    "from = a@example.org\nto = b@example.org\nusername = u\n"
	    "password_file = pw\n", &cfg, &cause), 0);
	assert_null(strstr(cause, "hunter"));
	free(cause);

	/* A bare name is looked up in $CREDENTIALS_DIRECTORY when set. */
	creds = segur_asprintf("%s/creds", fx->dir);
	assert_int_equal(mkdir(creds, 0700), 0);
	p = put(fx, "creds/webhook-ops", "whsec_QUJDRA==", 0400);
	free(p);
	p = put(fx, "webhook-ops", "whsec_WFlaVw==", 0600);
	free(p);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	assert_int_equal(load(fx, "[webhook ops]\n"
	    "url = https://x.example.org/\nsecret_file = webhook-ops\n",
	    &cfg, &cause), 0);
	assert_string_equal(cfg->webhooks[0].secret.value, "whsec_QUJDRA==");
	p = segur_asprintf("%s/webhook-ops", creds);
	assert_string_equal(cfg->webhooks[0].secret.file, p);
	free(p);
	segurd_config_free(cfg);
	/* Without it, beside the configuration file. */
	unsetenv("CREDENTIALS_DIRECTORY");
	assert_int_equal(load(fx, "[webhook ops]\n"
	    "url = https://x.example.org/\nsecret_file = webhook-ops\n",
	    &cfg, &cause), 0);
	assert_string_equal(cfg->webhooks[0].secret.value, "whsec_WFlaVw==");
	segurd_config_free(cfg);
	free(creds);
}

static void
test_daemon_config_channel_checks(void **state)
{
	struct fixture *fx = *state;
	struct segurd_config *cfg;
	char	*cause;

	expect_error(fx, "[webhook a]\nurl = http://hooks.example.org/\n"
	    "format = text\n", "que vers un hôte local");
	expect_error(fx, "[webhook a]\nurl = ftp://hooks.example.org/\n"
	    "format = text\n", "doit commencer par https://");
	expect_error(fx, "[webhook a]\nurl = https://u:p@h.example.org/\n"
	    "format = text\n", "ne doit porter ni utilisateur");
	expect_error(fx, "[webhook a]\nformat = text\n",
	    "segurd.conf:1: [webhook a] demande url");
	expect_error(fx, "[webhook a]\nurl = https://a.example.org/\n"
	    "format = text\n[webhook a]\n", "déjà ouverte à la ligne 1");
	expect_error(fx, "[mail]\nsmtp_url = smtp://m.example.org\n"
	    "from = a@example.org\n", "[mail] demande to");
	expect_error(fx, "[mail]\nsmtp_url = smtp://m.example.org\n"
	    "from = a@example.org\nto = b@example.org, not an address\n",
	    "n'est pas une simple adresse électronique");
	expect_error(fx, "[mail]\nsmtp_url = smtp://m.example.org\n"
	    "from = a@example.org\nto = b@example.org\nusername = u\n",
	    "username et password_file vont ensemble");
	expect_error(fx, "[mail]\nsmtp_url = http://m.example.org\n"
	    "from = a@example.org\nto = b@example.org\n",
	    "doit commencer par smtp:// ou smtps://");
	/* http:// to loopback is fine (test receivers), [webhook] alone too. */
	assert_int_equal(load(fx, "[webhook]\nurl = http://127.0.0.1:8080/h\n"
	    "format = text\n", &cfg, &cause), 0);
	assert_string_equal(cfg->webhooks[0].name, "default");
	segurd_config_free(cfg);
	/* An empty [mail] section enables mail, so it must be complete. */
	expect_error(fx, "[mail]\n", "[mail] demande smtp_url");
}

static void
test_daemon_config_doc_lists_every_key(void **state)
{
	static const char *const keys[] = {
		".Ss [ledger]", ".Ss [webhook NAME]", ".Ss [reminders]",
		".It Ic path No = Ar path", ".It Ic settle No = Ar duration",
		".It Ic listen No = Ar address",
		".It Ic secret_file No = Ar file",
		".It Ic password_file No = Ar file",
		".It Ic starttls No = Ar required|try|no",
		".It Ic digest No = Ar off|duration",
		".It Ic balance_deadline_days No = Ar days",
		".Ql 127.0.0.1:9477 .",
	};
	char	*s = NULL;
	size_t	 n = 0, i;
	FILE	*f = open_memstream(&s, &n);

	(void)state;
	assert_non_null(f);
	assert_int_equal(segurd_config_doc(f), 0);
	assert_int_equal(fclose(f), 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strstr(s, keys[i]) == NULL)
			fail_msg("doc lacks '%s'", keys[i]);
	free(s);
}

static void
test_daemon_config_missing_file(void **state)
{
	struct segurd_config *cfg;
	char	*cause = NULL, *path;

	path = segur_asprintf("%s/none.conf", ((struct fixture *)*state)->dir);
	assert_int_not_equal(segurd_config_load(path, &cfg, &cause), 0);
	assert_null(cfg);
	assert_non_null(strstr(cause, path));
	free(cause);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_daemon_config_empty_file_gives_documented_defaults),
		T(test_daemon_config_full_file_is_read),
		T(test_daemon_config_archive_beside_the_ledger),
		T(test_daemon_config_printed_config_reads_back),
		T(test_daemon_config_indented_lines_are_keys),
		T(test_daemon_config_durations_are_strict),
		T(test_daemon_config_long_line_is_refused_with_file_and_line),
		T(test_daemon_config_unknown_names_are_errors),
		T(test_daemon_config_every_error_is_reported),
		T(test_daemon_config_listen_is_loopback_only),
		T(test_daemon_config_allow_remote),
		T(test_daemon_config_secrets_from_files_only),
		T(test_daemon_config_channel_checks),
		T(test_daemon_config_doc_lists_every_key),
		T(test_daemon_config_missing_file),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
