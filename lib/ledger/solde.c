/*
 * solde.c: advances awaiting their balance: the delivery and payment
 * records, settings and the follow-up list (solde.h,
 * docs/internals/solde.md). The balance files are in solde-build.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "ledger/ledger-int.h"
#include "segur/amount.h"
#include "segur/bundle.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/solde.h"
#include "segur/util.h"

/* ------------------------------------------------------------------ */
/* Calendar dates (date.h). */

/* A day "AAAA-MM-JJ" as "JJ/MM/AAAA" in b, or iso itself. */
static const char *
day_fr(const char *iso, char b[SEGUR_DATE_FR_BUFSZ])
{
	return (segur_date_fr(iso, b) != NULL ? b : iso);
}

/* A date as "AAAA-MM-JJ", or SEGUR_EINVAL with a French cause. */
static int
iso_date(const char *s, const char *what, char out[11], char **cause)
{
	int64_t	 days;

	if (segur_date_days(s, &days) != 0)
		return (segur_cause(cause, SEGUR_EINVAL, "%s « %s » invalide : "
		    "AAAA-MM-JJ ou JJ/MM/AAAA attendu", what, s != NULL ? s :
		    ""));
	segur_date_from_days(days, out);
	return (0);
}

/* ------------------------------------------------------------------ */
/* Finding a request by numeroASP. */

static int
find_by_asp(struct segur_ledger *l, const char *numero_asp, int64_t *id,
    char **ref, enum segur_state *state, char **cause)
{
	static const char *const q =
	    "SELECT id, ref, state FROM request WHERE numero_asp = ?";
	sqlite3_stmt	*st;
	int		 rc, oom = 0;

	*ref = NULL;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, numero_asp);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*ref = segur__column_dup(st, 1, &oom);
		*state = (enum segur_state)segur_state_parse(
		    (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (rc == SQLITE_DONE)
		return (segur_cause(cause, SEGUR_ENOENT, "aucune demande "
		    "acceptée sous le numéro ASP « %s »", numero_asp));
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "recherche du numéro ASP"));
	return (0);
}

static void
copy_col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", s != NULL ? s : "");
}

/* Checks a proof document: its format by content, size, hash. */
static int
check_proof(const char *path, const char *what, size_t max,
    enum segur_doc_format *fmt, char sha256[65], char **cause)
{
	unsigned char	 head[16];
	uint64_t	 size;
	FILE		*f;
	size_t		 n;
	char		*why = NULL;
	int		 rc;

	if ((f = fopen(path, "rb")) == NULL)
		return (segur_cause(cause, SEGUR_ENOENT, "%s : %s illisible",
		    path, what));
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if ((*fmt = segur_doc_sniff(head, n)) == SEGUR_DOC_UNKNOWN)
		return (segur_cause(cause, SEGUR_EINVAL, "%s : %s n'est ni un "
		    "PDF, ni un PNG, ni un JPEG", path, what));
	rc = segur_doc_check(path, *fmt, max, sha256, &size, &why);
	if (rc != 0) {
		segur_cause(cause, rc, "%s", why != NULL ? why :
		    segur_strerror(rc));
		free(why);
	}
	return (rc);
}

/*
 * A delivery is never dated before the advance it follows
 * (docs/decisions.md): a corrected one, after a rejected balance, may
 * keep the first delivery's date, so the advance is the bound, not the
 * balance request.
 */
static int
delivery_after_advance(struct segur_ledger *l, int64_t id, const char *date,
    char **cause)
{
	static const char *const q =
	    "SELECT max(date) FROM decision WHERE request_id = ? AND "
	    "kind = 'advance_paid'";
	sqlite3_stmt	*st;
	char		 adv[11];
	char		 d1[SEGUR_DATE_FR_BUFSZ], d2[SEGUR_DATE_FR_BUFSZ];
	int		 rc;

	adv[0] = '\0';
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		copy_col(st, 0, adv, sizeof(adv));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return (segur__db_error(l, cause, "lecture de l'avance"));
	if (adv[0] != '\0' && strcmp(date, adv) < 0)
		return (segur_cause(cause, SEGUR_EINVAL, "date de livraison %s "
		    "antérieure au versement de l'avance du %s : le %s ou plus "
		    "tard attendu", day_fr(date, d1), day_fr(adv, d2), d2));
	return (0);
}

