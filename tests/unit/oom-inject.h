/*
 * oom-inject.h: allocation failures for the *-oom tests. Include it in
 * exactly one file of a test binary (it defines malloc and its family).
 *
 * Set oom_left to n and the (n+1)-th allocation from then on fails, and
 * every one after it, until oom_left is set back to -1 (never fail);
 * oom_left shows how many allocations a run had to spare. Two hooks
 * count:
 *
 *  - malloc, calloc, realloc and reallocarray are replaced (glibc allows
 *    it; the real ones stay reachable as __libc_*): every allocation of
 *    the process, the library's own, cJSON's and SQLite's. Under
 *    AddressSanitizer (which owns malloc) they are left out: OOM_LIBC is
 *    0.
 *  - oom_sqlite_install() wraps SQLite's allocator
 *    (SQLITE_CONFIG_MALLOC); it counts only when OOM_LIBC is 0, SQLite's
 *    default allocator calling malloc otherwise. So under ASan, SQLite's
 *    allocations still fail, and its leak checker sees the error paths.
 */
#ifndef OOM_INJECT_H
#define OOM_INJECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sqlite3.h>

#if defined(__SANITIZE_ADDRESS__)
#define OOM_LIBC	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_LIBC	0
#endif
#endif
#ifndef OOM_LIBC
#define OOM_LIBC	1
#endif

/* Calls left before allocations fail; -1: never fail. */
static long oom_left = -1;

/* Does this allocation fail? Counts it. */
static inline int
oom_now(void)
{
	if (oom_left < 0)
		return (0);
	if (oom_left == 0)
		return (1);
	oom_left--;
	return (0);
}

#if OOM_LIBC
extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	 __libc_free(void *);

void *
malloc(size_t n)
{
	return (oom_now() ? NULL : __libc_malloc(n));
}

void *
calloc(size_t m, size_t n)
{
	return (oom_now() ? NULL : __libc_calloc(m, n));
}

void *
realloc(void *p, size_t n)
{
	return (oom_now() ? NULL : __libc_realloc(p, n));
}

void *
reallocarray(void *p, size_t m, size_t n)
{
	if (n != 0 && m > SIZE_MAX / n)
		return (NULL);
	return (realloc(p, m * n));
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

/* SQLite's own allocator, wrapped by the two below. */
static sqlite3_mem_methods oom_sqlite_real;

static inline void *
oom_sqlite_malloc(int n)
{
	return (!OOM_LIBC && oom_now() ? NULL : oom_sqlite_real.xMalloc(n));
}

static inline void *
oom_sqlite_realloc(void *p, int n)
{
	return (!OOM_LIBC && oom_now() ? NULL :
	    oom_sqlite_real.xRealloc(p, n));
}

/* Wraps SQLite's allocator; before anything initializes SQLite. 0 or an
 * SQLite error code. */
static inline int
oom_sqlite_install(void)
{
	sqlite3_mem_methods	 m;
	int			 rc;

	if ((rc = sqlite3_config(SQLITE_CONFIG_GETMALLOC, &oom_sqlite_real)) !=
	    SQLITE_OK)
		return (rc);
	m = oom_sqlite_real;
	m.xMalloc = oom_sqlite_malloc;
	m.xRealloc = oom_sqlite_realloc;
	return (sqlite3_config(SQLITE_CONFIG_MALLOC, &m));
}

#endif /* OOM_INJECT_H */
