/*
 * console.c: the pages of segurd's console (console.h), HTML and JSON.
 *
 * The HTML takes the report's style sheet, state labels and dashboard
 * sections (audit-report.c), so that the console and the report say the
 * same things the same way. Every ledger value goes through esc() (text
 * and attributes alike) or, in a link, through url() then esc(). JSON is
 * built with cJSON only.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "segur/amount.h"
#include "segur/anomaly.h"
#include "segur/console.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/report.h"
#include "segur/svg.h"
#include "segur/util.h"

#include "audit/audit-int.h"

/* The state in French for a page; "?" for a name this build does not
 * know. */
static const char *
state_label(int s)
{
	const char	*label = segur_state_label((enum segur_state)s);

	return (label != NULL ? label : "?");
}

/* Rules the console adds to the report's. */
static const char console_css[] =
    "nav{border-bottom:2px solid #1f5fa8;padding:.5em 0}"
    "nav a{margin-right:1.5em;font-weight:bold}"
    "form{margin:1em 0}input,select,button{font:inherit}"
    "dl.obj{display:grid;grid-template-columns:max-content auto;"
    "gap:2px 1em}dl.obj dt{font-size:1em}dl.obj dd{font-size:1em;"
    "font-weight:normal}"
    "pre{white-space:pre-wrap;word-break:break-all;font-size:.8em}"
    "td code{font-size:.75em}"
    ".pager{margin:1em 0}"
    "section>table{display:block;overflow-x:auto;max-width:100%}";

/* The page being written: out and whether memory ran out. */
struct page {
	struct segur_buf *o;
	int		 nomem;
};

static void
add(struct page *p, const char *s)
{
	if (segur_buf_adds(p->o, s) != 0)
		p->nomem = 1;
}

static void
esc(struct page *p, const char *s)
{
	if (segur_html_escape(p->o, s != NULL ? s : "") != 0)
		p->nomem = 1;
}

static void addf(struct page *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
addf(struct page *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (segur_buf_vaddf(p->o, fmt, ap) != 0)
		p->nomem = 1;
	va_end(ap);
}

/*
 * s percent-encoded for a path segment or a query value (everything but
 * RFC 3986's unreserved characters), then HTML-escaped (a no-op on the
 * result, kept so that every value written goes through esc()).
 */
static void
url(struct page *p, const char *s)
{
	struct segur_buf b = SEGUR_BUF_INIT;
	const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
	int		 rc = 0;

	for (; *u != '\0' && rc == 0; u++)
		if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') ||
		    (*u >= '0' && *u <= '9') || strchr("-._~", *u) != NULL)
			rc = segur_buf_add(&b, u, 1);
		else
			rc = segur_buf_addf(&b, "%%%02X", *u);
	if (rc == 0 && segur_buf_add(&b, "", 1) == 0)
		esc(p, b.data);
	else
		p->nomem = 1;
	segur_buf_release(&b);
}

static int
page_end(struct page *p, char **cause)
{
	return (p->nomem ? segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée") :
	    0);
}

int
segur_console_css(struct segur_buf *out)
{
	if (segur_buf_adds(out, segur_html_css()) != 0 ||
	    segur_buf_adds(out, console_css) != 0)
		return (SEGUR_ENOMEM);
	return (0);
}

/* The head of every page, its navigation and its title. */
static void
head(struct page *p, const char *title)
{
	add(p, "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset="
	    "\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width"
	    "\">\n<title>");
	esc(p, title);
	add(p, " — console segurd</title>\n<link rel=\"stylesheet\" "
	    "href=\"/console.css\"></head><body>\n<nav><a href=\"/\">Tableau "
	    "de bord</a><a href=\"/requests\">Demandes</a><a href=\"/files\">"
	    "Fichiers</a><a href=\"/anomalies\">Anomalies</a></nav>\n<h1>");
	esc(p, title);
	add(p, "</h1>\n");
}

static void
foot(struct page *p, const char *api)
{
	add(p, "<footer><p>Console en lecture seule de segurd, sans script. "
	    "Cette page en JSON : <a href=\"");
	esc(p, api);
	add(p, "\"><code>");
	esc(p, api);
	add(p, "</code></a>.</p></footer>\n</body></html>\n");
}

