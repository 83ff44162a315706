/*
 * test-deliver-loop.c: deliveries on a real libuv loop against the test
 * servers of tests/servers/ (a Python webhook receiver that checks
 * Standard Webhooks signatures on its own, an aiosmtpd SMTP server with
 * STARTTLS), each on a free 127.0.0.1 port. Every test ends with
 * uv_loop_close() == 0; the sanitizer half of `make test` checks leaks.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <uv.h>

#include "segur/alert.h"
#include "segur/error.h"
#include "segur/util.h"

#include "deliver.h"
#include "helper-ledger.h"

extern char **environ;

#define SECRET	"whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

/* What a test needs: a loop, a deliverer, a folder, maybe a server. */
struct fixture {
	uv_loop_t		 loop;
	struct segurd_deliver	*d;
	uint64_t		 seed;
	char			*dir;
	char			 log[512];	/* the server's JSON lines */
	char			 ready[512];
	pid_t			 server;
	int			 port;
	struct segurd_deliver_result results[16];
	char			*reasons[16];
	char			*ids[16];	/* alert id of each result */
	size_t			 nresults;
	int			 closed;
	unsigned		 warnings;
};

static const char *
python(void)
{
	/* aiosmtpd is Debian's: Debian's interpreter has it. */
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" :
	    "python3";
}

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t	len = sizeof(sa);
	int		s, port;

	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(s);
	return port;
}

static void
on_log(void *arg, int level, const char *msg)
{
	struct fixture *f = arg;

	if (getenv("DEBUG_DELIVER")) fprintf(stderr, "log %d %s\n", level, msg);
	if (level <= LOG_WARNING)
		f->warnings++;
	/* The secret and password never reach a log line. */
	assert_null(strstr(msg, "AQIDBAUGBwgJ"));
	assert_null(strstr(msg, "hunter2"));
}

static int
setup_policy(void **state, const struct segurd_deliver_policy *p)
{
	struct fixture	*f;
	char		*cause = NULL;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->dir = helper_tmpdir("test-deliver");
	snprintf(f->log, sizeof(f->log), "%s/received.jsonl", f->dir);
	snprintf(f->ready, sizeof(f->ready), "%s/ready", f->dir);
	f->port = free_port();
	f->seed = 7;
	assert_int_equal(uv_loop_init(&f->loop), 0);
	f->d = segurd_deliver_new(&f->loop, p, segurd_deliver_splitmix64,
	    &f->seed, on_log, f, &cause);
	assert_non_null(f->d);
	*state = f;
	return 0;
}

/* Short waits so that tests run in well under a second each. */
static int
setup(void **state)
{
	static const struct segurd_deliver_policy p = { 20, 100, 2000, 3000,
	    0 };

	return setup_policy(state, &p);
}

static void
stop_server(struct fixture *f)
{
	int	status;

	if (f->server > 0) {
		kill(f->server, SIGTERM);
		waitpid(f->server, &status, 0);
		f->server = 0;
	}
}

static void
on_closed(void *arg)
{
	((struct fixture *)arg)->closed = 1;
}

/* Closes the deliverer if a test did not, runs the loop dry, cleans up. */
static int
teardown(void **state)
{
	struct fixture	*f = *state;
	size_t		 i;

	if (f->d != NULL && !f->closed) {
		segurd_deliver_close(f->d, on_closed, f);
		while (!f->closed)
			uv_run(&f->loop, UV_RUN_ONCE);
	}
	assert_int_equal(uv_loop_close(&f->loop), 0);
	stop_server(f);
	for (i = 0; i < f->nresults; i++) {
		free(f->reasons[i]);
		free(f->ids[i]);
	}
	helper_tmpdir_free(f->dir);
	free(f);
	return 0;
}

