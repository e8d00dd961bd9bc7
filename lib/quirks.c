/* SPDX-License-Identifier: MIT */
/*
 * Known bugs of the tun hashing series, probed on the running kernel with
 * a scratch tap and a few frames (issue 8 item 5): IPv6-only hash types
 * hashed with a short key (the key length taken from the wrong constants,
 * so the rest is stale kernel memory), and the queue index reported as the
 * hash in automatic queue mode. A kernel without the series has neither.
 * The series' own ioctl (backend_kernel.c), not tunvnet_dev_set_hash: the
 * configuration goes to the kernel as given, and the backend choice (which
 * asks this probe) stays out of it.
 */
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

#define PROBE_FRAMES 8
#define PROBE_BUF 65600

static pthread_mutex_t quirks_lock = PTHREAD_MUTEX_INITIALIZER;
static bool quirks_done;
static uint32_t quirks_found;
static int quirks_err;            /* a probe that could not finish, kept too */
static char quirks_why[200];

/* src MAC 02:74:76:71:6b:NN: our frames, told apart from the kernel's own. */
static const uint8_t probe_mac[5] = { 0x02, 0x74, 0x76, 0x71, 0x6b };

static size_t frame_tcp(uint8_t *f, bool v6, unsigned int n)
{
	size_t l3 = v6 ? 40 : 20, len = 14 + l3 + 20;

	memset(f, 0, len);
	f[0] = 0x02; f[5] = 0x01;
	memcpy(f + 6, probe_mac, sizeof(probe_mac));
	f[11] = (uint8_t)n;
	if (v6) {
		f[12] = 0x86; f[13] = 0xdd;
		f[14] = 0x60;
		f[18] = 0; f[19] = 20;           /* payload length */
		f[20] = 6; f[21] = 64;           /* TCP, hop limit */
		f[22] = 0xfd; f[37] = 1;         /* fd00::1 */
		f[38] = 0xfd; f[53] = 2;         /* fd00::2 */
	} else {
		f[12] = 0x08;
		f[14] = 0x45; f[17] = 40; f[22] = 64; f[23] = 6;
		f[26] = 10; f[29] = 1; f[30] = 10; f[33] = 2;
	}
	f[14 + l3] = 0x10; f[14 + l3 + 1] = (uint8_t)n;  /* source port */
	f[14 + l3 + 2] = 0x00; f[14 + l3 + 3] = 80;     /* destination port */
	f[14 + l3 + 12] = 0x50;                         /* data offset */
	return len;
}

struct scratch {
	struct tunvnet_dev *dev;
	enum tunvnet_uapi uapi;
	int tx;
	struct tunvnet_pkt pkt;
};

/* Send n frames, read back ours (hash values into out); the number read. */
static int exchange(struct scratch *s, bool v6, unsigned int n, uint32_t *out, uint8_t *frame0,
		    size_t *len0)
{
	uint8_t f[128];
	struct pollfd pfd[2];
	unsigned int i, got = 0, nq = tunvnet_dev_num_queues(s->dev);
	size_t len = 0;
	int r;

	for (i = 0; i < n; i++) {
		len = frame_tcp(f, v6, i);
		if (i == 0 && frame0) {
			memcpy(frame0, f, len);
			*len0 = len;
		}
		if (send(s->tx, f, len, 0) < 0)
			return tv_err(-errno, "quirks probe: send: %s", strerror(errno));
	}
	for (i = 0; i < nq; i++)
		pfd[i] = (struct pollfd){ .fd = tunvnet_dev_queue_fd(s->dev, i), .events = POLLIN };
	while (got < n) {
		r = poll(pfd, nq, 500);
		if (r <= 0)
			break;
		for (i = 0; i < nq; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (tunvnet_queue_read(s->dev, i, &s->pkt, 1) != 1)
				continue;
			if (s->pkt.len >= 14 &&
			    memcmp((uint8_t *)s->pkt.buf + 6, probe_mac, sizeof(probe_mac)) == 0)
				out[got++] = s->pkt.hdr.hash_value;
		}
	}
	return (int)got;
}

static int scratch_open(struct scratch *s)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	char path[128];
	int err, fd, i;

	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK;
	o.queues = 2;
	o.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN;
	err = tunvnet_dev_open("tvquirk%d", &o, &s->dev);
	if (err)
		return err;
	/* No IPv6 of the kernel's own (MLD, DAD) on the scratch device. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 tunvnet_dev_name(s->dev));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0) {
			/* best effort: its frames are told apart anyway */
		}
		close(fd);
	}
	err = tunvnet_dev_set_up(s->dev, true);
	if (err)
		return err;
	s->tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->tx < 0)
		return tv_err(-errno, "quirks probe: AF_PACKET socket: %s", strerror(errno));
	sll.sll_ifindex = tunvnet_dev_ifindex(s->dev);
	if (bind(s->tx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return tv_err(-errno, "quirks probe: bind: %s", strerror(errno));
	/* Frames sent before the carrier is up are dropped: wait for it. */
	for (i = 0; i < 200; i++) {
		char st[16] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/operstate",
			 tunvnet_dev_name(s->dev));
		f = fopen(path, "re");
		if (f) {
			if (!fgets(st, sizeof(st), f))
				st[0] = '\0';
			fclose(f);
		}
		if (strncmp(st, "up", 2) == 0 || strncmp(st, "unknown", 7) == 0)
			break;
		usleep(5000);
	}
	s->pkt.cap = PROBE_BUF;
	s->pkt.buf = malloc(PROBE_BUF);
	if (!s->pkt.buf)
		return tv_err(-ENOMEM, "out of memory");
	return 0;
}

