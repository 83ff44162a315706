/*
 * ledger-common.c: what the ledger's subcommands share: opening the ledger
 * (global or per-command --db), reporting library errors, printing rows,
 * and the "record" commands' one implementation.
 */
#include <libgen.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/build.h"
#include "segur/date.h"
#include "segur/archive.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/audit.h"
#include "segur/util.h"

#include "segurctl.h"

int
segurctl_ledger_open(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    unsigned flags, struct segur_ledger **l)
{
	struct segur_audit_key key;
	char	*cause = NULL;
	int	 rc, have;

	*l = NULL;
	if ((rc = segurctl_ledger_announce(cmd, env)) != 0)
		return (rc);
	/* Events this command writes are sealed when the key is readable,
	 * a migration's too; a command that writes nothing needs no key, nor
	 * a warning when it cannot read it. */
	have = 0;
	if (cmd->flags & SEGURCTL_WRITES)
		segurctl_seal_key(cmd, env, &key, &have);
	rc = segur_ledger_open_sealed(env->db_path, flags, have ? key.bytes :
	    NULL, have ? key.len : 0, l, &cause);
	if (have)
		segur_audit_key_release(&key);
	if (rc != 0) {
		fprintf(env->err, "segurctl %s: %s\n", cmd->name,
		    cause != NULL ? cause : segur_strerror(rc));
		free(cause);
		/* Run from the wrong folder, init would make a second,
		 * empty ledger: say where this one was looked for. */
		if (rc == SEGUR_ENOENT && env->db_source != SEGURCTL_DB_OPTION)
			fprintf(env->err, "segurctl %s: registre cherché à %s "
			    "(source : %s) ; celui de segurd est nommé par "
			    "[ledger] path de /etc/segur/segurd.conf, ou "
			    "donnez --db\n", cmd->name, env->db_path,
			    segurctl_db_source(env));
		return (SEGURCTL_EXIT_USAGE);
	}
	return (0);
}

int
segurctl_ledger_error(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    int rc, char *cause)
{
	fprintf(env->err, "segurctl %s: %s\n", cmd->name,
	    cause != NULL ? cause : segur_strerror(rc));
	free(cause);
	/* The ledger refused (state, unknown or known number): a finding;
	 * the ledger could not be used: like unreadable input. */
	switch (rc) {
	case SEGUR_EINVAL:
	case SEGUR_ENOENT:
	case SEGUR_EEXIST:
	case SEGUR_ESTATE:
	case SEGUR_ETOOBIG:
	case SEGUR_ECORRUPT:
		return (SEGURCTL_EXIT_FINDINGS);
	}
	return (SEGURCTL_EXIT_USAGE);
}

int
segurctl_print_json(struct segurctl_env *env, struct cJSON *o)
{
	char	*s;

	if (o == NULL || (s = cJSON_Print(o)) == NULL) {
		cJSON_Delete(o);
		fprintf(env->err, "segurctl: mémoire épuisée\n");
		return (SEGURCTL_EXIT_USAGE);
	}
	fprintf(env->out, "%s\n", s);
	free(s);
	cJSON_Delete(o);
	return (SEGURCTL_EXIT_OK);
}

struct cJSON *
segurctl_row_json(const struct segur_request_row *r)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "ref", r->ref) == NULL ||
	    cJSON_AddStringToObject(o, "numeroAns", r->numero_ans) == NULL ||
	    cJSON_AddStringToObject(o, "state",
	    segur_state_name(r->state) ? segur_state_name(r->state) : "?") ==
	    NULL ||
	    (r->montant_cents >= 0 ? cJSON_AddStringToObject(o,
	    "montantSegurHT", segur_amount_format(r->montant_cents, b)) :
	    cJSON_AddNullToObject(o, "montantSegurHT")) == NULL ||
	    (r->numero_editeur[0] ? cJSON_AddStringToObject(o,
	    "numeroEditeur", r->numero_editeur) :
	    cJSON_AddNullToObject(o, "numeroEditeur")) == NULL ||
	    (r->numero_asp[0] ? cJSON_AddStringToObject(o, "numeroASP",
	    r->numero_asp) : cJSON_AddNullToObject(o, "numeroASP")) == NULL ||
	    cJSON_AddStringToObject(o, "createdAt", r->created_at) == NULL ||
	    cJSON_AddStringToObject(o, "updatedAt", r->updated_at) == NULL ||
	    (r->rejection_reason[0] ? cJSON_AddStringToObject(o,
	    "rejectionReason", r->rejection_reason) :
	    cJSON_AddNullToObject(o, "rejectionReason")) == NULL ||
	    (r->rejection_code[0] ? cJSON_AddStringToObject(o,
	    "rejectionCode", r->rejection_code) :
	    cJSON_AddNullToObject(o, "rejectionCode")) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

