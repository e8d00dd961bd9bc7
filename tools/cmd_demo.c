/* SPDX-License-Identifier: MIT */
/*
 * tunvnet-ctl demo: a 4-queue tap with hash report + RSS, a mix of flows sent
 * through it, and a table of what the kernel did against the reference. On a
 * kernel without the feature: boot a test kernel if one is around, else show
 * the reference side offline.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"

static const char help[] =
	"Usage: tunvnet-ctl demo [--offline] [--json] [--kernel PATH] [--where]\n\n"
	"Show the feature end to end: create a 4-queue tap (20-byte little-endian\n"
	"header), enable hash report + RSS (six types, Microsoft key, round-robin\n"
	"table), send IPv4/IPv6 TCP/UDP/other flows and a non-IP frame through it,\n"
	"read them on every queue and print, per flow, the observed report type,\n"
	"hash and queue beside the reference's prediction, and the verdict.\n\n"
	"With a kernel carrying the tun virtio-net hashing series: the kernel\n"
	"backend. On a stock kernel: natively with the ebpf backend (our steering\n"
	"program picks the queue, reports filled on read), then again with the\n"
	"kernel backend inside each test kernel found, under QEMU (--kernel, or\n"
	"TUNVNET_TEST_KERNEL = a bzImage or a folder of them; scripts/demo.sh points\n"
	"it at ../shared/kernels) with the VM harness (TUNVNET_VM_HARNESS, else the\n"
	"installed share/tunvnet/run-in-vm.sh). If neither can run, the reference\n"
	"offline. Each table says which kernel and backend it came from; each\n"
	"--json line carries \"backend\" and \"kernel\" (uname release).\n\n"
	"  --offline              only the reference side (no kernel involved)\n"
	"  --kernel PATH          test kernel bzImage or folder for the VM run\n"
	"  --json                 JSON lines: one per flow, then a summary (the\n"
	"                         keys: tunvnet-ctl(1), JSON OUTPUT)\n"
	"  --where                print the VM harness and test kernels a VM run\n"
	"                         would use, run nothing\n"
	"  --in-vm                (internal) run live, never start a VM\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 every verdict matched (offline: the table was shown),\n"
	"1 a mismatch, a missing frame, or no way to run it, 2 bad usage.\n";

#define NQ 4

struct demo_flow {
	const char *what;
	uint8_t frame[128];
	size_t len;
	/* filled while running */
	struct tunvnet_flow flow;
	struct tunvnet_class cls;
	int exp_queue;
	bool seen;
	int queue;
	struct tunvnet_hdr hdr;
	struct tunvnet_verdict vd;
};

