/* SPDX-License-Identifier: MIT */
/* Output: aligned tables and key/value lines for people, JSON for programs. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

bool out_is_tty(void)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDOUT_FILENO);
	return tty;
}

static bool use_color(void)
{
	static int on = -1;

	if (on < 0) {
		const char *term = getenv("TERM");

		/* https://no-color.org: any value of NO_COLOR disables colour. */
		on = out_is_tty() && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
	}
	return on;
}

const char *col(enum out_color c)
{
	static const char *const esc[] = {
		[C_NONE] = "", [C_RED] = "\033[31m", [C_GREEN] = "\033[32m",
		[C_YELLOW] = "\033[33m", [C_BOLD] = "\033[1m", [C_DIM] = "\033[2m",
	};

	return use_color() && c != C_NONE ? esc[c] : "";
}

const char *col_end(void)
{
	return use_color() ? "\033[0m" : "";
}

/* ---- tables ---- */

struct cell {
	char *text;
	enum out_color color;
};

struct table {
	unsigned int ncols;
	size_t nrows, cap; /* row 0 is the header */
	struct cell *cells;
	unsigned int cur; /* next column in the last row */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", ctl_prog);
		exit(EXIT_CHECK);
	}
	return p;
}

struct table *table_new(unsigned int ncols, const char *const *headers)
{
	struct table *t = xrealloc(NULL, sizeof(*t));
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	table_row(t);
	for (i = 0; i < ncols; i++)
		table_cell(t, "%s", headers[i]);
	return t;
}

void table_row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->cur = 0;
}

__attribute__((format(printf, 3, 0)))
static void table_vcell(struct table *t, enum out_color c, const char *fmt, va_list ap)
{
	struct cell *cell;

	if (t->cur >= t->ncols)
		return;
	cell = &t->cells[(t->nrows - 1) * t->ncols + t->cur++];
	if (vasprintf(&cell->text, fmt, ap) < 0)
		cell->text = NULL;
	cell->color = c;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	table_vcell(t, C_NONE, fmt, ap);
	va_end(ap);
}

void table_cell_color(struct table *t, enum out_color c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	table_vcell(t, c, fmt, ap);
	va_end(ap);
}

void table_print(struct table *t, FILE *f)
{
	size_t *w = calloc(t->ncols, sizeof(*w)), r;
	unsigned int c;

	if (!w)
		return;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c].text;
			size_t n = s ? strlen(s) : 0;

			if (n > w[c])
				w[c] = n;
		}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];
			const char *s = cell->text ? cell->text : "";
			bool last = c + 1 == t->ncols;

			/* Escapes go around the text, padding outside, so columns stay aligned. */
			fprintf(f, "%s%s%s", r == 0 ? col(C_BOLD) : col(cell->color), s,
				(r == 0 || cell->color != C_NONE) ? col_end() : "");
			if (!last)
				fprintf(f, "%*s", (int)(w[c] - strlen(s) + 2), "");
		}
		fputc('\n', f);
	}
	free(w);
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}

void kv(const char *key, const char *fmt, ...)
{
	va_list ap;
	char k[32];

	snprintf(k, sizeof(k), "%s:", key);
	printf("%s%-14s%s ", col(C_BOLD), k, col_end());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- untrusted text (interface names, modes, paths) ---- */

size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned int cp, n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0; /* a continuation byte, an overlong lead (c0, c1) or > U+10FFFF */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond Unicode. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A C1 control (U+0080..U+009F): terminals may act on it as on ESC [. */
static bool c1_control(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

const char *esc(const char *s)
{
	static char bufs[4][4 * 64 + 4];
	static unsigned int next;
	char *out = bufs[next++ % 4], *o = out;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const size_t room = sizeof(bufs[0]) - 4;

	while (*p && (size_t)(o - out) + 4 <= room) {
		size_t n = utf8_seq(p);

		if (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\') {
			*o++ = (char)*p++;
		} else if (n > 1 && !c1_control(p, n)) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else if (*p == '\\') {
			*o++ = '\\';
			*o++ = '\\';
			p++;
		} else {
			/* Control bytes, DEL, C1 controls, bytes that are not UTF-8. */
			o += sprintf(o, "\\x%02x", *p++);
		}
	}
	if (*p)
		o += sprintf(o, "...");
	*o = '\0';
	return out;
}

/* ---- JSON ---- */

/*
 * Strings are valid JSON whatever they hold: valid UTF-8 passes through,
 * every other byte (not UTF-8, a control byte, DEL) becomes \u00XX.
 */
static void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		size_t n = utf8_seq(p);

		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (n == 1 && *p >= 0x20 && *p != 0x7f)
			fputc(*p, f);
		else if (n > 1 && !c1_control(p, n))
			fwrite(p, 1, n, f);
		else
			fprintf(f, "\\u%04x", n > 1 ? p[1] : *p);
		p += n ? n : 1;
	}
	fputc('"', f);
}

static void json_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		json_string(j->f, key);
		fputc(':', j->f);
	}
}

