/*
 * cmd-record-balance-paid.c: segurctl record balance-paid: the balance is
 * paid and the request closed (lib/ledger/solde.c).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "segur/ledger.h"
#include "segur/solde.h"

#include "segurctl.h"

static int
record_balance_paid_exec(const struct segurctl_cmd *self,
    struct segurctl_env *env, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "date", required_argument, NULL, 'd' },
		{ "amount", required_argument, NULL, 'a' },
		{ "note", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_record	 rec;
	struct segur_ledger	*l;
	const char		*date = NULL, *note = NULL;
	char			*cause = NULL;
	int64_t			 cents = -1;
	int			 c, rc;

	memset(&rec, 0, sizeof(rec));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'd':
			date = optarg;
			break;
		case 'a':
			if (segurctl_parse_euros(optarg, &cents) != 0)
				return (segurctl_usage_error(self, env,
				    "bad amount '%s' (euros, at most two "
				    "decimals)", optarg));
			break;
		case 'n':
			note = optarg;
			break;
		case 'f':
			rec.force = 1;
			break;
		case 'r':
			rec.reason = optarg;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one NUMERO_ASP"));
	if (date == NULL || cents < 0)
		return (segurctl_usage_error(self, env,
		    "--date and --amount are required"));
	if (rec.force != (rec.reason != NULL))
		return (segurctl_usage_error(self, env,
		    "--force and --reason go together"));
	rec.date = date;
	rec.amount_cents = cents;
	rec.note = note;
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_solde_paid(l, argv[optind], &rec, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "%s: solde payé, demande close\n", argv[optind]);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_record_balance_paid = {
	"record balance-paid",
	"--date DATE --amount EUROS [--force --reason TEXT] [--note TEXT] "
	"NUMERO_ASP",
	"record the payment of the balance (closes the request)", 0,
	record_balance_paid_exec
};
