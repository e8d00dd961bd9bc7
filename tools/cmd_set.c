/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl set / clear DEV: apply or switch off hash report and RSS. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char set_help[] =
	"Usage: tunvnet-ctl set [OPTIONS] DEV\n\n"
	"Apply a hash report / RSS configuration to a tun, tap, macvtap or ipvtap\n"
	"device: with the kernel's hashing series where it answers (either uAPI\n"
	"generation), else with our steering eBPF program (RSS on tun/tap) and\n"
	"reports filled by readers using this library; --backend forces one, and\n"
	"the one chosen is printed. The input is checked\n"
	"before any kernel call. The configuration belongs to the device, not to the\n"
	"queue this command attaches: it stays on a persistent tun/tap after the\n"
	"command exits, until 'clear' or the device is deleted.\n\n"
	HASHOPT_HELP
	"  --json                 print what was applied as one JSON object\n"
	"  -h, --help             this text\n\n"
	"In other tools' words: --report is QEMU's virtio-net hash=on, --rss is\n"
	"rss=on; types tcpv4/udpv4 hash what ethtool's 'rx-flow-hash tcp4 sdfn'\n"
	"does, ipv4 what 'sd' does; --table round-robin:N is 'ethtool -X DEV equal N';\n"
	"keys print as 'ethtool -x' prints them.\n"
	"Defaults differ from 'hash' (all nine types, the spec's rules) for one\n"
	"reason: set configures what a device can do, the six types the kernel\n"
	"series supports. 'verify --help' names the 'hash' flags that predict the\n"
	"reports and queues of a device set this way.\n\n"
	"Exit status: 0 applied, 1 no backend can honour it or the kernel refused,\n"
	"2 bad input.\n";

static const char clear_help[] =
	"Usage: tunvnet-ctl clear DEV\n\n"
	"Switch hash report and RSS off on a device, and detach a steering eBPF\n"
	"program an earlier 'set' left on a tun/tap.\n\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 cleared, 1 the kernel lacks the feature or refused, 2 bad usage.\n";

static bool tunlike_kind(enum tunvnet_kind kind)
{
	return kind == TUNVNET_KIND_TUN || kind == TUNVNET_KIND_TAP;
}

/* The feature first: on a kernel without it nothing else matters. */
static int need_feature(const char *cmd, struct tunvnet_caps *caps)
{
	int rc;

	caps->sz = sizeof(*caps);
	rc = tunvnet_caps_probe(-1, caps);
	if (rc)
		return feature_error(cmd, "cannot use hashing", rc);
	return EXIT_OK;
}

