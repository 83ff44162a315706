/*
 * bench-segurd.c: segurd taking files (make bench).
 *
 * Starts the segurd built beside this binary on a fresh ledger in a
 * temporary folder, then measures:
 *  - idle RSS (VmRSS, as the kernel counts it), two seconds after
 *    start-up, how much of it is shared library pages (mapped from files)
 *    rather than private memory, and the biggest mappings from
 *    /proc/PID/smaps; the configuration has no alert channel, so libcurl
 *    is never loaded (segurd loads it before its first delivery);
 *  - idle CPU time and wake-ups (context switches of all threads) over the
 *    next three seconds, where only timers should run (none is due);
 *  - latency from rename(2) into the inbox to the file leaving it (segurd
 *    leaves a file only after its transaction committed), one file at a
 *    time, 1,000 files: p50, p99, max;
 *  - a burst: 1,000 files renamed in at once, files per second until the
 *    last one left.
 * The files are well-formed JSON that answer no file the ledger sent, so
 * each is recorded as a quarantine with its anomaly alert and event: one
 * transaction and one move per file, as for an ASP return.
 *
 * Targets (issue 7): p99 under 200 ms, idle RSS under 10 MB, no wake-up
 * beyond the timers; the burst rate is reported.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-tmp.h"

#define NFILES	1000
#define IDLE_S	3

static char	 dir[PATH_MAX];

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

static void
die(const char *what)
{
	fprintf(stderr, "bench-segurd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t	 len = sizeof(sa);
	int		 s, port;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) != 0)
		die("bind");
	port = ntohs(sa.sin_port);
	close(s);
	return (port);
}

static int
serving(int port)
{
	struct sockaddr_in sa;
	int		 s, ok;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	ok = connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(s);
	return (ok);
}

/* A "Name: N" line of /proc/WHICH/status, WHICH being "PID" or
 * "PID/task/TID"; -1 if absent. */
static long
task_status(const char *which, const char *field)
{
	char	 path[128], line[256];
	size_t	 n = strlen(field);
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof(path), "/proc/%s/status", which);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return (kb);
}

/* A "Name: N kB" line of /proc/PID/status (VmRSS, RssAnon, RssFile). */
static long
status_kb(pid_t pid, const char *field)
{
	char	 which[32];

	snprintf(which, sizeof(which), "%d", (int)pid);
	return (task_status(which, field));
}

static long
rss_kb(pid_t pid)
{
	return (status_kb(pid, "VmRSS"));
}

/* utime + stime of the whole process, in clock ticks (proc(5) stat). */
static long
cpu_ticks(pid_t pid)
{
	char	 path[64], buf[1024], *p;
	unsigned long utime, stime;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After "pid (comm) ", whose comm may hold spaces: state is field
	 * 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %*d %*d "
	    "%*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return (-1);
	return ((long)(utime + stime));
}

/* Context switches of every thread: how often segurd woke up. */
static long
wakeups(pid_t pid)
{
	char	 path[300];
	struct dirent *e;
	DIR	*d;
	long	 n = 0, v;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return (-1);
	while ((e = readdir(d)) != NULL) {
		pid_t	 tid = (pid_t)atoi(e->d_name);
		char	 field[64];

		if (tid <= 0)
			continue;
		snprintf(field, sizeof(field), "%d/task/%d", (int)pid,
		    (int)tid);
		if ((v = task_status(field, "voluntary_ctxt_switches")) > 0)
			n += v;
		if ((v = task_status(field, "nonvoluntary_ctxt_switches")) >
		    0)
			n += v;
	}
	closedir(d);
	return (n);
}

/* Resident kB of one mapped file (or [heap], or anonymous memory). */
struct mapping {
	char	 name[128];
	long	 kb;
};

static int
cmp_mapping(const void *a, const void *b)
{
	long	 x = ((const struct mapping *)a)->kb;
	long	 y = ((const struct mapping *)b)->kb;

	return (x < y) - (x > y);
}

/*
 * The idle RSS by mapping, from /proc/PID/smaps (the sum is VmRSS):
 * which libraries' pages segurd has touched, and its anonymous memory.
 * Writes the biggest ones, in MB, into out.
 */