/* Starts tests/servers/<name> with args, waits until it listens. */
static void
start_server(struct fixture *f, const char *name, ...)
{
	const char	*argv[32], *src = getenv("SEGUR_SOURCE_DIR");
	char		 script[512], port[16];
	struct stat	 st;
	const char	*a;
	va_list		 ap;
	size_t		 n = 0;
	int		 i;

	assert_non_null(src);
	snprintf(script, sizeof(script), "%s/tests/servers/%s", src, name);
	snprintf(port, sizeof(port), "%d", f->port);
	argv[n++] = python();
	argv[n++] = script;
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--log";
	argv[n++] = f->log;
	argv[n++] = "--ready";
	argv[n++] = f->ready;
	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(posix_spawnp(&f->server, argv[0], NULL, NULL,
	    (char *const *)argv, environ), 0);
	/* Up to 20 s on a loaded machine: readiness, not speed. */
	for (i = 0; i < 2000 && stat(f->ready, &st) != 0; i++)
		usleep(10000);
	assert_int_equal(stat(f->ready, &st), 0);
}

static void
on_result(void *arg, const struct segurd_deliver_result *r)
{
	struct fixture *f = arg;

	assert_true(f->nresults < 16);
	f->results[f->nresults] = *r;
	f->reasons[f->nresults] = r->reason != NULL ? strdup(r->reason) :
	    NULL;
	f->results[f->nresults].reason = f->reasons[f->nresults];
	f->ids[f->nresults] = strdup(r->alert_id);
	f->results[f->nresults].alert_id = NULL;
	f->results[f->nresults].channel = NULL;
	f->nresults++;
}

/* The result of alert id: outcomes arrive in completion order. */
static const struct segurd_deliver_result *
result_of(const struct fixture *f, const char *id)
{
	size_t	 i;

	for (i = 0; i < f->nresults; i++)
		if (f->ids[i] != NULL && strcmp(f->ids[i], id) == 0)
			return (&f->results[i]);
	fail_msg("no result for %s", id);
	return (NULL);
}

static void
run_until_results(struct fixture *f, size_t n)
{
	/* uv_run() may return 0 right after the last callback. */
	while (f->nresults < n)
		if (uv_run(&f->loop, UV_RUN_ONCE) == 0)
			assert_true(f->nresults >= n);
}

static void
make_alert(struct segur_alert *a, const char *id)
{
	memset(a, 0, sizeof(*a));
	a->id = strdup(id);
	a->kind = strdup(SEGUR_ALERT_REJECTION);
	a->created = (int64_t)time(NULL);
	a->facts = cJSON_Parse("{\"reference\":\"DEM-2023-0042\","
	    "\"numeroEditeur\":\"2023000042-0001\",\"finessOG\":\"750000001\","
	    "\"finessESMS\":\"750000019\",\"libelleASP\":\"FINESS "
	    "géographique inconnu du référentiel\",\"action\":\"corriger le "
	    "FINESS géographique.\\n.Puis redéposer (ligne qui commence par "
	    "un point).\"}");
	assert_non_null(a->facts);
	assert_int_equal(segur_alert_compose(a), 0);
}

static void
webhook_channel(struct fixture *f, struct segurd_channel *ch, char *url,
    size_t n)
{
	memset(ch, 0, sizeof(*ch));
	snprintf(url, n, "http://127.0.0.1:%d/hook", f->port);
	ch->type = SEGURD_CHANNEL_WEBHOOK;
	ch->name = "webhook";
	ch->url = url;
	ch->secret = SECRET;
}

/* The receiver's JSON lines, parsed; *n gets how many have event ev. */
static cJSON *
received(struct fixture *f, const char *ev, size_t *n)
{
	cJSON	*all, *j;
	char	*data = NULL, *line, *save = NULL;
	size_t	 len;

	*n = 0;
	all = cJSON_CreateArray();
	assert_non_null(all);
	if (segur_read_file(f->log, 1 << 24, &data, &len, NULL) != 0)
		return all;
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		j = cJSON_Parse(line);
		assert_non_null(j);
		if (ev != NULL && !cJSON_IsString(cJSON_GetObjectItem(j,
		    "event"))) {
			cJSON_Delete(j);
			continue;
		}
		if (ev != NULL && strcmp(cJSON_GetObjectItem(j,
		    "event")->valuestring, ev) != 0) {
			cJSON_Delete(j);
			continue;
		}
		cJSON_AddItemToArray(all, j);
		(*n)++;
	}
	free(data);
	return all;
}

