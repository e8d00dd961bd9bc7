/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the verify --pcap reader (tools/capture.c) on an untrusted
 * file, streamed from memory. Every record it accepts lies inside what was
 * read, with lengths that add up; a refusal names a reason (and, past the
 * file header, the record and byte); a frame written by the writer reads
 * back the same.
 */
#include <string.h>

#include "../../tools/capture.h"
#include "fuzz.h"

static void roundtrip(const uint8_t *data, size_t size)
{
	struct tunvnet_hdr h = { 0 }, *back;
	struct cap_reader r;
	struct cap_config c;
	struct cap_frame fr;
	size_t hdr_len = size && (data[0] & 1) ? TUNVNET_HDR_HASH_LEN : 0;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *w, *f;

	if (size >= 6) {
		h.hash_value = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
			       (uint32_t)data[4] << 24;
		h.hash_report = data[5];
	}
	w = open_memstream(&mem, &memlen);
	FUZZ_CHECK(w);
	FUZZ_CHECK(cap_write_header(w) == 0);
	FUZZ_CHECK(cap_write_frame(w, size % 7, TUNVNET_L2_ETH, TUNVNET_BACKEND_EBPF,
				   TUNVNET_ENDIAN_LE, &h, hdr_len, data, size) == 0);
	fclose(w);
	f = fmemopen(mem, memlen, "rb");
	FUZZ_CHECK(f);
	FUZZ_CHECK(cap_open(&r, f) == 0);
	FUZZ_CHECK(cap_next(&r, &c, &fr) == CAP_FRAME);
	back = &fr.hdr;
	FUZZ_CHECK(fr.queue == size % 7 && fr.hdr_len == hdr_len && fr.len == size);
	FUZZ_CHECK(size == 0 || memcmp(fr.frame, data, size) == 0);
	FUZZ_CHECK(!hdr_len || (back->hash_value == h.hash_value && back->hash_report == h.hash_report));
	FUZZ_CHECK(cap_next(&r, &c, &fr) == CAP_EOF);
	cap_close(&r);
	fclose(f);
	free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_reader r;
	struct cap_config c;
	struct cap_frame fr;
	enum cap_next n;
	FILE *f;
	int records = 0;

	if (size <= 65536)
		roundtrip(data, size);
	if (!size)
		return 0; /* fmemopen wants a buffer (the empty file is a CLI test) */
	f = fmemopen((void *)data, size, "rb");
	FUZZ_CHECK(f);
	if (cap_open(&r, f)) {
		FUZZ_CHECK(r.err[0]);
		fclose(f);
		return 0;
	}
	FUZZ_CHECK(size >= CAP_FILE_HDR_LEN);
	while ((n = cap_next(&r, &c, &fr)) > 0) {
		FUZZ_CHECK(r.offset <= size);
		if (n == CAP_CONFIG) {
			/* Only first, and what validate accepts. */
			FUZZ_CHECK(records == 0);
			FUZZ_CHECK(c.num_queues >= 1 && c.cfg.key_len <= TUNVNET_KEY_MAX);
			FUZZ_CHECK(tunvnet_hash_cfg_validate(&c.cfg, NULL, c.num_queues, 0) == 0);
			FUZZ_CHECK(c.name[16] == '\0' && c.kernel[64] == '\0');
			cap_config_free(&c);
		} else {
			/* The frame lies inside the record just read, after prefix and header. */
			FUZZ_CHECK(fr.frame >= r.buf + CAP_FRAME_LEN + fr.hdr_len);
			FUZZ_CHECK(fr.frame + fr.len <= r.buf + r.cap);
			FUZZ_CHECK(fr.l2 <= TUNVNET_L2_IP_PI);
			FUZZ_CHECK(fr.backend >= TUNVNET_BACKEND_KERNEL &&
				   fr.backend <= TUNVNET_BACKEND_USER);
			FUZZ_CHECK(fr.hdr_len == 0 || fr.hdr_len >= TUNVNET_HDR_LEGACY_LEN);
		}
		records++;
	}
	if (n == CAP_ERROR)
		FUZZ_CHECK(strncmp(r.err, "record ", 7) == 0);
	else
		FUZZ_CHECK(r.offset == size); /* a clean end is the end of the data */
	cap_close(&r);
	fclose(f);
	return 0;
}
