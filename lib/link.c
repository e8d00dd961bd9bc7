/* SPDX-License-Identifier: MIT */
/*
 * Links over rtnetlink: list tun/tap/macvtap/ipvtap links, create
 * macvtap/ipvtap, delete tun-like links (only those: a typo must not take a
 * host NIC away). libnl 3.7 has no tun module and drops
 * IFLA_INFO_DATA of kinds it does not know, so links are read from a raw
 * RTM_GETLINK dump parsed with libnl's core message API.
 */
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvtap.h>

#include "internal.h"
#include "uapi.h" /* TV_IFF_TUN, TV_IFF_TAP */
#include "vtap.h"

/* Our own copies: these values are uAPI, but kernel header versions vary. */
enum {
	TV_IFLA_TUN_OWNER = 1,               /* u32 */
	TV_IFLA_TUN_GROUP = 2,               /* u32 */
	TV_IFLA_TUN_TYPE = 3,                /* u8: IFF_TUN 1, IFF_TAP 2 */
	TV_IFLA_TUN_PI = 4,                  /* u8 */
	TV_IFLA_TUN_VNET_HDR = 5,            /* u8 */
	TV_IFLA_TUN_PERSIST = 6,             /* u8 */
	TV_IFLA_TUN_MULTI_QUEUE = 7,         /* u8 */
	TV_IFLA_TUN_NUM_QUEUES = 8,          /* u32 */
	TV_IFLA_TUN_NUM_DISABLED_QUEUES = 9, /* u32 */
	TV_IFLA_TUN_MAX = 9,
};
#define TV_IFLA_MACVLAN_MODE 1 /* u32 */
#define TV_IFLA_IPVLAN_MODE 1  /* u16 */
#define TV_IFLA_IPVLAN_FLAGS 2 /* u16 */
#define TV_IFLA_VTAP_MAX 2

static const struct {
	uint32_t mode;
	const char *name;
} macvlan_modes[] = {
	{ 1, "private" }, { 2, "vepa" }, { 4, "bridge" }, { 8, "passthru" }, { 16, "source" },
};
static const char *const ipvlan_modes[] = { "l2", "l3", "l3s" };

/* libnl's NLE_* codes to -errno, at the library boundary. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0: return 0;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV: return -ENODEV;
	case NLE_EXIST: return -EEXIST;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_INVAL:
	case NLE_MISSING_ATTR: return -EINVAL;
	case NLE_BUSY: return -EBUSY;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_INTR: return -EINTR;
	case NLE_RANGE: return -ERANGE;
	case NLE_MSGSIZE:
	case NLE_MSG_TRUNC: return -EMSGSIZE;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_BAD_SOCK: return -EBADF;
	case NLE_IMMUTABLE: return -EROFS;
	default: return -EIO;
	}
}

static int nl_fail(int nle, const char *what, const char *name)
{
	return tv_err(nle_errno(nle), "%s '%s': %s", what, name, nl_geterror(nle));
}

static int open_sock(struct nl_sock **skp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk)
		return tv_err(-ENOMEM, "cannot allocate a netlink socket");
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(sk);
		return tv_err(nle_errno(rc), "cannot open rtnetlink: %s", nl_geterror(rc));
	}
	*skp = sk;
	return 0;
}

/* ---- reading links ---- */

struct dump {
	const char *want;         /* one name, or NULL for every tun-like link */
	struct tunvnet_link *links;
	size_t n, cap;
	int err;
	char other_kind[16];      /* want: the IFLA_INFO_KIND of a link we do not drive */
};

/*
 * A link dump that spans several messages is marked NLM_F_DUMP_INTR when a
 * link is added or removed meanwhile (libnl: -NLE_DUMP_INTR); it may then
 * miss or repeat links. Ask again, a bounded number of times, waiting a
 * little longer each time (1, 2, 4 ... 64 ms: about 250 ms in all) so that
 * a burst of link changes can end: a host creating links nonstop must not
 * hang us.
 */
