/*
 * metrics.c: Prometheus text format helpers (metrics.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "segur/error.h"
#include "segur/util.h"
#include "metrics.h"

int
segurd_metrics_name_ok(const char *s, int label)
{
	const char	*p;

	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return (0);
	/* Label names starting with __ are reserved for Prometheus. */
	if (label && strncmp(s, "__", 2) == 0)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (!label && *p == ':'))
			continue;
		return (0);
	}
	return (1);
}

/* Appends s escaped: backslash and newline, and '"' when quoted. */
static int
add_escaped(struct segur_buf *b, const char *s, int quoted)
{
	int	 rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		if (*s == '\\')
			rc = segur_buf_adds(b, "\\\\");
		else if (*s == '\n')
			rc = segur_buf_adds(b, "\\n");
		else if (quoted && *s == '"')
			rc = segur_buf_adds(b, "\\\"");
		else
			rc = segur_buf_add(b, s, 1);
	}
	return (rc);
}

int
segurd_metrics_family(struct segur_buf *b, const char *name,
    const char *type, const char *help)
{
	int	 rc;

	if (!segurd_metrics_name_ok(name, 0) || (strcmp(type, "counter") != 0 &&
	    strcmp(type, "gauge") != 0 && strcmp(type, "untyped") != 0))
		return (SEGUR_EINVAL);
	if ((rc = segur_buf_addf(b, "# HELP %s ", name)) != 0 ||
	    (rc = add_escaped(b, help, 0)) != 0 ||
	    (rc = segur_buf_addf(b, "\n# TYPE %s %s\n", name, type)) != 0)
		return (rc);
	return (0);
}

/* Appends "name{labels} " (the value follows). */
static int
add_series(struct segur_buf *b, const char *name, const char *const *labels)
{
	size_t	 i;
	int	 rc;

	if (!segurd_metrics_name_ok(name, 0))
		return (SEGUR_EINVAL);
	if ((rc = segur_buf_adds(b, name)) != 0)
		return (rc);
	if (labels != NULL && labels[0] != NULL) {
		if ((rc = segur_buf_adds(b, "{")) != 0)
			return (rc);
		for (i = 0; labels[i] != NULL; i += 2) {
			if (labels[i + 1] == NULL ||
			    !segurd_metrics_name_ok(labels[i], 1))
				return (SEGUR_EINVAL);
			if ((rc = segur_buf_addf(b, "%s%s=\"", i > 0 ? "," : "",
			    labels[i])) != 0 ||
			    (rc = add_escaped(b, labels[i + 1], 1)) != 0 ||
			    (rc = segur_buf_adds(b, "\"")) != 0)
				return (rc);
		}
		if ((rc = segur_buf_adds(b, "}")) != 0)
			return (rc);
	}
	return (segur_buf_adds(b, " "));
}

int
segurd_metrics_sample(struct segur_buf *b, const char *name,
    const char *const *labels, double value)
{
	size_t	 len = b->len;
	int	 rc;

	if ((rc = add_series(b, name, labels)) != 0)
		goto fail;
	if (isnan(value))
		rc = segur_buf_adds(b, "NaN\n");
	else if (isinf(value))
		rc = segur_buf_adds(b, value > 0 ? "+Inf\n" : "-Inf\n");
	else
		/* 15 digits: what a double holds exactly as decimal text, so
		 * 4866.67 reads 4866.67 (big counts go through _u64). */
		rc = segur_buf_addf(b, "%.15g\n", value);
	if (rc == 0)
		return (0);
fail:
	/* Leave no half sample behind. */
	if (b->data != NULL) {
		b->len = len;
		b->data[len] = '\0';
	}
	return (rc);
}

int
segurd_metrics_sample_u64(struct segur_buf *b, const char *name,
    const char *const *labels, uint64_t value)
{
	size_t	 len = b->len;
	int	 rc;

	if ((rc = add_series(b, name, labels)) != 0 ||
	    (rc = segur_buf_addf(b, "%llu\n",
	    (unsigned long long)value)) != 0) {
		if (b->data != NULL) {
			b->len = len;
			b->data[len] = '\0';
		}
		return (rc);
	}
	return (0);
}
