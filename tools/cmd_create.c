/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl create / delete: persistent tun/tap, macvtap/ipvtap on a parent. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"

static const char create_help[] =
	"Usage: tunvnet-ctl create [--type tun|tap] [OPTIONS] NAME\n"
	"       tunvnet-ctl create --type macvtap|ipvtap --parent DEV [--mode M] NAME\n\n"
	"Create a persistent tun or tap device (through /dev/net/tun: rtnetlink cannot\n"
	"create them), or a macvtap/ipvtap link on a parent device (rtnetlink).\n"
	"Needs CAP_NET_ADMIN.\n\n"
	"  --type tun|tap|macvtap|ipvtap  what to create (default tap)\n"
	"  --queues N             tun/tap: multi-queue (N > 1); queues attach later\n"
	"  --multi-queue          tun/tap: multi-queue\n"
	"  --owner USER|UID       tun/tap: user allowed to attach without privilege\n"
	"  --group GROUP|GID      tun/tap: group allowed to attach\n"
	"  --vnet-hdr-size N      tun/tap: 10, 12, 20 (carries the hash) or 24\n"
	"  --no-vnet-hdr          tun/tap: without IFF_VNET_HDR (no hash report possible)\n"
	"  --le                   tun/tap: little-endian legacy header fields (virtio 1.0)\n"
	"  --parent DEV           macvtap/ipvtap: the lower device\n"
	"  --mode M               macvtap: bridge (default), vepa, private, passthru,\n"
	"                         source; ipvtap: l2 (default), l3, l3s\n"
	"  --json                 print what was created as one JSON object\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 created, 1 the kernel refused (exists, no permission), 2 bad usage.\n";

static const char delete_help[] =
	"Usage: tunvnet-ctl delete NAME...\n\n"
	"Delete links by name over rtnetlink: tun/tap (persistent or not), macvtap,\n"
	"ipvtap. Other links (a NIC, lo, a veth, a bridge) are refused and left as\n"
	"they are. Needs CAP_NET_ADMIN.\n\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 all deleted, 1 one could not be deleted or is not such a link,\n"
	"2 bad usage.\n";

static int parse_id(const char *s, bool user, int64_t *id)
{
	unsigned long v;

	if (parse_uint(s, 0, 0xfffffffeul, &v) == 0) {
		*id = (int64_t)v;
		return 0;
	}
	if (user) {
		struct passwd *pw = getpwnam(s);

		if (!pw)
			return -ENOENT;
		*id = pw->pw_uid;
	} else {
		struct group *gr = getgrnam(s);

		if (!gr)
			return -ENOENT;
		*id = gr->gr_gid;
	}
	return 0;
}

static bool listed(const struct tunvnet_link *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return true;
	return false;
}

/*
 * The name the kernel gave a macvtap/ipvtap created from a pattern ("mv%d"):
 * the one link of that kind on that parent that was not there before.
 */
