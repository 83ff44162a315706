/*
 * ledger-import.c: many requests at once from a spreadsheet export (CSV,
 * one row per ESMS, grouped by order reference), all or nothing.
 * docs/ledger.md lists the columns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

/* The columns, in the order of the guide; the level says which rows must
 * agree on the value. */
enum level { ORDER, OG, ESMS };

static const struct column {
	const char	*name;
	enum level	 level;
	int		 required;
} columns[] = {
#define C_REF		0
	{ "reference", ORDER, 1 },
#define C_ANS		1
	{ "numero_ans", ORDER, 0 },
#define C_DATE		2
	{ "date_commande", ORDER, 1 },
#define C_REGIME	3
	{ "regime_tva", ORDER, 1 },
#define C_MONTANT	4
	{ "montant_ht", ORDER, 1 },
#define C_MANDATAIRE	5
	{ "is_mandataire", ORDER, 0 },
#define C_NOM_MAND	6
	{ "nom_mandataire", ORDER, 0 },
#define C_EMAIL_MAND	7
	{ "email_mandataire", ORDER, 0 },
#define C_TEL_MAND	8
	{ "telephone_mandataire", ORDER, 0 },
#define C_BDC		9
	{ "bdc", ORDER, 0 },
#define C_HT		10
	{ "ht", ORDER, 0 },
#define C_FJ		11
	{ "finess_juridique", OG, 1 },
#define C_NOM_OG	12
	{ "nom_responsable_og", OG, 0 },
#define C_EMAIL_OG	13
	{ "email_responsable_og", OG, 0 },
#define C_TEL_OG	14
	{ "telephone_responsable_og", OG, 0 },
#define C_DEMANDE	15
	{ "demande_certificat_serveur", OG, 0 },
#define C_CONTRAT_OG	16
	{ "contractualisation_og", OG, 0 },
#define C_STATUT	17
	{ "statut_admin_technique", OG, 0 },
#define C_CONTRAT_ED	18
	{ "contractualisation_editeur", OG, 0 },
#define C_CPX		19
	{ "numero_carte_cpx", OG, 0 },
#define C_NOM_ADM	20
	{ "nom_admin_technique", OG, 0 },
#define C_TEL_ADM	21
	{ "tel_admin_technique", OG, 0 },
#define C_EMAIL_ADM	22
	{ "email_admin_technique", OG, 0 },
#define C_UTILITE	23
	{ "utilite_certificat", OG, 0 },
#define C_GEO		24
	{ "finess_geo", ESMS, 1 },
#define C_VERSION	25
	{ "ancienne_version", ESMS, 0 },
#define C_MAITRE	26
	{ "is_maitre_id", ESMS, 0 },
#define C_STOCKAGE	27
	{ "is_stockage_id", ESMS, 0 },
#define C_OPERATEUR	28
	{ "operateur_messagerie", ESMS, 0 },
#define C_PROFIL	29
	{ "profil_metier", ESMS, 0 },
#define C_SOINS		30
	{ "is_ref_soins", ESMS, 0 },
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* One OG of a request being built. */
struct og_acc {
	const char	*fj;		/* borrowed from the CSV */
	size_t		 row;		/* index of its first row */
	cJSON		*geos;		/* borrowed, in content */
};

/* One request being built. */
struct group {
	const char	*ref;		/* borrowed from the CSV */
	size_t		 row;		/* index of its first row */
	cJSON		*content;	/* owned */
	cJSON		*ogs;		/* borrowed, in content */
	cJSON		*scenario;	/* borrowed, in content */
	struct og_acc	*og;		/* owned */
	size_t		 nog;
};

struct import {
	const struct segur__csv	*c;
	int			 idx[NCOLUMNS];
	struct segur_csv_errors	*e;
	struct group		*g;
	size_t			 ng;
	int			 bad;
	int			 oom;
};

static const char *
field(struct import *im, size_t row, int col)
{
	return (segur__csv_field(&im->c->rows[row], im->idx[col]));
}

static void
error(struct import *im, size_t row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a finding on CSV row index row (and column col, -1 for none). */
static void
error(struct import *im, size_t row, int col, const char *fmt, ...)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;

	im->bad = 1;
	va_start(ap, fmt);
	if (segur_buf_vaddf(&b, fmt, ap) != 0)
		im->oom = 1;
	va_end(ap);
	if (!im->oom && segur__csv_error(im->e, im->c->rows[row].row,
	    col >= 0 ? columns[col].name : NULL, "%s", b.data) != 0)
		im->oom = 1;
	segur_buf_release(&b);
}

/* A JSON string, or null for an empty cell. */
static cJSON *
text_or_null(const char *s)
{
	return (s[0] != '\0' ? cJSON_CreateString(s) : cJSON_CreateNull());
}

/* A boolean cell: oui/non, true/false, vrai/faux, 1/0; empty is dflt
 * (-1: null). NULL on a bad value (reported). */
static cJSON *
boolean(struct import *im, size_t row, int col, int dflt)
{
	static const char *const yes[] = { "oui", "true", "vrai", "1", "o" };
	static const char *const no[] = { "non", "false", "faux", "0", "n" };
	const char	*s = field(im, row, col);
	size_t		 i;

	if (s[0] == '\0')
		return (dflt < 0 ? cJSON_CreateNull() : cJSON_CreateBool(dflt));
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return (cJSON_CreateTrue());
		if (strcasecmp(s, no[i]) == 0)
			return (cJSON_CreateFalse());
	}
	error(im, row, col, "« %s » n'est pas un booléen (oui/non, true/false, "
	    "1/0)", s);
	return (NULL);
}

