/*
 * test-validate-rules.c: every line rule, a valid and at least one invalid
 * case each, built by editing the example files of tests/data.
 *
 * Invalid cases: one edit set, the rule expected and the path where it
 * must be reported. Valid cases: edits that must leave the file clean.
 * A last test checks that every line-scope rule of the table has an
 * invalid case here (structure and file rules are in test-validate.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segur/error.h"
#include "segur/validate.h"
#include "validate-cases.h"

/* The case tables leave trailing fields (context, flags) implicit. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define L0	"lignesImport[0]."
#define L1	"lignesImport[1]."
#define OG0	L0 "beneficiaires.etablissementsClients[0]."
#define OGN	L1 "beneficiaires.etablissementsClients[0]."	/* no cert */
#define OGE	L1 "beneficiaires.etablissementsClients[1]."	/* statut E */
#define CERT0	OG0 "certificatServeur."
#define CERTN	OGN "certificatServeur."
#define CERTE	OGE "certificatServeur."
#define SC0	L0 "scenarioInstallation[0]."
#define SC1	L0 "scenarioInstallation[1]."

/* Reference data the test context answers from. */
struct refdata {
	long		 today;
	const char	*ineligible;	/* this géo is not eligible */
	const char	*other_og;	/* the decree puts it elsewhere */
	const char	*live;		/* in another live request */
	int64_t		 tranche;	/* cents TTC per ESMS */
	unsigned	 profiles;
	const char	*used;		/* numeroEditeur already used */
	int		 fail;		/* numero_editeur_used fails */
};

static int
ref_eligible(void *arg, const char *geo, char tranche[8], char fj[10])
{
	const struct refdata *d = arg;

	if (d->ineligible != NULL && strcmp(geo, d->ineligible) == 0)
		return (0);
	snprintf(tranche, 8, "B");
	if (d->other_og != NULL && strcmp(geo, d->other_og) == 0)
		snprintf(fj, 10, "999999999");
	return (1);
}

static int
ref_tranche(void *arg, const char *tranche, int64_t *cents)
{
	const struct refdata *d = arg;

	if (strcmp(tranche, "B") != 0)
		return (0);
	*cents = d->tranche;
	return (1);
}

static int
ref_profiles(void *arg, const char *ans, unsigned *profiles)
{
	const struct refdata *d = arg;

	if (strcmp(ans, "2023000042") != 0)
		return (0);
	*profiles = d->profiles;
	return (1);
}

static int
ref_used(void *arg, const char *ne)
{
	const struct refdata *d = arg;

	if (d->fail)
		return (SEGUR_EDB);
	return (d->used != NULL && strcmp(ne, d->used) == 0);
}

static int
ref_live(void *arg, const char *geo, char **other)
{
	const struct refdata *d = arg;

	if (d->live == NULL || strcmp(geo, d->live) != 0)
		return (0);
	*other = strdup("demande 7");
	return (1);
}

#define ALL_PROFILES	0x1FFu

static const struct refdata ref_ok = {
	20261127, NULL, NULL, NULL, 292000, ALL_PROFILES, NULL, 0
};
static const struct refdata ref_future = {
	20231001, NULL, NULL, NULL, 292000, ALL_PROFILES, NULL, 0
};
static const struct refdata ref_inelig = {
	20261127, "330001025", NULL, NULL, 292000, ALL_PROFILES, NULL, 0
};
static const struct refdata ref_other_og = {
	20261127, NULL, "330001025", NULL, 292000, ALL_PROFILES, NULL, 0
};
static const struct refdata ref_live_geo = {
	20261127, NULL, NULL, "690002027", 292000, ALL_PROFILES, NULL, 0
};
static const struct refdata ref_no_ph = {
	20261127, NULL, NULL, NULL, 292000, ALL_PROFILES &
	    ~(unsigned)SEGUR_PROFIL_PH, NULL, 0
};
static const struct refdata ref_no_stock = {
	20261127, NULL, NULL, NULL, 292000, ALL_PROFILES &
	    ~(unsigned)SEGUR_PROFIL_STOCKAGE_ID, NULL, 0
};
static const struct refdata ref_used2 = {
	20261127, NULL, NULL, NULL, 292000, ALL_PROFILES, "00002", 0
};
static const struct refdata ref_fail = {
	20261127, NULL, NULL, NULL, 292000, ALL_PROFILES, NULL, 1
};

/* The context over d (NULL: no context). */
static const struct segur_validate_ctx *
ctx_of(const struct refdata *d, struct segur_validate_ctx *ctx)
{
	if (d == NULL)
		return (NULL);
	memset(ctx, 0, sizeof(*ctx));
	ctx->arg = (void *)(uintptr_t)d;
	ctx->finess_eligible = ref_eligible;
	ctx->tranche_amount = ref_tranche;
	ctx->software_profiles = ref_profiles;
	ctx->numero_editeur_used = ref_used;
	ctx->finess_geo_live = ref_live;
	ctx->today = d->today;
	return (ctx);
}

