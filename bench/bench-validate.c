/*
 * bench-validate.c: the validator's speed next to cJSON_Parse alone.
 *
 * Generates NFILES realistic 200-line files (like docs/examples: 1 to 3
 * OGs per line, 1 to 4 ESMS each, mandataires, server certificates, PJ,
 * scenarios), then in one run times, on the same bytes:
 *   - cJSON_Parse + cJSON_Delete (parse only),
 *   - segur_validate_buffer() with the file name (full validation),
 * and prints MB/s, files/s and the ratio (target: >= 70 %). Peak memory of
 * one validation of one 200-line file is measured in a fresh process
 * (fork + exec of this binary with --peak FILE) as VmHWM: the whole
 * process (binary, libraries, the file, cJSON's tree, the report), before
 * and after the validation (target: < 16 MB).
 */
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "segur/validate.h"

#define NFILES	8
#define NLINES	200
#define ROUNDS	15

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

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

#define FILENAME	"JSON-2023000042-20231002-001.json"

static int
validate(const char *buf, size_t len, struct segur_report *r)
{
	struct segur_validate_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.filename = FILENAME;
	return (segur_validate_buffer(buf, len, &opts, r));
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
	char	 path[] = "/tmp/bench-validate-XXXXXX";
	int	 fd, status;
	pid_t	 pid;

	if ((fd = mkstemp(path)) == -1)
		return;
	if (write(fd, file, strlen(file)) != (ssize_t)strlen(file)) {
		close(fd);
		unlink(path);
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
}

int
main(int argc, char **argv)
{
	struct segur_report r;
	char	*files[NFILES];
	size_t	 lens[NFILES], total = 0;
	double	 t0, t1, tparse, tval, mb;
	int	 i, k;
	cJSON	*j;

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
	 * Interleave the two measurements round by round and keep each
	 * one's best round: the machine is shared, and the best round is
	 * the one least disturbed by others.
	 */
	tparse = tval = 1e9;
	for (k = 0; k < ROUNDS; k++) {
		t0 = now();
		for (i = 0; i < NFILES; i++) {
			if ((j = cJSON_Parse(files[i])) == NULL)
				return (1);
			cJSON_Delete(j);
		}
		if ((t1 = now() - t0) < tparse)
			tparse = t1;
		t0 = now();
		for (i = 0; i < NFILES; i++) {
			if (validate(files[i], lens[i], &r) != 0)
				return (1);
			segur_report_release(&r);
		}
		if ((t1 = now() - t0) < tval)
			tval = t1;
	}
	mb = (double)total / 1e6;
	printf("best of %d rounds of %d files each:\n", ROUNDS, NFILES);
	printf("cJSON_Parse only:     %8.1f MB/s  %8.1f files/s\n",
	    mb / tparse, NFILES / tparse);
	printf("full validation:      %8.1f MB/s  %8.1f files/s\n",
	    mb / tval, NFILES / tval);
	printf("validation / parse:   %8.1f %%  (target >= 70 %%)\n",
	    100 * tparse / tval);
	peak_memory(files[0]);
	for (i = 0; i < NFILES; i++)
		free(files[i]);
	return (0);
}