int
segur_solde_deliver(struct segur_ledger *l, const char *numero_asp,
    const struct segur_delivery *d, char **cause)
{
	static const char *const q_old =
	    "UPDATE delivery SET current = 0 WHERE request_id = ? AND "
	    "current = 1";
	static const char *const q_ins =
	    "INSERT INTO delivery(request_id, date, numero_facture, "
	    "date_facture, montant_facture_cents, facture_path, "
	    "facture_format, facture_sha256, pv_path, pv_format, pv_sha256, "
	    "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	enum segur_doc_format ffmt, pfmt;
	enum segur_state state;
	sqlite3_stmt	*st;
	cJSON		*o = NULL;
	char		 date[11], fdate[11], now[24], fsha[65], psha[65];
	char		 d1[SEGUR_DATE_FR_BUFSZ], d2[SEGUR_DATE_FR_BUFSZ];
	char		*ref = NULL, *json = NULL;
	int64_t		 id;
	int		 rc;

	if ((rc = iso_date(d->date, "date de livraison", date, cause)) != 0 ||
	    (rc = iso_date(d->invoice_date, "date de facture", fdate,
	    cause)) != 0)
		return (rc);
	if (segur_date_future(date) == 1 || segur_date_future(fdate) == 1) {
		segur_date_today_iso(now);
		return (segur_cause(cause, SEGUR_EINVAL, "date %s %s dans le "
		    "futur : au plus tard aujourd'hui, %s, attendu",
		    segur_date_future(date) == 1 ? "de livraison" :
		    "de facture", day_fr(segur_date_future(date) == 1 ? date :
		    fdate, d1), day_fr(now, d2)));
	}
	if (d->invoice == NULL || d->invoice[0] == '\0' ||
	    strlen(d->invoice) > 64)
		return (segur_cause(cause, SEGUR_EINVAL, "numéro de facture "
		    "vide ou de plus de 64 caractères"));
	if (d->invoice_cents <= 0 || d->invoice_cents > SEGUR_AMOUNT_MAX_CENTS)
		return (segur_cause(cause, SEGUR_EINVAL, "montant de facture "
		    "invalide : > 0 attendu"));
	if ((rc = check_proof(d->facture_path, "la facture", d->max_doc, &ffmt,
	    fsha, cause)) != 0 || (rc = check_proof(d->pv_path, "le "
	    "procès-verbal de recette", d->max_doc, &pfmt, psha, cause)) != 0)
		return (rc);
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = find_by_asp(l, numero_asp, &id, &ref, &state, cause)) != 0)
		goto fail;
	if (state != SEGUR_STATE_ADVANCE_PAID &&
	    state != SEGUR_STATE_BALANCE_REJECTED) {
		rc = segur_cause(cause, SEGUR_ESTATE, "la demande « %s » "
		    "(numéro ASP %s) est à l'état « %s » : la livraison "
		    "s'enregistre une fois l'avance versée ou le solde rejeté",
		    ref, numero_asp, segur_state_label(state));
		goto fail;
	}
	if ((rc = delivery_after_advance(l, id, date, cause)) != 0)
		goto fail;
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, q_old, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "remplacement de la livraison");
		goto fail;
	}
	if ((rc = segur__stmt(l, q_ins, &st, cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	segur__bind_text(st, 2, date);
	segur__bind_text(st, 3, d->invoice);
	segur__bind_text(st, 4, fdate);
	sqlite3_bind_int64(st, 5, d->invoice_cents);
	segur__bind_text(st, 6, d->facture_path);
	segur__bind_text(st, 7, segur_doc_format_name(ffmt));
	segur__bind_text(st, 8, fsha);
	segur__bind_text(st, 9, d->pv_path);
	segur__bind_text(st, 10, segur_doc_format_name(pfmt));
	segur__bind_text(st, 11, psha);
	segur__bind_text(st, 12, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause,
		    "enregistrement de la livraison");
		goto fail;
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "numeroASP", numero_asp) == NULL ||
	    cJSON_AddStringToObject(o, "date", date) == NULL ||
	    cJSON_AddStringToObject(o, "numeroFacture", d->invoice) == NULL ||
	    cJSON_AddStringToObject(o, "dateFacture", fdate) == NULL ||
	    cJSON_AddNumberToObject(o, "montantFacture_cents",
	    (double)d->invoice_cents) == NULL ||
	    cJSON_AddStringToObject(o, "facture", d->facture_path) == NULL ||
	    cJSON_AddStringToObject(o, "facture_sha256", fsha) == NULL ||
	    cJSON_AddStringToObject(o, "pv", d->pv_path) == NULL ||
	    cJSON_AddStringToObject(o, "pv_sha256", psha) == NULL ||
	    (json = cJSON_PrintUnformatted(o)) == NULL) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur__event_append(l, "delivery.recorded", "request", ref,
	    id, NULL, json, cause)) != 0)
		goto fail;
	cJSON_Delete(o);
	free(json);
	free(ref);
	return (segur_ledger_commit(l, cause));
