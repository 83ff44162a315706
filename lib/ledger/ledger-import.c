/*
 * ledger-import.c: many requests at once from a spreadsheet export (CSV,
 * one row per ESMS, grouped by order reference), all or nothing; with
 * --update, drafts replaced by their corrected rows. docs/ledger.md lists
 * the columns.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/amount.h"
#include "segur/csvout.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/validate.h"

#include "ledger/ledger-int.h"

/* The columns, in the order of the guide (and of the template). */
static const char *const column_names[] = {
#define C_REF		0
	"reference",
#define C_ANS		1
	"numero_ans",
#define C_DATE		2
	"date_commande",
#define C_REGIME	3
	"regime_tva",
#define C_MONTANT	4
	"montant_ht",
#define C_MANDATAIRE	5
	"is_mandataire",
#define C_NOM_MAND	6
	"nom_mandataire",
#define C_EMAIL_MAND	7
	"email_mandataire",
#define C_TEL_MAND	8
	"telephone_mandataire",
#define C_BDC		9
	"bdc",
#define C_HT		10
	"ht",
#define C_FJ		11
	"finess_juridique",
#define C_NOM_OG	12
	"nom_responsable_og",
#define C_EMAIL_OG	13
	"email_responsable_og",
#define C_TEL_OG	14
	"telephone_responsable_og",
#define C_DEMANDE	15
	"demande_certificat_serveur",
#define C_CONTRAT_OG	16
	"contractualisation_og",
#define C_STATUT	17
	"statut_admin_technique",
#define C_CONTRAT_ED	18
	"contractualisation_editeur",
#define C_CPX		19
	"numero_carte_cpx",
#define C_NOM_ADM	20
	"nom_admin_technique",
#define C_TEL_ADM	21
	"tel_admin_technique",
#define C_EMAIL_ADM	22
	"email_admin_technique",
#define C_UTILITE	23
	"utilite_certificat",
#define C_GEO		24
	"finess_geo",
#define C_VERSION	25
	"ancienne_version",
#define C_MAITRE	26
	"is_maitre_id",
#define C_STOCKAGE	27
	"is_stockage_id",
#define C_OPERATEUR	28
	"operateur_messagerie",
#define C_PROFIL	29
	"profil_metier",
#define C_SOINS		30
	"is_ref_soins",
};
#define NCOLUMNS (sizeof(column_names) / sizeof(column_names[0]))

/* The level says which rows must agree on the value. */
enum level { ORDER, OG, ESMS };

static const struct column {
	enum level	 level;
	int		 required;
} columns[NCOLUMNS] = {
	{ ORDER, 1 },	/* reference */
	{ ORDER, 0 },	/* numero_ans */
	{ ORDER, 1 },	/* date_commande */
	{ ORDER, 1 },	/* regime_tva */
	{ ORDER, 1 },	/* montant_ht */
	{ ORDER, 0 },	/* is_mandataire */
	{ ORDER, 0 },	/* nom_mandataire */
	{ ORDER, 0 },	/* email_mandataire */
	{ ORDER, 0 },	/* telephone_mandataire */
	{ ORDER, 0 },	/* bdc */
	{ ORDER, 0 },	/* ht */
	{ OG, 1 },	/* finess_juridique */
	{ OG, 0 },	/* nom_responsable_og */
	{ OG, 0 },	/* email_responsable_og */
	{ OG, 0 },	/* telephone_responsable_og */
	{ OG, 0 },	/* demande_certificat_serveur */
	{ OG, 0 },	/* contractualisation_og */
	{ OG, 0 },	/* statut_admin_technique */
	{ OG, 0 },	/* contractualisation_editeur */
	{ OG, 0 },	/* numero_carte_cpx */
	{ OG, 0 },	/* nom_admin_technique */
	{ OG, 0 },	/* tel_admin_technique */
	{ OG, 0 },	/* email_admin_technique */
	{ OG, 0 },	/* utilite_certificat */
	{ ESMS, 1 },	/* finess_geo */
	{ ESMS, 0 },	/* ancienne_version */
	{ ESMS, 0 },	/* is_maitre_id */
	{ ESMS, 0 },	/* is_stockage_id */
	{ ESMS, 0 },	/* operateur_messagerie */
	{ ESMS, 0 },	/* profil_metier */
	{ ESMS, 0 },	/* is_ref_soins */
};

