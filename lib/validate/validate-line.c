/*
 * validate-line.c: the checks of one request line (control 2), in the
 * guide's field order, so that ASP mode (first error of each line) reports
 * the error ASP would.
 *
 * Each field check reports a missing key (JSON-CLE-ABSENTE), then the
 * conditional null / non-null rule, then the value's type and form, all on
 * the field's own path. Cross-field checks (duplicates, scenario ⇔
 * FINESSGeos, PJ counts) follow spec §6 for where they are reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/error.h"
#include "validate/validate-int.h"

/* The value quoted for a message: only computed when a finding is made. */
#define Q(v)	segur__vq(st, (v), q, sizeof(q))

static const char *const line_keys[] = {
	"numLigne", "typeAction", "numeroASP", "numeroEditeur", "commande",
	"beneficiaires", "piecesJustificatives", "scenarioInstallation",
	"codeTraitement", "libelleTraitement"
};
enum { K_NUMLIGNE, K_TYPEACTION, K_NUMEROASP, K_NUMEROEDITEUR, K_COMMANDE,
	K_BENEF, K_PJ, K_SCENARIO, K_CODE, K_LIBELLE, K__N };

static const char *const cmd_keys[] = {
	"dateCommande", "regimeTVA", "montantSegurHT"
};
enum { C_DATE, C_REGIME, C_MONTANT, C__N };

static const char *const ben_keys[] = {
	"isMandataire", "nomMandataire", "emailMandataire",
	"telephoneMandataire", "etablissementsClients"
};
enum { B_ISMAND, B_NOM, B_EMAIL, B_TEL, B_ETAB, B__N };

static const char *const og_keys[] = {
	"FINESSJuridique", "demandeCertificatServeur", "contractualisationOG",
	"statutAdminTechnique", "contractualisationEditeur",
	"certificatServeur", "nomResponsableOG", "emailResponsableOG",
	"telephoneResponsableOG", "FINESSGeos"
};
enum { O_FJ, O_DEMANDE, O_COG, O_STATUT, O_CED, O_CERT, O_NOM, O_EMAIL,
	O_TEL, O_GEOS, O__N };

static const char *const cert_keys[] = {
	"numeroCarteCPX", "nomAdminTechnique", "telAdminTechnique",
	"emailAdminTechnique", "utiliteCertificat"
};
enum { X_CPX, X_NOM, X_TEL, X_EMAIL, X_UTIL, X__N };

static const char *const pj_keys[] = {
	"nomFichier", "formatFichier", "typeFichier"
};
enum { P_NOM, P_FORMAT, P_TYPE, P__N };

static const char *const scn_keys[] = {
	"FINESSGeo", "ancienneVersion", "isMaitreId", "IsStockageId",
	"operateurMessagerie", "profilMetier", "IsRefSoins"
};
enum { S_GEO, S_VERSION, S_MAITRE, S_STOCKAGE, S_OPERATEUR, S_PROFIL,
	S_REFSOINS, S__N };

static const char *const regimes[] = { "TTC", "HT" };
static const char *const statuts[] = { "E", "S" };
static const char *const utilites[] = { "DMP", "INS", "DMP, INS" };
static const char *const formats[] = { "PDF", "PNG", "JPG" };
static const char *const types[] = { "BON_COMMANDE", "PREUVE_HT" };
static const char *const profils[] = { "PA", "PH", "DOM", "SAAD" };
static const unsigned profil_bits[] = {
	SEGUR_PROFIL_PA, SEGUR_PROFIL_PH, SEGUR_PROFIL_DOM, SEGUR_PROFIL_SAAD
};
static const char *const profil_names[] = {
	"Spécifique – PA", "Spécifique – PH", "Spécifique – Domicile",
	"Spécifique – SAAD"
};

/* What a line's checks carry from one block to the next. */
struct lstate {
	const char	*numeroEditeur;	/* valid value, or NULL */
	int		 regime;	/* 0 TTC, 1 HT, -1 unknown */
	int64_t		 cents;		/* valid amount, or -1 */
	int64_t		 ceiling_ttc;	/* sum of tranche amounts */
	long		 neligible;
	int		 ceiling_ok;	/* every géo could be priced */
	int		 geos_ok;	/* every FINESSGeos entry is valid */
};

/* Presence policies. */
enum pol {
	REQ,	/* required, not null */
	NUL,	/* must be null */
	OPT	/* null or a value */
};

#define TX_UPPER	0x01
#define TX_EMAIL	0x02
#define TX_PHONE	0x04
#define TX_ALNUM	0x08
#define TX_FINESS	0x10

static void
ctx_failed(struct segur__vstate *st, const char *what, int rc)
{
	segur__vfind(st, R_CONTEXTE_ECHEC, NULL, "la vérification « %s » n'a "
	    "pas pu être faite (%s) : elle est sautée", what,
	    segur_strerror(rc));
}

/*
 * Presence and the null rule of key: reports what is wrong and returns v
 * when its value needs checking further, NULL otherwise.
 */
static const cJSON *
present(struct segur__vstate *st, int rule, const char *key, const cJSON *v,
    enum pol pol, const char *why)
{
	char	 q[128];

	if (v == NULL) {
		segur__vfind(st, R_JSON_CLE_ABSENTE, key, "la clé \"%s\" est "
		    "absente : ajoutez-la%s (toutes les clés du guide sont "
		    "présentes, même à null)", key, pol == NUL ?
		    " avec la valeur null" : "");
		return (NULL);
	}
	if (V_IS_NULL(v)) {
		if (pol == REQ)
			segur__vfind(st, rule, key, "%s est obligatoire%s : il "
			    "vaut null", key, why);
		return (NULL);
	}
	if (pol == NUL) {
		segur__vquote(st, v, q, sizeof(q));
		segur__vfind(st, rule, key, "%s doit valoir null%s ; valeur "
		    "trouvée : %s", key, why, q);
		return (NULL);
	}
	return (v);
}

/* A value that should be text but is not. */
static void
not_text(struct segur__vstate *st, int rule, const char *key,
    const cJSON *v)
{
	char	 q[128];

	if (V_IS_NUMBER(v))
		segur__vfind(st, rule, key, "%s doit être un texte entre "
		    "guillemets ; trouvé le nombre %s : écrivez \"%s\"", key, Q(v),
		    Q(v));
	else
		segur__vfind(st, rule, key, "%s doit être un texte ; trouvé : "
		    "%s (%s)", key, Q(v), segur__vtypename(v));
}

/* The phone's digit counts (warnings once the form is right). */
static void
phone_lengths(struct segur__vstate *st, const char *key, const cJSON *v,
    int nd, int fr_ok)
{
	char	 q[128];

	if (nd < 8 || nd > 15)
		segur__vfind(st, R_TELEPHONE_LONGUEUR, key, "%s %s compte %d "
		    "chiffres, indicatif compris : un numéro en compte de 8 "
		    "à 15 ; vérifiez-le", key, Q(v), nd);
	else if (!fr_ok)
		segur__vfind(st, R_TELEPHONE_LONGUEUR, key, "%s %s : un numéro "
		    "français compte 9 chiffres après +33 (sans le 0 initial, "
		    "par exemple +33 1 23 45 67 89) ; il en a %d", key, Q(v),
		    nd - 2);
}

