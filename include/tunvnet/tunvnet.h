/* SPDX-License-Identifier: MIT */
/*
 * libtunvnet: the virtio-net hashing features of Linux tun/tap, from user space.
 *
 * One header, in sections:
 *   1. errors and names        5. reading and writing packets
 *   2. hash types and reports  6. the reference: parse, classify, Toeplitz, RSS
 *   3. devices and queues      7. verification
 *   4. capabilities and hash   8. links (rtnetlink: list, create, delete)
 *      configuration          9. guest virtio-net commands to configurations
 *
 * Conventions: functions return 0 (or a count) on success and -errno on
 * failure; handles are opaque. Structs grow without a new soname:
 * - those that start with their size (sz) are initialised with their
 *   *_INIT macro (or zeroed, then sz = sizeof). The library reads and
 *   writes only as far as sz reaches, so an older caller's smaller struct
 *   works (fields it lacks count as zero or their documented default), and
 *   refuses with -E2BIG a larger one with non-zero bytes past the fields it
 *   knows (a newer header's field it would otherwise ignore). Each ends
 *   with `size_t :0;`; new fields go before it, zero meaning "as before".
 * - those filled per packet or returned in arrays (tunvnet_flow,
 *   tunvnet_class, tunvnet_pkt, tunvnet_verdict, tunvnet_link) have a
 *   reserved array the library writes as zero, where later fields go.
 * No kernel header is needed: the library carries its own copies of both
 * uAPI generations of the (unmerged) tun hashing series.
 */
#ifndef TUNVNET_TUNVNET_H
#define TUNVNET_TUNVNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* TUNVNET_VERSION ("MAJOR.MINOR.PATCH"), TUNVNET_VERSION_MAJOR, _MINOR,
 * _PATCH, _NUMBER: generated from the project version. */
#include <tunvnet/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TUNVNET_API __attribute__((visibility("default")))
#else
#define TUNVNET_API
#endif

/* The version of the library actually loaded (TUNVNET_VERSION when it is
 * the one compiled against). */
TUNVNET_API const char *tunvnet_version(void);

/* ------------------------------------------------------------------ */
/* 1. Errors                                                           */
/* ------------------------------------------------------------------ */

/*
 * Explain an error returned by this library (-errno or errno) in the terms
 * of this feature: -EOPNOTSUPP is "kernel lacks the tun virtio-net hashing
 * feature", -EBADFD "the device was deleted", -EBUSY "a steering eBPF
 * program is attached", -EPERM "needs CAP_NET_ADMIN", and so on.
 */
TUNVNET_API const char *tunvnet_strerror(int err);

/*
 * The detailed message of the last failure in this thread ("key is 12
 * bytes; types 0x3f need 40"). "" after any call that did not fail, except
 * that the calls which cannot fail and only describe or compute (the
 * *_name functions, tunvnet_strerror, tunvnet_version, tunvnet_default_key,
 * tunvnet_toeplitz_hash/_hash_bulk/_impl_of/_free,
 * tunvnet_hash_key_len_for_types) leave it as it was, so they can be used
 * while printing it. Valid until the next library call in the same thread.
 */
TUNVNET_API const char *tunvnet_last_error(void);

/* ------------------------------------------------------------------ */
/* 2. Hash types and report values (virtio-net)                        */
/* ------------------------------------------------------------------ */

/* Hash type bits: VIRTIO_NET_RSS_HASH_TYPE_*. */
#define TUNVNET_HASH_TYPE_IPV4 (1u << 0)
#define TUNVNET_HASH_TYPE_TCPV4 (1u << 1)
#define TUNVNET_HASH_TYPE_UDPV4 (1u << 2)
#define TUNVNET_HASH_TYPE_IPV6 (1u << 3)
#define TUNVNET_HASH_TYPE_TCPV6 (1u << 4)
#define TUNVNET_HASH_TYPE_UDPV6 (1u << 5)
#define TUNVNET_HASH_TYPE_IP_EX (1u << 6)
#define TUNVNET_HASH_TYPE_TCP_EX (1u << 7)
#define TUNVNET_HASH_TYPE_UDP_EX (1u << 8)
#define TUNVNET_HASH_TYPES_PLAIN 0x3fu /* the six without _EX */
#define TUNVNET_HASH_TYPES_ALL 0x1ffu

/* Report values: VIRTIO_NET_HASH_REPORT_*. TYPE_x == 1 << (REPORT_x - 1). */
enum tunvnet_report {
	TUNVNET_REPORT_NONE = 0,
	TUNVNET_REPORT_IPV4 = 1,
	TUNVNET_REPORT_TCPV4 = 2,
	TUNVNET_REPORT_UDPV4 = 3,
	TUNVNET_REPORT_IPV6 = 4,
	TUNVNET_REPORT_TCPV6 = 5,
	TUNVNET_REPORT_UDPV6 = 6,
	TUNVNET_REPORT_IPV6_EX = 7,
	TUNVNET_REPORT_TCPV6_EX = 8,
	TUNVNET_REPORT_UDPV6_EX = 9,
	TUNVNET_REPORT_MAX = 9,
};

/* "none", "ipv4", "tcpv4", ..., "udpv6_ex"; "unknown" past the range. */
TUNVNET_API const char *tunvnet_report_name(unsigned int report);

/*
 * Parse a hash type list: comma-separated names ("ipv4,tcpv4,udpv4,ipv6,
 * tcpv6,udpv6,ip_ex,tcp_ex,udp_ex"), "all", "none", or a number ("0x3f").
 * -EINVAL on an unknown name or a bit outside TUNVNET_HASH_TYPES_ALL.
 */
