// SPDX-License-Identifier: MIT
/*
 * The verified workload: for tun and macvtap, 4 queues, in each hash mode
 * (RSS+report, report only, RSS only) and type set (all six, IPv4 only,
 * IPv6 only, none), inject frames over many flows and shapes, read every
 * queue concurrently (a thread per queue) with the library, verify every
 * packet with tunvnet_verify_packet (profile linux), and match every frame
 * received to one sent by the id in its trailer.
 *
 * The mix includes GRE, IPIP and IPv6-in-IP frames (valid, invalid, outer
 * only): the verifier models the kernel following them (tunnel-inner), and
 * learns the key the kernel really uses for IPv6-only types (short-key-ipv6).
 *
 * Then the probes behind doc/kernel-findings.md: the key length the kernel
 * takes for IPv6-only types, the automq value, GRE.
 *
 * Usage: vm-workload KERNEL-NAME [FRAMES-PER-CONFIG]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "frames.h"
#include "vmcommon.h"

/*
 * The kernel series is what runs here: the backend by name, so the library's
 * auto choice (which routes around the series' known bugs) stays out of it.
 */
#define TUNVNET_HASH_CFG_INIT_KERNEL                                           \
	{ .sz = sizeof(struct tunvnet_hash_cfg), .backend = TUNVNET_BACKEND_KERNEL }

#define NQ 4
#define MAX_FRAMES 4096
#define ALL_DEV (TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE | TUNVNET_DEVIATION_SHORT_KEY_IPV6 | \
		 TUNVNET_DEVIATION_VLAN_AF_PACKET | TUNVNET_DEVIATION_TUNNEL_INNER)
#define NDEV 4

static unsigned int frames_per_cfg = 400;

struct totals {
	uint64_t verified, matches, known, mismatches, unchecked, lost, dup, stray, sent;
	uint64_t known_by[NDEV];
};
static struct totals tot;

/* The device under test and how to reach it. */
struct target {
	const char *name; /* "tun" / "macvtap" */
	enum tunvnet_kind kind;
	enum tunvnet_l2 l2;
	struct tunvnet_dev *dev;
	int fd, ifindex;  /* AF_PACKET sender */
	bool eth;         /* frames carry an Ethernet header (SOCK_RAW) */
	uint8_t dmac[6], smac[6];
};

/* One run: config, verifier, bookkeeping shared with the reader threads. */
struct run {
	struct target *t;
	struct tunvnet_hash_cfg cfg;
	struct tunvnet_verifier *v;
	pthread_mutex_t lock;
	atomic_uint received;   /* frames with one of our ids */
	atomic_bool stop;
	uint8_t seen[MAX_FRAMES]; /* per id: times received */
	uint32_t id_base;
	unsigned int nframes;
	char label[96];
	unsigned int printed_mm, printed_known, printed_unchecked, printed_tunnel;
	struct totals c; /* this run's counts */
};

static const char *const dev_names[NDEV] = { "automq-value-is-queue", "short-key-ipv6",
					      "vlan-af-packet", "tunnel-inner" };

/* The first deviation in d besides automq's (which floods), else that one. */
static const char *dev_name(uint32_t d)
{
	uint32_t rare = d & ~TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE;

	for (int b = 0; b < NDEV; b++)
		if ((rare ? rare : d) & (1u << b))
			return dev_names[b];
	return "?";
}

static void on_packet(struct run *r, unsigned int q, const struct tunvnet_pkt *p)
{
	struct tunvnet_verdict vd;
	int64_t id = fr_find_id(p->buf, p->len);
	char hx[200];
	int e;

	pthread_mutex_lock(&r->lock);
	e = tunvnet_verify_packet(r->v, q, &p->hdr, p->buf, p->len, &vd);
	if (id >= r->id_base && id < r->id_base + r->nframes) {
		if (r->seen[id - r->id_base]++)
			r->c.dup++;
		else
			atomic_fetch_add(&r->received, 1);
	} else {
		r->c.stray++;
	}
	if (e) {
		r->c.mismatches++;
		printf("FAIL %s: tunvnet_verify_packet returned %d (%s)\n", r->label, e,
		       tunvnet_last_error());
	} else if (vd.code == TUNVNET_VERDICT_MISMATCH) {
		r->c.verified++;
		r->c.mismatches++;
		if (r->printed_mm++ < 8)
			printf("MISMATCH %s: queue %u: %s; frame %s\n", r->label, q, vd.why,
			       vm_hex(p->buf, p->len < 64 ? p->len : 64, hx, sizeof(hx)));
	} else if (vd.code == TUNVNET_VERDICT_KNOWN_DEVIATION) {
		r->c.verified++;
		r->c.known++;
		for (int b = 0; b < NDEV; b++)
			if (vd.deviation & (1u << b))
				r->c.known_by[b]++;
		/* automq and short-key flood: 2 per run; the rest always, with the frame */
		if (r->printed_known++ < 2 ||
		    (vd.deviation & ~(TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE |
				      TUNVNET_DEVIATION_SHORT_KEY_IPV6 | TUNVNET_DEVIATION_TUNNEL_INNER)) ||
		    ((vd.deviation & TUNVNET_DEVIATION_TUNNEL_INNER) && r->printed_tunnel++ < 3))
			printf("KNOWN-DEVIATION %s: %s: %s; frame %s\n", r->label, dev_name(vd.deviation),
			       vd.why,
			       vm_hex(p->buf, p->len < 64 ? p->len : 64, hx, sizeof(hx)));
	} else if (vd.code == TUNVNET_VERDICT_MATCH) {
		r->c.verified++;
		r->c.matches++;
	} else {
		r->c.unchecked++;
	}
	pthread_mutex_unlock(&r->lock);
}

struct reader {
	struct run *r;
	unsigned int q;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct run *r = rd->r;
	int fd = tunvnet_dev_queue_fd(r->t->dev, rd->q);
	enum { B = 16, BUFSZ = 65600 }; /* macvtap: GSO-sized frames possible */
	uint8_t *bufs = malloc((size_t)B * BUFSZ);
	struct tunvnet_pkt pk[B];

