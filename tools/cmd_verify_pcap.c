/* SPDX-License-Identifier: MIT */
/*
 * tunvnet-ctl verify --pcap FILE: the checks of a live verify run again on
 * a capture verify --save wrote (capture.c), with no device: each frame with
 * the header and queue observed then, against the configuration saved with
 * them. The file is untrusted: a malformed record ends the run with exit 2,
 * named by record index and byte offset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ctl.h"

struct offline {
	const char *path;
	struct cap_reader rd;
	struct cap_config conf;
	bool have_conf, json;
	struct tunvnet_verifier *v;
	uint64_t *per_q;
	struct check_src src; /* the saved device, backend and kernel */
};

/* A flag given with --pcap describes the saved configuration: it must agree. */
static int check_agree(struct hashopt *h, const struct cap_config *c)
{
	const struct tunvnet_hash_cfg *s = &c->cfg;
	const struct tunvnet_hash_cfg *o = &h->cfg;
	const char *what = NULL;
	bool given_flags = h->report || h->rss;
	int rc;

	if (h->key_random)
		return usage_error("verify", "--key random cannot describe a saved capture; its key "
				   "is in the file");
	if (!given_flags) {
		h->report = !!(s->flags & TUNVNET_HASH_REPORT);
		h->rss = !!(s->flags & TUNVNET_HASH_RSS);
	}
	if (h->rss || !(h->have_key || h->have_table || h->have_unclassified)) {
		rc = hashopt_build(h, "verify", c->num_queues);
		if (rc)
			return rc;
	}
	if (given_flags && o->flags != s->flags)
		what = "--report/--rss";
	else if (h->have_types && o->types != s->types)
		what = "--types";
	else if (h->have_key && (o->key_len != s->key_len || memcmp(o->key, s->key, s->key_len)))
		what = "--key";
	else if (h->have_table && (o->table_len != s->table_len ||
				   memcmp(o->table, s->table, s->table_len * sizeof(*s->table))))
		what = "--table";
	else if (h->have_unclassified && o->unclassified_queue != s->unclassified_queue)
		what = "--unclassified";
	else if (h->queues && h->queues != c->num_queues)
		what = "--queues";
	else if (h->backend != TUNVNET_BACKEND_AUTO && h->backend != c->backend)
		what = "--backend";
	if (what) {
		fprintf(stderr, "%s verify: the capture's configuration: ", ctl_prog);
		hashopt_describe(s, stderr);
		return ctl_fail("verify", EXIT_USAGE, "drop the option: a capture is checked against "
				"the configuration it was saved with",
				"%s disagrees with the capture's configuration (%u queues, backend %s)",
				what, c->num_queues, tunvnet_backend_name(c->backend));
	}
	return EXIT_OK;
}

/* A capture without a configuration record (written by hand): the flags are it. */
static int conf_from_flags(struct hashopt *h, const struct cap_frame *fr, struct cap_config *c)
{
	int rc;

	if (!h->queues)
		return ctl_fail("verify", EXIT_USAGE, "give --queues N and the configuration flags",
				"the capture has no configuration record: the configuration "
				"it was read under must be given");
	if (!h->report && !h->rss)
		h->report = h->rss = true;
	rc = hashopt_build(h, "verify", (unsigned int)h->queues);
	if (rc)
		return rc;
	if (h->backend != TUNVNET_BACKEND_AUTO && h->backend != fr->backend)
		return ctl_fail("verify", EXIT_USAGE, NULL, "--backend %s disagrees with the "
				"capture's first frame (backend %s)", tunvnet_backend_name(h->backend),
				tunvnet_backend_name(fr->backend));
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "?");
	snprintf(c->kernel, sizeof(c->kernel), "?");
	c->l2 = fr->l2;
	c->kind = fr->l2 == TUNVNET_L2_ETH ? TUNVNET_KIND_TAP : TUNVNET_KIND_TUN;
	c->backend = fr->backend;
	c->profile = fr->backend == TUNVNET_BACKEND_KERNEL ? TUNVNET_PROFILE_LINUX
							  : TUNVNET_PROFILE_EBPF;
	c->known_deviations = TUNVNET_DEVIATION_AUTOMQ_VALUE_IS_QUEUE |
			      TUNVNET_DEVIATION_SHORT_KEY_IPV6 | TUNVNET_DEVIATION_VLAN_AF_PACKET;
	c->num_queues = (unsigned int)h->queues;
	c->cfg = h->cfg; /* points into h, which outlives the run */
	c->cfg.backend = fr->backend;
	return EXIT_OK;
}