/* The search form, with state preselected (-1: any). */
static void
search_form(struct page *p, int state, const char *q)
{
	int	 s;

	add(p, "<form action=\"/requests\" method=\"get\"><label>Référence, "
	    "numeroASP, numeroEditeur ou FINESS : <input name=\"q\" "
	    "value=\"");
	esc(p, q);
	add(p, "\"></label> <label>état : <select name=\"state\"><option "
	    "value=\"\">tous</option>");
	for (s = 0; s < SEGUR_STATE_COUNT; s++) {
		addf(p, "<option value=\"%s\"%s>", segur_state_name(
		    (enum segur_state)s), s == state ? " selected" : "");
		esc(p, state_label(s));
		add(p, "</option>");
	}
	add(p, "</select></label> <button>Chercher</button></form>\n");
}

int
segur_console_error(int status, const char *message, struct segur_buf *out)
{
	struct page	 p = { out, 0 };
	char		 title[32];

	snprintf(title, sizeof(title), "Erreur %d", status);
	head(&p, title);
	add(&p, "<p id=\"erreur\">");
	esc(&p, message);
	add(&p, "</p>\n</body></html>\n");
	return (p.nomem ? SEGUR_ENOMEM : 0);
}

int
segur_console_dashboard(struct segur_ledger *l, struct segur_buf *out,
    char **cause)
{
	struct page	 p = { out, 0 };
	struct segur_html h;
	struct segur_status st;
	int		 rc, s;

	memset(&st, 0, sizeof(st));
	if ((rc = segur_ledger_status(l, 0, &st, cause)) != 0)
		return (rc);
	head(&p, "Ségur numérique : tableau de bord");
	search_form(&p, -1, NULL);
	add(&p, "<section id=\"listes\"><h2>Listes par état</h2>\n<ul>");
	for (s = 0; s < SEGUR_STATE_COUNT; s++) {
		if (st.count[s] == 0)
			continue;
		addf(&p, "<li><a href=\"/requests?state=%s\">",
		    segur_state_name((enum segur_state)s));
		esc(&p, state_label(s));
		addf(&p, "</a> : <span id=\"n-%s\">%" PRId64 "</span></li>",
		    segur_state_name((enum segur_state)s), st.count[s]);
	}
	addf(&p, "</ul>\n<p><a href=\"/anomalies\">Anomalies ouvertes</a> : "
	    "<span id=\"anomalies-ouvertes\">%" PRId64 "</span></p>"
	    "</section>\n", st.anomalies_open);
	segur_status_release(&st);
	if (p.nomem)
		return (page_end(&p, cause));
	/* The report's own sections: both read totals the triggers keep. */
	segur_html_init(&h, out);
	if ((rc = segur_report_states(&h, l, cause)) != 0 ||
	    (rc = segur_report_amounts(&h, l, cause)) != 0)
		return (rc);
	if (h.err != 0)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	foot(&p, "/api/v1/status");
	return (page_end(&p, cause));
}

/* ------------------------------------------------------------------ */
/* Requests. */

/* One page of a list of requests being gathered. */
struct rows {
	struct segur_request_row *v;	/* owned */
	size_t		 n, max;
};

static int
rows_add(void *arg, const struct segur_request_row *row)
{
	struct rows	*r = arg;

	if (r->n == r->max)
		return (1);	/* one past the page: there is a next one */
	r->v[r->n++] = *row;
	return (0);
}

/* The request of key as a list row, from what show returns. */
static void
row_from_show(const cJSON *o, struct segur_request_row *row)
{
	const cJSON	*att, *last = NULL;
	const char	*s;
	int64_t		 cents;

	memset(row, 0, sizeof(*row));
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "ref"))) != NULL)
		snprintf(row->ref, sizeof(row->ref), "%s", s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "numeroAns"))) !=
	    NULL)
		snprintf(row->numero_ans, sizeof(row->numero_ans), "%s", s);
	row->state = (enum segur_state)segur_state_parse(cJSON_GetStringValue(
	    cJSON_GetObjectItem(o, "state")));
	s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "montantSegurHT"));
	row->montant_cents = s != NULL && segur_amount_from_text(s, strlen(s),
	    &cents) == 0 ? cents : -1;
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "numeroASP"))) !=
	    NULL)
		snprintf(row->numero_asp, sizeof(row->numero_asp), "%s", s);
	cJSON_ArrayForEach(att, cJSON_GetObjectItem(o, "attempts"))
		last = att;
	if (last != NULL && (s = cJSON_GetStringValue(cJSON_GetObjectItem(
	    last, "numeroEditeur"))) != NULL)
		snprintf(row->numero_editeur, sizeof(row->numero_editeur),
		    "%s", s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "createdAt"))) !=
	    NULL)
		snprintf(row->created_at, sizeof(row->created_at), "%s", s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItem(o, "updatedAt"))) !=
	    NULL)
		snprintf(row->updated_at, sizeof(row->updated_at), "%s", s);
}