struct rcase {
	const char		*edits[4];
	const char		*rule;
	const char		*path;	/* "" for no path */
	const struct refdata	*ref;
	unsigned		 flags;
};

static const struct rcase bad[] = {
	/* JSON shape */
	{ { "-" L0 "typeAction" }, "JSON-CLE-ABSENTE", L0 "typeAction" },
	{ { "-" CERTN "numeroCarteCPX" }, "JSON-CLE-ABSENTE",
	    CERTN "numeroCarteCPX" },
	{ { "-" OG0 "FINESSGeos" }, "JSON-CLE-ABSENTE", OG0 "FINESSGeos" },
	{ { L0 "commande.regimeTVA+=\"HT\"" }, "JSON-CLE-EN-DOUBLE",
	    L0 "commande.regimeTVA" },
	{ { L0 "x+=1", L0 "x+=2" }, "JSON-CLE-EN-DOUBLE", L0 "x" },
	{ { L0 "commentaire=\"x\"" }, "JSON-CLE-INCONNUE", L0 "commentaire" },
	{ { "-" SC0 "IsStockageId", SC0 "isStockageId=false" },
	    "JSON-CLE-INCONNUE", SC0 "isStockageId" },
	{ { "-" SC0 "IsStockageId", SC0 "isStockageId=false" },
	    "JSON-CLE-ABSENTE", SC0 "IsStockageId" },
	{ { L0 "commande=[]" }, "JSON-TYPE", L0 "commande" },
	{ { L0 "beneficiaires=\"x\"" }, "JSON-TYPE", L0 "beneficiaires" },
	{ { "lignesImport[1]=5" }, "JSON-TYPE", "lignesImport[1]" },
	{ { L0 "beneficiaires.etablissementsClients[0]=1" }, "JSON-TYPE",
	    L0 "beneficiaires.etablissementsClients[0]" },
	{ { L0 "piecesJustificatives[0]=null" }, "JSON-TYPE",
	    L0 "piecesJustificatives[0]" },
	{ { L0 "scenarioInstallation[0]=[]" }, "JSON-TYPE", L0 "scenarioInstallation[0]" },

	/* line header */
	{ { L1 "numLigne=3" }, "LIGNE-NUM-LIGNE", L1 "numLigne" },
	{ { L1 "numLigne=\"2\"" }, "LIGNE-NUM-LIGNE", L1 "numLigne" },
	{ { L1 "numLigne=2.0" }, "LIGNE-NUM-LIGNE", L1 "numLigne" },
	{ { L1 "numLigne=null" }, "LIGNE-NUM-LIGNE", L1 "numLigne" },
	{ { L0 "typeAction=\"M\"" }, "LIGNE-TYPE-ACTION", L0 "typeAction" },
	{ { L0 "typeAction=\"c\"" }, "LIGNE-TYPE-ACTION", L0 "typeAction" },
	{ { L0 "numeroASP=\"X1\"" }, "LIGNE-NUMERO-ASP", L0 "numeroASP" },
	{ { L0 "numeroASP=[]" }, "LIGNE-NUMERO-ASP", L0 "numeroASP", NULL,
	    SEGUR_VALIDATE_RETURNED },
	{ { L0 "numeroEditeur=\"0001\"" }, "LIGNE-NUMERO-EDITEUR",
	    L0 "numeroEditeur" },
	{ { L0 "numeroEditeur=\"0000é\"" }, "LIGNE-NUMERO-EDITEUR",
	    L0 "numeroEditeur" },
	{ { L0 "numeroEditeur=\"00-01\"" }, "LIGNE-NUMERO-EDITEUR",
	    L0 "numeroEditeur" },
	{ { L0 "numeroEditeur=10001" }, "LIGNE-NUMERO-EDITEUR",
	    L0 "numeroEditeur" },
	{ { L0 "numeroEditeur=null" }, "LIGNE-NUMERO-EDITEUR",
	    L0 "numeroEditeur" },
	{ { L1 "numeroEditeur=\"00001\"" }, "LIGNE-NUMERO-EDITEUR-DOUBLE",
	    L1 "numeroEditeur" },
	{ { NULL }, "LIGNE-NUMERO-EDITEUR-UTILISE", L1 "numeroEditeur",
	    &ref_used2 },
	{ { NULL }, "CONTEXTE-ECHEC", "lignesImport[0]", &ref_fail },

	/* commande */
	{ { L0 "commande.dateCommande=\"31/02/2023\"" }, "COMMANDE-DATE",
	    L0 "commande.dateCommande" },
	{ { L0 "commande.dateCommande=\"29/02/2023\"" }, "COMMANDE-DATE",
	    L0 "commande.dateCommande" },
	{ { L0 "commande.dateCommande=\"2023-10-02\"" }, "COMMANDE-DATE",
	    L0 "commande.dateCommande" },
	{ { L0 "commande.dateCommande=\"2/10/2023\"" }, "COMMANDE-DATE",
	    L0 "commande.dateCommande" },
	{ { L0 "commande.dateCommande=20231002" }, "COMMANDE-DATE",
	    L0 "commande.dateCommande" },
	{ { NULL }, "COMMANDE-DATE-FUTURE", L0 "commande.dateCommande",
	    &ref_future },
	{ { L0 "commande.dateCommande=\"31/12/2020\"" },
	    "COMMANDE-DATE-ANCIENNE", L0 "commande.dateCommande" },
	{ { L0 "commande.regimeTVA=\"ttc\"" }, "COMMANDE-REGIME-TVA",
	    L0 "commande.regimeTVA" },
	{ { L0 "commande.regimeTVA=null" }, "COMMANDE-REGIME-TVA",
	    L0 "commande.regimeTVA" },
	{ { L0 "commande.montantSegurHT=4866.671" }, "COMMANDE-MONTANT",
	    L0 "commande.montantSegurHT" },
	{ { L0 "commande.montantSegurHT=\"4866.67\"" }, "COMMANDE-MONTANT",
	    L0 "commande.montantSegurHT" },
	{ { L0 "commande.montantSegurHT=0.00" }, "COMMANDE-MONTANT",
	    L0 "commande.montantSegurHT" },
	{ { L0 "commande.montantSegurHT=-5" }, "COMMANDE-MONTANT",
	    L0 "commande.montantSegurHT" },
	{ { L0 "commande.montantSegurHT=1e20" }, "COMMANDE-MONTANT",
	    L0 "commande.montantSegurHT" },
	{ { L0 "commande.montantSegurHT=true" }, "COMMANDE-MONTANT",
	    L0 "commande.montantSegurHT" },
	{ { L0 "commande.montantSegurHT=4866.68" },
	    "COMMANDE-MONTANT-PLAFOND", L0 "commande.montantSegurHT",
	    &ref_ok },
	{ { L1 "commande.montantSegurHT=5840.01" },
	    "COMMANDE-MONTANT-PLAFOND", L1 "commande.montantSegurHT",
	    &ref_ok },
	{ { L0 "commande.montantSegurHT=2433.34" },
	    "COMMANDE-MONTANT-PLAFOND", L0 "commande.montantSegurHT",
	    &ref_inelig },

	/* beneficiaires */
	{ { L1 "beneficiaires.isMandataire=\"true\"" },
	    "BENEF-IS-MANDATAIRE", L1 "beneficiaires.isMandataire" },
	{ { L1 "beneficiaires.isMandataire=null" }, "BENEF-IS-MANDATAIRE",
	    L1 "beneficiaires.isMandataire" },
	{ { L1 "beneficiaires.nomMandataire=\"Lefèvre\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.nomMandataire=\"ÉTIENNE ŒUVRE ß\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.nomMandataire=\"ΑΘΉΝΑ α\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.nomMandataire=\"МОСКВА д\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.nomMandataire=\"ĀĂ ǆ\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	/* U+1DF25, a lower-case letter since Unicode 15. */
	{ { L1 "beneficiaires.nomMandataire=\"ABC \xf0\x9d\xbc\xa5\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.nomMandataire=null" }, "BENEF-NOM-MANDATAIRE",
	    L1 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.nomMandataire="
	    "\"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWX\"" },
	    "BENEF-NOM-MANDATAIRE", L1 "beneficiaires.nomMandataire" },
	{ { L0 "beneficiaires.nomMandataire=\"X\"" }, "BENEF-NOM-MANDATAIRE",
	    L0 "beneficiaires.nomMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"mandat@groupe\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"@groupe.fr\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"a@b@groupe.fr\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"a b@groupe.fr\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"ab@groupe.fr\u00a0\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"ab@.fr\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.emailMandataire=\"ab@fr.\"" },
	    "BENEF-EMAIL-MANDATAIRE", L1 "beneficiaires.emailMandataire" },
	{ { L0 "beneficiaires.emailMandataire=\"a@b.fr\"" },
	    "BENEF-EMAIL-MANDATAIRE", L0 "beneficiaires.emailMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=\"04 72 00 00 00\"" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=\"+33 (0)4 72 00 00 00\"" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=\"+ 33 4 72 00 00 00\"" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=\"+33 4  72 00 00 00\"" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=\"+33 4 72 00 00 00-\"" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=\"+33 4 72 00 00 0x\"" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L1 "beneficiaires.telephoneMandataire=33472000000" },
	    "BENEF-TEL-MANDATAIRE", L1 "beneficiaires.telephoneMandataire" },
	{ { L0 "beneficiaires.telephoneMandataire=\"+33 4 72 00 00 00\"" },
	    "BENEF-TEL-MANDATAIRE", L0 "beneficiaires.telephoneMandataire" },
	{ { L0 "beneficiaires.etablissementsClients=[]" },
	    "BENEF-ETABLISSEMENTS", L0 "beneficiaires.etablissementsClients" },
	{ { L0 "beneficiaires.etablissementsClients={}" },
	    "BENEF-ETABLISSEMENTS", L0 "beneficiaires.etablissementsClients" },

	/* OG */
	{ { OG0 "FINESSJuridique=\"75000012\"" }, "OG-FINESS-JURIDIQUE",
	    OG0 "FINESSJuridique" },
	{ { OG0 "FINESSJuridique=\"2C0000001\"" }, "OG-FINESS-JURIDIQUE",
	    OG0 "FINESSJuridique" },
	{ { OG0 "FINESSJuridique=750000127" }, "OG-FINESS-JURIDIQUE",
	    OG0 "FINESSJuridique" },
	{ { OGE "FINESSJuridique=\"690002019\"" },
	    "OG-FINESS-JURIDIQUE-DOUBLE", OGE "FINESSJuridique" },
	{ { OG0 "demandeCertificatServeur=null" }, "OG-DEMANDE-CERTIFICAT",
	    OG0 "demandeCertificatServeur" },
	{ { OG0 "demandeCertificatServeur=\"true\"" },
	    "OG-DEMANDE-CERTIFICAT", OG0 "demandeCertificatServeur" },
	{ { OG0 "contractualisationOG=null" }, "OG-CONTRACTUALISATION-OG",
	    OG0 "contractualisationOG" },
	{ { OGN "contractualisationOG=true" }, "OG-CONTRACTUALISATION-OG",
	    OGN "contractualisationOG" },
	{ { OG0 "statutAdminTechnique=\"X\"" }, "OG-STATUT-ADMIN",
	    OG0 "statutAdminTechnique" },
	{ { OGN "statutAdminTechnique=\"E\"" }, "OG-STATUT-ADMIN",
	    OGN "statutAdminTechnique" },
	{ { OGE "contractualisationEditeur=null" },
	    "OG-CONTRACTUALISATION-EDITEUR", OGE "contractualisationEditeur" },
	{ { OGN "contractualisationEditeur=false" },
	    "OG-CONTRACTUALISATION-EDITEUR", OGN "contractualisationEditeur" },
	{ { OG0 "contractualisationEditeur=\"oui\"" },
	    "OG-CONTRACTUALISATION-EDITEUR", OG0 "contractualisationEditeur" },
	{ { OG0 "certificatServeur=null" }, "OG-CERTIFICAT-SERVEUR",
	    OG0 "certificatServeur" },
	{ { OG0 "certificatServeur=[]" }, "OG-CERTIFICAT-SERVEUR",
	    OG0 "certificatServeur" },
	{ { OGN "certificatServeur=\"aucun\"" }, "OG-CERTIFICAT-SERVEUR",
	    OGN "certificatServeur" },
	{ { CERT0 "numeroCarteCPX=null" }, "CERT-NUMERO-CARTE-CPX",
	    CERT0 "numeroCarteCPX" },
	{ { CERT0 "numeroCarteCPX=\"800123456\"" }, "CERT-NUMERO-CARTE-CPX",
	    CERT0 "numeroCarteCPX" },
	{ { CERT0 "numeroCarteCPX=\"8001-23456\"" }, "CERT-NUMERO-CARTE-CPX",
	    CERT0 "numeroCarteCPX" },
	{ { CERTE "numeroCarteCPX=null" }, "CERT-NUMERO-CARTE-CPX",
	    CERTE "numeroCarteCPX" },
	{ { OGE "contractualisationEditeur=false",
	    CERTE "numeroCarteCPX=\"\"" }, "CERT-NUMERO-CARTE-CPX",
	    CERTE "numeroCarteCPX" },
	{ { CERTN "numeroCarteCPX=\"8001234567\"" }, "CERT-NUMERO-CARTE-CPX",
	    CERTN "numeroCarteCPX" },
	{ { CERT0 "nomAdminTechnique=\"Durand\"" }, "CERT-NOM-ADMIN",
	    CERT0 "nomAdminTechnique" },
	{ { CERT0 "nomAdminTechnique=\"ABCDEFGHIJKLMNOPQRSTUVWXY\"" },
	    "CERT-NOM-ADMIN", CERT0 "nomAdminTechnique" },
	{ { CERTN "nomAdminTechnique=\"DURAND\"" }, "CERT-NOM-ADMIN",
	    CERTN "nomAdminTechnique" },
	{ { CERT0 "telAdminTechnique=\"01 23 45 67 89\"" }, "CERT-TEL-ADMIN",
	    CERT0 "telAdminTechnique" },
	{ { CERT0 "telAdminTechnique=null" }, "CERT-TEL-ADMIN",
	    CERT0 "telAdminTechnique" },
	{ { CERT0 "emailAdminTechnique=\"admin\"" }, "CERT-EMAIL-ADMIN",
	    CERT0 "emailAdminTechnique" },
	{ { CERT0 "utiliteCertificat=\"DMP,INS\"" }, "CERT-UTILITE",
	    CERT0 "utiliteCertificat" },
	{ { CERT0 "utiliteCertificat=\"INS, DMP\"" }, "CERT-UTILITE",
	    CERT0 "utiliteCertificat" },
	{ { CERTN "utiliteCertificat=\"INS\"" }, "CERT-UTILITE",
	    CERTN "utiliteCertificat" },
	{ { OG0 "nomResponsableOG=\"Martin\"" }, "OG-NOM-RESPONSABLE",
	    OG0 "nomResponsableOG" },
	{ { OG0 "nomResponsableOG=\"   \"" }, "OG-NOM-RESPONSABLE",
	    OG0 "nomResponsableOG" },
	{ { OG0 "nomResponsableOG=null" }, "OG-NOM-RESPONSABLE",
	    OG0 "nomResponsableOG" },
	{ { OG0 "emailResponsableOG=\"direction@og-exemple\"" },
	    "OG-EMAIL-RESPONSABLE", OG0 "emailResponsableOG" },
	{ { OG0 "emailResponsableOG=\"\"" }, "OG-EMAIL-RESPONSABLE",
	    OG0 "emailResponsableOG" },
	{ { OG0 "telephoneResponsableOG=\"33123456780\"" },
	    "OG-TEL-RESPONSABLE", OG0 "telephoneResponsableOG" },
	{ { OG0 "FINESSGeos=[]" }, "OG-FINESS-GEOS", OG0 "FINESSGeos" },
	{ { OG0 "FINESSGeos=\"330001017\"" }, "OG-FINESS-GEOS",
	    OG0 "FINESSGeos" },
	{ { OG0 "FINESSGeos[1]=\"33000102\"" }, "OG-FINESS-GEOS",
	    OG0 "FINESSGeos[1]" },
	{ { OG0 "FINESSGeos[1]=330001025" }, "OG-FINESS-GEOS",
	    OG0 "FINESSGeos[1]" },
	{ { OGE "FINESSGeos=[\"590004016\",\"690002027\"]" },
	    "OG-FINESS-GEO-DOUBLE", OGE "FINESSGeos[1]" },
	{ { OG0 "FINESSGeos=[\"330001017\",\"330001017\"]" },
	    "OG-FINESS-GEO-DOUBLE", OG0 "FINESSGeos[1]" },
	{ { NULL }, "OG-FINESS-GEO-ELIGIBLE", OG0 "FINESSGeos[1]",
	    &ref_inelig },
	{ { NULL }, "OG-FINESS-GEO-OG", OG0 "FINESSGeos[1]", &ref_other_og },
	{ { NULL }, "OG-FINESS-GEO-FINANCE", OGN "FINESSGeos[0]",
	    &ref_live_geo },

	{ { OGN "FINESSGeos[0]=\"330001017\"",
	    L1 "scenarioInstallation[0].FINESSGeo=\"330001017\"" },
	    "OG-FINESS-GEO-FICHIER", OGN "FINESSGeos[0]" },

	/* pièces justificatives */
	{ { L0 "piecesJustificatives=[]" }, "PJ-LISTE",
	    L0 "piecesJustificatives" },
	{ { L0 "piecesJustificatives={}" }, "PJ-LISTE",
	    L0 "piecesJustificatives" },
	{ { L0 "piecesJustificatives=[{\"nomFichier\": "
	    "\"MS1-DUI-Va1-BDC-00001.pdf\", \"formatFichier\": \"PDF\", "
	    "\"typeFichier\": \"BON_COMMANDE\"}, {\"nomFichier\": "
	    "\"MS1-DUI-Va1-BDC-00001.jpg\", \"formatFichier\": \"JPG\", "
	    "\"typeFichier\": \"BON_COMMANDE\"}]" }, "PJ-LISTE",
	    L0 "piecesJustificatives" },
	{ { "-" L1 "piecesJustificatives[1]" }, "PJ-LISTE",
	    L1 "piecesJustificatives" },
	{ { L1 "piecesJustificatives[0].typeFichier=\"PREUVE_HT\"",
	    L1 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-HT-00002.pdf\"" }, "PJ-LISTE",
	    L1 "piecesJustificatives" },
	{ { L0 "piecesJustificatives=[{\"nomFichier\": "
	    "\"MS1-DUI-Va1-BDC-00001.pdf\", \"formatFichier\": \"PDF\", "
	    "\"typeFichier\": \"BON_COMMANDE\"}, {\"nomFichier\": "
	    "\"MS1-DUI-Va1-HT-00001.pdf\", \"formatFichier\": \"PDF\", "
	    "\"typeFichier\": \"PREUVE_HT\"}]" }, "PJ-PREUVE-HT-TTC",
	    L0 "piecesJustificatives" },
	{ { L0 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-BDC-00001.PDF\"" }, "PJ-NOM-FICHIER",
	    L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-BDC-00001.png\"" }, "PJ-NOM-FICHIER",
	    L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-HT-00001.pdf\"" }, "PJ-NOM-FICHIER",
	    L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier=\"BDC-00001.pdf\"" },
	    "PJ-NOM-FICHIER", L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-BDC-00001.docx\"" }, "PJ-NOM-FICHIER",
	    L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-BDC-00001-bon-de-commande-signe-2023.pdf\"" },
	    "PJ-NOM-FICHIER", L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier=null" }, "PJ-NOM-FICHIER",
	    L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].nomFichier="
	    "\"MS1-DUI-Va1-BDC-00003.pdf\"" }, "PJ-NOM-NUMERO-EDITEUR",
	    L0 "piecesJustificatives[0].nomFichier" },
	{ { L0 "piecesJustificatives[0].formatFichier=\"pdf\"" }, "PJ-FORMAT",
	    L0 "piecesJustificatives[0].formatFichier" },
	{ { L0 "piecesJustificatives[0].formatFichier=\"DOC\"" }, "PJ-FORMAT",
	    L0 "piecesJustificatives[0].formatFichier" },
	{ { L0 "piecesJustificatives[0].typeFichier=\"FACTURE\"" }, "PJ-TYPE",
	    L0 "piecesJustificatives[0].typeFichier" },

	/* scénario d'installation */
	{ { L0 "scenarioInstallation={}" }, "SCENARIO-LISTE",
	    L0 "scenarioInstallation" },
	{ { "-" L0 "scenarioInstallation[1]" }, "SCENARIO-LISTE",
	    L0 "scenarioInstallation" },
	{ { SC1 "FINESSGeo=\"750000127\"" }, "SCENARIO-LISTE",
	    SC1 "FINESSGeo" },
	{ { SC1 "FINESSGeo=\"750000127\"" }, "SCENARIO-LISTE",
	    L0 "scenarioInstallation" },
	{ { SC1 "FINESSGeo=\"330001017\"" }, "SCENARIO-LISTE",
	    SC1 "FINESSGeo" },
	{ { SC1 "FINESSGeo=\"33000102A\"" }, "SCENARIO-FINESS-GEO",
	    SC1 "FINESSGeo" },
	{ { SC1 "FINESSGeo=null" }, "SCENARIO-FINESS-GEO", SC1 "FINESSGeo" },
	{ { SC0 "ancienneVersion=\"\"" }, "SCENARIO-ANCIENNE-VERSION",
	    SC0 "ancienneVersion" },
	{ { SC0 "ancienneVersion=4.2" }, "SCENARIO-ANCIENNE-VERSION",
	    SC0 "ancienneVersion" },
	{ { SC0 "ancienneVersion="
	    "\"v0123456789012345678901234567890123456789012345678\"" },
	    "SCENARIO-ANCIENNE-VERSION", SC0 "ancienneVersion" },
	{ { SC0 "isMaitreId=null" }, "SCENARIO-IS-MAITRE-ID",
	    SC0 "isMaitreId" },
	{ { SC0 "isMaitreId=\"true\"" }, "SCENARIO-IS-MAITRE-ID",
	    SC0 "isMaitreId" },
	{ { SC0 "IsStockageId=1" }, "SCENARIO-IS-STOCKAGE-ID",
	    SC0 "IsStockageId" },
	{ { SC0 "operateurMessagerie=\"MAI15\"" }, "SCENARIO-OPERATEUR",
	    SC0 "operateurMessagerie" },
	{ { SC0 "operateurMessagerie=\"mai_15\"" }, "SCENARIO-OPERATEUR",
	    SC0 "operateurMessagerie" },
	{ { SC0 "operateurMessagerie=\"CH_20\"" }, "SCENARIO-OPERATEUR",
	    SC0 "operateurMessagerie" },
	{ { SC0 "operateurMessagerie=15" }, "SCENARIO-OPERATEUR",
	    SC0 "operateurMessagerie" },
	{ { SC0 "operateurMessagerie=\"\"" }, "SCENARIO-OPERATEUR",
	    SC0 "operateurMessagerie" },
	{ { SC0 "profilMetier=[]" }, "SCENARIO-PROFIL-METIER",
	    SC0 "profilMetier" },
	{ { SC0 "profilMetier=null" }, "SCENARIO-PROFIL-METIER",
	    SC0 "profilMetier" },
	{ { SC0 "profilMetier=\"pa\"" }, "SCENARIO-PROFIL-METIER",
	    SC0 "profilMetier" },
	{ { SC0 "profilMetier=\"PA, PH\"" }, "SCENARIO-PROFIL-METIER",
	    SC0 "profilMetier" },
	{ { SC0 "profilMetier=[\"PA\",\"PA\"]" }, "SCENARIO-PROFIL-METIER",
	    SC0 "profilMetier[1]" },
	{ { SC0 "profilMetier=[\"PA\",\"XX\"]" }, "SCENARIO-PROFIL-METIER",
	    SC0 "profilMetier[1]" },
	{ { SC0 "profilMetier=[\"PA\",\"PH\",\"DOM\",\"SAAD\",\"PA\"]" },
	    "SCENARIO-PROFIL-METIER", SC0 "profilMetier" },
	{ { SC0 "IsRefSoins=null" }, "SCENARIO-IS-REF-SOINS",
	    SC0 "IsRefSoins" },
	{ { SC1 "isMaitreId=false", SC1 "IsRefSoins=null" },
	    "SCENARIO-IS-REF-SOINS", SC1 "IsRefSoins" },
	{ { NULL }, "SCENARIO-PROFIL-REFERENCE", SC1 "profilMetier[1]",
	    &ref_no_ph },
	{ { NULL }, "SCENARIO-PROFIL-REFERENCE",
	    L1 "scenarioInstallation[0].IsStockageId", &ref_no_stock },

	/* traitement */
	{ { L0 "codeTraitement=\"0\"" }, "LIGNE-CODE-TRAITEMENT",
	    L0 "codeTraitement" },
	{ { L0 "codeTraitement=[]" }, "LIGNE-CODE-TRAITEMENT",
	    L0 "codeTraitement", NULL, SEGUR_VALIDATE_RETURNED },
	{ { L0 "libelleTraitement=\"Demande acceptée\"" },
	    "LIGNE-LIBELLE-TRAITEMENT", L0 "libelleTraitement" },
	{ { L0 "libelleTraitement={}" }, "LIGNE-LIBELLE-TRAITEMENT",
	    L0 "libelleTraitement", NULL, SEGUR_VALIDATE_RETURNED },

	/* project checks */
	{ { OG0 "FINESSJuridique=\"750000128\"" }, "FINESS-CLE",
	    OG0 "FINESSJuridique" },
	{ { OG0 "FINESSGeos[0]=\"330001018\"",
	    SC0 "FINESSGeo=\"330001018\"" }, "FINESS-CLE",
	    OG0 "FINESSGeos[0]" },
	{ { OG0 "telephoneResponsableOG=\"+33 1 23 45 67\"" },
	    "TELEPHONE-LONGUEUR", OG0 "telephoneResponsableOG" },
	{ { OG0 "telephoneResponsableOG=\"+1 234\"" }, "TELEPHONE-LONGUEUR",
	    OG0 "telephoneResponsableOG" },
	{ { OG0 "telephoneResponsableOG=\"+4912345678901234\"" },
	    "TELEPHONE-LONGUEUR", OG0 "telephoneResponsableOG" },
	{ { OG0 "telephoneResponsableOG=\"+33 0 1 23 45 67 89\"" },
	    "TELEPHONE-LONGUEUR", OG0 "telephoneResponsableOG" },
};