	if (!bufs)
		return NULL;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int n = poll(&pfd, 1, 20);

		if (n <= 0) {
			if (atomic_load(&r->stop))
				break;
			continue;
		}
		for (int i = 0; i < B; i++) {
			pk[i].buf = bufs + (size_t)i * BUFSZ;
			pk[i].cap = BUFSZ;
		}
		n = tunvnet_queue_read(r->t->dev, rd->q, pk, B);
		if (n == -EMSGSIZE) {
			printf("FAIL %s: queue %u: buffers smaller than the device's largest frame\n",
			       r->label, rd->q);
			break;
		}
		for (int i = 0; i < n; i++)
			on_packet(r, rd->q, &pk[i]);
	}
	free(bufs);
	return NULL;
}

/* ---- flows and shapes ---- */

struct flow {
	uint8_t v4s[4], v4d[4], v6s[16], v6d[16];
	uint16_t sport, dport;
};

static void make_flows(struct flow *f, unsigned int n, uint64_t *rng)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t a = fr_rand(rng), b = fr_rand(rng);

		/* 10.x and 2001:db8: addresses that exist only inside the guest */
		f[i].v4s[0] = 10; f[i].v4s[1] = (uint8_t)(a >> 16); f[i].v4s[2] = (uint8_t)(a >> 8);
		f[i].v4s[3] = (uint8_t)a;
		f[i].v4d[0] = 10; f[i].v4d[1] = (uint8_t)(b >> 16); f[i].v4d[2] = (uint8_t)(b >> 8);
		f[i].v4d[3] = (uint8_t)b;
		f[i].v6s[0] = 0x20; f[i].v6s[1] = 0x01; f[i].v6s[2] = 0x0d; f[i].v6s[3] = 0xb8;
		memcpy(f[i].v6d, f[i].v6s, 4);
		for (int k = 4; k < 16; k += 4) {
			uint32_t x = fr_rand(rng), y = fr_rand(rng);

			memcpy(f[i].v6s + k, &x, 4);
			memcpy(f[i].v6d + k, &y, 4);
		}
		f[i].sport = (uint16_t)fr_rand(rng);
		f[i].dport = (uint16_t)fr_rand(rng);
	}
}

/* Shapes, cycled through; VLAN ones only where frames carry Ethernet. */
enum shape {
	S_V4_TCP, S_V4_UDP, S_V4_SCTP, S_V4_ICMP, S_V4_OPT_TCP, S_V4_OPT_UDP,
	S_V4_FRAG_FIRST, S_V4_FRAG_LATER, S_V4_TCP_PORTS_ONLY,
	S_V6_TCP, S_V6_UDP, S_V6_OTHER, S_V6_HOP_TCP, S_V6_HAO_UDP, S_V6_RT2_TCP,
	S_V6_HAO_RT2_TCP, S_V6_FRAG_FIRST, S_V6_FRAG_LATER, S_V6_DST_UDP,
	S_NONIP, S_ARP,
	/* tunnels: the kernel hashes the inner packet (tunnel-inner) */
	S_V4_GRE_UDP, S_V6_GRE_TCP, S_V4_GRE_TEB_TCP, S_V4_GRE_PPTP_UDP, S_V4_IPIP_TCP,
	S_V4_6IN4_UDP, S_V6_4IN6_UDP, S_V4_GRE_BOGUS, S_V4_GRE_V1_IP, S_V4_GRE_FRAG,
	S_V4_GRE_NONIP, S_V4_GRE_ROUTING,
	S_VLAN_V4_TCP, S_VLAN_V6_UDP, S_QINQ_V4_UDP,
	S_COUNT
};
static const char *shape_names[S_COUNT] = {
	"v4-tcp", "v4-udp", "v4-sctp", "v4-icmp", "v4-opt-tcp", "v4-opt-udp", "v4-frag-first",
	"v4-frag-later", "v4-tcp-ports-only", "v6-tcp", "v6-udp", "v6-other", "v6-hop-tcp",
	"v6-hao-udp", "v6-rt2-tcp", "v6-hao-rt2-tcp", "v6-frag-first", "v6-frag-later",
	"v6-dst-udp", "non-ip", "arp", "v4-gre-udp", "v6-gre-tcp", "v4-gre-teb-tcp",
	"v4-gre-pptp-udp", "v4-ipip-tcp", "v4-6in4-udp", "v6-4in6-udp", "v4-gre-bogus",
	"v4-gre-v1-ip", "v4-gre-frag", "v4-gre-nonip", "v4-gre-routing", "vlan-v4-tcp",
	"vlan-v6-udp", "qinq-v4-udp",
};

/*
 * Tunnel shapes: the inner packet comes from the same flow (addresses and
 * ports mirrored), so a flow keeps one inner flow; GRE flags and key come
 * from the flow too.
 */
static void tunnel_spec(enum shape sh, const struct flow *f, uint32_t id, struct fr_spec *s,
			struct fr_spec *in, uint64_t *rng)
{
	static const uint16_t gre_opts[5] = { 0, 0x8000, 0x2000, 0x1000, 0xb000 };
	bool v6_outer = sh == S_V6_GRE_TCP || sh == S_V6_4IN6_UDP;
	bool v6_inner = sh == S_V6_GRE_TCP || sh == S_V4_6IN4_UDP;