/*
 * Fills r with one page of the requests q selects; *next is 1 when more
 * follow. A search names one request (reference, numeroEditeur,
 * numeroASP) or, failing that, a FINESS juridique or géographique.
 */
static int
requests_read(struct segur_ledger *l, const struct segur_console_query *q,
    struct rows *r, int *next, char **cause)
{
	struct segur_request_filter f;
	struct segur_request_row probe;
	struct rows	 one = { &probe, 0, 1 };
	cJSON		*o = NULL;
	char		*why = NULL;
	int		 rc;

	*next = 0;
	memset(&f, 0, sizeof(f));
	f.state = q->state;
	f.after = q->after;
	f.limit = q->limit + 1;
	if (q->q != NULL && q->q[0] != '\0') {
		rc = segur_ledger_request_show(l, q->q, &o, &why);
		if (rc == SEGUR_ENOENT) {
			free(why);
			why = NULL;
		} else if (rc != 0) {
			if (cause != NULL)
				*cause = why;
			else
				free(why);
			return (rc);
		} else {
			row_from_show(o, &r->v[0]);
			cJSON_Delete(o);
			/* One request: the first page only, if of the state. */
			if (q->after == NULL && (q->state < 0 ||
			    (int)r->v[0].state == q->state))
				r->n = 1;
			return (0);
		}
		/* An OG's FINESS if it has requests, else an ESMS's. */
		f.og = q->q;
		f.limit = 1;
		f.after = NULL;
		f.state = -1;
		if ((rc = segur_ledger_request_list(l, &f, rows_add, &one,
		    cause)) < 0)
			return (rc);
		f.state = q->state;
		f.after = q->after;
		f.limit = q->limit + 1;
		if (one.n == 0) {
			f.og = NULL;
			f.esms = q->q;
		}
	}
	rc = segur_ledger_request_list(l, &f, rows_add, r, cause);
	if (rc < 0)
		return (rc);
	*next = rc == 1;
	return (0);
}

/* A request's list row as JSON, as segurctl request list --json writes
 * it (cli/ledger-common.c). */
static cJSON *
row_json(const struct segur_request_row *row)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return (NULL);
	if (cJSON_AddStringToObject(o, "ref", row->ref) == NULL ||
	    cJSON_AddStringToObject(o, "numeroAns", row->numero_ans) == NULL ||
	    cJSON_AddStringToObject(o, "state", (int)row->state >= 0 ?
	    segur_state_name(row->state) : "?") == NULL ||
	    (row->montant_cents >= 0 ? cJSON_AddStringToObject(o,
	    "montantSegurHT", segur_amount_format(row->montant_cents, b)) :
	    cJSON_AddNullToObject(o, "montantSegurHT")) == NULL ||
	    (row->numero_editeur[0] ? cJSON_AddStringToObject(o,
	    "numeroEditeur", row->numero_editeur) :
	    cJSON_AddNullToObject(o, "numeroEditeur")) == NULL ||
	    (row->numero_asp[0] ? cJSON_AddStringToObject(o, "numeroASP",
	    row->numero_asp) : cJSON_AddNullToObject(o, "numeroASP")) == NULL ||
	    cJSON_AddStringToObject(o, "createdAt", row->created_at) == NULL ||
	    cJSON_AddStringToObject(o, "updatedAt", row->updated_at) == NULL) {
		cJSON_Delete(o);
		return (NULL);
	}
	return (o);
}

