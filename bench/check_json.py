#!/usr/bin/env python3
# Smoke test: the bench runs (--quick --json) and prints one well-formed JSON array.
# No timing is asserted: the machine may be shared.
import json
import subprocess
import sys

out = subprocess.run([sys.argv[1], '--quick', '--json'], check=True, stdout=subprocess.PIPE,
                     text=True, timeout=120).stdout
rows = json.loads(out)
assert isinstance(rows, list) and rows, 'empty result'
for r in rows:
    assert r['op'] in ('toeplitz', 'classify_hash'), r
    assert isinstance(r['impl'], str) and r['impl'], r
    assert isinstance(r['len'], int) and r['len'] > 0, r
    assert r['mode'] in ('single', 'bulk'), r
    assert isinstance(r['ns_per_op'], (int, float)) and r['ns_per_op'] > 0, r
impls = {r['impl'] for r in rows if r['op'] == 'toeplitz'}
for need in ('tunvnet-auto', 'tunvnet-ref', 'tunvnet-table', 'textbook'):
    assert need in impls, 'missing ' + need
assert any(r['op'] == 'classify_hash' for r in rows), 'no classify_hash rows'
print('ok: %d rows, impls %s' % (len(rows), ', '.join(sorted(impls))))