	memset(s, 0, sizeof(*s));
	memset(in, 0, sizeof(*in));
	s->id = in->id = id;
	s->l3 = v6_outer ? FR_IPV6 : FR_IPV4;
	memcpy(s->src, v6_outer ? f->v6s : f->v4s, v6_outer ? 16 : 4);
	memcpy(s->dst, v6_outer ? f->v6d : f->v4d, v6_outer ? 16 : 4);
	in->l3 = v6_inner ? FR_IPV6 : FR_IPV4;
	memcpy(in->src, v6_inner ? f->v6d : f->v4d, v6_inner ? 16 : 4);
	memcpy(in->dst, v6_inner ? f->v6s : f->v4s, v6_inner ? 16 : 4);
	in->src[v6_inner ? 15 : 3] ^= 0x33; /* not the outer pair reversed */
	in->sport = f->dport;
	in->dport = f->sport;
	in->pad = fr_rand(rng) % 16;
	s->tun = FR_TUN_GRE;
	s->inner = in;
	s->gre_flags = gre_opts[f->sport % 5];
	s->gre_key = 0x6b000000u | f->dport;
	switch (sh) {
	case S_V4_GRE_UDP: case S_V4_6IN4_UDP: case S_V6_4IN6_UDP: in->proto = 17; break;
	case S_V4_GRE_PPTP_UDP:
		in->proto = 17;
		s->gre_flags = 0x2001 | (f->sport & 1 ? 0x1080 : 0); /* K, version 1, S+A or not */
		s->gre_proto = 0x880b;
		s->ppp_proto = 0x0021;
		break;
	case S_V4_GRE_TEB_TCP: in->proto = 6; s->inner_eth = true; break;
	case S_V4_GRE_V1_IP:
		/* version 1 but not PPTP: the dissector stops at the outer header */
		in->proto = 6;
		s->gre_flags = 0x0001;
		s->gre_proto = 0x0800;
		break;
	case S_V4_GRE_FRAG: in->proto = 17; s->more_frags = true; break;
	case S_V4_GRE_NONIP: in->l3 = FR_NONIP; s->gre_proto = 0x88b5; break;
	case S_V4_GRE_ROUTING: in->proto = 6; s->gre_flags = 0x4000; break; /* not looked into */
	case S_V4_GRE_BOGUS:
		/* protocol 47 whose payload is pad bytes a0 a1 a2 ... (or the id
		 * trailer when short): flags C|K, version 1, or routing set */
		s->tun = FR_TUN_NONE;
		s->inner = NULL;
		s->proto = 47;
		s->pad = fr_rand(rng) % 12;
		break;
	default: in->proto = 6; break; /* v6-gre-tcp, v4-ipip-tcp */
	}
	if (sh == S_V4_IPIP_TCP || sh == S_V4_6IN4_UDP || sh == S_V6_4IN6_UDP)
		s->tun = FR_TUN_IPIP;
}

static void shape_spec(enum shape sh, const struct flow *f, uint32_t id, struct fr_spec *s,
		       struct fr_spec *inner, uint64_t *rng)
{
	if (sh >= S_V4_GRE_UDP && sh <= S_V4_GRE_ROUTING) {
		tunnel_spec(sh, f, id, s, inner, rng);
		return;
	}
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->sport = f->sport;
	s->dport = f->dport;
	s->pad = fr_rand(rng) % 40;
	if (sh <= S_V4_TCP_PORTS_ONLY || sh == S_VLAN_V4_TCP || sh == S_QINQ_V4_UDP) {
		s->l3 = FR_IPV4;
		memcpy(s->src, f->v4s, 4);
		memcpy(s->dst, f->v4d, 4);
	} else if (sh < S_NONIP || sh == S_VLAN_V6_UDP) {
		s->l3 = FR_IPV6;
		memcpy(s->src, f->v6s, 16);
		memcpy(s->dst, f->v6d, 16);
		memcpy(s->hao, f->v6s, 16);
		s->hao[15] ^= 0x5a; /* differs from the source, as a care-of address would */
		memcpy(s->rt2, f->v6d, 16);
		s->rt2[15] ^= 0xa5;
	}
	if (sh == S_VLAN_V4_TCP || sh == S_VLAN_V6_UDP)
		s->vlan_tags = 1;
	switch (sh) {
	case S_V4_TCP: case S_V6_TCP: case S_VLAN_V4_TCP: s->proto = 6; break;
	case S_V4_UDP: case S_V6_UDP: case S_VLAN_V6_UDP: s->proto = 17; break;
	case S_V4_SCTP: s->proto = 132; break;
	case S_V4_ICMP: s->proto = 1; break;
	case S_V4_OPT_TCP: s->proto = 6; s->v4_opt_len = 4 * (1 + fr_rand(rng) % 10); break;
	case S_V4_OPT_UDP: s->proto = 17; s->v4_opt_len = 8; break;
	case S_V4_FRAG_FIRST: s->proto = 17; s->more_frags = true; break;
	case S_V4_FRAG_LATER: s->proto = 6; s->frag_off = 1 + fr_rand(rng) % 100; break;
	case S_V4_TCP_PORTS_ONLY: s->proto = 6; s->l4_len = 4; s->pad = 0; break;
	case S_V6_OTHER: s->proto = 253; break;
	case S_V6_HOP_TCP: s->proto = 6; s->ext[0] = FR_EXT_HOP; break;
	case S_V6_HAO_UDP: s->proto = 17; s->ext[0] = FR_EXT_DST_HAO; break;
	case S_V6_RT2_TCP: s->proto = 6; s->ext[0] = FR_EXT_RT2; break;
	case S_V6_HAO_RT2_TCP:
		s->proto = 6; s->ext[0] = FR_EXT_HOP; s->ext[1] = FR_EXT_RT2;
		s->ext[2] = FR_EXT_DST_HAO;
		break;
	case S_V6_FRAG_FIRST: s->proto = 17; s->ext[0] = FR_EXT_FRAG; s->more_frags = true; break;
	case S_V6_FRAG_LATER:
		s->proto = 6; s->ext[0] = FR_EXT_FRAG; s->frag_off = 1 + fr_rand(rng) % 100;
		break;
	case S_V6_DST_UDP: s->proto = 17; s->ext[0] = FR_EXT_DST; s->ext[1] = FR_EXT_FRAG; break;
	case S_NONIP: s->l3 = FR_NONIP; s->ethertype = 0x88b5; break;
	case S_ARP: s->l3 = FR_NONIP; s->ethertype = 0x0806; break;
	case S_QINQ_V4_UDP: s->proto = 17; s->vlan_tags = 2; break;
	default: break;
	}
}

