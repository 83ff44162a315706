/*
 * cmd-software-show.c: segurctl software show NUMERO_ANS.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

static int
software_show_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	struct segur_software s;
	char		*cause = NULL, *p;
	int		 c, rc, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			segurctl_db_option(env, optarg);
		else if (c == 'j')
			json = 1;
		else
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
	}
	if (optind != argc - 1)
		return (segurctl_usage_error(self, env,
		    "expected one NUMERO_ANS"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_software_get(l, argv[optind], &s, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		rc = segurctl_print_json(env, segurctl_software_json(&s));
		segur_software_release(&s);
		return (rc);
	}
	p = segur_profiles_format(s.profiles);
	fprintf(env->out, "numeroAns:  %s\nSIRET:      %s\nname:       %s\n"
	    "profiles:   %s\ncreated:    %s\n", s.numero_ans, s.siret,
	    s.name != NULL ? s.name : "-", p != NULL ? p : "?", s.created_at);
	free(p);
	segur_software_release(&s);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_software_show = {
	"software show", "[--json] NUMERO_ANS", "show one software reference",
	0, software_show_exec
};
