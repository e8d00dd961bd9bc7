#!/bin/sh
# SPDX-License-Identifier: MIT
# hash's defaults (all nine types, profile spec) differ from set/verify's
# (six types; profile linux on the kernel backend, ebpf elsewhere): the help
# of all three says why and names the flags that make hash predict what
# verify expects, and those flags do. The frame: Microsoft's IPv6 TCP vector
# (3ffe:2501:200:1fff::7:2794 -> 3ffe:2501:200:3::1:1766, hash 0x40207d3d
# over addresses and ports, 0x2cc18cd5 over addresses) behind an 8-byte
# Destination Options header holding only padding. By hand:
#  - virtio spec 5.1.6.4.3.4, TCP_EX enabled, extension headers present:
#    report tcpv6_ex (8); no Home Address option and no type 2 routing
#    header, so the hash is over the header's addresses: 0x40207d3d.
#  - the kernel series (verify's kernel backend, profile linux): no _EX
#    types; its flow dissector walks past Destination Options to TCP:
#    tcpv6 (5), 0x40207d3d.
#  - six types under the spec's rules (ebpf/user backends, profile ebpf):
#    the _EX types are off, so 5.1.6.4.3.3 applies: tcpv6 (5), 0x40207d3d.
#  - 4 queues, verify's default table [0,1,2,3]: 0x40207d3d & 3 = queue 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/frames.sh"

command -v python3 >/dev/null || { echo "no python3 to read the demo's JSON" >&2; exit 77; }

ETH=020000000002020000000001
# IPv6: payload 28 (8 options + 20 TCP), next header 60 (Destination Options).
IP6=86dd6000000000183c40
IP6=${IP6}3ffe250102001fff0000000000000007
IP6=${IP6}3ffe2501020000030000000000000001
DSTOPTS=0600010400000000   # next 6 (TCP), length 0 (8 bytes), PadN of 4
TCP=0aea06e600000000000000005002ffff00000000
FRAME=$ETH$IP6$DSTOPTS$TCP
[ ${#FRAME} -eq $((2 * (14 + 40 + 8 + 20))) ] || fail "test frame is ${#FRAME} digits"

# The defaults: what the spec says.
expect 0 hash --json "$FRAME"
out_has '"report":8,"report_name":"tcpv6_ex","hash":"0x40207d3d"'
out_has '"profile":"spec"'

# The hint, in the three commands' help.
expect 0 hash --help
out_has "hash --types 0x3f --profile linux     on the kernel backend"
out_has "hash --types 0x3f --profile ebpf      on the ebpf and user backends"
out_has "Defaults differ from"
expect 0 verify --help
out_has "hash --types 0x3f --profile linux     on the kernel backend"
out_has "hash --types 0x3f --profile ebpf      on the ebpf and user backends"
out_has "Defaults differ from"
expect 0 set --help
out_has "Defaults differ from"
out_has "'verify --help' names the 'hash'"

# The hinted flags give what verify expects.
expect 0 hash --json --types 0x3f --profile linux --queues 4 "$FRAME"
out_has '"report":5,"report_name":"tcpv6","hash":"0x40207d3d","queue":1,'
expect 0 hash --json --types 0x3f --profile ebpf --queues 4 "$FRAME"
out_has '"report":5,"report_name":"tcpv6","hash":"0x40207d3d","queue":1,'
# And the demo's reference (verify's defaults on 4 queues) agrees for the
# same tuple without the options header.
expect 0 demo --offline --json
python3 -c '
import json, sys
# The reference side of a check object: expected_* (the demo/verify schema).
rows = [json.loads(ln) for ln in open(sys.argv[1]) if ln.strip()]
hit = [r for r in rows if r.get("expected_hash") == "0x40207d3d"]
ok = len(hit) == 1 and all(r.get("expected_report") == 5 and r.get("expected_queue") == 1
                           for r in hit)
sys.exit(0 if ok else "demo --offline --json: not one tcpv6 0x40207d3d on queue 1: %r" % hit)
' "$OUT" || fail "the demo reference disagrees with hash --types 0x3f --profile linux"
# Only the types matter on IPv4: the same under both.
expect 0 hash --json --types 0x3f --profile linux "$TCP4"
out_has '"report":2,"report_name":"tcpv4","hash":"0x51ccc178"'
done_tests
