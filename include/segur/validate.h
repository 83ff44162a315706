/*
 * validate.h: the MS1-DUI validator.
 *
 * Checks a funding file (or one request line) against every rule of the
 * project's reading of the ASP guide (docs/spec/MS1-DUI.md, §2–§6) and the
 * project's own checks, and reports every finding at once: what, where (the
 * 0-based line index, its numLigne, the JSON path) and a French message.
 *
 * A pure function over a buffer: no I/O, no global state. Checks that need
 * reference data (eligibility, ceiling, referenced profiles, numbers already
 * used, double funding) ask the optional context; a check whose callback is
 * absent is skipped, not failed.
 */
#ifndef SEGUR_VALIDATE_H
#define SEGUR_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

enum segur_severity {
	SEGUR_SEV_ERROR = 0,	/* "erreur": ASP would reject the line/file */
	SEGUR_SEV_WARNING = 1	/* "avertissement": our own check beyond ASP */
};

/* Where a rule applies. */
enum segur_scope {
	SEGUR_SCOPE_STRUCTURE = 0,	/* control 1: the file as a whole */
	SEGUR_SCOPE_FILE = 1,		/* header values, file name */
	SEGUR_SCOPE_LINE = 2		/* one request line (control 2) */
};

/* One rule of the validator; the table is static and never changes. */
struct segur_rule {
	const char		*id;	   /* stable id, e.g. "LIGNE-NUMERO-EDITEUR" */
	enum segur_severity	 severity;
	enum segur_scope	 scope;
	const char		*summary;  /* French, one sentence */
	const char		*source;   /* "guide §3.2", "spec §6", "projet" */
};

/* Returns the rule table, in the guide's order; *n receives its length. */
const struct segur_rule	*segur_validate_rules(size_t *n);

/* Returns the rule with that id, or NULL. Borrowed, static storage. */
const struct segur_rule	*segur_validate_rule(const char *id);

/* One finding. */
struct segur_finding {
	const struct segur_rule	*rule;	   /* borrowed, static */
	enum segur_severity	 severity; /* rule->severity */
	long			 line;	   /* index in lignesImport, -1: file */
	long			 numLigne; /* the line's numLigne if an integer
					      in 1..200, else -1 */
	char			*path;	   /* owned; JSON path, NULL for
					      structure findings */
	char			*message;  /* owned; French */
};

/*
 * What one validation found. Release with segur_report_release().
 * At most 10 000 findings are kept, plus one RAPPORT-TRONQUE warning saying
 * the rest was dropped; nerrors and nwarnings count every finding, kept or
 * not (so nerrors == 0 still means "no error").
 */
struct segur_report {
	struct segur_finding	*findings;  /* owned array, in file order */
	size_t			 nfindings;
	size_t			 nerrors;
	size_t			 nwarnings;
	int			 structure_ok; /* 0 after a control-1 error */
	long			 lines;	    /* lignesImport length, -1 if the
					       structure is not ok */
};

/* Referenced profiles of a software (numeroAns), as a bit set. */
enum {
	SEGUR_PROFIL_REFERENTIEL_ID = 1 << 0,	/* DUI – Référentiel d'identité */
	SEGUR_PROFIL_ESCLAVE_ID = 1 << 1,	/* DUI – Esclave d'identité */
	SEGUR_PROFIL_STOCKAGE_ID = 1 << 2,	/* DUI – Stockage des copies
						   de titre d'identité */
	SEGUR_PROFIL_PA = 1 << 3,		/* Spécifique – PA */
	SEGUR_PROFIL_PH = 1 << 4,		/* Spécifique – PH */
	SEGUR_PROFIL_DOM = 1 << 5,		/* Spécifique – Domicile */
	SEGUR_PROFIL_SAAD = 1 << 6,		/* Spécifique – SAAD */
	SEGUR_PROFIL_SOINS = 1 << 7,		/* actes remboursables */
	SEGUR_PROFIL_SANS_SOINS = 1 << 8	/* pas d'actes remboursables */
};

/*
 * Reference data, all optional. Every callback returns 1 (yes / found),
 * 0 (no / not found) or a negative SEGUR_E* code (the check is then skipped
 * and reported as a warning naming the failure). A NULL callback skips its
 * check silently. Strings passed in are borrowed for the call only.
 */
struct segur_validate_ctx {
	void	*arg;	/* passed back to every callback */

