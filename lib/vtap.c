/* SPDX-License-Identifier: MIT */
/*
 * macvtap and ipvtap links: their /dev/tapN node found in sysfs (never
 * guessed), created with mknod where udev has not, and opened.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vtap.h"

int tv_vtap_entry(const char *ifname, const char *cls, char *entry, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, cls);
	dir = opendir(path);
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, "tap", 3) == 0)
			break;
	if (de)
		snprintf(entry, len, "%s", de->d_name);
	closedir(dir);
	return de ? 0 : -ENODEV;
}

int tv_vtap_lookup(const char *ifname, enum tunvnet_kind *kind, char *node, size_t node_len,
		       dev_t *rdev)
{
	static const struct {
		const char *cls;
		enum tunvnet_kind kind;
	} classes[] = { { "macvtap", TUNVNET_KIND_MACVTAP }, { "ipvtap", TUNVNET_KIND_IPVTAP } };
	char path[PATH_MAX], buf[32], tap[NAME_MAX + 1];
	unsigned int maj, min;
	size_t i;
	int err = -ENOENT;
	FILE *f;

	for (i = 0; i < TV_ARRAY_SIZE(classes); i++) {
		err = tv_vtap_entry(ifname, classes[i].cls, tap, sizeof(tap));
		if (err != -ENOENT)
			break;
	}
	if (err == -ENOENT) {
		snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
		if (access(path, F_OK) < 0)
			return tv_err(-ENODEV, "no interface named %s", ifname);
		return tv_err(-ENODEV, "%s is not a macvtap or ipvtap link", ifname);
	}
	*kind = classes[i].kind;
	if (err)
		return tv_err(-ENODEV, "%s has no tapN entry in sysfs", ifname);
	if (strlen(tap) + 6 > node_len)
		return tv_err(-ENAMETOOLONG, "%s: tap entry name too long", ifname);
	snprintf(node, node_len, "/dev/%.*s", (int)(node_len - 6), tap);
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s/%s/dev", ifname, classes[i].cls, tap);
	/* The major is dynamic: read it, never compute it. */
	f = fopen(path, "re");
	if (!f)
		return tv_err(-errno, "cannot read %s: %s", path, strerror(errno));
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%u:%u", &maj, &min) != 2) {
		fclose(f);
		return tv_err(-EIO, "cannot parse major:minor in %s", path);
	}
	fclose(f);
	*rdev = makedev(maj, min);
	return 0;
}

int tv_vtap_node(const char *node, dev_t rdev)
{
	struct stat st;

	if (stat(node, &st) == 0) {
		if (S_ISCHR(st.st_mode) && st.st_rdev == rdev)
			return 0;
		return tv_err(-EEXIST, "%s exists but is not the char device %u:%u", node,
			      major(rdev), minor(rdev));
	}
	if (errno != ENOENT)
		return tv_err(-errno, "cannot stat %s: %s", node, strerror(errno));
	if (mknod(node, S_IFCHR | 0600, rdev) < 0 && errno != EEXIST)
		return tv_err(-errno, "cannot create %s (%u:%u): %s", node, major(rdev),
			      minor(rdev), strerror(errno));
	return 0;
}

int tv_vtap_open(const char *node, const char *ifname)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		if (e == EACCES || e == EPERM)
			return tv_err(-e, "cannot open %s: %s (needs root or access to the node)",
				      node, strerror(e));
		if (e == ENXIO || e == ENODEV)
			return tv_err(-ENODEV, "cannot open %s: the %s link is gone or has no "
					       "room for another queue", node, ifname);
		return tv_err(-e, "cannot open %s: %s", node, strerror(e));
	}
	return fd;
}