/* Edits that must leave the example clean (with that context/flags). */
static const struct rcase good[] = {
	{ { NULL }, NULL, NULL, &ref_ok },
	{ { NULL }, NULL, NULL, NULL, SEGUR_VALIDATE_FIRST_ERROR },
	{ { L0 "commande.montantSegurHT=4866.670" } },
	{ { L1 "commande.montantSegurHT=5840" } },
	{ { L1 "commande.montantSegurHT=5840.5" } },
	{ { L1 "commande.montantSegurHT=5.84e3" } },
	{ { L0 "commande.montantSegurHT=0.01" } },
	{ { L0 "commande.dateCommande=\"29/02/2024\"" } },
	{ { L0 "commande.dateCommande=\"01/01/2021\"" } },
	{ { L1 "beneficiaires.nomMandataire=\"ÀÉÎÕÜ ÇŒ Ÿ-D'ARC 2\"" } },
	{ { L1 "beneficiaires.nomMandataire=\"ΑΘΉΝΑ МОСКВА ĀĂ\"" } },
	{ { L1 "beneficiaires.emailMandataire=\"a.b-c@sous.domaine.fr\"" } },
	{ { L1 "beneficiaires.telephoneMandataire=\"+33.4.72.00.00.00\"" } },
	{ { L1 "beneficiaires.telephoneMandataire=\"+33-472-000-000\"" } },
	{ { L1 "beneficiaires.telephoneMandataire=\"+44 20 7946 0958\"" } },
	{ { OGN "certificatServeur=null" } },
	{ { OG0 "contractualisationEditeur=false" } },
	{ { OG0 "contractualisationOG=false", CERT0 "numeroCarteCPX=null" } },
	{ { OGE "contractualisationEditeur=false",
	    CERTE "numeroCarteCPX=null" } },
	{ { CERT0 "utiliteCertificat=\"DMP\"" } },
	{ { OG0 "FINESSJuridique=\"2A0000001\"" } },
	{ { OG0 "FINESSGeos[0]=\"2B0000001\"",
	    SC0 "FINESSGeo=\"2B0000001\"" } },
	/* Scenario in another order than FINESSGeos. */
	{ { SC0 "FINESSGeo=\"330001025\"", SC1 "FINESSGeo=\"330001017\"" } },
	{ { SC0 "operateurMessagerie=\"CH _93\"" } },
	{ { SC0 "operateurMessagerie=\"HÔP_302\"" } },
	{ { SC0 "operateurMessagerie=\"SOI_355\"" } },
	{ { SC0 "operateurMessagerie=\"GIP_1\"" } },
	{ { SC0 "profilMetier=[\"SAAD\"]" } },
	{ { SC0 "profilMetier=[\"PA\",\"PH\",\"DOM\",\"SAAD\"]" } },
	{ { SC1 "isMaitreId=false", SC1 "IsRefSoins=true" } },
	/* Keys in another order. */
	{ { "-" L0 "typeAction", L0 "typeAction=\"C\"" } },
	{ { L0 "numeroASP=\"MS1-1\"", L0 "codeTraitement=0",
	    "impId=731", L0 "libelleTraitement=0" }, NULL, NULL, NULL,
	    SEGUR_VALIDATE_RETURNED },
	{ { L0 "numeroASP=1872", L0 "codeTraitement=\"E12\"" }, NULL, NULL,
	    NULL, SEGUR_VALIDATE_RETURNED },
};

