/*
 * template.c: rendering JSON templates with typed variables (template.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/jsonout.h"
#include "segur/amount.h"
#include "segur/error.h"
#include "segur/template.h"

/*
 * The documented variables. Adding one: a row here, a value where
 * `segurctl solde build` fills the values, and docs/solde.md.
 */
static const struct segur_tvar_def vars[] = {
	{ "numeroAns", SEGUR_TVAR_TEXT, SEGUR_TVAR_FILE,
	    "numéro de référencement ANS du logiciel (10 caractères)" },
	{ "SIRET", SEGUR_TVAR_TEXT, SEGUR_TVAR_FILE,
	    "SIRET de l'éditeur (14 chiffres)" },
	{ "dateFichier", SEGUR_TVAR_TEXT, SEGUR_TVAR_FILE,
	    "date du dépôt, AAAAMMJJ" },
	{ "numLigne", SEGUR_TVAR_INT, SEGUR_TVAR_LINE,
	    "numéro de la ligne dans le fichier, à partir de 1" },
	{ "numeroASP", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "numéro ASP reçu pour la demande d'avance" },
	{ "numeroEditeur", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "numéro éditeur de la demande d'avance acceptée" },
	{ "reference", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "référence de la demande chez l'éditeur (bon de commande)" },
	{ "FINESSJuridique", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "FINESS juridique du premier organisme gestionnaire" },
	{ "dateCommande", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "date du bon de commande, JJ/MM/AAAA" },
	{ "regimeTVA", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "régime de TVA de la demande : TTC ou HT" },
	{ "montantSegurHT", SEGUR_TVAR_AMOUNT, SEGUR_TVAR_LINE,
	    "montant HT de la demande d'avance" },
	{ "montantAccordeHT", SEGUR_TVAR_AMOUNT, SEGUR_TVAR_LINE,
	    "montant accordé par la décision d'attribution" },
	{ "montantAvance", SEGUR_TVAR_AMOUNT, SEGUR_TVAR_LINE,
	    "montant de l'avance reçue" },
	{ "montantSoldeHT", SEGUR_TVAR_AMOUNT, SEGUR_TVAR_LINE,
	    "solde demandé : montant accordé moins avance reçue" },
	{ "dateLivraison", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "date de réalisation de la prestation, JJ/MM/AAAA" },
	{ "numeroFacture", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "numéro de la facture de la prestation" },
	{ "dateFacture", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "date de la facture, JJ/MM/AAAA" },
	{ "montantFactureHT", SEGUR_TVAR_AMOUNT, SEGUR_TVAR_LINE,
	    "montant HT de la facture" },
	{ "nomFichierFacture", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "nom canonique de la facture jointe" },
	{ "nomFichierPV", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "nom canonique du procès-verbal de recette joint" },
	{ "formatFichierFacture", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "format de la facture : PDF, PNG ou JPG" },
	{ "formatFichierPV", SEGUR_TVAR_TEXT, SEGUR_TVAR_LINE,
	    "format du procès-verbal : PDF, PNG ou JPG" },
	{ "resoumission", SEGUR_TVAR_BOOL, SEGUR_TVAR_LINE,
	    "vrai quand le solde est redemandé après un rejet de l'ASP" },
	{ NULL, SEGUR_TVAR_TEXT, SEGUR_TVAR_FILE, NULL }
};

const struct segur_tvar_def *
segur_template_vars(void)
{
	return (vars);
}

/* The rendering in progress. */
struct render {
	struct segur_buf	*out;
	const struct segur_tvals *file;
	const struct segur_tvals *line;	/* NULL outside lignesImport */
	int			 in_line;	/* inside the line template */
	int			 check;		/* no values: check only */
	char			**cause;
	struct segur_buf	 path;		/* JSON path, for causes */
	int			 nomem;
};

static int
fail(struct render *r, const char *fmt, const char *name, size_t n)
{
	segur_cause(r->cause, SEGUR_EINVAL, "%s : %s%.*s%s",
	    r->path.len > 0 ? r->path.data : "(racine)", fmt, (int)n, name,
	    n > 0 ? "}" : "");
	return (SEGUR_EINVAL);
}

static void
emit(struct render *r, const char *s, size_t n)
{
	if (segur_buf_add(r->out, s, n) != 0)
		r->nomem = 1;
}

static const struct segur_tvar_def *
find_def(const char *name, size_t n)
{
	const struct segur_tvar_def *d;

	for (d = vars; d->name != NULL; d++) {
		if (strlen(d->name) == n && memcmp(d->name, name, n) == 0)
			return (d);
	}
	return (NULL);
}

static const struct segur_tval *
find_val(const struct segur_tvals *vals, const char *name, size_t n)
{
	size_t	 i;

	if (vals == NULL)
		return (NULL);
	for (i = 0; i < vals->n; i++) {
		if (strlen(vals->v[i].name) == n &&
		    memcmp(vals->v[i].name, name, n) == 0)
			return (&vals->v[i]);
	}
	return (NULL);
}