static uint16_t spec_proto(const struct fr_spec *s)
{
	return s->l3 == FR_IPV4 ? 0x0800 : s->l3 == FR_IPV6 ? 0x86dd : s->ethertype;
}

/* ---- one configuration ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void drain(struct tunvnet_dev *dev)
{
	for (unsigned int q = 0; q < tunvnet_dev_num_queues(dev); q++) {
		static uint8_t buf[70000];
		struct tunvnet_pkt p = { .buf = buf, .cap = sizeof(buf) };

		while (tunvnet_queue_read(dev, q, &p, 1) > 0)
			;
	}
}

static uint32_t next_id = 1000;

static int run_cfg(struct target *t, const struct tunvnet_hash_cfg *cfg, const char *label,
		   uint64_t seed)
{
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	struct run *r = calloc(1, sizeof(*r));
	pthread_t th[NQ];
	struct reader rd[NQ];
	struct flow flows[96];
	uint64_t rng = seed;
	unsigned int nsh = t->eth ? S_COUNT : S_VLAN_V4_TCP;
	enum shape shp[MAX_FRAMES];
	double last;
	int e;

	if (!r)
		return -ENOMEM;
	r->t = t;
	r->cfg = *cfg;
	snprintf(r->label, sizeof(r->label), "%s", label);
	e = cfg->flags ? tunvnet_dev_set_hash(t->dev, cfg) : tunvnet_dev_clear_hash(t->dev);
	if (e == -EINVAL && cfg->flags && !cfg->types) {
		/*
		 * The library refuses hashing with no types (its answer is flags
		 * 0); the kernel takes it. Encode the same configuration with one
		 * type for the layout, then zero the types word: generation A has
		 * it at offset 4 (after flags and pad), B at offset 0.
		 */
		struct tunvnet_caps caps = { .sz = sizeof(caps) };
		struct tunvnet_hash_cfg c1 = *cfg;
		unsigned long req;
		uint8_t arg[256];
		int len;

		vm_info("%s: tunvnet_dev_set_hash refuses it (\"%s\"); applied as the encoding "
			"of types ipv4 with the types word zeroed, by ioctl", label,
			tunvnet_last_error());
		tunvnet_dev_caps(t->dev, &caps);
		c1.types = TUNVNET_HASH_TYPE_IPV4;
		len = tunvnet_hash_cfg_encode(caps.uapi, &c1, &req, arg, sizeof(arg));
		if (len >= (caps.uapi == TUNVNET_UAPI_A ? 8 : 4)) {
			memset(arg + (caps.uapi == TUNVNET_UAPI_A ? 4 : 0), 0, 4);
			e = ioctl(tunvnet_dev_queue_fd(t->dev, 0), req, arg) < 0 ? -errno : 0;
		} else {
			e = len < 0 ? len : -EINVAL;
		}
	}
	if (!vm_check(e == 0, label, "set hash: expected 0, observed %d (%s)", e,
		      tunvnet_last_error())) {
		free(r);
		return e;
	}
	vo.cfg = cfg; /* copied by tunvnet_verifier_new */
	vo.backend = TUNVNET_BACKEND_KERNEL;
	vo.num_queues = NQ;
	vo.kind = t->kind;
	vo.l2 = t->l2;
	vo.profile = TUNVNET_PROFILE_LINUX;
	/* Every deviation the kernels show; vlan-af-packet claims only a tap's
	 * own tagged frames, which neither tun nor macvtap carries. */
	vo.known_deviations = ALL_DEV;
	e = tunvnet_verifier_new(&vo, &r->v);
	if (!vm_check(e == 0, label, "verifier: expected 0, observed %d (%s)", e,
		      tunvnet_last_error())) {
		free(r);
		return e;
	}
	drain(t->dev);
	pthread_mutex_init(&r->lock, NULL);
	r->nframes = frames_per_cfg;
	r->id_base = next_id;
	next_id += r->nframes;
	make_flows(flows, 96, &rng);
	for (unsigned int q = 0; q < NQ; q++) {
		rd[q].r = r;
		rd[q].q = q;
		pthread_create(&th[q], NULL, reader_main, &rd[q]);
	}
	for (unsigned int i = 0; i < r->nframes; i++) {
		struct fr_spec s, inner;
		uint8_t buf[FR_MAX];
		size_t len;
		double t0 = now();

		unsigned int fi = fr_rand(&rng) % 64;

		shp[i] = (enum shape)(fr_rand(&rng) % nsh);
		/* A flow keeps its VLAN: the kernel's flow hash covers the tag, so
		 * tagged shapes get flows of their own (64..95), one id each. */
		if (shp[i] >= S_VLAN_V4_TCP)
			fi = 64 + fi % 32;
		shape_spec(shp[i], &flows[fi], r->id_base + i, &s, &inner, &rng);
		s.vlan_tag_id = (uint16_t)(100 + fi);
		len = fr_build(&s, t->eth, t->dmac, t->smac, buf, sizeof(buf));
		/* Pace: a full queue ring drops, and drops are what we count. */
		while (i - atomic_load(&r->received) > 48 && now() - t0 < 2.0)
			usleep(100);
		if (i - atomic_load(&r->received) > 48) {
			printf("FAIL %s: nothing read for 2 s; stopping after %u frames\n", label, i);
			r->c.mismatches++;
			r->nframes = i; /* the rest was never sent */
			break;
		}
		e = vm_pkt_send(t->fd, t->ifindex, spec_proto(&s), buf, len);
		if (e) {
			printf("FAIL %s: send of frame %u (%s): %s\n", label, i, shape_names[shp[i]],
			       strerror(-e));
			r->c.mismatches++;
		}
		r->c.sent++;
	}
	last = now();
	while (atomic_load(&r->received) < r->nframes && now() - last < 3.0) {
		unsigned int before = atomic_load(&r->received);

		usleep(20000);
		if (atomic_load(&r->received) != before)
			last = now();
	}
	atomic_store(&r->stop, true);
	for (unsigned int q = 0; q < NQ; q++)
		pthread_join(th[q], NULL);

	for (unsigned int i = 0; i < r->nframes; i++)
		if (!r->seen[i]) {
			if (r->c.lost++ < 8)
				printf("LOST %s: frame id %u (%s)\n", label, r->id_base + i,
				       shape_names[shp[i]]);
		}
	printf("%s %s: sent %lu, received %u, verified %lu (match %lu, known %lu, mismatch %lu), "
	       "unchecked %lu, lost %lu, dup %lu, stray %lu\n",
	       r->c.mismatches || r->c.lost || r->c.dup ? "FAIL" : "PASS", label,
	       (unsigned long)r->c.sent, atomic_load(&r->received), (unsigned long)r->c.verified,
	       (unsigned long)r->c.matches, (unsigned long)r->c.known,
	       (unsigned long)r->c.mismatches, (unsigned long)r->c.unchecked,
	       (unsigned long)r->c.lost, (unsigned long)r->c.dup, (unsigned long)r->c.stray);
	if (r->c.mismatches || r->c.lost || r->c.dup)
		vm_tally.fail++;
	else
		vm_tally.pass++;
	tot.verified += r->c.verified;
	tot.matches += r->c.matches;
	tot.known += r->c.known;
	tot.mismatches += r->c.mismatches;
	tot.unchecked += r->c.unchecked;
	tot.lost += r->c.lost;
	tot.dup += r->c.dup;
	tot.stray += r->c.stray;
	tot.sent += r->c.sent;
	for (int b = 0; b < NDEV; b++)
		tot.known_by[b] += r->c.known_by[b];
	tunvnet_verifier_free(r->v);
	pthread_mutex_destroy(&r->lock);
	free(r);
	return 0;
}

