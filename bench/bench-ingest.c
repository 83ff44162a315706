/*
 * bench-ingest.c: ingesting a 200-line answer of ASP (make bench).
 *
 * For each ledger, an empty one and copies of bench-ledger's 100,000 and
 * 1,000,000 requests (scripts/bench runs bench-ledger first, which
 * generates them),
 * ROUNDS times: 200 requests registered and made ready, one file built,
 * ASP's answer made (every line accepted, numbers as JSON numbers), then
 * the timed part: segur_ingest_file() on it, archive and fsyncs included.
 * Target (issue 16): under 50 ms, fsyncs included.
 *
 * The log is checkpointed before each ingestion and after it, as segurd
 * does after each file (segur_ledger_checkpoint()); the checkpoint after
 * is timed on its own. Without it, SQLite checkpoints inside the commit
 * that takes the log past 1,000 pages: every other ingestion here, which
 * then takes twice as long.
 *
 * The requests are made ready by SQL rather than through the validator:
 * what is measured is ingestion, and the validator has its own bench.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/build.h"
#include "segur/error.h"
#include "segur/ingest.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "bench-tmp.h"
#include "ledger/ledger-int.h"

#define LINES	200
#define ROUNDS	15

/*
 * To find where an ingestion's time goes on each ledger, not for the
 * figures of issue 6 (docs/internals/ingest.md, "Measuring"):
 * SEGUR_BENCH_PROFILE=1: per statement of the timed ingestions, how many
 * ran, their time and the pages they found in SQLite's cache or read
 * (SQLITE_DBSTATUS_CACHE_HIT, _MISS), and the log frames each commit
 * wrote; =2 also names the b-tree of each page of the empty ledger's last
 * commit. SEGUR_BENCH_ROUNDS=n runs n rounds instead of ROUNDS.
 * SEGUR_BENCH_PERF_CTL=fifo: the control fifo of "perf record --control
 * fifo:... -D -1", enabled only while an ingestion is timed.
 */
#define PROF_MAX	128

static struct prof {
	const char	*sql;	/* sqlite3_sql(): lives with its statement */
	unsigned long	 n;
	double		 ns;
	long		 miss;
	long		 hit;
} prof[PROF_MAX];
static size_t	 nprof;
static int	 profiling;
static long	 prof_miss, prof_hit, prof_frames, prof_commits, prof_last;
static sqlite3_stmt *prof_stmt;	/* the statement running, and since: */
static double	 prof_t0;
static FILE	*perf_ctl;	/* SEGUR_BENCH_PERF_CTL: perf record's
				   --control fifo, enabled while timed */

#define CONTENT \
	"{\"typeAction\":\"C\",\"commande\":{\"dateCommande\":\"02/10/2023\"," \
	"\"regimeTVA\":\"TTC\",\"montantSegurHT\":2433.33},\"beneficiaires\":{" \
	"\"isMandataire\":false,\"nomMandataire\":null,\"emailMandataire\":" \
	"null,\"telephoneMandataire\":null,\"etablissementsClients\":[{" \
	"\"FINESSJuridique\":\"750000127\",\"demandeCertificatServeur\":false," \
	"\"contractualisationOG\":null,\"statutAdminTechnique\":null," \
	"\"contractualisationEditeur\":null,\"certificatServeur\":null," \
	"\"nomResponsableOG\":\"MARTIN\",\"emailResponsableOG\":" \
	"\"direction@og-exemple.fr\",\"telephoneResponsableOG\":" \
	"\"+33123456780\",\"FINESSGeos\":[\"%s\"]}]}," \
	"\"piecesJustificatives\":[{\"formatFichier\":\"PDF\",\"typeFichier\":" \
	"\"BON_COMMANDE\"}],\"scenarioInstallation\":[{\"FINESSGeo\":\"%s\"," \
	"\"ancienneVersion\":\"DUI 4.2\",\"isMaitreId\":true,\"IsStockageId\":" \
	"false,\"operateurMessagerie\":\"MAI_15\",\"profilMetier\":\"PA\"," \
	"\"IsRefSoins\":true}]}"

