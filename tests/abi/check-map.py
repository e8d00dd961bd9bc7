#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The symbol map names every public function, each once, under its node.

lib/libtunvnet.map lists each symbol explicitly (no glob in a global:
section) under the version node that introduced it; every TUNVNET_API
function of include/tunvnet/tunvnet.h is in it and it names nothing else;
only the newest node may gain symbols (older nodes are released). With the
built library as argument, the library also exports exactly these symbols,
each with the version its node gives.
  check-map.py [LIBRARY]
"""
import os
import re
import subprocess
import sys

src = os.environ.get('TUNVNET_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__), '..', '..')
header = open(os.path.join(src, 'include', 'tunvnet', 'tunvnet.h')).read()
mapfile = open(os.path.join(src, 'lib', 'libtunvnet.map')).read()
errors = []

code = re.sub(r'/\*.*?\*/', ' ', header, flags=re.S)
declared = set(re.findall(r'\bTUNVNET_API\b[^;{]*?\b(tunvnet_\w+)\s*\(', code))
if not declared:
    errors.append('no TUNVNET_API function found in the header')

text = re.sub(r'/\*.*?\*/', ' ', mapfile, flags=re.S)
text = re.sub(r'#[^\n]*', ' ', text)
nodes = []  # (name, parent, [symbols])
for m in re.finditer(r'(\w[\w.]*)\s*\{(.*?)\}\s*([\w.]*)\s*;', text, flags=re.S):
    name, body, parent = m.group(1), m.group(2), m.group(3)
    section, syms = None, []
    for tok in re.findall(r'[^\s;:]+:|[^\s;]+', body):
        if tok.endswith(':'):
            section = tok[:-1]
        elif section == 'global':
            if any(c in tok for c in '*?['):
                errors.append(f'node {name}: global pattern "{tok}"; list each symbol')
            syms.append(tok)
        elif section == 'local' and tok != '*':
            errors.append(f'node {name}: local: lists "{tok}"; only "*" is expected')
    nodes.append((name, parent, syms))
if not nodes:
    errors.append('no version node in lib/libtunvnet.map')

where = {}
for name, parent, syms in nodes:
    if not re.fullmatch(r'TUNVNET_\d+\.\d+', name):
        errors.append(f'node {name} is not named TUNVNET_MAJOR.MINOR')
    for s in syms:
        if s in where:
            errors.append(f'{s} is listed twice (nodes {where[s]} and {name})')
        where[s] = name
    if syms != sorted(syms):
        errors.append(f'node {name}: symbols not in alphabetical order (keeps diffs reviewable)')
for i, (name, parent, _) in enumerate(nodes[1:], 1):
    if parent != nodes[i - 1][0]:
        errors.append(f'node {name} should inherit the one before it ({nodes[i - 1][0]}), not "{parent}"')
for s in sorted(declared - set(where)):
    errors.append(f'{s} is declared TUNVNET_API but not in lib/libtunvnet.map: add it to the '
                  f'newest node (a released node never changes; start a new one for a release)')
for s in sorted(set(where) - declared):
    errors.append(f'{s} is in lib/libtunvnet.map but not declared TUNVNET_API in the header')

if len(sys.argv) > 1:
    out = subprocess.run(['readelf', '--dyn-syms', '-W', sys.argv[1]], capture_output=True,
                         text=True, check=True).stdout
    exported = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[6] != 'UND' and f[4] in ('GLOBAL', 'WEAK') and '@' in f[7]:
            sym, _, ver = f[7].partition('@')
            exported[sym] = ver.lstrip('@')
    for s, node in sorted(where.items()):
        if s not in exported:
            errors.append(f'{s} is in the map but the library does not export it')
        elif exported[s] != node:
            errors.append(f'{s} is exported as {s}@{exported[s]}, the map says {node}')
    for s in sorted(set(exported) - set(where)):
        if s in [n for n, _, _ in nodes]:
            continue  # the version node's own (ABS) symbol
        errors.append(f'the library exports {s}@{exported[s]}, which the map does not list')

for e in errors:
    print('FAIL:', e)
if errors:
    sys.exit(1)
print(f'{len(declared)} functions, each in the map once: ' +
      ', '.join(f'{n} ({len(s)})' for n, _, s in nodes))
