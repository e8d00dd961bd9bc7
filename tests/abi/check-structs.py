#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every public struct can grow without a new soname, and says how.

Reads include/tunvnet/tunvnet.h and lib/opts.h:
- a struct whose first member is `size_t sz` (options in, results out) ends
  with `size_t :0;`, has a TUNVNET_<NAME>_INIT macro that sets .sz, and is
  listed in TV_SIZED_STRUCTS with TV_LAST_<name> naming its last field (the
  library checks a caller's bytes past that field, so a field added without
  moving TV_LAST would be refused, or ignored);
- every other struct has a `reserved` array the library writes as zero,
  unless it is listed in FIXED below with the reason it cannot grow.
"""
import os
import re
import sys

# Structs that do not grow in place, and why.
FIXED = {
    'tunvnet_hdr': 'mirrors the virtio-net header; a longer one is a new size constant',
    'tunvnet_virtio_storage': "the caller's storage for one parse; sized by TUNVNET_KEY_MAX",
}

src = os.environ.get('TUNVNET_SOURCE_ROOT') or os.path.join(os.path.dirname(__file__), '..', '..')
header = open(os.path.join(src, 'include', 'tunvnet', 'tunvnet.h')).read()
opts_h = open(os.path.join(src, 'lib', 'opts.h')).read()


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


code = strip_comments(header)
code_nomacro = re.sub(r'^\s*#.*(?:\\\n.*)*', ' ', code, flags=re.M)
structs = {}
for m in re.finditer(r'\bstruct\s+(tunvnet_\w+)\s*\{(.*?)\}\s*;', code_nomacro, flags=re.S):
    members = [' '.join(x.split()) for x in m.group(2).split(';')]
    structs[m.group(1)] = [x for x in members if x]

last = dict(re.findall(r'#define\s+TV_LAST_(\w+)\s+(\w+)', opts_h))
table = re.search(r'#define\s+TV_SIZED_STRUCTS\(X\)((?:.*\\\n)*.*)', opts_h)
listed = set(re.findall(r'X\((\w+)\)', table.group(1))) if table else set()

errors = []
sized = set()
for name, members in sorted(structs.items()):
    if members[0] == 'size_t sz':
        sized.add(name)
        if members[-1].replace(' ', '') != 'size_t:0':
            errors.append(f'struct {name}: the last member is "{members[-1]}", not "size_t :0"')
            named = members[-1]
        else:
            named = members[-2]
        field = re.findall(r'(\w+)\s*(?:\[[^]]*\])?\s*$', named)
        field = field[0] if field else '?'
        if name not in listed:
            errors.append(f'struct {name} has a size member but is not in TV_SIZED_STRUCTS (lib/opts.h)')
        if last.get(name) != field:
            errors.append(f'struct {name}: its last field is {field}, but lib/opts.h says '
                          f'TV_LAST_{name} is {last.get(name)} (move it with the field)')
        init = name.upper() + '_INIT'
        m = re.search(r'#define\s+' + init + r'\b((?:.*\\\n)*.*)', header)
        if not m:
            errors.append(f'struct {name} has no {init} macro')
        elif not re.search(r'\.sz\s*=\s*sizeof\s*\(\s*struct\s+' + name + r'\s*\)', m.group(1)):
            errors.append(f'{init} does not set .sz = sizeof(struct {name})')
    elif name in FIXED:
        pass
    elif not any(re.match(r'\w+\s+reserved\s*\[', x) for x in members):
        errors.append(f'struct {name} has neither a size member nor a reserved[] array '
                      f'array: it cannot grow without a new soname (or add it to FIXED in '
                      f'{os.path.basename(__file__)} with the reason)')
for name in sorted(listed - sized):
    errors.append(f'TV_SIZED_STRUCTS lists {name}, which has no size member in the header')
for name in sorted(set(FIXED) - set(structs)):
    errors.append(f'FIXED lists {name}, which the header does not define')

for e in errors:
    print('FAIL:', e)
if errors:
    sys.exit(1)
print(f'{len(sized)} sized structs, {len(structs) - len(sized) - len(FIXED)} with reserved '
      f'space, {len(FIXED)} fixed: all can grow')
