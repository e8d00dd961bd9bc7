/* SPDX-License-Identifier: MIT */
/* Helpers for the live device tests: privilege check, link cleanup, ip(8). */
#ifndef TUNVNET_TEST_LIVE_H
#define TUNVNET_TEST_LIVE_H

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIVE_MAX_LINKS 8
static char live_links[LIVE_MAX_LINKS][IFNAMSIZ];

/* Run a shell command quietly; returns its exit status. */
static inline int live_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int live_sh(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	rc = system(cmd);
	return rc < 0 ? rc : WEXITSTATUS(rc);
}

static inline void live_del_all(void)
{
	int i;

	for (i = 0; i < LIVE_MAX_LINKS; i++) {
		if (live_links[i][0] && if_nametoindex(live_links[i]))
			live_sh("ip link del %s", live_links[i]);
		live_links[i][0] = '\0';
	}
}

/* Remember a link to delete at exit, even when an assertion fails. */
static inline void live_track(const char *name)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(live_del_all);
		registered = 1;
	}
	for (i = 0; i < LIVE_MAX_LINKS; i++)
		if (!live_links[i][0]) {
			snprintf(live_links[i], IFNAMSIZ, "%s", name);
			return;
		}
}

/* A name unique to this process: tv<tag><pid>. */
static inline void live_name(char *buf, const char *tag)
{
	snprintf(buf, IFNAMSIZ, "tv%s%d", tag, (int)getpid() % 100000);
}

/* Exit 77 (skipped) unless this process may create tun/tap devices. */
static inline void live_require_net_admin(void)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "skip: cannot open /dev/net/tun: %s\n", strerror(errno));
		exit(77);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "skip: cannot create a tap (%s): needs CAP_NET_ADMIN\n",
			strerror(errno));
		close(fd);
		exit(77);
	}
	close(fd); /* not persistent: gone with the fd */
}

#endif
