/* SPDX-License-Identifier: MIT */
/*
 * The snapshot protocol (device.h): what a reader needs to parse a queue's
 * frames (header layout, the report filler's configuration) is an
 * immutable snapshot. The control thread publishes a new one and frees a
 * replaced one only once no queue's hazard slot announces it, so readers
 * take no lock and never see a configuration half written.
 */
#include <stdlib.h>

#include "device.h"

const struct tv_io *tv_io_get(struct tunvnet_dev *d, unsigned int q, int slot)
{
	struct tv_io *s, **haz = &d->q[q].hazard[slot];

	/* Announce, then check it is still current: the control thread frees a
	 * replaced snapshot only after it no longer sees it announced. */
	for (;;) {
		s = __atomic_load_n(&d->io, __ATOMIC_ACQUIRE);
		__atomic_store_n(haz, s, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&d->io, __ATOMIC_SEQ_CST) == s)
			return s;
	}
}

static void fill_unref(struct tv_fill *f)
{
	if (f && --f->refs == 0)
		f->release(f);
}

static void io_free(struct tv_io *s)
{
	if (!s)
		return;
	fill_unref(s->fill);
	free(s);
}

static bool io_held(struct tunvnet_dev *d, const struct tv_io *s)
{
	unsigned int q, n = tv_dev_nq(d);

	for (q = 0; q < n; q++)
		if (__atomic_load_n(&d->q[q].hazard[TV_HAZ_RX], __ATOMIC_SEQ_CST) == s ||
		    __atomic_load_n(&d->q[q].hazard[TV_HAZ_TX], __ATOMIC_SEQ_CST) == s)
			return true;
	return false;
}

/* Swap in s; keep the old one until no reader holds it; free what none holds. */
static void io_publish(struct tunvnet_dev *d, struct tv_io *s)
{
	struct tv_io *old = __atomic_exchange_n(&d->io, s, __ATOMIC_SEQ_CST), **pp;

	if (old) {
		old->next_retired = d->retired;
		d->retired = old;
	}
	for (pp = &d->retired; *pp;) {
		struct tv_io *r = *pp;

		if (io_held(d, r)) {
			pp = &r->next_retired;
		} else {
			*pp = r->next_retired;
			io_free(r);
		}
	}
}

static struct tv_io *io_clone(const struct tunvnet_dev *d)
{
	const struct tv_io *cur = tv_dev_io(d);
	struct tv_io *s = calloc(1, sizeof(*s));

	if (s && cur) {
		s->hdr_sz = cur->hdr_sz;
		s->endian = cur->endian;
		s->pi = cur->pi;
	}
	return s;
}

int tv_dev_publish_layout(struct tunvnet_dev *d, int hdr_sz, enum tunvnet_endian e, bool pi)
{
	const struct tv_io *cur = tv_dev_io(d);
	struct tv_io *s;

	if (cur && cur->hdr_sz == hdr_sz && cur->endian == e && cur->pi == pi)
		return 0;
	s = io_clone(d);
	if (!s)
		return tv_err(-ENOMEM, "out of memory");
	s->hdr_sz = hdr_sz;
	s->endian = e;
	s->pi = pi;
	/* The filler's configuration stays as it is: shared. */
	s->fill = cur ? cur->fill : NULL;
	if (s->fill)
		s->fill->refs++;
	io_publish(d, s);
	return 0;
}

int tv_dev_publish_fill(struct tunvnet_dev *d, struct tv_fill *fill)
{
	struct tv_io *s = io_clone(d);

	if (!s) {
		if (fill && !fill->refs)
			fill->release(fill);
		return tv_err(-ENOMEM, "out of memory");
	}
	s->fill = fill;
	if (fill)
		fill->refs++;
	io_publish(d, s);
	return 0;
}

/* Bracket a header layout change (odd while under way): see device.h. */
void tv_layout_change_begin(struct tunvnet_dev *d)
{
	__atomic_add_fetch(&d->layout_seq, 1, __ATOMIC_SEQ_CST);
}

void tv_layout_change_end(struct tunvnet_dev *d)
{
	__atomic_add_fetch(&d->layout_seq, 1, __ATOMIC_SEQ_CST);
}

/* tv_dev_free: the snapshot in force and every retired one (no reader is left). */
void tv_dev_snapshots_free(struct tunvnet_dev *d)
{
	struct tv_io *r;

	io_free(d->io);
	while ((r = d->retired)) {
		d->retired = r->next_retired;
		io_free(r);
	}
}