static const uint16_t table8[8] = { 0, 1, 2, 3, 3, 2, 1, 0 };

static void workload(struct target *t)
{
	static const uint32_t modes[] = { TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS,
					  TUNVNET_HASH_REPORT, TUNVNET_HASH_RSS };
	static const uint32_t typesets[] = { TUNVNET_HASH_TYPES_PLAIN, 0x07, 0x38, 0 };
	static const char *mode_names[] = { "rss+report", "report", "rss" };
	static const char *type_names[] = { "all six", "ipv4 only", "ipv6 only", "none" };

	for (unsigned int m = 0; m < 3; m++)
		for (unsigned int ts = 0; ts < 4; ts++) {
			struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT_KERNEL;
			char label[96];

			c.flags = modes[m];
			c.types = typesets[ts];
			if (c.flags & TUNVNET_HASH_RSS) {
				c.key = tunvnet_default_key();
				c.key_len = TUNVNET_KEY_MAX;
				c.table = table8;
				c.table_len = 8;
				c.unclassified_queue = 3;
			}
			snprintf(label, sizeof(label), "workload %s %s types %s", t->name,
				 mode_names[m], type_names[ts]);
			run_cfg(t, &c, label, 0x5eed0000u + m * 16 + ts);
		}
}

/* ---- targets ---- */

static int open_tun(struct target *t)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	int e;

	memset(t, 0, sizeof(*t));
	t->name = "tun";
	t->kind = TUNVNET_KIND_TUN;
	t->l2 = TUNVNET_L2_IP;
	o.kind = TUNVNET_KIND_TUN;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NAPI |
		  TUNVNET_DEV_NONBLOCK;
	o.queues = NQ;
	o.vnet_hdr_sz = 20;
	o.endian = TUNVNET_ENDIAN_LE;
	e = tunvnet_dev_open("tvwt0", &o, &t->dev);
	if (!vm_check(e == 0, "workload tun: open 4 queues", "expected 0, observed %d (%s)", e,
		      tunvnet_last_error()))
		return e;
	e = tunvnet_dev_set_up(t->dev, true);
	if (!e)
		e = vm_wait_oper_up("tvwt0");
	if (!vm_check(e == 0, "workload tun: up", "expected 0, observed %d", e))
		return e;
	t->ifindex = vm_ifindex("tvwt0");
	t->fd = vm_pkt_socket("tvwt0", SOCK_DGRAM);
	return t->fd < 0 ? t->fd : 0;
}

static void close_target(struct target *t, const char *link, const char *link2)
{
	if (t->fd > 0)
		close(t->fd);
	if (t->dev)
		tunvnet_dev_close(t->dev);
	vm_link_del(link);
	if (link2)
		vm_link_del(link2);
}

static int open_macvtap(struct target *t)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_vtap_opts vo = { .sz = sizeof(vo), .kind = TUNVNET_KIND_MACVTAP };
	int e;

	memset(t, 0, sizeof(*t));
	t->name = "macvtap";
	t->kind = TUNVNET_KIND_MACVTAP;
	t->l2 = TUNVNET_L2_ETH;
	t->eth = true;
	e = vm_veth_add("tvwa", "tvwb");
	if (!vm_check(e == 0, "workload macvtap: veth pair", "expected 0, observed %d", e))
		return e;
	vm_link_up("tvwa");
	vm_link_up("tvwb");
	e = tunvnet_link_create_vtap("tvwm0", "tvwb", &vo);
	if (!vm_check(e == 0, "workload macvtap: create", "expected 0, observed %d (%s)", e,
		      tunvnet_last_error()))
		return e;
	vm_link_up("tvwm0");
	o.flags = TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK;
	o.queues = NQ;
	o.vnet_hdr_sz = 20;
	o.endian = TUNVNET_ENDIAN_LE;
	e = tunvnet_dev_open_vtap("tvwm0", &o, &t->dev);
	if (!vm_check(e == 0, "workload macvtap: open 4 queues", "expected 0, observed %d (%s)", e,
		      tunvnet_last_error()))
		return e;
	e = vm_wait_oper_up("tvwa");
	if (!e)
		e = vm_wait_oper_up("tvwm0");
	if (!vm_check(e == 0, "workload macvtap: operstate up", "expected 0, observed %d", e))
		return e;
	vm_link_mac("tvwm0", t->dmac);
	vm_link_mac("tvwa", t->smac);
	t->ifindex = vm_ifindex("tvwa");
	t->fd = vm_pkt_socket("tvwa", SOCK_RAW);
	return t->fd < 0 ? t->fd : 0;
}

