/* SPDX-License-Identifier: MIT */
/*
 * The unprivileged path. As root, fork children that give up privilege in
 * two ways -- uid/gid 65534 (nobody) with no capabilities at all, and uid 0
 * with every capability dropped and root's exec rule locked off (a locked
 * down container) -- and check in each:
 *   - creating a tap fails with -EPERM, and both tunvnet_last_error() and
 *     tunvnet_strerror() name CAP_NET_ADMIN (or -EACCES naming the node
 *     where /dev/net/tun is 0600, as on a devtmpfs without udev); no device
 *     is left behind;
 *   - tunvnet_caps_probe() gives the same answer as it gives root (NONE and
 *     -EOPNOTSUPP on a kernel without the feature), never -EPERM, both on a
 *     fresh /dev/net/tun fd and on an fd root opened and handed down;
 *   - every live test program of tests/live/device and tests/live/io
 *     exits 77 (skipped) with a reason on stderr, rather than pass or fail.
 *     The programs are copied into a directory everyone can enter first:
 *     the build tree may sit where nobody can reach it (a checkout made by
 *     mktemp -d is 0700), and exec failing there says nothing about them.
 * Exits 77 when not run as root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <tunvnet/tunvnet.h>

#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_NO_SETUID_FIXUP (1 << 2)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#endif

enum drop { DROP_NOBODY, DROP_ROOT_NO_CAPS };

static const char *const drop_name[] = { "uid 65534, no capabilities",
					 "uid 0, no capabilities" };

/* What root's probe answered, for the unprivileged children to match. */
static int root_probe_err;
static enum tunvnet_uapi root_probe_uapi;

/* "CapEff:\t0000003fffffffff" -> the mask. */
static int cap_mask(const char *field, unsigned long long *mask)
{
	char line[128];
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "re");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			found = sscanf(line + n + 1, "%llx", mask) == 1 ? 0 : -1;
			break;
		}
	fclose(f);
	return found;
}

/* In a child: give up privilege; on any doubt, exit 99 (reported as setup failure). */
static void drop_privilege(enum drop how)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	static const char *const fields[] = { "CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb" };
	unsigned long long m;
	int cap;
	size_t i;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			goto fail;
	if (how == DROP_ROOT_NO_CAPS) {
		/* Stay uid 0, but exec must not hand root its capabilities back. */
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
						     SECBIT_NO_SETUID_FIXUP |
						     SECBIT_NO_SETUID_FIXUP_LOCKED |
						     SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0) < 0)
			goto fail;
		memset(data, 0, sizeof(data));
		if (syscall(SYS_capset, &hdr, data) < 0)
			goto fail;
	} else {
		/* Leaving uid 0 clears every capability set (no KEEP_CAPS). */
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			goto fail;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	/* Trust nothing above: the kernel's own account must show no capability. */
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (cap_mask(fields[i], &m) < 0 || m != 0) {
			fprintf(stderr, "# %s: %s is not empty\n", drop_name[how], fields[i]);
			_exit(99);
		}
	return;
fail:
	fprintf(stderr, "# dropping privilege (%s): %s\n", drop_name[how], strerror(errno));
	_exit(99);
}

/* Run fn in a child that dropped privilege; returns its exit status. */
static int in_child(enum drop how, int (*fn)(enum drop))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		drop_privilege(how);
		_exit(fn(how));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_not_equal(WEXITSTATUS(st), 99); /* could not drop privilege */
	return WEXITSTATUS(st);
}

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "# %s: failed: %s (line %d)\n", drop_name[how], \
				#cond, __LINE__);                                      \
			return 1;                                                      \
		}                                                                      \
	} while (0)

/* Whether this (unprivileged) process may open /dev/net/tun at all: a
 * devtmpfs without udev leaves it 0600, so nobody gets EACCES there. */
static bool node_open_ok(void)
{
	return access("/dev/net/tun", R_OK | W_OK) == 0;
}

