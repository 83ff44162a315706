/*
 * cmd-request-list.c: segurctl request list: requests by state, OG, ESMS,
 * date of last change, oldest change first.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segur/error.h"
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
 * --json is written request by request, straight into the output buffer,
 * in the very layout cJSON_Print() gives the array of segurctl_row_json()
 * objects (tabs, ", " between objects, strings escaped as cJSON does):
 * building a tree of 150,000 objects took 200 MB and most of the time.
 */

/* Room for one request's layout and names, its strings aside. */
#define JSON_LAYOUT_MAX	256

/* Appends n bytes of s to p, returns the end: a row is built from pieces
 * and written by length, never NUL-terminated. */
static char *
put_bytes(char *p, const void *s, size_t n)
{
	if (n > 0)
		memcpy(p, s, n);
	return (p + n);
}

/* Does any of the 8 bytes of v need escaping in JSON: a control (below
 * 0x20), '"' or '\\'? Bit tricks, exact for "any": a byte below k, or
 * equal to c, sets the high bit of its place. */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static int
json_stops8(uint64_t v)
{
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');

	return ((((v - ONES * 0x20) & ~v) | ((q - ONES) & ~q) |
	    ((b - ONES) & ~b)) & HIGHS) != 0;
}

/*
 * Copies the n bytes of s to p when none needs escaping (nearly always),
 * 8 at a time with a last word that overlaps the one before; returns the
 * end, or NULL, having copied some, when one does.
 */
static char *
json_plain(char *p, const unsigned char *s, size_t n)
{
	uint64_t	 v;
	uint32_t	 lo, hi;
	size_t		 i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			memcpy(&v, s + i, 8);
			if (json_stops8(v))
				return (NULL);
			memcpy(p + i, &v, 8);
		}
		memcpy(&v, s + n - 8, 8);
		if (json_stops8(v))
			return (NULL);
		memcpy(p + n - 8, &v, 8);
		return (p + n);
	}
	if (n >= 4) {
		/* The first 4 bytes and the last 4, which overlap when
		 * n < 8, tested as one word. */
		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		if (json_stops8((uint64_t)lo | (uint64_t)hi << 32))
			return (NULL);
		memcpy(p, &lo, 4);
		memcpy(p + n - 4, &hi, 4);
		return (p + n);
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			return (NULL);
		p[i] = (char)s[i];
	}
	return (p + n);
}

/* Appends the n bytes of s to p, quoted and escaped; returns the end. */
static char *
json_string(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s, *end = u + n;
	char		*q;

	*p++ = '"';
	if ((q = json_plain(p, u, n)) != NULL) {
		*q++ = '"';
		return (q);
	}
	for (; u < end; u++) {
		if (*u >= 0x20 && *u != '"' && *u != '\\') {
			*p++ = (char)*u;
			continue;
		}
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
	}
	*p++ = '"';
	return (p);
}

/*
 * Appends one member of a request object: its key as JSON_KEY() makes it,
 * then n bytes of v as a string, or null when v is NULL; then "," unless
 * last. Returns the end.
 */
#define JSON_KEY(k) \
	"\t\t\"" k "\":\t", sizeof("\t\t\"" k "\":\t") - 1
static char *
json_member(char *p, const char *key, size_t keylen, const char *v,
    size_t n, int last)
{
	p = put_bytes(p, key, keylen);
	if (v != NULL)
		p = json_string(p, v, n);
	else
		p = put_bytes(p, "null", 4);
	if (!last)
		*p++ = ',';
	*p++ = '\n';
	return (p);
}

/* The amount of v as segur_amount_format() writes it ("1003.67", from its
 * digits) into b, 32 bytes at least; returns its length. */
static size_t
json_amount(const struct segur_request_view *v, char *b)
{
	size_t	 k = v->ncents, n = 0;

	if (k > 2)
		n = (size_t)(put_bytes(b, v->cents, k - 2) - b);
	else
		b[n++] = '0';
	b[n++] = '.';
	b[n++] = k >= 2 ? v->cents[k - 2] : '0';
	b[n++] = v->cents[k - 1];
	return (n);
}

/* The request v as JSON into p, which has room for json_room(v); returns
 * the end. */
static char *
json_view(char *p, const struct segur_request_view *v, int first)
{
	const char	*s = segur_state_name(v->state);
	char		 b[32];
	size_t		 nb = 0;

	if (v->montant_cents >= 0 && v->ncents > 0)
		nb = json_amount(v, b);
	if (!first)
		p = put_bytes(p, ", ", 2);
	p = put_bytes(p, "{\n", 2);
	p = json_member(p, JSON_KEY("ref"), v->ref, v->nref, 0);
	p = json_member(p, JSON_KEY("numeroAns"), v->numero_ans,
	    v->nnumero_ans, 0);
	if (s == NULL)
		s = "?";
	/* The state's name and the amount's digits need no escaping. */
	p = put_bytes(p, JSON_KEY("state"));
	*p++ = '"';
	p = put_bytes(p, s, strlen(s));
	p = put_bytes(p, "\",\n", 3);
	p = put_bytes(p, JSON_KEY("montantSegurHT"));
	if (nb > 0) {
		*p++ = '"';
		p = put_bytes(p, b, nb);
		p = put_bytes(p, "\",\n", 3);
	} else
		p = put_bytes(p, "null,\n", 6);
	p = json_member(p, JSON_KEY("numeroEditeur"), v->nnumero_editeur > 0 ?
	    v->numero_editeur : NULL, v->nnumero_editeur, 0);
	p = json_member(p, JSON_KEY("numeroASP"), v->nnumero_asp > 0 ?
	    v->numero_asp : NULL, v->nnumero_asp, 0);
	p = json_member(p, JSON_KEY("createdAt"), v->created_at,
	    v->ncreated_at, 0);
	p = json_member(p, JSON_KEY("updatedAt"), v->updated_at,
	    v->nupdated_at, 1);
	return (put_bytes(p, "\t}", 2));
}

/* The most bytes json_view() writes for v: its layout, and each byte of
 * its strings escaped as \u00XX at worst. */
static size_t
json_room(const struct segur_request_view *v)
{
	return (JSON_LAYOUT_MAX + 6 * (v->nref + v->nnumero_ans + 32 +
	    v->nnumero_editeur + v->nnumero_asp + v->ncreated_at +
	    v->nupdated_at));
}

static int
list_view(void *arg, const struct segur_request_view *v)
{
	struct list_out	*o = arg;
	size_t		 room = json_room(v);
	char		*big, *end;

	/* Nearly always in the buffer; a request of huge texts on its own. */
	if (o->len + room > sizeof(o->buf))
		out_flush(o);
	if (room <= sizeof(o->buf)) {
		end = json_view(o->buf + o->len, v, o->n == 0);
		o->len = (size_t)(end - o->buf);
	} else {
		if ((big = malloc(room)) == NULL)
			return (SEGUR_ENOMEM);
		end = json_view(big, v, o->n == 0);
		fwrite(big, 1, (size_t)(end - big), o->env->out);
		free(big);
	}
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
		rc = segur_ledger_request_views(l, &f, list_view, &o, &cause);
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