static void
rss_breakdown(pid_t pid, char *out, size_t outlen, int *nlibs)
{
	static struct mapping m[256];
	char	 path[64], line[512], name[128];
	const char *base;
	size_t	 n = 0, i, off = 0;
	FILE	*f;
	long	 kb;
	int	 fields;

	*nlibs = 0;
	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	snprintf(name, sizeof(name), "anonymous");
	while (fgets(line, sizeof(line), f) != NULL) {
		char	 range[64], perms[8], file[384];

		file[0] = '\0';
		fields = sscanf(line, "%63s %7s %*s %*s %*s %383s", range,
		    perms, file);
		if (fields >= 2 && strchr(range, '-') != NULL &&
		    strchr(range, ':') == NULL) {
			base = strrchr(file, '/');
			snprintf(name, sizeof(name), "%s", fields < 3 ||
			    file[0] == '\0' ? "anonymous" : base != NULL ?
			    base + 1 : file);
			/* [stack], [vdso] and the unnamed with the heap. */
			if (name[0] == '[' && strcmp(name, "[heap]") != 0)
				snprintf(name, sizeof(name), "anonymous");
			continue;
		}
		if (sscanf(line, "Rss: %ld kB", &kb) != 1 || kb == 0)
			continue;
		for (i = 0; i < n && strcmp(m[i].name, name) != 0; i++)
			;
		if (i == n) {
			if (n == sizeof(m) / sizeof(m[0]))
				continue;
			snprintf(m[n++].name, sizeof(m[0].name), "%s", name);
			if (strstr(name, ".so") != NULL)
				(*nlibs)++;
		}
		m[i].kb += kb;
	}
	fclose(f);
	qsort(m, n, sizeof(m[0]), cmp_mapping);
	for (i = 0; i < n && i < 8 && off < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, "%s%s %.1f",
		    i > 0 ? ", " : "", m[i].name, (double)m[i].kb / 1024);
}

/* Writes the n files stage/<prefix><i>.json. */
static void
stage(const char *prefix, int n)
{
	char	 path[PATH_MAX + 64];
	FILE	*f;
	int	 i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/stage/%s%04d.json", dir,
		    prefix, i);
		if ((f = fopen(path, "w")) == NULL)
			die(path);
		fprintf(f, "{\"idImport\":\"bench-%s-%d\",\"lignesImport\":[]}"
		    "\n", prefix, i);
		fclose(f);
	}
}

static void
move_in(const char *prefix, int i)
{
	char	 from[PATH_MAX + 64], to[PATH_MAX + 64];

	snprintf(from, sizeof(from), "%s/stage/%s%04d.json", dir, prefix, i);
	snprintf(to, sizeof(to), "%s/inbox/%s%04d.json", dir, prefix, i);
	if (rename(from, to) != 0)
		die("rename");
}

/* Reads inotify events until want names have left the inbox (60 s at
 * most without any); returns how many did. */
