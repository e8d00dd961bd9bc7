/* SPDX-License-Identifier: MIT */
/*
 * Without CAP_BPF and CAP_SYS_ADMIN the program cannot be loaded: a child
 * drops both from its effective set and tv_steer_open() must answer -EPERM
 * with a message naming CAP_BPF, whatever kernel.unprivileged_bpf_disabled
 * says. Runs as any user (an unprivileged one has neither to begin with).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "steer_prog.h"

static int child(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	struct tv_steer *s = (struct tv_steer *)1;
	int err;

	memset(d, 0, sizeof(d));
	if (syscall(__NR_capget, &h, d))
		return 2;
	d[0].effective &= ~(1u << CAP_SYS_ADMIN);
	d[1].effective &= ~(1u << (39 - 32)); /* CAP_BPF */
	if (syscall(__NR_capset, &h, d))
		return 2;
	err = tv_steer_open(&s, TUNVNET_L2_ETH);
	printf("tv_steer_open without CAP_BPF/CAP_SYS_ADMIN: %d (%s)\n", err, tunvnet_last_error());
	fflush(stdout); /* _exit follows */
	if (err != -EPERM || s != NULL || !strstr(tunvnet_last_error(), "CAP_BPF"))
		return 1;
	return 0;
}

int main(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(child());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	if (WEXITSTATUS(status) == 2) {
		printf("skip: cannot change this process's capabilities\n");
		return 77;
	}
	return WEXITSTATUS(status);
}