/*
 * A text field: exact (characters, 0: any) or below (fewer characters
 * than, 0: any) and the forms of fl. Returns 1 when the value is good.
 */
static int
text(struct segur__vstate *st, int rule, const char *key, const cJSON *v,
    size_t exact, size_t below, unsigned fl)
{
	const char	*s, *why;
	char		 q[128], low[8];
	size_t		 cps, bytes;
	int		 nd, fr_ok;

	if (!V_IS_STRING(v)) {
		not_text(st, rule, key, v);
		return (0);
	}
	s = v->valuestring;
	if (segur__is_blank(s)) {
		segur__vfind(st, rule, key, "%s est vide (%s) : il est "
		    "obligatoire", key, Q(v));
		return (0);
	}
	/*
	 * Characters never outnumber bytes: with only a maximum, a string
	 * shorter than it in bytes needs no counting.
	 */
	bytes = strlen(s);
	cps = exact == 0 && (below == 0 || bytes < below) ? bytes :
	    segur__utf8_count(s);
	if (exact != 0 && cps != exact) {
		segur__vfind(st, rule, key, "%s %s compte %zu caractères : il "
		    "en faut exactement %zu", key, Q(v), cps, exact);
		return (0);
	}
	if (below != 0 && cps >= below) {
		segur__vfind(st, rule, key, "%s %s compte %zu caractères : au "
		    "plus %zu sont admis", key, Q(v), cps, below - 1);
		return (0);
	}
	if ((fl & TX_UPPER) && segur__first_lower(s, low)) {
		segur__vfind(st, rule, key, "%s %s doit être en majuscules "
		    "(« %s » est une minuscule) : les capitales accentuées "
		    "comme É sont admises", key, Q(v), low);
		return (0);
	}
	if ((fl & TX_EMAIL) && !segur__email_ok(s)) {
		segur__vfind(st, rule, key, "%s %s n'est pas une adresse "
		    "électronique valide : il faut un seul @ précédé d'au moins "
		    "un caractère, un domaine contenant un point (ni au début "
		    "ni à la fin) et aucun espace", key, Q(v));
		return (0);
	}
	if ((fl & TX_ALNUM) && !segur__all_alnum(s)) {
		segur__vfind(st, rule, key, "%s %s ne doit contenir que des "
		    "lettres et chiffres ASCII (A–Z, a–z, 0–9)", key, Q(v));
		return (0);
	}
	if (fl & TX_PHONE) {
		if (segur__phone_ok(s, &nd, &fr_ok, &why) != 0) {
			segur__vfind(st, rule, key, "%s %s n'est pas un "
			    "téléphone valide : %s ; écrivez par exemple "
			    "+33 1 23 45 67 89", key, Q(v), why);
			return (0);
		}
		phone_lengths(st, key, v, nd, fr_ok);
	}
	if (fl & TX_FINESS) {
		if (!segur__finess_shape_ok(s)) {
			segur__vfind(st, rule, key, "%s %s n'est pas un numéro "
			    "FINESS : il faut 9 chiffres, ou 2A/2B suivi de 7 "
			    "chiffres", key, Q(v));
			return (0);
		}
		if (!segur__finess_key_ok(s))
			segur__vfind(st, R_FINESS_CLE, key, "la clé de "
			    "contrôle du FINESS %s est fausse (Luhn) : "
			    "vérifiez le numéro dans le répertoire FINESS", Q(v));
	}
	return (1);
}

/* A required-or-not text field under a presence policy. */
static const char *
field(struct segur__vstate *st, int rule, const char *key, const cJSON *v,
    enum pol pol, const char *why, size_t exact, size_t below, unsigned fl)
{
	if ((v = present(st, rule, key, v, pol, why)) == NULL)
		return (NULL);
	return (text(st, rule, key, v, exact, below, fl) ? v->valuestring :
	    NULL);
}

/* A boolean field: returns 0 or 1, or -1 when absent, null or wrong. */
static int
boolean(struct segur__vstate *st, int rule, const char *key, const cJSON *v,
    enum pol pol, const char *why)
{
	char	 q[128];

	if ((v = present(st, rule, key, v, pol, why)) == NULL)
		return (-1);
	if (V_IS_BOOL(v))
		return (V_IS_TRUE(v) ? 1 : 0);
	segur__vquote(st, v, q, sizeof(q));
	if (V_IS_STRING(v) && (strcmp(v->valuestring, "true") == 0 ||
	    strcmp(v->valuestring, "false") == 0))
		segur__vfind(st, rule, key, "%s doit être un booléen : écrivez "
		    "%s sans guillemets", key, v->valuestring);
	else
		segur__vfind(st, rule, key, "%s doit être un booléen (true ou "
		    "false) ; trouvé : %s", key, q);
	return (-1);
}

/* A closed list of texts: returns the value's index, or -1. */
static int
choice(struct segur__vstate *st, int rule, const char *key, const cJSON *v,
    enum pol pol, const char *why, const char *const *vals, size_t n,
    const char *expected)
{
	char	 q[128];
	size_t	 i;

	if ((v = present(st, rule, key, v, pol, why)) == NULL)
		return (-1);
	if (V_IS_STRING(v))
		for (i = 0; i < n; i++)
			if (strcmp(v->valuestring, vals[i]) == 0)
				return ((int)i);
	segur__vquote(st, v, q, sizeof(q));
	segur__vfind(st, rule, key, "%s vaut %s : valeurs admises %s "
	    "(majuscules, entre guillemets)", key, q, expected);
	return (-1);
}

/* An object or array container; reports JSON-TYPE (or rule) if not. */
static int
container(struct segur__vstate *st, int rule, const char *key,
    const cJSON *v, int array, const char *what)
{
	if (v == NULL) {
		segur__vfind(st, R_JSON_CLE_ABSENTE, key, "la clé \"%s\" est "
		    "absente : ajoutez %s", key, what);
		return (0);
	}
	if (array ? V_IS_ARRAY(v) : V_IS_OBJECT(v))
		return (1);
	segur__vfind(st, rule, key, "%s est %s : il doit être %s", key,
	    segur__vtypename(v), what);
	return (0);
}

/* --- line header ------------------------------------------------------- */

/* Integer value of a number node written as digits only, or -1. */
static long
integer(const struct segur__vstate *st, const cJSON *v)
{
	const char	*s;
	size_t		 n, i;
	long		 x = 0;

	if (!V_IS_NUMBER(v))
		return (-1);
	s = segur__vnumtext(st, v, &n);
	if (n == 0 || n > 9 || (s[0] == '0' && n > 1))
		return (-1);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		x = x * 10 + (s[i] - '0');
	}
	return (x);
}

