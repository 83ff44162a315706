/*
 * remind.c: the daily reminder check (remind.h).
 *
 * The candidates are read first (one query over the requests in the
 * three waiting states, indexed by state), then each due reminder not yet
 * in the table reminder is queued with its row, all in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ledger/ledger-int.h"
#include "segur/alert.h"
#include "segur/audit.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/outbox.h"
#include "segur/remind.h"
#include "segur/solde.h"
#include "segur/util.h"

/* Days ahead of the balance deadline when it is recalled, largest first. */
static const int deadline_marks[] = { 30, 7, 1 };

struct cand {
	int64_t	 id;
	char	*ref;		/* owned */
	char	*kind;		/* owned */
	char	*since;		/* owned */
	char	*asp;		/* owned, may be NULL */
	char	*editeur;	/* owned, may be NULL */
	int	 days;
};

static void
cands_free(struct cand *c, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(c[i].ref);
		free(c[i].kind);
		free(c[i].since);
		free(c[i].asp);
		free(c[i].editeur);
	}
	free(c);
}

static int
read_cands(struct segur_ledger *l, const struct segur_remind_opts *o,
    const char *today, struct cand **out, size_t *nout, char **cause)
{
	static const char *const sql =
	    "SELECT id, ref, kind, since, asp, editeur, "
	    "CAST(julianday(?1) - julianday(since) AS INTEGER) FROM ("
	    "SELECT r.id AS id, r.ref AS ref, 'submitted' AS kind, "
	    "substr(f.created_at, 1, 10) AS since, r.numero_asp AS asp, "
	    "a.numero_editeur AS editeur FROM request r JOIN attempt a ON "
	    "a.request_id = r.id AND a.outcome = 'pending' JOIN file f ON "
	    "f.id = a.file_id WHERE r.state = 'submitted' AND ?2 > 0 "
	    "UNION ALL "
	    "SELECT r.id, r.ref, 'decision', (SELECT substr(max(answered_at), "
	    "1, 10) FROM attempt WHERE request_id = r.id AND outcome = "
	    "'accepted'), r.numero_asp, (SELECT numero_editeur FROM attempt "
	    "WHERE request_id = r.id AND outcome = 'accepted' ORDER BY seq "
	    "DESC LIMIT 1) FROM request r WHERE r.state = 'accepted' AND "
	    "?3 > 0 "
	    "UNION ALL "
	    "SELECT r.id, r.ref, 'balance', (SELECT max(date) FROM decision "
	    "WHERE request_id = r.id AND kind = 'advance_paid'), "
	    "r.numero_asp, NULL FROM request r WHERE r.state = "
	    "'advance_paid'"
	    ") WHERE since IS NOT NULL ORDER BY id, kind";
	struct cand	*c = NULL, *nc;
	sqlite3_stmt	*st;
	size_t		 n = 0, cap = 0;
	int		 rc, oom = 0;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, today);
	sqlite3_bind_int(st, 2, (int)o->submitted_days);
	sqlite3_bind_int(st, 3, (int)o->decision_days);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nc = realloc(c, cap * sizeof(*c))) == NULL) {
				oom = 1;
				break;
			}
			c = nc;
		}
		memset(&c[n], 0, sizeof(c[n]));
		c[n].id = sqlite3_column_int64(st, 0);
		c[n].ref = segur__column_dup(st, 1, &oom);
		c[n].kind = segur__column_dup(st, 2, &oom);
		c[n].since = segur__column_dup(st, 3, &oom);
		c[n].asp = segur__column_dup(st, 4, &oom);
		c[n].editeur = segur__column_dup(st, 5, &oom);
		c[n].days = sqlite3_column_int(st, 6);
		n++;
		if (oom)
			break;
	}
	sqlite3_reset(st);
	if (oom) {
		cands_free(c, n);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	if (rc != SQLITE_DONE) {
		cands_free(c, n);
		return (segur__db_error(l, cause,
		    "lire les demandes en attente"));
	}
	*out = c;
	*nout = n;
	return (0);
}

/* Is this reminder recorded already? 1 yes, 0 no, or an error. */
static int
already(struct segur_ledger *l, const struct segur_remind_item *it,
    char **cause)
{
	static const char *const sql =
	    "SELECT 1 FROM reminder WHERE request_id = ? AND kind = ? AND "
	    "since = ? AND period = ?";
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, it->request_id);
	segur__bind_text(st, 2, it->kind);
	segur__bind_text(st, 3, it->since);
	segur__bind_text(st, 4, it->period);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	if (rc == SQLITE_DONE)
		return (0);
	return (segur__db_error(l, cause, "lire les relances"));
}

