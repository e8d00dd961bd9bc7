#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vcheck.py: check what 'tunvnet-ctl verify --json' printed (cli tests).

  vcheck.py summary JSONL PACKETS MISMATCHES QUEUES [MIN_QUEUES_USED]
      the last line is the summary: packets, mismatches, per_queue of QUEUES
      entries summing to PACKETS (at least MIN_QUEUES_USED of them non-zero);
      one mismatch line per mismatch, each with flow, expected and observed
  vcheck.py pcap PCAP JSONL
      PCAP is a valid little- or big-endian pcap (Ethernet) holding exactly
      the frames of JSONL's mismatch lines (same source addresses, same count)

Problems go to stderr, exit 1; exit 0 when all is well.
"""
import ipaddress
import json
import re
import struct
import sys

problems = []


def bad(msg):
    problems.append(msg)


def load(path):
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    objs = []
    for ln in lines:
        try:
            objs.append(json.loads(ln))
        except ValueError:
            bad("not a JSON line: %r" % ln[:200])
    return objs


def mismatch_lines(objs):
    return [o for o in objs if o.get("verdict") == "mismatch"]


def known_lines(objs):
    return [o for o in objs if o.get("verdict") == "known-deviation"]


DEVIATIONS = ("automq-value-is-queue", "short-key-ipv6", "vlan-af-packet", "tunnel-inner")


def flow_src(flow):
    """'10.0.0.1:80 -> ...', '[2001:db8::1]:80 -> ...', '2001:db8::1 -> ...'"""
    src = flow.split(" -> ")[0]
    m = re.fullmatch(r"\[(.*)\]:\d+", src) or re.fullmatch(r"([0-9.]+):\d+", src)
    return str(ipaddress.ip_address(m.group(1) if m else src))


def summary(path, packets, mismatches, queues, min_used=0):
    objs = load(path)
    if not objs or "summary" not in objs[-1]:
        bad("no summary line last")
        return
    s = objs[-1]
    for o in objs[:-1]:
        if "summary" in o:
            bad("more than one summary line")
    if s.get("packets") != packets:
        bad("packets %s, want %d" % (s.get("packets"), packets))
    if s.get("mismatches") != mismatches:
        bad("mismatches %s, want %d" % (s.get("mismatches"), mismatches))
    if s.get("matches", 0) + s.get("known_deviations", 0) + s.get("mismatches", 0) + \
            s.get("unchecked", 0) != s.get("packets"):
        bad("matches+known+mismatches+unchecked != packets: %s" % s)
    pq = s.get("per_queue")
    if not isinstance(pq, list) or len(pq) != queues:
        bad("per_queue %r, want %d entries" % (pq, queues))
    else:
        if sum(pq) != packets:
            bad("per_queue %r sums to %d, want %d" % (pq, sum(pq), packets))
        if sum(1 for n in pq if n) < min_used:
            bad("per_queue %r: fewer than %d queues used" % (pq, min_used))
    ml = mismatch_lines(objs)
    if len(ml) != mismatches:
        bad("%d mismatch lines, want %d" % (len(ml), mismatches))
    kl = known_lines(objs)
    if len(kl) != s.get("known_deviations", 0):
        bad("%d known-deviation lines, summary says %s" % (len(kl), s.get("known_deviations")))
    for o in kl:
        d = o.get("deviations")
        if not isinstance(d, list) or not d or any(n not in DEVIATIONS for n in d):
            bad("known-deviation line without named deviations: %s" % o)
    if any(o.get("verdict") not in ("mismatch", "known-deviation") for o in objs if "verdict" in o):
        bad("a verdict line that is neither mismatch nor known-deviation")
    for o in ml:
        for k in ("verdict", "queue", "flow", "kind", "expected_report", "observed_report",
                  "expected_hash", "observed_hash", "expected_queue", "observed_queue", "why"):
            if k not in o:
                bad("mismatch line lacks %s: %s" % (k, o))
        if o.get("verdict") != "mismatch":
            bad("verdict %r" % o.get("verdict"))
        if (o.get("expected_hash"), o.get("expected_report"), o.get("expected_queue")) == \
                (o.get("observed_hash"), o.get("observed_report"), o.get("observed_queue")):
            bad("mismatch with expected == observed: %s" % o)


def pcap(path, jsonl):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        bad("pcap shorter than its header (%d bytes)" % len(data))
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        bad("bad pcap magic %s" % magic.hex())
        return
    major, minor, _, _, snaplen, linktype = struct.unpack(e + "HHiIII", data[4:24])
    if (major, minor) != (2, 4):
        bad("pcap version %d.%d" % (major, minor))
    if linktype != 1:
        bad("pcap link type %d, want 1 (Ethernet)" % linktype)
    off, srcs = 24, []
    while off < len(data):
        if off + 16 > len(data):
            bad("truncated record header at %d" % off)
            break
        _, _, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        if len(frame) != incl or incl > orig:
            bad("bad record at %d (incl %d, orig %d)" % (off, incl, orig))
            break
        off += 16 + incl
        etype = frame[12:14]
        if etype == b"\x08\x00":
            srcs.append(str(ipaddress.ip_address(frame[26:30])))
        elif etype == b"\x86\xdd":
            srcs.append(str(ipaddress.ip_address(frame[22:38])))
        else:
            bad("non-IP frame (ethertype %s) saved as a mismatch" % etype.hex())
    want = sorted(flow_src(o["flow"]) for o in mismatch_lines(load(jsonl)))
    if len(srcs) != len(want):
        bad("pcap holds %d records, %d mismatches were reported" % (len(srcs), len(want)))
    elif sorted(srcs) != want:
        bad("pcap frames %s differ from the mismatching flows %s" % (sorted(srcs), want))


def main():
    cmd = sys.argv[1]
    if cmd == "summary":
        a = sys.argv[2:]
        summary(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]) if len(a) > 4 else 0)
    elif cmd == "pcap":
        pcap(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: vcheck.py summary|pcap ...")
    for p in problems:
        print("vcheck: " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
