/*
 * curl-load.c: dlopen(3) of libcurl on first use (curl-load.h).
 *
 * Each entry point is looked up by name with dlsym(3) and copied into its
 * slot of segurd_curl by memcpy(): ISO C has no conversion from void * to
 * a function pointer, POSIX guarantees the two have the same
 * representation. The table is filled into a local copy and published
 * whole, so a half-resolved library is never used.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "segur/error.h"
#include "segur/util.h"

#include "curl-load.h"

struct segurd_curl segurd_curl;

static void	*handle;		/* never closed once loaded */
static char	 version[32];
static char	*problem;		/* last failure, or NULL */

#define SYM(f)	{ "curl_" #f, offsetof(struct segurd_curl, f) }

static const struct {
	const char	*name;
	size_t		 off;
} syms[] = {
	SYM(global_init), SYM(global_cleanup), SYM(version_info),
	SYM(easy_init), SYM(easy_setopt), SYM(easy_getinfo),
	SYM(easy_cleanup), SYM(easy_strerror), SYM(slist_append),
	SYM(slist_free_all), SYM(multi_init), SYM(multi_setopt),
	SYM(multi_add_handle), SYM(multi_remove_handle),
	SYM(multi_socket_action), SYM(multi_assign), SYM(multi_info_read),
	SYM(multi_cleanup), SYM(multi_strerror)
};

/* Keeps why loading failed (msg, owned) for /healthz; SEGUR_EIO. */
static int
failed(char **cause, char *msg)
{
	free(problem);
	if ((problem = msg) == NULL)
		return segur_cause(cause, SEGUR_ENOMEM, "mémoire épuisée");
	return segur_cause(cause, SEGUR_EIO, "%s", msg);
}

int
segurd_curl_load(char **cause)
{
	struct segurd_curl	 c;
	curl_version_info_data	*vi;
	const char		*file = getenv("SEGURD_LIBCURL");
	const char		*err;
	void			*h, *p;
	size_t			 i;
	char			 vers[32];

	if (handle != NULL)
		return 0;
	if (file == NULL || *file == '\0')
		file = SEGURD_CURL_SONAME;
	if ((h = dlopen(file, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		return failed(cause, segur_asprintf("impossible de charger "
		    "libcurl (%s), nécessaire à l'envoi des alertes : %s ; "
		    "installez le paquet Debian libcurl4", file,
		    err != NULL ? err : "erreur inconnue"));
	}
	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((p = dlsym(h, syms[i].name)) == NULL) {
			dlclose(h);
			return failed(cause, segur_asprintf("%s n'est pas "
			    "une libcurl utilisable : %s y manque", file,
			    syms[i].name));
		}
		memcpy((char *)&c + syms[i].off, &p, sizeof(p));
	}
	vi = c.version_info(CURLVERSION_NOW);
	if (vi == NULL || vi->version_num < SEGURD_CURL_MIN_VERSION) {
		snprintf(vers, sizeof(vers), "%s", vi != NULL &&
		    vi->version != NULL ? vi->version : "inconnue");
		dlclose(h);
		return failed(cause, segur_asprintf("%s est libcurl %s : "
		    "segurd demande la 7.85.0 ou plus récente", file, vers));
	}
	snprintf(version, sizeof(version), "%s", vi->version);
	segurd_curl = c;
	handle = h;
	free(problem);
	problem = NULL;
	return 0;
}

const char *
segurd_curl_version(void)
{
	return handle != NULL ? version : NULL;
}

const char *
segurd_curl_problem(void)
{
	return problem;
}
