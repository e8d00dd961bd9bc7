/* SPDX-License-Identifier: MIT */
/* Hash type lists, report names, key lengths and the option-struct size rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>
#include "internal.h"

static void parse_names(void **state)
{
	uint32_t t = 0;

	(void)state;
	assert_int_equal(tunvnet_hash_types_parse("ipv4,tcpv4,udpv4", &t), 0);
	assert_int_equal(t, 0x7);
	assert_int_equal(tunvnet_hash_types_parse("ipv6,tcpv6,udpv6,ip_ex,tcp_ex,udp_ex", &t), 0);
	assert_int_equal(t, 0x1f8);
	assert_int_equal(tunvnet_hash_types_parse("TCPv4", &t), 0);
	assert_int_equal(t, TUNVNET_HASH_TYPE_TCPV4);
	assert_int_equal(tunvnet_hash_types_parse("all", &t), 0);
	assert_int_equal(t, TUNVNET_HASH_TYPES_ALL);
	assert_int_equal(tunvnet_hash_types_parse("none", &t), 0);
	assert_int_equal(t, 0);
}

static void parse_numbers(void **state)
{
	uint32_t t = 0;

	(void)state;
	assert_int_equal(tunvnet_hash_types_parse("0x3f", &t), 0);
	assert_int_equal(t, 0x3f);
	assert_int_equal(tunvnet_hash_types_parse("9", &t), 0);
	assert_int_equal(t, 9);
	assert_int_equal(tunvnet_hash_types_parse("0x200", &t), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "0x1ff"));
	assert_int_equal(tunvnet_hash_types_parse("0x3g", &t), -EINVAL);
}

static void parse_rejects(void **state)
{
	uint32_t t = 0x55;

	(void)state;
	assert_int_equal(tunvnet_hash_types_parse("ipv4,bogus", &t), -EINVAL);
	assert_non_null(strstr(tunvnet_last_error(), "bogus"));
	assert_int_equal(t, 0x55); /* untouched on error */
	assert_int_equal(tunvnet_hash_types_parse("ipv4,,tcpv4", &t), -EINVAL);
	assert_int_equal(tunvnet_hash_types_parse("", &t), -EINVAL);
	assert_int_equal(tunvnet_hash_types_parse("ipv4,", &t), -EINVAL);
	assert_int_equal(tunvnet_hash_types_parse(NULL, &t), -EINVAL);
}

static void format_round_trip(void **state)
{
	char buf[128];
	uint32_t t, back;

	(void)state;
	for (t = 0; t <= TUNVNET_HASH_TYPES_ALL; t++) {
		int n = tunvnet_hash_types_format(t, buf, sizeof(buf));

		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_int_equal(tunvnet_hash_types_parse(buf, &back), 0);
		assert_int_equal(back, t);
	}
	assert_int_equal(tunvnet_hash_types_format(0x3, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "ipv4,tcpv4");
	/* Truncation reports the length needed, like snprintf. */
	assert_int_equal(tunvnet_hash_types_format(0x3, buf, 5), 10);
	assert_string_equal(buf, "ipv4");
	assert_int_equal(tunvnet_hash_types_format(0x400, buf, sizeof(buf)), -EINVAL);
}

static void report_names(void **state)
{
	(void)state;
	assert_string_equal(tunvnet_report_name(TUNVNET_REPORT_NONE), "none");
	assert_string_equal(tunvnet_report_name(TUNVNET_REPORT_TCPV4), "tcpv4");
	assert_string_equal(tunvnet_report_name(TUNVNET_REPORT_UDPV6_EX), "udpv6_ex");
	assert_string_equal(tunvnet_report_name(10), "unknown");
	/* TYPE_x == 1 << (REPORT_x - 1): the names line up. */
	for (unsigned r = 1; r <= 6; r++) {
		char buf[32];

		tunvnet_hash_types_format(1u << (r - 1), buf, sizeof(buf));
		assert_string_equal(buf, tunvnet_report_name(r));
	}
}

static void key_lengths(void **state)
{
	(void)state;
	assert_int_equal(tunvnet_hash_key_len_for_types(0), 0);
	assert_int_equal(tunvnet_hash_key_len_for_types(TUNVNET_HASH_TYPE_IPV4), 12);
	assert_int_equal(tunvnet_hash_key_len_for_types(TUNVNET_HASH_TYPE_UDPV4), 16);
	assert_int_equal(tunvnet_hash_key_len_for_types(TUNVNET_HASH_TYPE_IPV6), 36);
	assert_int_equal(tunvnet_hash_key_len_for_types(TUNVNET_HASH_TYPE_IP_EX), 36);
	assert_int_equal(tunvnet_hash_key_len_for_types(TUNVNET_HASH_TYPE_TCP_EX | 1), 40);
	assert_int_equal(tunvnet_hash_key_len_for_types(TUNVNET_HASH_TYPES_PLAIN), 40);
	assert_int_equal(tunvnet_default_key()[0], 0x6d);
	assert_int_equal(tunvnet_default_key()[39], 0xfa);
}

static void enum_names(void **state)
{
	enum tunvnet_profile p;

	(void)state;
	assert_string_equal(tunvnet_uapi_name(TUNVNET_UAPI_A), "A");
	assert_string_equal(tunvnet_uapi_name(TUNVNET_UAPI_B), "B");
	assert_string_equal(tunvnet_uapi_name(TUNVNET_UAPI_NONE), "none");
	assert_string_equal(tunvnet_kind_name(TUNVNET_KIND_MACVTAP), "macvtap");
	assert_int_equal(tunvnet_profile_parse("linux", &p), 0);
	assert_int_equal(p, TUNVNET_PROFILE_LINUX);
	assert_string_equal(tunvnet_profile_name(p), "linux");
	assert_int_equal(tunvnet_profile_parse("windows", &p), -EINVAL);
	assert_string_equal(tunvnet_verdict_name(TUNVNET_VERDICT_KNOWN_DEVIATION), "known-deviation");
}

static void strerror_text(void **state)
{
	(void)state;
	/*
	 * Each errno has several causes in the library: the generic words must
	 * not name one of them (EOPNOTSUPP is also a CPU without GFNI, EBUSY
	 * also a single-queue device in use, EMSGSIZE also a short virtio
	 * command); tunvnet_last_error() carries the cause.
	 */
	assert_null(strstr(tunvnet_strerror(-EOPNOTSUPP), "lacks"));
	assert_null(strstr(tunvnet_strerror(-EOPNOTSUPP), "hashing"));
	assert_non_null(strstr(tunvnet_strerror(-EOPNOTSUPP), "not supported"));
	assert_null(strstr(tunvnet_strerror(EBUSY), "eBPF"));
	assert_null(strstr(tunvnet_strerror(-EMSGSIZE), "frame"));
	assert_null(strstr(tunvnet_strerror(-E2BIG), "options"));
	assert_non_null(strstr(tunvnet_strerror(-EBADFD), "deleted"));
	assert_non_null(strstr(tunvnet_strerror(-EPERM), "CAP_NET_ADMIN"));
	assert_string_equal(tunvnet_strerror(-ENOSYS), strerror(ENOSYS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_names),      cmocka_unit_test(parse_numbers),
		cmocka_unit_test(parse_rejects),    cmocka_unit_test(format_round_trip),
		cmocka_unit_test(report_names),     cmocka_unit_test(key_lengths),
		cmocka_unit_test(enum_names),
		cmocka_unit_test(strerror_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
