/*
 * bench-ledger.c: the ledger at scale (make bench).
 *
 * Usage: bench-ledger [N]. Generates (once; cached as bench-ledger-N.db
 * beside the binary) a ledger of N requests (1,000,000 by default; make
 * bench runs 100,000 and 1,000,000) in every state, with their ESMS, attempts, numbers and
 * decisions, and 5,000,000 chained events; then measures, through the
 * library functions segurctl calls, request list --state, status and
 * request show, then segurctl itself (the one built beside this benchmark:
 * start, open, query and output, text and --json), and reports the
 * database size per request.
 *
 * Targets (issue 16): on 1,000,000 requests, a list paginated with --limit
 * under 100 ms; status and show under 10 ms. (On 100,000 requests, a whole
 * list by state under 100 ms.)
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>

#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

#define NREQUESTS	1000000	/* by default */
#define EVENTS_PER	5
#define CHUNK		50000
#define RUNS		7

/* Share of each state, in per mille: a ledger some years in. */
static const struct {
	enum segur_state s;
	int		 permil;
} mix[] = {
	{ SEGUR_STATE_DRAFT, 30 }, { SEGUR_STATE_READY, 20 },
	{ SEGUR_STATE_SUBMITTED, 20 }, { SEGUR_STATE_ACCEPTED, 50 },
	{ SEGUR_STATE_REJECTED, 30 }, { SEGUR_STATE_GRANTED, 50 },
	{ SEGUR_STATE_REFUSED, 20 }, { SEGUR_STATE_ADVANCE_PAID, 150 },
	{ SEGUR_STATE_BALANCE_REQUESTED, 50 },
	{ SEGUR_STATE_BALANCE_ACCEPTED, 30 },
	{ SEGUR_STATE_BALANCE_REJECTED, 20 },
	{ SEGUR_STATE_BALANCE_PAID, 100 }, { SEGUR_STATE_CLOSED, 400 },
	{ SEGUR_STATE_WITHDRAWN, 30 },
};

/* A compact but complete request line (one OG, two ESMS). */
#define CONTENT \
	"{\"typeAction\":\"C\",\"commande\":{\"dateCommande\":\"02/10/2023\"," \
	"\"regimeTVA\":\"TTC\",\"montantSegurHT\":%s},\"beneficiaires\":{" \
	"\"isMandataire\":false,\"nomMandataire\":null,\"emailMandataire\":" \
	"null,\"telephoneMandataire\":null,\"etablissementsClients\":[{" \
	"\"FINESSJuridique\":\"%s\",\"demandeCertificatServeur\":false," \
	"\"contractualisationOG\":null,\"statutAdminTechnique\":null," \
	"\"contractualisationEditeur\":null,\"certificatServeur\":null," \
	"\"nomResponsableOG\":\"MARTIN\",\"emailResponsableOG\":" \
	"\"direction@og-exemple.fr\",\"telephoneResponsableOG\":" \
	"\"+33123456780\",\"FINESSGeos\":[\"%s\",\"%s\"]}]}," \
	"\"piecesJustificatives\":[{\"formatFichier\":\"PDF\",\"typeFichier\":" \
	"\"BON_COMMANDE\"}],\"scenarioInstallation\":[{\"FINESSGeo\":\"%s\"," \
	"\"ancienneVersion\":\"DUI 4.2\",\"isMaitreId\":true,\"IsStockageId\":" \
	"false,\"operateurMessagerie\":\"MAI_15\",\"profilMetier\":\"PA\"," \
	"\"IsRefSoins\":true},{\"FINESSGeo\":\"%s\",\"ancienneVersion\":" \
	"\"DUI 4.2\",\"isMaitreId\":true,\"IsStockageId\":false," \
	"\"operateurMessagerie\":null,\"profilMetier\":[\"PA\",\"PH\"]," \
	"\"IsRefSoins\":false}]}"

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

/* CPU time of this process: steadier than the wall clock on a shared
 * machine, where other jobs take the cores away. */
static double
cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

