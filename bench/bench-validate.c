/*
 * bench-validate.c: the validator's speed next to cJSON_Parse alone.
 *
 * Generates NFILES realistic 200-line files (like docs/examples: 1 to 3
 * OGs per line, 1 to 4 ESMS each, mandataires, server certificates, PJ,
 * scenarios), then in one run times, on the same bytes:
 *   - cJSON_Parse + cJSON_Delete (parse only),
 *   - segur_validate_buffer() with the file name (full validation),
 *   - the same with a reference-data context answering at once,
 * and prints MB/s, files/s and the ratio (target: >= 70 %). Each method
 * runs in its own forked process (see measure_apart()). Peak memory of
 * one validation of one 200-line file is measured in a fresh process
 * (fork + exec of this binary with --peak FILE) as VmHWM: the whole
 * process (binary, libraries, the file, cJSON's tree, the report), before
 * and after the validation (target: < 16 MB).
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "segur/validate.h"

#include "bench-tmp.h"

#define NFILES	8
#define NLINES	200
#define ROUNDS	30

static uint64_t rng = 0x2023000042ULL;

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((unsigned)(rng >> 33) % n);
}

/* A 9-digit FINESS with a good Luhn key. */
static void
finess(char out[10])
{
	int	 i, sum = 0, d;

	for (i = 0; i < 8; i++)
		out[i] = (char)('0' + (i == 0 ? 1 + rnd(9) : rnd(10)));
	for (i = 0; i < 8; i++) {
		d = out[7 - i] - '0';
		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	out[8] = (char)('0' + (10 - sum % 10) % 10);
	out[9] = '\0';
}

static const char *const noms[] = {
	"MARTIN", "BERNARD", "ÉTIENNE", "LEFÈVRE-D'ARGENT", "DURAND",
	"PETIT", "MOREAU", "GARÇON", "NOËL"
};
static const char *const ops[] = {
	"MAI_15", "CH _20", "ENO_5", "GIP_1", "HÔP_302", "CH _93"
};

static cJSON *
gen_og(cJSON *scen, int *nesms)
{
	cJSON	*og = cJSON_CreateObject(), *cert, *geos, *s, *p;
	char	 f[10];
	int	 i, n = 1 + (int)rnd(4), req = (int)rnd(2);

	finess(f);
	cJSON_AddStringToObject(og, "FINESSJuridique", f);
	cJSON_AddBoolToObject(og, "demandeCertificatServeur", req);
	cert = cJSON_CreateObject();
	if (req) {
		cJSON_AddTrueToObject(og, "contractualisationOG");
		cJSON_AddStringToObject(og, "statutAdminTechnique", "S");
		cJSON_AddNullToObject(og, "contractualisationEditeur");
		cJSON_AddStringToObject(cert, "numeroCarteCPX", "8001234567");
		cJSON_AddStringToObject(cert, "nomAdminTechnique",
		    noms[rnd(9)]);
		cJSON_AddStringToObject(cert, "telAdminTechnique",
		    "+33 1 23 45 67 89");
		cJSON_AddStringToObject(cert, "emailAdminTechnique",
		    "admin.si@og-exemple.fr");
		cJSON_AddStringToObject(cert, "utiliteCertificat", "DMP, INS");
	} else {
		cJSON_AddNullToObject(og, "contractualisationOG");
		cJSON_AddNullToObject(og, "statutAdminTechnique");
		cJSON_AddNullToObject(og, "contractualisationEditeur");
		cJSON_AddNullToObject(cert, "numeroCarteCPX");
		cJSON_AddNullToObject(cert, "nomAdminTechnique");
		cJSON_AddNullToObject(cert, "telAdminTechnique");
		cJSON_AddNullToObject(cert, "emailAdminTechnique");
		cJSON_AddNullToObject(cert, "utiliteCertificat");
	}
	cJSON_AddItemToObject(og, "certificatServeur", cert);
	cJSON_AddStringToObject(og, "nomResponsableOG", noms[rnd(9)]);
	cJSON_AddStringToObject(og, "emailResponsableOG",
	    "direction@og-exemple.fr");
	cJSON_AddStringToObject(og, "telephoneResponsableOG",
	    "+33 4 78 00 00 01");
	geos = cJSON_AddArrayToObject(og, "FINESSGeos");
	for (i = 0; i < n; i++) {
		finess(f);
		cJSON_AddItemToArray(geos, cJSON_CreateString(f));
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "FINESSGeo", f);
		cJSON_AddStringToObject(s, "ancienneVersion", "DUI 4.2");
		cJSON_AddBoolToObject(s, "isMaitreId", (int)rnd(2));
		cJSON_AddBoolToObject(s, "IsStockageId", (int)rnd(2));
		if (rnd(3) == 0)
			cJSON_AddNullToObject(s, "operateurMessagerie");
		else
			cJSON_AddStringToObject(s, "operateurMessagerie",
			    ops[rnd(6)]);
		if (rnd(2)) {
			cJSON_AddStringToObject(s, "profilMetier", "PA");
		} else {
			p = cJSON_AddArrayToObject(s, "profilMetier");
			cJSON_AddItemToArray(p, cJSON_CreateString("PA"));
			cJSON_AddItemToArray(p, cJSON_CreateString("PH"));
		}
		cJSON_AddBoolToObject(s, "IsRefSoins", (int)rnd(2));
		cJSON_AddItemToArray(scen, s);
	}
	*nesms += n;
	return (og);
}