static void
check_numligne(struct segur__vstate *st, const cJSON *v, long idx)
{
	char	 q[128];
	long	 x;

	if (st->request && (v == NULL || V_IS_NULL(v)))
		return;
	if ((v = present(st, R_LIGNE_NUM_LIGNE, "numLigne", v, REQ,
	    "")) == NULL)
		return;
	x = integer(st, v);
	if (x < 0) {
		if (V_IS_STRING(v) && v->valuestring[0] != '\0' &&
		    strlen(v->valuestring) < 10 &&
		    segur__all_digits(v->valuestring,
		    strlen(v->valuestring)))
			segur__vfind(st, R_LIGNE_NUM_LIGNE, "numLigne",
			    "numLigne doit être un nombre entier sans "
			    "guillemets : écrivez %s", v->valuestring);
		else
			segur__vfind(st, R_LIGNE_NUM_LIGNE, "numLigne",
			    "numLigne doit être un entier (1, 2, 3…) ; "
			    "trouvé : %s", Q(v));
		return;
	}
	if (st->request) {
		if (x < 1 || x > 200)
			segur__vfind(st, R_LIGNE_NUM_LIGNE, "numLigne",
			    "numLigne vaut %ld : il va de 1 à 200", x);
		return;
	}
	if (x != idx + 1)
		segur__vfind(st, R_LIGNE_NUM_LIGNE, "numLigne", "numLigne vaut "
		    "%ld mais c'est la ligne %ld du fichier : numérotez les "
		    "lignes 1, 2, 3… dans l'ordre (ici %ld)", x, idx + 1,
		    idx + 1);
}

static void
check_numero_editeur(struct segur__vstate *st, struct lstate *ls,
    const cJSON *v, long idx)
{
	const char	*s;
	long		 prev;
	int		 rc;

	if (st->request && (v == NULL || V_IS_NULL(v)))
		return;
	s = field(st, R_LIGNE_NUMERO_EDITEUR, "numeroEditeur", v, REQ, "", 5,
	    0, TX_ALNUM);
	if (s == NULL)
		return;
	ls->numeroEditeur = s;
	if (!st->request &&
	    segur__seen_add(st, &st->editeurs, s, idx, &prev)) {
		segur__vfind(st, R_LIGNE_NUMERO_EDITEUR_DOUBLE,
		    "numeroEditeur", "numeroEditeur \"%s\" est déjà celui de "
		    "la ligne lignesImport[%ld] : chaque demande a son propre "
		    "numéro, donnez-en un nouveau à celle-ci", s, prev);
		return;
	}
	if (st->ctx == NULL || st->ctx->numero_editeur_used == NULL)
		return;
	rc = st->ctx->numero_editeur_used(st->ctx->arg, s);
	if (rc < 0)
		ctx_failed(st, "numeroEditeur déjà utilisé", rc);
	else if (rc == 1)
		segur__vfind(st, R_LIGNE_NUMERO_EDITEUR_UTILISE,
		    "numeroEditeur", "numeroEditeur \"%s\" a déjà servi (autre "
		    "demande ou dépôt précédent) : une demande rejetée se "
		    "redépose sous un nouveau numéro", s);
}

/* --- commande --------------------------------------------------------- */

/* A JJ/MM/AAAA text as the number AAAAMMJJ; 0 when it is no real date. */
static long
date_fr(const char *s)
{
	struct segur_date d;

	if (segur_date_parse(s, strlen(s), SEGUR_DATE_FR, &d) != 0)
		return (0);
	return (segur_date_ymd(&d));
}

static void
check_commande(struct segur__vstate *st, struct lstate *ls, const cJSON *c)
{
	const cJSON	*sl[C__N], *v;
	const char	*s;
	char		 q[128];
	long		 ymd;
	int64_t		 cents;

	if (!container(st, R_JSON_TYPE, "commande", c, 0, "un objet { "
	    "\"dateCommande\", \"regimeTVA\", \"montantSegurHT\" }"))
		return;
	segur__vpush_key(st, "commande");
	segur__vobject(st, c, cmd_keys, C__N, sl);

	if ((v = present(st, R_COMMANDE_DATE, "dateCommande", sl[C_DATE],
	    REQ, "")) != NULL) {
			if (!V_IS_STRING(v))
			not_text(st, R_COMMANDE_DATE, "dateCommande", v);
		else if ((ymd = date_fr(v->valuestring)) == 0)
			segur__vfind(st, R_COMMANDE_DATE, "dateCommande",
			    "dateCommande %s n'est pas une date réelle au "
			    "format JJ/MM/AAAA (par exemple 02/10/2023)", Q(v));
		else if (st->ctx != NULL && st->ctx->today > 0 &&
		    ymd > st->ctx->today)
			segur__vfind(st, R_COMMANDE_DATE_FUTURE,
			    "dateCommande", "dateCommande %s est dans le "
			    "futur : c'est la date du bon de commande signé",
			    Q(v));
		else if (ymd < SEGUR__PROGRAMME_START)
			segur__vfind(st, R_COMMANDE_DATE_ANCIENNE,
			    "dateCommande", "dateCommande %s précède le "
			    "programme Ségur (01/01/2021) : vérifiez l'année",
			    Q(v));
	}

	ls->regime = choice(st, R_COMMANDE_REGIME_TVA, "regimeTVA",
	    sl[C_REGIME], REQ, "", regimes, 2, "\"TTC\" ou \"HT\"");

	if ((v = present(st, R_COMMANDE_MONTANT, "montantSegurHT",
	    sl[C_MONTANT], REQ, "")) != NULL) {
			if (V_IS_STRING(v)) {
			segur__vfind(st, R_COMMANDE_MONTANT, "montantSegurHT",
			    "montantSegurHT doit être un nombre, pas un texte "
			    "(%s) : écrivez-le sans guillemets, avec un point "
			    "décimal (par exemple 4866.67)", Q(v));
		} else if (!V_IS_NUMBER(v)) {
			segur__vfind(st, R_COMMANDE_MONTANT, "montantSegurHT",
			    "montantSegurHT doit être un nombre (par exemple "
			    "4866.67) ; trouvé : %s", Q(v));
		} else {
			size_t	 n;

			s = segur__vnumtext(st, v, &n);
			if (segur_amount_from_text(s, n, &cents) != 0)
				segur__vfind(st, R_COMMANDE_MONTANT,
				    "montantSegurHT", "montantSegurHT %s n'est "
				    "pas un montant en centimes entiers : au "
				    "plus 2 décimales utiles (par exemple "
				    "4866.67), au plus 100 milliards d'euros",
				    Q(v));
			else if (cents <= 0)
				segur__vfind(st, R_COMMANDE_MONTANT,
				    "montantSegurHT", "montantSegurHT %s doit "
				    "être strictement positif", Q(v));
			else
				ls->cents = cents;
		}
	}
	segur__vpop(st);
}

/* --- beneficiaires and OGs -------------------------------------------- */

