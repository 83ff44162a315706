/*
 * retour.h: reading the files ASP returns.
 *
 * ASP hands back each uploaded file annotated: an impId for the file and,
 * per line, codeTraitement, libelleTraitement ("Demande acceptée" or the
 * error) and, for accepted lines, the numeroASP. This module reads such a
 * file and decides each line's fate as the spec says (§5): accepted when
 * numeroASP is present and the label is "Demande acceptée" in any form a
 * reader takes for it (compared folded, text.h: Unicode normalisation,
 * case, accents, no-break and repeated white space ignored; §7), rejected
 * when neither, and an anomaly, never a guess, when they disagree or the
 * line has no answer.
 * ASP's values may be JSON strings or numbers; they are kept as text,
 * verbatim. It knows nothing of the ledger: ingest matches the lines.
 */
#ifndef SEGUR_RETOUR_H
#define SEGUR_RETOUR_H

#include <stddef.h>

struct cJSON;

enum segur_answer {
	SEGUR_ANSWER_ACCEPTED = 0,
	SEGUR_ANSWER_REJECTED,
	SEGUR_ANSWER_ANOMALY
};

struct segur_retour_line {
	long		 index;		 /* 0-based in lignesImport */
	long		 numLigne;	 /* -1 when absent or not an integer */
	char		*typeAction;	 /* owned; NULL if absent or null */
	char		*numeroEditeur;	 /* owned; NULL if absent or null */
	char		*numeroASP;	 /* owned, as text; NULL if null */
	char		*code;		 /* owned, verbatim; NULL if null */
	char		*label;		 /* owned, verbatim; NULL if null */
	enum segur_answer answer;
	char		*anomaly;	 /* owned French reason, for ANOMALY */
};

struct segur_retour {
	char			*impId;		/* owned, text; NULL if null */
	char			*numeroAns;	/* owned; NULL if absent */
	char			*SIRET;		/* owned; NULL if absent */
	struct segur_retour_line *lines;	/* owned array */
	size_t			 nlines;
};

/*
 * Reads a returned file from buf[0..len) into *out (release it with
 * segur_retour_release(), also on error). A file whose structure is not
 * that of a funding file (control 1 of the spec: not JSON, no
 * lignesImport array...) is SEGUR_EINVAL with a French cause; everything
 * else is read, line by line, anomalies included.
 */
int	segur_retour_parse(const char *buf, size_t len, struct segur_retour *out,
	    char **cause);

/* The same from a tree already parsed (the validator's, for one parse). */
int	segur_retour_read(const struct cJSON *root, struct segur_retour *out,
	    char **cause);

void	segur_retour_release(struct segur_retour *r);

/* Does label fold (text.h) to "Demande acceptée"'s folding? 1 or 0 (NULL,
 * invalid UTF-8 and no memory included). */
int	segur_label_is_accepted(const char *label);

#endif /* SEGUR_RETOUR_H */