static const uint8_t dst_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t src_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t eth(uint8_t *f, uint16_t type)
{
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

/* L4: ports + a minimal TCP (20) or UDP (8) header + 8 payload bytes. */
static size_t l4(uint8_t *p, uint8_t proto, uint16_t sport, uint16_t dport)
{
	size_t n = proto == IPPROTO_TCP ? 20 : proto == IPPROTO_UDP ? 8 : 0;

	memset(p, 0, n + 8);
	if (n) {
		p[0] = (uint8_t)(sport >> 8), p[1] = (uint8_t)sport;
		p[2] = (uint8_t)(dport >> 8), p[3] = (uint8_t)dport;
	}
	if (proto == IPPROTO_TCP) {
		p[12] = 5 << 4;
		p[13] = 0x02; /* SYN */
		p[15] = 0xff;
	} else if (proto == IPPROTO_UDP) {
		p[5] = 16; /* length */
	}
	memcpy(p + n, "tunvnet!", 8);
	return n + 8;
}

static void flow4(struct demo_flow *d, const char *what, const char *src, const char *dst,
		  uint8_t proto, uint16_t sport, uint16_t dport, bool frag)
{
	uint8_t *ip = d->frame + eth(d->frame, ETHERTYPE_IP);
	uint16_t sum;
	size_t n;

	d->what = what;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	if (frag)
		ip[6] = 0x20; /* more fragments, offset 0: a first fragment */
	n = 20 + l4(ip + 20, proto, sport, dport); /* total length */
	ip[2] = (uint8_t)(n >> 8);
	ip[3] = (uint8_t)n;
	ip[5] = 0x2a;
	sum = csum(ip, 20); /* over a zero checksum field (memset above) */
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	d->len = 14 + n;
}

static void flow6(struct demo_flow *d, const char *what, const char *src, const char *dst,
		  uint8_t proto, uint16_t sport, uint16_t dport)
{
	uint8_t *ip = d->frame + eth(d->frame, ETHERTYPE_IPV6);
	size_t n;

	d->what = what;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[6] = proto;
	ip[7] = 64;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	n = l4(ip + 40, proto, sport, dport);
	ip[4] = (uint8_t)(n >> 8);
	ip[5] = (uint8_t)n;
	d->len = 14 + 40 + n;
}

/* The Microsoft verification tuples, plus the cases that take other branches. */
static size_t build_flows(struct demo_flow *f)
{
	size_t n = 0;

	memset(f, 0, 10 * sizeof(*f));
	flow4(&f[n++], "tcp", "66.9.149.187", "161.142.100.80", IPPROTO_TCP, 2794, 1766, false);
	flow4(&f[n++], "udp", "199.92.111.2", "65.69.140.83", IPPROTO_UDP, 14230, 4739, false);
	flow4(&f[n++], "tcp", "24.19.198.95", "12.22.207.184", IPPROTO_TCP, 12898, 38024, false);
	flow4(&f[n++], "other", "38.27.205.30", "209.142.163.6", 253, 0, 0, false);
	flow4(&f[n++], "udp frag", "153.39.163.191", "202.188.127.2", IPPROTO_UDP, 44251, 1303, true);
	flow6(&f[n++], "tcp", "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", IPPROTO_TCP, 2794, 1766);
	flow6(&f[n++], "udp", "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", IPPROTO_UDP, 14230, 4739);
	flow6(&f[n++], "other", "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
	      "fe80::200:f8ff:fe21:67cf", 253, 0, 0);
	/* A non-IP frame: no type applies, so the unclassified queue. */
	f[n].what = "non-ip";
	f[n].len = eth(f[n].frame, 0x88b5) + 46;
	memcpy(f[n].frame + 14, "tunvnet demo: local experimental ethertype", 42);
	n++;
	return n;
}

static void demo_cfg(struct tunvnet_hash_cfg *cfg, uint16_t *table)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->sz = sizeof(*cfg);
	cfg->flags = TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;
	cfg->types = TUNVNET_HASH_TYPES_PLAIN;
	cfg->key = tunvnet_default_key();
	cfg->key_len = TUNVNET_KEY_MAX;
	for (i = 0; i < NQ; i++)
		table[i] = (uint16_t)i;
	cfg->table = table;
	cfg->table_len = NQ;
	cfg->unclassified_queue = 0;
}

/* The reference for each flow: what the backend should report and where (the
 * series follows the linux profile, our program and filler the ebpf one). */
static int expect(struct demo_flow *f, size_t n, const struct tunvnet_hash_cfg *cfg,
		  enum tunvnet_profile profile)
{
	struct tunvnet_toeplitz *t;
	size_t i;
	int rc;

	rc = tunvnet_toeplitz_new(cfg->key, cfg->key_len, TUNVNET_TOEPLITZ_AUTO, &t);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		tunvnet_packet_parse(f[i].frame, f[i].len, TUNVNET_L2_ETH, &f[i].flow);
		rc = tunvnet_classify_hash(f[i].frame, f[i].len, TUNVNET_L2_ETH, cfg->types,
					   profile, t, &f[i].cls);
		if (rc)
			break;
		f[i].exp_queue = tunvnet_rss_queue(cfg, NQ, f[i].cls.report, f[i].cls.hash);
	}
	tunvnet_toeplitz_free(t);
	return rc;
}

static void flow_cells(struct table *t, const struct demo_flow *f)
{
	char fs[128], kind[32];

	flow_kind(&f->flow, kind, sizeof(kind));
	flow_string(&f->flow, fs, sizeof(fs));
	table_cell(t, "%s", kind);
	table_cell(t, "%s", fs);
}

/*
 * The verdict of a flow no packet was checked for (offline, or not
 * received): unchecked, nothing observed, the reference's prediction.
 */
static void unreceived(struct tunvnet_verdict *vd, const struct demo_flow *f, const char *why)
{
	memset(vd, 0, sizeof(*vd));
	vd->code = TUNVNET_VERDICT_UNCHECKED;
	vd->expected_report = f->cls.report;
	vd->expected_hash = f->cls.hash;
	vd->expected_queue = f->exp_queue;
	vd->observed_queue = -1;
	snprintf(vd->why, sizeof(vd->why), "%s", why);
}

