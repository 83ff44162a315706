/*
 * cmd-request-show.c: segurctl request show: everything about one request,
 * found by reference, numeroEditeur or numeroASP.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/date.h"
#include "segur/ledger.h"

#include "segurctl.h"

/* The French label of each member request show prints; a member not
 * listed shows its JSON key. */
static const struct {
	const char	*key;
	const char	*label;
} labels[] = {
	{ "ref", "référence" }, { "numeroAns", "numéro ANS" },
	{ "state", "état" }, { "montantSegurHT", "montant Ségur HT" },
	{ "regimeTVA", "régime de TVA" }, { "dateCommande", "date de commande" },
	{ "numeroASP", "numéro ASP" }, { "withdrawReason", "motif du retrait" },
	{ "createdAt", "créée le" }, { "updatedAt", "modifiée le" },
	{ "esms", "ESMS" }, { "documents", "pièces" },
	{ "sentDocuments", "pièces envoyées" }, { "attempts", "tentatives" },
	{ "deliveries", "livraisons" }, { "balanceLines", "lignes de solde" },
	{ "decisions", "décisions" }, { "payments", "paiements" },
	{ "anomalies", "anomalies ouvertes" },
	{ "resolvedAnomalies", "anomalies résolues" },
	{ "FINESSGeo", "FINESS géographique" },
	{ "FINESSJuridique", "FINESS juridique" },
	{ "typeFichier", "type de pièce" }, { "path", "chemin" },
	{ "size", "taille (octets)" }, { "current", "en vigueur" },
	{ "addedAt", "ajoutée le" }, { "seq", "lot" },
	{ "nomFichier", "nom du fichier" }, { "zip", "archive" },
	{ "attempt", "tentative" }, { "numeroEditeur", "numéro éditeur" },
	{ "file", "fichier" }, { "numLigne", "ligne" },
	{ "outcome", "résultat" }, { "label", "libellé" },
	{ "answeredAt", "répondue le" }, { "answerFile", "fichier réponse" },
	{ "kind", "nature" }, { "amount", "montant" },
	{ "letterRef", "courrier" }, { "recordedAt", "enregistrée le" },
	{ "invoiceNumber", "n° de facture" },
	{ "invoiceDate", "date de facture" },
	{ "invoiceAmount", "montant facturé" },
	{ "invoiceFormat", "format de facture" }, { "invoicePath", "facture" },
	{ "pvFormat", "format du PV" }, { "pvPath", "PV" },
	{ "montantSolde", "montant du solde" },
	{ "codeTraitement", "code de traitement" },
	{ "libelleTraitement", "libellé de traitement" },
	{ "anomaly", "anomalie" }, { "balanceLine", "ligne de solde" },
	{ "pending", "en attente" }
};

/* Members whose value is an amount in euros ("5840.00" or a number). */
static const char *const amounts[] = { "montantSegurHT", "amount",
    "invoiceAmount", "montantSolde" };

/* The codes of an attempt's outcome and state and of a decision's kind,
 * as said in French. */
static const struct {
	const char	*code;
	const char	*label;
} outcomes[] = {
	{ "accepted", "acceptée" }, { "rejected", "rejetée" },
	{ "pending", "sans réponse" }, { "cancelled", "annulée" },
	{ "refused", "fichier refusé" }, { "anomaly", "en anomalie" },
	{ "grant", "accord de l'ASP" }, { "refusal", "refus de l'ASP" },
	{ "advance_paid", "avance versée" },
	{ "balance_requested", "solde demandé" },
	{ "balance_accepted", "solde accepté" },
	{ "balance_rejected", "solde rejeté" },
	{ "balance_paid", "solde versé" }, { "close", "clôture" }
};

static const char *
label_of(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].key, key) == 0)
			return (labels[i].label);
	return (key);
}

static int
is_amount(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++)
		if (strcmp(amounts[i], key) == 0)
			return (1);
	return (0);
}

