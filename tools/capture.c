/* SPDX-License-Identifier: MIT */
/*
 * verify's capture format (capture.h, tunvnet-ctl(1) CAPTURE FORMAT): pcap
 * with LINKTYPE_USER0 written without libpcap, and a streamed parser for
 * untrusted files. Every multi-byte field of our own is little-endian; the
 * pcap headers are written little-endian and read in either order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static uint32_t file32(const struct cap_reader *r, const uint8_t *p)
{
	uint32_t v = get32(p);

	return r->swap ? __builtin_bswap32(v) : v;
}

static uint32_t file16(const struct cap_reader *r, const uint8_t *p)
{
	uint32_t v = get16(p);

	return r->swap ? (uint32_t)__builtin_bswap16((uint16_t)v) : v;
}

/* ---- writing ---- */

int cap_write_header(FILE *f)
{
	uint8_t h[CAP_FILE_HDR_LEN] = { 0 };

	errno = 0;
	put32(h, 0xa1b2c3d4u); /* microseconds, written little-endian */
	put16(h + 4, 2);
	put16(h + 6, 4);
	put32(h + 16, CAP_SNAPLEN);
	put32(h + 20, CAP_LINKTYPE);
	if (fwrite(h, sizeof(h), 1, f) != 1)
		return errno ? -errno : -EIO;
	return 0;
}

/* One record from up to three pieces; one fwrite per piece, flushed by the caller. */
static int write_record(FILE *f, const void *a, size_t alen, const void *b, size_t blen,
			const void *c, size_t clen)
{
	uint8_t rh[CAP_REC_HDR_LEN];
	size_t len = alen + blen + clen;
	struct timespec ts;

	if (len > CAP_SNAPLEN)
		return -EMSGSIZE;
	errno = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	put32(rh, (uint32_t)ts.tv_sec);
	put32(rh + 4, (uint32_t)(ts.tv_nsec / 1000));
	put32(rh + 8, (uint32_t)len);
	put32(rh + 12, (uint32_t)len);
	if (fwrite(rh, sizeof(rh), 1, f) != 1 || (alen && fwrite(a, alen, 1, f) != 1) ||
	    (blen && fwrite(b, blen, 1, f) != 1) || (clen && fwrite(c, clen, 1, f) != 1))
		return errno ? -errno : -EIO;
	return 0;
}

int cap_write_config(FILE *f, const struct cap_config *c)
{
	const struct tunvnet_hash_cfg *cfg = &c->cfg;
	uint8_t p[CAP_CONFIG_LEN + TUNVNET_KEY_MAX] = { 0 };
	uint8_t *table;
	size_t i, key_len = cfg->key ? cfg->key_len : 0, table_len = cfg->table ? cfg->table_len : 0;
	int rc;

	if (key_len > TUNVNET_KEY_MAX || table_len > TUNVNET_TABLE_MAX)
		return -EINVAL;
	p[0] = CAP_MAGIC;
	p[1] = CAP_VERSION;
	p[2] = CAP_TYPE_CONFIG;
	p[4] = (uint8_t)c->l2;
	p[5] = (uint8_t)c->backend;
	p[6] = (uint8_t)c->kind;
	p[7] = (uint8_t)c->profile;
	put32(p + 8, cfg->flags);
	put32(p + 12, cfg->types);
	put32(p + 16, c->num_queues);
	put32(p + 20, c->known_deviations);
	put16(p + 24, cfg->unclassified_queue);
	p[26] = (uint8_t)key_len;
	put32(p + 28, (uint32_t)table_len);
	/* NUL-padded, not terminated when full: the reader terminates them. */
	memcpy(p + 32, c->name, strnlen(c->name, 16));
	memcpy(p + 48, c->kernel, strnlen(c->kernel, 64));
	if (key_len)
		memcpy(p + CAP_CONFIG_LEN, cfg->key, key_len);
	table = malloc(table_len * 2 + 1);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < table_len; i++)
		put16(table + 2 * i, cfg->table[i]);
	rc = write_record(f, p, CAP_CONFIG_LEN + key_len, table, table_len * 2, NULL, 0);
	free(table);
	return rc;
}

static enum tunvnet_endian host_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? TUNVNET_ENDIAN_BE : TUNVNET_ENDIAN_LE;
}