TUNVNET_API int tunvnet_hash_types_parse(const char *list, uint32_t *types);

/* Format as the comma list ("none" for 0). Returns the length it needs
 * (like snprintf), or -EINVAL. */
TUNVNET_API int tunvnet_hash_types_format(uint32_t types, char *buf, size_t len);

/* The key length the enabled types need: longest Toeplitz input + 4
 * (12 for IPv4 only, 16 with IPv4 ports, 36 IPv6, 40 IPv6 with ports). */
TUNVNET_API size_t tunvnet_hash_key_len_for_types(uint32_t types);

#define TUNVNET_KEY_MAX 40
#define TUNVNET_TOEPLITZ_INPUT_MAX 36

/* The Microsoft RSS verification key (40 bytes). */
TUNVNET_API const uint8_t *tunvnet_default_key(void);

/* ------------------------------------------------------------------ */
/* 3. Devices and queues                                               */
/* ------------------------------------------------------------------ */

/*
 * Opaque: one device, one fd per queue (at most 256).
 *
 * Threads: per queue, one thread at a time reads (tunvnet_queue_read,
 * tunvnet_queue_fill_hash) and one thread at a time writes
 * (tunvnet_queue_write); the control calls (every other function on the
 * handle) run on one thread at a time; any mix of the two runs at once. A
 * frame read while the header size or endianness changes is dropped with
 * -ESTALE. tunvnet_dev_close runs alone. See tunvnet_dev_open(3), THREADS.
 */
struct tunvnet_dev;

enum tunvnet_kind {
	TUNVNET_KIND_UNKNOWN = 0,
	TUNVNET_KIND_TUN = 1,     /* IFF_TUN: raw IP packets */
	TUNVNET_KIND_TAP = 2,     /* IFF_TAP: Ethernet frames */
	TUNVNET_KIND_MACVTAP = 3, /* /dev/tapN of a macvtap link */
	TUNVNET_KIND_IPVTAP = 4,  /* /dev/tapN of an ipvtap link */
};

/* "tun", "tap", "macvtap", "ipvtap", "unknown". */
TUNVNET_API const char *tunvnet_kind_name(enum tunvnet_kind kind);

/* Device option flags (tunvnet_dev_opts.flags). */
#define TUNVNET_DEV_MULTI_QUEUE (1u << 0) /* IFF_MULTI_QUEUE */
#define TUNVNET_DEV_VNET_HDR (1u << 1)    /* IFF_VNET_HDR */
#define TUNVNET_DEV_PERSIST (1u << 2)     /* TUNSETPERSIST 1 */
#define TUNVNET_DEV_PI (1u << 3)          /* keep the 4-byte packet info (no IFF_NO_PI) */
#define TUNVNET_DEV_NONBLOCK (1u << 4)    /* O_NONBLOCK on every queue fd */
#define TUNVNET_DEV_NAPI (1u << 5)        /* IFF_NAPI */
#define TUNVNET_DEV_EXCL (1u << 6)        /* create only: fail with -EEXIST if it exists */
#define TUNVNET_DEV_KEEP_FDS (1u << 7)    /* close() leaves adopted fds open */
#define TUNVNET_DEV_FLAGS_ALL 0xffu

/* Legacy-field endianness of the vnet header (TUNSETVNETLE/BE). */
enum tunvnet_endian {
	TUNVNET_ENDIAN_NATIVE = 0, /* legacy device: host order */
	TUNVNET_ENDIAN_LE = 1,     /* virtio 1.0 */
	TUNVNET_ENDIAN_BE = 2,     /* legacy big-endian guest (CONFIG_TUN_VNET_CROSS_LE) */
};

struct tunvnet_dev_opts {
	size_t sz;                 /* sizeof(struct tunvnet_dev_opts) */
	enum tunvnet_kind kind;    /* TUN or TAP for tunvnet_dev_open; ignored elsewhere */
	uint32_t flags;            /* TUNVNET_DEV_* */
	unsigned int queues;       /* queues to open; 0 means 1 */
	int vnet_hdr_sz;           /* 0: leave the kernel's; else 10, 12, 20 or 24 (HDR_MAX_LEN) */
	enum tunvnet_endian endian; /* NATIVE: leave as is */
	int64_t owner;             /* uid for TUNSETOWNER; -1: leave */
	int64_t group;             /* gid for TUNSETGROUP; -1: leave */
	size_t :0;                 /* new fields go above (see Conventions) */
};
#define TUNVNET_DEV_OPTS_INIT                                                  \
	{ .sz = sizeof(struct tunvnet_dev_opts), .owner = -1, .group = -1 }

/*
 * Create or attach a tun or tap device by name through /dev/net/tun (name
 * NULL or "" lets the kernel pick one) and open opts->queues queues.
 */
TUNVNET_API int tunvnet_dev_open(const char *name, const struct tunvnet_dev_opts *opts,
				 struct tunvnet_dev **devp);

/*
 * Open queues of a macvtap or ipvtap link by interface name: finds tapN
 * and its major:minor in sysfs and creates the /dev node if it is missing.
 */
TUNVNET_API int tunvnet_dev_open_vtap(const char *ifname, const struct tunvnet_dev_opts *opts,
				      struct tunvnet_dev **devp);