/* Adds item under key, or marks the import out of memory. */
static void
add(struct import *im, cJSON *o, const char *key, cJSON *item)
{
	if (item == NULL) {
		/* A bad cell was reported; keep building to find more. */
		item = cJSON_CreateNull();
	}
	if (item == NULL || !cJSON_AddItemToObject(o, key, item)) {
		cJSON_Delete(item);
		im->oom = 1;
	}
}

/* profil_metier: "PA", or several separated by ',', ';' or spaces. */
static cJSON *
profils(struct import *im, size_t row)
{
	const char	*s = field(im, row, C_PROFIL), *p;
	cJSON		*arr;
	char		 w[16];
	size_t		 n, count = 0;

	if (s[0] == '\0')
		return (cJSON_CreateNull());
	if ((arr = cJSON_CreateArray()) == NULL)
		return (NULL);
	for (p = s; *p != '\0'; p += n) {
		p += strspn(p, " ,;");
		if ((n = strcspn(p, " ,;")) == 0)
			break;
		snprintf(w, sizeof(w), "%.*s", (int)(n < 15 ? n : 15), p);
		cJSON_AddItemToArray(arr, cJSON_CreateString(w));
		count++;
	}
	if (count == 1) {
		cJSON *one = cJSON_CreateString(
		    cJSON_GetArrayItem(arr, 0)->valuestring);

		cJSON_Delete(arr);
		return (one);
	}
	return (arr);
}

/* The format of a document by its name's extension, or NULL. */
static const char *
doc_format(const char *path)
{
	const char	*dot = strrchr(path, '.');

	if (dot == NULL)
		return (NULL);
	if (strcasecmp(dot, ".pdf") == 0)
		return ("PDF");
	if (strcasecmp(dot, ".png") == 0)
		return ("PNG");
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
		return ("JPG");
	return (NULL);
}

