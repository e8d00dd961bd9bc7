/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl caps [DEV]: which uAPI generation answers and what it supports. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/utsname.h>

#include "ctl.h"

static const char help[] =
	"Usage: tunvnet-ctl caps [--json] [--check] [DEV]\n\n"
	"Report the running kernel's tun/tap virtio-net hashing support: uAPI\n"
	"generation (A: series v3-v11, B: v12, none), hash types, flags, the vnet\n"
	"header sizes and which carry the hash; every backend (kernel, ebpf, user)\n"
	"with available or why not, and the series' known bugs found on this kernel.\n"
	"Needs no device; with DEV the probe runs on a queue of that device and its\n"
	"header size is shown.\n\n"
	"  --json                 one JSON object\n"
	"  --check                exit 1 when the kernel lacks the feature\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 (caps is informational, also without the feature), 1 with\n"
	"--check and no feature or when DEV cannot be opened, 2 bad usage.\n";

static const struct {
	int size;
	const char *name, *fields;
	bool hash;
} hdrs[] = {
	{ 10, "virtio_net_hdr", "legacy: flags, gso, csum", false },
	{ 12, "virtio_net_hdr_v1", "+ num_buffers", false },
	{ 20, "virtio_net_hdr_v1_hash", "+ hash_value, hash_report", true },
	{ 24, "virtio_net_hdr_v1_hash_tunnel", "+ tunnel offsets", true },
};

/* Each backend: can it do REPORT and RSS here (user: REPORT; it does not steer)? */
struct backend_row {
	enum tunvnet_backend b;
	bool available;
	char why[256];
};

static void check_backends(struct tunvnet_dev *dev, struct backend_row rows[3])
{
	static const enum tunvnet_backend bs[3] = { TUNVNET_BACKEND_KERNEL, TUNVNET_BACKEND_EBPF,
						    TUNVNET_BACKEND_USER };
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *scratch = NULL;
	char cant[200] = "";
	unsigned int i;
	int rc;

	if (!dev) {
		/* A tap nobody else sees, gone with the handle: the checks need a device. */
		o.kind = TUNVNET_KIND_TAP;
		o.flags = TUNVNET_DEV_VNET_HDR;
		rc = tunvnet_dev_open(NULL, &o, &scratch);
		if (rc)
			snprintf(cant, sizeof(cant), "cannot tell without a device (%s)",
				 tunvnet_last_error());
		dev = scratch;
	}
	for (i = 0; i < 3; i++) {
		uint32_t flags = bs[i] == TUNVNET_BACKEND_USER
					 ? TUNVNET_HASH_REPORT
					 : TUNVNET_HASH_REPORT | TUNVNET_HASH_RSS;

		rows[i].b = bs[i];
		rows[i].why[0] = '\0';
		if (!dev) {
			rows[i].available = false;
			snprintf(rows[i].why, sizeof(rows[i].why), "%s", cant);
			continue;
		}
		rc = tunvnet_dev_backend_check(dev, bs[i], flags);
		rows[i].available = rc == 0;
		if (rc)
			snprintf(rows[i].why, sizeof(rows[i].why), "%s",
				 tunvnet_last_error()[0] ? tunvnet_last_error() : tunvnet_strerror(rc));
	}
	if (scratch)
		tunvnet_dev_close(scratch);
}

static const char *quirk_names[] = { "short-key-ipv6", "automq-value-is-queue" };

static void flags_string(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", (flags & TUNVNET_CAP_REPORT) ? "report" : "",
		 (flags & TUNVNET_CAP_REPORT) && (flags & TUNVNET_CAP_RSS) ? "," : "",
		 (flags & TUNVNET_CAP_RSS) ? "rss" : "");
	if (!flags)
		snprintf(buf, len, "none");
}