/* One OG of a request being built. */
struct og_acc {
	const char	*fj;		/* borrowed from the CSV */
	size_t		 row;		/* index of its first row */
	cJSON		*geos;		/* borrowed, in content */
	size_t		*geo_rows;	/* owned: each FINESSGeos[]'s row */
	size_t		 ngeo;
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
	size_t		*esms_rows;	/* owned: the row of each scenario */
	size_t		 nesms;
	int		 pj_col[2];	/* the column of each document */
	int		 npj;
};

struct import {
	struct segur__csv	*c;
	int			 idx[NCOLUMNS];
	struct segur_csv_errors	*e;
	struct segur_csv_errors	*w;
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

/* Column col's name as the file's header writes it (the canonical name
 * when the column is absent). */
static const char *
colname(struct import *im, int col)
{
	const char *h = segur__csv_header(im->c, im->idx[col]);

	return (h != NULL && h[0] != '\0' ? h : column_names[col]);
}

/* Adds a finding to list on CSV row index row, column col (-1: none). */
static void vfinding(struct import *, struct segur_csv_errors *, size_t, int,
    const char *, va_list) __attribute__((format(printf, 5, 0)));

static void
vfinding(struct import *im, struct segur_csv_errors *list, size_t row,
    int col, const char *fmt, va_list ap)
{
	struct segur_buf b = SEGUR_BUF_INIT;

	if (segur_buf_vaddf(&b, fmt, ap) != 0)
		im->oom = 1;
	if (!im->oom && segur__csv_error(list, im->c->rows[row].row,
	    col >= 0 ? colname(im, col) : NULL, "%s", b.data) != 0)
		im->oom = 1;
	segur_buf_release(&b);
}

static void
error(struct import *im, size_t row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
warn(struct import *im, size_t row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An error: nothing will be registered. */
static void
error(struct import *im, size_t row, int col, const char *fmt, ...)
{
	va_list	 ap;

	im->bad = 1;
	va_start(ap, fmt);
	vfinding(im, im->e, row, col, fmt, ap);
	va_end(ap);
}

/* A warning: fixed, or worth a look; the import goes on. */
static void
warn(struct import *im, size_t row, int col, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfinding(im, im->w, row, col, fmt, ap);
	va_end(ap);
}

/* Replaces cell col of row with a normalized value. */
static void
set(struct import *im, size_t row, int col, const char *v)
{
	if (segur__csv_set(im->c, row, im->idx[col], v) != 0)
		im->oom = 1;
}

/*
 * Normalizes the cells of row that spreadsheets write in many ways: FINESS
 * numbers that lost their leading zero, dates, the VAT regime, amounts.
 * report: the row starts an order (its order cells are checked here; the
 * next rows of the order must only agree with it, check_same()).
 */
static void
normalize(struct import *im, size_t row, int report)
{
	static const int finess_cols[] = { C_FJ, C_GEO };
	char		 b[SEGUR_AMOUNT_BUFSZ], date[11];
	const char	*s;
	int64_t		 cents;
	size_t		 i;
	int		 rc;

	for (i = 0; i < 2; i++) {
		s = field(im, row, finess_cols[i]);
		if (segur__csv_zero_fix(s, 9, b)) {
			warn(im, row, finess_cols[i], "FINESS « %s » lu %s : "
			    "le tableur avait ôté le zéro initial (mettez la "
			    "colonne au format Texte)", s, b);
			set(im, row, finess_cols[i], b);
		}
	}
	s = field(im, row, C_DATE);
	if ((rc = segur__csv_date(s, date)) == 0)
		set(im, row, C_DATE, date);
	else if (report && rc == 1)
		error(im, row, C_DATE, "date « %s » : l'année a deux chiffres, "
		    "écrivez %s", s, date);
	else if (report)
		error(im, row, C_DATE, "date « %s » : JJ/MM/AAAA attendu (par "
		    "exemple 02/10/2023)", s);
	s = field(im, row, C_REGIME);
	if (strcasecmp(s, "TTC") == 0 || strcasecmp(s, "HT") == 0) {
		snprintf(b, sizeof(b), "%s", strcasecmp(s, "HT") == 0 ? "HT" :
		    "TTC");
		set(im, row, C_REGIME, b);
	} else if (report)
		error(im, row, C_REGIME, "« %s » : TTC ou HT attendu", s);
	s = field(im, row, C_MONTANT);
	if (segur__csv_amount(s, &cents) == 0 && cents > 0)
		set(im, row, C_MONTANT, segur_amount_format(cents, b));
	else if (report)
		error(im, row, C_MONTANT, "montant « %s » : des euros > 0, au "
		    "plus 2 décimales (4866,67, 4 866,67 €, 4866.67)", s);
}

/* A JSON string, or null for an empty cell. */
static cJSON *
text_or_null(const char *s)
{
	return (s[0] != '\0' ? cJSON_CreateString(s) : cJSON_CreateNull());
}

/* A boolean cell: oui/non, true/false, vrai/faux, 1/0; empty is dflt
 * (-1: null). A bad value is reported and read as null; NULL: no memory. */
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
	error(im, row, col, "« %s » n'est pas un booléen (oui/non, vrai/faux, "
	    "true/false, 1/0)", s);
	/* Keep building to find more. */
	return (cJSON_CreateNull());
}

/*
 * Adds item under key, or marks the import out of memory: item is NULL only
 * when it could not be made (a bad cell is reported and added as null), and
 * a request missing a key must never be registered.
 */
static void
add(struct import *im, cJSON *o, const char *key, cJSON *item)
{
	if (item == NULL || !cJSON_AddItemToObject(o, key, item)) {
		cJSON_Delete(item);
		im->oom = 1;
	}
}

/* profil_metier: "PA", or several separated by ',', ';' or spaces; NULL:
 * no memory. */
static cJSON *
profils(struct import *im, size_t row)
{
	const char	*s = field(im, row, C_PROFIL), *p;
	cJSON		*arr, *it, *one;
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
		if ((it = cJSON_CreateString(w)) == NULL ||
		    !cJSON_AddItemToArray(arr, it)) {
			cJSON_Delete(it);
			cJSON_Delete(arr);
			return (NULL);
		}
		count++;
	}
	if (count != 1)
		return (arr);
	one = cJSON_CreateString(cJSON_GetArrayItem(arr, 0)->valuestring);
	cJSON_Delete(arr);
	return (one);
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

/* Appends v to the array *a of *n. */
static void
push_row(struct import *im, size_t **a, size_t *n, size_t v)
{
	size_t	*na;

	if ((na = realloc(*a, (*n + 1) * sizeof(*na))) == NULL) {
		im->oom = 1;
		return;
	}
	*a = na;
	na[(*n)++] = v;
}

/* Starts the request of row: order and beneficiaries' header. */
static struct group *
group_new(struct import *im, size_t row)
{
	struct group	*g, *ng;
	cJSON		*cmd, *ben, *pj, *d;
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
	/* normalize() checked and rewrote the order's cells. */
	add(im, cmd, "dateCommande", cJSON_CreateString(field(im, row,
	    C_DATE)));
	add(im, cmd, "regimeTVA", cJSON_CreateString(field(im, row,
	    C_REGIME)));
	if (segur__csv_amount(field(im, row, C_MONTANT), &cents) != 0)
		cents = 0;
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
		g->pj_col[g->npj++] = docs[i].col;
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
	memset(o, 0, sizeof(*o));
	o->fj = field(im, row, C_FJ);
	o->row = row;
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
	if (o->geos != NULL) {
		if ((it = cJSON_CreateString(geo)) == NULL ||
		    !cJSON_AddItemToArray(o->geos, it)) {
			cJSON_Delete(it);
			im->oom = 1;
			return;
		}
		push_row(im, &o->geo_rows, &o->ngeo, row);
	}
	if ((sc = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(g->scenario, sc)) {
		cJSON_Delete(sc);
		im->oom = 1;
		return;
	}
	push_row(im, &g->esms_rows, &g->nesms, row);
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

/* The characters of the UTF-8 text s (what SQLite's length() counts). */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return (n);
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

/* JSON keys the import fills, and the column each comes from. */
struct key_col {
	const char	*key;
	int		 col;
};

static const struct key_col order_keys[] = {
	{ "commande.dateCommande", C_DATE },
	{ "commande.regimeTVA", C_REGIME },
	{ "commande.montantSegurHT", C_MONTANT },
	{ "commande", C_MONTANT },
	{ "beneficiaires.isMandataire", C_MANDATAIRE },
	{ "beneficiaires.nomMandataire", C_NOM_MAND },
	{ "beneficiaires.emailMandataire", C_EMAIL_MAND },
	{ "beneficiaires.telephoneMandataire", C_TEL_MAND },
	{ "beneficiaires.etablissementsClients", C_FJ },
	{ "piecesJustificatives", C_BDC },
	{ "scenarioInstallation", C_GEO },
	{ NULL, -1 }
};

static const struct key_col og_keys[] = {
	{ "FINESSJuridique", C_FJ },
	{ "FINESSGeos", C_GEO },
	{ "demandeCertificatServeur", C_DEMANDE },
	{ "contractualisationOG", C_CONTRAT_OG },
	{ "statutAdminTechnique", C_STATUT },
	{ "contractualisationEditeur", C_CONTRAT_ED },
	{ "certificatServeur.numeroCarteCPX", C_CPX },
	{ "certificatServeur.nomAdminTechnique", C_NOM_ADM },
	{ "certificatServeur.telAdminTechnique", C_TEL_ADM },
	{ "certificatServeur.emailAdminTechnique", C_EMAIL_ADM },
	{ "certificatServeur.utiliteCertificat", C_UTILITE },
	{ "certificatServeur", C_DEMANDE },
	{ "nomResponsableOG", C_NOM_OG },
	{ "emailResponsableOG", C_EMAIL_OG },
	{ "telephoneResponsableOG", C_TEL_OG },
	{ NULL, -1 }
};

static const struct key_col esms_keys[] = {
	{ "FINESSGeo", C_GEO },
	{ "ancienneVersion", C_VERSION },
	{ "isMaitreId", C_MAITRE },
	{ "IsStockageId", C_STOCKAGE },
	{ "operateurMessagerie", C_OPERATEUR },
	{ "profilMetier", C_PROFIL },
	{ "IsRefSoins", C_SOINS },
	{ NULL, -1 }
};

/* The column of the first key of t that path is or starts, or -1. */
static int
key_column(const struct key_col *t, const char *path)
{
	size_t	 n;

	for (; t->key != NULL; t++) {
		n = strlen(t->key);
		if (strncmp(path, t->key, n) == 0 && (path[n] == '\0' ||
		    path[n] == '.' || path[n] == '['))
			return (t->col);
	}
	return (-1);
}

/*
 * When path is prefix followed by "[N]", *i gets N and *rest what follows
 * the bracket; returns 1, else 0.
 */
static int
indexed(const char *path, const char *prefix, size_t *i, const char **rest)
{
	size_t	 n = strlen(prefix);
	char	*end;
	unsigned long v;

	if (strncmp(path, prefix, n) != 0 || path[n] != '[' ||
	    path[n + 1] < '0' || path[n + 1] > '9')
		return (0);
	v = strtoul(path + n + 1, &end, 10);
	if (*end != ']')
		return (0);
	*i = (size_t)v;
	*rest = end + 1;
	return (1);
}

/*
 * The CSV row (index) and column a validator's JSON path comes from: the
 * row of the OG or ESMS its index names, the order's first row otherwise.
 */
static void
map_path(const struct group *g, const char *path, size_t *row, int *col)
{
	const struct og_acc *o;
	const char	*rest, *r2;
	size_t		 i, m;

	*row = g->row;
	*col = -1;
	if (path == NULL)
		return;
	if (indexed(path, "beneficiaires.etablissementsClients", &i, &rest) &&
	    i < g->nog) {
		o = &g->og[i];
		*row = o->row;
		if (*rest != '.')
			return;
		rest++;
		if (indexed(rest, "FINESSGeos", &m, &r2) && m < o->ngeo)
			*row = o->geo_rows[m];
		*col = key_column(og_keys, rest);
		return;
	}
	if (indexed(path, "scenarioInstallation", &i, &rest) &&
	    i < g->nesms) {
		*row = g->esms_rows[i];
		*col = *rest == '.' ? key_column(esms_keys, rest + 1) : C_GEO;
		return;
	}
	if (indexed(path, "piecesJustificatives", &i, &rest) &&
	    i < (size_t)g->npj) {
		*col = g->pj_col[i];
		return;
	}
	*col = key_column(order_keys, path);
}

/* Is the reference data the validator's ledger checks need loaded? */
static int
reference_loaded(struct segur_ledger *l, int *loaded, char **cause)
{
	static const char *const q =
	    "SELECT EXISTS (SELECT 1 FROM eligible) AND "
	    "EXISTS (SELECT 1 FROM tranche)";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause,
		    "lecture des données de référence"));
	}
	*loaded = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return (0);
}

/*
 * Validates the request rid as registered, with the ledger's reference
 * data when loaded, and reports each finding as a warning on the row and
 * column its JSON path comes from: the validator speaks JSON, the person
 * who fixes the spreadsheet speaks rows and columns.
 */
static int
validate_group(struct import *im, struct segur_ledger *l, struct group *g,
    int64_t rid, int refs, char **cause)
{
	static const char *const q =
	    "SELECT r.content, s.numero_ans FROM request r "
	    "JOIN software s ON s.id = r.software_id WHERE r.id = ?";
	struct segur_validate_opts opts;
	struct segur_validate_ctx ctx;
	struct segur_report rep;
	const struct segur_finding *f;
	sqlite3_stmt	*st;
	char		*content = NULL, ans[11];
	size_t		 i, row;
	int		 rc, col, oom = 0;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, rid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause, "lecture de la demande"));
	}
	content = segur__column_dup(st, 0, &oom);
	snprintf(ans, sizeof(ans), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	segur_ledger_validate_ctx(l, rid, &ctx);
	if (!refs) {
		/* Without them every ESMS would read "not eligible". */
		ctx.finess_eligible = NULL;
		ctx.tranche_amount = NULL;
	}
	memset(&opts, 0, sizeof(opts));
	opts.numeroAns = ans;
	opts.ctx = &ctx;
	memset(&rep, 0, sizeof(rep));
	rc = segur_validate_request(content, strlen(content), &opts, &rep);
	free(content);
	if (rc != 0) {
		segur_report_release(&rep);
		return (segur_cause(cause, rc, "mémoire épuisée"));
	}
	for (i = 0; i < rep.nfindings && !im->oom; i++) {
		f = &rep.findings[i];
		map_path(g, f->path, &row, &col);
		warn(im, row, col, "%s %s : %s%s%s%s%s", f->severity ==
		    SEGUR_SEV_ERROR ? "erreur du guide" : "contrôle",
		    f->rule != NULL ? f->rule->id : "?", f->message,
		    f->path != NULL ? " [" : "", f->path != NULL ? f->path :
		    "", f->path != NULL ? "]" : "",
		    segur_ledger_finding_blocks(f) ? " ; la demande restera "
		    "un brouillon (request ready) tant qu'il n'est pas "
		    "corrigé" : "");
	}
	segur_report_release(&rep);
	return (im->oom ? segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée") :
	    0);
}