static void
test_deliver_webhook_delivered_once_and_signed(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];
	cJSON		*got, *body;
	size_t		 n;

	start_server(f, "webhook-receiver.py", "--secret", SECRET,
	    (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	make_alert(&a, "alert-000123");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	/* Never an outcome inside submit(). */
	assert_int_equal(f->nresults, 0);
	assert_int_equal(segurd_deliver_pending(f->d), 1);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_OK);
	assert_int_equal(f->results[0].attempts, 1);
	assert_true(f->results[0].code == 200 || f->results[0].code == 204);
	assert_int_equal(segurd_deliver_pending(f->d), 0);
	/* The receiver checked the signature itself and kept one copy. */
	got = received(f, "delivered", &n);
	assert_int_equal(n, 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(got, 0),
	    "id")->valuestring, "alert-000123");
	body = cJSON_GetObjectItem(cJSON_GetArrayItem(got, 0), "body");
	assert_string_equal(cJSON_GetObjectItem(body, "type")->valuestring,
	    "segur.alert.rejection");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(body,
	    "data"), "subject")->valuestring, a.subject);
	cJSON_Delete(got);
	got = received(f, "bad-signature", &n);
	assert_int_equal(n, 0);
	cJSON_Delete(got);
	segur_alert_release(&a);
}

static void
test_deliver_webhook_retries_then_delivers_once(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];
	cJSON		*got;
	size_t		 n;

	start_server(f, "webhook-receiver.py", "--secret", SECRET,
	    "--fail-first", "3", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	make_alert(&a, "alert-000124");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_OK);
	assert_int_equal(f->results[0].attempts, 4);
	/* The last failure is kept for the record. */
	assert_non_null(strstr(f->results[0].reason, "webhook : HTTP 500"));
	assert_int_equal(f->warnings, 3);
	got = received(f, "failed", &n);
	assert_int_equal(n, 3);
	cJSON_Delete(got);
	got = received(f, "delivered", &n);
	assert_int_equal(n, 1);
	cJSON_Delete(got);
	got = received(f, "duplicate", &n);
	assert_int_equal(n, 0);
	cJSON_Delete(got);
	segur_alert_release(&a);
}

static void
test_deliver_webhook_410_disables(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];

	start_server(f, "webhook-receiver.py", "--gone", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	make_alert(&a, "alert-000125");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_DISABLED);
	assert_int_equal(f->results[0].code, 410);
	assert_int_equal(f->results[0].attempts, 1);
	assert_non_null(strstr(f->results[0].reason, "HTTP 410"));
	/* Reasons name the channel, never the URL (it may hold a token). */
	assert_null(strstr(f->results[0].reason, "127.0.0.1"));
	segur_alert_release(&a);
}

static void
test_deliver_webhook_receiver_down_gives_up(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];

	/* Nobody listens on f->port. */
	webhook_channel(f, &ch, url, sizeof(url));
	make_alert(&a, "alert-000126");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_FAILED);
	/* 2 s with waits of at most 100 ms: many attempts, the last one at
	 * the give-up time. */
	assert_true(f->results[0].attempts > 10);
	assert_non_null(strstr(f->results[0].reason, "abandon après"));
	assert_non_null(strstr(f->results[0].reason, "onnect"));
	segur_alert_release(&a);
}

static int
setup_slow(void **state)
{
	/* Attempts cut after 300 ms. */
	static const struct segurd_deliver_policy p = { 20, 100, 10000, 300,
	    0 };

	return setup_policy(state, &p);
}