struct cJSON *
segurctl_request_json(const struct segurctl_cmd *cmd,
    struct segurctl_env *env, struct segur_ledger *l, const char *ref)
{
	struct segur_request_row row;
	char	*cause = NULL;
	cJSON	*o;

	if (segur_ledger_request_row(l, ref, &row, &cause) != 0) {
		fprintf(env->err, "segurctl %s: %s\n", cmd->name,
		    cause != NULL ? cause : "mémoire épuisée");
		free(cause);
		return (NULL);
	}
	if ((o = segurctl_row_json(&row)) == NULL)
		fprintf(env->err, "segurctl %s: mémoire épuisée\n", cmd->name);
	return (o);
}

/* Columns of text count characters, not bytes: UTF-8 continuation bytes
 * (10xxxxxx) take no column. */
static size_t
columns(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return (n);
}

static void
pad(FILE *f, size_t used, size_t width)
{
	for (; used < width; used++)
		fputc(' ', f);
}

void
segurctl_cell(FILE *f, const char *s, size_t width, int right)
{
	size_t	 n = columns(s);

	if (right)
		pad(f, n, width);
	fputs(s, f);
	if (!right)
		pad(f, n, width);
}

/* The columns of a request's line: reference, state, software, amount,
 * numeroEditeur, numeroASP, last change; widths in characters. */
static const struct {
	const char	*head;
	size_t		 width;
	int		 right;
} row_cols[] = {
	{ "RÉFÉRENCE", 20, 0 }, { "ÉTAT", 22, 0 }, { "NUMÉRO ANS", 10, 0 },
	{ "MONTANT HT", 14, 1 }, { "N° ÉD.", 6, 0 }, { "NUMÉRO ASP", 20, 0 },
	{ "MODIFIÉE LE", 0, 0 }
};
#define NROW_COLS	(sizeof(row_cols) / sizeof(row_cols[0]))

/* The cells of one line, padded to their columns (UTF-8 aware). */
static void
row_cells(FILE *f, const char *const *cells)
{
	size_t	 i, n;

	for (i = 0; i < NROW_COLS; i++) {
		n = columns(cells[i]);
		if (i > 0)
			fputc(' ', f);
		if (row_cols[i].right)
			pad(f, n, row_cols[i].width);
		fputs(cells[i], f);
		if (!row_cols[i].right && i + 1 < NROW_COLS)
			pad(f, n, row_cols[i].width);
	}
	fputc('\n', f);
}

void
segurctl_row_print(FILE *f, const struct segur_request_row *r)
{
	const char	*label = segur_state_label(r->state);
	char		 b[SEGUR_AMOUNT_BUFSZ], amount[SEGUR_AMOUNT_BUFSZ + 8];
	char		 when[SEGUR_DATE_FR_BUFSZ];
	const char	*cells[NROW_COLS];

	if (r->montant_cents >= 0)
		snprintf(amount, sizeof(amount), "%s €",
		    segur_amount_format_fr(r->montant_cents, b));
	else
		snprintf(amount, sizeof(amount), "-");
	cells[0] = r->ref;
	cells[1] = label != NULL ? label : "?";
	cells[2] = r->numero_ans;
	cells[3] = amount;
	cells[4] = r->numero_editeur[0] ? r->numero_editeur : "-";
	cells[5] = r->numero_asp[0] ? r->numero_asp : "-";
	cells[6] = segur_date_fr(r->updated_at, when) != NULL ? when :
	    r->updated_at;
	row_cells(f, cells);
	if (r->state == SEGUR_STATE_REJECTED ||
	    r->state == SEGUR_STATE_BALANCE_REJECTED)
		segurctl_rejection_print(f, "    ", r->rejection_reason,
		    r->rejection_code);
}