/*
 * Is the document at path other than the current one of that type (a
 * different file or different bytes)? --update replaces only what moved.
 */
static int
doc_changed(struct segur_ledger *l, int64_t rid, const char *type,
    const char *path)
{
	static const char *const q =
	    "SELECT path, sha256 FROM document WHERE request_id = ? AND "
	    "type = ? AND current = 1";
	sqlite3_stmt	*st;
	char		*abs, *data, hex[65];
	size_t		 len;
	int		 changed = 1;

	if (path == NULL || segur__stmt(l, q, &st, NULL) != 0)
		return (path != NULL);
	sqlite3_bind_int64(st, 1, rid);
	segur__bind_text(st, 2, type);
	if (sqlite3_step(st) == SQLITE_ROW && (abs = realpath(path,
	    NULL)) != NULL) {
		if (strcmp(abs, (const char *)sqlite3_column_text(st, 0)) ==
		    0 && segur_read_file(path, (size_t)1 << 30, &data, &len,
		    NULL) == 0) {
			segur_sha256_hex(data, len, hex);
			free(data);
			changed = strcmp(hex, (const char *)
			    sqlite3_column_text(st, 1)) != 0;
		}
		free(abs);
	}
	sqlite3_reset(st);
	return (changed);
}

/* 0 when request rid is numero_ans's, SEGUR_EINVAL when not. */
static int
same_software(struct segur_ledger *l, int64_t rid, const char *numero_ans,
    char **cause)
{
	static const char *const q =
	    "SELECT s.numero_ans = ? FROM request r "
	    "JOIN software s ON s.id = r.software_id WHERE r.id = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, numero_ans);
	sqlite3_bind_int64(st, 2, rid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause, "lecture du logiciel"));
	}
	rc = sqlite3_column_int(st, 0) ? 0 : SEGUR_EINVAL;
	sqlite3_reset(st);
	return (rc);
}