static void
test_deliver_webhook_timeout_is_retried(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];
	cJSON		*got;
	size_t		 n;

	start_server(f, "webhook-receiver.py", "--secret", SECRET,
	    "--slow-first", "1", "--slow", "2", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	make_alert(&a, "alert-000127");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_OK);
	assert_int_equal(f->results[0].attempts, 2);
	assert_non_null(strstr(f->results[0].reason, "imed out"));
	got = received(f, "delivered", &n);
	assert_int_equal(n, 1);
	cJSON_Delete(got);
	segur_alert_release(&a);
}

static int
setup_narrow(void **state)
{
	/* Two attempts at once at most. */
	static const struct segurd_deliver_policy p = { 20, 100, 10000, 5000,
	    2 };

	return setup_policy(state, &p);
}

static void
test_deliver_burst_keeps_to_max_inflight(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64], id[32];
	cJSON		*got, *e;
	size_t		 i, n;

	start_server(f, "webhook-receiver.py", "--secret", SECRET,
	    "--slow-first", "8", "--slow", "0.2", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "alert-%06zu", 500 + i);
		make_alert(&a, id);
		assert_int_equal(segurd_deliver_submit(f->d, &ch, &a,
		    on_result, f, NULL), 0);
		segur_alert_release(&a);
	}
	run_until_results(f, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(f->results[i].status, SEGURD_DELIVER_OK);
		assert_int_equal(f->results[i].attempts, 1);
	}
	got = received(f, "delivered", &n);
	assert_int_equal(n, 8);
	/* The receiver never saw more than two requests at once. */
	cJSON_ArrayForEach(e, got)
		assert_true(cJSON_GetObjectItem(e, "concurrent")->valueint <=
		    2);
	cJSON_Delete(got);
}

static void
test_deliver_chat_sends_text(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];
	cJSON		*got, *body;
	const char	*text;
	size_t		 n;

	start_server(f, "webhook-receiver.py", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	ch.type = SEGURD_CHANNEL_CHAT;
	ch.name = "chat";
	ch.secret = NULL;
	make_alert(&a, "alert-000128");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_OK);
	got = received(f, "delivered", &n);
	assert_int_equal(n, 1);
	body = cJSON_GetObjectItem(cJSON_GetArrayItem(got, 0), "body");
	assert_int_equal(cJSON_GetArraySize(body), 1);
	text = cJSON_GetObjectItem(body, "text")->valuestring;
	assert_memory_equal(text, a.subject, strlen(a.subject));
	assert_non_null(strstr(text, "ESMS (FINESS géographique) : "
	    "750000019"));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(got, 0),
	    "content_type")->valuestring, "application/json");
	cJSON_Delete(got);
	segur_alert_release(&a);
}

/* A self-signed certificate for 127.0.0.1, made now with openssl(1). */
static void
make_cert(struct fixture *f, char *cert, char *key, size_t n)
{
	char	cmd[1024];

	snprintf(cert, n, "%s/cert.pem", f->dir);
	snprintf(key, n, "%s/key.pem", f->dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 "
	    "-nodes -days 1 -subj /CN=127.0.0.1 "
	    "-addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' "
	    ">/dev/null 2>&1", key, cert);
	assert_int_equal(system(cmd), 0);
}

static void
test_deliver_webhook_over_https(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64], cert[128], key[128];
	cJSON		*got;
	size_t		 n;

	make_cert(f, cert, key, sizeof(cert));
	start_server(f, "webhook-receiver.py", "--secret", SECRET, "--cert",
	    cert, "--key", key, (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/hook", f->port);
	ch.cainfo = cert;
	make_alert(&a, "alert-000140");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	/* Without our CA, the self-signed certificate is not trusted. */
	ch.cainfo = NULL;
	free(a.id);
	a.id = strdup("alert-000141");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 2);
	assert_int_equal(result_of(f, "alert-000140")->status,
	    SEGURD_DELIVER_OK);
	assert_int_equal(result_of(f, "alert-000141")->status,
	    SEGURD_DELIVER_FAILED);
	/* Retried until the give-up time; under a sanitizer a handshake can
	 * take most of it, so only one attempt is certain. */
	assert_true(result_of(f, "alert-000141")->attempts >= 1);
	assert_non_null(strstr(result_of(f, "alert-000141")->reason,
	    "certificate"));
	got = received(f, "delivered", &n);
	assert_int_equal(n, 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(got, 0),
	    "id")->valuestring, "alert-000140");
	cJSON_Delete(got);
	segur_alert_release(&a);
}

