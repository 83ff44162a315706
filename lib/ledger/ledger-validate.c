/*
 * ledger-validate.c: the validator's reference data, read from the ledger,
 * and the promotion of a draft (or a rejected request) to ready.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/util.h"
#include "segur/validate.h"

#include "ledger/ledger-int.h"

/* Runs q with one text parameter; 1 if it returns a row, 0 if not. */
static int
exists(struct segur_ledger *l, const char *q, const char *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (segur__stmt(l, q, &st, NULL) != 0)
		return (SEGUR_EDB);
	segur__bind_text(st, 1, v);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : SEGUR_EDB);
}

static int
cb_operator(void *arg, const char *code)
{
	static const char *const q = "SELECT 1 FROM operator WHERE code = ?";

	return (exists(arg, q, code));
}

static int
cb_eligible(void *arg, const char *geo, char tranche[8], char fj[10])
{
	static const char *const q =
	    "SELECT tranche, finess_juridique FROM eligible "
	    "WHERE finess_geo = ?";
	struct segur_ledger *l = arg;
	sqlite3_stmt	*st;
	int		 rc;

	if (segur__stmt(l, q, &st, NULL) != 0)
		return (SEGUR_EDB);
	segur__bind_text(st, 1, geo);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(tranche, 8, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		snprintf(fj, 10, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : SEGUR_EDB);
}

static int
cb_tranche(void *arg, const char *tranche, int64_t *cents)
{
	static const char *const q =
	    "SELECT amount_ttc_cents FROM tranche WHERE code = ?";
	struct segur_ledger *l = arg;
	sqlite3_stmt	*st;
	int		 rc;

	if (segur__stmt(l, q, &st, NULL) != 0)
		return (SEGUR_EDB);
	segur__bind_text(st, 1, tranche);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*cents = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : SEGUR_EDB);
}

static int
cb_profiles(void *arg, const char *ans, unsigned *profiles)
{
	static const char *const q =
	    "SELECT profiles FROM software WHERE numero_ans = ?";
	struct segur_ledger *l = arg;
	sqlite3_stmt	*st;
	int		 rc;

	if (segur__stmt(l, q, &st, NULL) != 0)
		return (SEGUR_EDB);
	segur__bind_text(st, 1, ans);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*profiles = (unsigned)sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : SEGUR_EDB);
}

static int
cb_numero_used(void *arg, const char *ne)
{
	return (segur_ledger_numero_editeur_used(arg, ne));
}

static int
cb_geo_live(void *arg, const char *geo, char **other)
{
	static const char *const q =
	    "SELECT r.ref FROM request_esms e JOIN request r "
	    "ON r.id = e.request_id WHERE e.finess_geo = ? AND r.id <> ? "
	    "AND r.state NOT IN ('refused', 'withdrawn') LIMIT 1";
	struct segur_ledger *l = arg;
	sqlite3_stmt	*st;
	int		 rc;

	if (segur__stmt(l, q, &st, NULL) != 0)
		return (SEGUR_EDB);
	segur__bind_text(st, 1, geo);
	sqlite3_bind_int64(st, 2, l->validate_self);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && other != NULL)
		*other = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : SEGUR_EDB);
}