/* Appends root printed, and a newline; takes root. */
static int
json_out(cJSON *root, struct segur_buf *out, char **cause)
{
	char	*text;
	int	 rc;

	text = root != NULL ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	if (text == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	rc = segur_buf_addf(out, "%s\n", text);
	cJSON_free(text);
	return (rc != 0 ? segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée") :
	    0);
}

/*
 * The address of a page of requests starting after after; amp is "&amp;"
 * in an attribute, "&" for a text foot() escapes.
 */
static void
requests_link(struct page *p, const struct segur_console_query *q,
    const char *after, const char *amp)
{
	add(p, "/requests?state=");
	if (q->state >= 0)
		add(p, segur_state_name((enum segur_state)q->state));
	addf(p, "%sq=", amp);
	url(p, q->q);
	addf(p, "%slimit=%zu%safter=", amp, q->limit, amp);
	url(p, after);
}

static void
requests_html(struct page *p, const struct segur_console_query *q,
    const struct rows *r, int next)
{
	char	 b[SEGUR_AMOUNT_BUFSZ];
	size_t	 i;

	if (q->state >= 0) {
		add(p, "<p>État : ");
		esc(p, state_label(q->state));
		add(p, "</p>\n");
	}
	search_form(p, q->state, q->q);
	if (q->q != NULL && q->q[0] != '\0') {
		add(p, "<p id=\"recherche\">Recherche : « ");
		esc(p, q->q);
		add(p, " »</p>\n");
	}
	addf(p, "<table id=\"demandes\"><tr><th>référence</th><th>état</th>"
	    "<th>numeroAns</th><th>montant HT</th><th>numeroEditeur</th>"
	    "<th>numeroASP</th><th>mise à jour</th></tr>\n");
	for (i = 0; i < r->n; i++) {
		const struct segur_request_row *w = &r->v[i];

		add(p, "<tr><td><a href=\"/requests/");
		url(p, w->ref);
		add(p, "\">");
		esc(p, w->ref);
		add(p, "</a></td><td>");
		esc(p, state_label((int)w->state));
		add(p, "</td><td>");
		esc(p, w->numero_ans);
		add(p, "</td><td>");
		if (w->montant_cents >= 0) {
			esc(p, segur_amount_format_fr(w->montant_cents, b));
			add(p, " €");
		}
		add(p, "</td><td>");
		esc(p, w->numero_editeur);
		add(p, "</td><td>");
		esc(p, w->numero_asp);
		add(p, "</td><td>");
		esc(p, w->updated_at);
		add(p, "</td></tr>\n");
	}
	if (r->n == 0)
		add(p, "<tr><td colspan=\"7\">aucune demande</td></tr>\n");
	add(p, "</table>\n");
	if (next) {
		add(p, "<p class=\"pager\"><a id=\"suivante\" href=\"");
		requests_link(p, q, r->v[r->n - 1].ref, "&amp;");
		add(p, "\">Page suivante</a></p>\n");
	}
}

int
segur_console_requests(struct segur_ledger *l,
    const struct segur_console_query *q, enum segur_console_format fmt,
    struct segur_buf *out, char **cause)
{
	struct page	 p = { out, 0 };
	struct rows	 r = { NULL, 0, 0 };
	struct segur_buf api = SEGUR_BUF_INIT;
	cJSON		*root, *arr, *o;
	size_t		 i;
	int		 rc, next;

	r.max = q->limit;
	if ((r.v = calloc(r.max > 0 ? r.max : 1, sizeof(*r.v))) == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	if ((rc = requests_read(l, q, &r, &next, cause)) != 0)
		goto out;
	if (fmt == SEGUR_CONSOLE_JSON) {
		if ((root = cJSON_CreateObject()) == NULL ||
		    (arr = cJSON_AddArrayToObject(root, "requests")) == NULL) {
			cJSON_Delete(root);
			rc = segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée");
			goto out;
		}
		for (i = 0; i < r.n; i++)
			if ((o = row_json(&r.v[i])) == NULL ||
			    !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				cJSON_Delete(root);
				root = NULL;
				break;
			}
		if (root != NULL && (cJSON_AddNumberToObject(root, "limit",
		    (double)q->limit) == NULL || (next ?
		    cJSON_AddStringToObject(root, "after", r.v[r.n - 1].ref) :
		    cJSON_AddNullToObject(root, "after")) == NULL)) {
			cJSON_Delete(root);
			root = NULL;
		}
		rc = json_out(root, out, cause);
		goto out;
	}
	head(&p, q->state >= 0 ? "Demandes par état" : "Demandes");
	requests_html(&p, q, &r, next);
	/* The JSON twin of this very page. */
	{
		struct page a = { &api, 0 };

		add(&a, "/api/v1");
		requests_link(&a, q, q->after != NULL ? q->after : "", "&");
		if (a.nomem || segur_buf_add(&api, "", 1) != 0)
			p.nomem = 1;
		else
			foot(&p, api.data);
	}
	rc = page_end(&p, cause);
out:
	segur_buf_release(&api);
	free(r.v);
	return (rc);
}

/* ------------------------------------------------------------------ */
/* One request. */

/* A scalar of the show JSON as text: "" for null. */
static void
scalar(struct page *p, const cJSON *v)
{
	char	*t;

	if (cJSON_IsString(v))
		esc(p, v->valuestring);
	else if (cJSON_IsNull(v) || v == NULL)
		return;
	else if ((t = cJSON_PrintUnformatted(v)) != NULL) {
		esc(p, t);
		cJSON_free(t);
	} else
		p->nomem = 1;
}

/* An array of objects as a table, its columns the keys of every row. */
static void
table(struct page *p, const char *id, const cJSON *arr)
{
	const char	*cols[32];
	const cJSON	*row, *it;
	size_t		 n = 0, i;

	cJSON_ArrayForEach(row, arr)
		cJSON_ArrayForEach(it, row) {
			for (i = 0; i < n; i++)
				if (strcmp(cols[i], it->string) == 0)
					break;
			if (i == n && n < 32)
				cols[n++] = it->string;
		}
	if (cJSON_GetArraySize(arr) == 0) {
		addf(p, "<p id=\"%s\">Aucun.</p>\n", id);
		return;
	}
	addf(p, "<table id=\"%s\"><tr>", id);
	for (i = 0; i < n; i++) {
		add(p, "<th>");
		esc(p, cols[i]);
		add(p, "</th>");
	}
	add(p, "</tr>\n");
	cJSON_ArrayForEach(row, arr) {
		add(p, "<tr>");
		for (i = 0; i < n; i++) {
			it = cJSON_GetObjectItemCaseSensitive(row, cols[i]);
			add(p, "<td>");
			if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
				char *t = cJSON_PrintUnformatted(it);

				add(p, "<code>");
				esc(p, t);
				add(p, "</code>");
				cJSON_free(t);
			} else
				scalar(p, it);
			add(p, "</td>");
		}
		add(p, "</tr>\n");
	}
	add(p, "</table>\n");
}

/* The events of ref as a JSON array (as request history --json). */
static int
history_json(struct segur_ledger *l, const char *ref, cJSON **out,
    char **cause)
{
	struct segur_event *ev = NULL;
	cJSON	*arr, *o, *v;
	size_t	 n = 0, i;
	int	 rc;

	if ((rc = segur_ledger_request_history(l, ref, &ev, &n, cause)) != 0)
		return (rc);
	arr = cJSON_CreateArray();
	for (i = 0; arr != NULL && i < n; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddNumberToObject(o, "id", (double)ev[i].id) ==
		    NULL ||
		    cJSON_AddStringToObject(o, "at", ev[i].at) == NULL ||
		    cJSON_AddStringToObject(o, "actor", ev[i].actor) == NULL ||
		    cJSON_AddStringToObject(o, "action", ev[i].action) ==
		    NULL) {
			cJSON_Delete(arr);
			arr = NULL;
			break;
		}
		v = ev[i].before != NULL ? cJSON_Parse(ev[i].before) :
		    cJSON_CreateNull();
		cJSON_AddItemToObject(o, "before", v != NULL ? v :
		    cJSON_CreateString(ev[i].before));
		v = ev[i].after != NULL ? cJSON_Parse(ev[i].after) :
		    cJSON_CreateNull();
		cJSON_AddItemToObject(o, "after", v != NULL ? v :
		    cJSON_CreateString(ev[i].after));
		cJSON_AddStringToObject(o, "hash", ev[i].hash);
	}
	segur_event_free_array(ev, n);
	if (arr == NULL)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	*out = arr;
	return (0);
}

