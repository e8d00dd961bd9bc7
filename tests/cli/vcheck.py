#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vcheck.py: check what 'tunvnet-ctl verify/demo --json' printed (cli tests).

  vcheck.py summary JSONL PACKETS MISMATCHES QUEUES [MIN_QUEUES_USED]
      verify's output: the last line is the summary ("summary": "verify"):
      packets, mismatches, per_queue of QUEUES entries summing to PACKETS (at
      least MIN_QUEUES_USED of them non-zero); one check line per mismatch
      and per known deviation, each with exactly the check keys below
      (verify --pcap's, told by "capture": its summary keys, "record" on
      each check line)
  vcheck.py demo JSONL BACKEND MODE FLOWS
      demo's output: FLOWS check lines (the check keys plus received and
      mode = MODE) from BACKEND, then a summary ("summary": "demo")
  vcheck.py samekeys DEMO_JSONL VERIFY_JSONL
      a demo flow line and a verify check line have the same keys (demo's
      received and mode aside; why only where the verdict is not a match),
      the same value types, and flows of one kind the same flow keys; the
      two summaries share the same common keys
  vcheck.py mankeys MAN JSONL
      tunvnet-ctl(1)'s JSON OUTPUT lists exactly the keys of JSONL's first
      check line, in their order, and names every key of its summary line
  vcheck.py pcap PCAP JSONL
      PCAP is a valid little- or big-endian pcap (Ethernet) holding exactly
      the frames of JSONL's mismatch lines (same source addresses, same count)

The schema is tunvnet-ctl(1)'s JSON OUTPUT, written out here by hand (not
taken from the tool): the check keys, their types, the virtio report numbers.

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
VERDICTS = ("match", "known-deviation", "mismatch", "unchecked")
# The virtio specification's hash report numbers (VIRTIO_NET_HASH_REPORT_*).
REPORTS = {0: "none", 1: "ipv4", 2: "tcpv4", 3: "udpv4", 4: "ipv6", 5: "tcpv6",
           6: "udpv6", 7: "ipv6_ex", 8: "tcpv6_ex", 9: "udpv6_ex"}
# The per-packet check object (tunvnet-ctl(1), JSON OUTPUT); "why" besides
# when the verdict is not a match.
CHECK_KEYS = {"verdict": str, "device": (str, type(None)), "backend": str,
              "kernel": (str, type(None)),
              "queue": int, "expected_queue": int, "flow": dict, "kind": str,
              "report": int, "report_name": str, "expected_report": int,
              "expected_report_name": str, "hash": str, "expected_hash": str,
              "deviations": list}
DEMO_EXTRA = {"received": bool, "mode": str}
# The summary object's keys shared by every command printing one.
SUMMARY_KEYS = {"summary": str, "device": (str, type(None)), "backend": str,
                "kernel": (str, type(None)),
                "packets": int, "matches": int, "known_deviations": int, "mismatches": int,
                "unchecked": int}