static void json_push(struct json *j, const char *key, char open, char close)
{
	json_key(j, key);
	fputc(open, j->f);
	if (j->depth + 1 < (int)sizeof(j->first)) {
		j->depth++;
		j->first[j->depth] = true;
		j->close[j->depth] = close;
	}
}

void json_begin(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
	json_push(j, NULL, '{', '}');
}

void json_end(struct json *j)
{
	while (j->depth > 0)
		json_close(j);
	fputc('\n', j->f);
	fflush(j->f);
}

void json_obj(struct json *j, const char *key)
{
	json_push(j, key, '{', '}');
}

void json_arr(struct json *j, const char *key)
{
	json_push(j, key, '[', ']');
}

void json_close(struct json *j)
{
	if (j->depth > 0)
		fputc(j->close[j->depth--], j->f);
}

void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_string(j->f, v);
}

void json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_hex32(struct json *j, const char *key, uint32_t v)
{
	json_key(j, key);
	fprintf(j->f, "\"0x%08x\"", v);
}

void json_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.3f", v);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_flow(struct json *j, const char *key, const struct tunvnet_flow *flow)
{
	static const char *const flag_names[] = {
		"ipv4", "ipv6", "fragment", "tcp", "udp", "l4_complete", "ports",
		"ext_hdrs", "home_addr", "rt2", "ipv4_options", "truncated", "ext_limit",
	};
	char buf[64];
	unsigned int i;

	json_obj(j, key);
	json_uint(j, "ethertype", flow->ethertype);
	if (flow->flags & (TUNVNET_FLOW_IPV4 | TUNVNET_FLOW_IPV6)) {
		addr_string(flow, flow->src, buf, sizeof(buf));
		json_str(j, "src", buf);
		addr_string(flow, flow->dst, buf, sizeof(buf));
		json_str(j, "dst", buf);
		json_uint(j, "proto", flow->l4_proto);
	}
	if (flow->flags & TUNVNET_FLOW_PORTS) {
		json_uint(j, "src_port", flow->src_port);
		json_uint(j, "dst_port", flow->dst_port);
	}
	if (flow->vlan_tags)
		json_uint(j, "vlan_tags", flow->vlan_tags);
	json_arr(j, "flags");
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flow->flags & (1u << i))
			json_str(j, NULL, flag_names[i]);
	json_close(j);
	json_close(j);
}

/* ---- the check and summary objects verify and demo share ---- */

/*
 * One writer for both commands, so their keys cannot drift apart
 * (tunvnet-ctl(1), JSON OUTPUT). Unprefixed values are what the packet
 * carried, expected_* what the reference predicted.
 */
static void json_source(struct json *j, const struct check_src *src)
{
	if (src->device)
		json_str(j, "device", src->device);
	else
		json_null(j, "device");
	json_str(j, "backend", src->backend ? src->backend : "none");
	if (src->kernel)
		json_str(j, "kernel", src->kernel);
	else
		json_null(j, "kernel"); /* not known: frames from a capture file */
}

void json_check_begin(struct json *j, const struct check_src *src, int queue,
		      const struct tunvnet_flow *flow, const struct tunvnet_verdict *vd)
{
	char kind[32];
	unsigned int b;

	json_begin(j, stdout);
	json_str(j, "verdict", tunvnet_verdict_name(vd->code));
	json_source(j, src);
	json_int(j, "queue", queue);
	json_int(j, "expected_queue", vd->expected_queue);
	if (flow) {
		json_flow(j, "flow", flow);
		json_str(j, "kind", flow_kind(flow, kind, sizeof(kind)));
	} else {
		json_null(j, "flow");
		json_str(j, "kind", "?");
	}
	json_uint(j, "report", vd->observed_report);
	json_str(j, "report_name", tunvnet_report_name(vd->observed_report));
	json_uint(j, "expected_report", vd->expected_report);
	json_str(j, "expected_report_name", tunvnet_report_name(vd->expected_report));
	json_hex32(j, "hash", vd->observed_hash);
	json_hex32(j, "expected_hash", vd->expected_hash);
	if (vd->code != TUNVNET_VERDICT_MATCH)
		json_str(j, "why", vd->why);
	json_arr(j, "deviations");
	for (b = 0; b < 32; b++)
		if (vd->deviation & (1u << b))
			json_str(j, NULL, tunvnet_deviation_name(1u << b));
	json_close(j);
}

void json_summary_begin(struct json *j, const char *cmd, const struct check_src *src,
			const struct tunvnet_verify_stats *s)
{
	json_begin(j, stdout);
	json_str(j, "summary", cmd);
	json_source(j, src);
	json_uint(j, "packets", s->packets);
	json_uint(j, "matches", s->matches);
	json_uint(j, "known_deviations", s->known_deviations);
	json_uint(j, "mismatches", s->mismatches);
	json_uint(j, "unchecked", s->unchecked);
}
