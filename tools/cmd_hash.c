/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl hash: the reference side for one packet or a whole capture. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PCAP
#include <pcap/pcap.h>
#endif

#include "ctl.h"

static const char help[] =
	"Usage: tunvnet-ctl hash [OPTIONS] PACKET_HEX\n"
	"       tunvnet-ctl hash [OPTIONS] --pcap FILE\n\n"
	"Classify a packet as the virtio-net rules say (report type, Toeplitz\n"
	"input) and hash it. Nothing touches the kernel.\n\n"
	"  --key HEX|@FILE|random|default  RSS key (default: Microsoft key)\n"
	"  --types LIST           enabled types: ipv4,tcpv4,udpv4,ipv6,tcpv6,udpv6,\n"
	"                         ip_ex,tcp_ex,udp_ex, 'all' (default) or a mask (0x3f)\n"
	"  --profile spec|linux|qemu|ebpf  whose classification rules (default spec)\n"
	"  --l2 eth|ip|ip-pi      what the bytes start with (default eth)\n"
	"  --pcap FILE            every packet of a capture (Ethernet, raw IP, or\n"
	"                         Linux cooked SLL/SLL2 as 'tcpdump -i any' writes);\n"
	"                         packets captured short are flagged, not hashed\n"
	"  --json                 one JSON object (JSON lines with --pcap)\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 hashed (report none included), 2 bad input.\n";

struct hash_ctx {
	uint32_t types;
	enum tunvnet_profile profile;
	struct tunvnet_toeplitz *t;
	bool json;
	const char *key_shown; /* --key random: the key chosen, printed with the result */
};

/* Classify and hash one packet; -1 on a bad argument (never for packet content). */
static int hash_one(const struct hash_ctx *h, const uint8_t *pkt, size_t len,
		    enum tunvnet_l2 l2, struct tunvnet_flow *flow, struct tunvnet_class *cls)
{
	int rc = tunvnet_packet_parse(pkt, len, l2, flow);

	if (rc)
		return rc;
	rc = tunvnet_classify(flow, h->types, h->profile, cls);
	if (rc)
		return rc;
	cls->hash = cls->report ? tunvnet_toeplitz_hash(h->t, cls->input, cls->input_len) : 0;
	return 0;
}

static void print_one(const struct hash_ctx *h, long index, const struct tunvnet_flow *flow,
		      const struct tunvnet_class *cls, size_t len)
{
	char input[2 * TUNVNET_TOEPLITZ_INPUT_MAX + 1], fs[128], kind[32];

	hex_string(cls->input, cls->input_len, input, sizeof(input));
	flow_string(flow, fs, sizeof(fs));
	flow_kind(flow, kind, sizeof(kind));
	if (h->json) {
		struct json j;

		json_begin(&j, stdout);
		if (index >= 0)
			json_int(&j, "index", index);
		json_uint(&j, "report", cls->report);
		json_str(&j, "report_name", tunvnet_report_name(cls->report));
		json_hex32(&j, "hash", cls->hash);
		json_str(&j, "input", input);
		json_uint(&j, "len", len);
		json_str(&j, "profile", tunvnet_profile_name(h->profile));
		if (h->key_shown)
			json_str(&j, "key", h->key_shown);
		json_flow(&j, "flow", flow);
		json_end(&j);
		return;
	}
	if (index >= 0) {
		printf("%-5ld %-8s 0x%08x  %-16s %s\n", index, tunvnet_report_name(cls->report),
		       cls->hash, kind, fs);
		return;
	}
	kv("flow", "%s %s", kind, fs);
	kv("report", "%u (%s)", cls->report, tunvnet_report_name(cls->report));
	kv("input", "%s", cls->input_len ? input : "(none: no enabled type applies)");
	kv("hash", "0x%08x", cls->hash);
	kv("profile", "%s", tunvnet_profile_name(h->profile));
	if (h->key_shown)
		kv("key", "%s", h->key_shown);
}

#ifdef HAVE_PCAP
#ifndef DLT_LINUX_SLL
#define DLT_LINUX_SLL 113
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/*
 * What a capture's records start with. Cooked captures ('tcpdump -i any')
 * replace the link header with their own (tcpdump.org/linktypes:
 * LINKTYPE_LINUX_SLL, 16 bytes, protocol at 14; LINKTYPE_LINUX_SLL2, 20
 * bytes, protocol at 0), where the protocol is the ethertype: the packet is
 * hashed as an Ethernet frame carrying that ethertype.
 */
