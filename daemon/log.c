/*
 * log.c: one-line records with journald priority prefixes (log.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Formatted message size; longer messages are cut and end with "...". */
#define LOG_MSG_MAX	2048
/* Worst case after escaping: "<N>" + 4 bytes per byte + "\n". */
#define LOG_LINE_MAX	(4 + 4 * LOG_MSG_MAX + 2)

static enum log_level log_level = LOG_LEVEL_INFO;

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return (log_level);
}

static const struct {
	const char	*name;
	enum log_level	 level;
} log_levels[] = {
	{ "error", LOG_LEVEL_ERROR },
	{ "warning", LOG_LEVEL_WARNING },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
};

int
log_level_parse(const char *s, enum log_level *level)
{
	size_t	 i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcmp(s, log_levels[i].name) == 0) {
			*level = log_levels[i].level;
			return (0);
		}
	}
	return (-1);
}

const char *
log_level_name(enum log_level level)
{
	size_t	 i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == level)
			return (log_levels[i].name);
	return ("unknown");
}

/*
 * Formats and writes one record. errnum is appended as ": strerror" when
 * not 0. The whole line goes out in one write(2), so records from the
 * loop thread and from a uv_queue_work thread never interleave.
 */
static void __attribute__((format(printf, 3, 0)))
log_vrecord(int prio, int errnum, const char *fmt, va_list ap)
{
	char	 msg[LOG_MSG_MAX], line[LOG_LINE_MAX];
	size_t	 n, i, o;
	int	 len;

	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (len < 0)
		len = snprintf(msg, sizeof(msg), "(message illisible)");
	n = strlen(msg);
	if (errnum != 0 && n < sizeof(msg) - 1)
		snprintf(msg + n, sizeof(msg) - n, " : %s", strerror(errnum));
	n = strlen(msg);
	if ((size_t)len >= sizeof(msg) && n >= 3) {
		/* Cut on a character boundary: French text is UTF-8. */
		n -= 3;
		while (n > 0 && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
		memcpy(msg + n, "...", 4);
		n += 3;
	}

	o = (size_t)snprintf(line, sizeof(line), "<%d>", prio);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(line + o, sizeof(line) - o,
			    "\\x%02x", c);
		} else
			line[o++] = (char)c;
	}
	line[o++] = '\n';
	/* Nothing sensible to do if stderr is gone: the record is lost. */
	while (write(STDERR_FILENO, line, o) < 0 && errno == EINTR)
		continue;
}

#define LOG_BODY(prio, errnum) do {					\
	va_list	 ap;							\
									\
	va_start(ap, fmt);						\
	log_vrecord((prio), (errnum), fmt, ap);				\
	va_end(ap);							\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int	 saved = errno;

	if (log_level >= LOG_LEVEL_WARNING)
		LOG_BODY(LOG_LEVEL_WARNING, saved);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int	 saved = errno;

	if (log_level >= LOG_LEVEL_WARNING)
		LOG_BODY(LOG_LEVEL_WARNING, 0);
	errno = saved;
}

void
log_errorx(const char *fmt, ...)
{
	int	 saved = errno;

	LOG_BODY(LOG_LEVEL_ERROR, 0);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	int	 saved = errno;

	if (log_level >= LOG_LEVEL_INFO)
		LOG_BODY(LOG_LEVEL_INFO, 0);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int	 saved = errno;

	if (log_level >= LOG_LEVEL_DEBUG)
		LOG_BODY(LOG_LEVEL_DEBUG, 0);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int	 saved = errno;

	LOG_BODY(2, saved);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(2, 0);
	exit(1);
}