/* Resolves ${name}: its definition and (unless checking) its value. */
static int
resolve(struct render *r, const char *name, size_t n,
    const struct segur_tvar_def **def, const struct segur_tval **val)
{
	*val = NULL;
	if ((*def = find_def(name, n)) == NULL)
		return (fail(r, "variable inconnue ${", name, n));
	if ((*def)->scope == SEGUR_TVAR_LINE && !r->in_line)
		return (fail(r, "variable de ligne hors de lignesImport[0] ${",
		    name, n));
	if (r->check)
		return (0);
	*val = (*def)->scope == SEGUR_TVAR_LINE ? find_val(r->line, name, n) :
	    find_val(r->file, name, n);
	if (*val == NULL)
		return (fail(r, "valeur manquante pour ${", name, n));
	if (!(*val)->is_null && (*def)->type == SEGUR_TVAR_TEXT &&
	    (*val)->text == NULL)
		return (fail(r, "valeur manquante pour ${", name, n));
	return (0);
}

/* Writes a value as JSON (typed) or as text (inside a string). */
static void
emit_value(struct render *r, const struct segur_tvar_def *d,
    const struct segur_tval *v, int as_text, struct segur_buf *text)
{
	char	 num[SEGUR_AMOUNT_BUFSZ];

	switch (d->type) {
	case SEGUR_TVAR_TEXT:
		if (as_text) {
			if (segur_buf_adds(text, v->text) != 0)
				r->nomem = 1;
		} else if (segur__json_string(r->out, v->text) != 0)
			r->nomem = 1;
		return;
	case SEGUR_TVAR_AMOUNT:
		segur_amount_format(v->num, num);
		break;
	case SEGUR_TVAR_INT:
		snprintf(num, sizeof(num), "%lld", (long long)v->num);
		break;
	case SEGUR_TVAR_BOOL:
		snprintf(num, sizeof(num), "%s", v->num ? "true" : "false");
		break;
	}
	if (as_text) {
		if (segur_buf_adds(text, num) != 0)
			r->nomem = 1;
	} else
		emit(r, num, strlen(num));
}

/* Renders a string value: a whole "${x}" typed, else interpolated. */
static int
render_string(struct render *r, const char *s)
{
	struct segur_buf	 text = SEGUR_BUF_INIT;
	const struct segur_tvar_def *d;
	const struct segur_tval	*v;
	const char		*p, *end;
	size_t			 len = strlen(s);
	int			 rc;

	if (len > 3 && s[0] == '$' && s[1] == '{' && s[len - 1] == '}' &&
	    memchr(s + 2, '}', len - 3) == NULL && memchr(s + 2, '$',
	    len - 3) == NULL) {
		if ((rc = resolve(r, s + 2, len - 3, &d, &v)) != 0)
			return (rc);
		if (r->check || v == NULL)
			return (0);
		if (v->is_null)
			emit(r, "null", 4);
		else
			emit_value(r, d, v, 0, NULL);
		return (0);
	}
	for (p = s; *p != '\0'; p++) {
		if (p[0] == '$' && p[1] == '$') {
			segur_buf_add(&text, "$", 1);
			p++;
		} else if (p[0] == '$' && p[1] == '{') {
			if ((end = strchr(p + 2, '}')) == NULL) {
				segur_buf_release(&text);
				return (fail(r, "« ${ » sans « } » dans le "
				    "texte", "", 0));
			}
			rc = resolve(r, p + 2, (size_t)(end - p - 2), &d, &v);
			if (rc == 0 && v != NULL && v->is_null)
				rc = fail(r, "valeur nulle dans un texte ${",
				    p + 2, (size_t)(end - p - 2));
			if (rc != 0) {
				segur_buf_release(&text);
				return (rc);
			}
			if (v != NULL)
				emit_value(r, d, v, 1, &text);
			p = end;
		} else if (segur_buf_add(&text, p, 1) != 0)
			r->nomem = 1;
	}
	if (!r->check && segur__json_string(r->out, text.data != NULL ?
	    text.data : "") != 0)
		r->nomem = 1;
	segur_buf_release(&text);
	return (0);
}

static int render_node(struct render *, const cJSON *, int);

/* Appends ".key" or "[i]" to the path; returns the old length. */
static size_t
path_push(struct render *r, const char *key, long index)
{
	size_t	 old = r->path.len;

	if (key != NULL)
		segur_buf_addf(&r->path, "%s%s", old > 0 ? "." : "", key);
	else
		segur_buf_addf(&r->path, "[%ld]", index);
	return (old);
}

static void
path_pop(struct render *r, size_t old)
{
	r->path.len = old;
	if (r->path.data != NULL)
		r->path.data[old] = '\0';
}

