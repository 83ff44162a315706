/*
 * cmd-request-list.c: segurctl request list: requests by state, OG, ESMS,
 * date of last change, oldest change first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/amount.h"
#include "segur/ledger.h"

#include "segurctl.h"

/*
 * Where a list goes: its lines gather in buf and leave in writes of up to
 * its size (a list of 150,000 rows is 17 MB; one stdio call per row cost a
 * tenth of it).
 */
struct list_out {
	struct segurctl_env	*env;
	size_t			 n;		/* rows so far */
	size_t			 len;		/* bytes in buf */
	char			 buf[1 << 16];
};

/* Writes what buf holds. */
static void
out_flush(struct list_out *o)
{
	if (o->len > 0)
		fwrite(o->buf, 1, o->len, o->env->out);
	o->len = 0;
}

/* Appends n bytes of p to the output, n under the size of buf. */
static void
out_put(struct list_out *o, const char *p, size_t n)
{
	if (o->len + n > sizeof(o->buf))
		out_flush(o);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/*
 * --json is written row by row, in the very layout cJSON_Print() gives the
 * array of segurctl_row_json() objects (tabs, ", " between objects,
 * strings escaped as cJSON does): building a tree of 150,000 objects took
 * 200 MB and most of the time. A row is built in a buffer, then written.
 */

/* Room for the longest row: names and layout (under 256 bytes), and the
 * strings of the row (ref 65, numeroAns 11, state 18, amount 32,
 * numeroEditeur 6, numeroASP 64, two dates 24) escaped as \u00XX at worst,
 * 6 bytes per byte: 256 + 6 * 244 = 1720. */
#define JSON_ROW_MAX	2048

/* Appends n bytes of s to p, returns the end: a row is built from pieces
 * and written by length, never NUL-terminated. */
static char *
put_bytes(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return (p + n);
}

/* Appends s to p, quoted and escaped; returns the end. Runs of bytes JSON
 * takes as they are (all but controls, '"' and '\\') are copied whole. */
static char *
json_string(char *p, const char *s)
{
	/* What stops a run: the controls (NUL included), '"' and '\\'. */
	static const unsigned char stop[256] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		['"'] = 1, ['\\'] = 1
	};
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s, *run;

	*p++ = '"';
	for (;;) {
		for (run = u; !stop[*u]; u++)
			continue;
		p = put_bytes(p, run, (size_t)(u - run));
		if (*u == '\0')
			break;
		*p++ = '\\';
		switch (*u) {
		case '"':
		case '\\':
			*p++ = (char)*u;
			break;
		case '\b':
			*p++ = 'b';
			break;
		case '\f':
			*p++ = 'f';
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			p = put_bytes(p, "u00", 3);
			*p++ = hex[*u >> 4];
			*p++ = hex[*u & 15];
			break;
		}
		u++;
	}
	*p++ = '"';
	return (p);
}

/*
 * Appends one member of a row object: its key as JSON_KEY() makes it, then
 * a string or null, then "," unless last; returns the end.
 */
#define JSON_KEY(k) \
	"\t\t\"" k "\":\t", sizeof("\t\t\"" k "\":\t") - 1
static char *
json_member(char *p, const char *key, size_t keylen, const char *v,
    int last)
{
	p = put_bytes(p, key, keylen);
	if (v != NULL)
		p = json_string(p, v);
	else
		p = put_bytes(p, "null", 4);
	if (!last)
		*p++ = ',';
	*p++ = '\n';
	return (p);
}