void
segurctl_rejection_print(FILE *f, const char *indent, const char *reason,
    const char *code)
{
	const char	*p;

	fprintf(f, "%smotif ASP : ", indent);
	if (reason == NULL || reason[0] == '\0')
		fputs("aucun libellé", f);
	/* ASP's words verbatim, but on one line: a control character
	 * would break the table. */
	for (p = reason; p != NULL && *p != '\0'; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
	if (code != NULL && code[0] != '\0')
		fprintf(f, " (code %s)", code);
	fputc('\n', f);
}

/* The header of segurctl_row_print()'s lines. */
void
segurctl_row_header(FILE *f)
{
	const char	*cells[NROW_COLS];
	size_t		 i;

	for (i = 0; i < NROW_COLS; i++)
		cells[i] = row_cols[i].head;
	row_cells(f, cells);
}

void
segurctl_figures_print(FILE *f, const char *heading,
    const struct segur_figures *fg)
{
	const char	*label;
	char		 b[SEGUR_AMOUNT_BUFSZ], amount[SEGUR_AMOUNT_BUFSZ + 8];
	int		 i;

	fprintf(f, "\n%s\n", heading);
	for (i = 0; i < SEGUR_FIGURE_COUNT; i++) {
		label = segur_figure_label((enum segur_figure)i);
		snprintf(amount, sizeof(amount), "%s €",
		    segur_amount_format_fr(fg->cents[i], b));
		fprintf(f, "  %s", label);
		pad(f, columns(label), 20);
		fprintf(f, " %8lld demande(s) ", (long long)fg->count[i]);
		pad(f, columns(amount), 20);
		fprintf(f, "%s\n", amount);
	}
}

/* The options of record grant, refusal and advance-paid into *rec: 0, or
 * the exit status of a usage error. Strings borrowed from args. */
static int
record_parse(int kind, const struct segurctl_cmd *cmd,
    struct segurctl_env *env, struct segurctl_args *args,
    struct segur_record *rec_out)
{
	struct segur_record rec = { NULL, -1, NULL, NULL, 0, NULL };
	const char	*v;

	rec.date = segurctl_arg(cmd, args, "date");
	/* A refusal has no amount; only a payment is forced. */
	if (kind != SEGUR_RECORD_REFUSAL &&
	    (v = segurctl_arg(cmd, args, "amount")) != NULL &&
	    segurctl_parse_euros(v, &rec.amount_cents) != 0)
		return (segurctl_usage_error(cmd, env, "montant « %s » "
		    "invalide (en euros, deux décimales au plus)", v));
	rec.letter_ref = segurctl_arg(cmd, args, "letter");
	rec.note = segurctl_arg(cmd, args, "note");
	if (kind == SEGUR_RECORD_ADVANCE_PAID) {
		rec.force = segurctl_flag(cmd, args, "force");
		rec.reason = segurctl_arg(cmd, args, "reason");
	}
	if (rec.date == NULL)
		return (segurctl_usage_error(cmd, env,
		    "--date est obligatoire"));
	if (rec.force != (rec.reason != NULL))
		return (segurctl_usage_error(cmd, env,
		    "--force et --reason vont ensemble"));
	if ((kind == SEGUR_RECORD_ADVANCE_PAID ||
	    kind == SEGUR_RECORD_BALANCE_PAID) && rec.amount_cents < 0)
		return (segurctl_usage_error(cmd, env,
		    "--amount est obligatoire"));
	*rec_out = rec;
	return (0);
}

int
segurctl_record_check(int kind, const struct segurctl_cmd *cmd,
    struct segurctl_env *env, struct segurctl_args *args)
{
	struct segur_record rec;

	return (record_parse(kind, cmd, env, args, &rec));
}


/* What the text line says was recorded. */
static const char *
record_fr(int kind)
{
	switch (kind) {
	case SEGUR_RECORD_GRANT:
		return ("décision d'accord enregistrée");
	case SEGUR_RECORD_REFUSAL:
		return ("décision de refus enregistrée");
	case SEGUR_RECORD_ADVANCE_PAID:
		return ("versement de l'avance enregistré");
	}
	return ("versement du solde enregistré");
}

void
segurctl_record_print(struct segurctl_env *env, int kind,
    const char *numero_asp, const char *date, int64_t cents,
    const struct segur_request_row *row)
{
	const char	*label = segur_state_label(row->state);
	char		 b[SEGUR_AMOUNT_BUFSZ], day[SEGUR_DATE_FR_BUFSZ];

	if (segur_date_fr(date, day) == NULL)
		snprintf(day, sizeof(day), "%s", date);
	if (cents >= 0)
		fprintf(env->out, "%s : %s, %s € le %s ; état : %s\n",
		    numero_asp, record_fr(kind), segur_amount_format_fr(cents,
		    b), day, label != NULL ? label : "?");
	else
		fprintf(env->out, "%s : %s le %s ; état : %s\n", numero_asp,
		    record_fr(kind), day, label != NULL ? label : "?");
}

/* The latest item of list in a request shown whose "kind" is kind (NULL:
 * the latest item), or NULL. Borrowed from show. */
static const cJSON *
latest_item(const cJSON *show, const char *list, const char *kind)
{
	const cJSON	*it, *found = NULL, *k;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(show, list)) {
		k = cJSON_GetObjectItemCaseSensitive(it, "kind");
		if (kind == NULL || (cJSON_IsString(k) &&
		    strcmp(k->valuestring, kind) == 0))
			found = it;
	}
	return (found);
}