/* Renders the top-level lignesImport: the line template once per line. */
static int
render_lines(struct render *r, const cJSON *arr, int ind, size_t nlines,
    const struct segur_tvals *lines)
{
	size_t	 i, n = r->check ? 1 : nlines, old;
	int	 rc = 0;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != 1)
		return (fail(r, "lignesImport doit être un tableau d'un seul "
		    "élément : le modèle de ligne", "", 0));
	if (n == 0) {
		emit(r, "[]", 2);
		return (0);
	}
	emit(r, "[\n", 2);
	old = path_push(r, NULL, 0);
	r->in_line = 1;
	for (i = 0; i < n && rc == 0; i++) {
		r->line = r->check ? NULL : &lines[i];
		segur__json_indent(r->out, ind + 2);
		rc = render_node(r, arr->child, ind + 2);
		emit(r, i + 1 < n ? ",\n" : "\n", i + 1 < n ? 2 : 1);
	}
	r->in_line = 0;
	r->line = NULL;
	path_pop(r, old);
	segur__json_indent(r->out, ind);
	emit(r, "]", 1);
	return (rc);
}

static int
render_node(struct render *r, const cJSON *v, int ind)
{
	const cJSON	*c;
	char		 num[64];
	size_t		 old;
	long		 i = 0;
	int		 rc = 0;

	if (cJSON_IsNull(v))
		emit(r, "null", 4);
	else if (cJSON_IsTrue(v))
		emit(r, "true", 4);
	else if (cJSON_IsFalse(v))
		emit(r, "false", 5);
	else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) &&
		    fabs(v->valuedouble) < 1e15)
			snprintf(num, sizeof(num), "%.0f", v->valuedouble);
		else
			snprintf(num, sizeof(num), "%.15g", v->valuedouble);
		emit(r, num, strlen(num));
	} else if (cJSON_IsString(v))
		rc = render_string(r, v->valuestring);
	else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		int obj = cJSON_IsObject(v);

		if (v->child == NULL) {
			emit(r, obj ? "{}" : "[]", 2);
			return (0);
		}
		emit(r, obj ? "{\n" : "[\n", 2);
		for (c = v->child; c != NULL && rc == 0; c = c->next, i++) {
			segur__json_indent(r->out, ind + 2);
			old = path_push(r, obj ? c->string : NULL, i);
			if (obj) {
				segur__json_string(r->out, c->string);
				emit(r, ": ", 2);
			}
			rc = render_node(r, c, ind + 2);
			path_pop(r, old);
			emit(r, c->next != NULL ? ",\n" : "\n",
			    c->next != NULL ? 2 : 1);
		}
		segur__json_indent(r->out, ind);
		emit(r, obj ? "}" : "]", 1);
	} else
		rc = fail(r, "valeur JSON non prise en charge", "", 0);
	return (rc);
}

/* The common body of render and check. */
static int
run(const char *tmpl, size_t len, const struct segur_tvals *file,
    const struct segur_tvals *lines, size_t nlines, struct segur_buf *out,
    int check, char **cause)
{
	struct segur_buf scratch = SEGUR_BUF_INIT;
	struct render	 r;
	cJSON		*root;
	const char	*end = NULL;
	size_t		 start;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.out = out != NULL ? out : &scratch;
	r.file = file;
	r.check = check;
	r.cause = cause;
	start = r.out->len;
	root = cJSON_ParseWithLengthOpts(tmpl, len, &end, 0);
	if (root == NULL) {
		segur_buf_release(&scratch);
		return (segur_cause(cause, SEGUR_EINVAL, "le modèle n'est pas "
		    "du JSON valide (vers l'octet %ld)", end != NULL ?
		    (long)(end - tmpl) : 0L));
	}
	if (!cJSON_IsObject(root) || cJSON_GetObjectItemCaseSensitive(root,
	    "lignesImport") == NULL) {
		cJSON_Delete(root);
		segur_buf_release(&scratch);
		return (segur_cause(cause, SEGUR_EINVAL, "le modèle doit être "
		    "un objet JSON avec une clé lignesImport"));
	}
	/* The top level renders lignesImport with the lines' values. */
	{
		const cJSON	*c;
		size_t		 old;
		long		 i = 0;

		emit(&r, "{\n", 2);
		rc = 0;
		for (c = root->child; c != NULL && rc == 0; c = c->next, i++) {
			segur__json_indent(r.out, 2);
			segur__json_string(r.out, c->string);
			emit(&r, ": ", 2);
			old = path_push(&r, c->string, i);
			rc = strcmp(c->string, "lignesImport") == 0 ?
			    render_lines(&r, c, 2, nlines, lines) :
			    render_node(&r, c, 2);
			path_pop(&r, old);
			emit(&r, c->next != NULL ? ",\n" : "\n",
			    c->next != NULL ? 2 : 1);
		}
		emit(&r, "}\n", 2);
	}
	cJSON_Delete(root);
	segur_buf_release(&r.path);
	segur_buf_release(&scratch);
	if (rc == 0 && r.nomem)
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
	if (rc != 0 && out != NULL && out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return (rc);
}

int
segur_template_render(const char *tmpl, size_t len,
    const struct segur_tvals *file, const struct segur_tvals *lines,
    size_t nlines, struct segur_buf *out, char **cause)
{
	return (run(tmpl, len, file, lines, nlines, out, 0, cause));
}

int
segur_template_check(const char *tmpl, size_t len, char **cause)
{
	return (run(tmpl, len, NULL, NULL, 0, NULL, 1, cause));
}