static const char *l2_name(enum tunvnet_l2 l2)
{
	return l2 == TUNVNET_L2_ETH ? "eth" : l2 == TUNVNET_L2_IP ? "ip" : "ip-pi";
}

static int bad_file(const struct offline *o, const char *msg)
{
	return ctl_fail("verify", EXIT_USAGE, NULL, "%s: %s", esc(o->path), msg);
}

/* The configuration is known: the verifier the live run had. */
static int start(struct offline *o, struct tunvnet_verify_opts *vo, const enum tunvnet_profile *profile)
{
	int rc;

	vo->cfg = &o->conf.cfg;
	vo->num_queues = o->conf.num_queues;
	vo->kind = o->conf.kind;
	vo->l2 = o->conf.l2;
	vo->profile = profile ? *profile : o->conf.profile;
	vo->known_deviations = o->conf.known_deviations;
	vo->backend = o->conf.backend;
	rc = tunvnet_verifier_new(vo, &o->v);
	if (rc)
		return lib_error("verify", "cannot set up the verifier", rc, true);
	/* A capture without a configuration record names no device or kernel. */
	o->src.device = o->have_conf ? o->conf.name : NULL;
	o->src.backend = tunvnet_backend_name(o->conf.backend);
	o->src.kernel = o->have_conf ? o->conf.kernel : NULL;
	o->per_q = calloc(o->conf.num_queues, sizeof(*o->per_q));
	if (!o->per_q)
		return sys_error("verify", "cannot allocate", ENOMEM);
	if (!o->json) {
		fprintf(stderr, "checking capture %s (%s %s, backend %s, %u queue(s), kernel %s), "
			"profile %s: ", esc(o->path), tunvnet_kind_name(o->conf.kind),
			esc(o->conf.name), tunvnet_backend_name(o->conf.backend), o->conf.num_queues,
			esc(o->conf.kernel), tunvnet_profile_name(vo->profile));
		hashopt_describe(&o->conf.cfg, stderr);
	}
	return EXIT_OK;
}

