/*
 * msfile.c: the canonical writer of MS1-DUI funding files (msfile.h).
 *
 * A static description of the layout (spec §3) drives the writer: each node
 * names a key and how its value is written. Keys absent from the input are
 * written null; keys the layout does not know are not written (the
 * validator reports them before anything is built).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/jsonout.h"
#include "segur/amount.h"
#include "segur/error.h"
#include "segur/msfile.h"

enum node_kind {
	N_SCALAR,	/* string, boolean, integer or null, as given */
	N_AMOUNT,	/* number written with two decimals */
	N_OBJECT,	/* object of children; null/absent: all keys null */
	N_OBJECTS,	/* array of objects of children */
	N_SCALARS	/* array of scalars, or a single scalar */
};

struct node {
	const char		*key;
	enum node_kind		 kind;
	const struct node	*children;	/* N_OBJECT(S): NULL-key ended */
};

#define END { NULL, N_SCALAR, NULL }

static const struct node certificat[] = {
	{ "numeroCarteCPX", N_SCALAR, NULL },
	{ "nomAdminTechnique", N_SCALAR, NULL },
	{ "telAdminTechnique", N_SCALAR, NULL },
	{ "emailAdminTechnique", N_SCALAR, NULL },
	{ "utiliteCertificat", N_SCALAR, NULL },
	END
};

static const struct node etablissement[] = {
	{ "FINESSJuridique", N_SCALAR, NULL },
	{ "demandeCertificatServeur", N_SCALAR, NULL },
	{ "contractualisationOG", N_SCALAR, NULL },
	{ "statutAdminTechnique", N_SCALAR, NULL },
	{ "contractualisationEditeur", N_SCALAR, NULL },
	{ "certificatServeur", N_OBJECT, certificat },
	{ "nomResponsableOG", N_SCALAR, NULL },
	{ "emailResponsableOG", N_SCALAR, NULL },
	{ "telephoneResponsableOG", N_SCALAR, NULL },
	{ "FINESSGeos", N_SCALARS, NULL },
	END
};

static const struct node beneficiaires[] = {
	{ "isMandataire", N_SCALAR, NULL },
	{ "nomMandataire", N_SCALAR, NULL },
	{ "emailMandataire", N_SCALAR, NULL },
	{ "telephoneMandataire", N_SCALAR, NULL },
	{ "etablissementsClients", N_OBJECTS, etablissement },
	END
};

static const struct node commande[] = {
	{ "dateCommande", N_SCALAR, NULL },
	{ "regimeTVA", N_SCALAR, NULL },
	{ "montantSegurHT", N_AMOUNT, NULL },
	END
};

static const struct node piece[] = {
	{ "nomFichier", N_SCALAR, NULL },
	{ "formatFichier", N_SCALAR, NULL },
	{ "typeFichier", N_SCALAR, NULL },
	END
};

static const struct node scenario[] = {
	{ "FINESSGeo", N_SCALAR, NULL },
	{ "ancienneVersion", N_SCALAR, NULL },
	{ "isMaitreId", N_SCALAR, NULL },
	{ "IsStockageId", N_SCALAR, NULL },
	{ "operateurMessagerie", N_SCALAR, NULL },
	{ "profilMetier", N_SCALARS, NULL },
	{ "IsRefSoins", N_SCALAR, NULL },
	END
};

static const struct node ligne[] = {
	{ "numLigne", N_SCALAR, NULL },
	{ "typeAction", N_SCALAR, NULL },
	{ "numeroASP", N_SCALAR, NULL },
	{ "numeroEditeur", N_SCALAR, NULL },
	{ "commande", N_OBJECT, commande },
	{ "beneficiaires", N_OBJECT, beneficiaires },
	{ "piecesJustificatives", N_OBJECTS, piece },
	{ "scenarioInstallation", N_OBJECTS, scenario },
	{ "codeTraitement", N_SCALAR, NULL },
	{ "libelleTraitement", N_SCALAR, NULL },
	END
};