int
segurctl_request_reread(struct segur_ledger *l, const char *key,
    struct segur_request_row *row, struct cJSON **show, char **cause)
{
	const cJSON	*ref;
	cJSON		*o;
	int		 rc;

	if (show != NULL)
		*show = NULL;
	if ((rc = segur_ledger_request_show(l, key, &o, cause)) != 0)
		return (rc);
	ref = cJSON_GetObjectItemCaseSensitive(o, "ref");
	if (!cJSON_IsString(ref))
		rc = segur_cause(cause, SEGUR_ECORRUPT, "demande « %s » sans "
		    "référence", key);
	else
		rc = segur_ledger_request_row(l, ref->valuestring, row, cause);
	if (rc == 0 && show != NULL)
		*show = o;
	else
		cJSON_Delete(o);
	return (rc);
}

int
segurctl_recorded_read(struct segur_ledger *l, const char *numero_asp,
    const char *record, const char *list, struct segur_request_row *row,
    struct cJSON **out, char **cause)
{
	const cJSON	*item, *note, *f;
	cJSON		*show, *o = NULL, *copy;
	int		 rc;

	if (out == NULL)
		return (segurctl_request_reread(l, numero_asp, row, NULL,
		    cause));
	*out = NULL;
	if ((rc = segurctl_request_reread(l, numero_asp, row, &show,
	    cause)) != 0)
		return (rc);
	item = latest_item(show, list, strcmp(list, "decisions") == 0 ?
	    record : NULL);
	if ((o = segurctl_row_json(row)) == NULL ||
	    cJSON_AddStringToObject(o, "record", record) == NULL)
		goto oom;
	/* The facts as request show gives them, the kind said by "record". */
	cJSON_ArrayForEach(f, item) {
		if (strcmp(f->string, "kind") == 0)
			continue;
		if ((copy = cJSON_Duplicate(f, 1)) == NULL ||
		    !cJSON_AddItemToObject(o, f->string, copy)) {
			cJSON_Delete(copy);
			goto oom;
		}
	}
	/* A forced amount is one whose decision's note says so. */
	note = cJSON_GetObjectItemCaseSensitive(item, "note");
	if (item != NULL && strcmp(list, "decisions") == 0 &&
	    cJSON_AddBoolToObject(o, "forced", cJSON_IsString(note) &&
	    strncmp(note->valuestring, "forcé : ", strlen("forcé : ")) ==
	    0) == NULL)
		goto oom;
	*out = o;
	cJSON_Delete(show);
	return (0);
oom:
	cJSON_Delete(o);
	cJSON_Delete(show);
	return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
}