static int
wait_left(int fd, int want)
{
	char	 buf[64 * 1024]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t	 n;
	char	*q;
	int	 left = 0;

	while (left < want) {
		if (poll(&p, 1, 60000) <= 0)
			return (left);
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			die("read inotify");
		for (q = buf; q < buf + n; ) {
			const struct inotify_event *e = (const void *)q;

			if (e->len > 0 && e->name[0] != '.' &&
			    (e->mask & (IN_MOVED_FROM | IN_DELETE)))
				left++;
			q += sizeof(*e) + e->len;
		}
	}
	return (left);
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

int
main(int argc, char **argv)
{
	static double lat[NFILES];
	char	 self[PATH_MAX], bindir[PATH_MAX], cmd[5 * PATH_MAX];
	char	 conf[PATH_MAX + 32], *tmp;
	FILE	*f;
	pid_t	 pid;
	double	 t0, burst;
	long	 idle, idle_anon, idle_file, after;
	char	 breakdown[1024];
	long	 ticks0, ticks1, wake0, wake1;
	int	 nlibs;
	int	 port, fd, i, n, status;
	ssize_t	 len;

	(void)argc;
	(void)argv;
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		die("readlink");
	self[len] = '\0';
	snprintf(bindir, sizeof(bindir), "%s", dirname(self));
	if ((tmp = bench_tmpdir("segurd")) == NULL)
		die("mkdtemp");
	snprintf(dir, sizeof(dir), "%s", tmp);
	free(tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/inbox' '%s/stage' && "
	    "'%s/segurctl' --db '%s/ledger.db' init >/dev/null", dir, dir,
	    bindir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench-segurd: %s failed\n", cmd);
		return (1);
	}
	port = free_port();
	snprintf(conf, sizeof(conf), "%s/segurd.conf", dir);
	if ((f = fopen(conf, "w")) == NULL)
		die(conf);
	fprintf(f, "[ledger]\npath = ledger.db\n[log]\nlevel = warning\n"
	    "[inbox]\npath = inbox\narchive = archive\nquarantine = "
	    "quarantine\nsettle = 200ms\nrescan = 60s\n[http]\nlisten = "
	    "127.0.0.1:%d\n", port);
	fclose(f);
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		char	 exe[PATH_MAX + 16], log[PATH_MAX + 16];
		int	 lfd;

		snprintf(exe, sizeof(exe), "%s/segurd", bindir);
		snprintf(log, sizeof(log), "%s/segurd.log", dir);
		if ((lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
			dup2(lfd, 2);
		execl(exe, "segurd", "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; !serving(port); i++) {
		if (i > 300 || waitpid(pid, &status, WNOHANG) != 0) {
			fprintf(stderr, "bench-segurd: segurd did not start "
			    "(see %s/segurd.log)\n", dir);
			return (1);
		}
		usleep(100000);
	}
	sleep(2);
	idle = rss_kb(pid);
	idle_anon = status_kb(pid, "RssAnon");
	idle_file = status_kb(pid, "RssFile");
	rss_breakdown(pid, breakdown, sizeof(breakdown), &nlibs);
	/* Idle: nothing should run but timers (rescan and the outbox read
	 * every minute), so 3 s should see no wake-up at all. */
	ticks0 = cpu_ticks(pid);
	wake0 = wakeups(pid);
	sleep(IDLE_S);
	ticks1 = cpu_ticks(pid);
	wake1 = wakeups(pid);

	stage("one", NFILES);
	stage("burst", NFILES);
	if ((fd = inotify_init1(IN_CLOEXEC)) < 0)
		die("inotify_init1");
	snprintf(cmd, sizeof(cmd), "%s/inbox", dir);
	if (inotify_add_watch(fd, cmd, IN_MOVED_FROM | IN_DELETE) < 0)
		die("inotify_add_watch");

	for (i = 0; i < NFILES; i++) {
		t0 = now_ms();
		move_in("one", i);
		if (wait_left(fd, 1) != 1) {
			fprintf(stderr, "bench-segurd: file %d never left the "
			    "inbox\n", i);
			kill(pid, SIGKILL);
			return (1);
		}
		lat[i] = now_ms() - t0;
	}
	qsort(lat, NFILES, sizeof(lat[0]), cmp);

	t0 = now_ms();
	for (i = 0; i < NFILES; i++)
		move_in("burst", i);
	n = wait_left(fd, NFILES);
	burst = now_ms() - t0;
	after = rss_kb(pid);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(fd);

	printf("segurd idle RSS:                 %8.1f MB   (target < 10): "
	    "%.1f MB private, %.1f MB shared library pages\n",
	    (double)idle / 1024, (double)idle_anon / 1024,
	    (double)idle_file / 1024);
	printf("  idle RSS by mapping (MB):      %s; %d shared libraries "
	    "resident\n", breakdown, nlibs);
	printf("segurd idle for %d s:             %8.0f ms CPU, %ld "
	    "wake-ups (context switches, all threads)\n", IDLE_S,
	    (double)(ticks1 - ticks0) * 1e3 / (double)sysconf(_SC_CLK_TCK),
	    wake1 - wake0);
	printf("rename -> committed, one by one: p50 %6.1f ms  p99 %6.1f ms"
	    "  max %6.1f ms   (target p99 < 200)\n", lat[NFILES / 2],
	    lat[NFILES * 99 / 100], lat[NFILES - 1]);
	printf("burst of %d files:             %8.1f files/s (%d taken in "
	    "%.1f s)\n", NFILES, n * 1e3 / burst, n,
	    burst / 1e3);
	printf("segurd RSS after %d files:     %8.1f MB\n", 2 * NFILES,
	    (double)after / 1024);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "bench-segurd: segurd exited badly (%d)\n",
		    status);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (n == NFILES && system(cmd) != 0)
		fprintf(stderr, "bench-segurd: could not remove %s\n", dir);
	return (n == NFILES ? 0 : 1);
}
