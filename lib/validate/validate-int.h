/*
 * validate-int.h: what the validator's files share (the C files of
 * lib/validate/).
 *
 * Not installed: the public contract is include/segur/validate.h. See
 * docs/internals/validate.md for the design.
 */
#ifndef SEGUR_VALIDATE_INT_H
#define SEGUR_VALIDATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "segur/validate.h"

/*
 * Indexes of the rule table (validate-rules.c), in the table's order, which
 * is the guide's order. Adding a rule: an entry here, its row in the table,
 * the check that emits it, a test row in tests/unit/test-validate-rules.c,
 * then regenerate docs/rules.md.
 */
enum segur__rule_idx {
	/* structure (control 1) */
	R_STRUCT_TAILLE,
	R_STRUCT_BOM,
	R_STRUCT_NUL,
	R_STRUCT_UTF8,
	R_STRUCT_PROFONDEUR,
	R_STRUCT_JSON,
	R_STRUCT_RACINE,
	R_STRUCT_ENTETE,
	R_STRUCT_LIGNES,
	/* JSON shape, anywhere below the top level */
	R_JSON_CLE_ABSENTE,
	R_JSON_CLE_EN_DOUBLE,
	R_JSON_CLE_INCONNUE,
	R_JSON_TYPE,
	/* file header */
	R_FICHIER_IMPID,
	R_FICHIER_NUMERO_ANS,
	R_FICHIER_SIRET,
	R_FICHIER_SIRET_CLE,
	R_FICHIER_NB_LIGNES,
	R_FICHIER_NOM,
	R_FICHIER_NOM_ANS,
	/* request line */
	R_LIGNE_NUM_LIGNE,
	R_LIGNE_TYPE_ACTION,
	R_LIGNE_NUMERO_ASP,
	R_LIGNE_NUMERO_EDITEUR,
	R_LIGNE_NUMERO_EDITEUR_DOUBLE,
	R_LIGNE_NUMERO_EDITEUR_UTILISE,
	R_COMMANDE_DATE,
	R_COMMANDE_DATE_FUTURE,
	R_COMMANDE_DATE_ANCIENNE,
	R_COMMANDE_REGIME_TVA,
	R_COMMANDE_MONTANT,
	R_COMMANDE_MONTANT_PLAFOND,
	R_BENEF_IS_MANDATAIRE,
	R_BENEF_NOM_MANDATAIRE,
	R_BENEF_EMAIL_MANDATAIRE,
	R_BENEF_TEL_MANDATAIRE,
	R_BENEF_ETABLISSEMENTS,
	R_OG_FINESS_JURIDIQUE,
	R_OG_FINESS_JURIDIQUE_DOUBLE,
	R_OG_DEMANDE_CERTIFICAT,
	R_OG_CONTRACTUALISATION_OG,
	R_OG_STATUT_ADMIN,
	R_OG_CONTRACTUALISATION_EDITEUR,
	R_OG_CERTIFICAT_SERVEUR,
	R_CERT_NUMERO_CARTE_CPX,
	R_CERT_NOM_ADMIN,
	R_CERT_TEL_ADMIN,
	R_CERT_EMAIL_ADMIN,
	R_CERT_UTILITE,
	R_OG_NOM_RESPONSABLE,
	R_OG_EMAIL_RESPONSABLE,
	R_OG_TEL_RESPONSABLE,
	R_OG_FINESS_GEOS,
	R_OG_FINESS_GEO_DOUBLE,
	R_OG_FINESS_GEO_ELIGIBLE,
	R_OG_FINESS_GEO_OG,
	R_OG_FINESS_GEO_FINANCE,
	R_OG_FINESS_GEO_FICHIER,
	R_PJ_LISTE,
	R_PJ_PREUVE_HT_TTC,
	R_PJ_NOM_FICHIER,
	R_PJ_NOM_NUMERO_EDITEUR,
	R_PJ_FORMAT,
	R_PJ_TYPE,
	R_SCENARIO_LISTE,
	R_SCENARIO_FINESS_GEO,
	R_SCENARIO_ANCIENNE_VERSION,
	R_SCENARIO_IS_MAITRE_ID,
	R_SCENARIO_IS_STOCKAGE_ID,
	R_SCENARIO_OPERATEUR,
	R_SCENARIO_PROFIL_METIER,
	R_SCENARIO_IS_REF_SOINS,
	R_SCENARIO_PROFIL_REFERENCE,
	R_LIGNE_CODE_TRAITEMENT,
	R_LIGNE_LIBELLE_TRAITEMENT,
	/* project checks shared by several fields */
	R_FINESS_CLE,
	R_TELEPHONE_LONGUEUR,
	R_CONTEXTE_ECHEC,
	R_RAPPORT_TRONQUE,
	R__COUNT
};