static void
mail_channel(struct fixture *f, struct segurd_channel *ch, char *url,
    size_t n, const char *const *to, size_t nto, const char *cainfo)
{
	memset(ch, 0, sizeof(*ch));
	snprintf(url, n, "smtp://127.0.0.1:%d", f->port);
	ch->type = SEGURD_CHANNEL_MAIL;
	ch->name = "mail";
	ch->url = url;
	ch->cainfo = cainfo;
	ch->mail_from = "segurd@editeur.example";
	ch->mail_to = to;
	ch->nmail_to = nto;
	ch->starttls = SEGURD_STARTTLS_REQUIRED;
}

static void
test_deliver_mail_over_starttls(void **state)
{
	struct fixture	*f = *state;
	const char	*to[] = {
		"ops@editeur.example", "dir@editeur.example"
	};
	struct segurd_channel ch;
	struct segur_alert a, b, dg;
	const struct segur_alert *both[2] = { &a, &b };
	char		 url[64], cert[128], key[128];
	cJSON		*got, *m, *h;
	size_t		 n;

	make_cert(f, cert, key, sizeof(cert));
	start_server(f, "smtp-server.py", "--cert", cert, "--key", key,
	    "--require-starttls", (char *)NULL);
	mail_channel(f, &ch, url, sizeof(url), to, 2, cert);
	make_alert(&a, "alert-000130");
	make_alert(&b, "alert-000131");
	assert_int_equal(segur_alert_digest(both, 2, a.created, &dg, NULL), 0);
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &dg, on_result, f,
	    NULL), 0);
	run_until_results(f, 2);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_OK);
	assert_int_equal(f->results[1].status, SEGURD_DELIVER_OK);
	got = received(f, NULL, &n);
	assert_int_equal(n, 2);
	/* Which one arrived first is the network's business. */
	m = cJSON_GetArrayItem(got, 0);
	if (strstr(cJSON_GetObjectItem(m, "subject")->valuestring,
	    "alertes") != NULL)
		m = cJSON_GetArrayItem(got, 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "tls")));
	assert_string_equal(cJSON_GetObjectItem(m, "mail_from")->valuestring,
	    "segurd@editeur.example");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m,
	    "rcpt_tos")), 2);
	/* Python decoded the RFC 2047 subject and the quoted-printable
	 * UTF-8 body back to what we wrote, the line that starts with a dot
	 * included (libcurl dot-stuffs, the server un-stuffs). */
	assert_string_equal(cJSON_GetObjectItem(m, "subject")->valuestring,
	    a.subject);
	assert_string_equal(cJSON_GetObjectItem(m, "body")->valuestring,
	    a.body);
	assert_non_null(strstr(a.body, "\n.Puis redéposer"));
	h = cJSON_GetObjectItem(m, "headers");
	assert_string_equal(cJSON_GetObjectItem(h, "Message-ID")->valuestring,
	    "<alert-000130@editeur.example>");
	m = cJSON_GetArrayItem(got, 0) == m ? cJSON_GetArrayItem(got, 1) :
	    cJSON_GetArrayItem(got, 0);
	assert_string_equal(cJSON_GetObjectItem(m, "subject")->valuestring,
	    "Ségur : 2 alertes (2 rejets)");
	assert_string_equal(cJSON_GetObjectItem(m, "body")->valuestring,
	    dg.body);
	cJSON_Delete(got);
	segur_alert_release(&a);
	segur_alert_release(&b);
	segur_alert_release(&dg);
}