struct capfmt {
	enum tunvnet_l2 l2;
	size_t cooked_len;  /* bytes of SLL/SLL2 header to replace, 0: none */
	size_t proto_off;   /* where the ethertype sits in it */
};

static int capture_format(int dlt, struct capfmt *f)
{
	memset(f, 0, sizeof(*f));
	switch (dlt) {
	case DLT_EN10MB:
		f->l2 = TUNVNET_L2_ETH;
		return 0;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		f->l2 = TUNVNET_L2_IP;
		return 0;
	case DLT_LINUX_SLL:
		f->l2 = TUNVNET_L2_ETH;
		f->cooked_len = 16;
		f->proto_off = 14;
		return 0;
	case DLT_LINUX_SLL2:
		f->l2 = TUNVNET_L2_ETH;
		f->cooked_len = 20;
		f->proto_off = 0;
		return 0;
	default:
		return -1;
	}
}

static void print_truncated(const struct hash_ctx *h, long index, size_t caplen, size_t len)
{
	if (h->json) {
		struct json j;

		json_begin(&j, stdout);
		json_int(&j, "index", index);
		json_bool(&j, "truncated", true);
		json_uint(&j, "caplen", caplen);
		json_uint(&j, "len", len);
		json_str(&j, "profile", tunvnet_profile_name(h->profile));
		json_end(&j);
		return;
	}
	printf("%-5ld %-8s %-10s  %-16s captured %zu of %zu bytes: not hashed\n", index,
	       "truncated", "-", "-", caplen, len);
}

static int hash_pcap(const struct hash_ctx *h, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	static uint8_t frame[14 + 262144];
	struct pcap_pkthdr *ph;
	const u_char *data;
	struct capfmt fmt;
	long index = 0, truncated = 0;
	pcap_t *p;
	int rc;

	p = pcap_open_offline(path, errbuf);
	if (!p) {
		return ctl_fail("hash", EXIT_USAGE, NULL, "cannot read capture '%s': %s", esc(path),
				errbuf);
	}
	if (capture_format(pcap_datalink(p), &fmt)) {
		rc = ctl_fail("hash", EXIT_USAGE, NULL, "capture '%s' has link type %s; only "
			      "Ethernet, raw IP and Linux cooked (SLL, SLL2) captures can be hashed",
			      esc(path), pcap_datalink_val_to_name(pcap_datalink(p)) ?: "unknown");
		pcap_close(p);
		return rc;
	}
	if (!h->json && h->key_shown)
		printf("key: %s\n", h->key_shown);
	if (!h->json)
		printf("%s%-5s %-8s %-10s  %-16s %s%s\n", col(C_BOLD), "#", "report", "hash",
		       "kind", "flow", col_end());
	while ((rc = pcap_next_ex(p, &ph, &data)) == 1) {
		struct tunvnet_flow flow;
		struct tunvnet_class cls;
		const uint8_t *pkt = data;
		size_t len = ph->caplen;

		/*
		 * A record no capture tool writes (no bytes on the wire, more
		 * captured than sent) means the file is damaged from here on:
		 * stop rather than read garbage as packets (a zero-filled file
		 * would print one line per 16 bytes).
		 */
		if (ph->len == 0 || ph->caplen > ph->len) {
			rc = ctl_fail("hash", EXIT_USAGE, NULL, "capture '%s' is damaged at record "
				      "%ld: captured length %u, length on the wire %u", esc(path),
				      index, ph->caplen, ph->len);
			pcap_close(p);
			return rc;
		}
		/* Captured short (a snap length): its classification would be wrong. */
		if (ph->caplen < ph->len || ph->caplen < fmt.cooked_len) {
			print_truncated(h, index++, ph->caplen, ph->len);
			truncated++;
			continue;
		}
		if (fmt.cooked_len) {
			len = ph->caplen - fmt.cooked_len;
			if (len > sizeof(frame) - 14)
				len = sizeof(frame) - 14;
			memset(frame, 0, 12);
			memcpy(frame + 12, data + fmt.proto_off, 2);
			memcpy(frame + 14, data + fmt.cooked_len, len);
			pkt = frame;
			len += 14;
		}
		if (hash_one(h, pkt, len, fmt.l2, &flow, &cls) == 0)
			print_one(h, index, &flow, &cls, len);
		index++;
	}
	if (rc == -1) {
		rc = ctl_fail("hash", EXIT_USAGE, NULL, "capture '%s' is damaged after %ld packets: "
			      "%s", esc(path), index, pcap_geterr(p));
		pcap_close(p);
		return rc;
	}
	pcap_close(p);
	if (truncated)
		fprintf(stderr, "%s hash: %ld of %ld packets were captured short and not hashed "
			"(capture with -s 0)\n", ctl_prog, truncated, index);
	return EXIT_OK;
}
#endif

