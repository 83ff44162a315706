/*
 * retour.c: reading the files ASP returns and deciding each line's fate
 * (retour.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/error.h"
#include "segur/retour.h"
#include "segur/text.h"
#include "segur/util.h"

/* Above 2^53 a double no longer holds every integer: a number that large
 * cannot be read back exactly from cJSON and is refused, not rounded. */
#define EXACT_DOUBLE_MAX	9007199254740992.0

/* "Demande acceptée" folded (text.h): what an accepting label folds to. */
#define ACCEPTED_FOLDED	"demande acceptee"

int
segur_label_is_accepted(const char *label)
{
	return (segur_text_matches(label, ACCEPTED_FOLDED) == 1);
}

/*
 * Reads a value that ASP may write as a string or a number into a
 * malloc'ed text (*out; NULL for null or absent). Returns 0, or -1 for a
 * value of another type or a number that cannot be read exactly.
 */
static int
text_of(const cJSON *v, char **out)
{
	unsigned long long u;
	char	 num[32], *p;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return (0);
	if (cJSON_IsString(v)) {
		*out = strdup(v->valuestring);
		return (*out != NULL ? 0 : -1);
	}
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    fabs(v->valuedouble) <= EXACT_DOUBLE_MAX) {
		/* What "%.0f" prints, "-0" included, without printf: every
		 * line of ASP's answer may carry two such numbers. */
		u = (unsigned long long)fabs(v->valuedouble);
		p = num + sizeof(num);
		*--p = '\0';
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u != 0);
		if (signbit(v->valuedouble))
			*--p = '-';
		*out = strdup(p);
		return (*out != NULL ? 0 : -1);
	}
	return (-1);
}

/* Sets the line's anomaly (first one wins: it is the most specific). */
static void anomaly(struct segur_retour_line *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
anomaly(struct segur_retour_line *l, const char *fmt, ...)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	va_list	 ap;

	if (l->answer == SEGUR_ANSWER_ANOMALY)
		return;
	l->answer = SEGUR_ANSWER_ANOMALY;
	va_start(ap, fmt);
	segur_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* Even without memory the line stays an anomaly: never accepted. */
	l->anomaly = segur_buf_detach(&b);
}

static void
read_line(const cJSON *o, long index, struct segur_retour_line *l)
{
	const cJSON	*v;
	int		 asp_ok, code_ok, label_ok, accepted_label;

	memset(l, 0, sizeof(*l));
	l->index = index;
	l->numLigne = -1;
	if (!cJSON_IsObject(o)) {
		anomaly(l, "la ligne n'est pas un objet JSON");
		return;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "numLigne");
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    v->valuedouble >= 1 && v->valuedouble <= 1000000)
		l->numLigne = (long)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(o, "typeAction");
	if (cJSON_IsString(v))
		l->typeAction = strdup(v->valuestring);
	if (text_of(cJSON_GetObjectItemCaseSensitive(o, "numeroEditeur"),
	    &l->numeroEditeur) != 0 || l->numeroEditeur == NULL)
		anomaly(l, "numeroEditeur absent ou illisible : la ligne ne "
		    "peut être rattachée à aucune demande");
	asp_ok = text_of(cJSON_GetObjectItemCaseSensitive(o, "numeroASP"),
	    &l->numeroASP) == 0;
	code_ok = text_of(cJSON_GetObjectItemCaseSensitive(o,
	    "codeTraitement"), &l->code) == 0;
	label_ok = text_of(cJSON_GetObjectItemCaseSensitive(o,
	    "libelleTraitement"), &l->label) == 0;
	if (!asp_ok)
		anomaly(l, "numeroASP illisible (ni texte, ni nombre entier "
		    "lisible exactement)");
	if (!code_ok || !label_ok)
		anomaly(l, "codeTraitement ou libelleTraitement illisible");
	if (l->numeroASP != NULL && l->numeroASP[strspn(l->numeroASP,
	    " \t")] == '\0')
		anomaly(l, "numeroASP vide");
	/* Without memory to fold the label, the line cannot be decided:
	 * an anomaly, never a guess either way. */
	if ((accepted_label = segur_text_matches(l->label,
	    ACCEPTED_FOLDED)) < 0) {
		anomaly(l, "libellé « %s » : mémoire insuffisante pour le "
		    "lire", l->label);
		accepted_label = 0;
	}
	if (l->label == NULL && l->code == NULL && l->numeroASP == NULL)
		anomaly(l, "la ligne n'a reçu aucune réponse de l'ASP "
		    "(codeTraitement, libelleTraitement et numeroASP nuls)");
	else if (l->numeroASP != NULL && !accepted_label)
		anomaly(l, "numeroASP présent mais libellé « %s » : "
		    "acceptation incertaine", l->label != NULL ? l->label :
		    "(nul)");
	else if (l->numeroASP == NULL && accepted_label)
		anomaly(l, "libellé « %s » sans numeroASP : acceptation "
		    "incertaine", l->label);
	if (l->answer == SEGUR_ANSWER_ANOMALY)
		return;
	l->answer = accepted_label ? SEGUR_ANSWER_ACCEPTED :
	    SEGUR_ANSWER_REJECTED;
}