int verify_pcap(const char *path, struct hashopt *h, const enum tunvnet_profile *profile,
		bool json, unsigned long count, unsigned long min_packets)
{
	struct tunvnet_verify_opts vo = TUNVNET_VERIFY_OPTS_INIT;
	struct tunvnet_verify_stats s = TUNVNET_VERIFY_STATS_INIT;
	struct offline o = { .path = path, .json = json };
	FILE *f;
	int rc = EXIT_OK;
	unsigned int q;
	char bad[sizeof(o.rd.err) + 64] = "";
	double last = 0;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return usage_error("verify", "cannot read '%s': %s", esc(path), strerror(errno));
	if (cap_open(&o.rd, f)) {
		rc = bad_file(&o, o.rd.err);
		goto out;
	}
	for (;;) {
		struct cap_frame fr;
		struct tunvnet_verdict vd;
		uint64_t index = o.rd.index, offset = o.rd.offset;
		enum cap_next n = cap_next(&o.rd, &o.conf, &fr);

		/* Once checking began, what was checked is summed up before the error. */
		if (n == CAP_ERROR) {
			snprintf(bad, sizeof(bad), "%s", o.rd.err);
			if (!o.v)
				goto out;
			break;
		}
		if (n == CAP_EOF)
			break;
		if (n == CAP_CONFIG) {
			o.have_conf = true;
			rc = check_agree(h, &o.conf);
			if (!rc)
				rc = start(&o, &vo, profile);
			if (rc)
				goto out;
			continue;
		}
		if (!o.v) {
			rc = conf_from_flags(h, &fr, &o.conf);
			if (!rc)
				rc = start(&o, &vo, profile);
			if (rc)
				goto out;
		}
		/* What live verify knew of the device, every frame must agree with. */
		if (fr.queue >= o.conf.num_queues || fr.l2 != o.conf.l2 || fr.backend != o.conf.backend) {
			snprintf(bad, sizeof(bad), "record %llu at byte %llu: queue %u, l2 %s, backend "
				 "%s, but the capture's configuration has %u queue(s), l2 %s, backend %s",
				 (unsigned long long)index, (unsigned long long)offset, fr.queue,
				 l2_name(fr.l2), tunvnet_backend_name(fr.backend),
				 o.conf.num_queues, l2_name(o.conf.l2),
				 tunvnet_backend_name(o.conf.backend));
			break;
		}
		o.per_q[fr.queue]++;
		/* Live verify hands the verifier a zeroed header when the device has none. */
		if (tunvnet_verify_packet(o.v, fr.queue, &fr.hdr, fr.frame, fr.len, &vd) == 0 &&
		    (vd.code == TUNVNET_VERDICT_MISMATCH ||
		     (json && vd.code == TUNVNET_VERDICT_KNOWN_DEVIATION)))
			verify_print_check(&o.src, json, fr.queue, fr.frame, fr.len, fr.l2, &vd,
					   (long long)index);
		tunvnet_verifier_stats(o.v, &s);
		if (count && s.packets >= count)
			break;
		/* A large capture shows its progress on a terminal, as a live run does. */
		if (!json && out_is_tty() && !(s.packets & 1023) && now() - last > 0.2) {
			verify_print_status(&s, o.per_q, o.conf.num_queues, false);
			last = now();
		}
	}
	if (o.v)
		tunvnet_verifier_stats(o.v, &s);
	if (json) {
		struct json j;

		json_summary_begin(&j, "verify", &o.src, &s);
		json_str(&j, "capture", path);
		json_uint(&j, "records", o.rd.index);
		if (o.v && (o.conf.cfg.flags & TUNVNET_HASH_RSS)) {
			char key[KEY_STRING_MAX];

			key_string(o.conf.cfg.key, o.conf.cfg.key_len, key, sizeof(key));
			json_str(&j, "key", key);
		}
		json_arr(&j, "per_queue");
		for (q = 0; o.v && q < o.conf.num_queues; q++)
			json_uint(&j, NULL, o.per_q[q]);
		json_close(&j);
		json_end(&j);
	} else {
		verify_print_status(&s, o.per_q, o.v ? o.conf.num_queues : 0, true);
	}
	rc = s.mismatches ? EXIT_CHECK : EXIT_OK;
	if (bad[0])
		goto out;
	if (count && s.packets < count)
		rc = ctl_fail("verify", EXIT_CHECK, NULL, "the capture holds %llu of the %lu packets "
			      "--count asked for", (unsigned long long)s.packets, count);
	else if (s.packets < min_packets)
		rc = ctl_fail("verify", EXIT_CHECK, NULL, "the capture holds %llu packet%s, fewer "
			      "than --min-packets %lu: nothing was shown to work",
			      (unsigned long long)s.packets, s.packets == 1 ? "" : "s", min_packets);
out:
	if (bad[0])
		rc = bad_file(&o, bad);
	if (o.v)
		tunvnet_verifier_free(o.v);
	free(o.per_q);
	if (o.have_conf)
		cap_config_free(&o.conf);
	cap_close(&o.rd);
	if (f != stdin)
		fclose(f);
	return rc;
}