#define TV_DUMP_TRIES 10

static uint8_t attr_u8(struct nlattr *a)
{
	return nla_len(a) >= 1 ? nla_get_u8(a) : 0;
}

static uint32_t attr_u32(struct nlattr *a)
{
	return nla_len(a) >= 4 ? nla_get_u32(a) : 0;
}

static void parse_tun(struct nlattr *data, struct tunvnet_link *l)
{
	struct nlattr *tb[TV_IFLA_TUN_MAX + 1];

	/* A tun without data (very old kernels) is still a tun: assume tap-less tun. */
	l->kind = TUNVNET_KIND_TUN;
	if (!data || nla_parse_nested(tb, TV_IFLA_TUN_MAX, data, NULL) < 0)
		return;
	if (tb[TV_IFLA_TUN_TYPE] && attr_u8(tb[TV_IFLA_TUN_TYPE]) == TV_IFF_TAP)
		l->kind = TUNVNET_KIND_TAP;
	if (tb[TV_IFLA_TUN_PI] && attr_u8(tb[TV_IFLA_TUN_PI]))
		l->dev_flags |= TUNVNET_DEV_PI;
	if (tb[TV_IFLA_TUN_VNET_HDR] && attr_u8(tb[TV_IFLA_TUN_VNET_HDR]))
		l->dev_flags |= TUNVNET_DEV_VNET_HDR;
	if (tb[TV_IFLA_TUN_PERSIST] && attr_u8(tb[TV_IFLA_TUN_PERSIST]))
		l->dev_flags |= TUNVNET_DEV_PERSIST;
	if (tb[TV_IFLA_TUN_MULTI_QUEUE] && attr_u8(tb[TV_IFLA_TUN_MULTI_QUEUE]))
		l->dev_flags |= TUNVNET_DEV_MULTI_QUEUE;
	if (tb[TV_IFLA_TUN_NUM_QUEUES])
		l->num_queues = attr_u32(tb[TV_IFLA_TUN_NUM_QUEUES]);
	if (tb[TV_IFLA_TUN_NUM_DISABLED_QUEUES])
		l->num_disabled_queues = attr_u32(tb[TV_IFLA_TUN_NUM_DISABLED_QUEUES]);
	/* The kernel leaves OWNER/GROUP out when unset (INVALID_UID). */
	if (tb[TV_IFLA_TUN_OWNER])
		l->owner = attr_u32(tb[TV_IFLA_TUN_OWNER]);
	if (tb[TV_IFLA_TUN_GROUP])
		l->group = attr_u32(tb[TV_IFLA_TUN_GROUP]);
}

static void parse_vtap(struct nlattr *data, struct tunvnet_link *l)
{
	struct nlattr *tb[TV_IFLA_VTAP_MAX + 1];
	size_t i;

	if (!data || nla_parse_nested(tb, TV_IFLA_VTAP_MAX, data, NULL) < 0)
		return;
	if (l->kind == TUNVNET_KIND_MACVTAP && tb[TV_IFLA_MACVLAN_MODE]) {
		uint32_t mode = attr_u32(tb[TV_IFLA_MACVLAN_MODE]);

		snprintf(l->mode, sizeof(l->mode), "0x%x", mode);
		for (i = 0; i < TV_ARRAY_SIZE(macvlan_modes); i++)
			if (macvlan_modes[i].mode == mode)
				snprintf(l->mode, sizeof(l->mode), "%s", macvlan_modes[i].name);
	} else if (l->kind == TUNVNET_KIND_IPVTAP && tb[TV_IFLA_IPVLAN_MODE] &&
		   nla_len(tb[TV_IFLA_IPVLAN_MODE]) >= 2) {
		uint16_t mode = nla_get_u16(tb[TV_IFLA_IPVLAN_MODE]);

		if (mode < TV_ARRAY_SIZE(ipvlan_modes))
			snprintf(l->mode, sizeof(l->mode), "%s", ipvlan_modes[mode]);
		else
			snprintf(l->mode, sizeof(l->mode), "%u", mode);
	}
}