/* Reference data about one FINESS géo of an OG (warnings). */
static void
geo_context(struct segur__vstate *st, struct lstate *ls, const char *geo,
    const char *fj)
{
	const struct segur_validate_ctx *ctx = st->ctx;
	char	 tranche[8], fjd[10], *other = NULL;
	int64_t	 amount;
	int	 rc;

	if (ctx == NULL)
		return;
	if (ctx->finess_eligible != NULL) {
		memset(tranche, 0, sizeof(tranche));
		memset(fjd, 0, sizeof(fjd));
		rc = ctx->finess_eligible(ctx->arg, geo, tranche, fjd);
		tranche[sizeof(tranche) - 1] = '\0';
		fjd[sizeof(fjd) - 1] = '\0';
		if (rc < 0) {
			ctx_failed(st, "éligibilité", rc);
			ls->ceiling_ok = 0;
		} else if (rc == 0) {
			segur__vfind(st, R_OG_FINESS_GEO_ELIGIBLE, NULL, "le "
			    "FINESS géographique \"%s\" n'est pas sur la liste "
			    "des ESMS éligibles de l'arrêté : retirez-le de la "
			    "demande ou vérifiez le numéro", geo);
		} else {
			if (fj != NULL && fjd[0] != '\0' &&
			    strcmp(fj, fjd) != 0)
				segur__vfind(st, R_OG_FINESS_GEO_OG, NULL,
				    "l'arrêté rattache le FINESS géographique "
				    "\"%s\" au FINESS juridique \"%s\", pas à "
				    "\"%s\" : vérifiez l'OG", geo, fjd, fj);
			ls->neligible++;
			rc = ctx->tranche_amount != NULL ?
			    ctx->tranche_amount(ctx->arg, tranche, &amount) : 0;
			if (rc < 0)
				ctx_failed(st, "montant de tranche", rc);
			/* Bounded so that 10 × the sum fits in 64 bits. */
			if (rc == 1 && amount >= 0 &&
			    amount <= SEGUR_AMOUNT_MAX_CENTS &&
			    ls->ceiling_ttc <= SEGUR_AMOUNT_MAX_CENTS)
				ls->ceiling_ttc += amount;
			else
				ls->ceiling_ok = 0;
		}
	} else
		ls->ceiling_ok = 0;
	if (ctx->finess_geo_live != NULL) {
		rc = ctx->finess_geo_live(ctx->arg, geo, &other);
		if (rc < 0)
			ctx_failed(st, "double financement", rc);
		else if (rc == 1)
			segur__vfind(st, R_OG_FINESS_GEO_FINANCE, NULL, "le "
			    "FINESS géographique \"%s\" figure déjà dans une "
			    "autre demande en cours%s%s%s : un ESMS n'est "
			    "financé qu'une fois", geo, other != NULL ?
			    " (" : "", other != NULL ? other : "",
			    other != NULL ? ")" : "");
		free(other);
	}
}

static void
check_geos(struct segur__vstate *st, struct lstate *ls, const cJSON *v,
    long og, const char *fj)
{
	const cJSON	*g;
	const char	*s;
	long		 j, prev;

	if ((v = present(st, R_OG_FINESS_GEOS, "FINESSGeos", v, REQ,
	    "")) == NULL) {
		ls->geos_ok = 0;
		return;
	}
	if (!V_IS_ARRAY(v) || v->child == NULL) {
		segur__vfind(st, R_OG_FINESS_GEOS, "FINESSGeos", "FINESSGeos "
		    "est %s : il doit être un tableau d'au moins un FINESS "
		    "géographique, par exemple [\"330001017\"]",
		    V_IS_ARRAY(v) ? "vide" : segur__vtypename(v));
		ls->geos_ok = 0;
		return;
	}
	segur__vpush_key(st, "FINESSGeos");
	for (j = 0, g = v->child; g != NULL; g = g->next, j++) {
		segur__vpush_idx(st, j);
		if (!text(st, R_OG_FINESS_GEOS, NULL, g, 0, 0, TX_FINESS)) {
			ls->geos_ok = 0;
			segur__vpop(st);
			continue;
		}
		s = g->valuestring;
		if (segur__seen_add(st, &st->geos, s, og, &prev))
			segur__vfind(st, R_OG_FINESS_GEO_DOUBLE, NULL, "le "
			    "FINESS géographique \"%s\" figure déjà dans "
			    "etablissementsClients[%ld].FINESSGeos : un ESMS "
			    "n'apparaît qu'une fois par demande", s, prev);
		else {
			if (!st->request && segur__seen_add(st, &st->filegeos,
			    s, st->line, &prev))
				segur__vfind(st, R_OG_FINESS_GEO_FICHIER, NULL,
				    "le FINESS géographique \"%s\" est déjà "
				    "demandé par la ligne lignesImport[%ld] de "
				    "ce fichier : un ESMS n'est financé qu'une "
				    "fois", s, prev);
			geo_context(st, ls, s, fj);
		}
		segur__vpop(st);
	}
	segur__vpop(st);
}

static void
check_cert_requested(struct segur__vstate *st, const cJSON **sl)
{
	const char *why = " quand demandeCertificatServeur vaut true";
	const cJSON *c, *xs[X__N];
	int	 cog, statut, ced = -1, need;

	cog = boolean(st, R_OG_CONTRACTUALISATION_OG, "contractualisationOG",
	    sl[O_COG], REQ, why);
	statut = choice(st, R_OG_STATUT_ADMIN, "statutAdminTechnique",
	    sl[O_STATUT], REQ, why, statuts, 2, "\"E\" (éditeur) ou \"S\" "
	    "(structure)");
	if (statut == 0)
		ced = boolean(st, R_OG_CONTRACTUALISATION_EDITEUR,
		    "contractualisationEditeur", sl[O_CED], REQ,
		    " quand statutAdminTechnique vaut \"E\"");
	else
		ced = boolean(st, R_OG_CONTRACTUALISATION_EDITEUR,
		    "contractualisationEditeur", sl[O_CED], OPT, "");
	c = sl[O_CERT];
	if (c == NULL) {
		(void)present(st, R_OG_CERTIFICAT_SERVEUR, "certificatServeur",
		    c, REQ, why);
		return;
	}
	if (!V_IS_OBJECT(c)) {
		segur__vfind(st, R_OG_CERTIFICAT_SERVEUR, "certificatServeur",
		    "certificatServeur est %s : il doit être un objet { "
		    "\"numeroCarteCPX\", \"nomAdminTechnique\", "
		    "\"telAdminTechnique\", \"emailAdminTechnique\", "
		    "\"utiliteCertificat\" }%s", segur__vtypename(c), why);
		return;
	}
	segur__vpush_key(st, "certificatServeur");
	segur__vobject(st, c, cert_keys, X__N, xs);
	need = (cog == 1 && statut == 1) || (ced == 1 && statut == 0);
	(void)field(st, R_CERT_NUMERO_CARTE_CPX, "numeroCarteCPX", xs[X_CPX],
	    need ? REQ : OPT, need ? (statut == 1 ? " quand l'OG a "
	    "contractualisé et que la structure administre (statut \"S\")" :
	    " quand l'éditeur a contractualisé et administre (statut "
	    "\"E\")") : "", 10, 0, TX_ALNUM);
	(void)field(st, R_CERT_NOM_ADMIN, "nomAdminTechnique", xs[X_NOM], REQ,
	    why, 0, 25, TX_UPPER);
	(void)field(st, R_CERT_TEL_ADMIN, "telAdminTechnique", xs[X_TEL], REQ,
	    why, 0, 50, TX_PHONE);
	(void)field(st, R_CERT_EMAIL_ADMIN, "emailAdminTechnique",
	    xs[X_EMAIL], REQ, why, 0, 150, TX_EMAIL);
	(void)choice(st, R_CERT_UTILITE, "utiliteCertificat", xs[X_UTIL], REQ,
	    why, utilites, 3, "\"DMP\", \"INS\" ou \"DMP, INS\"");
	segur__vpop(st);
}