/* The French sentence saying why, with the action to take; dates as
 * "JJ/MM/AAAA" (a text that is no date is shown as it is). */
static char *
action_text(const struct segur_remind_item *it, const char *deadline)
{
	char	 since[SEGUR_DATE_FR_BUFSZ], until[SEGUR_DATE_FR_BUFSZ];
	const char *s, *u;

	s = segur_date_fr(it->since, since) != NULL ? since : it->since;
	u = deadline != NULL && segur_date_fr(deadline, until) != NULL ?
	    until : deadline;
	if (strcmp(it->kind, "submitted") == 0)
		return (segur_asprintf("le fichier de la demande, déposé le "
		    "%s, est sans réponse de l'ASP depuis %d jours : vérifier "
		    "sur le portail de l'ASP qu'il a été reçu et traité, et "
		    "déposer son fichier retour dans la boîte de segurd.",
		    s, it->days));
	if (strcmp(it->kind, "decision") == 0)
		return (segur_asprintf("la demande, acceptée par l'ASP le %s, "
		    "attend depuis %d jours une décision d'attribution ou de "
		    "refus : vérifier sur le portail de l'ASP et enregistrer "
		    "la décision (segurctl record grant ou record refusal).",
		    s, it->days));
	if (strcmp(it->kind, "balance") == 0)
		return (segur_asprintf("l'avance a été versée le %s, il y a "
		    "%d jours, et aucune demande de solde n'est enregistrée : "
		    "préparer et déposer la demande de solde.", s, it->days));
	return (segur_asprintf("la demande de solde doit être déposée avant "
	    "le %s (dans %d jour%s ; avance versée le %s) : la préparer et "
	    "la déposer sans attendre.", u != NULL ? u : "?", it->days,
	    it->days > 1 ? "s" : "", s));
}