/* indent, then label padded to 22 columns (characters, not bytes). */
static void
print_label(FILE *f, const char *indent, const char *key)
{
	const char	*label = label_of(key), *p;
	int		 cols = 0;

	for (p = label; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			cols++;
	fprintf(f, "%s%s%*s", indent, label, cols < 22 ? 22 - cols : 1, "");
}

/* The text of a string member: amounts, days and times as a French
 * reader writes them, states and outcomes by their label. */
static const char *
text_of(const cJSON *it, int top, char *buf, size_t bufsz)
{
	const char	*v = it->valuestring, *k = it->string;
	char		 fr[SEGUR_DATE_FR_BUFSZ];
	char		 fr_amount[SEGUR_AMOUNT_BUFSZ];
	int64_t		 cents;
	size_t		 i, n = strlen(v);

	if (top && strcmp(k, "state") == 0 && segur_state_parse(v) >= 0)
		return (segur_state_label((enum segur_state)
		    segur_state_parse(v)));
	if (strcmp(k, "outcome") == 0 || strcmp(k, "state") == 0 ||
	    strcmp(k, "kind") == 0)
		for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
			if (strcmp(outcomes[i].code, v) == 0)
				return (outcomes[i].label);
	if (is_amount(k) && segur_amount_from_text(v, n, &cents) == 0) {
		snprintf(buf, bufsz, "%s €",
		    segur_amount_format_fr(cents, fr_amount));
		return (buf);
	}
	if ((n > 2 && strcmp(k + strlen(k) - 2, "At") == 0) ||
	    strcmp(k, "date") == 0 || strcmp(k, "dateCommande") == 0 ||
	    strcmp(k, "invoiceDate") == 0) {
		if (segur_date_fr(v, fr) != NULL) {
			snprintf(buf, bufsz, "%s", fr);
			return (buf);
		}
	}
	return (v);
}

/* Prints label value for the scalar members of o (top: the request's
 * own, not a list item's). */
static void
print_scalars(FILE *f, const cJSON *o, const char *indent, int top)
{
	const cJSON	*it, *id;
	char		 buf[64];
	int64_t		 cents;

	cJSON_ArrayForEach(it, o) {
		/* An attempt's open anomalies: their ids, on one line. */
		if (cJSON_IsArray(it) && strcmp(it->string, "anomalies") == 0 &&
		    cJSON_IsNumber(it->child)) {
			print_label(f, indent, it->string);
			cJSON_ArrayForEach(id, it)
				fprintf(f, "%s%.0f", id == it->child ? "" :
				    ", ", id->valuedouble);
			fprintf(f, " (segurctl anomalies)\n");
			continue;
		}
		if (!cJSON_IsString(it) && !cJSON_IsNumber(it) &&
		    !cJSON_IsNull(it) && !cJSON_IsBool(it))
			continue;
		print_label(f, indent, it->string);
		if (cJSON_IsString(it))
			fprintf(f, "%s\n", text_of(it, top, buf, sizeof(buf)));
		else if (cJSON_IsNumber(it) && is_amount(it->string) &&
		    segur_amount_from_double(it->valuedouble, &cents) == 0)
			fprintf(f, "%s €\n", segur_amount_format_fr(cents, buf));
		else if (cJSON_IsNumber(it) && strcmp(it->string,
		    "current") == 0)
			fprintf(f, "%s\n", it->valueint ? "oui" : "non");
		else if (cJSON_IsNumber(it))
			fprintf(f, "%.0f\n", it->valuedouble);
		else if (cJSON_IsBool(it))
			fprintf(f, "%s\n", cJSON_IsTrue(it) ? "oui" : "non");
		else
			fprintf(f, "-\n");
	}
}

static int
request_show_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	static const char *const lists[] = { "esms", "documents",
	    "sentDocuments", "attempts", "deliveries", "balanceLines",
	    "decisions", "payments", "anomalies", "resolvedAnomalies" };
	struct segur_ledger *l = args->ledger;
	cJSON		*o, *it;
	char		*cause = NULL, *s;
	size_t		 i;
	int		 rc, json = 0;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_request_show(l, args->argv[0], &o, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, o));
	print_scalars(env->out, o, "", 1);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		fprintf(env->out, "%s :%s\n", label_of(lists[i]),
		    cJSON_GetArraySize(cJSON_GetObjectItem(o, lists[i])) ?
		    "" : " -");
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, lists[i])) {
			fprintf(env->out, "  -\n");
			print_scalars(env->out, it, "    ", 0);
		}
	}
	if ((s = cJSON_Print(cJSON_GetObjectItem(o, "content"))) != NULL)
		fprintf(env->out, "contenu :\n%s\n", s);
	free(s);
	cJSON_Delete(o);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_show = {
	.name = "request show",
	.group = "request",
	.args = "[--json] REF|NUMERO_EDITEUR|NUMERO_ASP",
	.summary = "afficher une demande : contenu, numéros, pièces, "
	    "tentatives, livraisons, lignes de solde, décisions, paiements",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_REF,
	.exec = request_show_exec
};