int
segur_retour_parse(const char *buf, size_t len, struct segur_retour *out,
    char **cause)
{
	cJSON	*root;
	int	 rc;

	memset(out, 0, sizeof(*out));
	if ((root = cJSON_ParseWithLength(buf, len)) == NULL)
		return (segur_cause(cause, SEGUR_EINVAL, "le fichier n'est "
		    "pas du JSON valide"));
	rc = segur_retour_read(root, out, cause);
	cJSON_Delete(root);
	return (rc);
}

int
segur_retour_read(const cJSON *root, struct segur_retour *out, char **cause)
{
	const cJSON	*arr, *e;
	size_t		 i = 0;
	int		 n;

	memset(out, 0, sizeof(*out));
	arr = cJSON_GetObjectItemCaseSensitive(root, "lignesImport");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(arr))
		return (segur_cause(cause, SEGUR_EINVAL, "le fichier n'a pas "
		    "la structure d'un fichier MS1-DUI (objet avec un tableau "
		    "lignesImport)"));
	if (text_of(cJSON_GetObjectItemCaseSensitive(root, "impId"),
	    &out->impId) != 0 || text_of(cJSON_GetObjectItemCaseSensitive(root,
	    "numeroAns"), &out->numeroAns) != 0 ||
	    text_of(cJSON_GetObjectItemCaseSensitive(root, "SIRET"),
	    &out->SIRET) != 0) {
		segur_retour_release(out);
		return (segur_cause(cause, SEGUR_EINVAL, "impId, numeroAns ou "
		    "SIRET illisible dans l'en-tête du fichier"));
	}
	if ((n = cJSON_GetArraySize(arr)) == 0)
		return (0);
	if ((out->lines = calloc((size_t)n, sizeof(*out->lines))) == NULL) {
		segur_retour_release(out);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	cJSON_ArrayForEach(e, arr) {
		if (i == (size_t)n)
			break;
		read_line(e, (long)i, &out->lines[i]);
		i++;
	}
	out->nlines = i;
	return (0);
}

void
segur_retour_release(struct segur_retour *r)
{
	size_t	 i;

	for (i = 0; r->lines != NULL && i < r->nlines; i++) {
		free(r->lines[i].typeAction);
		free(r->lines[i].numeroEditeur);
		free(r->lines[i].numeroASP);
		free(r->lines[i].code);
		free(r->lines[i].label);
		free(r->lines[i].anomaly);
	}
	free(r->lines);
	free(r->impId);
	free(r->numeroAns);
	free(r->SIRET);
	memset(r, 0, sizeof(*r));
}