static void
run_case(const struct rcase *c, struct segur_report *r)
{
	struct segur_validate_ctx ctx;
	const char *edits[5];
	size_t	 i, n = 0;

	for (i = 0; i < 4 && c->edits[i] != NULL; i++)
		edits[n++] = c->edits[i];
	edits[n] = NULL;
	tv_run(EX_FILE, edits, c->flags, ctx_of(c->ref, &ctx), r);
}

static void
test_validate_rules_invalid_cases(void **state)
{
	struct segur_report r;
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_case(&bad[i], &r);
		n = tv_count(&r, bad[i].rule, bad[i].path);
		if (n == 0) {
			tv_dump(bad[i].edits[0] != NULL ? bad[i].edits[0] :
			    bad[i].rule, &r);
			fail_msg("case %zu: no %s at %s", i, bad[i].rule,
			    bad[i].path);
		}
		/* The finding is on its line, with a French message. */
		assert_int_equal(r.structure_ok, 1);
		segur_report_release(&r);
	}
}

static void
test_validate_rules_valid_cases(void **state)
{
	struct segur_report r;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		run_case(&good[i], &r);
		if (r.nfindings != 0) {
			tv_dump(good[i].edits[0] != NULL ? good[i].edits[0] :
			    "(no edit)", &r);
			fail_msg("valid case %zu has findings", i);
		}
		segur_report_release(&r);
	}
}