static const struct node header[] = {
	{ "impId", N_SCALAR, NULL },
	{ "numeroAns", N_SCALAR, NULL },
	{ "SIRET", N_SCALAR, NULL },
	END
};

/* The path of the value being written, for causes. */
struct wpath {
	const char	*parts[16];	/* keys, or NULL for an index */
	long		 index[16];
	int		 depth;
};

struct writer {
	struct segur_buf *out;
	struct wpath	 path;
	char		**cause;
	int		 nomem;		/* an append failed: sticky */
};

/* Appends to the output; a failure is remembered and reported once. */
static void
put(struct writer *w, const void *p, size_t n)
{
	if (segur_buf_add(w->out, p, n) != 0)
		w->nomem = 1;
}

static void
puts_w(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void
indent_to(struct writer *w, int n)
{
	if (segur__json_indent(w->out, n) != 0)
		w->nomem = 1;
}

/* Fails with a cause naming the current path. */
static int
fail(struct writer *w, const char *what)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	int	 i;

	for (i = 0; i < w->path.depth; i++) {
		if (w->path.parts[i] != NULL)
			segur_buf_addf(&b, "%s%s", i > 0 ? "." : "",
			    w->path.parts[i]);
		else
			segur_buf_addf(&b, "[%ld]", w->path.index[i]);
	}
	segur_cause(w->cause, SEGUR_EINVAL, "%s: %s",
	    b.data != NULL ? b.data : "(racine)", what);
	segur_buf_release(&b);
	return (SEGUR_EINVAL);
}

static void
push_key(struct writer *w, const char *key)
{
	if (w->path.depth < 16)
		w->path.parts[w->path.depth] = key;
	w->path.depth++;
}

static void
push_index(struct writer *w, long i)
{
	if (w->path.depth < 16) {
		w->path.parts[w->path.depth] = NULL;
		w->path.index[w->path.depth] = i;
	}
	w->path.depth++;
}

static void
write_string(struct writer *w, const char *s)
{
	if (segur__json_string(w->out, s) != 0)
		w->nomem = 1;
}

static int
write_scalar(struct writer *w, const cJSON *v)
{
	char	 num[32];

	if (v == NULL || cJSON_IsNull(v))
		puts_w(w, "null");
	else if (cJSON_IsTrue(v))
		puts_w(w, "true");
	else if (cJSON_IsFalse(v))
		puts_w(w, "false");
	else if (cJSON_IsString(v))
		write_string(w, v->valuestring);
	else if (cJSON_IsNumber(v)) {
		if (v->valuedouble != floor(v->valuedouble) ||
		    fabs(v->valuedouble) > 1e15)
			return (fail(w, "nombre entier attendu"));
		snprintf(num, sizeof(num), "%.0f", v->valuedouble);
		puts_w(w, num);
	} else
		return (fail(w, "valeur simple attendue (texte, nombre, "
		    "booléen ou null)"));
	return (0);
}

static int write_object(struct writer *, const struct node *, const cJSON *,
    int);