int cmd_caps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tunvnet_caps caps = TUNVNET_CAPS_INIT;
	struct tunvnet_dev *dev = NULL;
	struct tunvnet_link link;
	bool json = false, check = false, supported;
	char types[128], flags[32], kernel[200];
	struct utsname u;
	int c, rc, hdr_sz = -1, quirks_rc;
	unsigned int i;
	struct backend_row rows[3];
	uint32_t quirks = 0;
	char quirks_why[256] = "";

	optind = 1;
	while ((c = getopt_long(argc, argv, "jch", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			return print_help(help);
		default:
			return usage_error("caps", "bad option");
		}
	}
	if (argc - optind > 1)
		return usage_error("caps", "at most one DEV argument");

	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.machine);
	else
		snprintf(kernel, sizeof(kernel), "unknown");

	if (optind < argc) {
		rc = attach_device("caps", argv[optind], 1, false, &link, &dev);
		if (rc)
			return rc;
		rc = tunvnet_dev_caps(dev, &caps);
		if (tunvnet_dev_get_vnet_hdr_sz(dev, &hdr_sz))
			hdr_sz = -1;
	} else {
		rc = tunvnet_caps_probe(-1, &caps);
	}
	if (rc && rc != -EOPNOTSUPP) {
		if (dev)
			tunvnet_dev_close(dev);
		return lib_error("caps", "cannot probe the kernel", rc, false);
	}
	supported = rc == 0 && caps.uapi != TUNVNET_UAPI_NONE;
	if (!supported) {
		caps.uapi = TUNVNET_UAPI_NONE;
		caps.flags = caps.types = 0;
	}
	tunvnet_hash_types_format(caps.types, types, sizeof(types));
	flags_string(caps.flags, flags, sizeof(flags));
	check_backends(dev, rows);
	quirks_rc = tunvnet_kernel_quirks_probe(&quirks);
	if (quirks_rc)
		snprintf(quirks_why, sizeof(quirks_why), "%s", tunvnet_last_error());

	if (json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "kernel", kernel);
		json_bool(&j, "supported", supported);
		json_str(&j, "uapi", tunvnet_uapi_name(caps.uapi));
		json_arr(&j, "flags");
		if (caps.flags & TUNVNET_CAP_REPORT)
			json_str(&j, NULL, "report");
		if (caps.flags & TUNVNET_CAP_RSS)
			json_str(&j, NULL, "rss");
		json_close(&j);
		json_str(&j, "types", types);
		json_uint(&j, "types_mask", caps.types);
		json_uint(&j, "max_key_len", supported ? caps.max_key_len : TUNVNET_KEY_MAX);
		json_arr(&j, "header_sizes");
		for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
			json_obj(&j, NULL);
			json_int(&j, "size", hdrs[i].size);
			json_str(&j, "name", hdrs[i].name);
			json_bool(&j, "carries_hash", hdrs[i].hash);
			json_close(&j);
		}
		json_close(&j);
		if (dev) {
			json_str(&j, "device", link.name);
			json_str(&j, "kind", tunvnet_kind_name(link.kind));
			json_int(&j, "vnet_hdr_size", hdr_sz);
		}
		if (!supported)
			json_str(&j, "reason", "the kernel lacks the tun/tap virtio-net hashing "
				   "feature (not in mainline Linux)");
		json_arr(&j, "backends");
		for (i = 0; i < 3; i++) {
			json_obj(&j, NULL);
			json_str(&j, "name", tunvnet_backend_name(rows[i].b));
			json_bool(&j, "available", rows[i].available);
			if (!rows[i].available)
				json_str(&j, "why", rows[i].why);
			json_close(&j);
		}
		json_close(&j);
		if (quirks_rc) {
			json_str(&j, "quirks_unknown", quirks_why);
		} else {
			json_arr(&j, "quirks");
			for (i = 0; i < 2; i++)
				if (quirks & (1u << i))
					json_str(&j, NULL, quirk_names[i]);
			json_close(&j);
		}
		json_end(&j);
	} else {
		kv("kernel", "%s", kernel);
		if (supported)
			kv("feature", "%ssupported%s (tun/tap virtio-net hashing)", col(C_GREEN),
			   col_end());
		else
			kv("feature", "%snot supported%s: the kernel %s lacks the tun/tap virtio-net "
			   "hashing feature (not in mainline Linux)", col(C_RED), col_end(), u.release);
		kv("uapi", "%s%s", tunvnet_uapi_name(caps.uapi),
		   caps.uapi == TUNVNET_UAPI_A ? " (series v3-v11: TUNGETVNETHASHCAP/TUNSETVNETHASH)"
		   : caps.uapi == TUNVNET_UAPI_B ? " (series v12: TUNGETVNETHASHTYPES + setters)"
		   : "");
		kv("flags", "%s", flags);
		kv("types", "%s (0x%03x)", types, caps.types);
		kv("max key", "%u bytes", supported ? caps.max_key_len : TUNVNET_KEY_MAX);
		for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
			char k[24];

			snprintf(k, sizeof(k), "header %d", hdrs[i].size);
			kv(k, "%s (%s)%s", hdrs[i].name, hdrs[i].fields,
			   hdrs[i].hash ? ": carries the hash" : "");
		}
		if (dev) {
			kv("device", "%s (%s)", esc(link.name), tunvnet_kind_name(link.kind));
			if (hdr_sz >= 0)
				kv("vnet hdr size", "%d%s", hdr_sz,
				   hdr_sz >= TUNVNET_HDR_HASH_LEN ? " (carries the hash)"
								  : " (too small for the hash: set 20)");
		}
		for (i = 0; i < 3; i++) {
			char k[24];

			snprintf(k, sizeof(k), "backend %s", tunvnet_backend_name(rows[i].b));
			if (rows[i].available)
				kv(k, "%savailable%s%s", col(C_GREEN), col_end(),
				   rows[i].b == TUNVNET_BACKEND_KERNEL ? ""
				   : rows[i].b == TUNVNET_BACKEND_EBPF
					   ? " (RSS by our steering program; reports filled on read, "
					     "not with vhost-net)"
					   : " (reports filled on read, no RSS; not with vhost-net)");
			else
				kv(k, "not available: %s", rows[i].why);
		}
		if (quirks_rc) {
			kv("kernel quirks", "unknown: %s", quirks_why);
		} else {
			char ql[64] = "";

			for (i = 0; i < 2; i++)
				if (quirks & (1u << i))
					snprintf(ql + strlen(ql), sizeof(ql) - strlen(ql), "%s%s",
						 ql[0] ? "," : "", quirk_names[i]);
			kv("kernel quirks", "%s", ql[0] ? ql : "none");
		}
		if (!supported)
			printf("\nTo try the feature: 'tunvnet-ctl demo' boots a test kernel when one "
			       "is available (TUNVNET_TEST_KERNEL).\n");
	}
	if (dev)
		tunvnet_dev_close(dev);
	return check && !supported ? EXIT_CHECK : EXIT_OK;
}