/* Adopt a queue fd a VMM was handed (tun, tap, macvtap or ipvtap). */
TUNVNET_API int tunvnet_dev_adopt(int fd, const struct tunvnet_dev_opts *opts,
				  struct tunvnet_dev **devp);

/* Close every queue this handle opened (and adopted fds unless KEEP_FDS). NULL: no-op. */
TUNVNET_API void tunvnet_dev_close(struct tunvnet_dev *dev);

/* Open one more queue; returns its index (>= 0). */
TUNVNET_API int tunvnet_dev_add_queue(struct tunvnet_dev *dev);
/* Add an fd for the same device as another queue; returns its index. */
TUNVNET_API int tunvnet_dev_adopt_queue(struct tunvnet_dev *dev, int fd);

TUNVNET_API const char *tunvnet_dev_name(const struct tunvnet_dev *dev);
TUNVNET_API enum tunvnet_kind tunvnet_dev_kind(const struct tunvnet_dev *dev);
TUNVNET_API int tunvnet_dev_ifindex(const struct tunvnet_dev *dev);
TUNVNET_API unsigned int tunvnet_dev_num_queues(const struct tunvnet_dev *dev);
/* The fd of queue q, or -EINVAL. */
TUNVNET_API int tunvnet_dev_queue_fd(const struct tunvnet_dev *dev, unsigned int q);
/* TUNVNET_DEV_* flags in force (as TUNGETIFF reports them). */
TUNVNET_API uint32_t tunvnet_dev_flags(const struct tunvnet_dev *dev);

TUNVNET_API int tunvnet_dev_set_persist(struct tunvnet_dev *dev, bool persist);
TUNVNET_API int tunvnet_dev_set_nonblock(struct tunvnet_dev *dev, bool nonblock);
/* Set the link up (needed before the kernel queues frames to it). */
TUNVNET_API int tunvnet_dev_set_up(struct tunvnet_dev *dev, bool up);

/* Vnet header size (TUNSETVNETHDRSZ) and endianness, on every queue. */
TUNVNET_API int tunvnet_dev_set_vnet_hdr_sz(struct tunvnet_dev *dev, int sz);
TUNVNET_API int tunvnet_dev_get_vnet_hdr_sz(struct tunvnet_dev *dev, int *sz);
TUNVNET_API int tunvnet_dev_set_vnet_endian(struct tunvnet_dev *dev, enum tunvnet_endian endian);
TUNVNET_API int tunvnet_dev_get_vnet_endian(struct tunvnet_dev *dev, enum tunvnet_endian *endian);

/*
 * The largest frame a read can return, vnet header excluded: MTU + link
 * header (+ VLAN tags, + packet info), or 65535-ish with GSO offloads on.
 */
TUNVNET_API int tunvnet_dev_max_frame(struct tunvnet_dev *dev, size_t *len);

/* ------------------------------------------------------------------ */
/* 4. Capabilities and hash configuration                              */
/* ------------------------------------------------------------------ */

/* Which uAPI generation of the series answers. */
enum tunvnet_uapi {
	TUNVNET_UAPI_NONE = 0, /* kernel without the feature */
	TUNVNET_UAPI_A = 1,    /* v3..v11: TUNGETVNETHASHCAP / TUNSETVNETHASH */
	TUNVNET_UAPI_B = 2,    /* v12: TUNGETVNETHASHTYPES and three setters */
};
/* "none", "A", "B". */
TUNVNET_API const char *tunvnet_uapi_name(enum tunvnet_uapi uapi);

/* Capability flags. */
#define TUNVNET_CAP_REPORT (1u << 0) /* hash reporting */
#define TUNVNET_CAP_RSS (1u << 1)    /* RSS queue selection */

struct tunvnet_caps {
	size_t sz;             /* sizeof(struct tunvnet_caps) */
	enum tunvnet_uapi uapi;
	uint32_t flags;        /* TUNVNET_CAP_* */
	uint32_t types;        /* supported TUNVNET_HASH_TYPE_* */
	unsigned int max_key_len; /* 40 */
	size_t :0;             /* new fields go above (see Conventions) */
};
#define TUNVNET_CAPS_INIT { .sz = sizeof(struct tunvnet_caps) }

/*
 * Which generation answers and what it supports. fd < 0 probes on a fresh
 * /dev/net/tun fd (both generations answer before TUNSETIFF). Without the
 * feature: caps->uapi = NONE and -EOPNOTSUPP (never a bare -EINVAL).
 */
TUNVNET_API int tunvnet_caps_probe(int fd, struct tunvnet_caps *caps);
TUNVNET_API int tunvnet_dev_caps(struct tunvnet_dev *dev, struct tunvnet_caps *caps);

/* Hash configuration flags. 0 (neither) means "off". */
#define TUNVNET_HASH_REPORT (1u << 0) /* put the hash in each packet's header */
#define TUNVNET_HASH_RSS (1u << 1)    /* pick the queue by Toeplitz + table */
/*
 * Library-side, never sent to the kernel: let table entries and the
 * unclassified queue name queues past the device's count. The kernel takes
 * them modulo the number of queues (the series' own selftest relies on it);
 * without this flag validation refuses them, as the virtio spec does.
 */
#define TUNVNET_HASH_QUEUE_WRAP (1u << 2)

#define TUNVNET_TABLE_MAX 65536u

/*
 * Who does the hashing and steering for a device (tunvnet_hash_cfg.backend).
 * KERNEL: the tun hashing series (uAPI A or B). EBPF: our steering program
 * attached with TUNSETSTEERINGEBPF picks the RSS queue (tun/tap), reports
 * are filled by this library on read. USER: no steering, reports filled on
 * read (macvtap/ipvtap, or no bpf()). AUTO: kernel where the series
 * answers (and no known kernel bug would hit), else ebpf for RSS, else user.
 */
