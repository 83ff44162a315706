/*
 * jsonout.h: small pieces shared by the JSON writers of libsegur
 * (msfile.c, template.c). Internal to lib/.
 */
#ifndef SEGUR_JSONOUT_H
#define SEGUR_JSONOUT_H

#include "segur/util.h"

/* Appends s as a JSON string: UTF-8 kept as is, quotes, backslashes and
 * control characters escaped. Returns 0 or SEGUR_ENOMEM. */
int	segur__json_string(struct segur_buf *b, const char *s);

/* Appends n spaces. Returns 0 or SEGUR_ENOMEM. */
int	segur__json_indent(struct segur_buf *b, int n);

#endif /* SEGUR_JSONOUT_H */