VERIFY_SUMMARY_EXTRA = {"discarded_before_start", "key", "seconds", "per_queue"}
VERIFY_SUMMARY_OPTIONAL = {"key"}  # only with RSS
# verify --pcap: no timing or draining, the file and its record count instead;
# each check object names its record.
PCAP_SUMMARY_EXTRA = {"capture", "records", "key", "per_queue"}
PCAP_CHECK_EXTRA = {"record": int}
DEMO_SUMMARY_EXTRA = {"mode", "uapi", "flows", "problems"}
HASH_RE = re.compile(r"0x[0-9a-f]{8}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def typed(v, t):
    if t is int:
        return is_int(v)
    return isinstance(v, t)


def check_flow(o):
    f = o.get("flow")
    if not isinstance(f, dict):
        bad("flow is not an object: %s" % o)
        return
    if not is_int(f.get("ethertype")) or not isinstance(f.get("flags"), list):
        bad("flow without ethertype and flags: %s" % f)
        return
    if "ipv4" in f["flags"] or "ipv6" in f["flags"]:
        for k in ("src", "dst"):
            try:
                a = ipaddress.ip_address(f.get(k))
                if a.version != (4 if "ipv4" in f["flags"] else 6):
                    bad("flow %s %r is not an %s address" % (k, f.get(k), f["flags"]))
            except ValueError:
                bad("flow %s %r is not an address" % (k, f.get(k)))
        if not is_int(f.get("proto")):
            bad("IP flow without proto: %s" % f)
    if "ports" in f["flags"]:
        for k in ("src_port", "dst_port"):
            if not is_int(f.get(k)) or not 0 <= f[k] <= 65535:
                bad("flow %s %r is not a port" % (k, f.get(k)))


def check_obj(o, extra=None):
    """One check object: exactly the check keys (+ extra), with their types."""
    want = dict(CHECK_KEYS)
    want.update(extra or {})
    if o.get("verdict") != "match":
        want["why"] = str
    if set(o) != set(want):
        bad("check keys %s, want %s: %s" % (sorted(o), sorted(want), o))
    for k, t in want.items():
        if k in o and not typed(o[k], t):
            bad("%s is %r, not %s" % (k, o[k], t))
    if o.get("verdict") not in VERDICTS:
        bad("verdict %r" % o.get("verdict"))
    for p in ("", "expected_"):
        r = o.get(p + "report")
        if is_int(r) and REPORTS.get(r) != o.get(p + "report_name"):
            bad("%sreport %r with %sreport_name %r" % (p, r, p, o.get(p + "report_name")))
        if not HASH_RE.fullmatch(str(o.get(p + "hash"))):
            bad("%shash %r is not 0x%%08x" % (p, o.get(p + "hash")))
    d = o.get("deviations")
    if isinstance(d, list) and any(n not in DEVIATIONS for n in d):
        bad("unknown deviation in %s" % d)
    check_flow(o)


def check_summary(s, cmd, extra, optional=()):
    want = set(SUMMARY_KEYS) | extra
    if set(s) | set(optional) != want | set(optional):
        bad("%s summary keys %s, want %s" % (cmd, sorted(s), sorted(want)))
    for k, t in SUMMARY_KEYS.items():
        if k in s and not typed(s[k], t):
            bad("summary %s is %r, not %s" % (k, s[k], t))
    if s.get("summary") != cmd:
        bad("summary %r, want %r" % (s.get("summary"), cmd))


def flow_src(flow):
    return str(ipaddress.ip_address(flow["src"]))


def summary(path, packets, mismatches, queues, min_used=0):
    objs = load(path)
    if not objs or "summary" not in objs[-1]:
        bad("no summary line last")
        return
    s = objs[-1]
    for o in objs[:-1]:
        if "summary" in o:
            bad("more than one summary line")
    offline = "capture" in s
    check_summary(s, "verify", PCAP_SUMMARY_EXTRA if offline else VERIFY_SUMMARY_EXTRA,
                  VERIFY_SUMMARY_OPTIONAL)
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
    for o in objs[:-1]:
        check_obj(o, PCAP_CHECK_EXTRA if offline else None)
        if (o.get("device"), o.get("backend"), o.get("kernel")) != \
                (s.get("device"), s.get("backend"), s.get("kernel")):
            bad("device/backend/kernel differ from the summary's: %s" % o)
        if not 0 <= o.get("queue", -1) < queues:
            bad("queue %r: verify reads from 0..%d" % (o.get("queue"), queues - 1))
    for o in ml:
        if (o.get("expected_hash"), o.get("expected_report"), o.get("expected_queue")) == \
                (o.get("hash"), o.get("report"), o.get("queue")):
            bad("mismatch with expected == observed: %s" % o)


def demo(path, backend, mode, flows):
    objs = load(path)
    if len(objs) != flows + 1:
        bad("%d lines, want %d flow lines and a summary" % (len(objs), flows))
        return
    for o in objs[:-1]:
        check_obj(o, DEMO_EXTRA)
        if o.get("backend") != backend or o.get("mode") != mode:
            bad("want backend %s, mode %s: %s" % (backend, mode, o))
        if o.get("received") != (o.get("queue") != -1):
            bad("received %r with queue %r" % (o.get("received"), o.get("queue")))
    s = objs[-1]
    check_summary(s, "demo", DEMO_SUMMARY_EXTRA)
    if s.get("backend") != backend or s.get("mode") != mode or s.get("flows") != flows:
        bad("demo summary: want backend %s, mode %s, flows %d: %s" % (backend, mode, flows, s))
    if s.get("packets") != sum(1 for o in objs[:-1] if o.get("received")):
        bad("demo summary packets %r, not the received lines" % s.get("packets"))


def samekeys(demo_path, verify_path):
    d, v = load(demo_path), load(verify_path)
    dl = [o for o in d if "verdict" in o]
    vl = [o for o in v if "verdict" in o]
    ds = [o for o in d if "summary" in o]
    vs = [o for o in v if "summary" in o]
    if not dl or not vl or not ds or not vs:
        bad("need check lines and a summary from both (demo %d+%d, verify %d+%d)" %
            (len(dl), len(ds), len(vl), len(vs)))
        return

    def shape(o, drop):
        return {k: type(o[k]).__name__ for k in o if k not in drop}

    shapes = {repr(shape(o, ("received", "mode", "why"))) for o in dl} | \
        {repr(shape(o, ("why",))) for o in vl}
    if len(shapes) != 1:
        bad("demo flow lines and verify check lines differ in keys or types: %s" %
            " / ".join(sorted(shapes)))
    for o in dl + vl:
        if ("why" in o) != (o.get("verdict") != "match"):
            bad("why present/absent against the verdict: %s" % o)
    fk = {}
    for o in dl + vl:
        if isinstance(o.get("flow"), dict):
            fk.setdefault(o.get("kind"), []).append(sorted(o["flow"]))
    if not any(len(ks) > 1 for ks in fk.values()):
        bad("no flow kind in both outputs to compare flow keys: %s" % sorted(fk))
    for kind, ks in fk.items():
        if any(k != ks[0] for k in ks):
            bad("flows of kind %s with different keys: %s" % (kind, ks))
    a = {k: type(ds[-1][k]).__name__ for k in ds[-1] if k not in DEMO_SUMMARY_EXTRA}
    b = {k: type(vs[-1][k]).__name__ for k in vs[-1] if k not in VERIFY_SUMMARY_EXTRA}
    if a != b:
        bad("demo summary %s and verify summary %s differ" % (a, b))


def man_section(text, start, end):
    """The roff between the .SS/.SH lines start and end."""
    a = text.index(start)
    return text[a:text.index(end, a)]


def mankeys(man, jsonl):
    with open(man) as f:
        text = f.read()
    objs = load(jsonl)
    checks = [o for o in objs if "verdict" in o]
    sums = [o for o in objs if "summary" in o]
    if not checks or not sums:
        bad("%s: need a check line and a summary" % jsonl)
        return
    # Each key of a check object is a tagged paragraph: .TP then .B key.
    sec = man_section(text, ".SS Check objects", ".SS Summary objects").splitlines()
    listed = [sec[i + 1][3:].strip() for i in range(len(sec) - 1)
              if sec[i] == ".TP" and sec[i + 1].startswith(".B ")]
    if "why" not in checks[0]:  # a match has none
        listed = [k for k in listed if k != "why"]
    if checks[0].get("mode") is None:  # not demo: none of demo's own keys
        listed = [k for k in listed if k not in DEMO_EXTRA]
    if "record" not in checks[0]:  # verify --pcap's own
        listed = [k for k in listed if k != "record"]
    if listed != list(checks[0]):
        bad("tunvnet-ctl(1) lists the check keys %s, the tool prints %s" %
            (listed, list(checks[0])))
    sec = man_section(text, ".SS Summary objects", ".SS Errors")
    words = set(re.findall(r"^\.B[R]? ([a-z_]+)", sec, re.M))
    missing = [k for k in sums[-1] if k not in words]
    if missing:
        bad("tunvnet-ctl(1) does not name the summary keys %s" % missing)


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
    elif cmd == "demo":
        a = sys.argv[2:]
        demo(a[0], a[1], a[2], int(a[3]))
    elif cmd == "mankeys":
        mankeys(sys.argv[2], sys.argv[3])
    elif cmd == "samekeys":
        samekeys(sys.argv[2], sys.argv[3])
    elif cmd == "pcap":
        pcap(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: vcheck.py summary|demo|samekeys|pcap ...")
    for p in problems:
        print("vcheck: " + p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
