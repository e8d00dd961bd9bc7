/* SPDX-License-Identifier: MIT */
/* Attaching to an existing device by name, whatever kind it is. */
#include <errno.h>
#include <string.h>

#include "ctl.h"

int attach_device(const char *cmd, const char *name, unsigned int nq, bool nonblock,
		  struct tunvnet_link *link, struct tunvnet_dev **devp)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	char what[96];
	int rc;

	rc = tunvnet_link_get(name, link);
	if (rc) {
		snprintf(what, sizeof(what), "cannot find device '%s'", esc(name));
		return lib_error(cmd, what, rc, false);
	}
	o.queues = nq ? nq : 1;
	o.flags = nonblock ? TUNVNET_DEV_NONBLOCK : 0;
	switch (link->kind) {
	case TUNVNET_KIND_TUN:
	case TUNVNET_KIND_TAP:
		/*
		 * TUNSETIFF on an existing device replaces its feature flags with
		 * ours: ask for exactly the ones it has, or a VMM's header setting
		 * and queue mode would change under it.
		 */
		o.kind = link->kind;
		o.flags |= link->dev_flags & (TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR |
					      TUNVNET_DEV_PI | TUNVNET_DEV_NAPI);
		if (o.queues > 1 && !(o.flags & TUNVNET_DEV_MULTI_QUEUE)) {
			return ctl_fail(cmd, EXIT_USAGE, "create it with --queues N",
					"'%s' is a single-queue %s; cannot attach %u queues",
					esc(name), tunvnet_kind_name(link->kind), o.queues);
		}
		rc = tunvnet_dev_open(name, &o, devp);
		break;
	case TUNVNET_KIND_MACVTAP:
	case TUNVNET_KIND_IPVTAP:
		o.flags |= TUNVNET_DEV_VNET_HDR;
		rc = tunvnet_dev_open_vtap(name, &o, devp);
		break;
	default:
		return ctl_fail(cmd, EXIT_USAGE, NULL,
				"'%s' is not a tun, tap, macvtap or ipvtap device", esc(name));
	}
	if (rc) {
		snprintf(what, sizeof(what), "cannot attach to %s '%s'",
			 tunvnet_kind_name(link->kind), esc(name));
		return lib_error(cmd, what, rc, false);
	}
	return EXIT_OK;
}
