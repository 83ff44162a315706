/*
 * validate-rules.c: the validator's rule table (validate.h).
 *
 * One row per rule, in the guide's order; the same table drives the
 * checks (by index, see validate-int.h), `segurctl validate --list-rules`
 * and docs/rules.md. Ids are stable: never rename one, retire it instead.
 */
#include <string.h>

#include "validate/validate-int.h"

#define E	SEGUR_SEV_ERROR
#define W	SEGUR_SEV_WARNING
#define S	SEGUR_SCOPE_STRUCTURE
#define F	SEGUR_SCOPE_FILE
#define L	SEGUR_SCOPE_LINE

const struct segur_rule segur__rules[R__COUNT] = {
	[R_STRUCT_TAILLE] = { "STRUCT-TAILLE", E, S,
	    "Le fichier dépasse la taille maximale acceptée (16 Mio par "
	    "défaut) ; il est refusé avant toute lecture.", "projet" },
	[R_STRUCT_BOM] = { "STRUCT-BOM", E, S,
	    "Le fichier commence par une marque d'ordre d'octets (BOM "
	    "UTF-8) ; enregistrez-le en UTF-8 sans BOM.", "spec §6" },
	[R_STRUCT_NUL] = { "STRUCT-NUL", E, S,
	    "Le fichier contient un caractère NUL (octet 0 ou \\u0000).",
	    "spec §6" },
	[R_STRUCT_UTF8] = { "STRUCT-UTF8", E, S,
	    "Le fichier n'est pas encodé en UTF-8 (par exemple "
	    "Windows-1252).", "spec §6" },
	[R_STRUCT_PROFONDEUR] = { "STRUCT-PROFONDEUR", E, S,
	    "Le fichier imbrique plus de 64 tableaux ou objets.", "projet" },
	[R_STRUCT_JSON] = { "STRUCT-JSON", E, S,
	    "Le fichier n'est pas un JSON valide (vide, tronqué, virgule ou "
	    "guillemet manquant, nombre mal écrit…).", "guide §1.2" },
	[R_STRUCT_RACINE] = { "STRUCT-RACINE", E, S,
	    "Le premier niveau du fichier n'est pas un objet JSON.",
	    "spec §6" },
	[R_STRUCT_ENTETE] = { "STRUCT-ENTETE", E, S,
	    "Une clé de l'entête du fichier (impId, numeroAns, SIRET, "
	    "lignesImport) est absente.", "spec §6" },
	[R_STRUCT_LIGNES] = { "STRUCT-LIGNES", E, S,
	    "lignesImport n'est pas un tableau.", "spec §6" },

	[R_JSON_CLE_ABSENTE] = { "JSON-CLE-ABSENTE", E, L,
	    "Une clé attendue est absente (toutes les clés sont "
	    "obligatoires, leur valeur peut être null quand la règle le "
	    "permet).", "spec §3" },
	[R_JSON_CLE_EN_DOUBLE] = { "JSON-CLE-EN-DOUBLE", E, L,
	    "La même clé apparaît deux fois dans un objet : la valeur "
	    "retenue est ambiguë.", "spec §6" },
	[R_JSON_CLE_INCONNUE] = { "JSON-CLE-INCONNUE", W, L,
	    "Une clé inconnue du guide est présente (les noms de clés "
	    "respectent la casse).", "projet" },
	[R_JSON_TYPE] = { "JSON-TYPE", E, L,
	    "Un objet ou un tableau est attendu et la valeur est d'un autre "
	    "type.", "spec §3" },

	[R_FICHIER_IMPID] = { "FICHIER-IMPID", E, F,
	    "impId vaut null à l'envoi (ASP le remplit au retour).",
	    "guide §3.2" },
	[R_FICHIER_NUMERO_ANS] = { "FICHIER-NUMERO-ANS", E, F,
	    "numeroAns est un texte de 10 caractères.", "guide §3.2" },
	[R_FICHIER_SIRET] = { "FICHIER-SIRET", E, F,
	    "SIRET est un texte de 14 chiffres.", "guide §3.2" },
	[R_FICHIER_SIRET_CLE] = { "FICHIER-SIRET-CLE", W, F,
	    "La clé de contrôle du SIRET est fausse (Luhn ; règle de La "
	    "Poste pour le SIREN 356000000).", "spec §5" },
	[R_FICHIER_NB_LIGNES] = { "FICHIER-NB-LIGNES", E, F,
	    "lignesImport contient de 1 à 200 lignes.", "guide §2.1" },
	[R_FICHIER_NOM] = { "FICHIER-NOM", E, F,
	    "Le nom du fichier suit JSON-<numeroAns>-<AAAAMMJJ>-<NNN>.json "
	    "avec une date réelle et un rang de 001 à 999.", "guide §3.3" },
	[R_FICHIER_NOM_ANS] = { "FICHIER-NOM-ANS", E, F,
	    "Le numeroAns du nom du fichier est celui de l'entête.",
	    "guide §3.3" },

	[R_LIGNE_NUM_LIGNE] = { "LIGNE-NUM-LIGNE", E, L,
	    "numLigne est un entier égal au rang de la ligne (1 pour la "
	    "première, puis +1).", "guide §3.2, spec §6" },
	[R_LIGNE_TYPE_ACTION] = { "LIGNE-TYPE-ACTION", E, L,
	    "typeAction vaut \"C\".", "guide §3.2" },
	[R_LIGNE_NUMERO_ASP] = { "LIGNE-NUMERO-ASP", E, L,
	    "numeroASP vaut null à l'envoi (ASP le remplit pour les lignes "
	    "acceptées).", "guide §3.2" },
	[R_LIGNE_NUMERO_EDITEUR] = { "LIGNE-NUMERO-EDITEUR", E, L,
	    "numeroEditeur est un texte de 5 lettres ou chiffres ASCII.",
	    "guide §3.2, spec §6" },
	[R_LIGNE_NUMERO_EDITEUR_DOUBLE] = { "LIGNE-NUMERO-EDITEUR-DOUBLE", E,
	    L, "Le même numeroEditeur apparaît sur deux lignes du fichier "
	    "(l'erreur porte sur la seconde).", "guide §3.2, spec §6" },
	[R_LIGNE_NUMERO_EDITEUR_UTILISE] = { "LIGNE-NUMERO-EDITEUR-UTILISE",
	    W, L, "Le numeroEditeur a déjà servi (autre demande, autre "
	    "dépôt) : une demande rejetée se redépose avec un nouveau "
	    "numéro.", "guide §1.2" },
	[R_COMMANDE_DATE] = { "COMMANDE-DATE", E, L,
	    "dateCommande est une date réelle au format JJ/MM/AAAA.",
	    "guide §3.2" },
	[R_COMMANDE_DATE_FUTURE] = { "COMMANDE-DATE-FUTURE", W, L,
	    "dateCommande est dans le futur.", "spec §5" },
	[R_COMMANDE_DATE_ANCIENNE] = { "COMMANDE-DATE-ANCIENNE", W, L,
	    "dateCommande est antérieure au 01/01/2021, avant le "
	    "programme.", "spec §5" },
	[R_COMMANDE_REGIME_TVA] = { "COMMANDE-REGIME-TVA", E, L,
	    "regimeTVA vaut \"TTC\" ou \"HT\".", "guide §3.2" },
	[R_COMMANDE_MONTANT] = { "COMMANDE-MONTANT", E, L,
	    "montantSegurHT est un nombre JSON strictement positif, en "
	    "centimes entiers (au plus 2 décimales utiles).",
	    "guide §3.2, spec §6" },
	[R_COMMANDE_MONTANT_PLAFOND] = { "COMMANDE-MONTANT-PLAFOND", W, L,
	    "montantSegurHT dépasse le plafond : somme des montants de "
	    "tranche des ESMS éligibles, divisée par 1,2 en régime TTC.",
	    "guide §3.1, spec §5" },
	[R_BENEF_IS_MANDATAIRE] = { "BENEF-IS-MANDATAIRE", E, L,
	    "isMandataire est un booléen.", "guide §3.2" },
	[R_BENEF_NOM_MANDATAIRE] = { "BENEF-NOM-MANDATAIRE", E, L,
	    "nomMandataire : texte de moins de 50 caractères en majuscules "
	    "si isMandataire, sinon null.", "guide §3.2" },
	[R_BENEF_EMAIL_MANDATAIRE] = { "BENEF-EMAIL-MANDATAIRE", E, L,
	    "emailMandataire : adresse électronique de moins de 150 "
	    "caractères si isMandataire, sinon null.", "guide §3.2, spec §6" },
	[R_BENEF_TEL_MANDATAIRE] = { "BENEF-TEL-MANDATAIRE", E, L,
	    "telephoneMandataire : téléphone avec indicatif (+33…) de moins "
	    "de 50 caractères si isMandataire, sinon null.",
	    "guide §3.2, spec §6" },
	[R_BENEF_ETABLISSEMENTS] = { "BENEF-ETABLISSEMENTS", E, L,
	    "etablissementsClients est un tableau d'au moins un organisme "
	    "gestionnaire (OG).", "guide §3.2" },
	[R_OG_FINESS_JURIDIQUE] = { "OG-FINESS-JURIDIQUE", E, L,
	    "FINESSJuridique est un FINESS : 9 chiffres, ou 2A/2B suivi de "
	    "7 chiffres.", "guide §3.2, spec §6" },
	[R_OG_FINESS_JURIDIQUE_DOUBLE] = { "OG-FINESS-JURIDIQUE-DOUBLE", E, L,
	    "Le même FINESSJuridique apparaît sur deux OG de la demande.",
	    "spec §4" },
	[R_OG_DEMANDE_CERTIFICAT] = { "OG-DEMANDE-CERTIFICAT", E, L,
	    "demandeCertificatServeur est un booléen.", "guide §3.2" },
	[R_OG_CONTRACTUALISATION_OG] = { "OG-CONTRACTUALISATION-OG", E, L,
	    "contractualisationOG : booléen si demandeCertificatServeur, "
	    "sinon null.", "guide §3.2" },
	[R_OG_STATUT_ADMIN] = { "OG-STATUT-ADMIN", E, L,
	    "statutAdminTechnique : \"E\" ou \"S\" si "
	    "demandeCertificatServeur, sinon null.", "guide §3.2" },
	[R_OG_CONTRACTUALISATION_EDITEUR] = { "OG-CONTRACTUALISATION-EDITEUR",
	    E, L, "contractualisationEditeur : booléen obligatoire si le "
	    "statut est \"E\", null ou booléen si \"S\", null sans demande "
	    "de certificat.", "guide §3.2" },
	[R_OG_CERTIFICAT_SERVEUR] = { "OG-CERTIFICAT-SERVEUR", E, L,
	    "certificatServeur : objet à cinq clés si "
	    "demandeCertificatServeur, sinon null ou l'objet aux cinq clés "
	    "null.", "guide §3.2, spec §6" },
	[R_CERT_NUMERO_CARTE_CPX] = { "CERT-NUMERO-CARTE-CPX", E, L,
	    "numeroCarteCPX : 10 lettres ou chiffres, obligatoire quand la "
	    "partie qui administre a contractualisé, sinon null ou valide.",
	    "guide §3.2, spec §6" },
	[R_CERT_NOM_ADMIN] = { "CERT-NOM-ADMIN", E, L,
	    "nomAdminTechnique : texte de moins de 25 caractères en "
	    "majuscules si demandeCertificatServeur, sinon null.",
	    "guide §3.2" },
	[R_CERT_TEL_ADMIN] = { "CERT-TEL-ADMIN", E, L,
	    "telAdminTechnique : téléphone avec indicatif de moins de 50 "
	    "caractères si demandeCertificatServeur, sinon null.",
	    "guide §3.2, spec §6" },
	[R_CERT_EMAIL_ADMIN] = { "CERT-EMAIL-ADMIN", E, L,
	    "emailAdminTechnique : adresse électronique de moins de 150 "
	    "caractères si demandeCertificatServeur, sinon null.",
	    "guide §3.2, spec §6" },
	[R_CERT_UTILITE] = { "CERT-UTILITE", E, L,
	    "utiliteCertificat : \"DMP\", \"INS\" ou \"DMP, INS\" si "
	    "demandeCertificatServeur, sinon null.", "guide §3.2" },
	[R_OG_NOM_RESPONSABLE] = { "OG-NOM-RESPONSABLE", E, L,
	    "nomResponsableOG est un texte de moins de 50 caractères en "
	    "majuscules.", "guide §3.2" },
	[R_OG_EMAIL_RESPONSABLE] = { "OG-EMAIL-RESPONSABLE", E, L,
	    "emailResponsableOG est une adresse électronique de moins de 150 "
	    "caractères.", "guide §3.2, spec §6" },
	[R_OG_TEL_RESPONSABLE] = { "OG-TEL-RESPONSABLE", E, L,
	    "telephoneResponsableOG est un téléphone avec indicatif de moins "
	    "de 50 caractères.", "guide §3.2, spec §6" },
	[R_OG_FINESS_GEOS] = { "OG-FINESS-GEOS", E, L,
	    "FINESSGeos est un tableau d'au moins un FINESS géographique (9 "
	    "chiffres, ou 2A/2B suivi de 7 chiffres).",
	    "guide §3.2, spec §6" },
	[R_OG_FINESS_GEO_DOUBLE] = { "OG-FINESS-GEO-DOUBLE", E, L,
	    "Un FINESS géographique apparaît deux fois dans la demande "
	    "(l'erreur porte sur la seconde).", "spec §4, spec §6" },
	[R_OG_FINESS_GEO_ELIGIBLE] = { "OG-FINESS-GEO-ELIGIBLE", W, L,
	    "Le FINESS géographique n'est pas sur la liste des ESMS éligibles "
	    "de l'arrêté (données de référence chargées).", "guide §3.2" },
	[R_OG_FINESS_GEO_OG] = { "OG-FINESS-GEO-OG", W, L,
	    "L'arrêté rattache ce FINESS géographique à un autre FINESS "
	    "juridique que celui de l'OG.", "projet" },
	[R_OG_FINESS_GEO_FINANCE] = { "OG-FINESS-GEO-FINANCE", W, L,
	    "Le FINESS géographique figure déjà dans une autre demande en "
	    "cours (double financement).", "spec §5" },
	[R_OG_FINESS_GEO_FICHIER] = { "OG-FINESS-GEO-FICHIER", W, L,
	    "Le FINESS géographique est déjà demandé par une autre ligne du "
	    "même fichier (double financement).", "spec §5" },
	[R_PJ_LISTE] = { "PJ-LISTE", E, L,
	    "piecesJustificatives contient exactement un BON_COMMANDE, et "
	    "exactement une PREUVE_HT en régime HT.", "guide §3.2, spec §6" },
	[R_PJ_PREUVE_HT_TTC] = { "PJ-PREUVE-HT-TTC", W, L,
	    "Une PREUVE_HT est jointe à une ligne en régime TTC.", "spec §6" },
	[R_PJ_NOM_FICHIER] = { "PJ-NOM-FICHIER", E, L,
	    "nomFichier suit MS1-DUI-Va1-<BDC|HT>-<numeroEditeur>.<pdf|jpg|"
	    "png> (moins de 50 caractères, extension en minuscules et "
	    "conforme à formatFichier, code conforme à typeFichier).",
	    "guide §3.3, spec §2, spec §6" },
	[R_PJ_NOM_NUMERO_EDITEUR] = { "PJ-NOM-NUMERO-EDITEUR", E, L,
	    "nomFichier porte un autre numeroEditeur que celui de la ligne.",
	    "guide §3.3, spec §6" },
	[R_PJ_FORMAT] = { "PJ-FORMAT", E, L,
	    "formatFichier vaut \"PDF\", \"PNG\" ou \"JPG\".", "guide §3.2" },
	[R_PJ_TYPE] = { "PJ-TYPE", E, L,
	    "typeFichier vaut \"BON_COMMANDE\" ou \"PREUVE_HT\".",
	    "guide §3.2" },
	[R_SCENARIO_LISTE] = { "SCENARIO-LISTE", E, L,
	    "scenarioInstallation a exactement un scénario par FINESS "
	    "géographique des OG de la ligne, et aucun autre.",
	    "spec §4, spec §6" },
	[R_SCENARIO_FINESS_GEO] = { "SCENARIO-FINESS-GEO", E, L,
	    "FINESSGeo est un FINESS géographique (9 chiffres, ou 2A/2B "
	    "suivi de 7 chiffres).", "guide §3.2, spec §6" },
	[R_SCENARIO_ANCIENNE_VERSION] = { "SCENARIO-ANCIENNE-VERSION", E, L,
	    "ancienneVersion est un texte non vide de moins de 50 "
	    "caractères.", "guide §3.2" },
	[R_SCENARIO_IS_MAITRE_ID] = { "SCENARIO-IS-MAITRE-ID", E, L,
	    "isMaitreId est un booléen.", "guide §3.2" },
	[R_SCENARIO_IS_STOCKAGE_ID] = { "SCENARIO-IS-STOCKAGE-ID", E, L,
	    "IsStockageId est un booléen.", "guide §3.2" },
	[R_SCENARIO_OPERATEUR] = { "SCENARIO-OPERATEUR", E, L,
	    "operateurMessagerie vaut null ou un code de la liste des "
	    "opérateurs de messagerie (annexe du guide).", "guide §4" },
	[R_SCENARIO_PROFIL_METIER] = { "SCENARIO-PROFIL-METIER", E, L,
	    "profilMetier vaut \"PA\", \"PH\", \"DOM\" ou \"SAAD\", ou un "
	    "tableau de 1 à 4 de ces valeurs, distinctes.",
	    "guide §3.2, spec §6" },
	[R_SCENARIO_IS_REF_SOINS] = { "SCENARIO-IS-REF-SOINS", E, L,
	    "IsRefSoins est un booléen (null n'est pas accepté).",
	    "guide §3.2, spec §6" },
	[R_SCENARIO_PROFIL_REFERENCE] = { "SCENARIO-PROFIL-REFERENCE", W, L,
	    "Le scénario demande un profil pour lequel le logiciel n'est pas "
	    "référencé.", "guide §3.2" },
	[R_LIGNE_CODE_TRAITEMENT] = { "LIGNE-CODE-TRAITEMENT", E, L,
	    "codeTraitement vaut null à l'envoi (ASP le remplit).",
	    "guide §3.2" },
	[R_LIGNE_LIBELLE_TRAITEMENT] = { "LIGNE-LIBELLE-TRAITEMENT", E, L,
	    "libelleTraitement vaut null à l'envoi (ASP le remplit).",
	    "guide §3.2" },

	[R_FINESS_CLE] = { "FINESS-CLE", W, L,
	    "La clé de contrôle (Luhn) d'un FINESS est fausse (les FINESS "
	    "corses 2A/2B ne sont pas contrôlés).", "spec §5" },
	[R_TELEPHONE_LONGUEUR] = { "TELEPHONE-LONGUEUR", W, L,
	    "Un téléphone a moins de 8 ou plus de 15 chiffres, ou un numéro "
	    "français (+33) n'a pas 9 chiffres après l'indicatif.",
	    "spec §6" },
	[R_CONTEXTE_ECHEC] = { "CONTEXTE-ECHEC", W, L,
	    "Une vérification par les données de référence n'a pas pu être "
	    "faite (erreur de la source) ; elle est sautée.", "projet" },
	[R_RAPPORT_TRONQUE] = { "RAPPORT-TRONQUE", W, F,
	    "Le fichier a plus de 10 000 constats : les suivants sont comptés "
	    "mais pas détaillés.", "projet" },
};

const struct segur_rule *
segur_validate_rules(size_t *n)
{
	if (n != NULL)
		*n = R__COUNT;
	return (segur__rules);
}

const struct segur_rule *
segur_validate_rule(const char *id)
{
	size_t	 i;

	if (id == NULL)
		return (NULL);
	for (i = 0; i < R__COUNT; i++)
		if (strcmp(segur__rules[i].id, id) == 0)
			return (&segur__rules[i]);
	return (NULL);
}