/* The rule table, indexed by enum segur__rule_idx. */
extern const struct segur_rule segur__rules[R__COUNT];

/*
 * cJSON's type tests, inline: the library's are calls into the shared
 * library for every value checked. NULL has no type.
 */
#define V_TYPE(v)	((v) != NULL ? (v)->type & 0xFF : 0)
#define V_IS_STRING(v)	(V_TYPE(v) == cJSON_String)
#define V_IS_NUMBER(v)	(V_TYPE(v) == cJSON_Number)
#define V_IS_NULL(v)	(V_TYPE(v) == cJSON_NULL)
#define V_IS_TRUE(v)	(V_TYPE(v) == cJSON_True)
#define V_IS_FALSE(v)	(V_TYPE(v) == cJSON_False)
#define V_IS_BOOL(v)	(V_IS_TRUE(v) || V_IS_FALSE(v))
#define V_IS_ARRAY(v)	(V_TYPE(v) == cJSON_Array)
#define V_IS_OBJECT(v)	(V_TYPE(v) == cJSON_Object)

/* Deepest nesting of arrays and objects accepted (the layout needs 6). */
#define SEGUR__VALIDATE_MAX_DEPTH	64

/*
 * Findings kept in a report; later ones are only counted (a hostile 16 MiB
 * file could otherwise ask for millions of messages).
 */
#define SEGUR__MAX_FINDINGS		10000

/* The project's start of the programme: older order dates are suspicious. */
#define SEGUR__PROGRAMME_START		20210101L

/* One segment of the JSON path of the value being checked. */
struct segur__pseg {
	const char	*key;	/* borrowed (tree or static); NULL: index */
	long		 idx;
};

#define SEGUR__PATH_MAX	16

/* The span of one number literal in the buffer. */
struct segur__span {
	size_t	 off;
	size_t	 len;
};

/* A string seen earlier, for "twice in a file / request" checks. */
struct segur__seen {
	const char	*s;	/* borrowed from the tree */
	uint32_t	 hash;
	long		 where;	/* line or OG index where it was seen */
};

/* Strings in insertion order, with a hash index (open addressing). */
struct segur__seenset {
	struct segur__seen	*v;	/* owned, insertion order */
	size_t			 n;
	size_t			 cap;
	uint32_t		*idx;	/* owned; 0 empty, else 1 + index */
	size_t			 icap;	/* power of two */
};

/* One operator code: n bytes at s (not NUL-terminated). */
struct segur__opcode {
	const char	*s;	/* borrowed: embedded data or opblock */
	size_t		 n;
};

/* Everything one validation run carries (about 21 KiB: it lives on the
 * caller's stack, so that a run allocates nothing before cJSON). */
struct segur__vstate {
	const struct segur_validate_opts *opts;	/* borrowed */
	const struct segur_validate_ctx	 *ctx;	/* borrowed, may be NULL */
	struct segur_report		 *rep;	/* borrowed, filled */
	size_t				  fcap;	/* room in rep->findings */
	int				  truncated; /* MAX_FINDINGS reached */
	int				  oom;
	int				  request; /* segur_validate_request() */
	int				  returned;
	int				  first_error;

	const char			 *buf;	/* borrowed input */
	size_t				  len;
	/*
	 * Number literals. The first ones live in spans_inline: nothing is
	 * malloc'ed before cJSON parses, so that cJSON finds the allocator
	 * as a plain parse would (a large malloc first makes glibc
	 * consolidate every small free chunk, which costs more than the
	 * whole validation).
	 */
	struct segur__span		  spans_inline[512];
	struct segur__span		 *spans; /* spans_inline or owned */
	size_t				  nspans;
	size_t				  spancap;
	size_t				  knext;  /* next line's first span */
	size_t				  kend;	  /* first span after lines */

	struct segur__pseg		  path[SEGUR__PATH_MAX];
	int				  depth;

	long				  line;	  /* -1: file level */
	long				  numLigne;
	size_t				  line_errors;

	const char			 *numeroAns; /* valid header value */
	struct segur__seenset		  editeurs;  /* across lines */
	struct segur__seenset		  fjur;	     /* per line */
	struct segur__seenset		  geos;	     /* per line */
	struct segur__seenset		  scen;	     /* per line */
	struct segur__seenset		  filegeos;  /* across lines */