static void
check_cert_not_requested(struct segur__vstate *st, const cJSON **sl)
{
	static const int rules[X__N] = {
		R_CERT_NUMERO_CARTE_CPX, R_CERT_NOM_ADMIN, R_CERT_TEL_ADMIN,
		R_CERT_EMAIL_ADMIN, R_CERT_UTILITE
	};
	const char *why = " car demandeCertificatServeur vaut false";
	const cJSON *c, *xs[X__N];
	size_t	 i;

	(void)present(st, R_OG_CONTRACTUALISATION_OG, "contractualisationOG",
	    sl[O_COG], NUL, why);
	(void)present(st, R_OG_STATUT_ADMIN, "statutAdminTechnique",
	    sl[O_STATUT], NUL, why);
	(void)present(st, R_OG_CONTRACTUALISATION_EDITEUR,
	    "contractualisationEditeur", sl[O_CED], NUL, why);
	if ((c = present(st, R_OG_CERTIFICAT_SERVEUR, "certificatServeur",
	    sl[O_CERT], OPT, "")) == NULL)
		return;
	if (!V_IS_OBJECT(c)) {
		segur__vfind(st, R_OG_CERTIFICAT_SERVEUR, "certificatServeur",
		    "certificatServeur est %s : sans demande de certificat, il "
		    "vaut null ou l'objet aux cinq clés null",
		    segur__vtypename(c));
		return;
	}
	segur__vpush_key(st, "certificatServeur");
	segur__vobject(st, c, cert_keys, X__N, xs);
	for (i = 0; i < X__N; i++)
		(void)present(st, rules[i], cert_keys[i], xs[i], NUL, why);
	segur__vpop(st);
}

static void
check_og(struct segur__vstate *st, struct lstate *ls, const cJSON *o,
    long k)
{
	const cJSON	*sl[O__N];
	const char	*fj;
	long		 prev;
	int		 d;
	size_t		 i;

	segur__vpush_idx(st, k);
	if (!V_IS_OBJECT(o)) {
		segur__vfind(st, R_JSON_TYPE, NULL, "cet OG est %s : chaque "
		    "élément de etablissementsClients est un objet { "
		    "\"FINESSJuridique\", … }", segur__vtypename(o));
		ls->geos_ok = 0;
		segur__vpop(st);
		return;
	}
	segur__vobject(st, o, og_keys, O__N, sl);
	fj = field(st, R_OG_FINESS_JURIDIQUE, "FINESSJuridique", sl[O_FJ],
	    REQ, "", 0, 0, TX_FINESS);
	if (fj != NULL && segur__seen_add(st, &st->fjur, fj, k, &prev))
		segur__vfind(st, R_OG_FINESS_JURIDIQUE_DOUBLE,
		    "FINESSJuridique", "FINESSJuridique \"%s\" est déjà celui "
		    "de etablissementsClients[%ld] : regroupez les FINESS "
		    "géographiques de cet OG dans un seul élément", fj, prev);
	d = boolean(st, R_OG_DEMANDE_CERTIFICAT, "demandeCertificatServeur",
	    sl[O_DEMANDE], REQ, "");
	if (d == 1)
		check_cert_requested(st, sl);
	else if (d == 0)
		check_cert_not_requested(st, sl);
	else {
		/* Unknown request: only the keys' presence can be checked. */
		for (i = O_COG; i <= O_CERT; i++)
			if (sl[i] == NULL)
				(void)present(st, R_JSON_CLE_ABSENTE,
				    og_keys[i], NULL, OPT, "");
	}
	(void)field(st, R_OG_NOM_RESPONSABLE, "nomResponsableOG", sl[O_NOM],
	    REQ, "", 0, 50, TX_UPPER);
	(void)field(st, R_OG_EMAIL_RESPONSABLE, "emailResponsableOG",
	    sl[O_EMAIL], REQ, "", 0, 150, TX_EMAIL);
	(void)field(st, R_OG_TEL_RESPONSABLE, "telephoneResponsableOG",
	    sl[O_TEL], REQ, "", 0, 50, TX_PHONE);
	check_geos(st, ls, sl[O_GEOS], k, fj);
	segur__vpop(st);
}

static void
check_beneficiaires(struct segur__vstate *st, struct lstate *ls,
    const cJSON *b)
{
	const cJSON	*sl[B__N], *e, *o;
	const char	*whyn = " car isMandataire vaut false";
	const char	*whyr = " quand isMandataire vaut true";
	long		 k;
	int		 m;
	enum pol	 pol;

	if (!container(st, R_JSON_TYPE, "beneficiaires", b, 0, "un objet { "
	    "\"isMandataire\", …, \"etablissementsClients\" }")) {
		ls->geos_ok = 0;
		return;
	}
	segur__vpush_key(st, "beneficiaires");
	segur__vobject(st, b, ben_keys, B__N, sl);
	m = boolean(st, R_BENEF_IS_MANDATAIRE, "isMandataire", sl[B_ISMAND],
	    REQ, "");
	pol = m == 1 ? REQ : m == 0 ? NUL : OPT;
	(void)field(st, R_BENEF_NOM_MANDATAIRE, "nomMandataire", sl[B_NOM],
	    pol, m == 1 ? whyr : whyn, 0, 50, TX_UPPER);
	(void)field(st, R_BENEF_EMAIL_MANDATAIRE, "emailMandataire",
	    sl[B_EMAIL], pol, m == 1 ? whyr : whyn, 0, 150, TX_EMAIL);
	(void)field(st, R_BENEF_TEL_MANDATAIRE, "telephoneMandataire",
	    sl[B_TEL], pol, m == 1 ? whyr : whyn, 0, 50, TX_PHONE);

	e = sl[B_ETAB];
	if (e == NULL)
		(void)present(st, R_BENEF_ETABLISSEMENTS,
		    "etablissementsClients", e, REQ, "");
	else if (!V_IS_ARRAY(e) || e->child == NULL)
		segur__vfind(st, R_BENEF_ETABLISSEMENTS,
		    "etablissementsClients", "etablissementsClients est %s : "
		    "il doit être un tableau d'au moins un organisme "
		    "gestionnaire (OG)", V_IS_ARRAY(e) ? "vide" :
		    segur__vtypename(e));
	if (e == NULL || !V_IS_ARRAY(e) || e->child == NULL) {
		ls->geos_ok = 0;
		segur__vpop(st);
		return;
	}
	segur__vpush_key(st, "etablissementsClients");
	for (k = 0, o = e->child; o != NULL; o = o->next, k++)
		check_og(st, ls, o, k);
	segur__vpop(st);
	segur__vpop(st);
}

