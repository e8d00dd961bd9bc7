/* SPDX-License-Identifier: MIT */
/* Parsing command-line input and formatting flows. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>

#include "ctl.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_sep(int c)
{
	return c == ':' || c == '-' || c == '.' || isspace(c);
}

int parse_hex_at(const char *s, uint8_t *buf, size_t cap, size_t *len, size_t *bad)
{
	const char *start = s;
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s) {
		int hi, lo;

		if (is_sep((unsigned char)*s)) {
			s++;
			continue;
		}
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0) {
			/* A stray character, or a digit without its pair: point at it. */
			if (bad)
				*bad = (size_t)(s - start) +
				       (hi < 0 || !s[1] || is_sep((unsigned char)s[1]) ? 0 : 1);
			return -EINVAL;
		}
		if (n == cap) {
			if (bad)
				*bad = (size_t)(s - start);
			return -E2BIG;
		}
		buf[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*len = n;
	return 0;
}

int parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *len)
{
	return parse_hex_at(s, buf, cap, len, NULL);
}

static int read_file(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap, f);
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = n;
	return 0;
}

int parse_key(const char *arg, uint8_t key[TUNVNET_KEY_MAX], size_t *len, char *err, size_t errlen)
{
	int rc;

	if (strcasecmp(arg, "random") == 0) {
		if (getrandom(key, TUNVNET_KEY_MAX, 0) != TUNVNET_KEY_MAX) {
			snprintf(err, errlen, "cannot read random bytes: %s", strerror(errno));
			return -EIO;
		}
		*len = TUNVNET_KEY_MAX;
		return 0;
	}
	if (strcasecmp(arg, "default") == 0 || strcasecmp(arg, "microsoft") == 0) {
		memcpy(key, tunvnet_default_key(), TUNVNET_KEY_MAX);
		*len = TUNVNET_KEY_MAX;
		return 0;
	}
	if (arg[0] == '@') {
		/* Room for a 40-byte key written as hex with separators and a newline. */
		char text[256];
		size_t n = 0;

		rc = read_file(arg + 1, text, sizeof(text) - 1, &n);
		if (rc) {
			snprintf(err, errlen, "cannot read key file '%s': %s", arg + 1, strerror(-rc));
			return rc;
		}
		text[n] = '\0';
		/* Hex text if it parses as hex, else the raw bytes. */
		if (strlen(text) == n && parse_hex(text, key, TUNVNET_KEY_MAX, len) == 0 && *len)
			return 0;
		if (n == 0 || n > TUNVNET_KEY_MAX) {
			snprintf(err, errlen, "key file '%s' holds %zu bytes: neither hex text nor "
				 "a raw key of 1..40 bytes", arg + 1, n);
			return -EINVAL;
		}
		memcpy(key, text, n);
		*len = n;
		return 0;
	}
	rc = parse_hex(arg, key, TUNVNET_KEY_MAX, len);
	if (rc == -E2BIG) {
		snprintf(err, errlen, "key '%s' is longer than 40 bytes", arg);
		return rc;
	}
	if (rc || *len == 0) {
		snprintf(err, errlen, "bad key '%s': give hex bytes (e.g. 6d5a56da...), "
			 "@FILE, 'random' or 'default'", arg);
		return -EINVAL;
	}
	return 0;
}

int check_key_len(const char *cmd, size_t key_len, uint32_t types)
{
	size_t need = tunvnet_hash_key_len_for_types(types);
	char names[128];

	if (key_len >= need)
		return EXIT_OK;
	tunvnet_hash_types_format(types, names, sizeof(names));
	return usage_error(cmd, "key is %zu bytes; types %s need %zu (give a longer --key or "
			   "fewer --types)", key_len, names, need);
}

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || *end || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

