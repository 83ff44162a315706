/*
 * audit-int.h: what lib/audit*.c share. Not installed.
 */
#ifndef SEGUR_AUDIT_INT_H
#define SEGUR_AUDIT_INT_H

/* fsync()s the file at path. */
int	segur__audit_fsync_file(const char *path, char **cause);

/* Renames tmp to path, then fsyncs path's folder. */
int	segur__audit_commit_file(const char *tmp, const char *path,
	    char **cause);

/* The ISO 8601 week of "AAAA-MM-JJ..." as "AAAA-Snn" (report.c); 0 or
 * SEGUR_EINVAL for text that is not a date. */
int	segur__audit_iso_week(const char *date, char out[16]);

/*
 * What segurd's console takes from the report (audit-report.c): its CSS
 * (static), the French label of a state (static; "?" for none), and the
 * dashboard's section (requests by state, with the amounts requested)
 * appended to out.
 */
struct segur_buf;
struct segur_ledger;
const char	*segur__audit_report_css(void);
const char	*segur__audit_state_label(int state);
int	segur__audit_report_dashboard(struct segur_ledger *l,
	    struct segur_buf *out, char **cause);

#endif /* SEGUR_AUDIT_INT_H */