enum tunvnet_backend {
	TUNVNET_BACKEND_AUTO = 0,
	TUNVNET_BACKEND_KERNEL = 1,
	TUNVNET_BACKEND_EBPF = 2,
	TUNVNET_BACKEND_USER = 3,
};
/* "auto", "kernel", "ebpf", "user" ("unknown" otherwise). */
TUNVNET_API const char *tunvnet_backend_name(enum tunvnet_backend backend);
/* The reverse (case-insensitive); -EINVAL for an unknown name. */
TUNVNET_API int tunvnet_backend_parse(const char *name, enum tunvnet_backend *backend);

/* One generation-neutral hash configuration. */
struct tunvnet_hash_cfg {
	size_t sz;                  /* sizeof(struct tunvnet_hash_cfg) */
	uint32_t flags;             /* TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS */
	uint32_t types;             /* TUNVNET_HASH_TYPE_* */
	const uint8_t *key;         /* RSS only: network order, <= 40 bytes */
	size_t key_len;
	const uint16_t *table;      /* RSS only: indirection table, a power of two */
	size_t table_len;
	uint16_t unclassified_queue; /* RSS only */
	enum tunvnet_backend backend; /* set: requested (AUTO: choose); get: the one in force */
	size_t :0;                  /* new fields go above (see Conventions) */
};
#define TUNVNET_HASH_CFG_INIT { .sz = sizeof(struct tunvnet_hash_cfg) }

/*
 * Check a configuration before any kernel sees it. caps (may be NULL)
 * restricts types; num_queues (0: unknown) bounds table entries and the
 * unclassified queue; vnet_hdr_sz (0: unknown) must be >= 20 with REPORT.
 * -EINVAL with tunvnet_last_error() naming the rule broken; -EOPNOTSUPP
 * for types or flags the kernel does not support.
 */
TUNVNET_API int tunvnet_hash_cfg_validate(const struct tunvnet_hash_cfg *cfg,
					  const struct tunvnet_caps *caps,
					  unsigned int num_queues, int vnet_hdr_sz);

/*
 * The ioctl request and argument bytes a configuration becomes on uapi
 * (A or B). Writes at most buf_len bytes; returns the length the argument
 * needs (call with buf_len 0 to size it), -ENOSPC if buf is too small,
 * -EINVAL for an invalid configuration.
 */
TUNVNET_API int tunvnet_hash_cfg_encode(enum tunvnet_uapi uapi,
					const struct tunvnet_hash_cfg *cfg,
					unsigned long *request, void *buf, size_t buf_len);

/*
 * Validate, then apply on whichever generation answers. Affects all queues
 * of the device. -EBADFD: the device was deleted; -EBUSY: a steering eBPF
 * program is attached (generation A, v5-v9); -EOPNOTSUPP: no feature.
 */
TUNVNET_API int tunvnet_dev_set_hash(struct tunvnet_dev *dev, const struct tunvnet_hash_cfg *cfg);
/* Switch hash reporting and RSS off; detaches a steering program (ebpf backend). */
TUNVNET_API int tunvnet_dev_clear_hash(struct tunvnet_dev *dev);
/*
 * Whether backend (AUTO: the one auto would choose) can honour hash_flags
 * (TUNVNET_HASH_REPORT, TUNVNET_HASH_RSS) on this device: 0, or -errno with
 * tunvnet_last_error() naming why not (-EOPNOTSUPP: no series / no steering
 * hook on macvtap / user does not steer; -EPERM: no CAP_BPF; -EINVAL:
 * program rejected). Changes nothing on the device.
 */
TUNVNET_API int tunvnet_dev_backend_check(struct tunvnet_dev *dev, enum tunvnet_backend backend,
					  uint32_t hash_flags);

/* Kernel bugs of the hashing series that tunvnet_kernel_quirks_probe detects. */
#define TUNVNET_QUIRK_SHORT_KEY_IPV6 (1u << 0)        /* IPv6-only types hashed with a short key */
#define TUNVNET_QUIRK_AUTOMQ_VALUE_IS_QUEUE (1u << 1) /* automq reports the queue as the hash */
/*
 * Probe the running kernel for them on a scratch tap (a few frames; needs
 * CAP_NET_ADMIN where the series answers). A kernel without the series has
 * none: 0 quirks. The result is cached for the process.
 */
TUNVNET_API int tunvnet_kernel_quirks_probe(uint32_t *quirks);
/*
 * The configuration this handle last applied (the kernel cannot be asked).
 * key and table point into the handle and stay valid until the next set.
 * -ENOENT when this handle applied none.
 */
TUNVNET_API int tunvnet_dev_get_hash(const struct tunvnet_dev *dev, struct tunvnet_hash_cfg *cfg);

/* ------------------------------------------------------------------ */
/* 5. The vnet header; reading and writing packets                     */
/* ------------------------------------------------------------------ */

#define TUNVNET_HDR_LEGACY_LEN 10 /* struct virtio_net_hdr */
#define TUNVNET_HDR_V1_LEN 12     /* + num_buffers */
#define TUNVNET_HDR_HASH_LEN 20   /* + hash_value, hash_report, padding */
#define TUNVNET_HDR_TUNNEL_LEN 24 /* + outer_th_offset, inner_nh_offset */
#define TUNVNET_HDR_MAX_LEN 24