static void
json_row(struct list_out *o, const struct segur_request_row *r, int first)
{
	char		 b[SEGUR_AMOUNT_BUFSZ], buf[JSON_ROW_MAX], *p = buf;
	const char	*s = segur_state_name(r->state);

	if (!first)
		p = put_bytes(p, ", ", 2);
	p = put_bytes(p, "{\n", 2);
	p = json_member(p, JSON_KEY("ref"), r->ref, 0);
	p = json_member(p, JSON_KEY("numeroAns"), r->numero_ans, 0);
	p = json_member(p, JSON_KEY("state"), s != NULL ? s : "?", 0);
	p = json_member(p, JSON_KEY("montantSegurHT"),
	    r->montant_cents >= 0 ? segur_amount_format(r->montant_cents, b) :
	    NULL, 0);
	p = json_member(p, JSON_KEY("numeroEditeur"),
	    r->numero_editeur[0] ? r->numero_editeur : NULL, 0);
	p = json_member(p, JSON_KEY("numeroASP"),
	    r->numero_asp[0] ? r->numero_asp : NULL, 0);
	p = json_member(p, JSON_KEY("createdAt"), r->created_at, 0);
	p = json_member(p, JSON_KEY("updatedAt"), r->updated_at, 1);
	p = put_bytes(p, "\t}", 2);
	out_put(o, buf, (size_t)(p - buf));
}

static int
list_row(void *arg, const struct segur_request_row *row)
{
	struct list_out	*o = arg;

	json_row(o, row, o->n == 0);
	o->n++;
	return (0);
}

/* A text line, as the library wrote it (segurctl_row_print()'s). */
static int
list_line(void *arg, const char *line, size_t len)
{
	struct list_out	*o = arg;

	out_put(o, line, len);
	o->n++;
	return (0);
}

static int
request_list_exec(const struct segurctl_cmd *self, struct segurctl_env *env,
    int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ "og", required_argument, NULL, 'o' },
		{ "esms", required_argument, NULL, 'e' },
		{ "since", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct segur_request_filter f = { -1, NULL, NULL, NULL, 0, 0 };
	struct list_out	 o;
	struct segur_ledger *l;
	char		*cause = NULL, *end;
	int		 c, rc, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			env->db_path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			if ((f.state = segur_state_parse(optarg)) < 0)
				return (segurctl_usage_error(self, env,
				    "unknown state '%s'", optarg));
			break;
		case 'o':
			f.og = optarg;
			break;
		case 'e':
			f.esms = optarg;
			break;
		case 'S':
			if (strlen(optarg) != 10 || optarg[4] != '-' ||
			    optarg[7] != '-')
				return (segurctl_usage_error(self, env,
				    "--since takes AAAA-MM-JJ"));
			f.since = optarg;
			break;
		case 'l':
			f.limit = strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '-')
				return (segurctl_usage_error(self, env,
				    "bad --limit '%s'", optarg));
			break;
		default:
			return (segurctl_usage_error(self, env,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind != argc)
		return (segurctl_usage_error(self, env, "no argument expected"));
	if ((rc = segurctl_ledger_open(self, env, 0, &l)) != 0)
		return (rc);
	o.env = env;
	o.n = 0;
	o.len = 0;
	/* Text lines come whole from the list index, rows are not filled. */
	if (json) {
		fputc('[', env->out);
		rc = segur_ledger_request_list(l, &f, list_row, &o, &cause);
	} else {
		segurctl_row_header(env->out);
		rc = segur_ledger_request_lines(l, &f, list_line, &o, &cause);
	}
	segur_ledger_close(l);
	out_flush(&o);
	/* On an error the array stays open: no reader takes it as whole. */
	if (rc != 0) {
		if (json)
			fputc('\n', env->out);
		return (segurctl_ledger_error(self, env, rc, cause));
	}
	if (json)
		fputs("]\n", env->out);
	if (fflush(env->out) != 0 || ferror(env->out)) {
		fprintf(env->err, "segurctl %s: write error\n", self->name);
		return (SEGURCTL_EXIT_USAGE);
	}
	return (SEGURCTL_EXIT_OK);
}

const struct segurctl_cmd cmd_request_list = {
	"request list",
	"[--json] [--state S] [--og FINESS] [--esms FINESS] [--since DATE] "
	"[--limit N]",
	"list requests, oldest change first", 0, request_list_exec
};
