/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl verify DEV: check every hash the kernel reports on live traffic. */
#include <errno.h>
#include <net/if.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_PCAP
#include <pcap/pcap.h>
#endif

#include "capture.h"
#include "ctl.h"

static const char help[] =
	"Usage: tunvnet-ctl verify [OPTIONS] DEV\n"
	"       tunvnet-ctl verify [OPTIONS] --pcap FILE\n\n"
	"Attach to DEV's queues (tun/tap by name, macvtap/ipvtap through /dev/tapN),\n"
	"apply a hash configuration, read live traffic from every queue and check\n"
	"each reported hash type, value and queue against the reference. Frames read\n"
	"here are consumed: use a test device, not one a VM depends on.\n\n"
	HASHOPT_HELP
	"  --no-apply             do not apply: the flags above describe the\n"
	"                         configuration already in force\n"
	"  --profile spec|linux|qemu|ebpf  rules to check against (default: the backend's)\n"
	"  --count N              stop after N packets; fewer by the end is a failure\n"
	"  --duration S           stop after S seconds (default: until Ctrl-C)\n"
	"  --min-packets N        fewer packets than N is a failure (default 1: a run\n"
	"                         that saw nothing proves nothing; 0 accepts none)\n"
	"  --pcap-out FILE        save mismatching frames to a pcap file\n"
	"  --save FILE            save every frame read with its queue and vnet header,\n"
	"                         and the configuration, for verify --pcap\n"
	"                         (tunvnet-ctl(1), CAPTURE FORMAT)\n"
	"  --pcap FILE            no DEV: check a capture --save wrote, offline (no\n"
	"                         device, no privilege); the configuration is the saved\n"
	"                         one: flags above must agree with it (--profile may\n"
	"                         differ); FILE - is stdin\n"
	"  --json                 JSON lines: one per mismatch and per known kernel\n"
	"                         deviation (\"deviations\": names), then a summary\n"
	"                         (the keys: tunvnet-ctl(1), JSON OUTPUT)\n"
	"  -h, --help             this text\n\n"
	"Without --report/--rss, verify applies both (all six types, Microsoft key).\n"
	"In other tools' words: --report is QEMU's virtio-net hash=on, --rss is\n"
	"rss=on; types tcpv4/udpv4 hash what ethtool's 'rx-flow-hash tcp4 sdfn'\n"
	"does, ipv4 what 'sd' does; --table round-robin:N is 'ethtool -X DEV equal N';\n"
	"keys print as 'ethtool -x' prints them.\n"
	"Defaults differ from 'hash' (all nine types, profile spec) for one reason:\n"
	"verify checks what a device can do, the six types the kernel series\n"
	"supports. What verify expects, 'hash' gives (add --queues N for the queue):\n"
	"  hash --types 0x3f --profile linux     on the kernel backend\n"
	"  hash --types 0x3f --profile ebpf      on the ebpf and user backends\n"
	"The backend (--backend, default auto) decides what is checked: kernel (the\n"
	"series, refused on a kernel without it) every report and queue, profile\n"
	"linux; ebpf (auto's choice for RSS on a stock kernel's tun/tap) the queue\n"
	"our steering program picked and the report filled on read, profile ebpf;\n"
	"user the filled report only. With --no-apply only RSS can be checked\n"
	"there (reports are filled by the process that applied them).\n"
	"Frames queued before the configuration took effect are discarded, not\n"
	"counted. A macvtap/ipvtap hashes nothing with a single queue open, so\n"
	"verify opens 4 there unless --queues says otherwise.\n"
	"With --pcap the output is the same, plus the record index of each mismatch.\n"
	"Exit status: 0 every report matched (or was a known kernel deviation),\n"
	"1 a mismatch, too few packets, the device deleted during the run, or\n"
	"--backend kernel on a kernel without the feature, 2 bad input (with --pcap:\n"
	"a malformed capture, named by record index and byte offset).\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct run {
	struct tunvnet_dev *dev;
	struct tunvnet_verifier *v;
	unsigned int nq;
	uint64_t *per_q;
	bool json;
	struct check_src src; /* device, backend in force, kernel: on every JSON line */
	enum tunvnet_l2 l2;