int
segurctl_reread_error(const struct segurctl_cmd *cmd,
    struct segurctl_env *env, int rc, char *cause)
{
	/* Committed already: a retry would be refused, so say it is done. */
	fprintf(env->err, "segurctl %s: c'est enregistré, mais la relecture "
	    "du registre a échoué :\n", cmd->name);
	return (segurctl_ledger_error(cmd, env, rc, cause));
}

int
segurctl_record_exec(int kind,
    const struct segurctl_cmd *cmd, struct segurctl_env *env,
    struct segurctl_args *args)
{
	struct segur_record rec;
	struct segur_request_row row;
	struct segur_ledger *l = args->ledger;
	cJSON		*o = NULL;
	char		*cause = NULL;
	int		 rc, json;

	if ((rc = record_parse(kind, cmd, env, args, &rec)) != 0)
		return (rc);
	json = segurctl_flag(cmd, args, "json");
	rc = segur_ledger_record(l, kind, args->argv[0], &rec, &cause);
	if (rc != 0)
		return (segurctl_ledger_error(cmd, env, rc, cause));
	if ((rc = segurctl_recorded_read(l, args->argv[0],
	    segur_record_name(kind), "decisions", &row, json ? &o : NULL, &cause)) != 0)
		return (segurctl_reread_error(cmd, env, rc, cause));
	if (json)
		return (segurctl_print_json(env, o));
	/* A grant without --amount is the amount requested. */
	segurctl_record_print(env, kind, args->argv[0], rec.date,
	    rec.amount_cents < 0 && kind == SEGUR_RECORD_GRANT ?
	    row.montant_cents : rec.amount_cents, &row);
	return (SEGURCTL_EXIT_OK);
}

#ifdef SEGUR_FAULT_INJECTION
/* Dies where the crash tests ask (tests/e2e/t3003, t4003, t6004). */
static void
crash_point(void *arg, int point)
{
	const char	*at = getenv("SEGUR_TEST_CRASH_AT");

	(void)arg;
	if (at != NULL && (int)strtol(at, NULL, 10) == point)
		_exit(99);
}

void	(*const segurctl_crash_point)(void *, int) = crash_point;
#else
void	(*const segurctl_crash_point)(void *, int) = NULL;
#endif

void
segurctl_archive_sweep(struct segurctl_env *env, const char *dir)
{
	char	**names, *cause = NULL;
	size_t	 n, i;

	if (segur_archive_leftovers(dir, 1, &names, &n, &cause) != 0)
		fprintf(env->err, "%s: attention : archive %s : %s\n",
		    env->progname, dir, cause != NULL ? cause :
		    "mémoire épuisée");
	for (i = 0; i < n; i++)
		fprintf(env->err, "%s: archive %s : %s supprimé, laissé par "
		    "une écriture interrompue\n", env->progname, dir,
		    names[i]);
	segur_archive_leftovers_free(names, n);
	free(cause);
}

size_t
segurctl_archive_leftovers_report(struct segurctl_env *env, const char *dir)
{
	char	**names, *cause = NULL;
	size_t	 n, i;

	if (segur_archive_leftovers(dir, 0, &names, &n, &cause) != 0)
		fprintf(env->err, "%s: attention : archive %s : %s\n",
		    env->progname, dir, cause != NULL ? cause :
		    "mémoire épuisée");
	for (i = 0; i < n; i++)
		fprintf(env->err, "%s: attention : archive %s : %s laissé par "
		    "une écriture interrompue (un arrêt brutal, pas une "
		    "altération) ; le prochain démarrage de segurd, segurctl "
		    "ingest ou build le supprime\n", env->progname, dir,
		    names[i]);
	segur_archive_leftovers_free(names, n);
	free(cause);
	return (n);
}

