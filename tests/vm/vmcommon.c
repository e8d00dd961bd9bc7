// SPDX-License-Identifier: MIT
#include "vmcommon.h"
#include "../live/expect_uapi.h"
#include "../live/oper_up.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct vm_tally vm_tally;

void vm_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(77);
}

__attribute__((format(printf, 3, 0)))
static void line(const char *tag, const char *name, const char *fmt, va_list ap)
{
	printf("%s %s: ", tag, name);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

bool vm_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(ok ? "PASS" : "FAIL", name, fmt, ap);
	va_end(ap);
	if (ok)
		vm_tally.pass++;
	else
		vm_tally.fail++;
	return ok;
}

void vm_known(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("KNOWN-DEVIATION", name, fmt, ap);
	va_end(ap);
	vm_tally.known++;
}

void vm_info(const char *fmt, ...)
{
	va_list ap;

	printf("INFO ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	vm_tally.info++;
}

int vm_exit_status(void)
{
	return vm_tally.fail ? 1 : 0;
}

void vm_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0) {
		/* best effort: a missing knob only means more stray frames */
	}
	close(fd);
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -errno;
	memset(ifr->ifr_name, 0, sizeof(ifr->ifr_name));
	strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
	r = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return r;
}

int vm_link_up(const char *name)
{
	struct ifreq ifr;
	int r = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);

	if (r)
		return r;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
}

void vm_require_uapi(enum tunvnet_uapi got)
{
	const char *want = live_expected_uapi();

	if (live_check_uapi(got)) {
		printf("FAIL: capability probe: expected uAPI %s (TUNVNET_EXPECT_UAPI), observed %s\n",
		       want, tunvnet_uapi_name(got));
		fflush(stdout);
		exit(1);
	}
	if (!want)
		vm_info("no expected uAPI generation for this kernel (TUNVNET_EXPECT_UAPI unset): "
			"a probe saying none would skip");
}

int vm_wait_oper_up(const char *name)
{
	return live_wait_oper_up(name, 5000) ? -ETIMEDOUT : 0;
}

int vm_ifindex(const char *name)
{
	unsigned int i = if_nametoindex(name);

	return i ? (int)i : -errno;
}

int vm_link_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int r = ifreq_ioctl(name, SIOCGIFHWADDR, &ifr);

	if (!r)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return r;
}

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

int vm_veth_add(const char *a, const char *b)
{
	struct nl_sock *sk = nl_open();
	int r;

	if (!sk)
		return -ENOMEM;
	r = rtnl_link_veth_add(sk, a, b, getpid());
	nl_socket_free(sk);
	return r < 0 ? -EIO : 0;
}

int vm_bridge_add(const char *name)
{
	struct nl_sock *sk = nl_open();
	int r;

	if (!sk)
		return -ENOMEM;
	r = rtnl_link_bridge_add(sk, name);
	nl_socket_free(sk);
	return r < 0 ? -EIO : 0;
}

int vm_link_set_master(const char *name, const char *master)
{
	struct nl_sock *sk = nl_open();
	struct rtnl_link *l;
	int mi = vm_ifindex(master), r;

	if (!sk)
		return -ENOMEM;
	if (mi < 0) {
		nl_socket_free(sk);
		return mi;
	}
	l = rtnl_link_alloc();
	rtnl_link_set_name(l, name);
	rtnl_link_set_master(l, mi);
	r = rtnl_link_add(sk, l, 0); /* RTM_NEWLINK without NLM_F_CREATE: change */
	if (r < 0) {
		struct rtnl_link *orig = NULL;

		if (rtnl_link_get_kernel(sk, 0, name, &orig) >= 0) {
			r = rtnl_link_change(sk, orig, l, 0);
			rtnl_link_put(orig);
		}
	}
	rtnl_link_put(l);
	nl_socket_free(sk);
	return r < 0 ? -EIO : 0;
}

int vm_link_del(const char *name)
{
	struct nl_sock *sk = nl_open();
	struct rtnl_link *l;
	int r;

	if (!sk)
		return -ENOMEM;
	l = rtnl_link_alloc();
	rtnl_link_set_name(l, name);
	r = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return r < 0 ? -EIO : 0;
}

int vm_pkt_socket(const char *ifname, int type)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, idx = vm_ifindex(ifname);

	if (idx < 0)
		return idx;
	/* protocol 0: send only, so nothing queues up on this socket */
	fd = socket(AF_PACKET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sll.sll_ifindex = idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int vm_pkt_send(int fd, int ifindex, uint16_t proto, const void *buf, size_t len)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	ssize_t n;

	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(proto);
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6); /* SOCK_DGRAM on Ethernet needs a destination */
	for (int tries = 0; tries < 1000; tries++) {
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll));
		if (n >= 0)
			return (size_t)n == len ? 0 : -EIO;
		if (errno != ENOBUFS && errno != EAGAIN)
			return -errno;
		usleep(1000);
	}
	return -ENOBUFS;
}

const char *vm_hex(const void *p, size_t len, char *buf, size_t cap)
{
	const uint8_t *b = p;
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < len && o + 4 < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%02x", i ? " " : "", b[i]);
	return buf;
}

void vm_hdr_bytes(const struct tunvnet_hdr *h, uint8_t out[20])
{
	memset(out, 0, 20);
	tunvnet_hdr_build(h, 20, TUNVNET_ENDIAN_LE, out, 20);
}
