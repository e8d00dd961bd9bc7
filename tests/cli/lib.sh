# SPDX-License-Identifier: MIT
# Shared by the cli tests: run tunvnet-ctl, check status and output.
set -u
CTL=${TUNVNET_CTL:-${TUNVNET_BUILD_ROOT:?set by meson}/tools/tunvnet-ctl}
NO_COLOR=1
export NO_COLOR
failures=0
OUT=$(mktemp) ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"' EXIT

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# run CMD...: run tunvnet-ctl, status in $rc, stdout in $OUT, stderr in $ERR.
run() { "$CTL" "$@" >"$OUT" 2>"$ERR"; rc=$?; }

# expect STATUS ARGS...: run and check the exit status.
expect() {
	want=$1; shift
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		fail "tunvnet-ctl $* exited $rc, want $want"
		sed 's/^/  out: /' "$OUT" >&2; sed 's/^/  err: /' "$ERR" >&2
	fi
}

# out_has TEXT / err_has TEXT / out_is TEXT: check the last run's output.
out_has() { grep -qF -- "$1" "$OUT" || { fail "stdout lacks '$1'"; sed 's/^/  out: /' "$OUT" >&2; }; }
err_has() { grep -qiF -- "$1" "$ERR" || { fail "stderr lacks '$1'"; sed 's/^/  err: /' "$ERR" >&2; }; }
out_is() {
	[ "$(cat "$OUT")" = "$1" ] || fail "stdout is '$(cat "$OUT")', want '$1'"
}
out_empty() { [ ! -s "$OUT" ] || fail "stdout not empty: $(head -c 200 "$OUT")"; }

# Whether the running kernel has the feature (the VM suite runs these too).
# A probe that wrongly says "no feature" must not turn the feature checks into
# passing no-feature checks: where the harness says which generation the
# kernel speaks (TUNVNET_EXPECT_UAPI: A, B or none), a disagreement fails.
have_feature() {
	if [ -n "${TUNVNET_EXPECT_UAPI:-}" ]; then
		hf_uapi=$("$CTL" caps --json 2>/dev/null | sed -n 's/.*"uapi":"\([A-Za-z]*\)".*/\1/p')
		[ "$hf_uapi" = "$TUNVNET_EXPECT_UAPI" ] ||
			fail "caps says uAPI '$hf_uapi', this kernel speaks '$TUNVNET_EXPECT_UAPI' (TUNVNET_EXPECT_UAPI)"
	fi
	"$CTL" caps --check >/dev/null 2>&1
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# oper_up DEV [TENTHS]: wait (default 10 s) until DEV's operstate is "up".
# IFF_UP alone is not enough: after a carrier change (a persistent tap whose
# queues were closed and opened again) the kernel drops what is sent
# (tx_dropped) until its link watch has run. "unknown" counts as up, as the
# kernel's netif_oper_up() counts it (a link whose carrier never changed).
oper_up() {
	ou_i=0
	while :; do
		case $(cat "/sys/class/net/$1/operstate" 2>/dev/null) in
		up | unknown) return 0 ;;
		esac
		[ "$ou_i" -ge "${2:-100}" ] && return 1
		sleep 0.1; ou_i=$((ou_i + 1))
	done
	return 0
}

# vcheck ARGS...: tests/cli/vcheck.py (checks --json output against the
# documented schema), a failure counted. python3 is a build dependency.
vcheck() {
	command -v python3 >/dev/null 2>&1 || { fail "no python3 to run vcheck.py $1"; return; }
	python3 -S "$(dirname "$0")/vcheck.py" "$@" || fail "vcheck.py $*"
}

done_tests() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}
