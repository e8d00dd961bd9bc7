/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl list / show DEV: tun, tap, macvtap and ipvtap links over rtnetlink. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char list_help[] =
	"Usage: tunvnet-ctl list [--json]\n\n"
	"List every tun, tap, macvtap and ipvtap link with its attributes, read over\n"
	"rtnetlink: kind, vnet header, multi-queue, attached queues, persist, owner,\n"
	"group, and parent and mode for macvtap/ipvtap.\n\n"
	"  --json                 one JSON object {\"links\": [...]}\n"
	"  -h, --help             this text\n";

static const char show_help[] =
	"Usage: tunvnet-ctl show [--json] DEV\n\n"
	"Show one tun, tap, macvtap or ipvtap link (see 'list').\n\n"
	"  --json                 one JSON object\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 shown, 1 no such device or not a tun-like link, 2 bad usage.\n";

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void id_string(int64_t id, char *buf, size_t len)
{
	if (id < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", (long long)id);
}

static bool is_tun(const struct tunvnet_link *l)
{
	return l->kind == TUNVNET_KIND_TUN || l->kind == TUNVNET_KIND_TAP;
}

static void link_fields(struct json *j, const struct tunvnet_link *l)
{
	json_str(j, "device", l->name);
	json_int(j, "ifindex", l->ifindex);
	json_str(j, "kind", tunvnet_kind_name(l->kind));
	json_bool(j, "up", l->up);
	json_uint(j, "mtu", l->mtu);
	if (is_tun(l)) {
		json_bool(j, "vnet_hdr", l->dev_flags & TUNVNET_DEV_VNET_HDR);
		json_bool(j, "multi_queue", l->dev_flags & TUNVNET_DEV_MULTI_QUEUE);
		json_bool(j, "persist", l->dev_flags & TUNVNET_DEV_PERSIST);
		json_bool(j, "pi", l->dev_flags & TUNVNET_DEV_PI);
		json_uint(j, "queues", l->num_queues);
		json_uint(j, "disabled_queues", l->num_disabled_queues);
		if (l->owner >= 0)
			json_int(j, "owner", l->owner);
		else
			json_null(j, "owner");
		if (l->group >= 0)
			json_int(j, "group", l->group);
		else
			json_null(j, "group");
	} else {
		json_str(j, "parent", l->parent);
		json_int(j, "parent_ifindex", l->parent_ifindex);
		json_str(j, "mode", l->mode);
		json_str(j, "tap_dev", l->tap_dev);
	}
}

static int parse_json_flag(const char *cmd, const char *help, int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'h':
			print_help(help);
			return -1;
		default:
			return usage_error(cmd, "bad option");
		}
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const char *const hdr[] = { "NAME", "KIND", "QUEUES", "VNET_HDR", "MQ",
					   "PERSIST", "OWNER", "GROUP", "PARENT", "MODE", "STATE" };
	struct tunvnet_link *links;
	bool json = false;
	size_t n, i;
	int rc;

	rc = parse_json_flag("list", list_help, argc, argv, &json);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc)
		return usage_error("list", "list takes no arguments (use 'show DEV')");
	rc = tunvnet_link_list(&links, &n);
	if (rc)
		return lib_error("list", "cannot list links", rc, false);
	if (json) {
		struct json j;

		json_begin(&j, stdout);
		json_arr(&j, "links");
		for (i = 0; i < n; i++) {
			json_obj(&j, NULL);
			link_fields(&j, &links[i]);
			json_close(&j);
		}
		json_close(&j);
		json_end(&j);
	} else if (n == 0) {
		printf("no tun, tap, macvtap or ipvtap links\n");
	} else {
		struct table *t = table_new(11, hdr);

		for (i = 0; i < n; i++) {
			const struct tunvnet_link *l = &links[i];
			char own[24], grp[24];

			table_row(t);
			table_cell(t, "%s", esc(l->name));
			table_cell(t, "%s", tunvnet_kind_name(l->kind));
			if (is_tun(l)) {
				id_string(l->owner, own, sizeof(own));
				id_string(l->group, grp, sizeof(grp));
				table_cell(t, "%u", l->num_queues);
				table_cell(t, "%s", yes_no(l->dev_flags & TUNVNET_DEV_VNET_HDR));
				table_cell(t, "%s", yes_no(l->dev_flags & TUNVNET_DEV_MULTI_QUEUE));
				table_cell(t, "%s", yes_no(l->dev_flags & TUNVNET_DEV_PERSIST));
				table_cell(t, "%s", own);
				table_cell(t, "%s", grp);
				table_cell(t, "-");
				table_cell(t, "-");
			} else {
				table_cell(t, "-");
				table_cell(t, "yes");
				table_cell(t, "-");
				table_cell(t, "-");
				table_cell(t, "-");
				table_cell(t, "-");
				table_cell(t, "%s", l->parent[0] ? esc(l->parent) : "?");
				table_cell(t, "%s", l->mode[0] ? esc(l->mode) : "?");
			}
			table_cell_color(t, l->up ? C_GREEN : C_DIM, "%s", l->up ? "up" : "down");
		}
		table_print(t, stdout);
		table_free(t);
	}
	tunvnet_link_list_free(links);
	return EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	struct tunvnet_link l;
	bool json = false;
	char own[24], grp[24];
	int rc;

	rc = parse_json_flag("show", show_help, argc, argv, &json);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (optind + 1 != argc)
		return usage_error("show", "expected exactly one DEV argument");
	rc = tunvnet_link_get(argv[optind], &l);
	if (rc) {
		char what[64];

		snprintf(what, sizeof(what), "cannot show '%s'", esc(argv[optind]));
		return lib_error("show", what, rc, false);
	}
	if (l.kind == TUNVNET_KIND_UNKNOWN) {
		return ctl_fail("show", EXIT_CHECK, NULL,
				"'%s' is not a tun, tap, macvtap or ipvtap link", esc(l.name));
	}
	if (json) {
		struct json j;

		json_begin(&j, stdout);
		link_fields(&j, &l);
		json_end(&j);
		return EXIT_OK;
	}
	kv("name", "%s (ifindex %d)", esc(l.name), l.ifindex);
	kv("kind", "%s", tunvnet_kind_name(l.kind));
	kv("state", "%s, mtu %u", l.up ? "up" : "down", l.mtu);
	if (is_tun(&l)) {
		id_string(l.owner, own, sizeof(own));
		id_string(l.group, grp, sizeof(grp));
		kv("vnet header", "%s", yes_no(l.dev_flags & TUNVNET_DEV_VNET_HDR));
		kv("packet info", "%s", yes_no(l.dev_flags & TUNVNET_DEV_PI));
		kv("multi-queue", "%s", yes_no(l.dev_flags & TUNVNET_DEV_MULTI_QUEUE));
		kv("queues", "%u attached, %u disabled", l.num_queues, l.num_disabled_queues);
		kv("persist", "%s", yes_no(l.dev_flags & TUNVNET_DEV_PERSIST));
		kv("owner", "%s", own);
		kv("group", "%s", grp);
	} else {
		kv("parent", "%s (ifindex %d)", l.parent[0] ? esc(l.parent) : "?", l.parent_ifindex);
		kv("mode", "%s", l.mode[0] ? esc(l.mode) : "?");
		kv("char device", "%s", l.tap_dev[0] ? esc(l.tap_dev) : "?");
	}
	return EXIT_OK;
}