static void
die(const char *what, int rc, char *cause)
{
	fprintf(stderr, "bench-ingest: %s: %s\n", what, cause != NULL ? cause :
	    segur_strerror(rc));
	exit(1);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

/* CPU time of this process in ms: user, or system when sys is set. */
static double
cpu_ms(int sys)
{
	struct rusage	 ru;
	struct timeval	*tv;

	getrusage(RUSAGE_SELF, &ru);
	tv = sys ? &ru.ru_stime : &ru.ru_utime;
	return ((double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3);
}

/*
 * Copies src to dst (the big ledger is only read by its own bench), and
 * waits for it to be on disk: otherwise the gigabytes just copied are
 * still being written back while ingestions are timed, and every fsync
 * of theirs (archive, log) waits behind them; that added several
 * milliseconds per ingestion on the big ledger, and none on the empty one.
 */
static int
copy_file(const char *src, const char *dst)
{
	char	 buf[1 << 16];
	ssize_t	 n;
	int	 in, out, rc = 0;

	if ((in = open(src, O_RDONLY)) == -1)
		return (-1);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		close(in);
		return (-1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n < 0 || fsync(out) != 0)
		rc = -1;
	close(in);
	close(out);
	return (rc);
}

/* Registers LINES requests, makes them ready, builds their file; returns
 * the built file's path (malloc'ed). */
static char *
prepare(struct segur_ledger *l, const char *dir, int round)
{
	struct segur_request_new req;
	struct segur_build_opts	 o;
	struct segur_build_result r;
	char	 ref[64], geo[16], content[4096], *bdc, *cause = NULL, *out;
	int	 i, rc;

	bdc = segur_asprintf("%s/bdc.pdf", dir);
	if (segur_write_file_atomic(bdc, "%PDF-1.4\n%%EOF\n", 15, 0600,
	    NULL) != 0)
		die("bdc", SEGUR_EIO, NULL);
	if ((rc = segur_ledger_begin(l, &cause)) != 0)
		die("begin", rc, cause);
	for (i = 0; i < LINES; i++) {
		snprintf(ref, sizeof(ref), "BENCH-INGEST-%d-%d", round, i);
		snprintf(geo, sizeof(geo), "77%03d%04d", round, i);
		snprintf(content, sizeof(content), CONTENT, geo, geo);
		memset(&req, 0, sizeof(req));
		req.ref = ref;
		req.numero_ans = "2023000042";
		req.content = content;
		req.content_len = strlen(content);
		req.bdc_path = bdc;
		if ((rc = segur_ledger_request_add(l, &req, NULL,
		    &cause)) != 0)
			die("request add", rc, cause);
	}
	if ((rc = segur__exec(l, "UPDATE request SET state = 'ready' WHERE "
	    "state = 'draft' AND ref LIKE 'BENCH-INGEST-%'", &cause)) != 0)
		die("ready", rc, cause);
	if ((rc = segur_ledger_commit(l, &cause)) != 0)
		die("commit", rc, cause);
	memset(&o, 0, sizeof(o));
	o.numero_ans = "2023000042";
	o.day = "20240105";
	o.outdir = dir;
	o.archive_dir = segur_asprintf("%s/archive", dir);
	if ((rc = segur_build_run(l, &o, &r, &cause)) != 0 || r.nfiles == 0 ||
	    r.nrequests != LINES)
		die("build", rc, cause);
	out = strdup(r.files[0].path);
	segur_build_result_release(&r);
	free((char *)o.archive_dir);
	free(bdc);
	return (out);
}

/* Writes ASP's answer to the built file: every line accepted. */
static char *
answer(const char *built, int round)
{
	cJSON	*root, *line;
	char	*data, *text, *path;
	size_t	 len;
	int	 i = 0;

	if (segur_read_file(built, 1 << 24, &data, &len, NULL) != 0 ||
	    (root = cJSON_Parse(data)) == NULL)
		die("read the built file", SEGUR_EIO, NULL);
	cJSON_ReplaceItemInObject(root, "impId", cJSON_CreateNumber(round));
	cJSON_ArrayForEach(line, cJSON_GetObjectItem(root, "lignesImport")) {
		cJSON_ReplaceItemInObject(line, "numeroASP",
		    cJSON_CreateNumber(round * 1000000 + i++));
		cJSON_ReplaceItemInObject(line, "codeTraitement",
		    cJSON_CreateNumber(0));
		cJSON_ReplaceItemInObject(line, "libelleTraitement",
		    cJSON_CreateString("Demande acceptée"));
	}
	text = cJSON_Print(root);
	path = segur_asprintf("%s.retour-%d.json", built, round);
	if (segur_write_file_atomic(path, text, strlen(text), 0600, NULL) != 0)
		die("write the answer", SEGUR_EIO, NULL);
	cJSON_Delete(root);
	free(text);
	free(data);
	return (path);
}

static int
prof_trace(unsigned type, void *ctx, void *p, void *x)
{
	sqlite3		*db = ctx;
	const char	*sql = sqlite3_sql(p);
	int		 cur, hi;
	long		 miss, hit;
	size_t		 i;

	if (type == SQLITE_TRACE_STMT && ((const char *)x)[0] != '-') {
		prof_stmt = p;
		prof_t0 = now_ms();
	}
	if (type != SQLITE_TRACE_PROFILE || sql == NULL)
		return (0);
	sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 0);
	miss = cur - prof_miss;
	prof_miss = cur;
	sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_HIT, &cur, &hi, 0);
	hit = cur - prof_hit;
	prof_hit = cur;
	if (!profiling)
		return (0);
	for (i = 0; i < nprof && prof[i].sql != sql; i++)
		;
	if (i == nprof) {
		if (nprof == PROF_MAX)
			return (0);
		prof[nprof++].sql = sql;
	}
	prof[i].n++;
	/* SQLite's own figure counts in whole milliseconds. */
	if (prof_stmt == p)
		prof[i].ns += (now_ms() - prof_t0) * 1e6;
	prof_stmt = NULL;
	prof[i].miss += miss;
	prof[i].hit += hit;
	return (0);
}