static int child_open(enum drop how)
{
	struct tunvnet_dev_opts o = TUNVNET_DEV_OPTS_INIT;
	struct tunvnet_dev *d = NULL;
	char name[IFNAMSIZ];
	int err, want = node_open_ok() ? -EPERM : -EACCES;

	snprintf(name, sizeof(name), "tvpr%d", (int)(getpid() % 100000));
	o.kind = TUNVNET_KIND_TAP;
	o.flags = TUNVNET_DEV_MULTI_QUEUE | TUNVNET_DEV_VNET_HDR;
	o.queues = 2;
	o.vnet_hdr_sz = 20;
	err = tunvnet_dev_open(name, &o, &d);
	fprintf(stderr, "# %s: tunvnet_dev_open(%s) = %d: %s\n", drop_name[how], name, err,
		tunvnet_last_error());
	CHECK(err == want);
	CHECK(d == NULL);
	CHECK(strstr(tunvnet_last_error(), "CAP_NET_ADMIN") != NULL);
	if (want == -EPERM)
		CHECK(strstr(tunvnet_strerror(err), "CAP_NET_ADMIN") != NULL);
	else
		CHECK(strstr(tunvnet_last_error(), "/dev/net/tun") != NULL);
	CHECK(if_nametoindex(name) == 0);
	/* the same with the kernel picking the name */
	err = tunvnet_dev_open(NULL, NULL, &d);
	CHECK(err == want);
	CHECK(strstr(tunvnet_last_error(), "CAP_NET_ADMIN") != NULL);
	return 0;
}

/* A /dev/net/tun fd root opened, as a privileged helper hands one to a VMM. */
static int root_tun_fd = -1;

static int child_probe(enum drop how)
{
	struct tunvnet_caps caps = { .sz = sizeof(caps) };
	int err = tunvnet_caps_probe(-1, &caps);

	fprintf(stderr, "# %s: tunvnet_caps_probe(-1) = %d, uapi %s (as root: %d, %s)\n",
		drop_name[how], err, tunvnet_uapi_name(caps.uapi), root_probe_err,
		tunvnet_uapi_name(root_probe_uapi));
	CHECK(err != -EPERM);
	if (node_open_ok()) {
		CHECK(err == root_probe_err);
		CHECK(caps.uapi == root_probe_uapi);
	} else {
		/* it cannot open the node: say so, not "no feature" and not EPERM */
		CHECK(err == -EACCES);
		CHECK(strstr(tunvnet_last_error(), "/dev/net/tun") != NULL);
	}
	/* on an fd handed over by root the answer is root's, whatever the node's mode */
	caps = (struct tunvnet_caps){ .sz = sizeof(caps) };
	err = tunvnet_caps_probe(root_tun_fd, &caps);
	fprintf(stderr, "# %s: tunvnet_caps_probe(root's fd) = %d, uapi %s\n", drop_name[how],
		err, tunvnet_uapi_name(caps.uapi));
	CHECK(err == root_probe_err);
	CHECK(caps.uapi == root_probe_uapi);
	if (err)
		CHECK(err == -EOPNOTSUPP && caps.uapi == TUNVNET_UAPI_NONE);
	else
		CHECK(caps.uapi == TUNVNET_UAPI_A || caps.uapi == TUNVNET_UAPI_B);
	return 0;
}

static void test_open_eperm_nobody(void **state)
{
	(void)state;
	assert_int_equal(in_child(DROP_NOBODY, child_open), 0);
}

static void test_open_eperm_root_no_caps(void **state)
{
	(void)state;
	assert_int_equal(in_child(DROP_ROOT_NO_CAPS, child_open), 0);
}

static void test_probe_nobody(void **state)
{
	(void)state;
	assert_int_equal(in_child(DROP_NOBODY, child_probe), 0);
}

static void test_probe_root_no_caps(void **state)
{
	(void)state;
	assert_int_equal(in_child(DROP_ROOT_NO_CAPS, child_probe), 0);
}

/* Run prog without privilege; its exit status, its stderr in err. */
static int run_unprivileged(enum drop how, const char *prog, char *err, size_t err_len)
{
	int p[2], st;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		if (p[1] != STDERR_FILENO)
			close(p[1]);
		drop_privilege(how);
		execl(prog, prog, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(98);
	}
	close(p[1]);
	while (got + 1 < err_len && (n = read(p[0], err + got, err_len - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	/* drain the rest so the child never blocks on a full pipe */
	while (read(p[0], &st, sizeof(st)) > 0)
		;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return WEXITSTATUS(st);
}

/* A directory everyone can enter and read, for the copies; "" when none. */
static char copy_dir[4096];

/* Whether every directory on the way to path (path included) lets others in. */
static bool others_can_enter(const char *path)
{
	char p[4096], *slash;
	struct stat st;

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		if (stat(p[0] ? p : "/", &st) < 0 || !(st.st_mode & S_IXOTH))
			return false;
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			return stat("/", &st) == 0 && (st.st_mode & S_IXOTH);
		*slash = '\0';
	}
}

static void remove_copy_dir(void)
{
	char cmd[4200];

	if (copy_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", copy_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", copy_dir);
	}
}

static bool make_copy_dir(void)
{
	const char *bases[] = { getenv("TMPDIR"), "/tmp", "/dev/shm", "/run" };

	if (copy_dir[0])
		return true;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!bases[i] || !*bases[i] || !others_can_enter(bases[i]))
			continue;
		snprintf(copy_dir, sizeof(copy_dir), "%s/tvpriv.XXXXXX", bases[i]);
		if (mkdtemp(copy_dir) && chmod(copy_dir, 0755) == 0) {
			atexit(remove_copy_dir);
			return true;
		}
		copy_dir[0] = '\0';
	}
	return false;
}