void
segur_ledger_validate_ctx(struct segur_ledger *l, int64_t self_request_id,
    struct segur_validate_ctx *ctx)
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	memset(ctx, 0, sizeof(*ctx));
	l->validate_self = self_request_id;
	ctx->arg = l;
	ctx->operator_known = cb_operator;
	ctx->finess_eligible = cb_eligible;
	ctx->tranche_amount = cb_tranche;
	ctx->software_profiles = cb_profiles;
	ctx->numero_editeur_used = cb_numero_used;
	ctx->finess_geo_live = cb_geo_live;
	gmtime_r(&t, &tm);
	ctx->today = (long)(tm.tm_year + 1900) * 10000 +
	    (long)(tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/*
 * The warnings that keep a request from becoming ready: the checks issue 4
 * names (eligibility and its OG, ceiling, referenced profiles, numbers
 * already used, double funding) and a check that could not be made.
 */
static const char *const blocking[] = {
	"OG-FINESS-GEO-ELIGIBLE", "OG-FINESS-GEO-OG", "COMMANDE-MONTANT-PLAFOND",
	"SCENARIO-PROFIL-REFERENCE", "LIGNE-NUMERO-EDITEUR-UTILISE",
	"OG-FINESS-GEO-FINANCE", "CONTEXTE-ECHEC"
};

int
segur_ledger_finding_blocks(const struct segur_finding *f)
{
	size_t	 i;

	if (f->severity == SEGUR_SEV_ERROR)
		return (1);
	for (i = 0; i < sizeof(blocking) / sizeof(blocking[0]); i++)
		if (f->rule != NULL && strcmp(f->rule->id, blocking[i]) == 0)
			return (1);
	return (0);
}

/* Is the reference data the checks need loaded? */
static int
reference_loaded(struct segur_ledger *l, char **cause)
{
	static const char *const q =
	    "SELECT (SELECT count(*) FROM (SELECT 1 FROM eligible LIMIT 1)), "
	    "(SELECT count(*) FROM (SELECT 1 FROM tranche LIMIT 1))";
	sqlite3_stmt	*st;
	int		 rc, el, tr;

	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		return (rc);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return (segur__db_error(l, cause, "lecture des données de référence"));
	}
	el = sqlite3_column_int(st, 0);
	tr = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	if (!el || !tr)
		return (segur_cause(cause, SEGUR_ESTATE, "les données de "
		    "référence manquent (%s%s%s) : chargez-les avec segurctl "
		    "ref import avant de valider", el ? "" : "ESMS éligibles",
		    !el && !tr ? ", " : "", tr ? "" : "montants des tranches"));
	return (0);
}

int
segur_ledger_request_promote(struct segur_ledger *l, const char *ref,
    struct segur_report *report, int *promoted, char **cause)
{
	static const char *const q =
	    "SELECT r.id, r.state, r.content, s.numero_ans FROM request r "
	    "JOIN software s ON s.id = r.software_id WHERE r.ref = ?";
	struct segur_validate_opts opts;
	struct segur_validate_ctx ctx;
	enum segur_state state;
	sqlite3_stmt	*st;
	char		*content = NULL, ans[11], detail[64];
	int64_t		 id;
	size_t		 i, nblocking = 0;
	int		 rc, oom = 0;

	memset(report, 0, sizeof(*report));
	*promoted = 0;
	if ((rc = segur_ledger_begin(l, cause)) != 0)
		return (rc);
	if ((rc = segur__stmt(l, q, &st, cause)) != 0)
		goto fail;
	segur__bind_text(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? segur_cause(cause, SEGUR_ENOENT,
		    "demande « %s » inconnue", ref) : segur__db_error(l, cause,
		    "recherche de la demande");
		goto fail;
	}
	id = sqlite3_column_int64(st, 0);
	state = (enum segur_state)segur_state_parse(
	    (const char *)sqlite3_column_text(st, 1));
	content = segur__column_dup(st, 2, &oom);
	snprintf(ans, sizeof(ans), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	sqlite3_reset(st);
	if (oom) {
		rc = segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	/* Not submitted -> ready: that edge is a cancelled file's. */
	if (!segur__state_allowed_by(state, SEGUR_STATE_READY,
	    "segur_ledger_request_promote")) {
		rc = segur_cause(cause, SEGUR_ESTATE, "la demande « %s » est à "
		    "l'état %s : seul un brouillon ou une demande rejetée peut "
		    "être validée", ref, segur_state_name(state));
		goto fail;
	}
	if ((rc = reference_loaded(l, cause)) != 0)
		goto fail;
	segur_ledger_validate_ctx(l, id, &ctx);
	memset(&opts, 0, sizeof(opts));
	opts.numeroAns = ans;
	opts.ctx = &ctx;
	if ((rc = segur_validate_request(content, strlen(content), &opts,
	    report)) != 0) {
		rc = segur_cause(cause, rc, "mémoire épuisée");
		goto fail;
	}
	for (i = 0; i < report->nfindings; i++)
		if (segur_ledger_finding_blocks(&report->findings[i]))
			nblocking++;
	if (nblocking > 0) {
		/* Nothing changes: the findings say why. */
		segur_ledger_rollback(l);
		free(content);
		return (0);
	}
	snprintf(detail, sizeof(detail), "{\"warnings\":%zu}",
	    report->nwarnings);
	if ((rc = segur__request_transition(l, id, ref, state,
	    SEGUR_STATE_READY, detail, cause)) != 0)
		goto fail;
	if ((rc = segur_ledger_commit(l, cause)) != 0)
		goto done;
	*promoted = 1;
	goto done;
fail:
	segur_ledger_rollback(l);
done:
	free(content);
	return (rc);
}
