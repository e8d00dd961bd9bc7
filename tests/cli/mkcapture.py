#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write verify --save captures by hand, from the published layout
(tunvnet-ctl(1), CAPTURE FORMAT; pcap file/record headers from tcpdump.org)
and hand-derived values: Microsoft's RSS verification tuples with their
published hashes, and the queue each lands on read off by hand
(table [0,1,2,3]: queue = hash & 3). Nothing here asks tunvnet-ctl.

usage: mkcapture.py DIR   (writes good.pcap and the variants the tests use)
       mkcapture.py --big N  (to stdout: a configuration and N frames of 65,000
                              bytes, the first tuple padded: a large stream)
"""
import os
import struct
import sys

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                       "6a42b73bbeac01fa")
MAGIC, VERSION, T_CONFIG, T_FRAME = 0x76, 1, 1, 2
L2_ETH, BACKEND_EBPF, KIND_TAP, PROFILE_EBPF = 0, 2, 2, 3
REPORT, RSS = 1, 2
TCPV4, UDPV4, TCPV6, UDPV6 = 2, 3, 5, 6
ETH = bytes.fromhex("020000000002" "020000000001")


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def tcp(sp, dp):
    return struct.pack(">HHIIBBHHH", sp, dp, 0, 0, 0x50, 0x02, 0xffff, 0, 0)


def udp(sp, dp):
    return struct.pack(">HHHH", sp, dp, 8, 0)


def eth4(src, dst, proto, l4):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0,
                     ip4(src), ip4(dst))
    return ETH + b"\x08\x00" + ip + l4


def eth6(src, dst, proto, l4):
    ip = struct.pack(">IHBB16s16s", 0x60000000, len(l4), proto, 64, ip6(src), ip6(dst))
    return ETH + b"\x86\xdd" + ip + l4


# (frame, report, hash, queue): hashes from the published table, queue = hash & 3.
FRAMES = [
    (eth4("66.9.149.187", "161.142.100.80", 6, tcp(2794, 1766)), TCPV4, 0x51ccc178, 0),
    (eth4("199.92.111.2", "65.69.140.83", 6, tcp(14230, 4739)), TCPV4, 0xc626b0ea, 2),
    (eth4("24.19.198.95", "12.22.207.184", 6, tcp(12898, 38024)), TCPV4, 0x5c2b394a, 2),
    (eth4("38.27.205.30", "209.142.163.6", 6, tcp(48228, 2217)), TCPV4, 0xafc7327f, 3),
    (eth4("153.39.163.191", "202.188.127.2", 6, tcp(44251, 1303)), TCPV4, 0x10e828a2, 2),
    (eth4("199.92.111.2", "65.69.140.83", 17, udp(14230, 4739)), UDPV4, 0xc626b0ea, 2),
    (eth6("3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 6, tcp(2794, 1766)), TCPV6,
     0x40207d3d, 1),
    (eth6("3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 17, udp(14230, 4739)), UDPV6,
     0xdde51bbf, 3),
    # ARP-typed: no report, the unclassified queue (0).
    (ETH + b"\x08\x06" + bytes(28), 0, 0, 0),
]


# A tun (raw IP; with packet info: flags 0 and the ethertype first), the
# same tuples: the Ethernet header dropped.
L2_IP, L2_IP_PI, KIND_TUN = 1, 2, 1
TUN_FRAMES = [FRAMES[i] for i in (1, 4, 5, 6)]


def tun_capture(pi):
    out = file_header() + record(config(l2=L2_IP_PI if pi else L2_IP, kind=KIND_TUN,
                                        name=b"tvtun0"))
    for f, rep, h, q in TUN_FRAMES:
        ip = f[14:]
        if pi:
            ip = b"\0\0" + f[12:14] + ip
        out += record(frame(ip, rep, h, q, l2=L2_IP_PI if pi else L2_IP))
    return out


def file_header(swap=False, snaplen=262144, linktype=147, magic=0xa1b2c3d4):
    return struct.pack((">" if swap else "<") + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def record(body, swap=False, caplen=None, origlen=None):
    caplen = len(body) if caplen is None else caplen
    origlen = caplen if origlen is None else origlen
    return struct.pack((">" if swap else "<") + "IIII", 1700000000, 0, caplen, origlen) + body


def config(queues=4, table=(0, 1, 2, 3), key=MS_KEY, types=0x3f, flags=REPORT | RSS,
           name=b"tvcap0", kernel=b"6.1.0-hand", l2=L2_ETH, kind=KIND_TAP):
    b = struct.pack("<BBBBBBBBIIIIHBBI", MAGIC, VERSION, T_CONFIG, 0, l2, BACKEND_EBPF,
                    kind, PROFILE_EBPF, flags, types, queues, 0, 0, len(key), 0, len(table))
    b += name.ljust(16, b"\0") + kernel.ljust(64, b"\0")
    assert len(b) == 112
    return b + key + b"".join(struct.pack("<H", t) for t in table)


def vnet_hdr(report, hash_value):
    # virtio_net_hdr_v1_hash, little-endian: 12 bytes of legacy + v1 fields, then
    # hash_value (4), hash_report (2), padding (2).
    return bytes(12) + struct.pack("<IHH", hash_value, report, 0)


def frame(f, report, hash_value, queue, hdr=None, version=VERSION, rtype=T_FRAME, magic=MAGIC,
          l2=L2_ETH):
    h = vnet_hdr(report, hash_value) if hdr is None else hdr
    return struct.pack("<BBBBBBBBI", magic, version, rtype, 0, l2, BACKEND_EBPF,
                       1 if h else 0, len(h), queue) + h + f


def frames(flip=None, queue_of=None):
    out = []
    for i, (f, rep, h, q) in enumerate(FRAMES):
        if flip == i:
            h ^= 1
        if queue_of and i in queue_of:
            q = queue_of[i]
        out.append(frame(f, rep, h, q))
    return out


def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def big(n):
    f, rep, h, q = FRAMES[0]
    rec = record(frame(f + bytes(65000 - len(f)), rep, h, q))
    out = sys.stdout.buffer
    out.write(file_header() + record(config()))
    for _ in range(n):
        out.write(rec)
    out.flush()


def main():
    if sys.argv[1] == "--big":
        big(int(sys.argv[2]))
        return
    d = sys.argv[1]
    good = file_header() + record(config()) + b"".join(record(r) for r in frames())
    write(d, "good.pcap", good)
    # Record 0 is the configuration: frame 3 is record 4.
    write(d, "flip.pcap", file_header() + record(config()) +
          b"".join(record(r) for r in frames(flip=3)))
    write(d, "wrongq.pcap", file_header() + record(config()) +
          b"".join(record(r) for r in frames(queue_of={1: 1})))
    write(d, "noconf.pcap", file_header() + b"".join(record(r) for r in frames()))
    write(d, "swapped.pcap", file_header(swap=True) + record(config(), swap=True) +
          b"".join(record(r, swap=True) for r in frames()))
    write(d, "header-only.pcap", file_header() + record(config()))
    write(d, "tun.pcap", tun_capture(False))
    write(d, "tunpi.pcap", tun_capture(True))
    # Hostile files.
    write(d, "empty.pcap", b"")
    write(d, "short.pcap", good[:10])
    write(d, "magic.pcap", b"\x12\x34\x56\x78" + good[4:])
    write(d, "pcapng.pcap", struct.pack("<I", 0x0a0d0d0a) + good[4:])
    write(d, "linktype.pcap", file_header(linktype=1) + good[24:])
    write(d, "trunc.pcap", good[:-5])
    write(d, "trunchdr.pcap", good + record(frames()[0])[:7])
    body = frames()[0]
    write(d, "snaplen.pcap", file_header(snaplen=60) + record(config()))  # config is 160 B
    write(d, "caplen.pcap", file_header() + record(config()) + record(body, caplen=4000))
    write(d, "cut.pcap", file_header() + record(config()) + record(body[:40], origlen=len(body)))
    write(d, "zero.pcap", file_header() + record(config()) + record(b""))
    write(d, "recmagic.pcap", file_header() + record(config()) +
          record(frame(FRAMES[0][0], TCPV4, 0x51ccc178, 0, magic=0x77)))
    write(d, "version.pcap", file_header() + record(config()) +
          record(frame(FRAMES[0][0], TCPV4, 0x51ccc178, 0, version=2)))
    write(d, "rtype.pcap", file_header() + record(config()) +
          record(frame(FRAMES[0][0], TCPV4, 0x51ccc178, 0, rtype=9)))
    write(d, "conf2.pcap", file_header() + record(body) + record(config()))
    # A header length byte of 200 in a 66-byte record.
    hl = bytearray(frame(FRAMES[0][0][:34], TCPV4, 0x51ccc178, 0))
    hl[7] = 200
    write(d, "hdrlen.pcap", file_header() + record(config()) + record(bytes(hl)))
    write(d, "queue.pcap", file_header() + record(config()) +
          record(frame(FRAMES[0][0], TCPV4, 0x51ccc178, 7)))
    write(d, "cfglen.pcap", file_header() + record(config()[:-2]))
    write(d, "cfgtable.pcap", file_header() + record(config(table=(0, 1, 2, 9))))


if __name__ == "__main__":
    main()
