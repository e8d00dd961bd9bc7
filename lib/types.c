/* SPDX-License-Identifier: MIT */
/* Names and numbers of the virtio-net hash types and the library's enums. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "internal.h"

static const char *const type_names[] = {
	"ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6", "ip_ex", "tcp_ex", "udp_ex",
};

static const char *const report_names[] = {
	"none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6", "ipv6_ex", "tcpv6_ex", "udpv6_ex",
};

TUNVNET_API const char *tunvnet_report_name(unsigned int report)
{
	return report < TV_ARRAY_SIZE(report_names) ? report_names[report] : "unknown";
}

static int parse_one_type(const char *tok, size_t len, uint32_t *bit)
{
	size_t i;

	for (i = 0; i < TV_ARRAY_SIZE(type_names); i++) {
		if (strlen(type_names[i]) == len && strncasecmp(tok, type_names[i], len) == 0) {
			*bit = 1u << i;
			return 0;
		}
	}
	return tv_err(-EINVAL, "unknown hash type '%.*s' (known: ipv4, tcpv4, udpv4, ipv6, "
			       "tcpv6, udpv6, ip_ex, tcp_ex, udp_ex, all, none, or a number)",
		      (int)len, tok);
}

TUNVNET_API int tunvnet_hash_types_parse(const char *list, uint32_t *types)
{
	uint32_t acc = 0, bit = 0;
	const char *p;
	int err;

	tv_err_clear();
	if (!list || !types)
		return tv_err(-EINVAL, "no hash type list given");
	if (*list >= '0' && *list <= '9') {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(list, &end, 0);
		if (errno || *end || end == list)
			return tv_err(-EINVAL, "bad hash type number '%s'", list);
		if (v & ~(unsigned long)TUNVNET_HASH_TYPES_ALL)
			return tv_err(-EINVAL, "hash type mask %#lx has bits outside 0x1ff", v);
		*types = (uint32_t)v;
		return 0;
	}
	if (strcasecmp(list, "all") == 0) {
		*types = TUNVNET_HASH_TYPES_ALL;
		return 0;
	}
	if (strcasecmp(list, "none") == 0) {
		*types = 0;
		return 0;
	}
	for (p = list;;) {
		size_t len = strcspn(p, ",");

		if (len == 0)
			return tv_err(-EINVAL, "empty name in hash type list '%s'", list);
		err = parse_one_type(p, len, &bit);
		if (err)
			return err;
		acc |= bit;
		if (!p[len])
			break;
		p += len + 1;
	}
	*types = acc;
	return 0;
}

TUNVNET_API int tunvnet_hash_types_format(uint32_t types, char *buf, size_t len)
{
	size_t used = 0, i;
	int n;

	tv_err_clear();
	if (types & ~TUNVNET_HASH_TYPES_ALL)
		return tv_err(-EINVAL, "hash type mask %#x has bits outside 0x1ff", types);
	if (!buf && len)
		return -EINVAL;
	if (!types)
		return snprintf(buf, len, "none");
	for (i = 0; i < TV_ARRAY_SIZE(type_names); i++) {
		if (!(types & (1u << i)))
			continue;
		n = snprintf(buf ? buf + (used < len ? used : len) : NULL,
			     used < len ? len - used : 0, "%s%s", used ? "," : "", type_names[i]);
		used += (size_t)n;
	}
	return (int)used;
}

TUNVNET_API size_t tunvnet_hash_key_len_for_types(uint32_t types)
{
	/* Longest Toeplitz input the types can produce, plus the 4-byte window. */
	if (types & (TUNVNET_HASH_TYPE_TCPV6 | TUNVNET_HASH_TYPE_UDPV6 | TUNVNET_HASH_TYPE_TCP_EX |
		     TUNVNET_HASH_TYPE_UDP_EX))
		return 36 + 4;
	if (types & (TUNVNET_HASH_TYPE_IPV6 | TUNVNET_HASH_TYPE_IP_EX))
		return 32 + 4;
	if (types & (TUNVNET_HASH_TYPE_TCPV4 | TUNVNET_HASH_TYPE_UDPV4))
		return 12 + 4;
	if (types & TUNVNET_HASH_TYPE_IPV4)
		return 8 + 4;
	return 0;
}