/* virtio_net_hdr.flags */
#define TUNVNET_HDR_F_NEEDS_CSUM 0x01
#define TUNVNET_HDR_F_DATA_VALID 0x02
#define TUNVNET_HDR_F_RSC_INFO 0x04

/* A header in host byte order, whatever its size and endianness on the wire. */
struct tunvnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;     /* 12+ */
	uint32_t hash_value;      /* 20+, little-endian on the wire */
	uint16_t hash_report;     /* 20+, little-endian on the wire */
	uint16_t padding;         /* 20+ */
	uint16_t outer_th_offset; /* 24 */
	uint16_t inner_nh_offset; /* 24 */
};

/*
 * Parse the first hdr_sz bytes of buf (10, 12, 20 or 24; larger sizes parse
 * 24 and ignore the rest). Legacy fields follow endian; hash fields are
 * always little-endian. -EINVAL bad size, -EMSGSIZE len < hdr_sz.
 */
TUNVNET_API int tunvnet_hdr_parse(const void *buf, size_t len, size_t hdr_sz,
				  enum tunvnet_endian endian, struct tunvnet_hdr *hdr);
/* Build hdr_sz bytes into buf (bytes past 24 are zeroed). */
TUNVNET_API int tunvnet_hdr_build(const struct tunvnet_hdr *hdr, size_t hdr_sz,
				  enum tunvnet_endian endian, void *buf, size_t len);

/* One packet of a batch: the header apart, the frame in the caller's buffer. */
struct tunvnet_pkt {
	struct tunvnet_hdr hdr; /* parsed header (zero without IFF_VNET_HDR) */
	void *buf;              /* caller's frame buffer */
	size_t cap;             /* its size: at least tunvnet_dev_max_frame() */
	size_t len;             /* frame bytes read */
	uint64_t reserved[2];   /* written as zero by each read: room for later fields */
};

/*
 * Read up to n packets from queue q. Returns how many (>= 1), -EAGAIN when
 * a non-blocking queue is empty, -EMSGSIZE when a buffer is smaller than
 * the device's largest frame (nothing is read, so nothing is truncated).
 * Blocks for the first packet only on a blocking queue.
 */
TUNVNET_API int tunvnet_queue_read(struct tunvnet_dev *dev, unsigned int q,
				   struct tunvnet_pkt *pkts, unsigned int n);

/*
 * For a VMM that reads the queue fds itself: fill hash_value and
 * hash_report of the vnet header hdr (hdr_len bytes, as the kernel wrote
 * it) for the frame that followed it (as tunvnet_queue_read returns it),
 * when the backend in force fills reports (ebpf, user) and REPORT is on.
 * No-op returning 0 for the kernel backend, without REPORT, or when
 * hdr_len < 20. Same per-queue thread rule as tunvnet_queue_read.
 */
TUNVNET_API int tunvnet_queue_fill_hash(struct tunvnet_dev *dev, unsigned int q, void *hdr,
					size_t hdr_len, const void *frame, size_t len);

/* Write one frame with its header (NULL: all zero) to queue q. */
TUNVNET_API int tunvnet_queue_write(struct tunvnet_dev *dev, unsigned int q,
				    const struct tunvnet_hdr *hdr, const void *frame, size_t len);

/* ------------------------------------------------------------------ */
/* 6. The reference: parse, classify, Toeplitz, RSS                    */
/* ------------------------------------------------------------------ */

/* What the packet bytes start with. */
enum tunvnet_l2 {
	TUNVNET_L2_ETH = 0,   /* tap, macvtap, ipvtap: Ethernet, any 802.1Q/802.1ad tags */
	TUNVNET_L2_IP = 1,    /* tun with IFF_NO_PI: IPv4 or IPv6 by version nibble */
	TUNVNET_L2_IP_PI = 2, /* tun with packet info: 2 flags + 2 protocol (BE) first */
};

/* What a device's frames start with: ETH for tap, macvtap and ipvtap; IP or
 * IP_PI for tun (with packet info unless IFF_NO_PI). */
TUNVNET_API enum tunvnet_l2 tunvnet_dev_l2(const struct tunvnet_dev *dev);

/* tunvnet_flow.flags */
#define TUNVNET_FLOW_IPV4 (1u << 0)
#define TUNVNET_FLOW_IPV6 (1u << 1)
#define TUNVNET_FLOW_FRAGMENT (1u << 2)   /* any fragment, the first included */
#define TUNVNET_FLOW_TCP (1u << 3)        /* final protocol 6 */
#define TUNVNET_FLOW_UDP (1u << 4)        /* final protocol 17 */
#define TUNVNET_FLOW_L4_COMPLETE (1u << 5) /* the whole minimal TCP (20) / UDP (8) header */
#define TUNVNET_FLOW_PORTS (1u << 6)      /* the 4 port bytes are present */
#define TUNVNET_FLOW_EXT_HDRS (1u << 7)   /* IPv6 extension headers were walked */
#define TUNVNET_FLOW_HOME_ADDR (1u << 8)  /* Destination Options with Home Address */
#define TUNVNET_FLOW_RT2 (1u << 9)        /* Type 2 Routing Header */
#define TUNVNET_FLOW_IPV4_OPTIONS (1u << 10)
#define TUNVNET_FLOW_TRUNCATED (1u << 11) /* L3 header or chain cut short */
#define TUNVNET_FLOW_EXT_LIMIT (1u << 12) /* extension chain longer than the walk bound */
#define TUNVNET_FLOW_AH (1u << 13)        /* an Authentication Header was walked (the kernel stops there) */
#define TUNVNET_FLOW_VERSION_MISMATCH (1u << 14) /* IP version nibble disagrees with the ethertype / PI protocol */
#define TUNVNET_FLOW_VLAN_9100 (1u << 15) /* a 0x9100 tag was skipped (the kernel and QEMU stop there) */
#define TUNVNET_FLOW_OPTS_LIMIT (1u << 16) /* a Home Address scan took more than 16 options (the ebpf profile stops there) */

