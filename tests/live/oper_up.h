/* SPDX-License-Identifier: MIT */
/*
 * Wait until a link's operstate is "up" before sending into it. IFF_UP alone
 * is not enough: after a carrier change (a persistent tap whose queues were
 * closed and opened again) the kernel drops what is sent (tx_dropped, while
 * sendto() succeeded) until its link watch has run and set operstate "up".
 * "unknown" counts as up, as the kernel's netif_oper_up() counts it: a link
 * whose carrier never changed (a fresh tap on some kernels) stays there.
 */
#ifndef TUNVNET_TEST_OPER_UP_H
#define TUNVNET_TEST_OPER_UP_H

#include <stdio.h>
#include <string.h>
#include <time.h>

/* 0 once /sys/class/net/NAME/operstate reads "up" (or "unknown"), -1 after
 * timeout_ms. */
static inline int live_wait_oper_up(const char *name, int timeout_ms)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	char path[96], state[32];

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", name);
	for (int waited = 0;; waited += 10) {
		FILE *fp = fopen(path, "r");
		int up = 0;

		if (fp) {
			up = fgets(state, sizeof(state), fp) &&
			     (strcmp(state, "up\n") == 0 || strcmp(state, "unknown\n") == 0);
			fclose(fp);
		}
		if (up)
			return 0;
		if (waited >= timeout_ms) {
			fprintf(stderr, "%s: operstate not up after %d ms\n", name, timeout_ms);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
}

#endif
