/*
 * cmd-software-add.c: segurctl software add: register a software reference.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
software_add_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "ans", required_argument, NULL, 'a' },
		{ "siret", required_argument, NULL, 's' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	const char	*ans = NULL, *siret = NULL, *prof = NULL, *name = NULL;
	char		*cause = NULL;
	unsigned	 profiles;
	int		 c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			segurctl_db_option(env, optarg);
			break;
		case 'a':
			ans = optarg;
			break;
		case 's':
			siret = optarg;
			break;
		case 'p':
			prof = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc || ans == NULL || siret == NULL || prof == NULL)
		return (segurctl_usage_error(self, env,
		    "--ans, --siret and --profiles are required"));
	if (segur_profiles_parse(prof, &profiles, &cause) != 0) {
		rc = segurctl_usage_error(self, env, "%s", cause);
		free(cause);
		return (rc);
	}
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_software_add(l, ans, siret, name, profiles, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	fprintf(env->out, "software %s added\n", ans);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_software_add = {
	"software add",
	"--ans NUMERO_ANS --siret SIRET --profiles LIST [--name NAME]",
	"register a software reference and its referenced profiles", 0,
	software_add_exec
};
