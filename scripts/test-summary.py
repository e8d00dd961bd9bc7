#!/usr/bin/env python3
"""Sum meson testlog.json files into the plain line CI reads.

Before it, the per-kernel figures of the VM suite (meson shows a passing
test's output to nobody): reports verified, matches, known deviations,
unexplained mismatches, frames lost, and the in-guest suite counts.
"""
import json
import re
import sys

FIGURES = re.compile(r"^(kernel \S+: reports verified .*|in-guest .*)$")

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        print(f"summary: cannot read {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        result = r.get("result")
        if ":vm / " in r.get("name", ""):
            for out in (r.get("stdout") or "").splitlines():
                if FIGURES.match(out):
                    print(f"{r['name'].split(' / ')[-1]}: {out}")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"FAILED: {r.get('name')} ({result})")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
