/* SPDX-License-Identifier: MIT */
/* The scripted /dev/net/tun behind fake_tun.h. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>

#include "fake_tun.h"
#include "uapi.h"

struct fake_tun fk;

/* With _FILE_OFFSET_BITS=64 (meson's default) glibc's open() is open64. */
int __wrap_open64(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

void fake_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.hdr_sz = 10;
	fk.steer_fd = -1;
}

int fake_count(unsigned long req)
{
	int i, n = 0;

	for (i = 0; i < fk.ncalls; i++)
		n += fk.calls[i].req == req;
	return n;
}

const struct fake_call *fake_nth(unsigned long req, int n)
{
	int i;

	for (i = 0; i < fk.ncalls; i++)
		if (fk.calls[i].req == req && n-- == 0)
			return &fk.calls[i];
	return NULL;
}

int __wrap_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (strcmp(path, "/dev/net/tun") != 0)
		return __real_open64(path, flags, mode);
	fk.opens++;
	if (fk.open_errno) {
		errno = fk.open_errno;
		return -1;
	}
	/* A real fd, so the library's close() and fcntl() have something to act on. */
	return __real_open64("/dev/null", O_RDWR | O_CLOEXEC);
}

/* Requests whose argument is passed by value rather than through a pointer. */
static bool by_value(unsigned long req)
{
	return req == TV_TUNSETPERSIST || req == TV_TUNSETOWNER || req == TV_TUNSETGROUP;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct fake_call *c = NULL;
	struct ifreq *ifr;
	va_list ap;
	void *arg;
	int nth;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (fk.ncalls < FAKE_MAX_CALLS) {
		c = &fk.calls[fk.ncalls++];
		c->fd = fd;
		c->req = req;
		if (by_value(req))
			c->val = (unsigned long)arg;
		else if (req == TV_TUNSETVNETHDRSZ || req == TV_TUNSETVNETLE ||
			 req == TV_TUNSETVNETBE || req == TV_TUNSETSTEERINGEBPF)
			c->val = (unsigned long)*(int *)arg;
		if (req == TV_TUNSETIFF) {
			ifr = arg;
			memcpy(c->name, ifr->ifr_name, IFNAMSIZ);
			c->val = (unsigned short)ifr->ifr_flags;
		}
	}
	nth = fake_count(req);
	if (fk.fail_req == req && (!fk.fail_nth || fk.fail_nth == nth)) {
		errno = fk.fail_errno;
		return -1;
	}

	switch (req) {
	case TV_TUNSETIFF:
		ifr = arg;
		if (!ifr->ifr_name[0])
			strcpy(ifr->ifr_name, "tvfake0"); /* the kernel picks a name */
		if (nth == 1) {
			fk.iff = (unsigned short)ifr->ifr_flags & ~TV_IFF_TUN_EXCL;
			memcpy(fk.name, ifr->ifr_name, IFNAMSIZ);
		}
		return 0;
	case TV_TUNGETIFF:
		ifr = arg;
		memcpy(ifr->ifr_name, fk.name, IFNAMSIZ);
		ifr->ifr_flags = (short)fk.iff;
		return 0;
	case TV_TUNSETPERSIST:
		if ((unsigned long)arg)
			fk.iff |= TV_IFF_PERSIST;
		else
			fk.iff &= ~TV_IFF_PERSIST;
		return 0;
	case TV_TUNSETOWNER:
	case TV_TUNSETGROUP:
		return 0;
	case TV_TUNSETVNETHDRSZ:
		if (*(int *)arg < 10) {
			errno = EINVAL;
			return -1;
		}
		fk.hdr_sz = *(int *)arg;
		return 0;
	case TV_TUNGETVNETHDRSZ:
		*(int *)arg = fk.hdr_sz;
		return 0;
	case TV_TUNSETVNETLE:
		fk.le = !!*(int *)arg;
		return 0;
	case TV_TUNGETVNETLE:
		*(int *)arg = fk.le;
		return 0;
	case TV_TUNSETVNETBE:
		fk.be = !!*(int *)arg;
		return 0;
	case TV_TUNGETVNETBE:
		*(int *)arg = fk.be;
		return 0;
	case TV_TUNSETSTEERINGEBPF:
		fk.steer_fd = *(int *)arg;
		return 0;
	case TV_TUNGETVNETHASHTYPES: /* generation B's probe */
		if (fk.series == 'B') {
			*(uint32_t *)arg = fk.series_types;
			return 0;
		}
		errno = EINVAL; /* tun's answer to an unknown ioctl */
		return -1;
	case TV_TUNSETVNETREPORTINGAUTOMQ:
	case TV_TUNSETVNETREPORTINGRSS:
	case TV_TUNSETVNETRSS:
		if (fk.series == 'B')
			return 0;
		errno = EINVAL;
		return -1;
	}
	errno = ENOTTY;
	return -1;
}