int opt_queues(const char *cmd, const char *arg, unsigned long *queues)
{
	/* tun and macvtap attach at most 256 queues (MAX_TAP_QUEUES), and so
	 * does a handle: a larger count would fail half way through. */
	if (parse_uint(arg, 1, 256, queues))
		return usage_error(cmd, "--queues wants 1..256 (the most a tun or macvtap device "
				   "takes), not '%s'", arg);
	return EXIT_OK;
}

/* The sizes of a header struct only: the tool sets no padded sizes. */
int opt_vnet_hdr_sz(const char *cmd, const char *arg, int *sz)
{
	unsigned long v;

	if (parse_uint(arg, 10, 24, &v) || (v != 10 && v != 12 && v != 20 && v != 24))
		return usage_error(cmd, "--vnet-hdr-size wants 10, 12, 20 or 24, not '%s'", arg);
	*sz = (int)v;
	return EXIT_OK;
}

int parse_l2(const char *s, enum tunvnet_l2 *l2)
{
	if (strcasecmp(s, "eth") == 0 || strcasecmp(s, "ethernet") == 0)
		*l2 = TUNVNET_L2_ETH;
	else if (strcasecmp(s, "ip") == 0 || strcasecmp(s, "raw") == 0)
		*l2 = TUNVNET_L2_IP;
	else if (strcasecmp(s, "ip-pi") == 0 || strcasecmp(s, "pi") == 0)
		*l2 = TUNVNET_L2_IP_PI;
	else
		return -EINVAL;
	return 0;
}

void hex_string(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (!outlen)
		return;
	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < outlen; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

void key_string(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (!outlen)
		return;
	out[0] = '\0';
	for (i = 0; i < n && 3 * i + 3 <= outlen; i++)
		snprintf(out + 3 * i, 4, i + 1 < n ? "%02x:" : "%02x", p[i]);
}

bool key_is_random(const char *arg)
{
	return strcasecmp(arg, "random") == 0;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void addr_string(const struct tunvnet_flow *flow, const uint8_t *addr, char *out, size_t len)
{
	int af = (flow->flags & TUNVNET_FLOW_IPV6) ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, addr, out, (socklen_t)len))
		snprintf(out, len, "?");
}

const char *flow_kind(const struct tunvnet_flow *flow, char *buf, size_t len)
{
	const char *l3 = (flow->flags & TUNVNET_FLOW_IPV6) ? "ipv6" : "ipv4";

	if (!(flow->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6)))
		snprintf(buf, len, "non-ip (0x%04x)", flow->ethertype);
	else if (flow->flags & TUNVNET_FLOW_TCP)
		snprintf(buf, len, "tcp/%s%s", l3, (flow->flags & TUNVNET_FLOW_FRAGMENT) ? " frag" : "");
	else if (flow->flags & TUNVNET_FLOW_UDP)
		snprintf(buf, len, "udp/%s%s", l3, (flow->flags & TUNVNET_FLOW_FRAGMENT) ? " frag" : "");
	else
		snprintf(buf, len, "%s proto %u%s", l3, flow->l4_proto,
			 (flow->flags & TUNVNET_FLOW_FRAGMENT) ? " frag" : "");
	return buf;
}

void flow_string(const struct tunvnet_flow *flow, char *out, size_t len)
{
	char s[64], d[64];
	bool v6 = flow->flags & TUNVNET_FLOW_IPV6;

	if (!(flow->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6))) {
		snprintf(out, len, "ethertype 0x%04x", flow->ethertype);
		return;
	}
	addr_string(flow, flow->src, s, sizeof(s));
	addr_string(flow, flow->dst, d, sizeof(d));
	if (flow->flags & TUNVNET_FLOW_PORTS)
		snprintf(out, len, v6 ? "[%s]:%u -> [%s]:%u" : "%s:%u -> %s:%u", s,
			 flow->src_port, d, flow->dst_port);
	else
		snprintf(out, len, "%s -> %s", s, d);
}

const char *kernel_release(void)
{
	static struct utsname u;
	static bool done;

	if (!done) {
		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "?");
		done = true;
	}
	return u.release;
}