static cJSON *
gen_line(int k)
{
	cJSON	*l = cJSON_CreateObject(), *c, *b, *e, *pjs, *pj, *scen;
	char	 ne[6], name[40], amount[32];
	int	 i, nog = 1 + (int)rnd(3), ht = rnd(4) == 0, nesms = 0;
	int	 mand = rnd(3) == 0;

	snprintf(ne, sizeof(ne), "%05d", k + 1);
	cJSON_AddNumberToObject(l, "numLigne", k + 1);
	cJSON_AddStringToObject(l, "typeAction", "C");
	cJSON_AddNullToObject(l, "numeroASP");
	cJSON_AddStringToObject(l, "numeroEditeur", ne);
	c = cJSON_AddObjectToObject(l, "commande");
	cJSON_AddStringToObject(c, "dateCommande", "02/10/2023");
	cJSON_AddStringToObject(c, "regimeTVA", ht ? "HT" : "TTC");
	b = cJSON_AddObjectToObject(l, "beneficiaires");
	cJSON_AddBoolToObject(b, "isMandataire", mand);
	if (mand) {
		cJSON_AddStringToObject(b, "nomMandataire", noms[rnd(9)]);
		cJSON_AddStringToObject(b, "emailMandataire",
		    "mandat@groupe-exemple.fr");
		cJSON_AddStringToObject(b, "telephoneMandataire",
		    "+33 4 72 00 00 00");
	} else {
		cJSON_AddNullToObject(b, "nomMandataire");
		cJSON_AddNullToObject(b, "emailMandataire");
		cJSON_AddNullToObject(b, "telephoneMandataire");
	}
	e = cJSON_AddArrayToObject(b, "etablissementsClients");
	scen = cJSON_CreateArray();
	for (i = 0; i < nog; i++)
		cJSON_AddItemToArray(e, gen_og(scen, &nesms));
	/* Exact text for the amount, two decimals, as the output writes. */
	snprintf(amount, sizeof(amount), "%d.%02d", 2433 * nesms, 33);
	cJSON_AddItemToObject(c, "montantSegurHT", cJSON_CreateRaw(amount));
	pjs = cJSON_AddArrayToObject(l, "piecesJustificatives");
	pj = cJSON_CreateObject();
	snprintf(name, sizeof(name), "MS1-DUI-Va1-BDC-%s.pdf", ne);
	cJSON_AddStringToObject(pj, "nomFichier", name);
	cJSON_AddStringToObject(pj, "formatFichier", "PDF");
	cJSON_AddStringToObject(pj, "typeFichier", "BON_COMMANDE");
	cJSON_AddItemToArray(pjs, pj);
	if (ht) {
		pj = cJSON_CreateObject();
		snprintf(name, sizeof(name), "MS1-DUI-Va1-HT-%s.png", ne);
		cJSON_AddStringToObject(pj, "nomFichier", name);
		cJSON_AddStringToObject(pj, "formatFichier", "PNG");
		cJSON_AddStringToObject(pj, "typeFichier", "PREUVE_HT");
		cJSON_AddItemToArray(pjs, pj);
	}
	cJSON_AddItemToObject(l, "scenarioInstallation", scen);
	cJSON_AddNullToObject(l, "codeTraitement");
	cJSON_AddNullToObject(l, "libelleTraitement");
	return (l);
}