static int probe_short_key(struct scratch *s, uint32_t *q)
{
	static const uint16_t table[1] = { 0 };
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	struct tunvnet_toeplitz *tp = NULL;
	struct tunvnet_class cls;
	uint8_t f0[128];
	size_t len0 = 0;
	uint32_t h[1];
	int err, n;

	c.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_TCPV6 | TUNVNET_HASH_TYPE_UDPV6;
	c.key = tunvnet_default_key();
	c.key_len = TUNVNET_KEY_MAX;
	c.table = table;
	c.table_len = 1;
	c.backend = TUNVNET_BACKEND_KERNEL;
	err = tv_kernel_apply(s->dev, s->uapi, &c);
	if (err)
		return err;
	n = exchange(s, true, 1, h, f0, &len0);
	if (n <= 0)
		return n < 0 ? n : tv_err(-EIO, "quirks probe: no IPv6 frame came back");
	err = tunvnet_toeplitz_new(c.key, c.key_len, TUNVNET_TOEPLITZ_AUTO, &tp);
	if (err)
		return err;
	err = tunvnet_classify_hash(f0, len0, TUNVNET_L2_ETH, c.types, TUNVNET_PROFILE_LINUX, tp,
				    &cls);
	tunvnet_toeplitz_free(tp);
	if (err)
		return err;
	if (cls.hash != h[0])
		*q |= TUNVNET_QUIRK_SHORT_KEY_IPV6;
	return 0;
}

static int probe_automq(struct scratch *s, uint32_t *q)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT;
	uint32_t h[PROBE_FRAMES];
	unsigned int i;
	int err, n;

	c.flags = TUNVNET_HASH_REPORT;
	c.types = TUNVNET_HASH_TYPE_IPV4 | TUNVNET_HASH_TYPE_TCPV4;
	c.backend = TUNVNET_BACKEND_KERNEL;
	err = tv_kernel_apply(s->dev, s->uapi, &c);
	if (err)
		return err;
	n = exchange(s, false, PROBE_FRAMES, h, NULL, NULL);
	if (n < 4)
		return n < 0 ? n : tv_err(-EIO, "quirks probe: %d of %d IPv4 frames came back", n,
					  PROBE_FRAMES);
	/* Eight flows whose 32-bit hashes all name one of two queues: the queue it is. */
	for (i = 0; i < (unsigned int)n; i++)
		if (h[i] >= tunvnet_dev_num_queues(s->dev))
			return 0;
	*q |= TUNVNET_QUIRK_AUTOMQ_VALUE_IS_QUEUE;
	return 0;
}

TUNVNET_API int tunvnet_kernel_quirks_probe(uint32_t *quirks)
{
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	struct scratch s = { .tx = -1 };
	uint32_t q = 0;
	int err;

	tv_err_clear();
	if (!quirks)
		return tv_err(-EINVAL, "no place to return the quirks");
	pthread_mutex_lock(&quirks_lock);
	if (quirks_done) {
		*quirks = quirks_found;
		err = quirks_err ? tv_err(quirks_err, "%s", quirks_why) : 0;
		pthread_mutex_unlock(&quirks_lock);
		return err;
	}
	err = tunvnet_caps_probe(-1, &caps);
	if (err == -EOPNOTSUPP) {
		/* Without the series there is nothing of it to get wrong. */
		err = 0;
		goto done;
	}
	if (err)
		goto out;
	s.uapi = caps.uapi;
	err = scratch_open(&s);
	if (!err && caps.flags & TUNVNET_CAP_RSS && caps.flags & TUNVNET_CAP_REPORT)
		err = probe_short_key(&s, &q);
	if (!err && caps.flags & TUNVNET_CAP_REPORT)
		err = probe_automq(&s, &q);
	if (s.tx >= 0)
		close(s.tx);
	free(s.pkt.buf);
	tunvnet_dev_close(s.dev);
	if (err && err != -EPERM && err != -EACCES) {
		/* Frames that did not come back will not next time either: keep the answer
		 * (each auto set_hash asks), unlike a missing privilege a later call may have. */
		quirks_err = err;
		snprintf(quirks_why, sizeof(quirks_why), "%s", tunvnet_last_error());
		quirks_done = true;
		*quirks = 0;
	}
	if (err)
		goto out;
done:
	quirks_found = q;
	quirks_done = true;
	*quirks = q;
	tv_err_clear();
out:
	pthread_mutex_unlock(&quirks_lock);
	return err;
}