fail:
	cJSON_Delete(o);
	free(json);
	free(ref);
	segur_ledger_rollback(l);
	return (rc);
}

int
segur_solde_paid(struct segur_ledger *l, const char *numero_asp,
    const struct segur_record *paid, char **cause)
{
	struct segur_record rec;
	int		 rc;

	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur_ledger_record(l, SEGUR_RECORD_BALANCE_PAID, numero_asp,
	    paid, cause)) != 0)
		goto fail;
	/* A request whose balance is paid is closed (issue 8): the same
	 * transaction, so no request stays in balance_paid. */
	memset(&rec, 0, sizeof(rec));
	rec.date = paid->date;
	rec.amount_cents = -1;
	rec.note = "solde payé : demande close";
	if ((rc = segur_ledger_record(l, SEGUR_RECORD_CLOSE, numero_asp, &rec,
	    cause)) != 0)
		goto fail;
	return (segur_ledger_commit(l, cause));
fail:
	segur_ledger_rollback(l);
	return (rc);
}

int
segur_solde_setting_set(struct segur_ledger *l, const char *key,
    const char *value, char **cause)
{
	static const char *const q =
	    "INSERT INTO setting(key, value, updated_at) VALUES (?, ?, ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
	    "updated_at = excluded.updated_at";
	sqlite3_stmt	*st;
	char		 now[24], after[96], *end;
	long		 n;
	int		 rc;

	if (key == NULL || strcmp(key, SEGUR_SOLDE_DEADLINE_KEY) != 0)
		return (segur_cause(cause, SEGUR_EINVAL, "réglage « %s » "
		    "inconnu (connu : %s)", key != NULL ? key : "",
		    SEGUR_SOLDE_DEADLINE_KEY));
	n = value != NULL ? strtol(value, &end, 10) : 0;
	if (value == NULL || value[0] < '0' || value[0] > '9' ||
	    *end != '\0' || n < 1 || n > 3650)
		return (segur_cause(cause, SEGUR_EINVAL, "%s : nombre de jours "
		    "entier de 1 à 3650 attendu, pas « %s »", key,
		    value != NULL ? value : ""));
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto fail;
	snprintf(after, sizeof(after), "%ld", n);
	segur__bind_text(st, 1, key);
	segur__bind_text(st, 2, after);
	segur__bind_text(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement du réglage");
		goto fail;
	}
	snprintf(after, sizeof(after), "{\"value\":%ld}", n);
	if ((rc = segur__event_append(l, "setting.set", "setting", key, 0,
	    NULL, after, cause)) != 0)
		goto fail;
	return (segur_ledger_commit(l, cause));
fail:
	segur_ledger_rollback(l);
	return (rc);
}

