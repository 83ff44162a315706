/*
 * audit-report.c: the static HTML report (segurctl report --html): one
 * self-contained page, inline CSS and SVG, no script, no network, so that
 * it reads the same in a browser, printed, or archived for an auditor.
 * Its sections are the dashboard's (report.h), which segurd's console
 * shows too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "segur/audit.h"
#include "segur/date.h"
#include "segur/error.h"
#include "segur/ledger.h"
#include "segur/report.h"
#include "segur/util.h"

#include "ledger/ledger-int.h"

int
segur_audit_report_html(struct segur_ledger *l,
    const struct segur_chain_head *h, struct segur_buf *out, char **cause)
{
	struct segur_html w;
	struct tm	 tm;
	time_t		 t = time(NULL);
	char		 now[SEGUR_DATE_FR_BUFSZ], z[8] = "", zone[16] = "UTC";
	int		 rc;

	segur_html_init(&w, out);
	segur_date_fr_time(t, now);
	/* The offset of now, "+0100" written "UTC+01:00". */
	if (localtime_r(&t, &tm) != NULL && strftime(z, sizeof(z), "%z",
	    &tm) == 5)
		snprintf(zone, sizeof(zone), "UTC%.3s:%s", z, z + 3);
	segur_html_page_begin(&w, "Ségur numérique (MS1-DUI) : état des "
	    "demandes");
	segur_html_raw(&w, "<p>Registre <code>");
	segur_html_text(&w, l->path);
	segur_html_rawf(&w, "</code>, rapport du <span id=\"date-rapport\">%s"
	    "</span>. Dates et heures à l'heure locale (%s).</p>\n"
	    "<p>Tête de la chaîne d'événements : <code id=\"tete-chaine\">",
	    now, zone);
	segur_html_text(&w, h->hash);
	segur_html_rawf(&w, "</code> (%" PRId64 " événements, ", h->events);
	segur_html_date(&w, h->at);
	segur_html_raw(&w, ")");
	if (h->seal[0] != '\0') {
		segur_html_raw(&w, ", sceau <code>");
		segur_html_text(&w, h->seal);
		segur_html_raw(&w, "</code>");
	}
	segur_html_raw(&w, ".</p>\n");
	if ((rc = segur_report_dashboard(&w, l, cause)) != 0)
		return (rc);
	segur_html_page_end(&w, "Page statique produite par segurctl report "
	    ": ni script ni ressource externe.");
	if (w.err != 0)
		return (segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée"));
	return (0);
}