static int offline(bool json)
{
	static const char *const hdr[] = { "KIND", "FLOW", "REPORT", "HASH", "QUEUE" };
	struct demo_flow f[10];
	struct tunvnet_hash_cfg cfg;
	uint16_t table[NQ];
	size_t n = build_flows(f), i;
	struct table *t;
	int rc;

	demo_cfg(&cfg, table);
	rc = expect(f, n, &cfg, TUNVNET_PROFILE_LINUX);
	if (rc)
		return lib_error("demo", "reference failed", rc, false);
	if (json) {
		struct check_src src = { .device = NULL, .backend = "none",
					 .kernel = kernel_release() };
		struct tunvnet_verify_stats none = TUNVNET_VERIFY_STATS_INIT;
		struct json j;

		for (i = 0; i < n; i++) {
			struct tunvnet_verdict vd;

			unreceived(&vd, &f[i], "reference only: no kernel involved");
			json_check_begin(&j, &src, -1, &f[i].flow, &vd);
			json_bool(&j, "received", false);
			json_str(&j, "mode", "offline");
			json_end(&j);
		}
		json_summary_begin(&j, "demo", &src, &none);
		json_str(&j, "mode", "offline");
		json_str(&j, "uapi", "none"); /* no backend, no uAPI in use */
		json_uint(&j, "flows", n);
		json_uint(&j, "problems", 0);
		json_end(&j);
		return EXIT_OK;
	}
	printf("Reference only (no kernel involved): %u queues, hash report + RSS, types "
	       "ipv4..udpv6, Microsoft key, table [0,1,2,3], profile linux.\n\n", NQ);
	t = table_new(5, hdr);
	for (i = 0; i < n; i++) {
		table_row(t);
		flow_cells(t, &f[i]);
		table_cell(t, "%s", tunvnet_report_name(f[i].cls.report));
		table_cell(t, "0x%08x", f[i].cls.hash);
		table_cell(t, "%d", f[i].exp_queue);
	}
	table_print(t, stdout);
	table_free(t);
	printf("\nThe kernel side needs a kernel with the tun virtio-net hashing series (not in\n"
	       "mainline Linux). Point TUNVNET_TEST_KERNEL at a bzImage built with it (or a\n"
	       "folder of them; see tests/vm and shared/kernels) and run 'tunvnet-ctl demo'\n"
	       "again: it boots that kernel under QEMU and runs the demo inside.\n");
	return EXIT_OK;
}

/* ---- live ---- */

static int send_frames(int ifindex, struct demo_flow *f, size_t n)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
	int s = socket(AF_PACKET, SOCK_RAW, 0), rc = 0;
	size_t i;

	if (s < 0)
		return -errno;
	memcpy(sll.sll_addr, dst_mac, 6);
	for (i = 0; i < n; i++) {
		if (sendto(s, f[i].frame, f[i].len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			rc = -errno;
			break;
		}
	}
	close(s);
	return rc;
}

/* Keep the host's own IPv6 chatter (router/MLD solicitations) off the demo tap. */
static void quiet_ipv6(const char *name)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fp = fopen(path, "w");
	if (fp) {
		fputs("1\n", fp);
		fclose(fp);
	}
}

/* Could not set the demo up here (no permission, no bpf()): not a verdict. */
#define DEMO_NOT_RUN (-1)

/*
 * The demo on this kernel with backend be (kernel: the series; ebpf: our
 * steering program, reports filled on read). native: a stock kernel's run,
 * where a setup failure is a note and the caller goes on (VM, offline).
 */