int cap_write_frame(FILE *f, unsigned int q, enum tunvnet_l2 l2, enum tunvnet_backend backend,
		    enum tunvnet_endian endian, const struct tunvnet_hdr *hdr, size_t hdr_len,
		    const void *frame, size_t len)
{
	uint8_t p[CAP_FRAME_LEN] = { 0 }, h[255];
	int rc;

	if (hdr_len > sizeof(h) || (hdr_len && hdr_len < TUNVNET_HDR_LEGACY_LEN))
		return -EINVAL;
	if (endian == TUNVNET_ENDIAN_NATIVE)
		endian = host_endian();
	p[0] = CAP_MAGIC;
	p[1] = CAP_VERSION;
	p[2] = CAP_TYPE_FRAME;
	p[4] = (uint8_t)l2;
	p[5] = (uint8_t)backend;
	p[6] = hdr_len ? (uint8_t)endian : 0;
	p[7] = (uint8_t)hdr_len;
	put32(p + 8, q);
	if (hdr_len) {
		rc = tunvnet_hdr_build(hdr, hdr_len, endian, h, hdr_len);
		if (rc)
			return rc;
	}
	return write_record(f, p, sizeof(p), h, hdr_len, frame, len);
}

/* ---- reading ---- */

void cap_config_free(struct cap_config *c)
{
	free(c->table);
	c->table = NULL;
}

int cap_parse_config(const uint8_t *p, size_t len, struct cap_config *c, char *err, size_t errlen)
{
	size_t key_len, table_len, i;
	int rc;

	memset(c, 0, sizeof(*c));
	if (len < CAP_CONFIG_LEN) {
		snprintf(err, errlen, "configuration record of %zu bytes, shorter than its "
			 "%u-byte fixed part", len, CAP_CONFIG_LEN);
		return -1;
	}
	if (p[4] > TUNVNET_L2_IP_PI || p[5] < TUNVNET_BACKEND_KERNEL ||
	    p[5] > TUNVNET_BACKEND_USER || p[6] < TUNVNET_KIND_TUN || p[6] > TUNVNET_KIND_IPVTAP ||
	    p[7] > TUNVNET_PROFILE_EBPF || p[27]) {
		snprintf(err, errlen, "configuration record with an unknown l2 (%u), backend (%u), "
			 "kind (%u) or profile (%u), or a reserved byte set", p[4], p[5], p[6], p[7]);
		return -1;
	}
	key_len = p[26];
	table_len = get32(p + 28);
	if (key_len > TUNVNET_KEY_MAX || table_len > TUNVNET_TABLE_MAX) {
		snprintf(err, errlen, "configuration record with a %zu-byte key or a %zu-entry "
			 "table (at most %u and %u)", key_len, table_len, TUNVNET_KEY_MAX,
			 TUNVNET_TABLE_MAX);
		return -1;
	}
	if (len != CAP_CONFIG_LEN + key_len + 2 * table_len) {
		snprintf(err, errlen, "configuration record of %zu bytes; a %zu-byte key and a "
			 "%zu-entry table make it %zu", len, key_len, table_len,
			 CAP_CONFIG_LEN + key_len + 2 * table_len);
		return -1;
	}
	c->l2 = (enum tunvnet_l2)p[4];
	c->backend = (enum tunvnet_backend)p[5];
	c->kind = (enum tunvnet_kind)p[6];
	c->profile = (enum tunvnet_profile)p[7];
	c->num_queues = get32(p + 16);
	c->known_deviations = get32(p + 20);
	memcpy(c->name, p + 32, 16);
	c->name[16] = '\0';
	memcpy(c->kernel, p + 48, 64);
	c->kernel[64] = '\0';
	if (c->num_queues < 1 || c->num_queues > 65536) {
		snprintf(err, errlen, "configuration record with %u queues (1..65536)", c->num_queues);
		return -1;
	}
	memcpy(c->key, p + CAP_CONFIG_LEN, key_len);
	if (table_len) {
		c->table = malloc(table_len * sizeof(*c->table));
		if (!c->table) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (i = 0; i < table_len; i++)
			c->table[i] = (uint16_t)get16(p + CAP_CONFIG_LEN + key_len + 2 * i);
	}
	c->cfg.sz = sizeof(c->cfg);
	c->cfg.flags = get32(p + 8);
	c->cfg.types = get32(p + 12);
	c->cfg.key = key_len ? c->key : NULL;
	c->cfg.key_len = key_len;
	c->cfg.table = c->table;
	c->cfg.table_len = table_len;
	c->cfg.unclassified_queue = (uint16_t)get16(p + 24);
	c->cfg.backend = c->backend;
	rc = tunvnet_hash_cfg_validate(&c->cfg, NULL, c->num_queues, 0);
	if (rc) {
		snprintf(err, errlen, "configuration record: %s", tunvnet_last_error());
		cap_config_free(c);
		return -1;
	}
	return 0;
}

