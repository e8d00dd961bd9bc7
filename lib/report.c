/* SPDX-License-Identifier: MIT */
/*
 * Hash reports filled in user space (the ebpf and user backends): the
 * configuration a reader fills with, owned by a device snapshot.
 */
#include <stdlib.h>

#include "device.h"

struct tv_fill {
	int unused;
};

void tv_fill_free(struct tv_fill *f)
{
	free(f);
}

struct tv_fill *tv_fill_dup(const struct tv_fill *f)
{
	struct tv_fill *d;

	if (!f)
		return NULL;
	d = malloc(sizeof(*d));
	if (d)
		*d = *f;
	return d;
}