/* Adds ref to what the import did (out->refs); 0 or SEGUR_ENOMEM. */
static int
outcome_add(struct segur_import *out, const char *ref,
    enum segur_import_outcome what, char **cause)
{
	struct segur_import_ref *nv;

	if ((nv = realloc(out->refs, (out->nrefs + 1) * sizeof(*nv))) ==
	    NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	out->refs = nv;
	if ((nv[out->nrefs].ref = strdup(ref)) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	nv[out->nrefs++].outcome = what;
	return (0);
}

/* Forgets what a refused import did: nothing of it stays. */
static void
outcome_clear(struct segur_import *out)
{
	size_t	 i;

	for (i = 0; i < out->nrefs; i++)
		free(out->refs[i].ref);
	free(out->refs);
	out->refs = NULL;
	out->nrefs = 0;
	out->added = out->updated = out->unchanged = 0;
}

/*
 * Registers g, or with SEGUR_IMPORT_UPDATE replaces the draft of that
 * reference. Refusals are findings on the order's row; 0 or a system
 * error.
 */
static int
register_group(struct import *im, struct segur_ledger *l,
    struct segur_import *out, struct group *g, int refs, char **cause)
{
	struct segur_request_new req;
	enum segur_state state;
	int64_t		 rid = 0;
	char		*text = NULL, *err = NULL, *bdc = NULL, *ht = NULL;
	const char	*doc;
	int		 rc, n, i, missing, cols[2] = { C_BDC, C_HT };

	memset(&req, 0, sizeof(req));
	req.ref = g->ref;
	req.numero_ans = field(im, g->row, C_ANS)[0] != '\0' ?
	    field(im, g->row, C_ANS) : NULL;
	bdc = doc_path(out->base_dir, field(im, g->row, C_BDC));
	ht = doc_path(out->base_dir, field(im, g->row, C_HT));
	if ((text = cJSON_PrintUnformatted(g->content)) == NULL ||
	    (field(im, g->row, C_BDC)[0] != '\0' && bdc == NULL) ||
	    (field(im, g->row, C_HT)[0] != '\0' && ht == NULL)) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto done;
	}
	req.content = text;
	req.content_len = strlen(text);
	rc = 0;
	/* A missing document is named by its own column. */
	for (i = 0, missing = 0; i < 2; i++) {
		doc = i == 0 ? bdc : ht;
		if (doc != NULL && access(doc, R_OK) != 0) {
			error(im, g->row, cols[i], "« %s » : document "
			    "illisible (%s)", field(im, g->row, cols[i]),
			    strerror(errno));
			missing = 1;
		}
	}
	if (missing)
		goto done;
	rc = segur__request_find(l, g->ref, &rid, &state, NULL);
	if (rc == SEGUR_ENOENT) {
		req.bdc_path = bdc;
		req.ht_path = ht;
		rc = segur_ledger_request_add(l, &req, &rid, &err);
		if (rc == 0 && (rc = outcome_add(out, g->ref,
		    SEGUR_IMPORT_ADDED, cause)) != 0)
			goto done;
		if (rc == 0)
			out->added++;
	} else if (rc != 0) {
		rc = segur_cause(cause, rc, "recherche de la demande");
		goto done;
	} else if (!(out->flags & SEGUR_IMPORT_UPDATE)) {
		error(im, g->row, C_REF, "la demande « %s » est déjà "
		    "enregistrée (état « %s ») : --update remplace un "
		    "brouillon par ces lignes", g->ref,
		    segur_state_label(state));
		goto done;
	} else if (state != SEGUR_STATE_DRAFT) {
		error(im, g->row, C_REF, "la demande « %s » n'est plus un "
		    "brouillon (état « %s ») : un import ne la modifie pas ; "
		    "segurctl request edit modifie une demande prête ou "
		    "rejetée, jamais une demande envoyée", g->ref,
		    segur_state_label(state));
		goto done;
	} else if (req.numero_ans != NULL && (rc = same_software(l, rid,
	    req.numero_ans, cause)) != 0) {
		if (rc == SEGUR_EINVAL) {
			error(im, g->row, C_ANS, "la demande « %s » est "
			    "enregistrée pour un autre logiciel : un import ne "
			    "change pas le logiciel d'une demande", g->ref);
			rc = 0;
		}
		goto done;
	} else {
		req.bdc_path = doc_changed(l, rid, "BON_COMMANDE", bdc) ?
		    bdc : NULL;
		req.ht_path = doc_changed(l, rid, "PREUVE_HT", ht) ? ht :
		    NULL;
		rc = segur_ledger_request_edit(l, &req, &n, &err);
		if (rc == 0 && (rc = outcome_add(out, g->ref, n > 0 ?
		    SEGUR_IMPORT_UPDATED : SEGUR_IMPORT_UNCHANGED,
		    cause)) != 0)
			goto done;
		if (rc == 0 && n > 0)
			out->updated++;
		else if (rc == 0)
			out->unchanged++;
	}
	/* The ledger's refusals are findings; a failure of the system
	 * (memory, disk, SQLite) stops the import. */
	if (rc != 0 && rc != SEGUR_EEXIST && rc != SEGUR_ENOENT &&
	    rc != SEGUR_EINVAL && rc != SEGUR_ESTATE) {
		if (cause != NULL && *cause == NULL) {
			*cause = err;
			err = NULL;
		}
		goto done;
	}
	if (rc != 0) {
		error(im, g->row, rc == SEGUR_EEXIST ? C_REF : -1, "%s",
		    err != NULL ? err : segur_strerror(rc));
		rc = 0;
		goto done;
	}
	rc = validate_group(im, l, g, rid, refs, cause);
done:
	free(err);
	free(text);
	free(bdc);
	free(ht);
	return (rc);
}

/* Frees the groups of an import. */
static void
groups_free(struct import *im)
{
	size_t	 i, k;

	for (i = 0; i < im->ng; i++) {
		cJSON_Delete(im->g[i].content);
		for (k = 0; k < im->g[i].nog; k++)
			free(im->g[i].og[k].geo_rows);
		free(im->g[i].og);
		free(im->g[i].esms_rows);
	}
	free(im->g);
}

int
segur_ledger_request_import(struct segur_ledger *l, const char *name,
    const char *buf, size_t len, const char *base_dir, size_t *nrequests,
    struct segur_csv_errors *errors, char **cause)
{
	struct segur_import im;
	int	 rc;

