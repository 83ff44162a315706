/*
 * metrics.h: writing the Prometheus text exposition format (0.0.4).
 *
 * A metrics provider appends families to a segur_buf: one
 * segurd_metrics_family() (# HELP and # TYPE lines), then its samples.
 * Names are checked against the format's grammar, label values and help
 * texts escaped as it requires, values written so that a float survives
 * the round trip (NaN, +Inf, -Inf spelt as Prometheus does).
 */
#ifndef SEGURD_METRICS_H
#define SEGURD_METRICS_H

#include <stdint.h>

#include "segur/util.h"

#define SEGURD_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Appends "# HELP name help" and "# TYPE name type"; type is counter,
 * gauge, untyped (histogram and summary are not written by segurd).
 * Returns 0, SEGUR_EINVAL for a bad name or type, SEGUR_ENOMEM.
 */
int	 segurd_metrics_family(struct segur_buf *b, const char *name,
	    const char *type, const char *help);

/*
 * Appends one sample "name{k="v",...} value". labels is NULL or an array
 * of name, value pairs ended by NULL (borrowed). Returns as above.
 */
int	 segurd_metrics_sample(struct segur_buf *b, const char *name,
	    const char *const *labels, double value);
/* The same for a count, written exactly. */
int	 segurd_metrics_sample_u64(struct segur_buf *b, const char *name,
	    const char *const *labels, uint64_t value);

/* Is s a valid metric name, or label name (label != 0)? */
int	 segurd_metrics_name_ok(const char *s, int label);

#endif /* SEGURD_METRICS_H */