static void
test_deliver_mail_authenticates_after_starttls(void **state)
{
	struct fixture	*f = *state;
	const char	*to[] = { "ops@editeur.example" };
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64], cert[128], key[128];
	cJSON		*got, *m;
	size_t		 n;

	make_cert(f, cert, key, sizeof(cert));
	start_server(f, "smtp-server.py", "--cert", cert, "--key", key,
	    "--require-starttls", "--auth", "segurd:hunter2", (char *)NULL);
	mail_channel(f, &ch, url, sizeof(url), to, 1, cert);
	ch.username = "segurd";
	ch.password = "hunter2";
	make_alert(&a, "alert-000134");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_OK);
	got = received(f, NULL, &n);
	assert_int_equal(n, 1);
	m = cJSON_GetArrayItem(got, 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "tls")));
	assert_true(cJSON_IsString(cJSON_GetObjectItem(m, "auth_login")));
	assert_string_equal(cJSON_GetObjectItem(m, "auth_login")->valuestring,
	    "segurd");
	cJSON_Delete(got);
	segur_alert_release(&a);
}

static void
test_deliver_mail_bad_password_is_final(void **state)
{
	struct fixture	*f = *state;
	const char	*to[] = { "ops@editeur.example" };
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64], cert[128], key[128];

	make_cert(f, cert, key, sizeof(cert));
	start_server(f, "smtp-server.py", "--cert", cert, "--key", key,
	    "--require-starttls", "--auth", "segurd:hunter2", (char *)NULL);
	mail_channel(f, &ch, url, sizeof(url), to, 1, cert);
	ch.username = "segurd";
	ch.password = "hunter3";
	make_alert(&a, "alert-000135");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_FAILED);
	assert_int_equal(f->results[0].attempts, 1);
	assert_null(strstr(f->results[0].reason, "hunter"));
	segur_alert_release(&a);
}

static void
test_deliver_mail_without_starttls_is_refused(void **state)
{
	struct fixture	*f = *state;
	const char	*to[] = { "ops@editeur.example" };
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];
	cJSON		*got;
	size_t		 n;

	/* A server that offers no STARTTLS: the password and the alert
	 * must not cross the network in clear text. */
	start_server(f, "smtp-server.py", (char *)NULL);
	mail_channel(f, &ch, url, sizeof(url), to, 1, NULL);
	ch.username = "segurd";
	ch.password = "hunter2";
	make_alert(&a, "alert-000132");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_FAILED);
	assert_int_equal(f->results[0].attempts, 1);
	got = received(f, NULL, &n);
	assert_int_equal(n, 0);
	cJSON_Delete(got);
	segur_alert_release(&a);
}

static void
test_deliver_mail_rejected_recipient_is_final(void **state)
{
	struct fixture	*f = *state;
	const char	*to[] = { "nobody@editeur.example" };
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64];

	start_server(f, "smtp-server.py", "--reject-rcpt",
	    "nobody@editeur.example", (char *)NULL);
	mail_channel(f, &ch, url, sizeof(url), to, 1, NULL);
	ch.starttls = SEGURD_STARTTLS_TRY;
	make_alert(&a, "alert-000133");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    NULL), 0);
	run_until_results(f, 1);
	assert_int_equal(f->results[0].status, SEGURD_DELIVER_FAILED);
	assert_int_equal(f->results[0].code, 550);
	assert_int_equal(f->results[0].attempts, 1);
	assert_non_null(strstr(f->results[0].reason, "mail : SMTP 550"));
	segur_alert_release(&a);
}

/* Closes the deliverer from a timer, mid-flight. */
static void
on_close_timer(uv_timer_t *t)
{
	struct fixture *f = t->data;

	segurd_deliver_close(f->d, on_closed, f);
	uv_close((uv_handle_t *)t, NULL);
}