static int live(bool json, const struct tunvnet_caps *caps, enum tunvnet_backend be, bool native)
{
	static const char *const hdr[] = { "KIND", "FLOW", "REPORT", "HASH", "EXPECTED",
					   "QUEUE", "VERDICT" };
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	struct tunvnet_verifier *v = NULL;
	struct tunvnet_dev *dev = NULL;
	struct tunvnet_hash_cfg cfg;
	struct demo_flow f[10];
	struct pollfd pfd[NQ];
	uint16_t table[NQ];
	uint8_t buf[65536 + 64];
	size_t n = build_flows(f), i, seen = 0, bad = 0;
	const char *rel = kernel_release();
	enum tunvnet_profile prof = be == TUNVNET_BACKEND_KERNEL ? TUNVNET_PROFILE_LINUX
								 : TUNVNET_PROFILE_EBPF;
	const char *bname = tunvnet_backend_name(be);
	unsigned int q;
	double deadline;
	int rc;

	demo_cfg(&cfg, table);
	cfg.backend = be;
	rc = expect(f, n, &cfg, prof);
	if (rc)
		return lib_error("demo", "reference failed", rc, false);
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR | TUNVNET_DEV_NONBLOCK;
	o.queues = NQ;
	o.vnet_hdr_sz = TUNVNET_HDR_HASH_LEN;
	o.endian = TUNVNET_ENDIAN_LE;
	rc = tunvnet_dev_open("tvdemo%d", &o, &dev);
	if (rc && native) {
		fprintf(stderr, "%s demo: note: cannot run natively: cannot create a 4-queue tap: "
			"%s\n", ctl_prog, tunvnet_last_error());
		return DEMO_NOT_RUN;
	}
	if (rc)
		return lib_error("demo", "cannot create a 4-queue tap", rc, false);
	quiet_ipv6(tunvnet_dev_name(dev));
	rc = tunvnet_dev_set_hash(dev, &cfg);
	if (rc && native) {
		fprintf(stderr, "%s demo: note: cannot run natively: cannot enable hash report + "
			"RSS with the %s backend: %s\n", ctl_prog, bname, tunvnet_last_error());
		rc = DEMO_NOT_RUN;
		goto out;
	}
	if (rc) {
		rc = lib_error("demo", "cannot enable hash report + RSS", rc, false);
		goto out;
	}
	rc = tunvnet_dev_set_up(dev, true);
	if (rc) {
		rc = lib_error("demo", "cannot bring the tap up", rc, false);
		goto out;
	}
	vo.cfg = &cfg;
	vo.backend = be;
	vo.num_queues = NQ;
	vo.kind = TUNVNET_KIND_TAP;
	vo.l2 = TUNVNET_L2_ETH;
	vo.profile = prof;
	vo.known_deviations = TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE |
			      TUNVNET_DEVIATION_SHORT_KEY_IPV6 | TUNVNET_DEVIATION_VLAN_AF_PACKET;
	rc = tunvnet_verifier_new(&vo, &v);
	if (rc) {
		rc = lib_error("demo", "cannot set up the verifier", rc, false);
		goto out;
	}
	rc = send_frames(tunvnet_dev_ifindex(dev), f, n);
	if (rc) {
		rc = sys_error("demo", "cannot send frames with AF_PACKET", rc);
		goto out;
	}
	for (q = 0; q < NQ; q++) {
		pfd[q].fd = tunvnet_dev_queue_fd(dev, q);
		pfd[q].events = POLLIN;
	}
	deadline = now() + 3.0;
	while (seen < n) {
		if (now() >= deadline || poll(pfd, NQ, 100) < 0)
			break;
		for (q = 0; q < NQ; q++) {
			struct tunvnet_pkt p = { .buf = buf, .cap = sizeof(buf) };

			while (tunvnet_queue_read(dev, q, &p, 1) == 1) {
				/* Match by content: anything else on the tap is not ours. */
				for (i = 0; i < n; i++) {
					if (f[i].seen || p.len != f[i].len ||
					    memcmp(p.buf, f[i].frame, p.len) != 0)
						continue;
					f[i].seen = true;
					f[i].queue = (int)q;
					f[i].hdr = p.hdr;
					tunvnet_verify_packet(v, q, &p.hdr, p.buf, p.len, &f[i].vd);
					seen++;
					break;
				}
				p.len = 0;
			}
		}
	}

	if (!json) {
		if (be == TUNVNET_BACKEND_KERNEL)
			printf("Kernel %s, backend kernel (the series, uAPI %s)", rel,
			       tunvnet_uapi_name(caps->uapi));
		else
			printf("Kernel %s, backend %s (our steering program picks the queue, "
			       "reports filled on read)", rel, bname);
		printf(": tap %s, %u queues, 20-byte LE header, hash report + RSS, types "
		       "ipv4..udpv6, Microsoft key, table [0,1,2,3], profile %s.\n\n",
		       tunvnet_dev_name(dev), NQ, tunvnet_profile_name(prof));
	}
	{
		struct table *t = json ? NULL : table_new(7, hdr);
		struct check_src src = { .device = tunvnet_dev_name(dev), .backend = bname,
					 .kernel = rel };

		for (i = 0; i < n; i++) {
			bool ok = f[i].seen && (f[i].vd.code == TUNVNET_VERDICT_MATCH ||
						f[i].vd.code == TUNVNET_VERDICT_KNOWN_DEVIATION);
			const char *verdict = f[i].seen ? tunvnet_verdict_name(f[i].vd.code) : "not received";

			bad += !ok;
			if (json) {
				struct tunvnet_verdict nr;
				struct json j;

				if (!f[i].seen)
					unreceived(&nr, &f[i], "not received on any queue within 3 s");
				json_check_begin(&j, &src, f[i].seen ? f[i].queue : -1, &f[i].flow,
						 f[i].seen ? &f[i].vd : &nr);
				json_bool(&j, "received", f[i].seen);
				json_str(&j, "mode", "live");
				json_end(&j);
				continue;
			}
			table_row(t);
			flow_cells(t, &f[i]);
			if (f[i].seen) {
				table_cell(t, "%s", tunvnet_report_name(f[i].hdr.hash_report));
				table_cell(t, "0x%08x", f[i].hdr.hash_value);
			} else {
				table_cell(t, "-");
				table_cell(t, "-");
			}
			table_cell(t, "%s 0x%08x", tunvnet_report_name(f[i].cls.report), f[i].cls.hash);
			if (f[i].seen)
				table_cell(t, "%d (exp %d)", f[i].queue, f[i].exp_queue);
			else
				table_cell(t, "- (exp %d)", f[i].exp_queue);
			table_cell_color(t, ok ? C_GREEN : C_RED, "%s", verdict);
		}
		if (t) {
			table_print(t, stdout);
			table_free(t);
			for (i = 0; i < n; i++)
				if (f[i].seen && f[i].vd.code == TUNVNET_VERDICT_MISMATCH)
					printf("  %s %s: %s\n", f[i].what, "mismatch", f[i].vd.why);
			printf("\n%zu flows, %zu received, %zu %s.\n", n, seen, bad,
			       bad == 1 ? "problem" : "problems");
		} else {
			struct tunvnet_verify_stats st = TUNVNET_VERIFY_STATS_INIT;
			struct json j;

			tunvnet_verifier_stats(v, &st);
			json_summary_begin(&j, "demo", &src, &st);
			json_str(&j, "mode", "live");
			json_str(&j, "uapi", tunvnet_uapi_name(caps->uapi));
			json_uint(&j, "flows", n);
			json_uint(&j, "problems", bad);
			json_end(&j);
		}
	}
	rc = bad ? EXIT_CHECK : EXIT_OK;
out:
	if (v)
		tunvnet_verifier_free(v);
	tunvnet_dev_close(dev);
	return rc;
}

