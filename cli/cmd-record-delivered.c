/*
 * cmd-record-delivered.c: segurctl record delivered: the prestation of an
 * advance is delivered, with its invoice and acceptance record, which makes
 * the request ready for its balance (lib/ledger/solde.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

/* The options into *d (strings borrowed from args): 0, or the exit status
 * of a usage error. */
static int
delivered_parse(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args, struct segur_delivery *d)
{
	const char	*v;

	memset(d, 0, sizeof(*d));
	d->invoice_cents = -1;
	d->date = segurctl_arg(self, args, "date");
	d->invoice = segurctl_arg(self, args, "invoice");
	d->invoice_date = segurctl_arg(self, args, "invoice-date");
	if ((v = segurctl_arg(self, args, "amount")) != NULL &&
	    segurctl_parse_euros(v, &d->invoice_cents) != 0)
		return (segurctl_usage_error(self, env, "montant « %s » "
		    "invalide (en euros, deux décimales au plus)", v));
	d->facture_path = segurctl_arg(self, args, "facture");
	d->pv_path = segurctl_arg(self, args, "pv");
	if (d->date == NULL || d->invoice == NULL || d->invoice_date == NULL ||
	    d->invoice_cents < 0 || d->facture_path == NULL ||
	    d->pv_path == NULL)
		return (segurctl_usage_error(self, env, "--date, --invoice, "
		    "--invoice-date, --amount, --facture et --pv sont "
		    "obligatoires"));
	return (0);
}

/* Usage first, before the ledger is opened and the request resolved. */
static int
record_delivered_check(const struct segurctl_cmd *self,
    struct segurctl_env *env, struct segurctl_args *args)
{
	struct segur_delivery	 d;

	return (delivered_parse(self, env, args, &d));
}

static int
record_delivered_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_delivery	 d;
	struct segur_request_row row;
	struct segur_ledger	*l = args->ledger;
	struct cJSON		*o = NULL;
	char			*cause = NULL;
	int			 rc, json;

	if ((rc = delivered_parse(self, env, args, &d)) != 0)
		return (rc);
	json = segurctl_flag(self, args, "json");
	rc = segur_solde_deliver(l, args->argv[0], &d, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json && (rc = segurctl_recorded_read(l, args->argv[0], "delivery",
	    "deliveries", &row, &o, &cause)) != 0)
		return (segurctl_reread_error(self, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, o));
	fprintf(env->out, "%s : livraison enregistrée, prête pour le solde "
	    "(segurctl solde build)\n", args->argv[0]);
	return (SEGURCTL_EXIT_OK);
}

static const struct segurctl_opt record_delivered_opts[] = {
	{ "date", 0, "DATE", "la date de la livraison" },
	{ "invoice", 0, "NUM", "le numéro de la facture" },
	{ "invoice-date", 0, "DATE", "la date de la facture" },
	{ "amount", 0, "EUROS", "le montant de la facture" },
	{ "facture", 0, "FILE", "la facture (PDF, PNG ou JPEG)" },
	{ "pv", 0, "FILE", "le procès-verbal de recette, PV (PDF, PNG ou "
	    "JPEG)" },
	{ NULL, 0, NULL, NULL }
};

const struct segurctl_cmd cmd_record_delivered = {
	.name = "record delivered",
	.group = "record",
	.args = "[--json] --date DATE --invoice NUM --invoice-date DATE "
	    "--amount EUROS --facture FILE --pv FILE NUMERO_ASP",
	.summary = "enregistrer la prestation livrée et ses preuves (la "
	    "demande est prête pour son solde)",
	.opts = record_delivered_opts,
	.flags = SEGURCTL_LEDGER | SEGURCTL_WRITES | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.req_args = 1,
	.req_as = SEGURCTL_REQ_ASP,
	.check = record_delivered_check,
	.exec = record_delivered_exec
};
