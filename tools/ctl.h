/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl: what the subcommands share. Not installed. */
#ifndef TUNVNET_CTL_H
#define TUNVNET_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <tunvnet/tunvnet.h>

/* Exit status, the same for every subcommand (documented in tunvnet-ctl(1)). */
#define EXIT_OK 0
#define EXIT_CHECK 1 /* a check failed: mismatch, feature missing, kernel refused */
#define EXIT_USAGE 2 /* bad usage or input, refused before any kernel call */

struct ctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_toeplitz(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_caps(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_clear(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* ---- errors (main.c) ---- */
extern const char *ctl_prog; /* "tunvnet-ctl" */
/*
 * Every error goes through these: "tunvnet-ctl CMD: msg" on stderr (then
 * "  fix: ..." when fix is not NULL), and under --json the first one is
 * also the last line of stdout: {"error":..., "fix":..., "command":...,
 * "exit_status":...}. ctl_fail returns status.
 */
int ctl_fail(const char *cmd, int status, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "tunvnet-ctl CMD: msg" + a pointer to --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A library failure, one cause: "tunvnet-ctl CMD: what: <cause>" where the
 * cause is tunvnet_last_error() when the failing call set it, else
 * tunvnet_strerror(err); then a "fix:" line where err has one fix. Returns
 * EXIT_USAGE for -EINVAL found before the kernel (usage=true), else
 * EXIT_CHECK. Call it right after the failing library call.
 */
int lib_error(const char *cmd, const char *what, int err, bool usage);
/* A capability probe failed: -EOPNOTSUPP is the missing kernel feature. */
int feature_error(const char *cmd, const char *what, int err);
/* A failure of the tool's own system call (no library detail): EXIT_CHECK. */
int sys_error(const char *cmd, const char *what, int err);
/* Print a subcommand's help text to stdout and return EXIT_OK. */
int print_help(const char *text);
/* True if argv holds -h/--help before "--" (each command checks it first). */
bool wants_help(int argc, char **argv);

/* ---- input parsing (util.c) ---- */
/* Hex bytes, optionally "0x"-prefixed, with optional ':', '-', '.', ' ' between bytes. */
int parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *len);
/* The same; on failure *bad (may be NULL) gets the offset of the character at fault. */
int parse_hex_at(const char *s, uint8_t *buf, size_t cap, size_t *len, size_t *bad);
/* HEX, @FILE (hex text or raw bytes), "random", or "default" (Microsoft key). */
int parse_key(const char *arg, uint8_t key[TUNVNET_KEY_MAX], size_t *len, char *err, size_t errlen);
/* EXIT_OK if a key_len-byte key covers every input of types, else usage_error. */
int check_key_len(const char *cmd, size_t key_len, uint32_t types);
/* Unsigned decimal/hex number in [min, max]. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v);
int parse_l2(const char *s, enum tunvnet_l2 *l2);
/* --queues and --vnet-hdr-size, shared by create and set/verify: EXIT_OK or usage_error. */
int opt_queues(const char *cmd, const char *arg, unsigned long *queues);
int opt_vnet_hdr_sz(const char *cmd, const char *arg, int *sz);
void hex_string(const uint8_t *p, size_t n, char *out, size_t outlen);
/* A key as 'ethtool -x' prints it: "6d:5a:56:da:..." (outlen >= 3 * n). */
void key_string(const uint8_t *p, size_t n, char *out, size_t outlen);
#define KEY_STRING_MAX (3 * TUNVNET_KEY_MAX)
/* --key random: the tool picks the key, so it must print it. */
bool key_is_random(const char *arg);
/* "66.9.149.187:2794 -> 161.142.100.80:1766" for a parsed flow. */
void flow_string(const struct tunvnet_flow *flow, char *out, size_t len);
/* "tcp", "udp", "ipv6", "non-ip (0x0806)", ... */
const char *flow_kind(const struct tunvnet_flow *flow, char *buf, size_t len);
void addr_string(const struct tunvnet_flow *flow, const uint8_t *addr, char *out, size_t len);
/* Seconds on the monotonic clock, for deadlines and durations. */
double now(void);
/* This machine's kernel release (uname -r), "?" if unknown. */
const char *kernel_release(void);

/* ---- the hash configuration flags shared by set and verify (hashopt.c) ---- */
struct hashopt {
	bool report, rss, have_types, have_key, have_table, have_unclassified, key_random;
	uint32_t types;
	uint8_t key[TUNVNET_KEY_MAX];
	size_t key_len;
	char *table_arg;            /* LIST or round-robin:N, resolved by hashopt_build */
	unsigned long unclassified;
	unsigned long queues;       /* --queues: queues to attach (0: not given) */
	int vnet_hdr_sz;            /* --vnet-hdr-size (0: leave) */
	enum tunvnet_backend backend; /* --backend (AUTO unless given) */
	const char *qsrc;           /* who counts the queues, in messages (NULL: "the device has") */
	uint16_t *table;
	struct tunvnet_hash_cfg cfg;
};
#define HASHOPT_LONGOPTS                                                       \
	{ "report", no_argument, NULL, 0x100 },                                \
	{ "rss", no_argument, NULL, 0x101 },                                   \
	{ "types", required_argument, NULL, 0x102 },                           \
	{ "key", required_argument, NULL, 0x103 },                             \
	{ "table", required_argument, NULL, 0x104 },                           \
	{ "unclassified", required_argument, NULL, 0x105 },                    \
	{ "queues", required_argument, NULL, 0x106 },                          \
	{ "vnet-hdr-size", required_argument, NULL, 0x107 },                   \
	{ "backend", required_argument, NULL, 0x108 }
#define HASHOPT_FIRST 0x100
#define HASHOPT_LAST 0x108
#define HASHOPT_HELP                                                           \
	"  --report               put the hash and its type in each packet's header\n" \
	"  --rss                  pick the receive queue by Toeplitz hash + table\n" \
	"  --types LIST           ipv4,tcpv4,udpv4,ipv6,tcpv6,udpv6 (default), all, or 0x3f\n" \
	"  --key HEX|@FILE|random RSS key, at most 40 bytes (default: Microsoft key)\n" \
	"  --table LIST|round-robin:N  indirection table: queue list (power-of-two\n" \
	"                         length) or N entries 0..N-1 (default: one per queue)\n" \
	"  --unclassified Q       queue for packets no enabled type matches (default 0)\n" \
	"  --queues N             queues to attach while applying it (default 1)\n" \
	"  --vnet-hdr-size N      set the vnet header size first (20 carries the hash)\n" \
	"  --backend B            auto (default), kernel (the hashing series), ebpf\n" \
	"                         (our steering program + reports filled on read), user\n" \
	"                         (reports filled on read, no RSS)\n"

void hashopt_init(struct hashopt *h);
/* Handle one getopt code in [HASHOPT_FIRST, HASHOPT_LAST]; EXIT_OK or EXIT_USAGE. */
int hashopt_parse(struct hashopt *h, const char *cmd, int code, const char *arg);
/* Fill h->cfg for a device with num_queues queues (0: unknown); EXIT_USAGE on bad input. */
int hashopt_build(struct hashopt *h, const char *cmd, unsigned int num_queues);
void hashopt_free(struct hashopt *h);
/*
 * Refuse what the link cannot do before touching it (a tun/tap without a
 * vnet header asked for reports): EXIT_OK or an error printed.
 */
int hashopt_check_link(const struct hashopt *h, const char *cmd, const struct tunvnet_link *link);
/*
 * The queues the device will have while the configuration is in force:
 * --queues, else the queues attached now (tun/tap), else 1 on a single-queue
 * tun/tap; 0 when nobody can know (an idle multi-queue tun/tap, a macvtap).
 */
unsigned int hashopt_queue_count(const struct hashopt *h, const struct tunvnet_link *link);
/* Print the configuration (human) on f. */
void hashopt_describe(const struct tunvnet_hash_cfg *cfg, FILE *f);

/*
 * verify --pcap FILE (cmd_verify_pcap.c): check a capture verify --save
 * wrote. h holds the flags given (they must agree with the saved
 * configuration), profile NULL means the saved one. Returns the exit status.
 */

/* ---- devices (devutil.c) ---- */
/*
 * Attach nq queues to an existing device by name, whatever its kind, with the
 * flags it already has (so attaching does not change them). On failure prints
 * the error and returns EXIT_CHECK/EXIT_USAGE; link receives what rtnetlink
 * says about it.
 */
int attach_device(const char *cmd, const char *name, unsigned int nq, bool nonblock,
		  struct tunvnet_link *link, struct tunvnet_dev **devp);

/* ---- output (out.c) ---- */
/* Colour escapes when stdout is a terminal (and NO_COLOR is unset), else "". */
enum out_color { C_NONE, C_RED, C_GREEN, C_YELLOW, C_BOLD, C_DIM };
const char *col(enum out_color c);
const char *col_end(void);
bool out_is_tty(void);

/*
 * Untrusted text (a link name from the kernel, a mode) made safe for a
 * terminal: control bytes, DEL, C1 controls and bytes that are not UTF-8
 * become \xNN, a backslash \\. Returns one of 4 rotating static buffers.
 */
const char *esc(const char *s);
/* Length of the valid UTF-8 sequence at s (1 for ASCII), 0 if invalid. */
size_t utf8_seq(const unsigned char *s);

/* Tables: a header row, then cells added row by row, printed aligned. */
struct table;
struct table *table_new(unsigned int ncols, const char *const *headers);
void table_row(struct table *t);
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void table_cell_color(struct table *t, enum out_color c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void table_print(struct table *t, FILE *f);
void table_free(struct table *t);

/* "key: value" lines with the keys aligned. */
void kv(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A streaming JSON writer for one value (object or array) per line. */
struct json {
	FILE *f;
	int depth;
	bool first[16];
	char close[16];
};
void json_begin(struct json *j, FILE *f);  /* "{" */
void json_end(struct json *j);             /* "}\n" */
void json_obj(struct json *j, const char *key); /* nested object (key NULL in an array) */
void json_arr(struct json *j, const char *key);
void json_close(struct json *j);           /* end the innermost object or array */
void json_str(struct json *j, const char *key, const char *v);
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_hex32(struct json *j, const char *key, uint32_t v); /* "0x%08x" */
void json_double(struct json *j, const char *key, double v);
void json_null(struct json *j, const char *key);
void json_flow(struct json *j, const char *key, const struct tunvnet_flow *flow);

/*
 * The objects verify and demo (and any command checking packets) print,
 * written by one function each so their keys cannot drift apart; the schema
 * is tunvnet-ctl(1)'s JSON OUTPUT. Where the frames came from, the same on
 * every line of a run: device (NULL: none, written null), backend name (NULL:
 * "none"), kernel (uname release of the machine the frames came from; NULL:
 * not known, as for a capture file, written null).
 */
struct check_src {
	const char *device, *backend, *kernel;
};
/*
 * Begin one per-packet check object on stdout: verdict, device, backend,
 * kernel, queue, expected_queue, flow (object; NULL: the frame did not parse,
 * written null), kind, report + report_name, expected_report +
 * expected_report_name, hash, expected_hash, why (not for a match),
 * deviations. Unprefixed values are what the packet carried (vd->observed_*,
 * queue: the one it was read from, -1 not received), expected_* the
 * reference's prediction. Add command-specific keys, then json_end.
 */
void json_check_begin(struct json *j, const struct check_src *src, int queue,
		      const struct tunvnet_flow *flow, const struct tunvnet_verdict *vd);
/*
 * Begin a summary object on stdout: "summary": cmd (the command's name),
 * device, backend, kernel, then the counters packets, matches,
 * known_deviations, mismatches, unchecked from s. Add command-specific
 * keys, then json_end.
 */
void json_summary_begin(struct json *j, const char *cmd, const struct check_src *src,
			const struct tunvnet_verify_stats *s);

/* ---- verify (cmd_verify.c), live and offline ---- */
/* A mismatch or known deviation: a check object (--json, with "record"
 * when record >= 0) or a MISMATCH line ("MISMATCH record N ..." offline). */
void verify_print_check(const struct check_src *src, bool json, unsigned int q, const void *frame,
			size_t len, enum tunvnet_l2 l2, const struct tunvnet_verdict *vd,
			long long record);
/* The human status line on stderr ("packets N  verified N ... queues 0:N ..."). */
void verify_print_status(const struct tunvnet_verify_stats *s, const uint64_t *per_q,
			 unsigned int nq, bool final);
/*
 * verify --pcap FILE (cmd_verify_pcap.c): check a capture verify --save
 * wrote. h holds the flags given (they must agree with the saved
 * configuration), profile NULL means the saved one. Returns the exit status.
 */
int verify_pcap(const char *path, struct hashopt *h, const enum tunvnet_profile *profile,
		bool json, unsigned long count, unsigned long min_packets);

#endif /* TUNVNET_CTL_H */
