/* SPDX-License-Identifier: MIT */
/* vtap.c: macvtap/ipvtap sysfs discovery, the /dev/tapN node. Not installed. */
#ifndef TUNVNET_VTAP_H
#define TUNVNET_VTAP_H

#include <sys/types.h>

#include "internal.h"

/*
 * The tapN entry sysfs lists under /sys/class/net/IFNAME/CLS (CLS
 * "macvtap" or "ipvtap"), which names the link's /dev/tapN: read, never
 * guessed. 0 with the name in entry; -ENOENT without that directory (not a
 * link of that class), -ENODEV when it lists no tapN. Records no message.
 */
int tv_vtap_entry(const char *ifname, const char *cls, char *entry, size_t len);

/* /sys/class/net/IFNAME/{macvtap,ipvtap}/tapN: kind, /dev node and major:minor. */
int tv_vtap_lookup(const char *ifname, enum tunvnet_kind *kind, char *node, size_t node_len,
		   dev_t *rdev);

/* Make sure node is the char device rdev, creating it where udev has not. */
int tv_vtap_node(const char *node, dev_t rdev);

/* Open one more queue of link ifname through node; the fd or -errno. */
int tv_vtap_open(const char *node, const char *ifname);

#endif /* TUNVNET_VTAP_H */