static void vtap_made(enum tunvnet_kind kind, const char *parent,
		      const struct tunvnet_link *before, size_t nbefore, char *made, size_t len)
{
	struct tunvnet_link *after;
	size_t n, i, found = 0;
	char name[16] = "";

	if (tunvnet_link_list(&after, &n))
		return;
	for (i = 0; i < n; i++)
		if (after[i].kind == kind && strcmp(after[i].parent, parent) == 0 &&
		    !listed(before, nbefore, after[i].name)) {
			snprintf(name, sizeof(name), "%s", after[i].name);
			found++;
		}
	tunvnet_link_list_free(after);
	if (found == 1)
		snprintf(made, len, "%s", name);
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "queues", required_argument, NULL, 'q' },
		{ "multi-queue", no_argument, NULL, 'm' },
		{ "owner", required_argument, NULL, 'o' },
		{ "group", required_argument, NULL, 'g' },
		{ "vnet-hdr-size", required_argument, NULL, 's' },
		{ "no-vnet-hdr", no_argument, NULL, 'n' },
		{ "le", no_argument, NULL, 'l' },
		{ "parent", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	enum tunvnet_kind kind = TUNVNET_KIND_TAP;
	const char *parent = NULL, *mode = NULL, *name;
	unsigned long queues = 1;
	bool vnet_hdr = true, mq = false, json = false, tunlike;
	struct tunvnet_dev *dev;
	char what[96], made[16];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:q:mo:g:s:nlp:M:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			for (kind = TUNVNET_KIND_TUN; kind <= TUNVNET_KIND_IPVTAP; kind++)
				if (strcasecmp(optarg, tunvnet_kind_name(kind)) == 0)
					break;
			if (kind > TUNVNET_KIND_IPVTAP)
				return usage_error("create", "unknown --type '%s' (tun, tap, macvtap, "
						   "ipvtap)", optarg);
			break;
		case 'q':
			if (opt_queues("create", optarg, &queues))
				return EXIT_USAGE;
			mq |= queues > 1;
			break;
		case 'm':
			mq = true;
			break;
		case 'o':
			if (parse_id(optarg, true, &o.owner))
				return usage_error("create", "unknown user '%s'", optarg);
			break;
		case 'g':
			if (parse_id(optarg, false, &o.group))
				return usage_error("create", "unknown group '%s'", optarg);
			break;
		case 's':
			if (opt_vnet_hdr_sz("create", optarg, &o.vnet_hdr_sz))
				return EXIT_USAGE;
			break;
		case 'n':
			vnet_hdr = false;
			break;
		case 'l':
			o.endian = TUNVNET_ENDIAN_LE;
			break;
		case 'p':
			parent = optarg;
			break;
		case 'M':
			mode = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return print_help(create_help);
		default:
			return usage_error("create", "bad option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("create", "expected exactly one NAME argument");
	name = argv[optind];
	if (!*name || strlen(name) >= 16)
		return usage_error("create", "NAME must be 1..15 characters");
	snprintf(made, sizeof(made), "%s", name);
	tunlike = kind == TUNVNET_KIND_TUN || kind == TUNVNET_KIND_TAP;
	if (tunlike && (parent || mode))
		return usage_error("create", "--parent and --mode are for macvtap/ipvtap");
	if (!tunlike && !parent)
		return usage_error("create", "a %s link needs --parent DEV", tunvnet_kind_name(kind));
	if (!tunlike && (mq || o.owner >= 0 || o.group >= 0 || o.vnet_hdr_sz || !vnet_hdr ||
			 o.endian))
		return usage_error("create", "--queues, --owner, --group and header options are "
				   "for tun/tap (a macvtap queue sets its header when opened)");
	if (!vnet_hdr && o.vnet_hdr_sz)
		return usage_error("create", "--vnet-hdr-size needs the vnet header");

	if (tunlike) {
		o.kind = kind;
		/* EXCL: creating must never attach to (and reconfigure) a device in use. */
		o.flags = TUNVNET_DEV_PERSIST | TUNVNET_DEV_EXCL |
			  (vnet_hdr ? TUNVNET_DEV_VNET_HDR : 0) | (mq ? TUNVNET_DEV_MULTI_QUEUE : 0);
		o.queues = 1;
		rc = tunvnet_dev_open(name, &o, &dev);
		if (rc == 0) {
			/* A pattern ("tap%d") is the kernel's to fill in: say what it made. */
			snprintf(made, sizeof(made), "%s", tunvnet_dev_name(dev));
			tunvnet_dev_close(dev);
		}
	} else {
		struct tunvnet_vtap_opts vo = { .sz = sizeof(vo), .kind = kind, .mode = mode };
		struct tunvnet_link *before = NULL;
		size_t nbefore = 0;

		if (strchr(name, '%') && tunvnet_link_list(&before, &nbefore))
			before = NULL, nbefore = 0;
		rc = tunvnet_link_create_vtap(name, parent, &vo);
		if (rc == 0 && strchr(name, '%'))
			vtap_made(kind, parent, before, nbefore, made, sizeof(made));
		tunvnet_link_list_free(before);
	}
	if (rc == -EEXIST) {
		return ctl_fail("create", EXIT_CHECK, "pick another name, or delete it first",
				"cannot create %s '%s': a link of that name already exists",
				tunvnet_kind_name(kind), esc(name));
	}
	if (rc) {
		snprintf(what, sizeof(what), "cannot create %s '%s'", tunvnet_kind_name(kind), esc(name));
		return lib_error("create", what, rc, rc == -EINVAL);
	}
	if (json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "created", made);
		json_str(&j, "device", made);
		json_str(&j, "kind", tunvnet_kind_name(kind));
		if (tunlike) {
			json_bool(&j, "multi_queue", mq);
			json_bool(&j, "vnet_hdr", vnet_hdr);
		} else {
			json_str(&j, "parent", parent);
		}
		json_end(&j);
	} else if (tunlike) {
		printf("created persistent %s '%s'%s%s\n", tunvnet_kind_name(kind), esc(made),
		       mq ? ", multi-queue" : "", vnet_hdr ? ", vnet header" : "");
	} else {
		printf("created %s '%s' on '%s'\n", tunvnet_kind_name(kind), esc(made), esc(parent));
	}
	return EXIT_OK;
}

int cmd_delete(int argc, char **argv)
{
	int i, rc, status = EXIT_OK;

	if (wants_help(argc, argv))
		return print_help(delete_help);
	if (argc < 2)
		return usage_error("delete", "expected one or more NAME arguments");
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			return usage_error("delete", "unknown option '%s'", esc(argv[i]));
	}
	for (i = 1; i < argc; i++) {
		rc = tunvnet_link_delete(argv[i]);
		if (rc) {
			char what[64];

			snprintf(what, sizeof(what), "cannot delete '%s'", esc(argv[i]));
			status = lib_error("delete", what, rc, false);
		} else {
			printf("deleted '%s'\n", esc(argv[i]));
		}
	}
	return status;
}
