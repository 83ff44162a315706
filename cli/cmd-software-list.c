/*
 * cmd-software-list.c: segurctl software list.
 */
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

/* Writes s padded to width characters (UTF-8: continuation bytes take no
 * column), as request list does. */
static void
cell(FILE *f, const char *s, size_t width)
{
	size_t		 n = 0;
	const char	*p;

	for (p = s; *p != '\0'; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	fputs(s, f);
	for (; n < width; n++)
		fputc(' ', f);
}

/* One line of the text list: numero ANS, SIRET, name, profiles. */
static void
software_line(FILE *f, const char *ans, const char *siret, const char *name,
    const char *profiles)
{
	cell(f, ans, 10);
	fputs("  ", f);
	cell(f, siret, 14);
	fputs("  ", f);
	cell(f, name, 20);
	fprintf(f, " %s\n", profiles);
}

static int
software_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_ledger *l = args->ledger;
	struct segur_software *a;
	size_t		 n, i;
	char		*cause = NULL, *p;
	cJSON		*arr = NULL, *o;
	int		 rc, json;

	json = segurctl_flag(self, args, "json");
	rc = segur_ledger_software_list(l, &a, &n, &cause);
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
	if (n > 0)
		software_line(env->out, "NUMÉRO ANS", "SIRET", "NOM",
		    "PROFILS");
	for (i = 0; i < n; i++) {
		p = segur_profiles_format(a[i].profiles);
		software_line(env->out, a[i].numero_ans, a[i].siret,
		    a[i].name != NULL ? a[i].name : "-", p != NULL ? p : "?");
		free(p);
	}
	segur_software_free_array(a, n);
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_software_list = {
	.name = "software list",
	.group = "software",
	.args = "[--json]",
	.summary = "lister les logiciels référencés",
	.flags = SEGURCTL_LEDGER | SEGURCTL_JSON,
	.args_max = 0,
	.exec = software_list_exec
};