	memset(&im, 0, sizeof(im));
	im.name = name;
	im.base_dir = base_dir;
	rc = segur_ledger_request_import_csv(l, buf, len, &im, cause);
	*nrequests = rc == 0 ? im.added : 0;
	*errors = im.errors;
	memset(&im.errors, 0, sizeof(im.errors));
	segur_import_release(&im);
	return (rc);
}

int
segur_ledger_request_import_csv(struct segur_ledger *l, const char *buf,
    size_t len, struct segur_import *out, char **cause)
{
	const char	*name = out->name != NULL ? out->name : "-";
	int		 required[NCOLUMNS];
	struct segur__csv c;
	struct import	 im;
	struct group	*g;
	struct og_acc	*o;
	size_t		 i, k;
	int		 rc, gi, refs = 0;

	memset(&out->errors, 0, sizeof(out->errors));
	memset(&out->warnings, 0, sizeof(out->warnings));
	out->rows = out->added = out->updated = out->unchanged =
	    out->changed = out->removed = 0;
	out->refs = NULL;
	out->nrefs = 0;
	memset(&im, 0, sizeof(im));
	if ((rc = segur__csv_read(buf, len, &c, &out->errors)) != 0) {
		segur__csv_release(&c);
		return (segur_cause(cause, rc, rc == SEGUR_ENOMEM ?
		    "mémoire épuisée" : "%s: %zu erreur(s), rien n'est importé",
		    name, out->errors.n));
	}
	out->encoding = c.encoding;
	out->delim = c.delim;
	im.c = &c;
	im.e = &out->errors;
	im.w = &out->warnings;
	for (i = 0; i < NCOLUMNS; i++)
		required[i] = columns[i].required;
	if ((rc = segur__csv_columns(&c, column_names, required, im.idx,
	    NCOLUMNS, im.e, im.w)) != 0)
		goto done;
	if (c.nrows < 2)
		warn(&im, 0, -1, "aucune ligne de données : rien à importer");
	for (i = 1; i < c.nrows && !im.oom; i++) {
		const char *ref = field(&im, i, C_REF);

		if (ref[0] == '\0' || utf8_chars(ref) > 64) {
			error(&im, i, C_REF, "référence de commande « %s » : "
			    "1 à 64 caractères attendus", ref);
			continue;
		}
		/* Rows of one order usually follow each other: search from
		 * the last order. */
		for (gi = (int)im.ng - 1; gi >= 0; gi--)
			if (strcmp(im.g[gi].ref, ref) == 0)
				break;
		normalize(&im, i, gi < 0);
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
	out->rows = c.nrows - 1;
	if (im.oom) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto done;
	}
	if (im.bad) {
		rc = segur_cause(cause, SEGUR_EINVAL, "%s: %zu erreur(s), rien "
		    "n'est importé", name, out->errors.n);
		goto done;
	}
	if ((rc = reference_loaded(l, &refs, cause)) != 0)
		goto done;
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		goto done;
	/* Every request is tried, so that every refusal is reported; the
	 * transaction commits only if none was refused. */
	for (i = 0; i < im.ng && rc == 0; i++)
		rc = register_group(&im, l, out, &im.g[i], refs, cause);
	if (rc != 0 || im.oom || im.bad) {
		segur_ledger_rollback(l);
		if (rc == 0)
			rc = im.oom ? segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée") : segur_cause(cause,
			    SEGUR_EINVAL, "%s: %zu erreur(s), rien n'est "
			    "importé", name, out->errors.n);
		outcome_clear(out);
		goto done;
	}
	if (out->flags & SEGUR_IMPORT_DRY_RUN) {
		/* Everything was checked by doing it: undo it. */
		segur_ledger_rollback(l);
		goto done;
	}
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		outcome_clear(out);
done:
	groups_free(&im);
	segur__csv_release(&c);
	return (rc);
}

const char *const *
segur_import_columns(enum segur_import_kind kind, size_t *n)
{
	if (kind == SEGUR_IMPORT_REQUESTS) {
		*n = NCOLUMNS;
		return (column_names);
	}
	if (kind == SEGUR_IMPORT_RECORDS)
		return (segur__record_columns(n));
	return (segur__ref_columns(kind, n));
}

int
segur_import_template(enum segur_import_kind kind, struct segur_buf *out)
{
	const char *const *names;
	struct segur_csvw w;
	size_t	 i, n;

	names = segur_import_columns(kind, &n);
	segur_csvw_init(&w, out, SEGUR_CSV_EXCEL_FR);
	for (i = 0; i < n; i++)
		segur_csvw_text(&w, names[i]);
	segur_csvw_end_row(&w);
	return (segur_csvw_finish(&w));
}