static char *
gen_file(void)
{
	cJSON	*root = cJSON_CreateObject(), *lines;
	char	*s;
	int	 k;

	cJSON_AddNullToObject(root, "impId");
	cJSON_AddStringToObject(root, "numeroAns", "2023000042");
	cJSON_AddStringToObject(root, "SIRET", "38042372300028");
	lines = cJSON_AddArrayToObject(root, "lignesImport");
	for (k = 0; k < NLINES; k++)
		cJSON_AddItemToArray(lines, gen_line(k));
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return (s);
}

/*
 * CPU time of this thread: on a machine shared with other builds, wall
 * time mostly measures who else is running.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

#define FILENAME	"JSON-2023000042-20231002-001.json"

/* Reference data answering at once, as an in-memory cache would. */
static int
ctx_eligible(void *arg, const char *geo, char tranche[8], char fj[10])
{
	(void)arg;
	(void)geo;
	(void)fj;
	tranche[0] = 'B';
	return (1);
}

static int
ctx_tranche(void *arg, const char *tranche, int64_t *cents)
{
	(void)arg;
	(void)tranche;
	*cents = 292000;
	return (1);
}

static int
ctx_profiles(void *arg, const char *ans, unsigned *p)
{
	(void)arg;
	(void)ans;
	*p = 0x1FF;
	return (1);
}

static int
ctx_no(void *arg, const char *s)
{
	(void)arg;
	(void)s;
	return (0);
}

static int
ctx_live(void *arg, const char *geo, char **other)
{
	(void)arg;
	(void)geo;
	(void)other;
	return (0);
}

static const struct segur_validate_ctx bench_ctx = {
	NULL, NULL, ctx_eligible, ctx_tranche, ctx_profiles, ctx_no,
	ctx_live, 20261127
};

static int
validate_ctx(const char *buf, size_t len, struct segur_report *r,
    const struct segur_validate_ctx *ctx)
{
	struct segur_validate_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.filename = FILENAME;
	opts.ctx = ctx;
	return (segur_validate_buffer(buf, len, &opts, r));
}

static int
validate(const char *buf, size_t len, struct segur_report *r)
{
	return (validate_ctx(buf, len, r, NULL));
}

/*
 * The process's peak resident set in KiB (VmHWM of /proc/self/status:
 * unlike ru_maxrss, it belongs to the address space, so exec resets it).
 */
static long
vmhwm(void)
{
	FILE	*f;
	char	 line[256];
	long	 kb = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return (kb);
}

/*
 * The child of peak_memory(): a fresh process that reads one file and
 * validates it, printing its peak RSS before and after.
 */
static int
peak_child(const char *path)
{
	struct segur_report r;
	FILE	*f;
	char	*buf;
	long	 before, size;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size)
		return (1);
	fclose(f);
	before = vmhwm();
	if (validate(buf, (size_t)size, &r) != 0)
		return (1);
	segur_report_release(&r);
	printf("peak memory, one 200-line file of %.0f KiB (VmHWM of a fresh "
	    "process): %.1f MiB before validating, %.1f MiB after, whole "
	    "process (target < 16 MB)\n", (double)size / 1024,
	    (double)before / 1024, (double)vmhwm() / 1024);
	free(buf);
	return (0);
}