/* --- pièces justificatives ------------------------------------------- */

/* Index of s in vals, or -1. */
static int
lookup(const cJSON *v, const char *const *vals, size_t n)
{
	size_t	 i;

	if (!V_IS_STRING(v))
		return (-1);
	for (i = 0; i < n; i++)
		if (strcmp(v->valuestring, vals[i]) == 0)
			return ((int)i);
	return (-1);
}

/* MS1-DUI-Va1-<BDC|HT>-<numeroEditeur>.<pdf|jpg|png> */
static void
check_pj_name(struct segur__vstate *st, const struct lstate *ls,
    const char *s, int fmt, int type)
{
	static const char *const codes[] = { "BDC", "HT" };
	static const char *const exts[] = { "pdf", "png", "jpg" };
	const char	*p, *dash, *dot, *ne = ls->numeroEditeur;
	char		 ext[8];
	size_t		 elen, i;
	int		 code = -1, e = -1;

	if (ne == NULL)
		ne = "00001";
	if (strncmp(s, "MS1-DUI-Va1-", 12) != 0)
		goto bad;
	p = s + 12;
	if ((dash = strchr(p, '-')) == NULL)
		goto bad;
	for (i = 0; i < 2; i++)
		if ((size_t)(dash - p) == strlen(codes[i]) &&
		    strncmp(p, codes[i], strlen(codes[i])) == 0)
			code = (int)i;
	if (code < 0 || (dot = strrchr(dash, '.')) == NULL ||
	    dot == dash + 1)
		goto bad;
	elen = strlen(dot + 1);
	if (elen == 0 || elen >= sizeof(ext))
		goto bad;
	for (i = 0; i <= elen; i++)
		ext[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ?
		    dot[1 + i] + ('a' - 'A') : dot[1 + i]);
	for (i = 0; i < 3; i++)
		if (strcmp(ext, exts[i]) == 0)
			e = (int)i;
	if (e < 0)
		goto bad;
	if (strcmp(dot + 1, exts[e]) != 0) {
		segur__vfind(st, R_PJ_NOM_FICHIER, "nomFichier", "nomFichier "
		    "\"%s\" : l'extension s'écrit en minuscules, écrivez "
		    ".%s", s, exts[e]);
		return;
	}
	if (fmt >= 0 && fmt != e) {
		segur__vfind(st, R_PJ_NOM_FICHIER, "nomFichier", "nomFichier "
		    "\"%s\" a l'extension .%s mais formatFichier vaut \"%s\" : "
		    "accordez-les", s, exts[e], formats[fmt]);
		return;
	}
	if (type >= 0 && type != code) {
		segur__vfind(st, R_PJ_NOM_FICHIER, "nomFichier", "nomFichier "
		    "\"%s\" porte le code %s mais typeFichier vaut \"%s\" : le "
		    "code est %s", s, codes[code], types[type], codes[type]);
		return;
	}
	if (ls->numeroEditeur != NULL &&
	    ((size_t)(dot - dash - 1) != strlen(ne) ||
	    strncmp(dash + 1, ne, strlen(ne)) != 0))
		segur__vfind(st, R_PJ_NOM_NUMERO_EDITEUR, "nomFichier",
		    "nomFichier \"%s\" porte le numéro éditeur \"%.*s\" alors "
		    "que la ligne a numeroEditeur \"%s\" : nommez la pièce "
		    "MS1-DUI-Va1-%s-%s.%s", s, (int)(dot - dash - 1), dash + 1,
		    ne, codes[code], ne, exts[e]);
	return;
bad:
	segur__vfind(st, R_PJ_NOM_FICHIER, "nomFichier", "nomFichier \"%s\" "
	    "ne suit pas la norme MS1-DUI-Va1-<BDC|HT>-<numeroEditeur>."
	    "<pdf|jpg|png> : écrivez par exemple \"MS1-DUI-Va1-%s-%s.%s\"",
	    s, type == 1 ? "HT" : "BDC", ne, fmt >= 0 ? exts[fmt] : "pdf");
}

static void
check_pjs(struct segur__vstate *st, struct lstate *ls, const cJSON *a)
{
	const cJSON	*p, *sl[P__N];
	const char	*s;
	long		 k;
	int		 fmt, type, nbdc = 0, nht = 0, typesok = 1;

	if (a == NULL) {
		(void)present(st, R_PJ_LISTE, "piecesJustificatives", a, REQ,
		    "");
		return;
	}
	if (!V_IS_ARRAY(a)) {
		segur__vfind(st, R_PJ_LISTE, "piecesJustificatives",
		    "piecesJustificatives est %s : il doit être un tableau de "
		    "pièces { \"nomFichier\", \"formatFichier\", "
		    "\"typeFichier\" }", segur__vtypename(a));
		return;
	}
	segur__vpush_key(st, "piecesJustificatives");
	for (k = 0, p = a->child; p != NULL; p = p->next, k++) {
		segur__vpush_idx(st, k);
		if (!V_IS_OBJECT(p)) {
			segur__vfind(st, R_JSON_TYPE, NULL, "cette pièce est "
			    "%s : elle doit être un objet { \"nomFichier\", "
			    "\"formatFichier\", \"typeFichier\" }",
			    segur__vtypename(p));
			typesok = 0;
			segur__vpop(st);
			continue;
		}
		segur__vobject(st, p, pj_keys, P__N, sl);
		fmt = lookup(sl[P_FORMAT], formats, 3);
		type = lookup(sl[P_TYPE], types, 2);
		if (!(st->request && (sl[P_NOM] == NULL ||
		    V_IS_NULL(sl[P_NOM]))) &&
		    (s = field(st, R_PJ_NOM_FICHIER, "nomFichier", sl[P_NOM],
		    REQ, "", 0, 50, 0)) != NULL)
			check_pj_name(st, ls, s, fmt, type);
		(void)choice(st, R_PJ_FORMAT, "formatFichier", sl[P_FORMAT],
		    REQ, "", formats, 3, "\"PDF\", \"PNG\" ou \"JPG\"");
		(void)choice(st, R_PJ_TYPE, "typeFichier", sl[P_TYPE], REQ, "",
		    types, 2, "\"BON_COMMANDE\" ou \"PREUVE_HT\"");
		if (type == 0)
			nbdc++;
		else if (type == 1)
			nht++;
		else
			typesok = 0;
		segur__vpop(st);
	}
	segur__vpop(st);
	if (!typesok)
		return;
	if (nbdc != 1)
		segur__vfind(st, R_PJ_LISTE, "piecesJustificatives",
		    "piecesJustificatives contient %d BON_COMMANDE : il en "
		    "faut exactement un (le bon de commande)", nbdc);
	if (ls->regime == 1 && nht != 1)
		segur__vfind(st, R_PJ_LISTE, "piecesJustificatives", "la "
		    "ligne est en régime HT et piecesJustificatives contient "
		    "%d PREUVE_HT : joignez exactement une attestation de "
		    "non-assujettissement à la TVA", nht);
	else if (ls->regime == 0 && nht > 0)
		segur__vfind(st, R_PJ_PREUVE_HT_TTC, "piecesJustificatives",
		    "la ligne est en régime TTC mais joint %d PREUVE_HT : "
		    "retirez-la, ou vérifiez regimeTVA", nht);
}