/* The character device: the tapN sysfs lists under the link. */
static void find_tap_dev(struct tunvnet_link *l)
{
	char tap[NAME_MAX + 1];

	if (tv_vtap_entry(l->name, l->kind == TUNVNET_KIND_MACVTAP ? "macvtap" : "ipvtap", tap,
			  sizeof(tap)) == 0)
		snprintf(l->tap_dev, sizeof(l->tap_dev), "/dev/%.26s", tap);
}

static int on_link(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct dump *d = arg;
	struct ifinfomsg *ifi;
	struct tunvnet_link l;
	const char *kind = NULL;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return NL_SKIP;
	ifi = nlmsg_data(nlh);
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return NL_SKIP;
	if (d->want && strcmp(nla_get_string(tb[IFLA_IFNAME]), d->want) != 0)
		return NL_SKIP;

	memset(&l, 0, sizeof(l));
	l.owner = l.group = -1;
	snprintf(l.name, sizeof(l.name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	l.ifindex = ifi->ifi_index;
	l.up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_MTU])
		l.mtu = attr_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
	    info[IFLA_INFO_KIND])
		kind = nla_get_string(info[IFLA_INFO_KIND]);

	if (kind && strcmp(kind, "tun") == 0) {
		parse_tun(info[IFLA_INFO_DATA], &l);
	} else if (kind && (strcmp(kind, "macvtap") == 0 || strcmp(kind, "ipvtap") == 0)) {
		l.kind = kind[0] == 'm' ? TUNVNET_KIND_MACVTAP : TUNVNET_KIND_IPVTAP;
		parse_vtap(info[IFLA_INFO_DATA], &l);
		if (tb[IFLA_LINK]) {
			l.parent_ifindex = (int)attr_u32(tb[IFLA_LINK]);
			/* The parent is in our namespace unless IFLA_LINK_NETNSID says otherwise. */
			if (!tb[IFLA_LINK_NETNSID] && !if_indextoname((unsigned)l.parent_ifindex, l.parent))
				l.parent[0] = '\0';
		}
		find_tap_dev(&l);
	} else if (!d->want) {
		return NL_SKIP; /* listing: only the kinds this library drives */
	} else {
		snprintf(d->other_kind, sizeof(d->other_kind), "%s", kind ? kind : "");
	}

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct tunvnet_link *nl = realloc(d->links, cap * sizeof(*nl));

		if (!nl) {
			d->err = -ENOMEM;
			return NL_STOP;
		}
		d->links = nl;
		d->cap = cap;
	}
	d->links[d->n++] = l;
	return NL_OK;
}

static int dump_links(struct dump *d)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_sock *sk;
	int rc, tries = 0;

	do {
		/* What an interrupted dump delivered is not evidence: start over,
		 * on a new socket (nothing of the old dump left to read). */
		if (tries) {
			struct timespec ts = { 0, (1L << (tries < 7 ? tries - 1 : 6)) * 1000000L };

			nanosleep(&ts, NULL);
		}
		d->n = 0;
		d->other_kind[0] = '\0';
		rc = open_sock(&sk);
		if (rc)
			return rc;
		rc = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_link, d);
		if (rc >= 0)
			rc = nl_send_simple(sk, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
		if (rc >= 0)
			rc = nl_recvmsgs_default(sk);
		nl_socket_free(sk);
	} while (rc == -NLE_DUMP_INTR && !d->err && ++tries < TV_DUMP_TRIES);
	if (d->err)
		return tv_err(d->err, "out of memory while listing links");
	if (rc == -NLE_DUMP_INTR)
		return tv_err(-EAGAIN, "the link dump was interrupted %d times in a row by links "
				       "being added or removed; try again", TV_DUMP_TRIES);
	if (rc < 0)
		return tv_err(nle_errno(rc), "RTM_GETLINK dump failed: %s", nl_geterror(rc));
	return 0;
}