/* ---- probes ---- */

/*
 * virtio_net_hash_key_length() in the series tests the type bits against
 * VIRTIO_NET_HASH_REPORT_* values (1..6) instead of the type bits, so a
 * configuration with only IPv6 types copies 4 key bytes. Configure all six
 * types with key K1, then IPv6-only with K2 (same first 4 bytes, different
 * tail), send IPv6 frames of few flows (each twice) and see which key the
 * hashes fit; the library's verifier learns the tail the kernel used and
 * holds every later hash to it.
 */
static void probe_short_key(struct target *t, uint32_t types, const char *types_name)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT_KERNEL;
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	struct tunvnet_verifier *v = NULL;
	static const uint16_t table1[1] = { 0 };
	uint8_t k1[40], k2[40], kz[40] = { 0 };
	enum { N = 48 };
	unsigned int fit_k2 = 0, fit_zero = 0, fit_k1 = 0, got = 0, known = 0, match = 0, mm = 0;
	unsigned int checked = 0;
	uint64_t rng = 0xbadc0ffeeull ^ types;
	struct flow fl[N / 2];
	char name[96], hx[200], why[sizeof(((struct tunvnet_verdict *)0)->why)] = "";
	int e;

	memcpy(k1, tunvnet_default_key(), 40);
	for (int i = 0; i < 40; i++)
		k2[i] = i < 4 ? k1[i] : (uint8_t)(0x11 * (i % 15) + 3);
	memcpy(kz, k2, 4);
	snprintf(name, sizeof(name), "probe short key, %s, types %s", t->name, types_name);

	c.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	c.key = k1;
	c.key_len = 40;
	c.table = table1;
	c.table_len = 1;
	e = tunvnet_dev_set_hash(t->dev, &c);
	c.types = types;
	c.key = k2;
	if (!e)
		e = tunvnet_dev_set_hash(t->dev, &c);
	if (!vm_check(e == 0, name, "set hash: expected 0, observed %d (%s)", e, tunvnet_last_error()))
		return;
	vo.cfg = &c;
	vo.backend = TUNVNET_BACKEND_KERNEL;
	vo.num_queues = NQ;
	vo.kind = t->kind;
	vo.l2 = t->l2;
	vo.profile = TUNVNET_PROFILE_LINUX;
	vo.known_deviations = TUNVNET_DEVIATION_SHORT_KEY_IPV6;
	e = tunvnet_verifier_new(&vo, &v);
	if (!vm_check(e == 0, name, "verifier: expected 0, observed %d (%s)", e, tunvnet_last_error()))
		return;
	drain(t->dev);
	make_flows(fl, N / 2, &rng);
	for (unsigned int i = 0; i < N; i++) {
		const struct flow *f = &fl[i % (N / 2)];
		struct fr_spec s;
		struct tunvnet_class cls;
		uint8_t buf[FR_MAX];
		size_t l;
		uint32_t id = next_id++;

		memset(&s, 0, sizeof(s));
		s.l3 = FR_IPV6;
		s.proto = types & 0x10 ? 6 : types & 0x20 ? 17 : 253;
		memcpy(s.src, f->v6s, 16);
		memcpy(s.dst, f->v6d, 16);
		s.sport = f->sport;
		s.dport = f->dport;
		s.id = id;
		l = fr_build(&s, t->eth, t->dmac, t->smac, buf, sizeof(buf));
		vm_pkt_send(t->fd, t->ifindex, 0x86dd, buf, l);
		/* queue 0 only (table {0}) */
		for (int tries = 0; tries < 100; tries++) {
			static uint8_t rb[65600];
			struct tunvnet_pkt p = { .buf = rb, .cap = sizeof(rb) };
			struct pollfd pfd = { .fd = tunvnet_dev_queue_fd(t->dev, 0), .events = POLLIN };
			struct tunvnet_verdict vd;

			poll(&pfd, 1, 20);
			if (tunvnet_queue_read(t->dev, 0, &p, 1) != 1 || fr_find_id(rb, p.len) != id)
				continue;
			got++;
			if (!tunvnet_classify_hash(rb, p.len, t->l2, types, TUNVNET_PROFILE_LINUX, NULL,
						   &cls) && cls.input_len) {
				fit_k2 += tunvnet_toeplitz_ref(k2, 40, cls.input, cls.input_len) ==
					  p.hdr.hash_value;
				fit_zero += tunvnet_toeplitz_ref(kz, 40, cls.input, cls.input_len) ==
					    p.hdr.hash_value;
				fit_k1 += tunvnet_toeplitz_ref(k1, 40, cls.input, cls.input_len) ==
					  p.hdr.hash_value;
			}
			if (!tunvnet_verify_packet(v, 0, &p.hdr, rb, p.len, &vd)) {
				match += vd.code == TUNVNET_VERDICT_MATCH;
				known += vd.code == TUNVNET_VERDICT_KNOWN_DEVIATION;
				checked += vd.hash_checked;
				if (vd.code == TUNVNET_VERDICT_MISMATCH && !mm++)
					snprintf(why, sizeof(why), "%s", vd.why);
			}
			break;
		}
	}
	tunvnet_verifier_free(v);
	vm_info("%s: %u frames (%u flows, each twice); hashes fit the configured key %u, its "
		"first 4 bytes + zeros %u, the previous key %u; verifier: %u match, %u short-key-ipv6, "
		"%u mismatch, %u hash values checked exactly against the key it learned",
		name, got, N / 2, fit_k2, fit_zero, fit_k1, match, known, mm, checked);
	if (!got)
		vm_check(false, name, "expected %u frames on queue 0, observed none", N);
	else if (mm)
		vm_check(false, name, "%u frames fit no single kernel key; first: %s", mm, why);
	else if (fit_k2 == got)
		vm_check(true, name, "the whole configured key is used");
	else
		vm_known(name, "short-key-ipv6: expected hashes over the configured key %s..., "
			 "observed hashes over its first 4 bytes then %s; one key explains all %u "
			 "(verifier)", vm_hex(k2, 8, hx, sizeof(hx)),
			 fit_zero == got  ? "zeros"
			 : fit_k1 == got ? "the previous key's bytes (stale kernel memory)"
					 : "uninitialised kernel bytes", got);
}

