#!/usr/bin/env python3
# Smoke test: the bench runs (--quick --json) and prints one well-formed JSON array.
# No timing is asserted: the machine may be shared.
import json
import subprocess
import sys

out = subprocess.run([sys.argv[1], '--quick', '--json'], check=True, stdout=subprocess.PIPE,
                     text=True, timeout=170).stdout
rows = json.loads(out)
assert isinstance(rows, list) and rows, 'empty result'
OPS = ('toeplitz', 'classify_hash', 'verify', 'rx_loop')
for r in rows:
    if r['op'] not in OPS:
        continue  # rows another part of the bench adds check themselves
    assert isinstance(r['impl'], str) and r['impl'], r
    assert isinstance(r['len'], int) and r['len'] > 0, r
    assert isinstance(r['ns_per_op'], (int, float)) and r['ns_per_op'] > 0, r
    if r['op'] in ('toeplitz', 'classify_hash'):
        assert r['mode'] in ('single', 'bulk'), r
    if r['op'] == 'verify':
        assert r['impl'] == 'tunvnet', r
        assert r['config'] in ('rss', 'automq', 'automq-vtap'), r
        assert r['flows'] in (16, 1024, 100000), r
        assert isinstance(r['queues'], int) and r['queues'] > 0, r
    if r['op'] == 'rx_loop':
        assert isinstance(r['verify'], bool), r
impls = {r['impl'] for r in rows if r['op'] == 'toeplitz'}
for need in ('tunvnet-auto', 'tunvnet-ref', 'tunvnet-table', 'textbook'):
    assert need in impls, 'missing ' + need
assert any(r['op'] == 'classify_hash' for r in rows), 'no classify_hash rows'
# Each verify row has its classify_hash row over the same frames and flows.
for r in rows:
    if r['op'] != 'verify':
        continue
    base = [b for b in rows if b['op'] == 'classify_hash' and b.get('frame') == r['frame']
            and b.get('flows') == r['flows']]
    assert base, 'no classify_hash row beside ' + str(r)
# Every configuration (report + RSS; report only, automq's per-flow table, on a tap
# and on a macvtap), each frame, each flow count: one row apiece.
for frame in ('eth-ipv4-tcp', 'eth-ipv6-tcp'):
    for flows in (16, 1024, 100000):
        for config in ('rss', 'automq', 'automq-vtap'):
            n = sum(1 for r in rows if r['op'] == 'verify' and r['frame'] == frame
                    and r['flows'] == flows and r['config'] == config)
            assert n == 1, '%d verify rows %s %d %s' % (n, frame, flows, config)
# steer rows: all three programs on all three frames, or none (no CAP_BPF, no eBPF build).
steer = [r for r in rows if r['op'] == 'steer']
for r in steer:
    assert r['impl'] in ('tunvnet-ebpf', 'textbook-ebpf', 'floor-ebpf'), r
    assert r['frame'] in ('eth-ipv4-tcp', 'eth-ipv6-tcp', 'eth-ipv6-ext-tcp'), r
    assert isinstance(r['ns_per_op'], (int, float)) and r['ns_per_op'] > 0, r
assert len(steer) in (0, 9) and len({(r['impl'], r['frame']) for r in steer}) == len(steer), steer
rx = [r for r in rows if r['op'] == 'rx_loop']
assert len(rx) in (0, 2) and (not rx or {r['verify'] for r in rx} == {True, False}), rx
# tap rows: both tap-rx and both queue-read rows, or none (no tap, no CAP_BPF).
tap = [r for r in rows if r['op'] in ('tap-rx', 'queue-read')]
for r in tap:
    assert isinstance(r['ns_per_op'], (int, float)) and r['ns_per_op'] > 0, r
    assert r['queues'] == 4 and r['frame'] == 'eth-ipv4-tcp', r
    if r['op'] == 'tap-rx':
        assert r['impl'] in ('ebpf-steer', 'kernel-default'), r
        assert isinstance(r['frames_per_s'], (int, float)) and r['frames_per_s'] > 0, r
        # the same figure twice: frames/s and ns per frame
        assert abs(r['frames_per_s'] * r['ns_per_op'] / 1e9 - 1) < 0.01, r
    else:
        assert r['impl'] in ('fill', 'plain'), r
assert len(tap) in (0, 4) and len({(r['op'], r['impl']) for r in tap}) == len(tap), tap
print('ok: %d rows, impls %s, rx_loop %s, steer %s, tap %s' % (
    len(rows), ', '.join(sorted(impls)), 'measured' if rx else 'not measured here',
    'measured' if steer else 'not measured here', 'measured' if tap else 'not measured here'))