static void
test_validate_rules_every_line_rule_has_a_case(void **state)
{
	const struct segur_rule *t;
	size_t	 n, i, j;
	int	 found;

	(void)state;
	t = segur_validate_rules(&n);
	for (i = 0; i < n; i++) {
		if (t[i].scope != SEGUR_SCOPE_LINE)
			continue;
		found = 0;
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			if (strcmp(bad[j].rule, t[i].id) == 0)
				found = 1;
		if (!found)
			fail_msg("rule %s has no invalid case", t[i].id);
	}
}

static void
test_validate_rules_findings_carry_line_and_numligne(void **state)
{
	struct segur_report r;
	const char *edits[] = { L1 "typeAction=\"X\"", NULL };
	const char *badnum[] = { L1 "typeAction=\"X\"", L1 "numLigne=7",
		NULL };

	(void)state;
	tv_run(EX_FILE, edits, 0, NULL, &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].line, 1);
	assert_int_equal(r.findings[0].numLigne, 2);
	assert_int_equal(r.findings[0].severity, SEGUR_SEV_ERROR);
	assert_non_null(strstr(r.findings[0].message, "\"X\""));
	segur_report_release(&r);

	/* numLigne 7 is an integer in 1..200: it is still reported. */
	tv_run(EX_FILE, badnum, 0, NULL, &r);
	assert_int_equal(r.nfindings, 2);
	assert_int_equal(r.findings[0].numLigne, 7);
	segur_report_release(&r);
}

static void
test_validate_rules_ceiling_rounding(void **state)
{
	struct segur_report r;
	struct segur_validate_ctx ctx;
	const char *at[] = { L0 "commande.montantSegurHT=4866.67", NULL };
	const char *over[] = { L0 "commande.montantSegurHT=4866.68", NULL };

	(void)state;
	/* 2 × 2 920,00 € TTC / 1,2 = 4 866,666… → 4 866,67 € HT (guide). */
	tv_run(EX_FILE, at, 0, ctx_of(&ref_ok, &ctx), &r);
	assert_int_equal(r.nfindings, 0);
	segur_report_release(&r);
	tv_run(EX_FILE, over, 0, ctx_of(&ref_ok, &ctx), &r);
	assert_int_equal(r.nfindings, 1);
	assert_non_null(strstr(r.findings[0].message, "4\u202f866,67"));
	segur_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_rules_invalid_cases),
		cmocka_unit_test(test_validate_rules_valid_cases),
		cmocka_unit_test(
		    test_validate_rules_every_line_rule_has_a_case),
		cmocka_unit_test(
		    test_validate_rules_findings_carry_line_and_numligne),
		cmocka_unit_test(test_validate_rules_ceiling_rounding),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