/*
 * A packet reduced to what hashing needs; addresses in network order.
 * Filled per packet, so it has no size member: reserved is written as zero
 * and a later version may define fields in it (zero keeps meaning "as
 * before"); zero it in a flow you build for tunvnet_classify.
 */
struct tunvnet_flow {
	uint32_t flags;      /* TUNVNET_FLOW_* */
	uint16_t ethertype;  /* after any VLAN tags (0 for L2_IP) */
	uint8_t vlan_tags;   /* tags skipped */
	uint8_t l4_proto;    /* final protocol / next header */
	uint8_t src[16];     /* IPv4 in the first 4 bytes */
	uint8_t dst[16];
	uint8_t home_addr[16]; /* valid with TUNVNET_FLOW_HOME_ADDR */
	uint8_t rt2_addr[16];  /* valid with TUNVNET_FLOW_RT2 */
	uint16_t src_port;   /* host order; valid with TUNVNET_FLOW_PORTS */
	uint16_t dst_port;
	uint16_t l3_off;     /* offsets into the packet */
	uint16_t l4_off;
	uint32_t reserved[4]; /* zero: room for fields without a new soname */
};

/*
 * Untrusted bytes to a flow. Never reads past len; the IPv6 extension
 * walk is bounded. Non-IP frames are not an error (flags without
 * IPV4/IPV6); -EINVAL only for bad arguments.
 */
TUNVNET_API int tunvnet_packet_parse(const void *pkt, size_t len, enum tunvnet_l2 l2,
				     struct tunvnet_flow *flow);

/* Whose classification rules to follow. */
enum tunvnet_profile {
	TUNVNET_PROFILE_SPEC = 0,  /* virtio spec: _EX types, complete L4 headers */
	TUNVNET_PROFILE_LINUX = 1, /* the kernel series: no _EX, follows protocol numbers */
	TUNVNET_PROFILE_QEMU = 2,  /* QEMU software RSS: _EX whenever enabled */
	TUNVNET_PROFILE_EBPF = 3,  /* the steering eBPF program (ebpf backend): spec, but no
				      hash when a Home Address scan needs more than 16 options */
};
/* "spec", "linux", "qemu"; parse returns -EINVAL on an unknown name. */
TUNVNET_API const char *tunvnet_profile_name(enum tunvnet_profile profile);
TUNVNET_API int tunvnet_profile_parse(const char *name, enum tunvnet_profile *profile);

/*
 * The report type and the exact Toeplitz input a flow calls for. Filled per
 * packet on the classifier's fastest path, so it stays 48 bytes (16 more
 * cost a cycle a packet): reserved, the padding made explicit, is written
 * as zero and is where a later version's small fields go.
 */
struct tunvnet_class {
	unsigned int report; /* enum tunvnet_report */
	uint8_t input_len;   /* 0 with REPORT_NONE */
	uint8_t input[TUNVNET_TOEPLITZ_INPUT_MAX];
	uint8_t reserved[3]; /* zero: room for fields without a new soname */
	uint32_t hash;       /* filled by tunvnet_classify_hash, else 0 */
};

TUNVNET_API int tunvnet_classify(const struct tunvnet_flow *flow, uint32_t types,
				 enum tunvnet_profile profile, struct tunvnet_class *cls);

/* Toeplitz. A key is precomputed once (tables, reversed words) per path. */
struct tunvnet_toeplitz;

enum tunvnet_toeplitz_impl {
	TUNVNET_TOEPLITZ_AUTO = 0,  /* fastest this CPU supports */
	TUNVNET_TOEPLITZ_REF = 1,   /* the plain bit loop: the reference */
	TUNVNET_TOEPLITZ_TABLE = 2, /* byte table per key: portable */
	TUNVNET_TOEPLITZ_CLMUL = 3, /* carry-less multiply (PCLMULQDQ) */
	TUNVNET_TOEPLITZ_GFNI = 4,  /* GFNI / AVX-512 */
};

/* "ref", "table", "clmul", "gfni", "auto". */
TUNVNET_API const char *tunvnet_toeplitz_impl_name(enum tunvnet_toeplitz_impl impl);
/* Whether this build and CPU can run impl. */
TUNVNET_API bool tunvnet_toeplitz_impl_available(enum tunvnet_toeplitz_impl impl);

/* Precompute for key (1..40 bytes). -EINVAL bad key, -EOPNOTSUPP impl unavailable. */
TUNVNET_API int tunvnet_toeplitz_new(const uint8_t *key, size_t key_len,
				     enum tunvnet_toeplitz_impl impl,
				     struct tunvnet_toeplitz **tp);
TUNVNET_API void tunvnet_toeplitz_free(struct tunvnet_toeplitz *t); /* NULL: no-op */
/* The path AUTO resolved to. */
TUNVNET_API enum tunvnet_toeplitz_impl tunvnet_toeplitz_impl_of(const struct tunvnet_toeplitz *t);

