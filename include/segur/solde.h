/*
 * solde.h: advances awaiting their balance, and balance ("solde") files
 * (docs/solde.md, docs/internals/solde.md).
 *
 * Once ASP has paid the advance (state advance_paid), the editor delivers
 * the prestation and records it with its proofs (segur_solde_deliver():
 * invoice and the client's acceptance record). A request in advance_paid
 * with a current delivery is ready for its balance; segur_build_run()
 * (build.h, kind SEGUR_FILE_SOLDE) puts those requests on the lines of
 * balance files rendered from a template (template.h), with the same
 * guarantees as the advance build. Each request moves to
 * balance_requested. ingest records ASP's answer (balance_accepted or
 * balance_rejected); segur_solde_paid() records the payment and closes the
 * request.
 */
#ifndef SEGUR_SOLDE_H
#define SEGUR_SOLDE_H

#include <stddef.h>
#include <stdint.h>

/* Every date here is read by date.h (segur_date_days()). */
#include "segur/date.h"

struct segur_ledger;

/* The setting key of the programme's deadline, in days after the advance
 * payment (segurctl ref set solde-deadline-days N). */
#define SEGUR_SOLDE_DEADLINE_KEY	"solde-deadline-days"

/* Its value while none is set: the spec gives no deadline, so the balance
 * is due a year after the advance unless ops set the programme's own
 * (docs/decisions.md, "Default balance deadline"). */
#define SEGUR_SOLDE_DEADLINE_DEFAULT	365

/* ------------------------------------------------------------------ */
/* Recording the delivery and the payment. */

struct segur_delivery {
	const char	*date;		/* of the delivery, AAAA-MM-JJ or
					   JJ/MM/AAAA */
	const char	*invoice;	/* numeroFacture */
	const char	*invoice_date;
	int64_t		 invoice_cents;	/* montantFactureHT, > 0 */
	const char	*facture_path;	/* the invoice: PDF, PNG or JPEG */
	const char	*pv_path;	/* the acceptance record */
	size_t		 max_doc;	/* 0: SEGUR_DOC_MAX_BYTES */
};

/*
 * Records that the prestation of the request numero_asp was delivered,
 * with its documents (checked: readable, at most 3 MiB, PDF/PNG/JPEG by
 * their content; hashed and recorded by path). Allowed in advance_paid
 * and balance_rejected; a later record replaces the earlier one (a
 * corrected invoice). The state does not change: a delivery is a fact
 * that makes the request ready for its balance (docs/decisions.md).
 */
int	segur_solde_deliver(struct segur_ledger *l, const char *numero_asp,
	    const struct segur_delivery *d, char **cause);

/*
 * Records the payment of the balance (rec: amount > 0, date, note, and
 * force with its reason for an amount other than the grant minus the
 * advance; segur_ledger_record() checks the rules) and closes the
 * request: balance_accepted -> balance_paid -> closed in one transaction,
 * two decisions and their events.
 */
struct segur_record;
int	segur_solde_paid(struct segur_ledger *l, const char *numero_asp,
	    const struct segur_record *rec, char **cause);

/* Sets a setting of the programme; only SEGUR_SOLDE_DEADLINE_KEY (a whole
 * number of days, 1..3650) is known. One event. */
int	segur_solde_setting_set(struct segur_ledger *l, const char *key,
	    const char *value, char **cause);

/* One setting of the programme as ref show lists it. */
struct segur_setting {
	const char	*key;		/* static: SEGUR_SOLDE_DEADLINE_KEY... */
	long		 value;
	int		 is_default;	/* none set: the built-in value */
};

/* The number of settings segur_solde_settings() fills. */
#define SEGUR_SETTINGS_COUNT	1

/* Every setting of the programme, in out[0..SEGUR_SETTINGS_COUNT). */
int	segur_solde_settings(struct segur_ledger *l,
	    struct segur_setting out[SEGUR_SETTINGS_COUNT], char **cause);

/* Sets the balance deadline of one request (by numeroASP); date NULL
 * removes it, the programme's applies again. */
int	segur_solde_deadline_set(struct segur_ledger *l, const char *numero_asp,
	    const char *date, char **cause);

/*
 * The balance deadline of a request whose advance was paid on
 * advance_date ("AAAA-MM-JJ"): its own date (solde deadline), else the
 * advance date plus the programme's solde-deadline-days, or plus
 * SEGUR_SOLDE_DEADLINE_DEFAULT when none is set. Returns 1 with the date
 * in out, 2 with it when it comes from the default, 0 when advance_date
 * is not a date, or a negative SEGUR_E*. The
 * reminders use it, so that segurctl solde list and the J-30/J-7/J-1
 * reminders agree.
 */
int	segur_solde_deadline_of(struct segur_ledger *l, int64_t request_id,
	    const char *advance_date, char out[11], char **cause);

/* ------------------------------------------------------------------ */
/* Follow-up: advances awaiting their balance. */

struct segur_solde_row {
	int64_t		 request_id;
	char		 ref[65];
	char		 state[24];	/* advance_paid or balance_rejected */
	char		 numero_asp[64];
	char		 numero_editeur[6];
	char		 og[10];	/* the first OG's FINESS juridique */
	char		*esms;		/* owned by the walk: FINESS géo,
					   comma-separated */
	int64_t		 granted_cents;	/* the grant's amount, else the
					   request's */
	int64_t		 advance_cents;
	int64_t		 balance_cents;	/* granted - advance */
	char		 advance_date[11];
	int64_t		 days_elapsed;	/* since the advance, to today */
	char		 deadline[11];	/* "" when none is configured */
	int64_t		 days_left;	/* to the deadline (negative:
					   overdue); 0 without deadline */
	int		 overdue;	/* deadline passed */
	int		 delivered;	/* ready for its balance */
};

struct segur_solde_filter {
	const char	*today;		/* AAAA-MM-JJ; NULL: today (UTC) */
	const char	*og;		/* FINESS juridique, or NULL */
	int		 overdue_only;
};

/*
 * Calls fn for each request whose advance is paid and whose balance is not
 * requested (advance_paid, and balance_rejected waiting for a new
 * request), the advance's oldest first. fn returns 0 to go on. The row is
 * borrowed for the call.
 */
int	segur_solde_list(struct segur_ledger *l,
	    const struct segur_solde_filter *f,
	    int (*fn)(void *arg, const struct segur_solde_row *row),
	    void *arg, char **cause);

#endif /* SEGUR_SOLDE_H */