/* --- scénario d'installation ----------------------------------------- */


static void
need_profile(struct segur__vstate *st, const char *key, unsigned bit,
    const char *name, const char *why)
{
	const struct segur_validate_ctx *ctx = st->ctx;
	int	 rc;

	if (ctx == NULL || ctx->software_profiles == NULL ||
	    st->numeroAns == NULL)
		return;
	if (st->profiles_state == 0) {
		rc = ctx->software_profiles(ctx->arg, st->numeroAns,
		    &st->profiles);
		st->profiles_state = rc == 1 ? 1 : rc < 0 ? rc : -100;
		if (rc < 0)
			ctx_failed(st, "profils référencés", rc);
	}
	if (st->profiles_state == -100)
		segur__vfind(st, R_SCENARIO_PROFIL_REFERENCE, key, "le "
		    "logiciel %s n'a aucun profil référencé connu : le "
		    "profil « %s » (%s) ne peut être vérifié", st->numeroAns,
		    name, why);
	else if (st->profiles_state == 1 && (st->profiles & bit) == 0)
		segur__vfind(st, R_SCENARIO_PROFIL_REFERENCE, key, "%s demande "
		    "le profil « %s » mais le logiciel %s n'est pas référencé "
		    "pour ce profil", why, name, st->numeroAns);
	if (st->profiles_state == -100)
		st->profiles_state = -101;	/* said once */
}

static void
check_profil(struct segur__vstate *st, const cJSON *v)
{
	const cJSON	*e;
	char		 q[128];
	unsigned	 seen = 0;
	long		 j;
	int		 i, n;

	if ((v = present(st, R_SCENARIO_PROFIL_METIER, "profilMetier", v,
	    REQ, "")) == NULL)
		return;
	if (V_IS_STRING(v)) {
		if ((i = lookup(v, profils, 4)) < 0) {
			choice(st, R_SCENARIO_PROFIL_METIER, "profilMetier", v,
			    REQ, "", profils, 4, "\"PA\", \"PH\", \"DOM\" ou "
			    "\"SAAD\"");
			return;
		}
		need_profile(st, "profilMetier", profil_bits[i],
		    profil_names[i], "profilMetier");
		return;
	}
	n = cJSON_GetArraySize(v);
	if (!V_IS_ARRAY(v) || n == 0 || n > 4) {
		segur__vquote(st, v, q, sizeof(q));
		segur__vfind(st, R_SCENARIO_PROFIL_METIER, "profilMetier",
		    "profilMetier vaut %s%s : écrivez un profil (\"PA\") ou un "
		    "tableau de 1 à 4 profils distincts ([\"PA\", \"PH\"])",
		    V_IS_ARRAY(v) ? "un tableau de " : q, V_IS_ARRAY(v) ?
		    (n == 0 ? "zéro élément" : "plus de 4 éléments") : "");
		return;
	}
	segur__vpush_key(st, "profilMetier");
	for (j = 0, e = v->child; e != NULL; e = e->next, j++) {
		segur__vpush_idx(st, j);
		if ((i = lookup(e, profils, 4)) < 0) {
			segur__vquote(st, e, q, sizeof(q));
			segur__vfind(st, R_SCENARIO_PROFIL_METIER, NULL,
			    "profilMetier cite %s : valeurs admises \"PA\", "
			    "\"PH\", \"DOM\" ou \"SAAD\" (majuscules, entre "
			    "guillemets)", q);
		} else if (seen & (1u << i))
			segur__vfind(st, R_SCENARIO_PROFIL_METIER, NULL,
			    "profilMetier cite \"%s\" deux fois : chaque profil "
			    "une seule fois", profils[i]);
		else {
			seen |= 1u << i;
			need_profile(st, NULL, profil_bits[i],
			    profil_names[i], "profilMetier");
		}
		segur__vpop(st);
	}
	segur__vpop(st);
}

static void
check_scenario(struct segur__vstate *st, struct lstate *ls, const cJSON *o,
    long k)
{
	const cJSON	*sl[S__N], *v;
	const char	*geo;
	long		 prev;
	int		 b, rc;

	segur__vpush_idx(st, k);
	if (!V_IS_OBJECT(o)) {
		segur__vfind(st, R_JSON_TYPE, NULL, "ce scénario est %s : il "
		    "doit être un objet { \"FINESSGeo\", \"ancienneVersion\", "
		    "… }", segur__vtypename(o));
		segur__vpop(st);
		return;
	}
	segur__vobject(st, o, scn_keys, S__N, sl);
	geo = field(st, R_SCENARIO_FINESS_GEO, "FINESSGeo", sl[S_GEO], REQ,
	    "", 0, 0, TX_FINESS);
	if (geo != NULL) {
		if (segur__seen_add(st, &st->scen, geo, k, &prev))
			segur__vfind(st, R_SCENARIO_LISTE, "FINESSGeo", "le "
			    "FINESS géographique \"%s\" a déjà son scénario "
			    "(scenarioInstallation[%ld]) : un seul scénario "
			    "par ESMS", geo, prev);
		else if (ls->geos_ok && !segur__seen_find(&st->geos, geo, NULL))
			segur__vfind(st, R_SCENARIO_LISTE, "FINESSGeo", "le "
			    "FINESS géographique \"%s\" n'est dans les "
			    "FINESSGeos d'aucun OG de la ligne : retirez ce "
			    "scénario ou ajoutez l'ESMS à son OG", geo);
	}
	(void)field(st, R_SCENARIO_ANCIENNE_VERSION, "ancienneVersion",
	    sl[S_VERSION], REQ, "", 0, 50, 0);
	b = boolean(st, R_SCENARIO_IS_MAITRE_ID, "isMaitreId", sl[S_MAITRE],
	    REQ, "");
	if (b == 1)
		need_profile(st, "isMaitreId", SEGUR_PROFIL_REFERENTIEL_ID,
		    "DUI – Référentiel d'identité", "isMaitreId à true");
	else if (b == 0)
		need_profile(st, "isMaitreId", SEGUR_PROFIL_ESCLAVE_ID,
		    "DUI – Esclave d'identité", "isMaitreId à false");
	b = boolean(st, R_SCENARIO_IS_STOCKAGE_ID, "IsStockageId",
	    sl[S_STOCKAGE], REQ, "");
	if (b == 1)
		need_profile(st, "IsStockageId", SEGUR_PROFIL_STOCKAGE_ID,
		    "DUI – Stockage des copies de titre d'identité",
		    "IsStockageId à true");
	if ((v = present(st, R_SCENARIO_OPERATEUR, "operateurMessagerie",
	    sl[S_OPERATEUR], OPT, "")) != NULL &&
	    text(st, R_SCENARIO_OPERATEUR, "operateurMessagerie", v, 0, 50,
	    0)) {
		rc = segur__operator_known(st, v->valuestring);
		if (rc < 0)
			ctx_failed(st, "opérateur de messagerie", rc);
		else if (rc == 0)
			segur__vfind(st, R_SCENARIO_OPERATEUR,
			    "operateurMessagerie", "operateurMessagerie "
			    "\"%s\" n'est pas un code de la liste des "
			    "opérateurs (annexe du guide, par exemple "
			    "\"MAI_15\" ou \"CH _20\") : corrigez le code ou "
			    "mettez null", v->valuestring);
	}
	check_profil(st, sl[S_PROFIL]);
	b = boolean(st, R_SCENARIO_IS_REF_SOINS, "IsRefSoins", sl[S_REFSOINS],
	    REQ, " (true ou false, même quand isMaitreId vaut false)");
	if (b == 1)
		need_profile(st, "IsRefSoins", SEGUR_PROFIL_SOINS, "actes "
		    "remboursables par l'assurance maladie",
		    "IsRefSoins à true");
	else if (b == 0)
		need_profile(st, "IsRefSoins", SEGUR_PROFIL_SANS_SOINS, "sans "
		    "actes remboursables", "IsRefSoins à false");
	segur__vpop(st);
}