/*
 * Hash len bytes (len <= key_len - 4 for a full-strength hash; key bits
 * past the key count as zero, and len is capped at 36).
 */
TUNVNET_API uint32_t tunvnet_toeplitz_hash(const struct tunvnet_toeplitz *t, const void *in,
					   size_t len);
/* n inputs of len bytes each, stride apart. */
TUNVNET_API void tunvnet_toeplitz_hash_bulk(const struct tunvnet_toeplitz *t, const void *in,
					    size_t len, size_t stride, size_t n, uint32_t *out);
/* The reference without precomputation. */
TUNVNET_API uint32_t tunvnet_toeplitz_ref(const uint8_t *key, size_t key_len, const void *in,
					  size_t len);

/* Classify and hash in one call (t NULL: leave cls->hash 0). */
TUNVNET_API int tunvnet_classify_hash(const void *pkt, size_t len, enum tunvnet_l2 l2,
				      uint32_t types, enum tunvnet_profile profile,
				      const struct tunvnet_toeplitz *t, struct tunvnet_class *cls);

/*
 * RSS queue: report NONE -> unclassified % num_queues, else
 * table[hash & (table_len - 1)] % num_queues. Returns the queue or -EINVAL.
 */
TUNVNET_API int tunvnet_rss_queue(const struct tunvnet_hash_cfg *cfg, unsigned int num_queues,
				  unsigned int report, uint32_t hash);
/* tap's automatic selection: hash % num_queues. */
TUNVNET_API int tunvnet_automq_queue(uint32_t hash, unsigned int num_queues);

/* ------------------------------------------------------------------ */
/* 7. Verification: expected versus what the kernel reported           */
/* ------------------------------------------------------------------ */

struct tunvnet_verifier;

/* Known kernel deviations a verifier recognises (tunvnet_verdict.deviation). */
#define TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE (1u << 0) /* automq: value is the queue index */
#define TUNVNET_DEVIATION_SHORT_KEY_IPV6 (1u << 1)        /* IPv6-only types with a short key */
#define TUNVNET_DEVIATION_VLAN_AF_PACKET (1u << 2)        /* tagged frame sent on the tap itself */
#define TUNVNET_DEVIATION_TUNNEL_INNER (1u << 3)          /* GRE/IPIP: inner packet hashed, or NONE */
/* One deviation bit's name: "automq-value-is-queue", "short-key-ipv6",
 * "vlan-af-packet", "tunnel-inner"; "unknown" for anything else. */
TUNVNET_API const char *tunvnet_deviation_name(uint32_t bit);

/* What a verifier checks against (a sized struct: see Conventions). */
struct tunvnet_verify_opts {
	size_t sz;                      /* sizeof(struct tunvnet_verify_opts) */
	const struct tunvnet_hash_cfg *cfg; /* the configuration in force (copied, key and table too) */
	unsigned int num_queues;
	enum tunvnet_kind kind;         /* TUN or TAP/MACVTAP/IPVTAP: automq rules differ */
	enum tunvnet_l2 l2;
	enum tunvnet_profile profile;   /* LINUX for the kernel backend, SPEC for ebpf and user */
	uint32_t known_deviations;      /* TUNVNET_DEVIATION_* to report as known (kernel backend) */
	/*
	 * Who hashed: KERNEL (AUTO means KERNEL) is held to the series, known
	 * deviations included; EBPF: the queue every frame must land on is
	 * predicted (RSS) and the report filled on read is checked; USER: the
	 * filled report is checked, the queue is the kernel's.
	 */
	enum tunvnet_backend backend;
	size_t :0;                      /* new fields go above (see Conventions) */
};
#define TUNVNET_VERIFY_OPTS_INIT { .sz = sizeof(struct tunvnet_verify_opts) }

enum tunvnet_verdict_code {
	TUNVNET_VERDICT_MATCH = 0,
	TUNVNET_VERDICT_KNOWN_DEVIATION = 1,
	TUNVNET_VERDICT_MISMATCH = 2,
	TUNVNET_VERDICT_UNCHECKED = 3, /* nothing to compare (no vnet header: hdr NULL) */
};
/* "match", "known-deviation", "mismatch", "unchecked". */
TUNVNET_API const char *tunvnet_verdict_name(enum tunvnet_verdict_code code);

struct tunvnet_verdict {
	enum tunvnet_verdict_code code;
	uint32_t deviation;         /* TUNVNET_DEVIATION_* seen */
	unsigned int expected_report, observed_report;
	uint32_t expected_hash, observed_hash;
	int expected_queue, observed_queue; /* -1: not predictable (automq on tun) */
	bool hash_checked;          /* false where only type/consistency can be checked */
	char why[160];              /* one line for humans; "" for a MATCH (see explain) */
	uint32_t reserved[4];       /* written as zero: room for later fields */
};

/* Counts so far (a sized struct: see Conventions). */
struct tunvnet_verify_stats {
	size_t sz;                  /* sizeof(struct tunvnet_verify_stats) */
	uint64_t packets, matches, known_deviations, mismatches, unchecked;
	size_t :0;                  /* new fields go above (see Conventions) */
};
#define TUNVNET_VERIFY_STATS_INIT { .sz = sizeof(struct tunvnet_verify_stats) }

TUNVNET_API int tunvnet_verifier_new(const struct tunvnet_verify_opts *opts,
				     struct tunvnet_verifier **vp);
