/*
 * cmd-record-delivered.c: segurctl record delivered: the prestation of an
 * advance is delivered, with its invoice and acceptance record, which makes
 * the request ready for its balance (lib/ledger/solde.c).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

static int
record_delivered_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "date", required_argument, NULL, 'd' },
		{ "invoice", required_argument, NULL, 'i' },
		{ "invoice-date", required_argument, NULL, 'I' },
		{ "amount", required_argument, NULL, 'a' },
		{ "facture", required_argument, NULL, 'f' },
		{ "pv", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_delivery	 d;
	struct segur_ledger	*l;
	char			*cause = NULL;
	int			 c, rc;

	memset(&d, 0, sizeof(d));
	d.invoice_cents = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'd':
			d.date = optarg;
			break;
		case 'i':
			d.invoice = optarg;
			break;
		case 'I':
			d.invoice_date = optarg;
			break;
		case 'a':
			if (segurctl_parse_euros(optarg, &d.invoice_cents) != 0)
				return (segurctl_usage_error(self, env,
				    "bad amount '%s' (euros, at most two "
				    "decimals)", optarg));
			break;
		case 'f':
			d.facture_path = optarg;
			break;
		case 'p':
			d.pv_path = optarg;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one NUMERO_ASP"));
	if (d.date == NULL || d.invoice == NULL || d.invoice_date == NULL ||
	    d.invoice_cents < 0 || d.facture_path == NULL || d.pv_path == NULL)
		return (segurctl_usage_error(self, env, "--date, --invoice, "
		    "--invoice-date, --amount, --facture and --pv are "
		    "required"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_solde_deliver(l, argv[optind], &d, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: livraison enregistrée, prête pour le solde "
	    "(segurctl solde build)\n", argv[optind]);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_record_delivered = {
	"record delivered",
	"--date DATE --invoice NUM --invoice-date DATE --amount EUROS "
	"--facture FILE --pv FILE NUMERO_ASP",
	"record the delivered prestation and its proofs (balance ready)", 0,
	record_delivered_exec
};