/* Microsoft's "Verifying the RSS Hash Calculation" key. */
static const uint8_t ms_key[TUNVNET_KEY_MAX] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

TUNVNET_API const uint8_t *tunvnet_default_key(void)
{
	return ms_key;
}

TUNVNET_API const char *tunvnet_kind_name(enum tunvnet_kind kind)
{
	switch (kind) {
	case TUNVNET_KIND_TUN: return "tun";
	case TUNVNET_KIND_TAP: return "tap";
	case TUNVNET_KIND_MACVTAP: return "macvtap";
	case TUNVNET_KIND_IPVTAP: return "ipvtap";
	default: return "unknown";
	}
}

TUNVNET_API const char *tunvnet_uapi_name(enum tunvnet_uapi uapi)
{
	switch (uapi) {
	case TUNVNET_UAPI_A: return "A";
	case TUNVNET_UAPI_B: return "B";
	default: return "none";
	}
}

static const char *const profile_names[] = { "spec", "linux", "qemu", "ebpf" };

TUNVNET_API const char *tunvnet_profile_name(enum tunvnet_profile profile)
{
	return (unsigned)profile < TV_ARRAY_SIZE(profile_names) ? profile_names[profile] : "unknown";
}

TUNVNET_API int tunvnet_profile_parse(const char *name, enum tunvnet_profile *profile)
{
	size_t i;

	tv_err_clear();
	for (i = 0; name && i < TV_ARRAY_SIZE(profile_names); i++) {
		if (strcasecmp(name, profile_names[i]) == 0) {
			*profile = (enum tunvnet_profile)i;
			return 0;
		}
	}
	return tv_err(-EINVAL, "unknown profile '%s' (spec, linux, qemu or ebpf)", name ? name : "");
}

static const char *const backend_names[] = { "auto", "kernel", "ebpf", "user" };

TUNVNET_API const char *tunvnet_backend_name(enum tunvnet_backend backend)
{
	return (unsigned int)backend < TV_ARRAY_SIZE(backend_names) ? backend_names[backend]
								      : "unknown";
}

TUNVNET_API int tunvnet_backend_parse(const char *name, enum tunvnet_backend *backend)
{
	size_t i;

	tv_err_clear();
	if (!backend)
		return tv_err(-EINVAL, "no place to return the backend");
	for (i = 0; name && i < TV_ARRAY_SIZE(backend_names); i++) {
		if (strcasecmp(name, backend_names[i]) == 0) {
			*backend = (enum tunvnet_backend)i;
			return 0;
		}
	}
	return tv_err(-EINVAL, "unknown backend '%s' (auto, kernel, ebpf or user)",
		      name ? name : "");
}

TUNVNET_API const char *tunvnet_verdict_name(enum tunvnet_verdict_code code)
{
	switch (code) {
	case TUNVNET_VERDICT_MATCH: return "match";
	case TUNVNET_VERDICT_KNOWN_DEVIATION: return "known-deviation";
	case TUNVNET_VERDICT_MISMATCH: return "mismatch";
	case TUNVNET_VERDICT_UNCHECKED: return "unchecked";
	default: return "unknown";
	}
}

TUNVNET_API const char *tunvnet_toeplitz_impl_name(enum tunvnet_toeplitz_impl impl)
{
	switch (impl) {
	case TUNVNET_TOEPLITZ_AUTO: return "auto";
	case TUNVNET_TOEPLITZ_REF: return "ref";
	case TUNVNET_TOEPLITZ_TABLE: return "table";
	case TUNVNET_TOEPLITZ_CLMUL: return "clmul";
	case TUNVNET_TOEPLITZ_GFNI: return "gfni";
	default: return "unknown";
	}
}