static void
check_scenarios(struct segur__vstate *st, struct lstate *ls,
    const cJSON *a)
{
	const cJSON	*o;
	long		 k;
	size_t		 i;

	if (a == NULL) {
		(void)present(st, R_SCENARIO_LISTE, "scenarioInstallation", a,
		    REQ, "");
		return;
	}
	if (!V_IS_ARRAY(a)) {
		segur__vfind(st, R_SCENARIO_LISTE, "scenarioInstallation",
		    "scenarioInstallation est %s : il doit être un tableau "
		    "d'un scénario par ESMS", segur__vtypename(a));
		return;
	}
	segur__vpush_key(st, "scenarioInstallation");
	for (k = 0, o = a->child; o != NULL; o = o->next, k++)
		check_scenario(st, ls, o, k);
	segur__vpop(st);
	if (!ls->geos_ok)
		return;
	for (i = 0; i < st->geos.n; i++) {
		if (segur__seen_find(&st->scen, st->geos.v[i].s, NULL))
			continue;
		segur__vfind(st, R_SCENARIO_LISTE, "scenarioInstallation",
		    "il manque le scénario d'installation de l'ESMS \"%s\" "
		    "(FINESSGeos de etablissementsClients[%ld]) : ajoutez-en "
		    "un", st->geos.v[i].s, st->geos.v[i].where);
	}
}

/* --- the line --------------------------------------------------------- */

/* A field ASP fills: absent is fine only in request mode. */
static void
asp_field(struct segur__vstate *st, int rule, const char *key,
    const cJSON *v)
{
	if (v == NULL) {
		if (!st->request)
			(void)present(st, rule, key, NULL, NUL, "");
		return;
	}
	segur__vreturned(st, rule, key, v);
}

static void
check_ceiling(struct segur__vstate *st, const struct lstate *ls)
{
	char	 a[SEGUR_AMOUNT_BUFSZ], c[SEGUR_AMOUNT_BUFSZ];
	char	 t[SEGUR_AMOUNT_BUFSZ];
	int64_t	 ceiling;

	if (st->ctx == NULL || st->ctx->finess_eligible == NULL ||
	    st->ctx->tranche_amount == NULL || !ls->ceiling_ok ||
	    !ls->geos_ok || ls->cents < 0 || ls->regime < 0)
		return;
	/* TTC: amount / 1.2 rounded half up to the cent (guide: 5 840,00 €
	 * TTC gives 4 866,67 € HT); exact in integers: (10x + 6) / 12. */
	ceiling = ls->regime == 0 ? (ls->ceiling_ttc * 10 + 6) / 12 :
	    ls->ceiling_ttc;
	if (ls->cents <= ceiling)
		return;
	segur__vpush_key(st, "commande");
	segur__vfind(st, R_COMMANDE_MONTANT_PLAFOND, "montantSegurHT",
	    "montantSegurHT %s € dépasse le plafond de %s € HT (%ld ESMS "
	    "éligible%s, %s € au total des tranches%s) : réduisez le montant "
	    "ou vérifiez les ESMS", segur_amount_format_fr(ls->cents, a),
	    segur_amount_format_fr(ceiling, c), ls->neligible,
	    ls->neligible > 1 ? "s" : "",
	    segur_amount_format_fr(ls->ceiling_ttc, t),
	    ls->regime == 0 ? " TTC, divisé par 1,2" : "");
	segur__vpop(st);
}

void
segur__vline(struct segur__vstate *st, const cJSON *line, long idx)
{
	const cJSON	*sl[K__N], *nl;
	struct lstate	 ls;
	long		 x;

	st->line = idx;
	st->line_errors = 0;
	st->numLigne = -1;
	segur__seen_clear(&st->fjur);
	segur__seen_clear(&st->geos);
	segur__seen_clear(&st->scen);
	memset(&ls, 0, sizeof(ls));
	ls.regime = -1;
	ls.cents = -1;
	ls.ceiling_ok = 1;
	ls.geos_ok = 1;
	if (!V_IS_OBJECT(line)) {
		segur__vfind(st, R_JSON_TYPE, NULL, "cette ligne est %s : "
		    "chaque élément de lignesImport est un objet { "
		    "\"numLigne\", \"typeAction\", … }",
		    segur__vtypename(line));
		return;
	}
	nl = cJSON_GetObjectItemCaseSensitive(line, "numLigne");
	if ((x = integer(st, nl)) >= 1 && x <= 200)
		st->numLigne = x;
	segur__vobject(st, line, line_keys, K__N, sl);

	check_numligne(st, sl[K_NUMLIGNE], idx);
	(void)choice(st, R_LIGNE_TYPE_ACTION, "typeAction", sl[K_TYPEACTION],
	    REQ, "", (const char *const[]){ "C" }, 1, "\"C\" (création d'une "
	    "demande d'avance, seule valeur possible)");
	asp_field(st, R_LIGNE_NUMERO_ASP, "numeroASP", sl[K_NUMEROASP]);
	check_numero_editeur(st, &ls, sl[K_NUMEROEDITEUR], idx);
	check_commande(st, &ls, sl[K_COMMANDE]);
	check_beneficiaires(st, &ls, sl[K_BENEF]);
	check_pjs(st, &ls, sl[K_PJ]);
	check_scenarios(st, &ls, sl[K_SCENARIO]);
	asp_field(st, R_LIGNE_CODE_TRAITEMENT, "codeTraitement", sl[K_CODE]);
	asp_field(st, R_LIGNE_LIBELLE_TRAITEMENT, "libelleTraitement",
	    sl[K_LIBELLE]);
	check_ceiling(st, &ls);
}

void
segur__vstate_release_line(struct segur__vstate *st)
{
	segur__seen_release(&st->fjur);
	segur__seen_release(&st->geos);
	segur__seen_release(&st->scen);
}
