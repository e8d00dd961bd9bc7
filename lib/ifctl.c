/* SPDX-License-Identifier: MIT */
/*
 * Interface ioctls on a device's name (SIOCGIFFLAGS/SIOCSIFFLAGS,
 * SIOCGIFMTU): link up/down and the largest frame a read can return.
 */
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device.h"
#include "uapi.h"

#define TV_ETH_HLEN 14
#define TV_VLAN_HLEN 4
/* A GSO frame from the stack: the 64 KiB GSO/GRO limit from L3 on. */
#define TV_GSO_MAX 65536

/* A socket for the SIOC*IF* calls: any family reaches the device ioctls. */
static int ctl_socket(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return s < 0 ? -errno : s;
}

static int if_ioctl(const struct tunvnet_dev *dev, unsigned long req, struct ifreq *ifr,
		    const char *what)
{
	int s = ctl_socket(), e;

	if (s < 0)
		return tv_err(s, "cannot open a socket for %s: %s", what, strerror(-s));
	memcpy(ifr->ifr_name, dev->name, IFNAMSIZ);
	if (ioctl(s, req, ifr) < 0) {
		e = errno;
		close(s);
		if (e == ENODEV)
			return tv_err(-EBADFD, "device %s was deleted (%s: no such device)",
				      dev->name, what);
		return tv_ioctl_err(dev->name, what, e);
	}
	close(s);
	return 0;
}

TUNVNET_API int tunvnet_dev_set_up(struct tunvnet_dev *dev, bool up)
{
	struct ifreq ifr;
	int err;

	tv_err_clear();
	if (!dev || !dev->name[0])
		return tv_err(-EINVAL, "no device handle");
	memset(&ifr, 0, sizeof(ifr));
	err = if_ioctl(dev, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS");
	if (err)
		return err;
	if (!!(ifr.ifr_flags & IFF_UP) == up)
		return 0;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return if_ioctl(dev, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
}

/*
 * The largest frame a read returns. Without GSO it is the MTU plus the
 * link header: 14 for Ethernet and 8 for two VLAN tags on tap kinds, and the
 * 4-byte packet info on tun without IFF_NO_PI. With GSO offloads a frame can
 * reach the 64 KiB GSO limit plus the same headers. TUNSETOFFLOAD cannot be
 * read back, so GSO is assumed possible unless this handle created the
 * device (the library never enables offloads); macvtap/ipvtap enable
 * offloads by default, so always.
 */
TUNVNET_API int tunvnet_dev_max_frame(struct tunvnet_dev *dev, size_t *len)
{
	struct ifreq ifr;
	size_t link, body;
	int err;

	tv_err_clear();
	if (!dev || !tv_dev_nq(dev) || !len)
		return tv_err(-EINVAL, "no device handle or no output");
	/* Queue 0 first: a deleted device says so, not "no such device". */
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(tv_dev_fd(dev, 0), TV_TUNGETIFF, &ifr) < 0)
		return tv_ioctl_err(dev->name, "TUNGETIFF", errno);
	memset(&ifr, 0, sizeof(ifr));
	err = if_ioctl(dev, SIOCGIFMTU, &ifr, "SIOCGIFMTU");
	if (err)
		return err;
	link = dev->kind == TUNVNET_KIND_TUN ? 0 : TV_ETH_HLEN + 2 * TV_VLAN_HLEN;
	if (tv_dev_flags(dev) & TUNVNET_DEV_PI)
		link += TV_PI_LEN;
	body = (size_t)(ifr.ifr_mtu > 0 ? ifr.ifr_mtu : 0);
	if ((tv_kind_is_vtap(dev->kind) || !dev->created) && body < TV_GSO_MAX)
		body = TV_GSO_MAX;
	*len = body + link;
	__atomic_store_n(&dev->max_frame, *len, __ATOMIC_RELAXED);
	return 0;
}

void tv_dev_max_frame_forget(struct tunvnet_dev *dev)
{
	__atomic_store_n(&dev->max_frame, 0, __ATOMIC_RELAXED);
}

size_t tv_dev_max_frame_cached(const struct tunvnet_dev *dev)
{
	return __atomic_load_n(&dev->max_frame, __ATOMIC_RELAXED);
}