#ifdef HAVE_PCAP
	pcap_t *pcap;
	pcap_dumper_t *dumper;
#endif
};

void verify_print_status(const struct tunvnet_verify_stats *s, const uint64_t *per_q,
			 unsigned int nq, bool final)
{
	unsigned int q;

	fprintf(stderr, "%s%spackets %llu  verified %llu  known %llu  %smismatches %llu%s  "
		"unchecked %llu  queues", out_is_tty() ? "\r" : "", col(C_BOLD), (unsigned long long)s->packets,
		(unsigned long long)s->matches, (unsigned long long)s->known_deviations,
		s->mismatches ? col(C_RED) : "", (unsigned long long)s->mismatches, col_end(),
		(unsigned long long)s->unchecked);
	for (q = 0; q < nq; q++)
		fprintf(stderr, " %u:%llu", q, (unsigned long long)per_q[q]);
	fputs(final ? "\n" : "   ", stderr);
}

static void status_line(const struct run *r, bool final)
{
	struct tunvnet_verify_stats s = TUNVNET_VERIFY_STATS_INIT;

	tunvnet_verifier_stats(r->v, &s);
	verify_print_status(&s, r->per_q, r->nq, final);
}

void verify_print_check(const struct check_src *src, bool json, unsigned int q, const void *frame,
			size_t len, enum tunvnet_l2 l2, const struct tunvnet_verdict *vd,
			long long record)
{
	struct tunvnet_flow flow;
	bool parsed = tunvnet_packet_parse(frame, len, l2, &flow) == 0;

	if (json) {
		struct json j;

		/* Known deviations get a line too (issue 9 item 15): which, by name. */
		json_check_begin(&j, src, (int)q, parsed ? &flow : NULL, vd);
		if (record >= 0)
			json_int(&j, "record", record);
		json_end(&j);
	} else {
		char fs[128], kind[32], rec[32] = "";

		if (parsed) {
			flow_string(&flow, fs, sizeof(fs));
			flow_kind(&flow, kind, sizeof(kind));
		} else {
			snprintf(fs, sizeof(fs), "?");
			snprintf(kind, sizeof(kind), "?");
		}
		if (record >= 0)
			snprintf(rec, sizeof(rec), " record %lld", record);
		if (out_is_tty())
			fputs("\r\033[K", stderr);
		printf("%sMISMATCH%s%s q%u %s %s: expected %s 0x%08x q%d, observed %s 0x%08x q%d: %s\n",
		       col(C_RED), col_end(), rec, q, kind, fs, tunvnet_report_name(vd->expected_report),
		       vd->expected_hash, vd->expected_queue,
		       tunvnet_report_name(vd->observed_report), vd->observed_hash,
		       vd->observed_queue, vd->why);
		fflush(stdout);
	}
}

static void report_mismatch(struct run *r, unsigned int q, const struct tunvnet_pkt *p,
			    const struct tunvnet_verdict *vd)
{
	verify_print_check(&r->src, r->json, q, p->buf, p->len, r->l2, vd, -1);
	if (vd->code != TUNVNET_VERDICT_MISMATCH)
		return; /* excused: not a mismatch to save */
#ifdef HAVE_PCAP
	if (r->dumper) {
		struct pcap_pkthdr ph = { .caplen = (bpf_u_int32)p->len, .len = (bpf_u_int32)p->len };
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ph.ts.tv_sec = ts.tv_sec;
		ph.ts.tv_usec = ts.tv_nsec / 1000;
		pcap_dump((u_char *)r->dumper, &ph, p->buf);
		pcap_dump_flush(r->dumper);
	}
#endif
}

/* Who hashes decides the rules: the series (linux profile, its known
 * deviations) or the library's own program and filler (ebpf), unless
 * --profile says. */