char *
segurctl_beside_ledger(const char *db, const char *leaf)
{
	char	*copy, *p;

	if ((copy = strdup(db)) == NULL)
		return (NULL);
	p = segur_asprintf("%s/%s", dirname(copy), leaf);
	free(copy);
	return (p);
}

const char *
segurctl_day_fr(const char *day, char out[SEGUR_DATE_FR_BUFSZ])
{
	char	 iso[11];

	if (strlen(day) == 8 && snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s",
	    day, day + 4, day + 6) == 10 && segur_date_fr(iso, out) != NULL)
		return (out);
	return (day);
}

void
segurctl_build_files_print(FILE *f, const struct segur_build_result *r)
{
	size_t	 i;

	for (i = 0; i < r->nfiles; i++) {
		if (r->files[i].kind == SEGUR_FILE_DOCUMENTS)
			fprintf(f, "  %s  (%zu pièce(s), %llu octets)\n",
			    r->files[i].path, r->files[i].count,
			    (unsigned long long)r->files[i].size);
		else
			fprintf(f, "  %s  (%zu demande(s))\n",
			    r->files[i].path, r->files[i].count);
	}
	if (r->nskipped > 0)
		fprintf(f, "Demandes écartées de ce lot (%zu) :\n",
		    r->nskipped);
	for (i = 0; i < r->nskipped; i++)
		fprintf(f, "  %s : %s\n", r->skipped[i].ref,
		    r->skipped[i].reason);
}

struct cJSON *
segurctl_build_json(const struct segur_build_result *r, int dry_run,
    const char *type)
{
	cJSON	*o, *a, *e;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	cJSON_AddStringToObject(o, "numeroAns", r->numero_ans);
	cJSON_AddStringToObject(o, "date", r->day);
	cJSON_AddStringToObject(o, "typeDemande", type);
	cJSON_AddBoolToObject(o, "dryRun", dry_run);
	cJSON_AddNumberToObject(o, "requests", (double)r->nrequests);
	cJSON_AddNumberToObject(o, "recovered", (double)r->nrecovered);
	a = cJSON_AddArrayToObject(o, "files");
	for (i = 0; a != NULL && i < r->nfiles; i++) {
		if ((e = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddStringToObject(e, "name", r->files[i].name);
		cJSON_AddStringToObject(e, "path", r->files[i].path);
		cJSON_AddStringToObject(e, "kind",
		    segur_file_kind_name(r->files[i].kind));
		cJSON_AddNumberToObject(e, r->files[i].kind ==
		    SEGUR_FILE_DOCUMENTS ? "documents" : "lines",
		    (double)r->files[i].count);
		if (!dry_run) {
			cJSON_AddStringToObject(e, "sha256",
			    r->files[i].sha256);
			cJSON_AddNumberToObject(e, "size",
			    (double)r->files[i].size);
		}
		cJSON_AddItemToArray(a, e);
	}
	a = cJSON_AddArrayToObject(o, "skipped");
	for (i = 0; a != NULL && i < r->nskipped; i++) {
		if ((e = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddStringToObject(e, "ref", r->skipped[i].ref);
		cJSON_AddStringToObject(e, "reason", r->skipped[i].reason);
		cJSON_AddItemToArray(a, e);
	}
	return (o);
}

int
segurctl_count_arg(const struct segurctl_cmd *cmd, struct segurctl_env *env,
    struct segurctl_args *args, const char *name, size_t *n)
{
	const char	*v = segurctl_arg(cmd, args, name);
	char		*end;
	unsigned long	 u;

	if (v == NULL)
		return (0);
	errno = 0;
	u = strtoul(v, &end, 10);
	if (*end != '\0' || v[0] == '\0' || v[0] == '-' || errno != 0)
		return (segurctl_usage_error(cmd, env,
		    "--%s : « %s » n'est pas un nombre", name, v));
	*n = u;
	return (0);
}