/* ---- finding a test kernel and the VM harness ---- */

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A bzImage, or a folder holding bzImages directly or one level down. */
static size_t find_kernels(const char *path, char out[][PATH_MAX], size_t max)
{
	struct dirent **ents;
	size_t n = 0;
	int k, i;

	if (is_file(path)) {
		snprintf(out[0], PATH_MAX, "%s", path);
		return 1;
	}
	if (!is_dir(path))
		return 0;
	k = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < k; i++) {
		char p[PATH_MAX];

		if (ents[i]->d_name[0] != '.' && n < max) {
			snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
			if (is_file(p) && strstr(ents[i]->d_name, "bzImage"))
				snprintf(out[n++], PATH_MAX, "%s", p);
			else if (strlen(p) + 9 < sizeof(p) &&
				 (strcat(p, "/bzImage"), is_file(p)))
				snprintf(out[n++], PATH_MAX, "%s", p);
		}
		free(ents[i]);
	}
	if (k >= 0)
		free(ents);
	return n;
}

/* A readable harness at p: its canonical path into out. */
static bool harness_at(const char *p, char *out, size_t len)
{
	char *real;
	const char *r;
	size_t n;

	if (access(p, R_OK) != 0)
		return false;
	real = realpath(p, NULL);
	r = real ? real : p;
	n = strlen(r);
	if (n < len)
		memcpy(out, r, n + 1);
	free(real);
	return n < len;
}

/*
 * The VM harness: $TUNVNET_VM_HARNESS; else beside this binary (the build
 * tree, where meson copies it); else where an install puts it, first relative
 * to this binary (so a DESTDIR or a moved prefix works), then at the
 * configured prefix. Never the source or build tree of an installed binary.
 */
static bool find_harness(char *out, size_t len)
{
	const char *env = getenv("TUNVNET_VM_HARNESS");
	char self[PATH_MAX], p[PATH_MAX + 64];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (env && *env)
		return harness_at(env, out, len);
	if (l > 0) {
		self[l] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(p, sizeof(p), "%s/run-in-vm.sh", self);
		if (harness_at(p, out, len))
			return true;
		snprintf(p, sizeof(p), "%s/%s/run-in-vm.sh", self, TUNVNET_HARNESS_REL);
		if (*TUNVNET_HARNESS_REL && harness_at(p, out, len))
			return true;
	}
	return harness_at(TUNVNET_HARNESS_DIR "/run-in-vm.sh", out, len);
}

