/*
 * curl-load.h: libcurl, loaded with dlopen(3) when the first alert is due.
 *
 * segurd is not linked with libcurl: Debian's libcurl4 pulls in some
 * thirty libraries (libssl, GnuTLS through librtmp and libldap, p11-kit,
 * Kerberos, SASL, libssh2, nghttp2, ...) whose pages and constructors
 * cost an idle daemon about 5 MB of RSS, and most setups deliver an alert
 * rarely or never. The deliverer (deliver.c) calls segurd_curl_load()
 * before its first attempt; every libcurl call goes through segurd_curl,
 * the table of entry points filled then. The library stays loaded for the
 * life of the process (OpenSSL and GnuTLS keep global state that must not
 * be unloaded).
 *
 * A library that cannot be loaded (not installed, too old, a symbol
 * missing) is a failed attempt like a refused connection: the alert is
 * retried with the usual backoff, the log says why, /healthz answers 503
 * with segurd_curl_problem(), and segurd --check-config fails when a
 * channel is configured. Loop thread only: nothing here locks.
 *
 * SEGURD_LIBCURL in the environment names another file to load (tests of
 * the failure path; a libcurl installed elsewhere); the default is the
 * soname of Debian's libcurl4, "libcurl.so.4".
 */
#ifndef SEGURD_CURL_LOAD_H
#define SEGURD_CURL_LOAD_H

#include <curl/curl.h>

/* Oldest libcurl accepted: CURLOPT_PROTOCOLS_STR came in 7.85.0. */
#define SEGURD_CURL_MIN_VERSION	0x075500
#define SEGURD_CURL_SONAME	"libcurl.so.4"

/* The libcurl functions segurd calls, named without their "curl_". */
struct segurd_curl {
	CURLcode	(*global_init)(long);
	void		(*global_cleanup)(void);
	curl_version_info_data *(*version_info)(CURLversion);
	CURL		*(*easy_init)(void);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	void		(*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	(*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	(*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	(*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	(*multi_socket_action)(CURLM *, curl_socket_t, int,
			    int *);
	CURLMcode	(*multi_assign)(CURLM *, curl_socket_t, void *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	(*multi_cleanup)(CURLM *);
	const char	*(*multi_strerror)(CURLMcode);
};

/*
 * The entry points: all NULL until segurd_curl_load() has returned 0,
 * then valid for the life of the process.
 */
extern struct segurd_curl segurd_curl;

/*
 * Loads libcurl and fills segurd_curl, once; later calls return 0 at
 * once. On failure returns SEGUR_EIO with *cause set (caller frees):
 * which file, dlerror(3)'s words or the missing symbol, and what to
 * install; the next call tries again (the package may have been
 * installed meanwhile).
 */
int	segurd_curl_load(char **cause);

/* The loaded libcurl's version ("7.88.1", static), or NULL before. */
const char *segurd_curl_version(void);

/*
 * Why the last segurd_curl_load() failed (borrowed until the next call),
 * or NULL when it has not been called, or succeeded.
 */
const char *segurd_curl_problem(void);

#endif /* SEGURD_CURL_LOAD_H */