TUNVNET_API void tunvnet_verifier_free(struct tunvnet_verifier *v); /* NULL: no-op */
/* Check one packet read from queue q with its parsed header. */
TUNVNET_API int tunvnet_verify_packet(struct tunvnet_verifier *v, unsigned int q,
				      const struct tunvnet_hdr *hdr, const void *frame,
				      size_t len, struct tunvnet_verdict *verdict);
/* Fill stats as far as stats->sz reaches; -EINVAL for a NULL argument or
 * an sz below the packets count. */
TUNVNET_API int tunvnet_verifier_stats(const struct tunvnet_verifier *v,
				       struct tunvnet_verify_stats *stats);
/*
 * One line for humans about any verdict ("mismatch: tcpv4 ...: expected
 * ..., observed ..."). The verifier writes why only for verdicts other than
 * MATCH, so a match costs no formatting; this makes a match's line from its
 * fields. snprintf's contract: returns the line's length, writes at most
 * len bytes (buf may be NULL with len 0).
 */
TUNVNET_API int tunvnet_verdict_explain(const struct tunvnet_verdict *vd, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* 8. Links over rtnetlink (libnl)                                      */
/* ------------------------------------------------------------------ */

/* One link. Returned in arrays (tunvnet_link_list), so it has no size
 * member: reserved is written as zero, for fields a later version adds. */
struct tunvnet_link {
	char name[16];
	int ifindex;
	enum tunvnet_kind kind;
	uint32_t dev_flags;       /* TUNVNET_DEV_* (tun/tap: from IFLA_TUN_*) */
	unsigned int num_queues;  /* tun/tap: attached queues; vtap: 0 unknown */
	unsigned int num_disabled_queues;
	int64_t owner, group;     /* -1: none */
	char parent[16];          /* macvtap / ipvtap: the lower device */
	int parent_ifindex;
	char mode[16];            /* macvtap: "bridge", "vepa", ...; ipvtap: "l2", "l3", ... */
	unsigned int mtu;
	bool up;
	char tap_dev[32];         /* macvtap / ipvtap: "/dev/tapN" */
	uint32_t reserved[8];     /* zero: room for fields without a new soname */
};

/* Every tun, tap, macvtap and ipvtap link; release *links with
 * tunvnet_link_list_free (not free()). */
TUNVNET_API int tunvnet_link_list(struct tunvnet_link **links, size_t *n);
/* Release what tunvnet_link_list returned. NULL: no-op. */
TUNVNET_API void tunvnet_link_list_free(struct tunvnet_link *links);
TUNVNET_API int tunvnet_link_get(const char *name, struct tunvnet_link *link);

struct tunvnet_vtap_opts {
	size_t sz;               /* sizeof(struct tunvnet_vtap_opts) */
	enum tunvnet_kind kind;  /* MACVTAP or IPVTAP */
	const char *mode;        /* NULL: "bridge" (macvtap) / "l2" (ipvtap) */
	size_t :0;               /* new fields go above (see Conventions) */
};
#define TUNVNET_VTAP_OPTS_INIT { .sz = sizeof(struct tunvnet_vtap_opts) }
/* Create a macvtap or ipvtap link named name on parent. */
TUNVNET_API int tunvnet_link_create_vtap(const char *name, const char *parent,
					 const struct tunvnet_vtap_opts *opts);
/* Delete a tun, tap, macvtap or ipvtap link by name (persistent or not);
 * any other link is refused with -EMEDIUMTYPE and left alone. */
TUNVNET_API int tunvnet_link_delete(const char *name);

/* ------------------------------------------------------------------ */
/* 9. Guest commands: virtio-net control queue to hash configuration   */
/* ------------------------------------------------------------------ */

/*
 * A VMM receives the guest's RSS setup on the control queue
 * (VIRTIO_NET_CTRL_MQ_RSS_CONFIG: struct virtio_net_rss_config;
 * VIRTIO_NET_CTRL_MQ_HASH_CONFIG: struct virtio_net_hash_config), both
 * little-endian and untrusted. These turn one into a struct tunvnet_hash_cfg
 * for tunvnet_dev_set_hash. The caller provides the storage cfg points into.
 */
struct tunvnet_virtio_storage {
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;       /* caller's array for the indirection table */
	size_t table_cap;      /* its entries */
	uint16_t max_tx_vq;    /* out: the guest's max_tx_vq (RSS config only) */
};

/*
 * Parse a virtio_net_rss_config. report: whether the guest negotiated
 * VIRTIO_NET_F_HASH_REPORT (then cfg gets REPORT|RSS, else RSS). hash_types
 * 0 yields "off". -EMSGSIZE when len is short of what the fields declare,
 * -EINVAL for a mask whose table is not a power of two or a key over 40
 * bytes, -ENOSPC when the table exceeds st->table_cap.
 */
TUNVNET_API int tunvnet_virtio_rss_config_parse(const void *buf, size_t len, bool report,
						struct tunvnet_hash_cfg *cfg,
						struct tunvnet_virtio_storage *st);

/*
 * Parse a virtio_net_hash_config (hash report without RSS). cfg gets REPORT
 * with the guest's types, or "off" for types 0. The key is returned in
 * st->key and cfg->key, but note the kernel series' report-only mode does
 * not hash with it (it reports its own flow hash): see doc/kernel-findings.md.
 */
TUNVNET_API int tunvnet_virtio_hash_config_parse(const void *buf, size_t len,
						 struct tunvnet_hash_cfg *cfg,
						 struct tunvnet_virtio_storage *st);

#ifdef __cplusplus
}
#endif

#endif /* TUNVNET_TUNVNET_H */