static int run_in_vm(const char *harness, const char *kernel, bool json)
{
	char self[PATH_MAX];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int status;

	if (l < 0)
		return -errno;
	self[l] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The host root is shared read-only in the guest, so this path works there. */
		execl("/bin/sh", "sh", harness, kernel, self, "demo", "--in-vm",
		      json ? "--json" : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --where: what a VM run would use, without running it. */
static int where(const char *kernel_arg)
{
	static char kernels[8][PATH_MAX];
	char harness[PATH_MAX];
	const char *src = kernel_arg ? kernel_arg : getenv("TUNVNET_TEST_KERNEL");
	size_t n = 0, i;

	printf("harness: %s\n", find_harness(harness, sizeof(harness)) ? harness : "none");
	if (src && *src)
		n = find_kernels(src, kernels, 8);
	for (i = 0; i < n; i++)
		printf("kernel: %s\n", kernels[i]);
	if (n == 0)
		printf("kernel: none\n");
	return EXIT_OK;
}

static int via_vm(const char *kernel_arg, bool json)
{
	static char kernels[8][PATH_MAX];
	char harness[PATH_MAX];
	const char *src = kernel_arg ? kernel_arg : getenv("TUNVNET_TEST_KERNEL");
	size_t n = 0, i;
	int worst = EXIT_OK, st;

	if (src && *src)
		n = find_kernels(src, kernels, 8);
	if (n == 0 || !find_harness(harness, sizeof(harness)))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (!json)
			printf("== running the demo in %s (QEMU), backend kernel ==\n", kernels[i]);
		st = run_in_vm(harness, kernels[i], json);
		if (st < 0 || st == 127)
			fprintf(stderr, "%s demo: cannot run %s: %s\n", ctl_prog, harness,
				st < 0 ? strerror(-st) : "exec failed");
		if (st != EXIT_OK)
			worst = EXIT_CHECK;
		if (!json)
			putchar('\n');
	}
	return worst;
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offline", no_argument, NULL, 'o' },
		{ "in-vm", no_argument, NULL, 'v' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "where", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tunvnet_caps caps = TUNVNET_CAPS_INIT;
	bool json = false, off = false, in_vm = false, show_where = false;
	const char *kernel = NULL;
	int c, rc, native;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ojh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			off = true;
			break;
		case 'v':
			in_vm = true;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'w':
			show_where = true;
			break;
		case 'h':
			return print_help(help);
		default:
			return usage_error("demo", "bad option");
		}
	}
	if (optind != argc)
		return usage_error("demo", "demo takes no arguments");
	if (show_where)
		return where(kernel);
	if (off)
		return offline(json);
	rc = tunvnet_caps_probe(-1, &caps);
	if (rc == 0 && caps.uapi != TUNVNET_UAPI_NONE)
		return live(json, &caps, TUNVNET_BACKEND_KERNEL, false);
	if (rc != -EOPNOTSUPP)
		return lib_error("demo", "cannot probe the kernel", rc, false);
	if (in_vm) {
		fprintf(stderr, "%s demo: the kernel %s lacks the tun/tap virtio-net hashing "
			"feature (inside the VM too: is it a kernel with the series?)\n", ctl_prog,
			kernel_release());
		return EXIT_CHECK;
	}
	if (!json)
		printf("The host kernel %s lacks the tun/tap virtio-net hashing feature, which is "
		       "not in mainline Linux: running the demo natively with the ebpf backend.\n\n",
		       kernel_release());
	/* A stock kernel: natively with our steering program first, then the
	 * series' kernel backend inside a test kernel where one is found. */
	native = live(json, &caps, TUNVNET_BACKEND_EBPF, true);
	if (!json)
		putchar('\n');
	rc = via_vm(kernel, json);
	if (rc != -ENOENT)
		return native == EXIT_OK || native == DEMO_NOT_RUN ? rc : native;
	if (native != DEMO_NOT_RUN) {
		if (!json)
			printf("No test kernel or VM harness found (TUNVNET_TEST_KERNEL, --kernel): "
			       "the kernel backend (the series) is not shown.\n");
		return native;
	}
	if (!json)
		printf("No test kernel or VM harness found: showing the reference side.\n\n");
	return offline(json);
}