static void
die(const char *what, int rc, char *cause)
{
	fprintf(stderr, "bench-ledger: %s: %s\n", what,
	    cause != NULL ? cause : segur_strerror(rc));
	exit(1);
}

static sqlite3_stmt *
prep(struct segur_ledger *l, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-ledger: %s: %s\n", sql,
		    sqlite3_errmsg(l->db));
		exit(1);
	}
	return (st);
}

static void
step(struct segur_ledger *l, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "bench-ledger: %s\n", sqlite3_errmsg(l->db));
		exit(1);
	}
	sqlite3_reset(st);
}

/* The state of request i: a fixed pseudo-random mix. */
static enum segur_state
state_of(uint64_t i)
{
	uint64_t	 h = (i * 2654435761u) % 1000;
	size_t		 k;
	int		 acc = 0;

	for (k = 0; k < sizeof(mix) / sizeof(mix[0]); k++) {
		acc += mix[k].permil;
		if ((int)h < acc)
			return (mix[k].s);
	}
	return (SEGUR_STATE_CLOSED);
}

/* numeroEditeur v as the allocator writes it. */
static void
base36(uint64_t v, char out[6])
{
	static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int	 i;

	for (i = 4; i >= 0; i--) {
		out[i] = digits[v % 36];
		v /= 36;
	}
	out[5] = '\0';
}