static void verify_backend(struct tunvnet_verify_opts *vo, enum tunvnet_backend b, bool profile_set)
{
	vo->backend = b;
	if (!profile_set)
		vo->profile = b == TUNVNET_BACKEND_KERNEL ? TUNVNET_PROFILE_LINUX : TUNVNET_PROFILE_EBPF;
}

/* The capture's first record: what the frames are checked against offline. */
static int save_config(FILE *f, const struct tunvnet_verify_opts *vo, const struct tunvnet_link *link)
{
	struct cap_config c = { 0 };
	int rc;

	snprintf(c.name, sizeof(c.name), "%s", link->name);
	snprintf(c.kernel, sizeof(c.kernel), "%s", kernel_release());
	c.kind = vo->kind;
	c.l2 = vo->l2;
	c.backend = vo->backend;
	c.profile = vo->profile;
	c.known_deviations = vo->known_deviations;
	c.num_queues = vo->num_queues;
	c.cfg = *vo->cfg;
	c.cfg.backend = vo->backend;
	rc = cap_write_header(f);
	if (!rc)
		rc = cap_write_config(f, &c);
	if (!rc && fflush(f))
		rc = -errno;
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		HASHOPT_LONGOPTS,
		{ "no-apply", no_argument, NULL, 'n' },
		{ "profile", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pcap-out", required_argument, NULL, 'w' },
		{ "save", required_argument, NULL, 's' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "min-packets", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	struct tunvnet_caps caps = TUNVNET_CAPS_INIT;
	struct run r = { 0 };
	struct tunvnet_link link;
	struct tunvnet_verify_stats s = TUNVNET_VERIFY_STATS_INIT;
	struct pollfd *pfd = NULL;
	struct tunvnet_pkt pkts[16];
	const char *pcap_out = NULL, *save_path = NULL, *pcap_in = NULL;
	FILE *save = NULL;
	enum tunvnet_endian endian = TUNVNET_ENDIAN_NATIVE;
	size_t save_hdr = 0;
	unsigned long count = 0, duration = 0, min_packets = 1, drained = 0;
	bool have_min = false, gone = false;
	bool apply = true, profile_set = false;
	struct hashopt h;
	size_t max_frame = 0;
	double start, last_status = 0, last_alive = 0;
	unsigned int q, i;
	int c, rc, hdr_sz = 0, old_hdr_sz = 0;
	unsigned int others, total;
	bool tunlike;
#ifdef HAVE_PCAP
	FILE *pcap_file = NULL;
#endif

	vo.profile = TUNVNET_PROFILE_LINUX;
	hashopt_init(&h);
	memset(pkts, 0, sizeof(pkts));
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c >= HASHOPT_FIRST && c <= HASHOPT_LAST) {
			rc = hashopt_parse(&h, "verify", c, optarg);
			if (rc)
				return rc;
			continue;
		}
		switch (c) {
		case 'n':
			apply = false;
			break;
		case 'p':
			if (tunvnet_profile_parse(optarg, &vo.profile))
				return usage_error("verify", "%s", tunvnet_last_error());
			profile_set = true;
			break;
		case 'c':
			if (parse_uint(optarg, 1, ~0ul, &count))
				return usage_error("verify", "--count wants a positive number");
			break;
		case 'd':
			if (parse_uint(optarg, 1, 86400 * 365ul, &duration))
				return usage_error("verify", "--duration wants seconds (> 0)");
			break;
		case 'w':
			pcap_out = optarg;
			break;
		case 's':
			save_path = optarg;
			break;
		case 'P':
			pcap_in = optarg;
			break;
		case 'm':
			if (parse_uint(optarg, 0, ~0ul, &min_packets))
				return usage_error("verify", "--min-packets wants a number");
			have_min = true;
			break;
		case 'j':
			r.json = true;
			break;
		case 'h':
			return print_help(help);
		default:
			return usage_error("verify", "bad option");
		}
	}
	if (pcap_in) {
		/* Offline: what only a device has is refused, not ignored. */
		if (optind != argc)
			return usage_error("verify", "--pcap takes no DEV argument");
		if (!apply || duration || save_path || pcap_out || h.vnet_hdr_sz)
			return usage_error("verify", "--pcap checks a saved capture: %s has no meaning "
					   "there", !apply ? "--no-apply" : duration ? "--duration" :
					   save_path ? "--save" : pcap_out ? "--pcap-out" :
					   "--vnet-hdr-size (each record carries its header length)");
		rc = verify_pcap(pcap_in, &h, profile_set ? &vo.profile : NULL, r.json, count,
				 have_min ? min_packets : (count ? count : 1));
		hashopt_free(&h);
		return rc;
	}
	if (optind + 1 != argc)
		return usage_error("verify", "expected exactly one DEV argument");
#ifndef HAVE_PCAP
	if (pcap_out)
		return usage_error("verify", "built without libpcap: --pcap-out is unavailable");
#endif
#ifdef HAVE_PCAP
	/* The output file is input too: refuse a bad path before anything else. */
	if (pcap_out) {
		pcap_file = fopen(pcap_out, "wb");
		if (!pcap_file) {
			rc = usage_error("verify", "cannot write '%s': %s", pcap_out, strerror(errno));
			goto out;
		}
	}
#endif
	if (save_path) {
		save = fopen(save_path, "wb");
		if (!save) {
			rc = usage_error("verify", "cannot write '%s': %s", esc(save_path), strerror(errno));
			goto out;
		}
	}
	if (!h.report && !h.rss)
		h.report = h.rss = true;
	/* Validate everything, then act: nothing below changes the device until
	 * the input, the kernel's support and the device's limits all passed. */
	rc = hashopt_build(&h, "verify", (unsigned int)h.queues);
	if (rc)
		goto out;
	/* The series is needed only when asked for by name: on a stock kernel
	 * auto picks our steering program (ebpf) or reports filled on read (user). */
	caps.sz = sizeof(caps);
	rc = tunvnet_caps_probe(-1, &caps);
	if (rc && h.cfg.backend == TUNVNET_BACKEND_KERNEL) {
		rc = feature_error("verify", "cannot verify", rc);
		goto out;
	}
	if (rc)
		caps.uapi = TUNVNET_UAPI_NONE;
	if (apply) {
		rc = tunvnet_hash_cfg_validate(&h.cfg, caps.uapi != TUNVNET_UAPI_NONE ? &caps : NULL,
					       0, h.vnet_hdr_sz);
		if (rc) {
			rc = lib_error("verify", "this kernel cannot apply it", rc, rc == -EINVAL);
			goto out;
		}
	}
	rc = tunvnet_link_get(argv[optind], &link);
	if (rc) {
		rc = lib_error("verify", "cannot find the device", rc, false);
		goto out;
	}
	rc = hashopt_check_link(&h, "verify", &link);
	if (rc)
		goto out;
	tunlike = link.kind == TUNVNET_KIND_TUN || link.kind == TUNVNET_KIND_TAP;
	/*
	 * A multi-queue device with nothing said: four queues show RSS at work.
	 * A macvtap/ipvtap is always multi-queue, and with a single queue open
	 * drivers/net/tap.c picks it without hashing: no report at all.
	 */
	if (!h.queues)
		h.queues = (!tunlike || (link.dev_flags & TUNVNET_DEV_MULTI_QUEUE)) ? 4 : 1;
	/* (Reports filled in user space, by the user backend, need no second queue.) */
	if (!tunlike && h.queues == 1 && h.report &&
	    (h.cfg.backend == TUNVNET_BACKEND_KERNEL ||
	     (h.cfg.backend == TUNVNET_BACKEND_AUTO && caps.uapi != TUNVNET_UAPI_NONE))) {
		rc = usage_error("verify", "a %s with a single queue open reports no hash (the "
				 "kernel hashes only to pick among 2 or more queues): give "
				 "--queues 2 or more", tunvnet_kind_name(link.kind));
		goto out;
	}
	/* The kernel spreads over every queue attached: others' and ours. */
	others = tunlike ? link.num_queues : 0;
	total = others + (unsigned int)h.queues;
	rc = hashopt_build(&h, "verify", total);
	if (rc)
		goto out;

	vo.cfg = &h.cfg; /* copied by tunvnet_verifier_new */
	/* The backend asked for; auto's choice is known once applied (below).
	 * Until then (and with --no-apply) guess as auto chooses. */
	verify_backend(&vo, h.cfg.backend != TUNVNET_BACKEND_AUTO ? h.cfg.backend :
			    caps.uapi != TUNVNET_UAPI_NONE ? TUNVNET_BACKEND_KERNEL :
			    tunlike && h.rss ? TUNVNET_BACKEND_EBPF : TUNVNET_BACKEND_USER,
		       profile_set);
	vo.num_queues = total;
	vo.kind = link.kind;
	vo.l2 = link.kind == TUNVNET_KIND_TUN ? ((link.dev_flags & TUNVNET_DEV_PI) ?
						 TUNVNET_L2_IP_PI : TUNVNET_L2_IP)
					       : TUNVNET_L2_ETH;
	r.l2 = vo.l2;
	r.src.device = link.name;
	r.src.kernel = kernel_release();
	vo.known_deviations = TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE |
			      TUNVNET_DEVIATION_SHORT_KEY_IPV6 | TUNVNET_DEVIATION_VLAN_AF_PACKET;
	rc = tunvnet_verifier_new(&vo, &r.v);
	if (rc) {
		rc = lib_error("verify", "cannot set up the verifier", rc, true);
		goto out;
	}
#ifdef HAVE_PCAP
	if (pcap_file) {
		r.pcap = pcap_open_dead(r.l2 == TUNVNET_L2_ETH ? DLT_EN10MB : DLT_RAW, 65535);
		r.dumper = r.pcap ? pcap_dump_fopen(r.pcap, pcap_file) : NULL;
		if (!r.dumper) {
			rc = ctl_fail("verify", EXIT_USAGE, NULL, "cannot write '%s': %s",
				      esc(pcap_out), r.pcap ? pcap_geterr(r.pcap) : "out of memory");
			goto out;
		}
		pcap_file = NULL; /* the dumper owns it */
	}
#endif

	/* Attaching changes nothing (the device's flags are kept). */
	rc = attach_device("verify", argv[optind], (unsigned int)h.queues, true, &link, &r.dev);
	if (rc)
		goto out;
	r.nq = tunvnet_dev_num_queues(r.dev);
	if (others)
		fprintf(stderr, "%s verify: note: %u other queue(s) are attached; their packets "
			"are not seen here\n", ctl_prog, others);
	if (tunvnet_dev_max_frame(r.dev, &max_frame) || max_frame < 2048)
		max_frame = 65536;
	for (i = 0; i < 16; i++) {
		pkts[i].buf = malloc(max_frame);
		pkts[i].cap = max_frame;
		if (!pkts[i].buf) {
			rc = sys_error("verify", "cannot allocate buffers", ENOMEM);
			goto out;
		}
	}
	r.per_q = calloc(r.nq, sizeof(*r.per_q));
	pfd = calloc(r.nq, sizeof(*pfd));
	if (!r.per_q || !pfd) {
		rc = sys_error("verify", "cannot allocate", ENOMEM);
		goto out;
	}

	/* Now act. Reports travel only in a 20-byte header or larger. */
	if (tunvnet_dev_get_vnet_hdr_sz(r.dev, &old_hdr_sz))
		old_hdr_sz = 0;
	hdr_sz = h.vnet_hdr_sz;
	if (!hdr_sz && apply && h.report && old_hdr_sz && old_hdr_sz < TUNVNET_HDR_HASH_LEN)
		hdr_sz = TUNVNET_HDR_HASH_LEN;
	if (hdr_sz && hdr_sz != old_hdr_sz) {
		rc = tunvnet_dev_set_vnet_hdr_sz(r.dev, hdr_sz);
		if (rc) {
			rc = lib_error("verify", "cannot set the vnet header size", rc, false);
			goto out;
		}
	}
	if (apply) {
		struct tunvnet_hash_cfg in_force = TUNVNET_HASH_CFG_INIT;

		rc = tunvnet_dev_set_hash(r.dev, &h.cfg);
		if (rc) {
			rc = lib_error("verify", "cannot apply the hash configuration", rc, false);
			/* Leave the device as it was: the header size goes back too. */
			if (hdr_sz && old_hdr_sz && hdr_sz != old_hdr_sz)
				tunvnet_dev_set_vnet_hdr_sz(r.dev, old_hdr_sz);
			goto out;
		}
		/* Verify against the backend in force (auto may pick ebpf or user). */
		if (tunvnet_dev_get_hash(r.dev, &in_force) == 0 && in_force.backend != vo.backend &&
		    in_force.backend != TUNVNET_BACKEND_AUTO) {
			struct tunvnet_verifier *nv = NULL;

			verify_backend(&vo, in_force.backend, profile_set);
			rc = tunvnet_verifier_new(&vo, &nv);
			if (rc) {
				rc = lib_error("verify", "cannot set up the verifier", rc, false);
				goto out;
			}
			tunvnet_verifier_free(r.v);
			r.v = nv;
		}
	}
	if (save) {
		int sz = 0;

		if (tunvnet_dev_get_vnet_endian(r.dev, &endian))
			endian = TUNVNET_ENDIAN_NATIVE;
		if (tunvnet_dev_get_vnet_hdr_sz(r.dev, &sz) == 0 && sz > 0)
			save_hdr = (size_t)sz;
		rc = save_config(save, &vo, &link);
		if (rc) {
			rc = ctl_fail("verify", EXIT_CHECK, NULL, "cannot write '%s': %s",
				      esc(save_path), strerror(-rc));
			goto out;
		}
	}
	/*
	 * Frames queued before the configuration and header size took effect
	 * (the kernel's own IPv6 frames once a queue attaches) were hashed, or
	 * framed, under the old ones: not evidence. Discard them.
	 */
	if (apply || (hdr_sz && hdr_sz != old_hdr_sz)) {
		for (q = 0; q < r.nq; q++) {
			int got;

			while ((got = tunvnet_queue_read(r.dev, q, pkts, 16)) > 0)
				drained += (unsigned long)got;
		}
	}
	tunvnet_dev_set_up(r.dev, true);
	if (count && !have_min)
		min_packets = count;

	for (q = 0; q < r.nq; q++) {
		pfd[q].fd = tunvnet_dev_queue_fd(r.dev, q);
		pfd[q].events = POLLIN;
	}
	r.src.backend = tunvnet_backend_name(vo.backend); /* the one checked against */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!r.json) {
		fprintf(stderr, "verifying %s %s on %u queue(s), profile %s: ",
			tunvnet_kind_name(link.kind), esc(link.name), r.nq, tunvnet_profile_name(vo.profile));
		hashopt_describe(&h.cfg, stderr);
	}
	start = now();
	/* A reader that went away (closed pipe, full disk) ends the run. */
	while (!stop && !ferror(stdout)) {
		double t = now();
		int n;

		if (duration && t - start >= (double)duration)
			break;
		if (!r.json && out_is_tty() && t - last_status > 0.2) {
			status_line(&r, false);
			last_status = t;
		}
		/*
		 * A deleted device: tun answers POLLERR and -EBADFD on every
		 * queue, a macvtap queue just goes quiet. Check that its
		 * ifindex still exists twice a second.
		 */
		if (t - last_alive > 0.5) {
			char name[IF_NAMESIZE];

			last_alive = t;
			if (!if_indextoname((unsigned int)link.ifindex, name) && errno == ENXIO) {
				gone = true;
				break;
			}
		}
		n = poll(pfd, r.nq, 200);
		if (n < 0 && errno != EINTR) {
			rc = sys_error("verify", "poll failed", errno);
			goto out;
		}
		for (q = 0; n > 0 && q < r.nq && !stop && !gone; q++) {
			int got, k;

			if (!(pfd[q].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)))
				continue;
			got = tunvnet_queue_read(r.dev, q, pkts, 16);
			if (got == -EAGAIN)
				continue;
			if (got == -EBADFD || got == -ENOLINK || got == -ENXIO) {
				gone = true;
				break;
			}
			if (got < 0) {
				rc = lib_error("verify", "read failed", got, false);
				goto out;
			}
			for (k = 0; k < got; k++) {
				struct tunvnet_verdict vd;

				r.per_q[q]++;
				if (save) {
					int wr = cap_write_frame(save, q, r.l2, vo.backend, endian,
								 &pkts[k].hdr, save_hdr, pkts[k].buf,
								 pkts[k].len);

					if (wr) {
						rc = ctl_fail("verify", EXIT_CHECK, NULL, "cannot write "
							      "'%s': %s", esc(save_path), strerror(-wr));
						goto out;
					}
				}
				if (tunvnet_verify_packet(r.v, q, &pkts[k].hdr, pkts[k].buf,
							  pkts[k].len, &vd) == 0 &&
				    (vd.code == TUNVNET_VERDICT_MISMATCH ||
				     (r.json && vd.code == TUNVNET_VERDICT_KNOWN_DEVIATION)))
					report_mismatch(&r, q, &pkts[k], &vd);
				tunvnet_verifier_stats(r.v, &s);
				if (count && s.packets >= count)
					stop = 1;
			}
			/* Whole batches reach the file: a run killed later leaves a readable one. */
			if (save && fflush(save)) {
				rc = ctl_fail("verify", EXIT_CHECK, NULL, "cannot write '%s': %s",
					      esc(save_path), strerror(errno));
				goto out;
			}
		}
	}
	tunvnet_verifier_stats(r.v, &s);
	if (r.json) {
		struct json j;

		json_summary_begin(&j, "verify", &r.src, &s);
		json_uint(&j, "discarded_before_start", drained);
		if (h.cfg.flags & TUNVNET_HASH_RSS) {
			char key[KEY_STRING_MAX];

			/* --key random is only reproducible with the key it chose. */
			key_string(h.cfg.key, h.cfg.key_len, key, sizeof(key));
			json_str(&j, "key", key);
		}
		json_double(&j, "seconds", now() - start);
		json_arr(&j, "per_queue");
		for (q = 0; q < r.nq; q++)
			json_uint(&j, NULL, r.per_q[q]);
		json_close(&j);
		json_end(&j);
	} else {
		status_line(&r, true);
	}
	rc = s.mismatches ? EXIT_CHECK : EXIT_OK;
	if (gone) {
		rc = ctl_fail("verify", EXIT_CHECK, NULL, "%s '%s' was deleted during the run",
			      tunvnet_kind_name(link.kind), esc(link.name));
	} else if (count && s.packets < count) {
		rc = ctl_fail("verify", EXIT_CHECK, NULL, "saw %llu of the %lu packets --count "
			      "asked for", (unsigned long long)s.packets, count);
	} else if (s.packets < min_packets) {
		rc = ctl_fail("verify", EXIT_CHECK, NULL, "saw %llu packet%s, fewer than "
			      "--min-packets %lu: nothing was shown to work",
			      (unsigned long long)s.packets, s.packets == 1 ? "" : "s", min_packets);
	}
	if (save) {
		FILE *f = save;

		save = NULL;
		if (fclose(f) && rc == EXIT_OK)
			rc = ctl_fail("verify", EXIT_CHECK, NULL, "cannot write '%s': %s",
				      esc(save_path), strerror(errno));
	}
out:
	if (save)
		fclose(save);
#ifdef HAVE_PCAP
	if (pcap_file)
		fclose(pcap_file);
	if (r.dumper)
		pcap_dump_close(r.dumper);
	if (r.pcap)
		pcap_close(r.pcap);
#endif
	for (i = 0; i < 16; i++)
		free(pkts[i].buf);
	free(pfd);
	free(r.per_q);
	if (r.v)
		tunvnet_verifier_free(r.v);
	if (r.dev)
		tunvnet_dev_close(r.dev);
	hashopt_free(&h);
	return rc;
}