/* Starts the request of row: order and beneficiaries' header. */
static struct group *
group_new(struct import *im, size_t row)
{
	struct group	*g, *ng;
	cJSON		*cmd, *ben, *pj, *d;
	char		 amount[64], *comma;
	int64_t		 cents;
	const char	*s;
	static const struct { int col; const char *type; } docs[] = {
		{ C_BDC, "BON_COMMANDE" }, { C_HT, "PREUVE_HT" } };
	size_t		 i;

	if ((ng = realloc(im->g, (im->ng + 1) * sizeof(*ng))) == NULL) {
		im->oom = 1;
		return (NULL);
	}
	im->g = ng;
	g = &im->g[im->ng++];
	memset(g, 0, sizeof(*g));
	g->ref = field(im, row, C_REF);
	g->row = row;
	if ((g->content = cJSON_CreateObject()) == NULL) {
		im->oom = 1;
		return (g);
	}
	add(im, g->content, "typeAction", cJSON_CreateString("C"));
	if ((cmd = cJSON_AddObjectToObject(g->content, "commande")) == NULL) {
		im->oom = 1;
		return (g);
	}
	s = field(im, row, C_DATE);
	if (strlen(s) != 10 || s[2] != '/' || s[5] != '/')
		error(im, row, C_DATE, "date « %s » : JJ/MM/AAAA attendu", s);
	add(im, cmd, "dateCommande", cJSON_CreateString(s));
	s = field(im, row, C_REGIME);
	if (strcmp(s, "TTC") != 0 && strcmp(s, "HT") != 0)
		error(im, row, C_REGIME, "« %s » : TTC ou HT attendu", s);
	add(im, cmd, "regimeTVA", cJSON_CreateString(s));
	snprintf(amount, sizeof(amount), "%s", field(im, row, C_MONTANT));
	if ((comma = strchr(amount, ',')) != NULL)
		*comma = '.';
	if (segur_amount_from_text(amount, strlen(amount), &cents) != 0 ||
	    cents <= 0) {
		error(im, row, C_MONTANT, "montant « %s » : un nombre d'euros "
		    "> 0 avec au plus 2 décimales est attendu",
		    field(im, row, C_MONTANT));
		cents = 0;
	}
	add(im, cmd, "montantSegurHT", cJSON_CreateNumber((double)cents /
	    100.0));
	if ((ben = cJSON_AddObjectToObject(g->content, "beneficiaires")) ==
	    NULL) {
		im->oom = 1;
		return (g);
	}
	add(im, ben, "isMandataire", boolean(im, row, C_MANDATAIRE, 0));
	add(im, ben, "nomMandataire", text_or_null(field(im, row,
	    C_NOM_MAND)));
	add(im, ben, "emailMandataire", text_or_null(field(im, row,
	    C_EMAIL_MAND)));
	add(im, ben, "telephoneMandataire", text_or_null(field(im, row,
	    C_TEL_MAND)));
	if ((g->ogs = cJSON_AddArrayToObject(ben, "etablissementsClients")) ==
	    NULL || (pj = cJSON_AddArrayToObject(g->content,
	    "piecesJustificatives")) == NULL ||
	    (g->scenario = cJSON_AddArrayToObject(g->content,
	    "scenarioInstallation")) == NULL) {
		im->oom = 1;
		return (g);
	}
	for (i = 0; i < 2; i++) {
		s = field(im, row, docs[i].col);
		if (s[0] == '\0')
			continue;
		if (doc_format(s) == NULL)
			error(im, row, docs[i].col, "« %s » : un document "
			    ".pdf, .png ou .jpg est attendu", s);
		if ((d = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(pj, d)) {
			cJSON_Delete(d);
			im->oom = 1;
			return (g);
		}
		add(im, d, "formatFichier", cJSON_CreateString(doc_format(s) ?
		    doc_format(s) : "PDF"));
		add(im, d, "typeFichier", cJSON_CreateString(docs[i].type));
	}
	return (g);
}

/* Starts an OG of g at row. */
static struct og_acc *
og_new(struct import *im, struct group *g, size_t row)
{
	struct og_acc	*no, *o;
	cJSON		*og, *cert, *demande;
	static const struct { int col; const char *key; } cert_keys[] = {
		{ C_CPX, "numeroCarteCPX" },
		{ C_NOM_ADM, "nomAdminTechnique" },
		{ C_TEL_ADM, "telAdminTechnique" },
		{ C_EMAIL_ADM, "emailAdminTechnique" },
		{ C_UTILITE, "utiliteCertificat" } };
	const char	*s;
	size_t		 i;

	if ((no = realloc(g->og, (g->nog + 1) * sizeof(*no))) == NULL) {
		im->oom = 1;
		return (NULL);
	}
	g->og = no;
	o = &g->og[g->nog++];
	o->fj = field(im, row, C_FJ);
	o->row = row;
	o->geos = NULL;
	if (!segur__finess_ok(o->fj))
		error(im, row, C_FJ, "FINESS « %s » invalide : 9 chiffres, ou "
		    "2A/2B et 7 chiffres", o->fj);
	if ((og = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(g->ogs, og)) {
		cJSON_Delete(og);
		im->oom = 1;
		return (o);
	}
	add(im, og, "FINESSJuridique", cJSON_CreateString(o->fj));
	demande = boolean(im, row, C_DEMANDE, 0);
	add(im, og, "demandeCertificatServeur", demande);
	add(im, og, "contractualisationOG", boolean(im, row, C_CONTRAT_OG,
	    -1));
	s = field(im, row, C_STATUT);
	if (s[0] != '\0' && strcmp(s, "E") != 0 && strcmp(s, "S") != 0)
		error(im, row, C_STATUT, "« %s » : E, S ou vide attendu", s);
	add(im, og, "statutAdminTechnique", text_or_null(s));
	add(im, og, "contractualisationEditeur", boolean(im, row,
	    C_CONTRAT_ED, -1));
	if (cJSON_IsTrue(demande)) {
		if ((cert = cJSON_AddObjectToObject(og,
		    "certificatServeur")) == NULL) {
			im->oom = 1;
			return (o);
		}
		for (i = 0; i < 5; i++)
			add(im, cert, cert_keys[i].key, text_or_null(field(im,
			    row, cert_keys[i].col)));
	} else
		add(im, og, "certificatServeur", cJSON_CreateNull());
	add(im, og, "nomResponsableOG", text_or_null(field(im, row,
	    C_NOM_OG)));
	add(im, og, "emailResponsableOG", text_or_null(field(im, row,
	    C_EMAIL_OG)));
	add(im, og, "telephoneResponsableOG", text_or_null(field(im, row,
	    C_TEL_OG)));
	if ((o->geos = cJSON_AddArrayToObject(og, "FINESSGeos")) == NULL)
		im->oom = 1;
	return (o);
}

/* Adds the ESMS of row to g's OG o and scenario. */
static void
esms_add(struct import *im, struct group *g, struct og_acc *o, size_t row)
{
	const char	*geo = field(im, row, C_GEO);
	cJSON		*sc, *it;

	if (!segur__finess_ok(geo))
		error(im, row, C_GEO, "FINESS « %s » invalide : 9 chiffres, ou "
		    "2A/2B et 7 chiffres", geo);
	cJSON_ArrayForEach(it, g->scenario) {
		const char *v = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "FINESSGeo"));

		if (v != NULL && strcmp(v, geo) == 0) {
			error(im, row, C_GEO, "ESMS %s déjà donné pour la "
			    "commande « %s »", geo, g->ref);
			return;
		}
	}
	if (o->geos != NULL)
		cJSON_AddItemToArray(o->geos, cJSON_CreateString(geo));
	if ((sc = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(g->scenario, sc)) {
		cJSON_Delete(sc);
		im->oom = 1;
		return;
	}
	add(im, sc, "FINESSGeo", cJSON_CreateString(geo));
	add(im, sc, "ancienneVersion", text_or_null(field(im, row,
	    C_VERSION)));
	add(im, sc, "isMaitreId", boolean(im, row, C_MAITRE, -1));
	add(im, sc, "IsStockageId", boolean(im, row, C_STOCKAGE, -1));
	add(im, sc, "operateurMessagerie", text_or_null(field(im, row,
	    C_OPERATEUR)));
	add(im, sc, "profilMetier", profils(im, row));
	add(im, sc, "IsRefSoins", boolean(im, row, C_SOINS, -1));
}

/* Rows of one order must agree on the order's (or OG's) columns. */
static void
check_same(struct import *im, size_t first, size_t row, enum level lv)
{
	size_t	 c;

	for (c = 0; c < NCOLUMNS; c++) {
		if (columns[c].level != lv)
			continue;
		if (strcmp(field(im, first, (int)c), field(im, row, (int)c)) !=
		    0)
			error(im, row, (int)c, "« %s » diffère de la ligne %ld "
			    "(« %s ») de la même %s", field(im, row, (int)c),
			    im->c->rows[first].row, field(im, first, (int)c),
			    lv == ORDER ? "commande" : "OG");
	}
}

/* A document path, relative to base_dir when not absolute. */
static char *
doc_path(const char *base_dir, const char *s)
{
	if (s[0] == '\0')
		return (NULL);
	if (s[0] == '/' || base_dir == NULL)
		return (strdup(s));
	return (segur_asprintf("%s/%s", base_dir, s));
}

int
segur_ledger_request_import(struct segur_ledger *l, const char *name,
    const char *buf, size_t len, const char *base_dir, size_t *nrequests,
    struct segur_csv_errors *errors, char **cause)
{
	const char	*names[NCOLUMNS];
	int		 required[NCOLUMNS];
	struct segur__csv c;
	struct import	 im;
	struct segur_request_new req;
	struct group	*g;
	struct og_acc	*o;
	char		*text, *err = NULL, *bdc, *ht;
	size_t		 i, k;
	int		 rc, gi;

	*nrequests = 0;
	memset(errors, 0, sizeof(*errors));
	memset(&im, 0, sizeof(im));
	if ((rc = segur__csv_read(buf, len, &c, errors)) != 0) {
		segur__csv_release(&c);
		return (segur_cause(cause, rc, rc == SEGUR_ENOMEM ?
		    "out of memory" : "%s: %zu erreur(s), rien n'est importé",
		    name, errors->n));
	}
	im.c = &c;
	im.e = errors;
	for (i = 0; i < NCOLUMNS; i++) {
		names[i] = columns[i].name;
		required[i] = columns[i].required;
	}
	if ((rc = segur__csv_columns(&c, names, required, im.idx, NCOLUMNS,
	    errors)) != 0)
		goto done;
	if (c.nrows < 2)
		error(&im, 0, -1, "aucune ligne de données");
	for (i = 1; i < c.nrows && !im.oom; i++) {
		const char *ref = field(&im, i, C_REF);

		if (ref[0] == '\0') {
			error(&im, i, C_REF, "référence de commande vide");
			continue;
		}
		/* Rows of one order usually follow each other: search from
		 * the last order. */
		for (gi = (int)im.ng - 1; gi >= 0; gi--)
			if (strcmp(im.g[gi].ref, ref) == 0)
				break;
		if (gi >= 0) {
			g = &im.g[gi];
			check_same(&im, g->row, i, ORDER);
		} else if ((g = group_new(&im, i)) == NULL)
			break;
		o = NULL;
		for (k = 0; k < g->nog; k++) {
			if (strcmp(g->og[k].fj, field(&im, i, C_FJ)) == 0) {
				o = &g->og[k];
				check_same(&im, o->row, i, OG);
				break;
			}
		}
		if (o == NULL && (o = og_new(&im, g, i)) == NULL)
			break;
		esms_add(&im, g, o, i);
	}
	if (im.oom) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "out of memory");
		goto done;
	}
	if (im.bad) {
		rc = segur_cause(cause, SEGUR_EINVAL, "%s: %zu erreur(s), rien "
		    "n'est importé", name, errors->n);
		goto done;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	/* Every request is tried, so that every refusal is reported; the
	 * transaction commits only if none was refused. */
	for (i = 0; i < im.ng && !im.oom; i++) {
		g = &im.g[i];
		if ((text = cJSON_PrintUnformatted(g->content)) == NULL) {
			im.oom = 1;
			break;
		}
		memset(&req, 0, sizeof(req));
		req.ref = g->ref;
		req.numero_ans = field(&im, g->row, C_ANS)[0] != '\0' ?
		    field(&im, g->row, C_ANS) : NULL;
		req.content = text;
		req.content_len = strlen(text);
		bdc = doc_path(base_dir, field(&im, g->row, C_BDC));
		ht = doc_path(base_dir, field(&im, g->row, C_HT));
		req.bdc_path = bdc;
		req.ht_path = ht;
		rc = segur_ledger_request_add(l, &req, NULL, &err);
		if (rc == SEGUR_ENOMEM)
			im.oom = 1;
		else if (rc != 0)
			error(&im, g->row, rc == SEGUR_EEXIST ? C_REF : -1, "%s",
			    err != NULL ? err : segur_strerror(rc));
		free(err);
		err = NULL;
		free(text);
		free(bdc);
		free(ht);
	}
	if (im.oom || im.bad) {
		segur_ledger_rollback(l);
		rc = im.oom ? segur_cause(cause, SEGUR_ENOMEM,
		    "out of memory") : segur_cause(cause, SEGUR_EINVAL,
		    "%s: %zu erreur(s), rien n'est importé", name, errors->n);
		goto done;
	}
	if ((rc = segur_ledger_commit(l, cause)) == 0)
		*nrequests = im.ng;
done:
	for (i = 0; i < im.ng; i++) {
		cJSON_Delete(im.g[i].content);
		free(im.g[i].og);
	}
	free(im.g);
	segur__csv_release(&c);
	return (rc);
}