int cmd_hash(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "types", required_argument, NULL, 't' },
		{ "profile", required_argument, NULL, 'p' },
		{ "l2", required_argument, NULL, 'l' },
		{ "pcap", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct hash_ctx h = { .types = TUNVNET_HASH_TYPES_ALL, .profile = TUNVNET_PROFILE_SPEC };
	uint8_t key[TUNVNET_KEY_MAX], pkt[65536];
	size_t key_len = TUNVNET_KEY_MAX, len;
	enum tunvnet_l2 l2 = TUNVNET_L2_ETH;
	const char *pcap_path = NULL;
	struct tunvnet_flow flow;
	struct tunvnet_class cls;
	char err[160], key_text[KEY_STRING_MAX];
	bool random_key = false;
	int c, rc;

	memcpy(key, tunvnet_default_key(), TUNVNET_KEY_MAX);
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:t:p:l:r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (parse_key(optarg, key, &key_len, err, sizeof(err)))
				return usage_error("hash", "%s", err);
			random_key = key_is_random(optarg);
			break;
		case 't':
			if (tunvnet_hash_types_parse(optarg, &h.types))
				return usage_error("hash", "%s", tunvnet_last_error());
			break;
		case 'p':
			if (tunvnet_profile_parse(optarg, &h.profile))
				return usage_error("hash", "%s", tunvnet_last_error());
			break;
		case 'l':
			if (parse_l2(optarg, &l2))
				return usage_error("hash", "unknown --l2 '%s' (eth, ip or ip-pi)", optarg);
			break;
		case 'r':
			pcap_path = optarg;
			break;
		case 'j':
			h.json = true;
			break;
		case 'h':
			return print_help(help);
		default:
			return usage_error("hash", "bad option");
		}
	}
	if (pcap_path ? optind != argc : optind + 1 != argc)
		return usage_error("hash", pcap_path ? "--pcap takes no PACKET_HEX argument"
					      : "expected exactly one PACKET_HEX argument");
	rc = check_key_len("hash", key_len, h.types);
	if (rc)
		return rc;
	if (random_key) {
		key_string(key, key_len, key_text, sizeof(key_text));
		h.key_shown = key_text;
	}
	rc = tunvnet_toeplitz_new(key, key_len, TUNVNET_TOEPLITZ_AUTO, &h.t);
	if (rc)
		return lib_error("hash", "cannot prepare the key", rc, true);

	if (pcap_path) {
#ifdef HAVE_PCAP
		rc = hash_pcap(&h, pcap_path);
#else
		rc = ctl_fail("hash", EXIT_USAGE, "rebuild with libpcap-dev installed",
			      "built without libpcap; --pcap is unavailable");
#endif
		tunvnet_toeplitz_free(h.t);
		return rc;
	}

	rc = parse_hex(argv[optind], pkt, sizeof(pkt), &len);
	if (rc || len == 0) {
		tunvnet_toeplitz_free(h.t);
		return usage_error("hash", "bad packet hex '%.40s%s' (pairs of hex digits, "
				   "optionally separated by ':')", argv[optind],
				   strlen(argv[optind]) > 40 ? "..." : "");
	}
	rc = hash_one(&h, pkt, len, l2, &flow, &cls);
	if (rc) {
		tunvnet_toeplitz_free(h.t);
		return lib_error("hash", "cannot classify the packet", rc, true);
	}
	print_one(&h, -1, &flow, &cls, len);
	tunvnet_toeplitz_free(h.t);
	return EXIT_OK;
}