/* automq on tun: the reported value against the queue the frame came on. */
static void probe_automq(struct target *t)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT_KERNEL;
	unsigned int same = 0, got = 0, distinct_q = 0, qseen = 0;
	uint64_t rng = 0x4d51;
	struct flow fl[64];
	char name[64];
	int e;

	snprintf(name, sizeof(name), "probe automq value, %s", t->name);
	c.flags = TUNVNET_HASH_REPORT;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	e = tunvnet_dev_set_hash(t->dev, &c);
	if (!vm_check(e == 0, name, "set hash: expected 0, observed %d", e))
		return;
	drain(t->dev);
	make_flows(fl, 64, &rng);
	for (unsigned int i = 0; i < 64; i++) {
		struct fr_spec s;
		uint8_t buf[FR_MAX];
		uint32_t id = next_id++;
		size_t l;

		shape_spec(S_V4_TCP, &fl[i], id, &s, NULL, &rng);
		l = fr_build(&s, t->eth, t->dmac, t->smac, buf, sizeof(buf));
		vm_pkt_send(t->fd, t->ifindex, 0x0800, buf, l);
		for (int tries = 0; tries < 50; tries++) {
			struct pollfd pfd[NQ];
			bool done = false;

			for (unsigned int q = 0; q < NQ; q++) {
				pfd[q].fd = tunvnet_dev_queue_fd(t->dev, q);
				pfd[q].events = POLLIN;
			}
			poll(pfd, NQ, 20);
			for (unsigned int q = 0; q < NQ && !done; q++) {
				static uint8_t rb[65600];
				struct tunvnet_pkt p = { .buf = rb, .cap = sizeof(rb) };

				if (tunvnet_queue_read(t->dev, q, &p, 1) == 1 &&
				    fr_find_id(rb, p.len) == id) {
					got++;
					same += p.hdr.hash_value == q;
					if (!(qseen & 1u << q))
						distinct_q++;
					qseen |= 1u << q;
					done = true;
				}
			}
			if (done)
				break;
		}
	}
	vm_info("%s: %u TCPv4 flows; reported value == queue index for %u; queues used %u",
		name, got, same, distinct_q);
	if (got && same == got)
		vm_known(name, "automq-value-is-queue: expected the flow hash (or skb->hash) as "
			 "hash_value, observed the index of the queue chosen for all %u frames", got);
	else
		vm_check(got > 0, name, "value is not the queue for %u of %u frames", got - same, got);
}

/*
 * IPv4 protocol 47 (GRE): the series hashes from the flow dissector, which
 * parses GRE. A bogus GRE header makes the dissection fail (report NONE,
 * unclassified queue) where the spec calls for an IPv4 hash; a valid GRE
 * header over IPv4 makes the dissector report the inner packet.
 */
