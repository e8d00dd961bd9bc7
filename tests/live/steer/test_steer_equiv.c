/* SPDX-License-Identifier: MIT */
/*
 * The steering program returns, for every frame, what the library's
 * reference predicts: tunvnet_rss_queue() over tunvnet_classify_hash() in
 * the ebpf profile (the spec's but for OPTS_LIMIT frames, also checked
 * here) with the bit-loop Toeplitz. Random configurations
 * (types, key length, table sizes up to the largest, queues) and random
 * frames (see steer_gen.h) for tap (Ethernet), tun (IP) and tun with packet
 * info, run through BPF_PROG_TEST_RUN. Needs CAP_BPF; exits 77 without.
 */
#include "steer_test.h"

#define CONFIGS 12

static uint16_t table[TV_STEER_TABLE_MAX];

int main(void)
{
	static const enum tunvnet_l2 l2s[] = { TUNVNET_L2_ETH, TUNVNET_L2_IP, TUNVNET_L2_IP_PI };
	unsigned int per_cfg = steer_frames(24000) / CONFIGS, fails = 0, c, i, m;
	unsigned long frames = 0, classified = 0, slow = 0, reports[TUNVNET_REPORT_MAX + 1] = { 0 };
	unsigned long hao = 0, rt2 = 0, many_tags = 0, long_chain = 0, frag = 0, opts4 = 0;
	unsigned long opts_limit = 0, spec_differs = 0;
	struct gen g = { .s = 0x9e3779b97f4a7c15ull };
	static struct fb f;

	for (m = 0; m < 3; m++) {
		enum tunvnet_l2 l2 = l2s[m];
		struct tv_steer *s = steer_open_or_skip(l2);
		int fd = tv_steer_prog_fd(s);

		for (c = 0; c < CONFIGS; c++) {
			struct tunvnet_hash_cfg cfg;
			struct tunvnet_toeplitz *ref;
			uint8_t key[40];

			/* One configuration with the largest table, the rest small. */
			gen_cfg(&g, &cfg, key, table, c == 1 ? TV_STEER_TABLE_MAX : 4096);
			if (c == 1) {
				cfg.table_len = TV_STEER_TABLE_MAX;
				for (i = 0; i < cfg.table_len; i++)
					table[i] = (uint16_t)gen_rnd(&g);
			}
			if (tv_steer_configure(s, &cfg) ||
			    tunvnet_toeplitz_new(key, cfg.key_len, TUNVNET_TOEPLITZ_REF, &ref)) {
				fprintf(stderr, "FAIL: configure: %s\n", tunvnet_last_error());
				return 1;
			}
			for (i = 0; i < per_cfg; i++) {
				struct tunvnet_class cls;
				struct tunvnet_flow flow;
				long got;
				int want;

				gen_frame(&g, l2, &f);
				if (!steer_runnable(&f, l2))
					continue;
				want = gen_expect(&f, l2, &cfg, ref, &cls);
				got = steer_run(fd, &f, l2);
				frames++;
				classified += cls.report != TUNVNET_REPORT_NONE;
				reports[cls.report <= TUNVNET_REPORT_MAX ? cls.report : 0]++;
				slow += f.len > 128;
				if (tunvnet_packet_parse(f.b, f.len, l2, &flow) == 0) {
					bool ex = cls.report >= TUNVNET_REPORT_IPV6_EX;

					hao += ex && (flow.flags & TUNVNET_FLOW_HOME_ADDR);
					rt2 += ex && (flow.flags & TUNVNET_FLOW_RT2);
					many_tags += flow.vlan_tags >= 20;
					long_chain += !!(flow.flags & TUNVNET_FLOW_EXT_LIMIT);
					frag += !!(flow.flags & TUNVNET_FLOW_FRAGMENT);
					opts4 += !!(flow.flags & TUNVNET_FLOW_IPV4_OPTIONS);
					opts_limit += !!(flow.flags & TUNVNET_FLOW_OPTS_LIMIT);
				}
				/* The ebpf profile is the spec's but for OPTS_LIMIT frames. */
				if (want >= 0) {
					struct tunvnet_class sc;

					if (tunvnet_classify_hash(f.b, f.len, l2, cfg.types,
								  TUNVNET_PROFILE_SPEC, ref, &sc) ||
					    (tunvnet_rss_queue(&cfg, 65536, sc.report, sc.hash) != want &&
					     !(flow.flags & TUNVNET_FLOW_OPTS_LIMIT))) {
						fprintf(stderr, "FAIL: ebpf and spec profiles differ "
								"on a frame without OPTS_LIMIT\n");
						return 1;
					}
					spec_differs += sc.report != cls.report;
				}
				if (want >= 0 && got == want)
					continue;
				if (++fails <= 5) {
					fprintf(stderr,
						"MISMATCH l2 %d types %#x key_len %zu table_len %zu "
						"unclassified %u: program %ld, reference %d (report %s, "
						"hash %#x), frame of %zu bytes:\n",
						(int)l2, cfg.types, cfg.key_len, cfg.table_len,
						cfg.unclassified_queue, got, want,
						tunvnet_report_name(cls.report), cls.hash, f.len);
					gen_dump(stderr, &f);
				}
			}
			tunvnet_toeplitz_free(ref);
		}
		tv_steer_close(s);
	}
	printf("%lu frames (%lu classified, %lu longer than the first load), %u mismatches\n",
	       frames, classified, slow, fails);
	printf("with the Home Address hashed %lu, the RT2 address %lu; >= 20 VLAN tags %lu; "
	       "chains past 16 headers %lu; fragments %lu; IPv4 options %lu; Home Address scans "
	       "past 16 options %lu (%lu reported otherwise by the spec profile)\n", hao, rt2,
	       many_tags, long_chain, frag, opts4, opts_limit, spec_differs);
	/* The mix must reach every rule, or a pass means little. */
	for (i = 0; i <= TUNVNET_REPORT_MAX; i++) {
		printf("  %-9s %lu\n", tunvnet_report_name(i), reports[i]);
		if (reports[i] < frames / 1000) {
			fprintf(stderr, "FAIL: too few frames got report %s\n", tunvnet_report_name(i));
			return 1;
		}
	}
	if (!hao || !rt2 || !many_tags || !long_chain || !frag || !opts4 || !opts_limit ||
	    slow < frames / 20) {
		fprintf(stderr, "FAIL: the frame mix missed a case it is meant to cover\n");
		return 1;
	}
	return fails ? 1 : 0;
}