int cmd_set(int argc, char **argv)
{
	static const struct option opts[] = {
		HASHOPT_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tunvnet_caps caps;
	struct tunvnet_link link;
	struct tunvnet_dev *dev = NULL;
	struct hashopt h;
	enum tunvnet_backend backend = TUNVNET_BACKEND_AUTO;
	bool json = false;
	int c, rc, hdr_sz = 0, old_hdr_sz = 0;
	unsigned int nq, qcount;

	hashopt_init(&h);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c >= HASHOPT_FIRST && c <= HASHOPT_LAST) {
			rc = hashopt_parse(&h, "set", c, optarg);
			if (rc)
				return rc;
		} else if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			return print_help(set_help);
		} else {
			return usage_error("set", "bad option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("set", "expected exactly one DEV argument");
	/* Validate everything, then act: nothing below changes the device until
	 * the input, the kernel's support and the device's limits all passed. */
	rc = hashopt_build(&h, "set", (unsigned int)h.queues);
	if (rc)
		goto out;
	/* The series is needed only when asked for by name; auto looks further. */
	if (h.backend == TUNVNET_BACKEND_KERNEL) {
		rc = need_feature("set", &caps);
		if (rc)
			goto out;
	} else {
		caps.sz = sizeof(caps);
		if (tunvnet_caps_probe(-1, &caps))
			caps.uapi = TUNVNET_UAPI_NONE;
	}
	/* Refuse types the kernel cannot do now that we know them. */
	rc = tunvnet_hash_cfg_validate(&h.cfg, caps.uapi != TUNVNET_UAPI_NONE ? &caps : NULL, 0,
				       h.vnet_hdr_sz);
	if (rc) {
		rc = lib_error("set", "this kernel cannot apply it", rc, rc == -EINVAL);
		goto out;
	}
	rc = tunvnet_link_get(argv[optind], &link);
	if (rc) {
		char what[96];

		snprintf(what, sizeof(what), "cannot find device '%s'", esc(argv[optind]));
		rc = lib_error("set", what, rc, false);
		goto out;
	}
	rc = hashopt_check_link(&h, "set", &link);
	if (rc)
		goto out;
	/*
	 * The table and its bounds follow the queues the device has while the
	 * configuration is in force: the ones attached now (a VMM's), or
	 * --queues. An idle multi-queue device has no count yet.
	 */
	qcount = hashopt_queue_count(&h, &link);
	if (h.rss && !qcount && !h.have_table) {
		rc = usage_error("set", "%s '%s' %s, so its queue count is unknown: give "
				 "--queues N (the queues its user will attach) or --table",
				 tunvnet_kind_name(link.kind), esc(link.name),
				 tunlike_kind(link.kind) ? "has no queue attached now"
							 : "does not say how many queues are open");
		goto out;
	}
	if (h.rss) {
		rc = hashopt_build(&h, "set", qcount);
		if (rc)
			goto out;
	}
	/*
	 * The library checks table entries against the queues the device has
	 * while applying: hold enough that the others' and ours cover them.
	 */
	nq = 1;
	if (h.rss) {
		unsigned int need = qcount > h.cfg.unclassified_queue ? qcount
								      : h.cfg.unclassified_queue + 1u;
		unsigned int others = (link.kind == TUNVNET_KIND_TUN ||
				       link.kind == TUNVNET_KIND_TAP) ? link.num_queues : 0;
		size_t i;

		for (i = 0; i < h.cfg.table_len; i++)
			if (h.cfg.table[i] + 1u > need)
				need = h.cfg.table[i] + 1u;
		if (need > others + nq)
			nq = need - others;
		if (!(link.dev_flags & TUNVNET_DEV_MULTI_QUEUE) &&
		    (link.kind == TUNVNET_KIND_TUN || link.kind == TUNVNET_KIND_TAP))
			nq = 1;
	}
	rc = attach_device("set", argv[optind], nq, false, &link, &dev);
	if (rc)
		goto out;
	if (tunvnet_dev_get_vnet_hdr_sz(dev, &old_hdr_sz))
		old_hdr_sz = 0;
	hdr_sz = h.vnet_hdr_sz ? h.vnet_hdr_sz : old_hdr_sz;
	/*
	 * A macvtap/ipvtap keeps the header size per queue: ours close when
	 * this command exits, so the size only has to let the library accept
	 * the report here; the VMM sets its own queues'.
	 */
	if (h.report && !tunlike_kind(link.kind) && hdr_sz < TUNVNET_HDR_HASH_LEN)
		hdr_sz = TUNVNET_HDR_HASH_LEN;
	if (h.report && hdr_sz && hdr_sz < TUNVNET_HDR_HASH_LEN) {
		rc = ctl_fail("set", EXIT_CHECK, "add --vnet-hdr-size 20 (or let the VMM set it "
			      "first)", "%s '%s' has a %d-byte vnet header; the hash report "
			      "travels only in 20 or more", tunvnet_kind_name(link.kind),
			      esc(link.name), hdr_sz);
		goto out;
	}
	if (hdr_sz && hdr_sz != old_hdr_sz) {
		rc = tunvnet_dev_set_vnet_hdr_sz(dev, hdr_sz);
		if (rc) {
			rc = lib_error("set", "cannot set the vnet header size", rc, false);
			goto out;
		}
	}
	rc = tunvnet_dev_set_hash(dev, &h.cfg);
	if (rc) {
		rc = lib_error("set", "cannot apply the hash configuration", rc, false);
		/* Leave the device as it was: the header size goes back too. */
		if (hdr_sz && old_hdr_sz && hdr_sz != old_hdr_sz)
			tunvnet_dev_set_vnet_hdr_sz(dev, old_hdr_sz);
		goto out;
	}
	{
		struct tunvnet_hash_cfg in_force = TUNVNET_HASH_CFG_INIT;

		if (tunvnet_dev_get_hash(dev, &in_force) == 0)
			backend = in_force.backend;
	}
	/* drivers/net/tap.c picks the only queue without hashing: say so. */
	if (h.report && backend == TUNVNET_BACKEND_KERNEL &&
	    (link.kind == TUNVNET_KIND_MACVTAP || link.kind == TUNVNET_KIND_IPVTAP))
		fprintf(stderr, "%s set: note: a %s reports hashes only while 2 or more of its "
			"queues are open (with one open the kernel hashes nothing), in each "
			"queue whose vnet header is 20 bytes or more\n", ctl_prog,
			tunvnet_kind_name(link.kind));
	if (json) {
		struct json j;
		char types[128], key[KEY_STRING_MAX];
		size_t i;

		tunvnet_hash_types_format(h.cfg.types, types, sizeof(types));
		json_begin(&j, stdout);
		json_str(&j, "device", link.name);
		json_str(&j, "kind", tunvnet_kind_name(link.kind));
		json_str(&j, "uapi", tunvnet_uapi_name(caps.uapi));
		json_str(&j, "backend", tunvnet_backend_name(backend));
		json_bool(&j, "report", h.report);
		json_bool(&j, "rss", h.rss);
		json_str(&j, "types", types);
		json_int(&j, "vnet_hdr_size", hdr_sz);
		if (h.rss) {
			key_string(h.cfg.key, h.cfg.key_len, key, sizeof(key));
			json_str(&j, "key", key);
			json_uint(&j, "unclassified_queue", h.cfg.unclassified_queue);
			json_arr(&j, "table");
			for (i = 0; i < h.cfg.table_len; i++)
				json_uint(&j, NULL, h.cfg.table[i]);
			json_close(&j);
		}
		json_end(&j);
	} else {
		printf("applied on %s %s (backend %s, uAPI %s): ", tunvnet_kind_name(link.kind),
		       esc(link.name), tunvnet_backend_name(backend), tunvnet_uapi_name(caps.uapi));
		hashopt_describe(&h.cfg, stdout);
	}
	rc = EXIT_OK;
out:
	if (dev)
		tunvnet_dev_close(dev);
	hashopt_free(&h);
	return rc;
}

int cmd_clear(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tunvnet_link link;
	struct tunvnet_dev *dev;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return print_help(clear_help);
		return usage_error("clear", "bad option");
	}
	if (optind + 1 != argc)
		return usage_error("clear", "expected exactly one DEV argument");
	/* No feature gate: on a stock kernel clear detaches the steering program. */
	rc = attach_device("clear", argv[optind], 1, false, &link, &dev);
	if (rc)
		return rc;
	rc = tunvnet_dev_clear_hash(dev);
	tunvnet_dev_close(dev);
	if (rc)
		return lib_error("clear", "cannot switch hashing off", rc, false);
	printf("hash report and RSS off on %s %s\n", tunvnet_kind_name(link.kind), esc(link.name));
	return EXIT_OK;
}