static void probe_gre(struct target *t)
{
	struct tunvnet_hash_cfg c = TUNVNET_HASH_CFG_INIT_KERNEL;
	static const uint16_t table4[4] = { 0, 1, 2, 3 };
	const uint8_t *key = tunvnet_default_key();
	char hx[200];
	int e;

	c.flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	c.types = TUNVNET_HASH_TYPES_PLAIN;
	c.key = key;
	c.key_len = 40;
	c.table = table4;
	c.table_len = 4;
	c.unclassified_queue = 3;
	e = tunvnet_dev_set_hash(t->dev, &c);
	if (!vm_check(e == 0, "probe gre: set hash", "expected 0, observed %d", e))
		return;
	drain(t->dev);
	for (int kind = 0; kind < 2; kind++) {
		/* outer 10.1.1.1 -> 10.2.2.2; inner (valid GRE) 10.3.3.3:1000 -> 10.4.4.4:2000 UDP */
		uint8_t pkt[128] = { 0x45, 0, 0, 0, 0, 1, 0, 0, 64, 47, 0, 0, 10, 1, 1, 1, 10, 2, 2, 2 };
		uint8_t in_outer[8] = { 10, 1, 1, 1, 10, 2, 2, 2 };
		uint8_t in_inner[12] = { 10, 3, 3, 3, 10, 4, 4, 4, 0x03, 0xe8, 0x07, 0xd0 };
		size_t n = 20;
		uint32_t id = next_id++, h_outer, h_inner;
		const char *name = kind ? "probe gre: valid GRE carrying IPv4/UDP" :
					  "probe gre: IPv4 proto 47, payload a0 a1 a2 .. (bogus GRE)";
		bool got = false;

		if (kind == 0) {
			/* flags C|K, version 1, protocol 0xa2a3: what the first
			 * workload's proto-47 frames (payload a0 a1 a2 ...) carried */
			for (int i = 0; i < 8; i++)
				pkt[n++] = (uint8_t)(0xa0 + i);
		} else {
			uint8_t inner[28] = { 0x45, 0, 0, 36, 0, 2, 0, 0, 64, 17, 0, 0, 10, 3, 3, 3,
					      10, 4, 4, 4, 0x03, 0xe8, 0x07, 0xd0, 0, 16, 0, 0 };

			pkt[n++] = 0; pkt[n++] = 0; pkt[n++] = 0x08; pkt[n++] = 0x00; /* GRE v0, IPv4 */
			memcpy(pkt + n, inner, sizeof(inner));
			n += sizeof(inner);
		}
		pkt[n++] = 'T'; pkt[n++] = 'V'; pkt[n++] = 'I'; pkt[n++] = 'D';
		pkt[n++] = (uint8_t)(id >> 24); pkt[n++] = (uint8_t)(id >> 16);
		pkt[n++] = (uint8_t)(id >> 8); pkt[n++] = (uint8_t)id;
		pkt[2] = (uint8_t)(n >> 8);
		pkt[3] = (uint8_t)n;
		h_outer = tunvnet_toeplitz_ref(key, 40, in_outer, 8);
		h_inner = tunvnet_toeplitz_ref(key, 40, in_inner, 12);
		vm_pkt_send(t->fd, t->ifindex, 0x0800, pkt, n);
		for (int tries = 0; tries < 50 && !got; tries++) {
			struct pollfd pfd[NQ];

			for (unsigned int q = 0; q < NQ; q++) {
				pfd[q].fd = tunvnet_dev_queue_fd(t->dev, q);
				pfd[q].events = POLLIN;
			}
			poll(pfd, NQ, 20);
			for (unsigned int q = 0; q < NQ && !got; q++) {
				static uint8_t rb[65600];
				struct tunvnet_pkt p = { .buf = rb, .cap = sizeof(rb) };
				unsigned int rq = kind ? TUNVNET_REPORT_UDPV4 : TUNVNET_REPORT_IPV4;

				if (tunvnet_queue_read(t->dev, q, &p, 1) != 1 || fr_find_id(rb, p.len) != id)
					continue;
				got = true;
				if (p.hdr.hash_report == TUNVNET_REPORT_IPV4 && p.hdr.hash_value == h_outer)
					vm_check(true, name, "ipv4 %#x over the outer addresses", h_outer);
				else if (kind == 0 && p.hdr.hash_report == 0 && q == 3)
					vm_known(name, "gre-dissect-fails: expected ipv4 %#x (outer "
						 "addresses) on queue %u, observed report none value %#x on "
						 "the unclassified queue %u; packet %s", h_outer,
						 table4[h_outer & 3], p.hdr.hash_value, q,
						 vm_hex(pkt, n, hx, sizeof(hx)));
				else if (kind == 1 && p.hdr.hash_report == rq &&
					 p.hdr.hash_value == h_inner)
					vm_known(name, "gre-inner-hashed: expected ipv4 %#x over the outer "
						 "addresses, observed udpv4 %#x = Toeplitz over the inner "
						 "10.3.3.3:1000 -> 10.4.4.4:2000, queue %u", h_outer,
						 p.hdr.hash_value, q);
				else
					vm_check(false, name, "expected ipv4 %#x, observed report %u value "
						 "%#x queue %u", h_outer, p.hdr.hash_report,
						 p.hdr.hash_value, q);
			}
		}
		if (!got)
			vm_check(false, name, "expected the packet on a queue, observed none");
	}
}

int main(int argc, char **argv)
{
	const char *kname = argc > 1 ? argv[1] : "unknown";
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	struct target t;
	int probe;

	if (argc > 2)
		frames_per_cfg = (unsigned int)atoi(argv[2]);
	if (frames_per_cfg < 1 || frames_per_cfg > MAX_FRAMES)
		frames_per_cfg = 400;
	if (access("/dev/net/tun", R_OK | W_OK))
		vm_skip("no /dev/net/tun");
	probe = tunvnet_caps_probe(-1, &caps);
	if (probe == 0 || probe == -EOPNOTSUPP)
		vm_require_uapi(caps.uapi);
	if (probe < 0 || caps.uapi == TUNVNET_UAPI_NONE)
		vm_skip("kernel lacks the tun virtio-net hashing feature");
	setvbuf(stdout, NULL, _IOLBF, 0);
	vm_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	vm_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	vm_info("workload on kernel %s, uAPI %s, %u frames per configuration", kname,
		tunvnet_uapi_name(caps.uapi), frames_per_cfg);

	if (!open_tun(&t)) {
		workload(&t);
		probe_short_key(&t, 0x38, "tcpv6,udpv6,ipv6");
		probe_short_key(&t, 0x08, "ipv6");
		probe_automq(&t);
		probe_gre(&t);
	}
	close_target(&t, "tvwt0", NULL);
	if (!open_macvtap(&t)) {
		workload(&t);
		probe_short_key(&t, 0x38, "tcpv6,udpv6,ipv6");
	}
	close_target(&t, "tvwm0", "tvwa");

	printf("workload known deviations by kind: automq-value-is-queue %lu, short-key-ipv6 %lu, "
	       "vlan-af-packet %lu, tunnel-inner %lu; unchecked %lu, stray frames %lu, duplicates "
	       "%lu, sent %lu\n",
	       (unsigned long)tot.known_by[0], (unsigned long)tot.known_by[1],
	       (unsigned long)tot.known_by[2], (unsigned long)tot.known_by[3],
	       (unsigned long)tot.unchecked,
	       (unsigned long)tot.stray, (unsigned long)tot.dup, (unsigned long)tot.sent);
	printf("kernel %s: reports verified %lu, matches %lu, known deviations %lu, unexplained "
	       "mismatches %lu, frames lost %lu\n",
	       kname, (unsigned long)tot.verified, (unsigned long)tot.matches,
	       (unsigned long)tot.known, (unsigned long)tot.mismatches, (unsigned long)tot.lost);
	return tot.mismatches || tot.lost || tot.dup || vm_tally.fail ? 1 : 0;
}