/* Copy prog into copy_dir (mode 0755); the copy's path in out. */
static bool copy_program(const char *prog, const char *name, char *out, size_t out_len)
{
	char buf[65536];
	ssize_t n;
	int in, fd;
	bool ok = true;

	snprintf(out, out_len, "%s/%s", copy_dir, name);
	in = open(prog, O_RDONLY | O_CLOEXEC);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || fd < 0)
		ok = false;
	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		ok = write(fd, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (fd >= 0 && (close(fd) < 0 || fchmodat(AT_FDCWD, out, 0755, 0) < 0))
		ok = false;
	return ok;
}

/* Every executable test_* program in build/tests/live/<dir>; returns how many. */
static int each_live_program(const char *dir, enum drop how, int *bad)
{
	const char *root = getenv("TUNVNET_BUILD_ROOT");
	char path[4096], prog[4352], copy[4352], err[4096];
	struct dirent *de;
	struct stat st;
	int n = 0, rc;
	DIR *d;

	snprintf(path, sizeof(path), "%s/tests/live/%s", root, dir);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "# cannot open %s: %s\n", path, strerror(errno));
		(*bad)++;
		return 0;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "test_", 5) != 0)
			continue;
		snprintf(prog, sizeof(prog), "%s/%s", path, de->d_name);
		if (stat(prog, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXOTH))
			continue;
		/* The programs link libtunvnet statically: a copy runs anywhere. */
		if (!copy_program(prog, de->d_name, copy, sizeof(copy))) {
			fprintf(stderr, "# cannot copy %s to %s: %s\n", prog, copy_dir,
				strerror(errno));
			(*bad)++;
			continue;
		}
		rc = run_unprivileged(how, copy, err, sizeof(err));
		fprintf(stderr, "# %s: %s/%s exits %d; stderr: %s", drop_name[how], dir,
			de->d_name, rc, err[0] ? err : "(empty)\n");
		if (rc != 77 || !err[0]) {
			fprintf(stderr, "#   ^ wanted exit 77 (skipped) with a reason on stderr\n");
			(*bad)++;
		}
		n++;
	}
	closedir(d);
	return n;
}

static void live_programs_skip(enum drop how)
{
	int bad = 0, n;

	if (!getenv("TUNVNET_BUILD_ROOT"))
		skip(); /* run outside meson: no build tree to look in */
	if (!make_copy_dir()) {
		fprintf(stderr, "# skipped: no directory others can enter to copy the programs "
			"into (TMPDIR, /tmp, /dev/shm, /run)\n");
		skip();
	}
	n = each_live_program("device", how, &bad);
	n += each_live_program("io", how, &bad);
	assert_int_equal(bad, 0);
	assert_true(n >= 2); /* found the programs at all */
}

static void test_live_programs_skip_nobody(void **state)
{
	(void)state;
	live_programs_skip(DROP_NOBODY);
}

static void test_live_programs_skip_root_no_caps(void **state)
{
	(void)state;
	live_programs_skip(DROP_ROOT_NO_CAPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_eperm_nobody),
		cmocka_unit_test(test_open_eperm_root_no_caps),
		cmocka_unit_test(test_probe_nobody),
		cmocka_unit_test(test_probe_root_no_caps),
		cmocka_unit_test(test_live_programs_skip_nobody),
		cmocka_unit_test(test_live_programs_skip_root_no_caps),
	};
	struct tunvnet_caps caps = { .sz = sizeof(caps) };

	if (geteuid() != 0) {
		fprintf(stderr, "skip: needs root, to drop CAP_NET_ADMIN in a child\n");
		return 77;
	}
	root_probe_err = tunvnet_caps_probe(-1, &caps);
	root_probe_uapi = caps.uapi;
	root_tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (root_tun_fd < 0) {
		fprintf(stderr, "skip: cannot open /dev/net/tun even as root: %s\n",
			strerror(errno));
		return 77;
	}
	/* output of the children must not interleave with buffered output of ours */
	fflush(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