/* Queues one reminder: its alert, its row, in the open transaction. */
static int
queue(struct segur_ledger *l, struct segur_remind_item *it,
    const struct cand *c, const char *deadline, const char *today,
    char **cause)
{
	static const char *const esms =
	    "SELECT e.finess_juridique, e.finess_geo, r.montant_cents FROM "
	    "request r LEFT JOIN request_esms e ON e.request_id = r.id "
	    "WHERE r.id = ? ORDER BY e.finess_geo LIMIT 1";
	static const char *const ins =
	    "INSERT INTO reminder(request_id, kind, since, period, alert_id, "
	    "queued_on) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	cJSON		*f;
	char		*action;
	int		 rc;

	if ((f = cJSON_CreateObject()) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	cJSON_AddStringToObject(f, SEGUR_ALERT_F_REFERENCE, c->ref);
	if (c->editeur != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_EDITEUR, c->editeur);
	if (c->asp != NULL)
		cJSON_AddStringToObject(f, SEGUR_ALERT_F_ASP, c->asp);
	if ((rc = segur__stmt(l, esms, &st, cause)) != 0) {
		cJSON_Delete(f);
		return (rc);
	}
	sqlite3_bind_int64(st, 1, c->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			cJSON_AddStringToObject(f, SEGUR_ALERT_F_FINESS_OG,
			    (const char *)sqlite3_column_text(st, 0));
			cJSON_AddStringToObject(f, SEGUR_ALERT_F_FINESS_ES,
			    (const char *)sqlite3_column_text(st, 1));
		}
		/* Euros in the facts, as the guide writes montantSegurHT. */
		if (sqlite3_column_type(st, 2) == SQLITE_INTEGER)
			cJSON_AddNumberToObject(f, SEGUR_ALERT_F_AMOUNT,
			    (double)sqlite3_column_int64(st, 2) / 100.0);
	}
	sqlite3_reset(st);
	cJSON_AddStringToObject(f, "relance", it->kind);
	cJSON_AddStringToObject(f, "periode", it->period);
	cJSON_AddStringToObject(f, "depuis", it->since);
	if (deadline != NULL)
		cJSON_AddStringToObject(f, "echeanceSolde", deadline);
	if ((action = action_text(it, deadline)) == NULL ||
	    cJSON_AddStringToObject(f, SEGUR_ALERT_F_ACTION, action) ==
	    NULL) {
		free(action);
		cJSON_Delete(f);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	free(action);
	rc = segur_outbox_add(l, SEGUR_ALERT_REMINDER, "warning", c->id, 0, f,
	    &it->alert_id, cause);
	cJSON_Delete(f);
	if (rc != 0)
		return (rc);
	if ((rc = segur__stmt(l, ins, &st, cause)) != 0)
		return (rc);
	sqlite3_bind_int64(st, 1, it->request_id);
	segur__bind_text(st, 2, it->kind);
	segur__bind_text(st, 3, it->since);
	segur__bind_text(st, 4, it->period);
	sqlite3_bind_int64(st, 5, it->alert_id);
	segur__bind_text(st, 6, today);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (segur__db_error(l, cause, "enregistrer la relance"));
	return (0);
}

/* The date d days after day ("AAAA-MM-JJ"), in out. */
static int
date_add(struct segur_ledger *l, const char *day, int d, char out[11],
    char **cause)
{
	static const char *const sql = "SELECT date(?, ? || ' days')";
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	if ((rc = segur__stmt(l, sql, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, day);
	sqlite3_bind_int(st, 2, d);
	if (sqlite3_step(st) != SQLITE_ROW || (s = (const char *)
	    sqlite3_column_text(st, 0)) == NULL || strlen(s) != 10) {
		sqlite3_reset(st);
		return (segur_cause(cause, SEGUR_EINVAL, "date invalide %s",
		    day));
	}
	memcpy(out, s, 11);
	sqlite3_reset(st);
	return (0);
}

static int
valid_day(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != 10)
		return (0);
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return (0);
	return (1);
}

/*
 * The open anomalies not recalled today, recalled: one "anomaly" reminder
 * each, every day until resolved, except the day it was recorded (its own
 * alert just left). reminded_on keeps the day, in the transaction that
 * queues the alert.
 */
static int
remind_anomalies(struct segur_ledger *l, const struct segur_remind_opts *o,
    const char *today, void (*fn)(void *, const struct segur_remind_item *),
    void *arg, unsigned *count, char **cause)
{
	static const char *const q =
	    "SELECT an.id, an.request_id, r.ref, substr(an.at, 1, 10), "
	    "CAST(julianday(?1) - julianday(substr(an.at, 1, 10)) AS "
	    "INTEGER), an.kind, an.detail, f.name, "
	    "json_extract(an.returned, '$.numeroEditeur') FROM anomaly an "
	    "LEFT JOIN request r ON r.id = an.request_id LEFT JOIN file f ON "
	    "f.id = an.file_id WHERE an.resolved_at IS NULL AND "
	    "substr(an.at, 1, 10) < ?1 AND (an.reminded_on IS NULL OR "
	    "an.reminded_on < ?1) ORDER BY an.at, an.id";
	static const char *const upd =
	    "UPDATE anomaly SET reminded_on = ? WHERE id = ?";
	struct segur_remind_item it;
	struct segur_buf list = SEGUR_BUF_INIT;
	sqlite3_stmt	*st;
	cJSON		*f;
	char		*line, *nl, *fld[9], *p, *action;
	char		 period[16], ref[40], frday[SEGUR_DATE_FR_BUFSZ];
	size_t		 k;
	int		 rc, step;

	/* Collected first: queueing runs other statements. */
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	segur__bind_text(st, 1, today);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (k = 0; k < 9; k++) {
			const char *v = (const char *)sqlite3_column_text(st,
			    (int)k);

			/* Tabs and new lines cannot be in these fields but
			 * the detail: there, they become spaces. */
			for (; v != NULL && *v != '\0'; v++)
				segur_buf_add(&list, strchr("\t\n", *v) ?
				    " " : v, 1);
			segur_buf_adds(&list, k < 8 ? "\t" : "\n");
		}
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		segur_buf_release(&list);
		return (segur__db_error(l, cause, "lire les anomalies"));
	}
	for (line = list.data; rc == 0 && line != NULL &&
	    (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		for (p = line, k = 0; k < 9; k++) {
			fld[k] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
			else
				p = nl;
		}
		memset(&it, 0, sizeof(it));
		it.request_id = strtoll(fld[1], NULL, 10);
		snprintf(ref, sizeof(ref), "%s", *fld[2] != '\0' ? fld[2] :
		    *fld[8] != '\0' ? fld[8] : "?");
		it.ref = ref;
		it.kind = "anomaly";
		it.since = fld[3];
		it.days = atoi(fld[4]);
		snprintf(period, sizeof(period), "J+%d", it.days);
		it.period = period;
		if (!o->dry_run) {
			action = segur_asprintf("l'anomalie n° %s est ouverte "
			    "depuis le %s (%d jour%s) : la vérifier avec l'ASP, "
			    "enregistrer ce qui est confirmé, puis segurctl "
			    "anomalies resolve %s --note TEXTE.", fld[0],
			    segur_date_fr(fld[3], frday) != NULL ? frday :
			    fld[3], it.days, it.days > 1 ? "s" : "", fld[0]);
			if ((f = cJSON_CreateObject()) == NULL ||
			    action == NULL ||
			    (*fld[2] != '\0' && cJSON_AddStringToObject(f,
			    SEGUR_ALERT_F_REFERENCE, fld[2]) == NULL) ||
			    (*fld[8] != '\0' && cJSON_AddStringToObject(f,
			    SEGUR_ALERT_F_EDITEUR, fld[8]) == NULL) ||
			    (*fld[7] != '\0' && cJSON_AddStringToObject(f,
			    SEGUR_ALERT_F_FILE, fld[7]) == NULL) ||
			    cJSON_AddStringToObject(f, "relance",
			    "anomaly") == NULL ||
			    cJSON_AddStringToObject(f, "periode", period) ==
			    NULL ||
			    cJSON_AddStringToObject(f, "depuis", fld[3]) ==
			    NULL ||
			    cJSON_AddNumberToObject(f, SEGUR_ALERT_F_ANOMALY_ID,
			    (double)strtoll(fld[0], NULL, 10)) == NULL ||
			    cJSON_AddStringToObject(f,
			    SEGUR_ALERT_F_ANOMALY_KIND, fld[5]) == NULL ||
			    cJSON_AddStringToObject(f, SEGUR_ALERT_F_ANOMALY,
			    fld[6]) == NULL ||
			    cJSON_AddStringToObject(f, SEGUR_ALERT_F_ACTION,
			    action) == NULL)
				rc = segur_cause(cause, SEGUR_ENOMEM,
				    "mémoire épuisée");
			else
				rc = segur_outbox_add(l, SEGUR_ALERT_REMINDER,
				    "warning", it.request_id, 0, f,
				    &it.alert_id, cause);
			cJSON_Delete(f);
			free(action);
			if (rc == 0 && (rc = segur__stmt(l, upd, &st,
			    cause)) == 0) {
				segur__bind_text(st, 1, today);
				sqlite3_bind_int64(st, 2, strtoll(fld[0], NULL,
				    10));
				if (sqlite3_step(st) != SQLITE_DONE)
					rc = segur__db_error(l, cause,
					    "enregistrer la relance");
				sqlite3_reset(st);
			}
		}
		if (rc == 0) {
			(*count)++;
			if (fn != NULL)
				fn(arg, &it);
		}
	}
	segur_buf_release(&list);
	return (rc);
}

int
segur_remind_check(struct segur_ledger *l, const struct segur_remind_opts *o,
    void (*fn)(void *arg, const struct segur_remind_item *it), void *arg,
    unsigned *queued, char **cause)
{
	struct segur_remind_item it;
	struct cand	*c = NULL;
	const char	*today = o->today;
	char		 todaybuf[11], period[16], deadline[11];
	size_t		 n = 0, i, k;
	unsigned	 count = 0, every;
	int		 rc, left;

	if (queued != NULL)
		*queued = 0;
	if (today == NULL) {
		segur__ledger_today(todaybuf);
		today = todaybuf;
	}
	if (!valid_day(today))
		return (segur_cause(cause, SEGUR_EINVAL, "aujourd'hui : %s "
		    "n'est pas une date AAAA-MM-JJ", today));
	if (!o->dry_run && (rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = read_cands(l, o, today, &c, &n, cause)) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		memset(&it, 0, sizeof(it));
		it.request_id = c[i].id;
		it.ref = c[i].ref;
		it.since = c[i].since;
		for (k = 0; k < 2; k++) {
			const char *dl = NULL;

			it.kind = c[i].kind;
			it.days = c[i].days;
			if (k == 1 && strcmp(c[i].kind, "balance") != 0)
				break;
			if (k == 0) {
				every = strcmp(it.kind, "submitted") == 0 ?
				    o->submitted_days : strcmp(it.kind,
				    "decision") == 0 ? o->decision_days :
				    o->balance_days;
				if (every == 0 || it.days < (int)every)
					continue;
				snprintf(period, sizeof(period), "J+%u",
				    (unsigned)it.days / every * every);
			} else {
				size_t m;

				int64_t dleft;

				/* The ledger's deadline (the request's own,
				 * else the programme's) wins; segurd.conf's
				 * balance_deadline_days applies instead of
				 * the built-in default (rc 2). */
				rc = segur_solde_deadline_of(l, c[i].id,
				    it.since, deadline, cause);
				if (rc < 0)
					goto fail;
				if (rc == 0)
					continue;
				if (rc == 2 && o->balance_deadline_days > 0) {
					if ((rc = date_add(l, it.since,
					    (int)o->balance_deadline_days,
					    deadline, cause)) != 0)
						goto fail;
				}
				if ((rc = segur_date_diff(today, deadline,
				    &dleft)) != 0) {
					segur_cause(cause, rc, "échéance %s",
					    deadline);
					goto fail;
				}
				left = (int)dleft;
				for (m = sizeof(deadline_marks) /
				    sizeof(deadline_marks[0]); m > 0; m--)
					if (left >= 0 &&
					    left <= deadline_marks[m - 1])
						break;
				if (m == 0)
					continue;
				dl = deadline;
				it.kind = "deadline";
				it.days = left;
				snprintf(period, sizeof(period), "J-%d",
				    deadline_marks[m - 1]);
			}
			it.period = period;
			it.alert_id = 0;
			if ((rc = already(l, &it, cause)) < 0)
				goto fail;
			if (rc == 1)
				continue;
			if (!o->dry_run && (rc = queue(l, &it, &c[i], dl,
			    today, cause)) != 0)
				goto fail;
			count++;
			if (fn != NULL)
				fn(arg, &it);
		}
	}
	if ((rc = remind_anomalies(l, o, today, fn, arg, &count, cause)) != 0)
		goto fail;
	if (!o->dry_run && (rc = segur_ledger_commit(l, cause)) != 0)
		goto out;
	if (queued != NULL)
		*queued = count;
	rc = 0;
	goto out;
fail:
	if (!o->dry_run)
		segur_ledger_rollback(l);
out:
	cands_free(c, n);
	return (rc);
}

int
segur_remind_head(struct segur_ledger *l, const char *today,
    const struct segur_audit_key *key, int *queued, char **cause)
{
	static const char *const q =
	    "SELECT 1 FROM alert WHERE kind = 'head' AND "
	    "json_extract(body, '$.date') = ?";
	struct segur_chain_head h;
	sqlite3_stmt	*st;
	cJSON		*f = NULL;
	char		 todaybuf[11], n[32];
	int		 rc;

	if (queued != NULL)
		*queued = 0;
	if (today == NULL) {
		segur__ledger_today(todaybuf);
		today = todaybuf;
	}
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, today);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		segur_ledger_rollback(l);
		return (0);
	}
	if (rc != SQLITE_DONE) {
		rc = segur__db_error(l, cause, "chercher l'empreinte du jour");
		goto fail;
	}
	/* The head before this alert's own event: what the day ended on. */
	if ((rc = segur_audit_head(l, key, &h, cause)) != 0)
		goto fail;
	snprintf(n, sizeof(n), "%lld", (long long)h.events);
	if ((f = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(f, "date", today) == NULL ||
	    cJSON_AddStringToObject(f, "empreinte", h.hash) == NULL ||
	    cJSON_AddStringToObject(f, "evenements", n) == NULL ||
	    cJSON_AddStringToObject(f, "dernier", h.at) == NULL ||
	    (h.seal[0] != '\0' && cJSON_AddStringToObject(f, "sceau",
	    h.seal) == NULL)) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = segur_outbox_add(l, SEGUR_ALERT_HEAD, "info", 0, 0, f, NULL,
	    cause)) != 0)
		goto fail;
	cJSON_Delete(f);
	if ((rc = segur_ledger_commit(l, cause)) == 0 && queued != NULL)
		*queued = 1;
	return (rc);
fail:
	cJSON_Delete(f);
	segur_ledger_rollback(l);
	return (rc);
}
