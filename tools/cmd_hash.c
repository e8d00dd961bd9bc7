/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl hash: the reference side for one packet or a whole capture. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PCAP
#include <pcap/pcap.h>
#endif

#include "ctl.h"

static const char help[] =
	"Usage: tunvnet-ctl hash [OPTIONS] PACKET_HEX\n"
	"       tunvnet-ctl hash [OPTIONS] --pcap FILE\n"
	"       tunvnet-ctl hash [OPTIONS] --stdin\n\n"
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
	"  --stdin                hex frames from standard input, one per line (blank\n"
	"                         lines and '#' comments skipped, CRLF accepted, at\n"
	"                         most 262144 characters and 65536 bytes a line);\n"
	"                         \"index\" counts frame lines from 0, \"line\" is the\n"
	"                         line number from 1; a bad line prints an error for\n"
	"                         that line and the rest go on (exit status 2 at the end)\n"
	"  --queues N             also give the RSS queue the packet lands on among\n"
	"                         N queues (1..256)\n"
	"  --table LIST|round-robin:N  indirection table, as for 'set' (default: one\n"
	"                         entry per queue); needs --queues\n"
	"  --unclassified Q       queue of a packet with report none (default 0, as\n"
	"                         for 'set'); needs --queues\n"
	"  --json                 one JSON object (JSON lines with --pcap, --stdin)\n"
	"  -h, --help             this text\n\n"
	"The queue is the table entry hash & (table length - 1) selects, or Q when\n"
	"no enabled type matches (report none), as the kernel series and our eBPF\n"
	"steering pick it.\n"
	"Defaults differ from set/verify for one reason: hash answers what the\n"
	"virtio specification defines (all nine types, its rules); set and verify\n"
	"act on a device, with the six types the kernel series supports. What\n"
	"verify expects (add --queues N for the queue):\n"
	"  hash --types 0x3f --profile linux     on the kernel backend\n"
	"  hash --types 0x3f --profile ebpf      on the ebpf and user backends\n"
	"In other tools' words: tcpv4/udpv4 hash what ethtool's 'rx-flow-hash tcp4\n"
	"sdfn' does, ipv4 what 'sd' does; --table round-robin:N is 'ethtool -X DEV\n"
	"equal N'; keys print as 'ethtool -x' prints them.\n\n"
	"Exit status: 0 hashed (report none included), 2 bad input (with --stdin:\n"
	"one line or more was bad).\n";

/* --stdin: a line longer than this is refused unread (bounded memory). */
#define STDIN_LINE_MAX 262144
/* The largest frame hashed (PACKET_HEX, --stdin). */
#define FRAME_MAX 65536

struct hash_ctx {
	uint32_t types;
	enum tunvnet_profile profile;
	struct tunvnet_toeplitz *t;
	bool json;
	const char *key_shown; /* --key random: the key chosen, printed with the result */
	const struct tunvnet_hash_cfg *rss; /* --queues: the table etc. (NULL: no queue) */
	unsigned int nq;
};

