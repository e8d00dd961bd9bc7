#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the project's live and CLI suites inside a test kernel.

Run by run-in-vm.sh in the guest: reads meson's own test list
(BUILD/meson-info/intro-tests.json), so a test added to a suite is run here
with no edit; any build directory works (build/, build-san/, ...). The guest
root is the host's, read-only: scratch space is a tmpfs on /tmp, with the
host's /tmp/<dir> the build and source trees live in bound back over it (a
checkout under /tmp, as CI may make, stays visible). Exit 0 when nothing
failed (77 when everything skipped).
"""
import json
import os
import subprocess
import sys
import time

build, suites = os.path.realpath(sys.argv[1]), sys.argv[2].split(",")

with open(os.path.join(build, "meson-info", "intro-tests.json")) as f:
    tests = json.load(f)


def mount(*args):
    r = subprocess.run(["mount", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode:
        print("guest-tests: mount %s: %s" % (" ".join(args), r.stdout.decode().strip()),
              flush=True)
    return r.returncode == 0


def scratch_tmp():
    """A writable /tmp that hides none of the trees the tests use."""
    paths = {build}
    for t in tests:
        paths.update(a for a in t["cmd"] if a.startswith("/"))
        paths.update(v for v in (t.get("env") or {}).values() if v.startswith("/"))
    tops = sorted({p.split("/")[2] for p in map(os.path.realpath, paths)
                   if p.startswith("/tmp/") and p.split("/")[2]})
    if tops:
        os.makedirs("/run/host-tmp", exist_ok=True)
        if not mount("--bind", "/tmp", "/run/host-tmp"):
            sys.exit("guest-tests: cannot keep the host's /tmp visible: the build is under it")
    mount("-t", "tmpfs", "tmpfs", "/tmp")
    for top in tops:
        os.makedirs("/tmp/" + top, exist_ok=True)
        if not mount("--bind", "/run/host-tmp/" + top, "/tmp/" + top):
            sys.exit("guest-tests: cannot bind /tmp/%s back over the scratch tmpfs" % top)


scratch_tmp()

# Meson's timeouts are set for the host: under emulation every program is
# several times slower, and sanitizers slow it again (the whole boot stays
# bounded by TUNVNET_VM_TIMEOUT).
slow = 2 * (2 if os.environ.get("ASAN_OPTIONS") or os.environ.get("UBSAN_OPTIONS") else 1)

counts = {"passed": 0, "failed": 0, "skipped": 0}
for t in tests:
    suite = t["suite"][0].split(":")[-1] if t["suite"] else ""
    if suite not in suites:
        continue
    env = dict(os.environ)
    env.update(t.get("env") or {})
    env["TMPDIR"] = "/tmp"
    t0 = time.monotonic()
    try:
        r = subprocess.run(t["cmd"], env=env, cwd=t.get("workdir") or "/run",
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=(t.get("timeout") or 60) * slow)
        rc, out = r.returncode, r.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        rc, out = -1, (e.stdout or b"").decode(errors="replace") + "\n(timed out)"
    verdict = "passed" if rc == 0 else "skipped" if rc == 77 else "failed"
    counts[verdict] += 1
    print(f"  {suite}/{t['name']}: {verdict.upper()} (exit {rc}, "
          f"{time.monotonic() - t0:.1f} s)", flush=True)
    if verdict != "passed":
        # Why it skipped or failed, briefly.
        print("    " + "\n    ".join(out.strip().splitlines()[-40:]), flush=True)

print("in-guest %s: %d passed, %d failed, %d skipped" %
      ("+".join(suites), counts["passed"], counts["failed"], counts["skipped"]))
if counts["failed"]:
    sys.exit(1)
sys.exit(77 if counts["passed"] == 0 else 0)
