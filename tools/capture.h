/* SPDX-License-Identifier: MIT */
/*
 * The capture format of `verify --save` and `verify --pcap`: a pcap file
 * (LINKTYPE_USER0) whose records carry what a live verify saw: the queue, the
 * vnet header as delivered and the frame, after a first record holding the
 * configuration. Written and parsed here without libpcap; the parser takes
 * untrusted files (bounded, streamed, every length checked). The layout is
 * documented in tunvnet-ctl(1), CAPTURE FORMAT. Not installed; also built
 * into the fuzz target tests/fuzz/fuzz_capture.c.
 */
#ifndef TUNVNET_CAPTURE_H
#define TUNVNET_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <tunvnet/tunvnet.h>

#define CAP_LINKTYPE 147u         /* LINKTYPE_USER0 */
#define CAP_SNAPLEN 262144u       /* what the writer puts in the file header */
#define CAP_RECORD_MAX (1u << 20) /* no record is larger (a frame is at most 64 KiB + header) */
#define CAP_MAGIC 0x76            /* 'v', byte 0 of every record */
#define CAP_VERSION 1             /* byte 1 */
#define CAP_TYPE_CONFIG 1         /* byte 2: the configuration, first record only */
#define CAP_TYPE_FRAME 2          /* byte 2: one frame read */
#define CAP_FILE_HDR_LEN 24
#define CAP_REC_HDR_LEN 16
#define CAP_CONFIG_LEN 112        /* fixed part; key and table follow */
#define CAP_FRAME_LEN 12          /* fixed part; vnet header and frame follow */

/* What verify used, saved once so the capture can be checked without options. */
struct cap_config {
	char name[17];                /* device name (NUL-terminated) */
	char kernel[65];              /* uname -r of the machine that read the frames */
	enum tunvnet_kind kind;
	enum tunvnet_l2 l2;
	enum tunvnet_backend backend; /* in force: kernel, ebpf or user */
	enum tunvnet_profile profile; /* the rules live verify checked against */
	uint32_t known_deviations;
	unsigned int num_queues;
	struct tunvnet_hash_cfg cfg;  /* key and table point into this struct */
	uint8_t key[TUNVNET_KEY_MAX];
	uint16_t *table;              /* owned; cap_config_free */
};
void cap_config_free(struct cap_config *c);

struct cap_frame {
	unsigned int queue;
	enum tunvnet_l2 l2;
	enum tunvnet_backend backend;
	enum tunvnet_endian endian;   /* of the header's legacy fields (LE or BE) */
	size_t hdr_len;               /* 0: the device had no vnet header */
	struct tunvnet_hdr hdr;       /* parsed (zero when hdr_len is 0) */
	const uint8_t *frame;         /* into the reader's buffer: valid until the next read */
	size_t len;
	double ts;                    /* seconds, from the record header */
};

/* ---- writing ---- */
/* The file header; 0 or -errno. */
int cap_write_header(FILE *f);
int cap_write_config(FILE *f, const struct cap_config *c);
/* One frame with its header (hdr_len 0: none; else built from hdr, bytes
 * past 24 zero). The endianness is resolved (NATIVE becomes the host's). */
int cap_write_frame(FILE *f, unsigned int q, enum tunvnet_l2 l2, enum tunvnet_backend backend,
		    enum tunvnet_endian endian, const struct tunvnet_hdr *hdr, size_t hdr_len,
		    const void *frame, size_t len);

/* ---- reading (streamed: one record in memory at a time) ---- */
struct cap_reader {
	FILE *f;
	bool swap;            /* written in the other byte order */
	bool nsec;            /* nanosecond timestamps */
	uint32_t snaplen;
	uint64_t offset;      /* byte offset of the next record header */
	uint64_t index;       /* index of the next record (0 = the first) */
	uint8_t *buf;
	size_t cap;
	char err[256];        /* "record N at byte X: ..." after a failure */
};
enum cap_next { CAP_EOF = 0, CAP_CONFIG = 1, CAP_FRAME = 2, CAP_ERROR = -1 };
/* Read and check the file header. 0, or -1 with r->err set. */
int cap_open(struct cap_reader *r, FILE *f);
/*
 * The next record: CAP_CONFIG (c filled; the caller frees it), CAP_FRAME,
 * CAP_EOF at a clean end, CAP_ERROR with r->err naming the record's index
 * and byte offset. A config record is accepted only as the first record.
 */
enum cap_next cap_next(struct cap_reader *r, struct cap_config *c, struct cap_frame *fr);
void cap_close(struct cap_reader *r); /* frees the buffer, not the FILE */

/* The record body parsers cap_next uses (exposed for the fuzz target):
 * 0, or -1 with a reason in err. */
int cap_parse_config(const uint8_t *p, size_t len, struct cap_config *c, char *err, size_t errlen);
int cap_parse_frame(const uint8_t *p, size_t len, struct cap_frame *fr, char *err, size_t errlen);

#endif /* TUNVNET_CAPTURE_H */