TUNVNET_API int tunvnet_link_list(struct tunvnet_link **links, size_t *n)
{
	struct dump d = { 0 };
	int rc;

	tv_err_clear();
	if (!links || !n)
		return tv_err(-EINVAL, "links and n must not be NULL");
	*links = NULL; /* tunvnet_link_list_free is safe on it after a failure */
	*n = 0;
	rc = dump_links(&d);
	if (rc) {
		free(d.links);
		return rc;
	}
	*links = d.links;
	*n = d.n;
	return 0;
}

/* The array's allocator stays the library's business (a debug allocator,
 * a per-link string later), so callers free through here, not free(). */
TUNVNET_API void tunvnet_link_list_free(struct tunvnet_link *links)
{
	free(links);
}

/* One link by name; kind (may be NULL) gets IFLA_INFO_KIND of a link this
 * library does not drive ("" when the link has none). */
static int get_link(const char *name, struct tunvnet_link *link, char *kind, size_t kind_sz)
{
	struct dump d = { .want = name };
	int rc;

	rc = dump_links(&d);
	if (rc == 0 && d.n == 0)
		rc = tv_err(-ENODEV, "no link named '%s'", name);
	if (rc == 0) {
		*link = d.links[0];
		if (kind)
			snprintf(kind, kind_sz, "%s", d.other_kind);
	}
	free(d.links);
	return rc;
}

TUNVNET_API int tunvnet_link_get(const char *name, struct tunvnet_link *link)
{
	tv_err_clear();
	if (!name || !*name || strlen(name) >= IFNAMSIZ || !link)
		return tv_err(-EINVAL, "bad interface name '%s'", name ? name : "(null)");
	return get_link(name, link, NULL, 0);
}

/* ---- creating and deleting ---- */

static int create_macvtap(struct nl_sock *sk, const char *name, int parent, const char *mode)
{
	struct rtnl_link *l = rtnl_link_macvtap_alloc();
	int m, rc;

	if (!l)
		return tv_err(-ENOMEM, "cannot allocate a link");
	m = rtnl_link_macvtap_str2mode(mode);
	if (m < 0) {
		rtnl_link_put(l);
		return tv_err(-EINVAL, "unknown macvtap mode '%s' (private, vepa, bridge, "
				       "passthru, source)", mode);
	}
	rtnl_link_set_name(l, name);
	rtnl_link_set_link(l, parent);
	rc = rtnl_link_macvtap_set_mode(l, (uint32_t)m);
	if (rc >= 0)
		rc = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	if (rc == -NLE_OPNOTSUPP)
		return tv_err(-EPROTONOSUPPORT, "this kernel has no macvtap link type "
						"(CONFIG_MACVTAP)");
	return rc < 0 ? nl_fail(rc, "cannot create macvtap", name) : 0;
}

