/* SPDX-License-Identifier: MIT */
/*
 * The verdict line: made for verdicts other than a match (those are what
 * gets printed), and for any verdict on demand (tunvnet_verdict_explain),
 * never on the path a good packet takes.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "verify.h"

static void describe_flow(const struct tunvnet_flow *f, bool brief, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	const char *l4 = f->flags & TUNVNET_FLOW_TCP ? "tcp" : f->flags & TUNVNET_FLOW_UDP ? "udp" : "ip";
	bool v4 = f->flags & TUNVNET_FLOW_IPV4;
	int af = v4 ? AF_INET : AF_INET6;
	size_t n;

	if (!(f->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6))) {
		if (f->ethertype)
			snprintf(buf, len, "non-ip ethertype 0x%04x", f->ethertype);
		else
			snprintf(buf, len, "non-ip frame");
		return;
	}
	if (brief || !inet_ntop(af, f->src, s, sizeof(s)) || !inet_ntop(af, f->dst, d, sizeof(d))) {
		snprintf(buf, len, "%sv%c", l4, v4 ? '4' : '6');
		return;
	}
	if ((f->flags & TUNVNET_FLOW_PORTS) && (f->flags & (TUNVNET_FLOW_TCP | TUNVNET_FLOW_UDP)))
		snprintf(buf, len, v4 ? "%sv4 %s:%u -> %s:%u" : "%sv6 [%s]:%u -> [%s]:%u", l4, s,
			 f->src_port, d, f->dst_port);
	else
		snprintf(buf, len, "%sv%c %s -> %s", l4, v4 ? '4' : '6', s, d);
	n = strlen(buf);
	if (!(f->flags & (TUNVNET_FLOW_TCP | TUNVNET_FLOW_UDP)) && n < len)
		snprintf(buf + n, len - n, " proto %u", f->l4_proto);
	n = strlen(buf);
	if ((f->flags & TUNVNET_FLOW_FRAGMENT) && n < len)
		snprintf(buf + n, len - n, " frag");
}

void tv_describe_expect(const struct tv_expect *e, char *buf, size_t len)
{
	char val[16], q[16];

	if (e->value_checked)
		snprintf(val, sizeof(val), "0x%08x", e->value);
	else
		snprintf(val, sizeof(val), "*");
	if (e->queue >= 0)
		snprintf(q, sizeof(q), "%d", e->queue);
	else
		snprintf(q, sizeof(q), "*");
	snprintf(buf, len, "%s %s queue %s", tunvnet_report_name(e->report), val, q);
}

/* "<flow>: <detail>"; the flow shrinks to its type when the line is too long. */
__attribute__((format(printf, 3, 4))) void tv_set_why(struct tunvnet_verdict *vd,
							  const struct tv_pkt *p, const char *fmt, ...)
{
	char detail[sizeof(vd->why)], flow[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	describe_flow(&p->flow, false, flow, sizeof(flow));
	n = snprintf(vd->why, sizeof(vd->why), "%s: %s", flow, detail);
	if (n >= (int)sizeof(vd->why)) {
		describe_flow(&p->flow, true, flow, sizeof(flow));
		/* Still too long: the detail is cut, which is all that can be done. */
		if (snprintf(vd->why, sizeof(vd->why), "%s: %s", flow, detail) >= (int)sizeof(vd->why))
			vd->why[sizeof(vd->why) - 2] = '~';
	}
}

/* "a + b (unlisted)": the ones the caller did not list are marked. */
void tv_deviation_names(uint32_t dev, uint32_t unlisted, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int b = 0; b < 32 && n < len; b++) {
		uint32_t bit = 1u << b;

		if (!(dev & bit))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s", n ? " + " : "",
				      tunvnet_deviation_name(bit), unlisted & bit ? " (unlisted)" : "");
	}
}

/* "<report> <value> queue <q>" of an expectation (or the observation). */
void tv_describe_obs(const struct tv_pkt *p, char *buf, size_t len)
{
	struct tv_expect obs = { .report = p->obs_report, .value = p->obs_value,
				 .queue = (int)p->q, .value_checked = true };

	tv_describe_expect(&obs, buf, len);
}

TUNVNET_API int tunvnet_verdict_explain(const struct tunvnet_verdict *vd, char *buf, size_t len)
{
	struct tv_expect e, obs;
	char exp_s[48], obs_s[48];
	int n;

	tv_err_clear();
	if (!vd || (!buf && len))
		return tv_err(-EINVAL, "verdict_explain: no verdict, or no buffer for %zu bytes", len);
	if (vd->why[0] || vd->code != TUNVNET_VERDICT_MATCH) {
		n = snprintf(buf, len, "%s: %s", tunvnet_verdict_name(vd->code), vd->why);
	} else {
		/* A match: the fields say it all. */
		e = (struct tv_expect){ .report = vd->expected_report, .value = vd->expected_hash,
					.queue = vd->expected_queue, .value_checked = vd->hash_checked };
		obs = (struct tv_expect){ .report = vd->observed_report, .value = vd->observed_hash,
					  .queue = vd->observed_queue, .value_checked = true };
		tv_describe_expect(&e, exp_s, sizeof(exp_s));
		tv_describe_expect(&obs, obs_s, sizeof(obs_s));
		n = snprintf(buf, len, "match: expected %s, observed %s", exp_s, obs_s);
	}
	return n < 0 ? tv_err(-EINVAL, "verdict_explain: formatting failed") : n;
}