/* Where a packet came from: its index among --pcap/--stdin frames, its --stdin line. */
struct where {
	long index; /* -1: a single PACKET_HEX */
	long line;  /* -1: not from --stdin */
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

/* The queue the packet lands on (validated configuration: never fails). */
static int queue_of(const struct hash_ctx *h, const struct tunvnet_class *cls)
{
	return tunvnet_rss_queue(h->rss, h->nq, cls->report, cls->hash);
}

/* The --pcap/--stdin table's header; the queue column only with --queues. */
static void print_header(const struct hash_ctx *h)
{
	if (!h->json && h->key_shown)
		printf("key: %s\n", h->key_shown);
	if (h->json)
		return;
	printf("%s%-5s %-8s %-10s  ", col(C_BOLD), "#", "report", "hash");
	if (h->rss)
		printf("%-5s ", "queue");
	printf("%-16s %s%s\n", "kind", "flow", col_end());
}

static void print_one(const struct hash_ctx *h, const struct where *w,
		      const struct tunvnet_flow *flow, const struct tunvnet_class *cls, size_t len)
{
	char input[2 * TUNVNET_TOEPLITZ_INPUT_MAX + 1], fs[128], kind[32];

	hex_string(cls->input, cls->input_len, input, sizeof(input));
	flow_string(flow, fs, sizeof(fs));
	flow_kind(flow, kind, sizeof(kind));
	if (h->json) {
		struct json j;

		json_begin(&j, stdout);
		if (w->index >= 0)
			json_int(&j, "index", w->index);
		if (w->line >= 0)
			json_int(&j, "line", w->line);
		json_uint(&j, "report", cls->report);
		json_str(&j, "report_name", tunvnet_report_name(cls->report));
		json_hex32(&j, "hash", cls->hash);
		if (h->rss)
			json_int(&j, "queue", queue_of(h, cls));
		json_str(&j, "input", input);
		json_uint(&j, "len", len);
		json_str(&j, "profile", tunvnet_profile_name(h->profile));
		if (h->key_shown)
			json_str(&j, "key", h->key_shown);
		json_flow(&j, "flow", flow);
		json_end(&j);
		return;
	}
	if (w->index >= 0) {
		printf("%-5ld %-8s 0x%08x  ", w->index, tunvnet_report_name(cls->report), cls->hash);
		if (h->rss)
			printf("%-5d ", queue_of(h, cls));
		printf("%-16s %s\n", kind, fs);
		return;
	}
	kv("flow", "%s %s", kind, fs);
	kv("report", "%u (%s)", cls->report, tunvnet_report_name(cls->report));
	kv("input", "%s", cls->input_len ? input : "(none: no enabled type applies)");
	kv("hash", "0x%08x", cls->hash);
	if (h->rss)
		kv("queue", "%d (of %u)", queue_of(h, cls), h->nq);
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
	printf("%-5ld %-8s %-10s  ", index, "truncated", "-");
	if (h->rss)
		printf("%-5s ", "-");
	printf("%-16s captured %zu of %zu bytes: not hashed\n", "-", caplen, len);
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
	print_header(h);
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
		if (hash_one(h, pkt, len, fmt.l2, &flow, &cls) == 0) {
			struct where w = { index, -1 };

			print_one(h, &w, &flow, &cls, len);
		}
		index++;
		if (ferror(stdout))
			break; /* the reader went away: main says so */
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

/*
 * One line of standard input into buf (NUL-terminated, the '\n' dropped):
 * 1 a line, 0 end of input, -1 a read error. Bytes past cap are read and
 * dropped (*over set), so a line of any length costs cap bytes of memory.
 */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len, bool *over)
{
	size_t n = 0;
	bool any = false;
	int c;

	*over = false;
	while ((c = getc_unlocked(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (n < cap)
			buf[n++] = (char)c;
		else
			*over = true;
	}
	if (c == EOF && ferror(f))
		return -1;
	buf[n] = '\0';
	*len = n;
	return any ? 1 : 0;
}

/* A bad --stdin line: a JSON object (--json) or a message, and the rest go on. */
static void stdin_error(const struct hash_ctx *h, const struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stdin_error(const struct hash_ctx *h, const struct where *w, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (h->json) {
		struct json j;

		json_begin(&j, stdout);
		json_int(&j, "index", w->index);
		json_int(&j, "line", w->line);
		json_str(&j, "error", msg);
		json_end(&j);
	} else {
		fprintf(stderr, "%s hash: line %ld (frame %ld): %s\n", ctl_prog, w->line,
			w->index, msg);
	}
}

/*
 * Classify one --stdin line (already trimmed, comment cut; col0 its first
 * column in the line, for messages): 0 printed, -1 a bad line reported.
 */
static int stdin_frame(const struct hash_ctx *h, const struct where *w, enum tunvnet_l2 l2,
		       const char *s, size_t n, size_t col0, bool over, uint8_t *pkt)
{
	struct tunvnet_flow flow;
	struct tunvnet_class cls;
	size_t len, bad = 0;
	int rc;

	if (over) {
		stdin_error(h, w, "line longer than %d characters", STDIN_LINE_MAX);
		return -1;
	}
	if (memchr(s, '\0', n)) {
		stdin_error(h, w, "NUL byte at column %zu", col0 + (size_t)((const char *)
							memchr(s, '\0', n) - s) + 1);
		return -1;
	}
	rc = parse_hex_at(s, pkt, FRAME_MAX, &len, &bad);
	if (rc == -E2BIG) {
		stdin_error(h, w, "frame longer than %d bytes", FRAME_MAX);
		return -1;
	}
	if (rc) {
		unsigned char c = (unsigned char)s[bad];

		if (isxdigit(c))
			stdin_error(h, w, "hex digit '%c' at column %zu has no pair (bytes are two "
				    "hex digits, optionally separated by ':', '-', '.' or spaces)",
				    c, col0 + bad + 1);
		else if (c > 0x20 && c < 0x7f)
			stdin_error(h, w, "'%c' at column %zu is not a hex digit", c, col0 + bad + 1);
		else
			stdin_error(h, w, "byte 0x%02x at column %zu is not a hex digit", c,
				    col0 + bad + 1);
		return -1;
	}
	if (len == 0) {
		stdin_error(h, w, "no bytes");
		return -1;
	}
	rc = hash_one(h, pkt, len, l2, &flow, &cls);
	if (rc) {
		stdin_error(h, w, "cannot classify the frame: %s", tunvnet_last_error());
		return -1;
	}
	print_one(h, w, &flow, &cls, len);
	return 0;
}

/*
 * --stdin: one frame per line, untrusted. Every frame line gets one output
 * line (a result or an error), flushed at once so a program can feed frames
 * and read answers one by one.
 */
static int hash_stdin(const struct hash_ctx *h, enum tunvnet_l2 l2)
{
	char *buf = malloc(STDIN_LINE_MAX + 1);
	uint8_t *pkt = malloc(FRAME_MAX);
	struct where w = { 0, 0 };
	long bad = 0;
	bool over;
	size_t n;
	int rc, err;

	if (!buf || !pkt) {
		free(buf);
		free(pkt);
		return sys_error("hash", "cannot read standard input", -ENOMEM);
	}
	print_header(h);
	while ((rc = read_line(stdin, buf, STDIN_LINE_MAX, &n, &over)) == 1) {
		char *s = buf, *hash_mark;
		size_t col0;

		w.line++;
		/* '#' to the end of the line is a comment (it is not hex). */
		hash_mark = memchr(buf, '#', n);
		if (hash_mark) {
			n = (size_t)(hash_mark - buf);
			over = false;
		}
		/* Trailing '\r' (CRLF) and blanks, then leading blanks. */
		while (n && isspace((unsigned char)buf[n - 1]))
			n--;
		buf[n] = '\0';
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		if (!n && !over)
			continue; /* blank or comment: no frame, no index */
		col0 = (size_t)(s - buf);
		if (stdin_frame(h, &w, l2, s, n, col0, over, pkt))
			bad++;
		w.index++;
		/* A reader that went away (EPIPE): stop reading, the caller says why. */
		if (fflush(stdout) != 0 || ferror(stdout))
			break;
	}
	err = errno;
	free(buf);
	free(pkt);
	if (rc < 0)
		return sys_error("hash", "cannot read standard input", -err);
	if (bad)
		return ctl_fail("hash", EXIT_USAGE, NULL, "%ld of %ld frame line%s on standard "
				"input %s bad", bad, w.index, w.index == 1 ? "" : "s",
				bad == 1 ? "was" : "were");
	return EXIT_OK;
}

int cmd_hash(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "types", required_argument, NULL, 't' },
		{ "profile", required_argument, NULL, 'p' },
		{ "l2", required_argument, NULL, 'l' },
		{ "pcap", required_argument, NULL, 'r' },
		{ "stdin", no_argument, NULL, 's' },
		{ "queues", required_argument, NULL, 'q' },
		/* set's own parsers (hashopt.c) for the table and the unclassified queue */
		{ "table", required_argument, NULL, 0x104 },
		{ "unclassified", required_argument, NULL, 0x105 },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct hash_ctx h = { .types = TUNVNET_HASH_TYPES_ALL, .profile = TUNVNET_PROFILE_SPEC };
	uint8_t key[TUNVNET_KEY_MAX], pkt[FRAME_MAX];
	size_t key_len = TUNVNET_KEY_MAX, len;
	enum tunvnet_l2 l2 = TUNVNET_L2_ETH;
	const char *pcap_path = NULL;
	struct tunvnet_flow flow;
	struct tunvnet_class cls;
	struct hashopt ho;
	char err[160], key_text[KEY_STRING_MAX];
	bool random_key = false, from_stdin = false;
	unsigned long nq = 0;
	int c, rc;

	memcpy(key, tunvnet_default_key(), TUNVNET_KEY_MAX);
	hashopt_init(&ho);
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
		case 's':
			from_stdin = true;
			break;
		case 'q':
			/* tun and tap (and macvtap) attach at most 256 queues. */
			if (parse_uint(optarg, 1, 256, &nq))
				return usage_error("hash", "--queues wants 1..256, not '%s'", optarg);
			break;
		case 0x104:
		case 0x105:
			rc = hashopt_parse(&ho, "hash", c, optarg);
			if (rc)
				return rc;
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
	if (pcap_path && from_stdin)
		return usage_error("hash", "--stdin and --pcap are two inputs: give one");
	if ((pcap_path || from_stdin) ? optind != argc : optind + 1 != argc)
		return usage_error("hash", pcap_path ? "--pcap takes no PACKET_HEX argument" :
					   from_stdin ? "--stdin takes no PACKET_HEX argument"
						      : "expected exactly one PACKET_HEX argument");
	if (!nq && (ho.have_table || ho.have_unclassified))
		return usage_error("hash", "--table and --unclassified need --queues N (the "
				   "queue count the table is taken modulo)");
	rc = check_key_len("hash", key_len, h.types);
	if (rc)
		return rc;
	if (nq) {
		/* The configuration 'set --rss' would apply, checked the same way. */
		ho.rss = true;
		ho.types = h.types;
		memcpy(ho.key, key, key_len);
		ho.key_len = key_len;
		ho.qsrc = "--queues gives";
		rc = hashopt_build(&ho, "hash", (unsigned int)nq);
		if (rc) {
			hashopt_free(&ho);
			return rc;
		}
		h.rss = &ho.cfg;
		h.nq = (unsigned int)nq;
	}
	if (random_key) {
		key_string(key, key_len, key_text, sizeof(key_text));
		h.key_shown = key_text;
	}
	rc = tunvnet_toeplitz_new(key, key_len, TUNVNET_TOEPLITZ_AUTO, &h.t);
	if (rc) {
		hashopt_free(&ho);
		return lib_error("hash", "cannot prepare the key", rc, true);
	}

	if (from_stdin) {
		rc = hash_stdin(&h, l2);
	} else if (pcap_path) {
#ifdef HAVE_PCAP
		rc = hash_pcap(&h, pcap_path);
#else
		rc = ctl_fail("hash", EXIT_USAGE, "rebuild with libpcap-dev installed",
			      "built without libpcap; --pcap is unavailable");
#endif
	} else {
		rc = parse_hex(argv[optind], pkt, sizeof(pkt), &len);
		if (rc || len == 0) {
			rc = usage_error("hash", "bad packet hex '%.40s%s' (pairs of hex digits, "
					 "optionally separated by ':')", argv[optind],
					 strlen(argv[optind]) > 40 ? "..." : "");
		} else if ((rc = hash_one(&h, pkt, len, l2, &flow, &cls)) != 0) {
			rc = lib_error("hash", "cannot classify the packet", rc, true);
		} else {
			struct where w = { -1, -1 };

			print_one(&h, &w, &flow, &cls, len);
			rc = EXIT_OK;
		}
	}
	tunvnet_toeplitz_free(h.t);
	hashopt_free(&ho);
	return rc;
}
