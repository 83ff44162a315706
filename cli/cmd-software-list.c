/*
 * cmd-software-list.c: segurctl software list.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "segur/ledger.h"

#include "segurctl.h"

cJSON *
segurctl_software_json(const struct segur_software *s)
{
	cJSON	*o;
	char	*p;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if ((p = segur_profiles_format(s->profiles)) == NULL ||
	    cJSON_AddStringToObject(o, "numeroAns", s->numero_ans) == NULL ||
	    cJSON_AddStringToObject(o, "SIRET", s->siret) == NULL ||
	    (s->name != NULL ? cJSON_AddStringToObject(o, "name", s->name) :
	    cJSON_AddNullToObject(o, "name")) == NULL ||
	    cJSON_AddStringToObject(o, "profiles", p) == NULL ||
	    cJSON_AddStringToObject(o, "createdAt", s->created_at) == NULL) {
		free(p);
		cJSON_Delete(o);
		return (NULL);
	}
	free(p);
	return (o);
}

static int
software_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_ledger *l;
	struct segur_software *a;
	size_t		 n, i;
	char		*cause = NULL, *p;
	cJSON		*arr = NULL, *o;
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
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	rc = segur_ledger_software_list(l, &a, &n, &cause);
	segur_ledger_close(l);
	if (rc != 0)
		return (segurctl_ledger_error(self, env, rc, cause));
	if (json) {
		arr = cJSON_CreateArray();
		for (i = 0; arr != NULL && i < n; i++) {
			if ((o = segurctl_software_json(&a[i])) == NULL ||
			    !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				cJSON_Delete(arr);
				arr = NULL;
			}
		}
		segur_software_free_array(a, n);
		return (segurctl_print_json(env, arr));
	}
	for (i = 0; i < n; i++) {
		p = segur_profiles_format(a[i].profiles);
		fprintf(env->out, "%s  %s  %-20s %s\n", a[i].numero_ans,
		    a[i].siret, a[i].name != NULL ? a[i].name : "-",
		    p != NULL ? p : "?");
		free(p);
	}
	segur_software_free_array(a, n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_software_list = {
	"software list", "[--json]", "list the software references", 0,
	software_list_exec
};