	/* Is code a messaging operator? NULL: the compiled-in list of
	 * sql/ref/operateurs-messagerie.csv is used. */
	int	(*operator_known)(void *arg, const char *code);

	/* Is the FINESS géo eligible? On 1, fills tranche (e.g. "B") and the
	 * FINESS juridique of its OG as the decree lists them. */
	int	(*finess_eligible)(void *arg, const char *finess_geo,
		    char tranche[8], char finess_juridique[10]);

	/* Per-ESMS amount of a tranche, in cents TTC. */
	int	(*tranche_amount)(void *arg, const char *tranche,
		    int64_t *cents_ttc);

	/* Referenced profiles of a software, SEGUR_PROFIL_* bits. */
	int	(*software_profiles)(void *arg, const char *numeroAns,
		    unsigned *profiles);

	/* Was this numeroEditeur ever used by the editor (another request,
	 * another attempt)? */
	int	(*numero_editeur_used)(void *arg, const char *numeroEditeur);

	/* Is the FINESS géo in another live request (double funding)? On 1,
	 * may set *other (malloc'ed, the validator frees it) to the other
	 * request's reference for the message. */
	int	(*finess_geo_live)(void *arg, const char *finess_geo,
		    char **other);

	/* Today as AAAAMMJJ (e.g. 20261127), for "date in the future";
	 * 0 skips that check. The validator never reads the clock. */
	long	 today;
};

/* Flags of segur_validate_opts. */
#define SEGUR_VALIDATE_FIRST_ERROR	0x1	/* ASP mode: at most one error
						   per line, the first in the
						   guide's order */
#define SEGUR_VALIDATE_RETURNED		0x2	/* a file returned by ASP:
						   impId, numeroASP,
						   codeTraitement and
						   libelleTraitement may be
						   filled */
#define SEGUR_VALIDATE_STRUCTURE	0x4	/* control 1 only: size,
						   encoding, JSON syntax,
						   root, header keys and
						   lignesImport; no rule about
						   the header's values or the
						   lines */

/* Default size limit: larger buffers are refused before parsing. */
#define SEGUR_VALIDATE_MAX_BYTES	((size_t)16 * 1024 * 1024)

struct segur_validate_opts {
	unsigned	 flags;		/* SEGUR_VALIDATE_* */
	size_t		 max_bytes;	/* 0: SEGUR_VALIDATE_MAX_BYTES */
	const char	*filename;	/* the file's name, checked against the
					   naming rule when not NULL (only its
					   last path component counts) */
	const char	*numeroAns;	/* request mode: the software the
					   request is for (profiles check) */
	const struct segur_validate_ctx *ctx; /* NULL: no reference data */
	struct cJSON	**tree;		/* not NULL: receives the parsed file
					   when its structure is sound (the
					   caller frees it with cJSON_Delete),
					   NULL otherwise; segur_validate_buffer
					   only */
};

/*
 * Validates a whole funding file held in buf[0..len) (need not be
 * NUL-terminated). Fills *report (caller releases it with
 * segur_report_release(), also on error). Returns 0 when the validation ran
 * (whatever it found), SEGUR_ENOMEM if it could not.
 *
 * When len is over the size limit, buf is not read at all (it may be NULL):
 * the report holds the one STRUCT-TAILLE error, so that a caller can report
 * an oversized file without loading it.
 *
 * No shared state of its own (cJSON still records its last syntax error in
 * a static the validator never reads); a run keeps about 21 KiB of working
 * state on the caller's stack, so that it allocates nothing before parsing.
 */
int	segur_validate_buffer(const char *buf, size_t len,
	    const struct segur_validate_opts *opts,
	    struct segur_report *report);

/*
 * Validates one request line outside a file: a JSON object shaped like an
 * element of lignesImport in which numLigne, numeroEditeur, numeroASP,
 * codeTraitement, libelleTraitement and every piecesJustificatives[].nomFichier
 * may be absent or null (they are given at build time); when present they
 * are checked. Paths in findings are relative to the object (no
 * "lignesImport[i]." prefix); line is 0. Same ownership and return as
 * segur_validate_buffer().
 */
int	segur_validate_request(const char *buf, size_t len,
	    const struct segur_validate_opts *opts,
	    struct segur_report *report);

/* Frees what a report owns and resets it. Safe on a zeroed report. */
void	segur_report_release(struct segur_report *report);

#endif /* SEGUR_VALIDATE_H */