static void
request_html(struct page *p, const cJSON *o)
{
	static const char *const sections[][2] = {
		{ "esms", "ESMS" }, { "documents", "Documents" },
		{ "attempts", "Envois" }, { "decisions", "Décisions de l'ASP" },
		{ "anomalies", "Anomalies" }, { "history", "Historique" }
	};
	const char	*ref = cJSON_GetStringValue(cJSON_GetObjectItem(o,
	    "ref"));
	const cJSON	*it;
	char		*t;
	size_t		 i;

	add(p, "<section id=\"resume\"><dl class=\"obj\">");
	cJSON_ArrayForEach(it, o) {
		if (cJSON_IsObject(it) || cJSON_IsArray(it))
			continue;
		add(p, "<dt>");
		esc(p, it->string);
		add(p, "</dt><dd id=\"champ-");
		esc(p, it->string);
		add(p, "\">");
		if (strcmp(it->string, "state") == 0 &&
		    cJSON_IsString(it)) {
			esc(p, state_label(segur_state_parse(
			    it->valuestring)));
			add(p, " (");
			esc(p, it->valuestring);
			add(p, ")");
		} else
			scalar(p, it);
		add(p, "</dd>");
	}
	add(p, "</dl>\n<p><a id=\"dossier\" href=\"/requests/");
	url(p, ref);
	add(p, "/bundle\">Télécharger le dossier de preuves (zip)</a></p>"
	    "</section>\n");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		addf(p, "<section><h2>%s</h2>\n", sections[i][1]);
		table(p, sections[i][0], cJSON_GetObjectItem(o,
		    sections[i][0]));
		add(p, "</section>\n");
	}
	if ((it = cJSON_GetObjectItem(o, "content")) != NULL &&
	    (t = cJSON_Print(it)) != NULL) {
		add(p, "<section><h2>Contenu</h2>\n<details><summary>JSON de "
		    "la demande</summary><pre id=\"contenu\">");
		esc(p, t);
		add(p, "</pre></details></section>\n");
		cJSON_free(t);
	}
}