/* Writes ISO time t (seconds since the epoch). */
static void
iso(time_t t, char buf[24])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
generate(const char *path, uint64_t nrequests)
{
	struct segur_ledger *l;
	sqlite3_stmt	*q_req, *q_esms, *q_num, *q_att, *q_dec;
	char		*cause = NULL, content[4096], ref[32], fj[10], g1[10];
	char		 g2[10], amount[32], ts[24], ne[6], asp[32], before[64];
	char		 after[96];
	static const char *const acts[] = { "request.state",
	    "numero_editeur.use", "decision.record", "request.state" };
	enum segur_state s;
	time_t		 base = 1672531200;	/* 2023-01-01 */
	double		 t0 = now_ms();
	int64_t		 id, cents;
	uint64_t	 i;
	int		 rc, k;

	unlink(path);
	if ((rc = segur_ledger_open(path, SEGUR_LEDGER_CREATE, &l,
	    &cause)) != 0)
		die("create", rc, cause);
	/*
	 * Generation only, on a file nobody else has open: no journal, no
	 * fsync (the data is written once instead of twice through the WAL).
	 * The measurements reopen it with the ledger's own pragmas.
	 */
	if (segur__exec(l, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
	    "PRAGMA cache_size=-1000000", NULL) != 0 ||
	    segur_ledger_software_add(l, "2023000042", "38042372300028", NULL,
	    511, NULL) != 0)
		die("setup", SEGUR_EDB, NULL);
	q_req = prep(l, "INSERT INTO request(id, ref, software_id, state, "
	    "content, montant_cents, regime_tva, date_commande, numero_asp, "
	    "withdraw_reason, created_at, updated_at, numero_editeur) "
	    "VALUES (?1, ?2, 1, ?3, ?4, ?5, 'TTC', '2023-10-02', ?6, ?7, ?8, "
	    "?9, ?10)");
	q_esms = prep(l, "INSERT INTO request_esms(request_id, finess_geo, "
	    "finess_juridique) VALUES (?, ?, ?)");
	q_num = prep(l, "INSERT INTO numero_editeur(value, origin, at) "
	    "VALUES (?, 'allocated', ?)");
	q_att = prep(l, "INSERT INTO attempt(request_id, seq, numero_editeur, "
	    "outcome, numero_asp, code_traitement, libelle_traitement, "
	    "created_at, answered_at) VALUES (?, 1, ?, ?, ?, '0', ?, ?, ?)");
	q_dec = prep(l, "INSERT INTO decision(request_id, kind, date, "
	    "amount_cents, letter_ref, recorded_at) VALUES (?, ?, "
	    "'2024-01-15', ?, 'L-1', ?)");
	for (i = 0; i < nrequests; i++) {
		if (i % CHUNK == 0 && (rc = segur_ledger_begin(l,
		    &cause)) != 0)
			die("begin", rc, cause);
		id = (int64_t)i + 1;
		s = state_of(i);
		cents = 100000 + (int64_t)(i % 5000) * 100 + 67;
		snprintf(ref, sizeof(ref), "BC-%07" PRIu64, i + 1);
		snprintf(fj, sizeof(fj), "75%07" PRIu64, (i / 10) % 10000000);
		snprintf(g1, sizeof(g1), "33%07" PRIu64, (2 * i) % 10000000);
		snprintf(g2, sizeof(g2), "33%07" PRIu64,
		    (2 * i + 1) % 10000000);
		snprintf(amount, sizeof(amount), "%" PRId64 ".%02" PRId64,
		    cents / 100, cents % 100);
		snprintf(content, sizeof(content), CONTENT, amount, fj, g1, g2,
		    g1, g2);
		iso(base + (time_t)(i * 90), ts);
		base36(i + 1, ne);
		snprintf(asp, sizeof(asp), "MS1-DUI-%07" PRIu64, i + 1);
		sqlite3_bind_int64(q_req, 1, id);
		sqlite3_bind_text(q_req, 2, ref, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q_req, 3, segur_state_name(s), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(q_req, 4, content, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q_req, 5, cents);
		if (s >= SEGUR_STATE_ACCEPTED && s != SEGUR_STATE_REJECTED &&
		    s != SEGUR_STATE_WITHDRAWN)
			sqlite3_bind_text(q_req, 6, asp, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q_req, 6);
		if (s == SEGUR_STATE_WITHDRAWN)
			sqlite3_bind_text(q_req, 7, "doublon", -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(q_req, 7);
		sqlite3_bind_text(q_req, 8, ts, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q_req, 9, ts, -1, SQLITE_TRANSIENT);
		if (s >= SEGUR_STATE_SUBMITTED && s != SEGUR_STATE_WITHDRAWN)
			sqlite3_bind_text(q_req, 10, ne, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q_req, 10);
		step(l, q_req);
		for (k = 0; k < 2; k++) {
			sqlite3_bind_int64(q_esms, 1, id);
			sqlite3_bind_text(q_esms, 2, k ? g2 : g1, -1,
			    SQLITE_TRANSIENT);
			sqlite3_bind_text(q_esms, 3, fj, -1, SQLITE_TRANSIENT);
			step(l, q_esms);
		}
		if (s >= SEGUR_STATE_SUBMITTED && s != SEGUR_STATE_WITHDRAWN) {
			int acc = s != SEGUR_STATE_SUBMITTED &&
			    s != SEGUR_STATE_REJECTED;

			sqlite3_bind_text(q_num, 1, ne, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(q_num, 2, ts, -1, SQLITE_TRANSIENT);
			step(l, q_num);
			sqlite3_bind_int64(q_att, 1, id);
			sqlite3_bind_text(q_att, 2, ne, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(q_att, 3, s == SEGUR_STATE_SUBMITTED ?
			    "pending" : acc ? "accepted" : "rejected", -1,
			    SQLITE_STATIC);
			if (acc)
				sqlite3_bind_text(q_att, 4, asp, -1,
				    SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(q_att, 4);
			sqlite3_bind_text(q_att, 5, acc ? "Demande acceptée" :
			    "erreur", -1, SQLITE_STATIC);
			sqlite3_bind_text(q_att, 6, ts, -1, SQLITE_TRANSIENT);
			if (s == SEGUR_STATE_SUBMITTED)
				sqlite3_bind_null(q_att, 7);
			else
				sqlite3_bind_text(q_att, 7, ts, -1,
				    SQLITE_TRANSIENT);
			step(l, q_att);
		}
		if (s >= SEGUR_STATE_GRANTED && s != SEGUR_STATE_WITHDRAWN &&
		    s != SEGUR_STATE_REFUSED) {
			sqlite3_bind_int64(q_dec, 1, id);
			sqlite3_bind_text(q_dec, 2, "grant", -1, SQLITE_STATIC);
			sqlite3_bind_int64(q_dec, 3, cents);
			sqlite3_bind_text(q_dec, 4, ts, -1, SQLITE_TRANSIENT);
			step(l, q_dec);
			/* The payments and the balance request that the state
			 * implies, so that the figures (segur_ledger_figures())
			 * read a ledger of realistic shape. */
			for (k = 0; k < 3; k++) {
				static const char *const kinds[] = {
				    "advance_paid", "balance_requested",
				    "balance_paid" };
				static const enum segur_state from[] = {
				    SEGUR_STATE_ADVANCE_PAID,
				    SEGUR_STATE_BALANCE_REQUESTED,
				    SEGUR_STATE_BALANCE_PAID };
				int64_t	 adv = (cents * 30 + 50) / 100;

				if (s < from[k])
					break;
				sqlite3_bind_int64(q_dec, 1, id);
				sqlite3_bind_text(q_dec, 2, kinds[k], -1,
				    SQLITE_STATIC);
				sqlite3_bind_int64(q_dec, 3, k == 0 ? adv :
				    cents - adv);
				sqlite3_bind_text(q_dec, 4, ts, -1,
				    SQLITE_TRANSIENT);
				step(l, q_dec);
			}
		}
		/* Five chained events per request, through the library. */
		if ((rc = segur__event_append(l, "request.add", "request", ref,
		    id, NULL, content, &cause)) != 0)
			die("event", rc, cause);
		for (k = 0; k < EVENTS_PER - 1; k++) {
			snprintf(before, sizeof(before), "{\"state\":\"%s\"}",
			    segur_state_name((enum segur_state)k));
			snprintf(after, sizeof(after), "{\"state\":\"%s\","
			    "\"detail\":{\"numeroEditeur\":\"%s\"}}",
			    segur_state_name((enum segur_state)(k + 1)), ne);
			if ((rc = segur__event_append(l, acts[k], "request",
			    ref, id, before, after, &cause)) != 0)
				die("event", rc, cause);
		}
		if ((i + 1) % CHUNK == 0) {
			if ((rc = segur_ledger_commit(l, &cause)) != 0)
				die("commit", rc, cause);
			if ((i + 1) % 200000 == 0)
				fprintf(stderr, "  generated %" PRIu64
				    " requests, %.0f s\n", i + 1,
				    (now_ms() - t0) / 1e3);
		}
	}
	sqlite3_finalize(q_req);
	sqlite3_finalize(q_esms);
	sqlite3_finalize(q_num);
	sqlite3_finalize(q_att);
	sqlite3_finalize(q_dec);
	if (segur__exec(l, "ANALYZE; PRAGMA journal_mode=WAL", NULL) != 0)
		die("checkpoint", SEGUR_EDB, NULL);
	segur_ledger_close(l);
	fprintf(stderr, "  generated in %.0f s\n", (now_ms() - t0) / 1e3);
}

/* Is the cached ledger complete? */
static int
cached(const char *path, uint64_t nrequests)
{
	struct segur_ledger *l;
	sqlite3_stmt	*st;
	int		 ok = 0;

	if (access(path, F_OK) != 0 || segur_ledger_open(path, 0, &l,
	    NULL) != 0)
		return (0);
	if (sqlite3_prepare_v2(l->db, "SELECT (SELECT max(id) FROM request), "
	    "(SELECT max(id) FROM event)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_int64(st, 0) == (int64_t)nrequests &&
		    sqlite3_column_int64(st, 1) >= (int64_t)nrequests *
		    EVENTS_PER;
	sqlite3_finalize(st);
	segur_ledger_close(l);
	return (ok);
}

/* What segurctl's text list takes from the library: each line, counted
 * here rather than written (its --json, which takes rows, is timed through
 * segurctl further down). */
static int
count_row(void *arg, const struct segur_request_row *row)
{
	size_t	*n = arg;

	if (row->ref[0] != '\0')
		(*n)++;
	return (0);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* Prints the median and worst of RUNS wall-clock timings t, and the
 * median of their CPU times c. */
static void
report(const char *what, double *t, double *c, double target,
    const char *extra)
{
	qsort(t, RUNS, sizeof(*t), cmp_double);
	qsort(c, RUNS, sizeof(*c), cmp_double);
	printf("  %-44s median %8.3f ms  max %8.3f ms  cpu %8.3f ms  "
	    "(target < %g ms)%s%s\n", what, t[RUNS / 2], t[RUNS - 1],
	    c[RUNS / 2], target, extra[0] ? "  " : "", extra);
}

/*
 * The user's path: runs segurctl (built beside this benchmark) with args,
 * stdout to /dev/null, RUNS times; reports wall and CPU time of the whole
 * process (start, open, query, formatting, output).
 */
static void
time_segurctl(const char *segurctl, char *const args[], const char *what)
{
	struct rusage	 ru;
	double		 t[RUNS], c[RUNS], t0;
	pid_t		 pid;
	int		 r, status, fd;

	for (r = 0; r < RUNS; r++) {
		t0 = now_ms();
		if ((pid = fork()) == -1) {
			perror("bench-ledger: fork");
			exit(1);
		}
		if (pid == 0) {
			if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
			    dup2(fd, STDOUT_FILENO) == -1)
				_exit(127);
			execv(segurctl, args);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench-ledger: %s failed\n", segurctl);
			exit(1);
		}
		t[r] = now_ms() - t0;
		c[r] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	}
	report(what, t, c, 100, "");
}

int
main(int argc, char **argv)
{
	struct segur_request_filter f = { .state = -1 };
	struct segur_ledger *l;
	struct segur_status st;
	struct segur_event *ev;
	struct stat	 sb;
	char		 path[4096], extra[64], key[64], *dir, *cause = NULL;
	char		 segurctl[4096];
	/* The waiting lists ops read (3-5 % of the ledger each), and one
	 * state holding 15 % of it, to show how a list scales. */
	static const enum segur_state lists[] = { SEGUR_STATE_REJECTED,
	    SEGUR_STATE_ACCEPTED, SEGUR_STATE_DRAFT,
	    SEGUR_STATE_ADVANCE_PAID };
	double		 t[RUNS], c[RUNS], t0, c0;
	size_t		 n = 0, nev, k;
	cJSON		*o;
	uint64_t	 nrequests = NREQUESTS;
	int		 r, rc;

	if (argc > 1 && (nrequests = strtoull(argv[1], NULL, 10)) < 1000) {
		fprintf(stderr, "usage: bench-ledger [N >= 1000]\n");
		return (2);
	}
	if ((dir = strdup(argv[0])) == NULL)
		return (1);
	snprintf(path, sizeof(path), "%s/bench-ledger-%" PRIu64 ".db",
	    dirname(dir), nrequests);
	snprintf(segurctl, sizeof(segurctl), "%s/segurctl", dir);
	free(dir);
	setenv("SEGUR_ACTOR", "bench", 1);
	if (!cached(path, nrequests)) {
		fprintf(stderr, "bench-ledger: generating %" PRIu64 " requests "
		    "and %" PRIu64 " events in %s\n", nrequests, nrequests *
		    EVENTS_PER, path);
		generate(path, nrequests);
	}
	if ((rc = segur_ledger_open(path, 0, &l, &cause)) != 0)
		die("open", rc, cause);
	printf("ledger of %" PRIu64 " requests, %" PRIu64 " events (%s)\n",
	    nrequests, nrequests * EVENTS_PER, path);

	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		f.state = (int)lists[k];
		for (r = 0; r < RUNS; r++) {
			n = 0;
			c0 = cpu_ms();
			t0 = now_ms();
			if ((rc = segur_ledger_request_list(l, &f, count_row,
			    &n, &cause)) != 0)
				die("list", rc, cause);
			t[r] = now_ms() - t0;
			c[r] = cpu_ms() - c0;
		}
		snprintf(key, sizeof(key), "request list --state %s",
		    segur_state_name(lists[k]));
		snprintf(extra, sizeof(extra), "%zu rows", n);
		report(key, t, c, 100, extra);
	}
	f.state = SEGUR_STATE_ADVANCE_PAID;
	f.limit = 50;
	for (r = 0; r < RUNS; r++) {
		n = 0;
		c0 = cpu_ms();
		t0 = now_ms();
		if ((rc = segur_ledger_request_list(l, &f, count_row, &n,
		    &cause)) != 0)
			die("list", rc, cause);
		t[r] = now_ms() - t0;
		c[r] = cpu_ms() - c0;
	}
	report("request list --state advance_paid --limit 50", t, c, 100,
	    "");
	f.state = -1;
	f.limit = 0;
	f.esms = "330123456";
	for (r = 0; r < RUNS; r++) {
		n = 0;
		c0 = cpu_ms();
		t0 = now_ms();
		if ((rc = segur_ledger_request_list(l, &f, count_row, &n,
		    &cause)) != 0)
			die("list", rc, cause);
		t[r] = now_ms() - t0;
		c[r] = cpu_ms() - c0;
	}
	report("request list --esms", t, c, 100, "");

	for (r = 0; r < RUNS; r++) {
		c0 = cpu_ms();
		t0 = now_ms();
		if ((rc = segur_ledger_status(l, 10, &st, &cause)) != 0)
			die("status", rc, cause);
		t[r] = now_ms() - t0;
		c[r] = cpu_ms() - c0;
		segur_status_release(&st);
	}
	report("status", t, c, 10, "");

	for (r = 0; r < RUNS; r++) {
		snprintf(key, sizeof(key), "BC-%07" PRIu64, 1 + (uint64_t)r *
		    (nrequests / RUNS));
		c0 = cpu_ms();
		t0 = now_ms();
		if ((rc = segur_ledger_request_show(l, key, &o, &cause)) != 0)
			die("show", rc, cause);
		t[r] = now_ms() - t0;
		c[r] = cpu_ms() - c0;
		cJSON_Delete(o);
	}
	report("request show REF", t, c, 10, "");
	for (r = 0; r < RUNS; r++) {
		snprintf(key, sizeof(key), "MS1-DUI-%07d", 99000 - r * 977);
		c0 = cpu_ms();
		t0 = now_ms();
		rc = segur_ledger_request_show(l, key, &o, &cause);
		t[r] = now_ms() - t0;
		c[r] = cpu_ms() - c0;
		if (rc == 0)
			cJSON_Delete(o);
		else {
			free(cause);
			cause = NULL;
		}
	}
	report("request show NUMERO_ASP", t, c, 10, "");
	for (r = 0; r < RUNS; r++) {
		snprintf(key, sizeof(key), "BC-%07" PRIu64, 1 + (uint64_t)r *
		    (nrequests / RUNS));
		c0 = cpu_ms();
		t0 = now_ms();
		if ((rc = segur_ledger_request_history(l, key, &ev, &nev,
		    &cause)) != 0)
			die("history", rc, cause);
		t[r] = now_ms() - t0;
		c[r] = cpu_ms() - c0;
		segur_event_free_array(ev, nev);
	}
	report("request history REF", t, c, 5, "");
	segur_ledger_close(l);
	if (access(segurctl, X_OK) == 0) {
		char *text[] = { segurctl, "request", "list", "--db", path,
		    "--state", "advance_paid", NULL };
		char *json[] = { segurctl, "request", "list", "--db", path,
		    "--state", "advance_paid", "--json", NULL };
		char *status[] = { segurctl, "status", "--db", path, NULL };

		time_segurctl(segurctl, text,
		    "segurctl request list --state advance_paid");
		time_segurctl(segurctl, json,
		    "segurctl request list --state ... --json");
		time_segurctl(segurctl, status, "segurctl status");
	} else
		printf("  (no %s: the command line is not timed)\n", segurctl);
	if (stat(path, &sb) == 0)
		printf("  database: %.1f MB, %.0f bytes per request (events "
		    "included)\n", (double)sb.st_size / 1e6,
		    (double)sb.st_size / (double)nrequests);
	return (0);
}