static void
test_deliver_close_with_deliveries_in_flight(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch, down;
	struct segur_alert a;
	char		 url[64], url2[64], id[32];
	uv_timer_t	 t;
	size_t		 i;

	/* Five requests held 5 s by the receiver, one retry waiting. */
	start_server(f, "webhook-receiver.py", "--secret", SECRET,
	    "--slow-first", "5", "--slow", "5", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	down = ch;
	snprintf(url2, sizeof(url2), "http://127.0.0.1:%d/", free_port());
	down.url = url2;
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "alert-%06zu", 200 + i);
		make_alert(&a, id);
		assert_int_equal(segurd_deliver_submit(f->d, &ch, &a,
		    on_result, f, NULL), 0);
		segur_alert_release(&a);
	}
	make_alert(&a, "alert-000300");
	assert_int_equal(segurd_deliver_submit(f->d, &down, &a, on_result, f,
	    NULL), 0);
	assert_int_equal(segurd_deliver_pending(f->d), 6);
	assert_int_equal(uv_timer_init(&f->loop, &t), 0);
	t.data = f;
	assert_int_equal(uv_timer_start(&t, on_close_timer, 500, 0), 0);
	while (!f->closed)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(f->nresults, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(f->results[i].status,
		    SEGURD_DELIVER_CANCELLED);
		assert_non_null(strstr(f->reasons[i], "annulé par l'arrêt"));
	}
	/* Nothing left: the loop has no handle of ours, closes cleanly
	 * (asserted in teardown). */
	assert_int_equal(uv_run(&f->loop, UV_RUN_NOWAIT), 0);
	segur_alert_release(&a);
}

static void
test_deliver_close_with_attempts_waiting_their_turn(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64], id[32];
	uv_timer_t	 t;
	size_t		 i;

	/* Two held by the receiver, three queued behind max_inflight. */
	start_server(f, "webhook-receiver.py", "--slow-first", "5", "--slow",
	    "5", (char *)NULL);
	webhook_channel(f, &ch, url, sizeof(url));
	ch.secret = NULL;
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "alert-%06zu", 600 + i);
		make_alert(&a, id);
		assert_int_equal(segurd_deliver_submit(f->d, &ch, &a,
		    on_result, f, NULL), 0);
		segur_alert_release(&a);
	}
	assert_int_equal(uv_timer_init(&f->loop, &t), 0);
	t.data = f;
	assert_int_equal(uv_timer_start(&t, on_close_timer, 300, 0), 0);
	while (!f->closed)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(f->nresults, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(f->results[i].status,
		    SEGURD_DELIVER_CANCELLED);
		assert_int_equal(f->results[i].attempts, 0);
	}
}

static void
test_deliver_submit_refuses_bad_input_and_late_work(void **state)
{
	struct fixture	*f = *state;
	struct segurd_channel ch;
	struct segur_alert a;
	char		 url[64], *cause = NULL;

	webhook_channel(f, &ch, url, sizeof(url));
	make_alert(&a, "alert-000400");
	ch.secret = "whsec_short";
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    &cause), SEGUR_EINVAL);
	ch.secret = SECRET;
	free(a.id);
	a.id = strdup("alert.400");
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    &cause), SEGUR_EINVAL);
	assert_int_equal(segurd_deliver_pending(f->d), 0);
	free(a.id);
	a.id = strdup("alert-000400");
	segurd_deliver_close(f->d, on_closed, f);
	assert_int_equal(segurd_deliver_submit(f->d, &ch, &a, on_result, f,
	    &cause), SEGUR_ESTATE);
	while (!f->closed)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_int_equal(f->nresults, 0);
	free(cause);
	segur_alert_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_deliver_webhook_delivered_once_and_signed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_webhook_retries_then_delivers_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_webhook_410_disables, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_webhook_receiver_down_gives_up, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_webhook_timeout_is_retried, setup_slow,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_burst_keeps_to_max_inflight, setup_narrow,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deliver_chat_sends_text,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_webhook_over_https, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_mail_over_starttls, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_mail_authenticates_after_starttls, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_mail_bad_password_is_final, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_mail_without_starttls_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_mail_rejected_recipient_is_final, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_close_with_deliveries_in_flight, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_close_with_attempts_waiting_their_turn,
		    setup_narrow, teardown),
		cmocka_unit_test_setup_teardown(
		    test_deliver_submit_refuses_bad_input_and_late_work, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