int
segur_console_request(struct segur_ledger *l, const char *key,
    enum segur_console_format fmt, struct segur_buf *out, char **cause)
{
	struct page	 p = { out, 0 };
	cJSON		*o = NULL, *hist = NULL;
	const char	*ref;
	char		*api;
	int		 rc;

	if ((rc = segur_ledger_request_show(l, key, &o, cause)) != 0)
		return (rc);
	ref = cJSON_GetStringValue(cJSON_GetObjectItem(o, "ref"));
	if ((rc = history_json(l, ref != NULL ? ref : key, &hist, cause)) !=
	    0) {
		cJSON_Delete(o);
		return (rc);
	}
	cJSON_AddItemToObject(o, "history", hist);
	if (fmt == SEGUR_CONSOLE_JSON)
		return (json_out(o, out, cause));
	head(&p, ref != NULL ? ref : key);
	request_html(&p, o);
	{
		struct segur_buf b = SEGUR_BUF_INIT;
		struct page a = { &b, 0 };

		add(&a, "/api/v1/requests/");
		url(&a, ref);
		api = !a.nomem && segur_buf_add(&b, "", 1) == 0 ?
		    segur_buf_detach(&b) : NULL;
		segur_buf_release(&b);
		if (api != NULL)
			foot(&p, api);
		else
			p.nomem = 1;
		free(api);
	}
	cJSON_Delete(o);
	return (page_end(&p, cause));
}

/* ------------------------------------------------------------------ */
/* Files and anomalies. */

struct files {
	const struct segur_console_query *q;
	size_t		 seen;
	cJSON		*arr;		/* borrowed: in root */
	int		 next;
	int		 nomem;
};

/* The files of the page, as segurctl file list --json writes them. */
static int
files_cb(void *arg, const struct segur_file_row *r)
{
	struct files	*w = arg;
	cJSON		*o;

	if (w->seen++ < w->q->offset)
		return (0);
	if ((size_t)cJSON_GetArraySize(w->arr) == w->q->limit) {
		w->next = 1;
		return (1);
	}
	if ((o = segur_file_row_json(r)) == NULL ||
	    !cJSON_AddItemToArray(w->arr, o)) {
		cJSON_Delete(o);
		w->nomem = 1;
		return (1);
	}
	return (0);
}

