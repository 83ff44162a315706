/*
 * cmd-software-show.c: segurctl software show NUMERO_ANS.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/date.h"
#include "segur/ledger.h"

#include "segurctl.h"

static int
software_show_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_software s;
	char		*cause = NULL, *p, when[SEGUR_DATE_FR_BUFSZ];
	int		 rc, json = 0;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_software_get(l, args->argv[0], &s, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		rc = segurctl_print_json(env, segurctl_software_json(&s));
		segur_software_release(&s);
		return (rc);
	}
	p = segur_profiles_format(s.profiles);
	fprintf(env->out, "numéro ANS :     %s\nSIRET :          %s\n"
	    "nom :            %s\nprofils :        %s\n"
	    "enregistré le :  %s\n", s.numero_ans, s.siret,
	    s.name != NULL ? s.name : "-", p != NULL ? p : "?",
	    segur_date_fr(s.created_at, when) != NULL ? when : s.created_at);
	free(p);
	segur_software_release(&s);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_software_show = {
	.name = "software show",
	.group = "software",
	.args = "[--json] NUMERO_ANS",
	.summary = "afficher un logiciel référencé",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_min = 1,
	.args_max = 1,
	.exec = software_show_exec
};