int
segur_solde_deadline_set(struct segur_ledger *l, const char *numero_asp,
    const char *date, char **cause)
{
	static const char *const q_set =
	    "INSERT INTO solde_deadline(request_id, date, set_at) "
	    "VALUES (?, ?, ?) ON CONFLICT(request_id) DO UPDATE SET "
	    "date = excluded.date, set_at = excluded.set_at";
	static const char *const q_del =
	    "DELETE FROM solde_deadline WHERE request_id = ?";
	enum segur_state state;
	sqlite3_stmt	*st;
	char		 iso[11], now[24], after[64], *ref = NULL;
	int64_t		 id;
	int		 rc;

	if (date != NULL && (rc = iso_date(date, "échéance", iso,
	    cause)) != 0)
		return (rc);
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = find_by_asp(l, numero_asp, &id, &ref, &state, cause)) != 0)
		goto fail;
	segur__ledger_now(now);
	if ((rc = segur__stmt(l, date != NULL ? q_set : q_del, &st,
	    cause)) != 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (date != NULL) {
		segur__bind_text(st, 2, iso);
		segur__bind_text(st, 3, now);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "enregistrement de l'échéance");
		goto fail;
	}
	if (date != NULL)
		snprintf(after, sizeof(after), "{\"deadline\":\"%s\"}", iso);
	else
		snprintf(after, sizeof(after), "{\"deadline\":null}");
	if ((rc = segur__event_append(l, "solde.deadline", "request", ref, id,
	    NULL, after, cause)) != 0)
		goto fail;
	free(ref);
	return (segur_ledger_commit(l, cause));
fail:
	free(ref);
	segur_ledger_rollback(l);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* Follow-up. */

/* The programme's deadline in days: the one set, else the default
 * (*is_default 1; may be NULL). */
static int
deadline_days(struct segur_ledger *l, long *days, int *is_default,
    char **cause)
{
	static const char *const q =
	    "SELECT value FROM setting WHERE key = ?";
	sqlite3_stmt	*st;
	int		 rc, dflt = 1;

	*days = SEGUR_SOLDE_DEADLINE_DEFAULT;
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, SEGUR_SOLDE_DEADLINE_KEY);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*days = strtol((const char *)sqlite3_column_text(st, 0), NULL,
		    10);
		dflt = 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture des réglages"));
	if (is_default != NULL)
		*is_default = dflt;
	return (0);
}

int
segur_solde_settings(struct segur_ledger *l,
    struct segur_setting out[SEGUR_SETTINGS_COUNT], char **cause)
{
	out[0].key = SEGUR_SOLDE_DEADLINE_KEY;
	return (deadline_days(l, &out[0].value, &out[0].is_default, cause));
}

int
segur_solde_deadline_of(struct segur_ledger *l, int64_t request_id,
    const char *advance_date, char out[11], char **cause)
{
	static const char *const q =
	    "SELECT date FROM solde_deadline WHERE request_id = ?";
	sqlite3_stmt	*st;
	long		 days;
	int64_t		 d;
	int		 rc, dflt;

	out[0] = '\0';
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, request_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out, 11, "%s", (const char *)sqlite3_column_text(st,
		    0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "lecture de l'échéance"));
	if ((rc = deadline_days(l, &days, &dflt, cause)) != 0)
		return (rc);
	if (days <= 0 || advance_date == NULL ||
	    segur_date_days(advance_date, &d) != 0)
		return (0);
	segur_date_from_days(d + days, out);
	return (dflt ? 2 : 1);
}