static int
prof_wal(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)arg;
	(void)db;
	(void)name;
	if (profiling) {
		prof_frames += frames;
		prof_commits++;
		prof_last = frames;
	}
	return (SQLITE_OK);
}

/*
 * SEGUR_BENCH_PROFILE=2, empty ledger only (dbstat reads every page):
 * which b-tree each page of the last commit's log frames belongs to.
 */
static void
prof_frames_owners(struct segur_ledger *l, const char *path, long frames)
{
	sqlite3_stmt	*st;
	unsigned char	 hdr[24];
	char		*wal, names[64][48];
	long		 i, counts[64];
	size_t		 n = 0, j;
	FILE		*fp;
	int		 pgno;

	wal = segur_asprintf("%s-wal", path);
	fp = fopen(wal, "rb");
	free(wal);
	if (fp == NULL || sqlite3_prepare_v2(l->db, "SELECT name FROM dbstat "
	    "WHERE pageno = ?", -1, &st, NULL) != SQLITE_OK) {
		if (fp != NULL)
			fclose(fp);
		return;
	}
	for (i = 0; i < frames; i++) {
		if (fseek(fp, 32 + i * (24 + 4096), SEEK_SET) != 0 ||
		    fread(hdr, 1, sizeof(hdr), fp) != sizeof(hdr))
			break;
		pgno = (int)((unsigned)hdr[0] << 24 | (unsigned)hdr[1] << 16 |
		    (unsigned)hdr[2] << 8 | hdr[3]);
		sqlite3_bind_int(st, 1, pgno);
		if (sqlite3_step(st) == SQLITE_ROW) {
			for (j = 0; j < n && strcmp(names[j],
			    (const char *)sqlite3_column_text(st, 0)) != 0; j++)
				;
			if (j == n && n < 64) {
				snprintf(names[n], sizeof(names[n]), "%s",
				    (const char *)sqlite3_column_text(st, 0));
				counts[n++] = 0;
			}
			if (j < n)
				counts[j]++;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	fclose(fp);
	printf("  pages of the last commit's %ld frames, by b-tree:", frames);
	for (j = 0; j < n; j++)
		printf(" %s %ld;", names[j], counts[j]);
	printf("\n");
}

static int
cmp_prof(const void *a, const void *b)
{
	const struct prof *x = a, *y = b;

	return ((x->ns < y->ns) - (x->ns > y->ns));
}

static void
prof_print(const char *label, int rounds)
{
	size_t	 i;

	qsort(prof, nprof, sizeof(prof[0]), cmp_prof);
	printf("  profile of %s, per ingestion (%d rounds); log frames per "
	    "commit: %.1f\n", label, rounds, prof_commits > 0 ?
	    (double)prof_frames / (double)prof_commits : 0.0);
	printf("  %8s %8s %8s %8s  %s\n", "runs", "ms", "misses", "hits",
	    "statement");
	for (i = 0; i < nprof; i++)
		printf("  %8.1f %8.3f %8.1f %8.1f  %.110s\n",
		    (double)prof[i].n / rounds, prof[i].ns / 1e6 / rounds,
		    (double)prof[i].miss / rounds,
		    (double)prof[i].hit / rounds, prof[i].sql);
	memset(prof, 0, sizeof(prof));
	nprof = 0;
	prof_frames = prof_commits = 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/* Runs ROUNDS timed ingestions on the ledger at path; median and max. */
static void
run(const char *label, const char *path, const char *dir, double *med,
    double *max)
{
	struct segur_ingest_opts o;
	struct segur_ingest_result r;
	struct segur_ledger *l;
	struct segur_software sw;
	double	 t[ROUNDS], u[ROUNDS], k[ROUNDS], ck[ROUNDS], t0, u0, k0;
	char	*cause = NULL, *built, *ret;
	const char *env;
	int	 i, rc, rounds = ROUNDS;

	if ((rc = segur_ledger_open(path, SEGUR_LEDGER_CREATE, &l,
	    &cause)) != 0)
		die("open", rc, cause);
	memset(&sw, 0, sizeof(sw));
	if (segur_ledger_software_add(l, "2023000042", "38042372300028",
	    "bench", 0x1ff, NULL) != 0 && segur_ledger_software_get(l,
	    "2023000042", &sw, NULL) != 0)
		die("software", SEGUR_EINVAL, NULL);
	segur_software_release(&sw);
	if ((env = getenv("SEGUR_BENCH_ROUNDS")) != NULL && atoi(env) > 0 &&
	    atoi(env) < ROUNDS)
		rounds = atoi(env);
	if ((env = getenv("SEGUR_BENCH_PROFILE")) != NULL &&
	    (env[0] == '1' || env[0] == '2')) {
		sqlite3_trace_v2(l->db, SQLITE_TRACE_STMT |
		    SQLITE_TRACE_PROFILE, prof_trace, l->db);
		sqlite3_wal_hook(l->db, prof_wal, NULL);
	}
	memset(&o, 0, sizeof(o));
	o.archive_dir = segur_asprintf("%s/archive", dir);
	o.quarantine_dir = segur_asprintf("%s/quarantine", dir);
	for (i = 0; i < rounds; i++) {
		built = prepare(l, dir, i);
		ret = answer(built, i + 1);
		if ((rc = segur_ledger_checkpoint(l, &cause)) != 0)
			die("checkpoint", rc, cause);
		t0 = now_ms();
		u0 = cpu_ms(0);
		k0 = cpu_ms(1);
		profiling = 1;
		if (perf_ctl != NULL) {
			fputs("enable\n", perf_ctl);
			fflush(perf_ctl);
		}
		rc = segur_ingest_file(l, ret, &o, &r, &cause);
		if (perf_ctl != NULL) {
			fputs("disable\n", perf_ctl);
			fflush(perf_ctl);
		}
		profiling = 0;
		u[i] = cpu_ms(0) - u0;
		k[i] = cpu_ms(1) - k0;
		t[i] = now_ms() - t0;
		if (rc != 0 || r.status != SEGUR_INGEST_RECORDED ||
		    r.naccepted != LINES)
			die("ingest", rc, cause);
		if (i == rounds - 1 && (env = getenv("SEGUR_BENCH_PROFILE")) !=
		    NULL && env[0] == '2' && strstr(label, "empty") != NULL)
			prof_frames_owners(l, path, prof_last);
		t0 = now_ms();
		if ((rc = segur_ledger_checkpoint(l, &cause)) != 0)
			die("checkpoint", rc, cause);
		ck[i] = now_ms() - t0;
		segur_ingest_result_release(&r);
		free(built);
		free(ret);
	}
	qsort(t, rounds, sizeof(t[0]), cmp_double);
	qsort(u, rounds, sizeof(u[0]), cmp_double);
	qsort(k, rounds, sizeof(k[0]), cmp_double);
	qsort(ck, rounds, sizeof(ck[0]), cmp_double);
	*med = t[rounds / 2];
	*max = t[rounds - 1];
	printf("  %-34s median %7.2f ms   max %7.2f ms  (%d x %d lines)\n"
	    "  %-34s CPU median: user %.1f ms, system %.1f ms; then the "
	    "checkpoint: median %.1f ms\n", label, *med, *max, rounds, LINES,
	    "", u[rounds / 2], k[rounds / 2], ck[rounds / 2]);
	if (nprof > 0)
		prof_print(label, rounds);
	free((char *)o.archive_dir);
	free((char *)o.quarantine_dir);
	segur_ledger_close(l);
}

int
main(int argc, char **argv)
{
	static const char *const sizes[] = { "100000", "1000000" };
	char	 path[4200], sub[4100];
	char	 big[4096], label[64], *dir, *self, *cmd;
	double	 m1, x1, m2, x2;
	size_t	 k;

	(void)argc;
	setenv("SEGUR_ACTOR", "bench", 1);
	if (getenv("SEGUR_BENCH_PERF_CTL") != NULL &&
	    (perf_ctl = fopen(getenv("SEGUR_BENCH_PERF_CTL"), "w")) == NULL)
		die("SEGUR_BENCH_PERF_CTL", SEGUR_EIO, NULL);
	if ((dir = bench_tmpdir("ingest")) == NULL)
		die("mkdtemp", SEGUR_EIO, NULL);
	printf("ingesting a %d-line answer of ASP (archive and fsyncs "
	    "included); target < 50 ms\n", LINES);
	snprintf(sub, sizeof(sub), "%s/empty", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof(path), "%s/ledger.db", sub);
	run("empty ledger", path, sub, &m1, &x1);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		self = strdup(argv[0]);
		snprintf(big, sizeof(big), "%s/bench-ledger-%s.db",
		    dirname(self), sizes[k]);
		free(self);
		snprintf(label, sizeof(label), "%s-request ledger", sizes[k]);
		snprintf(sub, sizeof(sub), "%s/big-%s", dir, sizes[k]);
		mkdir(sub, 0700);
		snprintf(path, sizeof(path), "%s/ledger.db", sub);
		if (access(big, R_OK) != 0 || copy_file(big, path) != 0) {
			printf("  %s: %s missing (run bench-ledger %s "
			    "first)\n", label, big, sizes[k]);
			continue;
		}
		run(label, path, sub, &m2, &x2);
		printf("  ratio %s / empty (median): %.2f\n", label,
		    m2 / m1);
		unlink(path);
	}
	cmd = segur_asprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-ingest: could not remove %s\n", dir);
	free(cmd);
	free(dir);
	return (0);
}