/* The pager of an offset list: the next page's link. */
static void
offset_pager(struct page *p, const char *path,
    const struct segur_console_query *q, int next)
{
	if (!next)
		return;
	addf(p, "<p class=\"pager\"><a id=\"suivante\" href=\"%s?offset=%zu"
	    "&amp;limit=%zu%s\">Page suivante</a></p>\n", path,
	    q->offset + q->limit, q->limit, q->all ? "&amp;all=1" : "");
}

/* Finishes a JSON list page: limit, next offset; takes root. */
static int
offset_json(cJSON *root, const struct segur_console_query *q, int next,
    struct segur_buf *out, char **cause)
{
	if (root != NULL && (cJSON_AddNumberToObject(root, "limit",
	    (double)q->limit) == NULL || (next ? cJSON_AddNumberToObject(root,
	    "offset", (double)(q->offset + q->limit)) :
	    cJSON_AddNullToObject(root, "offset")) == NULL)) {
		cJSON_Delete(root);
		root = NULL;
	}
	return (json_out(root, out, cause));
}

int
segur_console_files(struct segur_ledger *l,
    const struct segur_console_query *q, enum segur_console_format fmt,
    struct segur_buf *out, char **cause)
{
	struct page	 p = { out, 0 };
	struct files	 w = { q, 0, NULL, 0, 0 };
	cJSON		*root;
	int		 rc;

	if ((root = cJSON_CreateObject()) == NULL ||
	    (w.arr = cJSON_AddArrayToObject(root, "files")) == NULL) {
		cJSON_Delete(root);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	rc = segur_ledger_file_list(l, files_cb, &w, cause);
	if (rc < 0 || w.nomem) {
		cJSON_Delete(root);
		return (rc < 0 ? rc : segur_cause(cause, SEGUR_ENOMEM,
		    "mémoire épuisée"));
	}
	if (fmt == SEGUR_CONSOLE_JSON)
		return (offset_json(root, q, w.next, out, cause));
	head(&p, "Fichiers");
	add(&p, "<p>Fichiers construits et reçus, du plus ancien au plus "
	    "récent.</p>\n");
	table(&p, "fichiers", w.arr);
	offset_pager(&p, "/files", q, w.next);
	cJSON_Delete(root);
	foot(&p, "/api/v1/files");
	return (page_end(&p, cause));
}

int
segur_console_anomalies(struct segur_ledger *l,
    const struct segur_console_query *q, enum segur_console_format fmt,
    struct segur_buf *out, char **cause)
{
	struct page	 p = { out, 0 };
	struct segur_anomaly *v = NULL;
	cJSON		*root, *arr, *o;
	size_t		 n = 0, i;
	int		 rc, next;

	if ((rc = segur_anomaly_list(l, q->all ? SEGUR_ANOMALY_ALL : 0, 0,
	    &v, &n, cause)) != 0)
		return (rc);
	if ((root = cJSON_CreateObject()) == NULL ||
	    (arr = cJSON_AddArrayToObject(root, "anomalies")) == NULL) {
		cJSON_Delete(root);
		segur_anomaly_free_array(v, n);
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	}
	for (i = q->offset; i < n && i < q->offset + q->limit; i++)
		if ((o = segur_anomaly_json(&v[i])) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(root);
			segur_anomaly_free_array(v, n);
			return (segur_cause(cause, SEGUR_ENOMEM,
			    "mémoire épuisée"));
		}
	next = q->offset + q->limit < n;
	segur_anomaly_free_array(v, n);
	if (fmt == SEGUR_CONSOLE_JSON)
		return (offset_json(root, q, next, out, cause));
	head(&p, q->all ? "Anomalies" : "Anomalies ouvertes");
	addf(&p, "<p><span id=\"total-anomalies\">%zu</span> anomalie(s)%s. "
	    "<a href=\"%s\">%s</a></p>\n", n, q->all ? "" : " ouverte(s)",
	    q->all ? "/anomalies" : "/anomalies?all=1",
	    q->all ? "Ouvertes seulement" : "Toutes, résolues comprises");
	table(&p, "anomalies", arr);
	offset_pager(&p, "/anomalies", q, next);
	cJSON_Delete(root);
	foot(&p, q->all ? "/api/v1/anomalies?all=1" : "/api/v1/anomalies");
	return (page_end(&p, cause));
}