int
segur_solde_list(struct segur_ledger *l, const struct segur_solde_filter *f,
    int (*fn)(void *arg, const struct segur_solde_row *row), void *arg,
    char **cause)
{
	static const char *const q =
	    "SELECT r.id, r.ref, r.state, r.numero_asp, r.montant_cents, "
	    "(SELECT numero_editeur FROM attempt WHERE request_id = r.id AND "
	    " outcome = 'accepted' ORDER BY seq DESC LIMIT 1), "
	    "(SELECT finess_juridique FROM request_esms WHERE request_id = "
	    " r.id ORDER BY finess_juridique, finess_geo LIMIT 1), "
	    "(SELECT group_concat(finess_geo, ',') FROM (SELECT finess_geo "
	    " FROM request_esms WHERE request_id = r.id ORDER BY "
	    " finess_geo)), "
	    "(SELECT amount_cents FROM decision WHERE request_id = r.id AND "
	    " kind = 'grant' ORDER BY id DESC LIMIT 1), "
	    "ad.amount_cents, ad.date, "
	    "(SELECT date FROM solde_deadline WHERE request_id = r.id), "
	    "EXISTS (SELECT 1 FROM delivery d WHERE d.request_id = r.id AND "
	    " d.current = 1 AND (r.state = 'advance_paid' OR d.id > (SELECT "
	    " coalesce(max(delivery_id), 0) FROM solde_line WHERE "
	    " request_id = r.id AND " SEGUR__SOLDE_LINE_ANSWERED_BY_ASP "))) "
	    "FROM request r JOIN decision ad ON ad.id = (SELECT max(id) FROM "
	    " decision WHERE request_id = r.id AND kind = 'advance_paid') "
	    "WHERE r.state IN ('advance_paid', 'balance_rejected') AND "
	    "(?1 IS NULL OR EXISTS (SELECT 1 FROM request_esms e WHERE "
	    " e.request_id = r.id AND e.finess_juridique = ?1)) "
	    "ORDER BY ad.date, r.id";
	struct segur_solde_row row;
	sqlite3_stmt	*st;
	char		 today[11];
	int64_t		 t, a;
	long		 ndays;
	int		 rc, oom = 0;

	if (f->today != NULL) {
		if ((rc = iso_date(f->today, "date du jour", today,
		    cause)) != 0)
			return (rc);
	} else
		segur__ledger_today(today);
	if ((rc = deadline_days(l, &ndays, NULL, cause)) != 0)
		return (rc);
	segur_date_days(today, &t);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, f->og);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.request_id = sqlite3_column_int64(st, 0);
		copy_col(st, 1, row.ref, sizeof(row.ref));
		copy_col(st, 2, row.state, sizeof(row.state));
		copy_col(st, 3, row.numero_asp, sizeof(row.numero_asp));
		copy_col(st, 5, row.numero_editeur,
		    sizeof(row.numero_editeur));
		copy_col(st, 6, row.og, sizeof(row.og));
		row.esms = segur__column_dup(st, 7, &oom);
		row.granted_cents = sqlite3_column_type(st, 8) != SQLITE_NULL ?
		    sqlite3_column_int64(st, 8) : sqlite3_column_int64(st, 4);
		row.advance_cents = sqlite3_column_int64(st, 9);
		row.balance_cents = row.granted_cents - row.advance_cents;
		copy_col(st, 10, row.advance_date, sizeof(row.advance_date));
		copy_col(st, 11, row.deadline, sizeof(row.deadline));
		row.delivered = sqlite3_column_int(st, 12);
		if (oom)
			break;
		if (segur_date_days(row.advance_date, &a) == 0)
			row.days_elapsed = t - a;
		if (row.deadline[0] == '\0' && ndays > 0 &&
		    segur_date_days(row.advance_date, &a) == 0)
			segur_date_from_days(a + ndays, row.deadline);
		if (row.deadline[0] != '\0' &&
		    segur_date_days(row.deadline, &a) == 0) {
			row.days_left = a - t;
			row.overdue = a < t;
		}
		if (f->overdue_only && !row.overdue) {
			free(row.esms);
			continue;
		}
		rc = fn(arg, &row);
		free(row.esms);
		if (rc != 0) {
			sqlite3_reset(st);
			return (rc);
		}
	}
	sqlite3_reset(st);
	if (oom)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "liste des avances"));
	return (0);
}
