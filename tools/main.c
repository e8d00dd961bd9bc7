/* SPDX-License-Identifier: MIT */
/* tunvnet-ctl: the subcommand table, dispatch and the shared error reporting. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

const char *ctl_prog = "tunvnet-ctl";

static const struct ctl_cmd cmds[] = {
	{ "toeplitz", cmd_toeplitz, "Toeplitz hash of raw input bytes" },
	{ "hash", cmd_hash, "classify and hash packets (hex, pcap, stdin), give the RSS queue" },
	{ "caps", cmd_caps, "what the running kernel supports" },
	{ "list", cmd_list, "list tun, tap, macvtap and ipvtap links" },
	{ "show", cmd_show, "show one link" },
	{ "create", cmd_create, "create a persistent tun/tap or a macvtap/ipvtap link" },
	{ "delete", cmd_delete, "delete a link" },
	{ "set", cmd_set, "apply a hash report / RSS configuration to a device" },
	{ "clear", cmd_clear, "switch hash report and RSS off on a device" },
	{ "verify", cmd_verify, "check every reported hash of live traffic (or a saved capture)" },
	{ "demo", cmd_demo, "show the feature end to end (or offline)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [--version] [--help] COMMAND [OPTIONS] [ARGS]\n\n"
		   "Virtio-net hashing (hash report, RSS) on Linux tun/tap/macvtap/ipvtap.\n\n"
		   "Commands:\n", ctl_prog);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n"
		   "Exit status: 0 ok, 1 a check failed (mismatch, feature missing, kernel\n"
		   "refused), 2 bad usage or input. See tunvnet-ctl(1).\n", ctl_prog);
}

/*
 * The first error of the run, kept for --json: a script reading stdout
 * gets it as the last object ({"error": ...}) instead of nothing.
 */
static char err_msg[512], err_fix[256];
static bool ctl_json;

static void record(const char *msg, const char *fix)
{
	if (err_msg[0])
		return;
	snprintf(err_msg, sizeof(err_msg), "%s", msg);
	snprintf(err_fix, sizeof(err_fix), "%s", fix ? fix : "");
}

int ctl_fail(const char *cmd, int status, const char *fix, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", ctl_prog, cmd, msg);
	if (fix)
		fprintf(stderr, "  fix: %s\n", fix);
	record(msg, fix);
	return status;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\nTry '%s %s --help'.\n", ctl_prog, cmd, msg, ctl_prog, cmd);
	record(msg, NULL);
	return EXIT_USAGE;
}

/*
 * The usual fix for an errno, only where every cause the library gives that
 * errno has the same fix (EOPNOTSUPP and EBUSY have several: their cause
 * text says what to do).
 */
static const char *hint(int err)
{
	switch (-abs(err)) {
	case -EPERM:
		return "run as root or grant CAP_NET_ADMIN";
	case -ENODEV:
		return "check the name with 'tunvnet-ctl list'";
	case -EBADFD:
		return "the device was deleted; create it again";
	default:
		return NULL;
	}
}

int lib_error(const char *cmd, const char *what, int err, bool usage)
{
	char detail[512];
	char *p, *q;

	snprintf(detail, sizeof(detail), "%s", tunvnet_last_error());
	/* The library may name its own flags in an aside ("(TUNVNET_... accepts
	 * it)"): an operator has no such flag, so the aside goes. */
	while ((p = strstr(detail, " (TUNVNET_"))) {
		q = strchr(p, ')');
		if (q)
			memmove(p, q + 1, strlen(q + 1) + 1);
		else
			*p = '\0';
	}

	/*
	 * One cause: the library's own account of it when it gave one (escaped:
	 * it may quote a link name, which is untrusted bytes).
	 */
	return ctl_fail(cmd, usage ? EXIT_USAGE : EXIT_CHECK, hint(err), "%s: %s", what,
			*detail ? esc(detail) : tunvnet_strerror(err));
}

int feature_error(const char *cmd, const char *what, int err)
{
	if (err != -EOPNOTSUPP)
		return lib_error(cmd, what, err, false);
	return ctl_fail(cmd, EXIT_CHECK, "boot a kernel carrying the series (see 'tunvnet-ctl "
			"demo'), or use 'hash' and 'demo --offline' for the reference side",
			"%s: the kernel %s lacks the tun/tap virtio-net hashing feature (not in "
			"mainline Linux)", what, kernel_release());
}

int sys_error(const char *cmd, const char *what, int err)
{
	return ctl_fail(cmd, EXIT_CHECK, NULL, "%s: %s", what, strerror(abs(err)));
}

int print_help(const char *text)
{
	fputs(text, stdout);
	return EXIT_OK;
}

bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

/*
 * stdio keeps no errno for a failed write: a pipe or socket whose reader
 * went away says so to poll(), so that case is named rather than called EIO.
 */
static bool lost_reader(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/*
 * Output that did not reach its reader is a failure: a full disk, a closed
 * pipe, a closed stdout. stdio keeps the first error in ferror(); the last
 * buffer is only written by fflush/fclose, so both are checked too.
 */
static int finish_output(const char *cmd, int rc)
{
	int err = 0;

	if (ferror(stdout))
		err = lost_reader() ? EPIPE : EIO;
	if (fflush(stdout) != 0)
		err = errno ? errno : EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno ? errno : EIO;
	if (!err)
		return rc;
	/* No JSON error object here: stdout is what failed. */
	fprintf(stderr, "%s%s%s: cannot write the output: %s\n", ctl_prog, cmd ? " " : "",
		cmd ? cmd : "", strerror(err));
	return rc == EXIT_OK ? EXIT_CHECK : rc;
}

static int run_main(int argc, char **argv, const char **cmdp)
{
	const char *name;
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("%s %s (libtunvnet %s)\n", ctl_prog, TUNVNET_CTL_VERSION, tunvnet_version());
		return EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		static char help_opt[] = "--help";
		char *hargv[] = { argv[2], help_opt, NULL };

		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (strcmp(argv[2], cmds[i].name) == 0) {
				*cmdp = cmds[i].name;
				return cmds[i].run(2, hargv);
			}
		name = argv[2];
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(name, cmds[i].name) == 0) {
			*cmdp = cmds[i].name;
			return cmds[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "%s: unknown command '%s'\n", ctl_prog, name);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *cmd = NULL;
	int rc, i;

	/* A reader that went away is an error to report (EPIPE), not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			ctl_json = true;
	errno = 0;
	rc = run_main(argc, argv, &cmd);
	/* Under --json a failure ends with a JSON object too (after any output). */
	if (ctl_json && rc != EXIT_OK && err_msg[0] && !ferror(stdout)) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "error", err_msg);
		if (err_fix[0])
			json_str(&j, "fix", err_fix);
		json_str(&j, "command", cmd ? cmd : "");
		json_int(&j, "exit_status", rc);
		json_end(&j);
	}
	errno = 0;
	return finish_output(cmd, rc);
}