int cap_parse_frame(const uint8_t *p, size_t len, struct cap_frame *fr, char *err, size_t errlen)
{
	size_t hdr_len;

	memset(fr, 0, sizeof(*fr));
	if (len < CAP_FRAME_LEN) {
		snprintf(err, errlen, "frame record of %zu bytes, shorter than its %u-byte prefix",
			 len, CAP_FRAME_LEN);
		return -1;
	}
	hdr_len = p[7];
	if (p[4] > TUNVNET_L2_IP_PI || p[5] < TUNVNET_BACKEND_KERNEL || p[5] > TUNVNET_BACKEND_USER) {
		snprintf(err, errlen, "frame record with an unknown l2 (%u) or backend (%u)", p[4],
			 p[5]);
		return -1;
	}
	if (hdr_len ? p[6] != TUNVNET_ENDIAN_LE && p[6] != TUNVNET_ENDIAN_BE : p[6] != 0) {
		snprintf(err, errlen, "frame record with header endianness %u (1 little, 2 big; "
			 "0 without a header)", p[6]);
		return -1;
	}
	if (hdr_len > len - CAP_FRAME_LEN) {
		snprintf(err, errlen, "a %zu-byte vnet header, but the record holds %zu bytes after "
			 "its prefix", hdr_len, len - CAP_FRAME_LEN);
		return -1;
	}
	fr->l2 = (enum tunvnet_l2)p[4];
	fr->backend = (enum tunvnet_backend)p[5];
	fr->endian = (enum tunvnet_endian)p[6];
	fr->hdr_len = hdr_len;
	fr->queue = get32(p + 8);
	if (hdr_len && tunvnet_hdr_parse(p + CAP_FRAME_LEN, hdr_len, hdr_len, fr->endian, &fr->hdr)) {
		snprintf(err, errlen, "a %zu-byte vnet header (10, 12, 20 or 24 and more)", hdr_len);
		return -1;
	}
	fr->frame = p + CAP_FRAME_LEN + hdr_len;
	fr->len = len - CAP_FRAME_LEN - hdr_len;
	return 0;
}

#define FAIL(r, ...)                                                           \
	do {                                                                   \
		int n_ = snprintf((r)->err, sizeof((r)->err), "record %llu at byte %llu: ", \
				  (unsigned long long)(r)->index,              \
				  (unsigned long long)(r)->offset);            \
		snprintf((r)->err + n_, sizeof((r)->err) - (size_t)n_, __VA_ARGS__); \
		return CAP_ERROR;                                              \
	} while (0)

int cap_open(struct cap_reader *r, FILE *f)
{
	uint8_t h[CAP_FILE_HDR_LEN];
	size_t got;
	uint32_t magic, lt;

	memset(r, 0, sizeof(*r));
	r->f = f;
	got = fread(h, 1, sizeof(h), f);
	if (got == 0 && ferror(f)) {
		snprintf(r->err, sizeof(r->err), "cannot read: %s", strerror(errno));
		return -1;
	}
	if (got == 0) {
		snprintf(r->err, sizeof(r->err), "empty file, not a capture");
		return -1;
	}
	if (got < sizeof(h)) {
		snprintf(r->err, sizeof(r->err), "%zu bytes, shorter than a pcap file header (24)",
			 got);
		return -1;
	}
	magic = get32(h);
	if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du) {
		r->nsec = magic == 0xa1b23c4du;
	} else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u) {
		r->swap = true;
		r->nsec = magic == 0x4d3cb2a1u;
	} else if (magic == 0x0a0d0d0au) {
		snprintf(r->err, sizeof(r->err), "a pcapng file: verify --pcap reads pcap (what "
			 "verify --save writes)");
		return -1;
	} else {
		snprintf(r->err, sizeof(r->err), "not a pcap file (magic 0x%08x at byte 0)", magic);
		return -1;
	}
	if (file16(r, h + 4) != 2) {
		snprintf(r->err, sizeof(r->err), "pcap version %u.%u (this reads 2.x)",
			 file16(r, h + 4), file16(r, h + 6));
		return -1;
	}
	r->snaplen = file32(r, h + 16);
	lt = file32(r, h + 20) & 0x0fffffffu; /* the top bits hold FCS information */
	if (lt != CAP_LINKTYPE) {
		snprintf(r->err, sizeof(r->err), "link type %u, not %u (LINKTYPE_USER0, what verify "
			 "--save writes): a capture without the observed reports has nothing to "
			 "verify%s", lt, CAP_LINKTYPE,
			 lt == 1 || lt == 101 || lt == 113 || lt == 276 ?
				 " (hash --pcap computes the hashes of a plain capture)" : "");
		return -1;
	}
	if (r->snaplen == 0) {
		snprintf(r->err, sizeof(r->err), "snapshot length 0 in the file header");
		return -1;
	}
	r->offset = CAP_FILE_HDR_LEN;
	return 0;
}