/* libnl 3.7 knows ipvlan but not ipvtap: build the RTM_NEWLINK ourselves. */
static int create_ipvtap(struct nl_sock *sk, const char *name, int parent, const char *mode)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *linkinfo, *data;
	struct nl_msg *msg;
	uint16_t m;
	int rc;

	for (m = 0; m < TV_ARRAY_SIZE(ipvlan_modes); m++)
		if (strcmp(mode, ipvlan_modes[m]) == 0)
			break;
	if (m == TV_ARRAY_SIZE(ipvlan_modes))
		return tv_err(-EINVAL, "unknown ipvtap mode '%s' (l2, l3, l3s)", mode);
	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	if (!msg)
		return tv_err(-ENOMEM, "cannot allocate a netlink message");
	rc = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	if (rc >= 0)
		rc = nla_put_string(msg, IFLA_IFNAME, name);
	if (rc >= 0)
		rc = nla_put_u32(msg, IFLA_LINK, (uint32_t)parent);
	linkinfo = rc >= 0 ? nla_nest_start(msg, IFLA_LINKINFO) : NULL;
	if (linkinfo && nla_put_string(msg, IFLA_INFO_KIND, "ipvtap") >= 0 &&
	    (data = nla_nest_start(msg, IFLA_INFO_DATA)) &&
	    nla_put_u16(msg, TV_IFLA_IPVLAN_MODE, m) >= 0) {
		nla_nest_end(msg, data);
		nla_nest_end(msg, linkinfo);
		rc = nl_send_auto(sk, msg);
		if (rc >= 0)
			rc = nl_wait_for_ack(sk);
	} else if (rc >= 0) {
		rc = -NLE_NOMEM;
	}
	nlmsg_free(msg);
	/* -EOPNOTSUPP means "no such link kind" here, not the hashing feature. */
	if (rc == -NLE_OPNOTSUPP)
		return tv_err(-EPROTONOSUPPORT, "this kernel has no ipvtap link type "
						"(CONFIG_IPVTAP)");
	return rc < 0 ? nl_fail(rc, "cannot create ipvtap", name) : 0;
}

TUNVNET_API int tunvnet_link_create_vtap(const char *name, const char *parent,
					 const struct tunvnet_vtap_opts *opts)
{
	struct tunvnet_vtap_opts o;
	struct nl_sock *sk;
	const char *mode;
	unsigned int pidx;
	int rc;

	tv_err_clear();
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return tv_err(-EINVAL, "bad interface name '%s'", name ? name : "(null)");
	if (!parent || !*parent)
		return tv_err(-EINVAL, "a macvtap/ipvtap link needs a parent device");
	rc = TV_OPTS_IN(&o, opts, tunvnet_vtap_opts, kind);
	if (rc)
		return rc;
	if (o.kind != TUNVNET_KIND_MACVTAP && o.kind != TUNVNET_KIND_IPVTAP)
		return tv_err(-EINVAL, "kind must be macvtap or ipvtap, not %s",
			      tunvnet_kind_name(o.kind));
	pidx = if_nametoindex(parent);
	if (!pidx)
		return tv_err(-ENODEV, "no parent device '%s'", parent);
	mode = o.mode ? o.mode : o.kind == TUNVNET_KIND_MACVTAP ? "bridge" : "l2";
	rc = open_sock(&sk);
	if (rc)
		return rc;
	if (o.kind == TUNVNET_KIND_MACVTAP)
		rc = create_macvtap(sk, name, (int)pidx, mode);
	else
		rc = create_ipvtap(sk, name, (int)pidx, mode);
	nl_socket_free(sk);
	return rc;
}

TUNVNET_API int tunvnet_link_delete(const char *name)
{
	struct tunvnet_link link;
	struct rtnl_link *l;
	struct nl_sock *sk;
	char kind[16];
	int rc;

	tv_err_clear();
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return tv_err(-EINVAL, "bad interface name '%s'", name ? name : "(null)");
	/* Only the kinds this library makes: a typo must not delete a host NIC. */
	rc = get_link(name, &link, kind, sizeof(kind));
	if (rc)
		return rc;
	if (link.kind == TUNVNET_KIND_UNKNOWN)
		return tv_err(-EMEDIUMTYPE, "'%s' is not a tun, tap, macvtap or ipvtap link "
				      "(its kind: %s): not deleted", name,
			      kind[0] ? kind : "none, a NIC or lo");
	rc = open_sock(&sk);
	if (rc)
		return rc;
	l = rtnl_link_alloc();
	if (!l) {
		nl_socket_free(sk);
		return tv_err(-ENOMEM, "cannot allocate a link");
	}
	/* By ifindex: the link checked above, not one that took its name since. */
	rtnl_link_set_ifindex(l, link.ifindex);
	rc = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return rc < 0 ? nl_fail(rc, "cannot delete link", name) : 0;
}