static int
write_value(struct writer *w, const struct node *n, const cJSON *v, int ind)
{
	char		 amount[SEGUR_AMOUNT_BUFSZ];
	const cJSON	*e;
	int64_t		 cents;
	long		 i = 0;
	int		 rc;

	switch (n->kind) {
	case N_SCALAR:
		return (write_scalar(w, v));
	case N_AMOUNT:
		if (v == NULL || cJSON_IsNull(v)) {
			puts_w(w, "null");
			return (0);
		}
		if (!cJSON_IsNumber(v) ||
		    segur_amount_from_double(v->valuedouble, &cents) != 0)
			return (fail(w, "montant en centimes entiers attendu"));
		puts_w(w, segur_amount_format(cents, amount));
		return (0);
	case N_OBJECT:
		return (write_object(w, n->children, cJSON_IsObject(v) ? v :
		    NULL, ind));
	case N_OBJECTS:
	case N_SCALARS:
		if (v == NULL || cJSON_IsNull(v) || (!cJSON_IsArray(v) &&
		    n->kind == N_OBJECTS)) {
			if (v != NULL && !cJSON_IsNull(v))
				return (fail(w, "tableau attendu"));
			puts_w(w, "null");
			return (0);
		}
		if (!cJSON_IsArray(v))
			return (write_scalar(w, v));
		if (v->child == NULL) {
			puts_w(w, "[]");
			return (0);
		}
		puts_w(w, "[\n");
		for (e = v->child; e != NULL; e = e->next, i++) {
			indent_to(w, ind + 2);
			push_index(w, i);
			rc = n->kind == N_OBJECTS ?
			    (cJSON_IsObject(e) ? write_object(w, n->children, e,
			    ind + 2) : fail(w, "objet attendu")) :
			    write_scalar(w, e);
			w->path.depth--;
			if (rc != 0)
				return (rc);
			puts_w(w, e->next != NULL ? ",\n" : "\n");
		}
		indent_to(w, ind);
		puts_w(w, "]");
		return (0);
	}
	return (fail(w, "type de nœud inconnu"));
}

/* Writes obj (NULL: every key null) with the keys of nodes, in order. */
static int
write_object(struct writer *w, const struct node *nodes, const cJSON *obj,
    int ind)
{
	const struct node *n;
	const cJSON	*v;
	int		 rc;

	puts_w(w, "{\n");
	for (n = nodes; n->key != NULL; n++) {
		v = obj != NULL ? cJSON_GetObjectItemCaseSensitive(obj, n->key) :
		    NULL;
		indent_to(w, ind + 2);
		write_string(w, n->key);
		puts_w(w, ": ");
		push_key(w, n->key);
		rc = write_value(w, n, v, ind + 2);
		w->path.depth--;
		if (rc != 0)
			return (rc);
		puts_w(w, n[1].key != NULL ? ",\n" : "\n");
	}
	indent_to(w, ind);
	puts_w(w, "}");
	return (0);
}

/* Checks that nothing failed to allocate while writing. */
static int
finish(struct writer *w, size_t start, int rc)
{
	if (rc == 0 && w->nomem)
		rc = segur_cause(w->cause, SEGUR_ENOMEM, "mémoire épuisée");
	if (rc != 0 && w->out->data != NULL) {
		w->out->len = start;
		w->out->data[start] = '\0';
	}
	return (rc);
}

int
segur_msfile_write_line(const cJSON *line, int indent, struct segur_buf *out,
    char **cause)
{
	struct writer	 w = { out, { { NULL }, { 0 }, 0 }, cause, 0 };
	size_t		 start = out->len;

	return (finish(&w, start, write_object(&w, ligne, line, indent)));
}

int
segur_msfile_write(const cJSON *hdr, const cJSON *const *lines, size_t nlines,
    struct segur_buf *out, char **cause)
{
	struct writer	 w = { out, { { NULL }, { 0 }, 0 }, cause, 0 };
	const struct node *n;
	size_t		 start = out->len, i;
	int		 rc = 0;

	puts_w(&w, "{\n");
	for (n = header; n->key != NULL && rc == 0; n++) {
		indent_to(&w, 2);
		write_string(&w, n->key);
		puts_w(&w, ": ");
		push_key(&w, n->key);
		rc = write_scalar(&w, cJSON_GetObjectItemCaseSensitive(hdr,
		    n->key));
		w.path.depth--;
		puts_w(&w, ",\n");
	}
	if (rc == 0) {
		puts_w(&w, "  \"lignesImport\": [\n");
		push_key(&w, "lignesImport");
		for (i = 0; i < nlines && rc == 0; i++) {
			indent_to(&w, 4);
			push_index(&w, (long)i);
			rc = write_object(&w, ligne, lines[i], 4);
			w.path.depth--;
			puts_w(&w, i + 1 < nlines ? ",\n" : "\n");
		}
		w.path.depth--;
		puts_w(&w, "  ]\n}\n");
	}
	return (finish(&w, start, rc));
}
