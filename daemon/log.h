/*
 * log.h: segurd's log, one line per record on stderr.
 *
 * Each record is one write(2) of "<N>message\n", N being the syslog
 * priority that journald reads from the prefix (sd-daemon(3)); control
 * characters in the message are written as \xHH so a record never spans
 * two lines. The level is checked before anything is formatted, so a
 * disabled log_debug() costs one comparison. Callers never pass secrets:
 * the configuration keeps them out of every string it hands out.
 */
#ifndef SEGURD_LOG_H
#define SEGURD_LOG_H

/* Levels, ordered; the values are the syslog priorities of the prefix. */
enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

/* Sets the most verbose level written (LOG_LEVEL_INFO until called). */
void	 log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parses "error", "warning", "info" or "debug"; 0 or -1. */
int	 log_level_parse(const char *s, enum log_level *level);
/* The name log_level_parse() accepts for level (static string). */
const char *log_level_name(enum log_level level);

/* Warning with ": strerror(errno)" appended; errno is preserved. */
void	 log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning without errno. */
void	 log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Error (priority 3) without errno: a failure the operator must see. */
void	 log_errorx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	 log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Start-up failures only: logs at priority 2 (with strerror(errno) for
 * fatal()) and exits with status 1. Never called once the loop runs.
 */
void	 fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* SEGURD_LOG_H */