	unsigned			  profiles;
	int				  profiles_state; /* 0 not asked,
							     1 known, <0 */

	/*
	 * Operator codes, hashed, pointing into the embedded CSV (or into
	 * opblock for a quoted field): inline, no allocation for the real
	 * list of a few hundred codes.
	 */
	struct segur__opcode		  ops_inline[512];
	struct segur__opcode		 *ops;	    /* ops_inline or owned */
	size_t				  nops;
	uint32_t			  opidx_inline[1024];
	uint32_t			 *opidx;    /* hash index: 0 empty,
						       else 1 + index in ops */
	size_t				  opicap;   /* power of two */
	char				 *opblock;  /* owned, unquoted codes */
	int				  ops_loaded;
};

/* Paths, findings, quoting, objects, seen sets (validate-find.c). */
void	segur__vfind(struct segur__vstate *, int rule, const char *leaf,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	segur__vpush_key(struct segur__vstate *, const char *key);
void	segur__vpush_idx(struct segur__vstate *, long idx);
void	segur__vpop(struct segur__vstate *);
/* Writes a short rendering of v for a message ("\"abc\"", 12, true). */
void	segur__vquote(const struct segur__vstate *, const cJSON *v,
	    char *out, size_t outsz);
/* The JSON text of a number node, from the buffer. */
/* The same, returning out (for use in a finding's arguments). */
const char *segur__vq(const struct segur__vstate *, const cJSON *v,
	    char *out, size_t outsz);
const char *segur__vtypename(const cJSON *v);
void	segur__vobject(struct segur__vstate *, const cJSON *obj,
	    const char *const *keys, size_t nkeys, const cJSON **slots);
/* An ASP-filled value: null on submission; null, text or number on
 * return. */
void	segur__vreturned(struct segur__vstate *, int rule, const char *key,
	    const cJSON *v);
const char *segur__vnumtext(const struct segur__vstate *, const cJSON *v,
	    size_t *n);
/*
 * Adds s (borrowed) to set unless it is there: returns 1 with *prev set to
 * where it was first seen, or 0 after adding it (or on ENOMEM, st->oom).
 */
int	segur__seen_add(struct segur__vstate *, struct segur__seenset *,
	    const char *s, long where, long *prev);
/* 1 if s is in set, with *where (if not NULL) where it was first seen. */
int	segur__seen_find(const struct segur__seenset *, const char *s,
	    long *where);
void	segur__seen_clear(struct segur__seenset *);
void	segur__seen_release(struct segur__seenset *);

/* Request lines (validate-line.c). */
void	segur__vline(struct segur__vstate *, const cJSON *line, long idx);
void	segur__vstate_release_line(struct segur__vstate *);

/* Text (validate-text.c). */
/* Number of code points of valid UTF-8 s, NUL-terminated. */
size_t	segur__utf8_count(const char *s);
/* Decodes one code point of valid UTF-8 at *p, advancing *p. */
uint32_t segur__utf8_next(const char **p);
/* Unicode category Ll (lower-case letter), spec §6 "upper case". */
int	segur__is_lower(uint32_t cp);
int	segur__is_space(uint32_t cp);
/* First lower-case letter of s, copied as UTF-8 into out; 0 if none. */
int	segur__first_lower(const char *s, char out[8]);
int	segur__is_blank(const char *s);
int	segur__email_ok(const char *s);
/*
 * Phone per spec §6. Returns 0 if well formed (then *ndigits, and *fr_ok
 * whether a +33 number has 9 digits after 33 or is not French), -1 if not,
 * with *why a static French reason.
 */
int	segur__phone_ok(const char *s, int *ndigits, int *fr_ok,
	    const char **why);
int	segur__finess_shape_ok(const char *s);
/* Luhn key over a 9-digit FINESS; 1 for 2A/2B (not checkable). */
int	segur__finess_key_ok(const char *s);
int	segur__siret_key_ok(const char *s);
int	segur__all_digits(const char *s, size_t n);
int	segur__all_alnum(const char *s);
uint32_t segur__hash(const char *s);

/* Operator codes (validate-ops.c): 1 known, 0 not, <0 SEGUR_E*. */
int	segur__operator_known(struct segur__vstate *, const char *code);
void	segur__ops_release(struct segur__vstate *);

#endif /* SEGUR_VALIDATE_INT_H */
