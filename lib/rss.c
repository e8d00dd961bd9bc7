/* SPDX-License-Identifier: MIT */
/* Hash -> queue, as the tun series and tap pick them. */
#include "internal.h"

TUNVNET_API int tunvnet_rss_queue(const struct tunvnet_hash_cfg *cfg, unsigned int num_queues,
				  unsigned int report, uint32_t hash)
{
	struct tunvnet_hash_cfg c;
	int err;

	tv_err_clear();
	if (!cfg)
		return tv_err(-EINVAL, "rss_queue: no configuration");
	/* Accept a caller's older or newer cfg the way every options struct is. */
	err = TV_OPTS_IN(&c, cfg, tunvnet_hash_cfg, unclassified_queue);
	if (err)
		return err == -E2BIG ? -EINVAL : err;
	if (num_queues == 0)
		return tv_err(-EINVAL, "rss_queue: no queues");
	if (!c.table || c.table_len == 0)
		return tv_err(-EINVAL, "rss_queue: no indirection table");
	if (c.table_len & (c.table_len - 1))
		return tv_err(-EINVAL, "rss_queue: indirection table length %zu is not a power of two",
			      c.table_len);
	/* The series takes both modulo the queue count; it validates neither. */
	if (report == TUNVNET_REPORT_NONE)
		return (int)(c.unclassified_queue % num_queues);
	return (int)(c.table[hash & (c.table_len - 1)] % num_queues);
}

TUNVNET_API int tunvnet_automq_queue(uint32_t hash, unsigned int num_queues)
{
	tv_err_clear();
	if (num_queues == 0)
		return tv_err(-EINVAL, "automq_queue: no queues");
	return (int)(hash % num_queues);
}