/* Runs peak_child() on file in a new process (fork + exec of ourselves). */
static void
peak_memory(const char *file)
{
	char	*dir, *path;
	int	 fd, status;
	pid_t	 pid;

	if ((dir = bench_tmpdir("validate")) == NULL)
		return;
	if ((path = segur_asprintf("%s/name", dir)) == NULL ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		free(path);
		rmdir(dir);
		free(dir);
		return;
	}
	if (write(fd, file, strlen(file)) != (ssize_t)strlen(file)) {
		close(fd);
		unlink(path);
		free(path);
		rmdir(dir);
		free(dir);
		return;
	}
	close(fd);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execl("/proc/self/exe", "bench-validate", "--peak", path,
		    (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

/* Runs method (0 parse only, 1 validation, 2 validation with reference
 * data) once on a file; returns its CPU time, -1 on failure. */
static double
run_once(int method, const char *file, size_t len)
{
	struct segur_report r;
	double	 t0 = now();
	cJSON	*j;

	if (method == 0) {
		if ((j = cJSON_Parse(file)) == NULL)
			return (-1);
		cJSON_Delete(j);
	} else {
		if (validate_ctx(file, len, &r, method == 2 ? &bench_ctx :
		    NULL) != 0)
			return (-1);
		segur_report_release(&r);
	}
	return (now() - t0);
}

/* One worker process per method, driven over two pipes. */
struct worker {
	pid_t	 pid;
	int	 cmd;	/* parent writes a file index, -1 to stop */
	int	 res;	/* worker writes the time */
};

static int
worker_start(struct worker *w, int method, char **files, const size_t *lens)
{
	int	 c[2], r[2], i;
	double	 t;

	if (pipe(c) != 0 || pipe(r) != 0)
		return (-1);
	if ((w->pid = fork()) == 0) {
		close(c[1]);
		close(r[0]);
		while (read(c[0], &i, sizeof(i)) == sizeof(i) && i >= 0) {
			t = run_once(method, files[i], lens[i]);
			if (write(r[1], &t, sizeof(t)) != sizeof(t))
				break;
		}
		_exit(0);
	}
	close(c[0]);
	close(r[1]);
	w->cmd = c[1];
	w->res = r[0];
	return (w->pid > 0 ? 0 : -1);
}

static double
worker_run(struct worker *w, int i)
{
	double	 t = -1;

	if (write(w->cmd, &i, sizeof(i)) != sizeof(i) ||
	    read(w->res, &t, sizeof(t)) != sizeof(t))
		return (-1);
	return (t);
}

static void
worker_stop(struct worker *w)
{
	int	 stop = -1, status;

	if (write(w->cmd, &stop, sizeof(stop)) != sizeof(stop))
		kill(w->pid, SIGTERM);
	close(w->cmd);
	close(w->res);
	waitpid(w->pid, &status, 0);
}

int
main(int argc, char **argv)
{
	struct segur_report r;
	char	*files[NFILES];
	size_t	 lens[NFILES], total = 0;
	struct worker w[3];
	double	 tparse, tval, tctx, mb, best[NFILES][3], t;
	int	 i, k, m, which;

	if (argc == 3 && strcmp(argv[1], "--peak") == 0)
		return (peak_child(argv[2]));
	for (i = 0; i < NFILES; i++) {
		files[i] = gen_file();
		lens[i] = strlen(files[i]);
		total += lens[i];
		if (validate(files[i], lens[i], &r) != 0 || r.nfindings != 0) {
			fprintf(stderr, "bench: generated file %d is not clean "
			    "(%zu findings, first: %s)\n", i, r.nfindings,
			    r.nfindings > 0 ? r.findings[0].message : "-");
			return (1);
		}
		segur_report_release(&r);
	}
	printf("%d generated files of %d lines, %.0f KiB each on average\n",
	    NFILES, NLINES, (double)total / NFILES / 1024);

	/*
	 * The machine is shared and its load comes and goes: each method
	 * runs in its own process (so that each finds the allocator as its
	 * own steady state left it: in one process, each would inherit the
	 * other's free lists), and the three processes take turns on the
	 * same file, so that all three see the same load. Each (file,
	 * method) keeps its best CPU time over the rounds.
	 */
	for (m = 0; m < 3; m++)
		if (worker_start(&w[m], m, files, lens) != 0)
			return (1);
	for (i = 0; i < NFILES; i++)
		best[i][0] = best[i][1] = best[i][2] = 1e9;
	for (k = 0; k < ROUNDS; k++) {
		for (i = 0; i < NFILES; i++) {
			for (m = 0; m < 3; m++) {
				which = (k + i + m) % 3;
				if ((t = worker_run(&w[which], i)) < 0) {
					fprintf(stderr, "bench: a run "
					    "failed\n");
					return (1);
				}
				if (t < best[i][which])
					best[i][which] = t;
			}
		}
	}
	for (m = 0; m < 3; m++)
		worker_stop(&w[m]);
	tparse = tval = tctx = 0;
	for (i = 0; i < NFILES; i++) {
		tparse += best[i][0];
		tval += best[i][1];
		tctx += best[i][2];
	}
	mb = (double)total / 1e6;
	printf("CPU time, each method in its own process, taking turns; sum "
	    "of each file's best of %d rounds:\n", ROUNDS);
	printf("cJSON_Parse only:     %8.1f MB/s  %8.1f files/s\n",
	    mb / tparse, NFILES / tparse);
	printf("full validation:      %8.1f MB/s  %8.1f files/s\n",
	    mb / tval, NFILES / tval);
	printf("validation / parse:   %8.1f %%  (target >= 70 %%)\n",
	    100 * tparse / tval);
	printf("with reference data:  %8.1f MB/s  %8.1f files/s  (%.1f %% of "
	    "parse; callbacks answering at once)\n", mb / tctx,
	    NFILES / tctx, 100 * tparse / tctx);
	peak_memory(files[0]);
	for (i = 0; i < NFILES; i++)
		free(files[i]);
	return (0);
}