enum cap_next cap_next(struct cap_reader *r, struct cap_config *c, struct cap_frame *fr)
{
	uint8_t rh[CAP_REC_HDR_LEN];
	uint32_t caplen, len, sub;
	size_t got;
	enum cap_next what;
	char why[192];

	got = fread(rh, 1, sizeof(rh), r->f);
	if (got == 0 && !ferror(r->f))
		return CAP_EOF;
	if (got < sizeof(rh)) {
		if (ferror(r->f))
			FAIL(r, "cannot read: %s", strerror(errno));
		FAIL(r, "truncated record header (%zu of 16 bytes)", got);
	}
	sub = file32(r, rh + 4);
	caplen = file32(r, rh + 8);
	len = file32(r, rh + 12);
	if (caplen == 0)
		FAIL(r, "empty record");
	if (caplen > r->snaplen)
		FAIL(r, "record length %u exceeds the file's snapshot length %u", caplen, r->snaplen);
	if (caplen > CAP_RECORD_MAX)
		FAIL(r, "record length %u exceeds the largest record (%u)", caplen, CAP_RECORD_MAX);
	if (len > caplen)
		FAIL(r, "captured short (%u of %u bytes): a cut frame cannot be verified", caplen,
		     len);
	if (len < caplen)
		FAIL(r, "record length %u exceeds the original length %u", caplen, len);
	if (caplen > r->cap) {
		uint8_t *nb = realloc(r->buf, caplen);

		if (!nb)
			FAIL(r, "out of memory");
		r->buf = nb;
		r->cap = caplen;
	}
	got = fread(r->buf, 1, caplen, r->f);
	if (got < caplen) {
		if (ferror(r->f))
			FAIL(r, "cannot read: %s", strerror(errno));
		FAIL(r, "truncated record (%zu of %u bytes)", got, caplen);
	}
	if (caplen < 4)
		FAIL(r, "record of %u bytes, shorter than the 4-byte prefix", caplen);
	if (r->buf[0] != CAP_MAGIC)
		FAIL(r, "not a verify --save record (byte 0 is 0x%02x, want 0x%02x)", r->buf[0],
		     CAP_MAGIC);
	if (r->buf[1] != CAP_VERSION)
		FAIL(r, "record version %u (this tunvnet-ctl reads version %u)", r->buf[1],
		     CAP_VERSION);
	if (r->buf[3])
		FAIL(r, "reserved byte 3 is 0x%02x, not 0", r->buf[3]);
	switch (r->buf[2]) {
	case CAP_TYPE_CONFIG:
		if (r->index)
			FAIL(r, "a configuration record after the first record");
		if (cap_parse_config(r->buf, caplen, c, why, sizeof(why)))
			FAIL(r, "%s", why);
		what = CAP_CONFIG;
		break;
	case CAP_TYPE_FRAME:
		if (cap_parse_frame(r->buf, caplen, fr, why, sizeof(why)))
			FAIL(r, "%s", why);
		fr->ts = (double)file32(r, rh) + (double)sub / (r->nsec ? 1e9 : 1e6);
		what = CAP_FRAME;
		break;
	default:
		FAIL(r, "unknown record type %u", r->buf[2]);
	}
	r->offset += CAP_REC_HDR_LEN + (uint64_t)caplen;
	r->index++;
	return what;
}

void cap_close(struct cap_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
