#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sendframes.py DEV N [DST_MAC]: send N Ethernet frames of several flows into DEV.

Used by the cli verify tests: AF_PACKET/SOCK_RAW bound to a tap (or to a
macvtap's parent), so the frames leave through the device's queues. The
flows cycle through IPv4 TCP/UDP/ICMP, IPv6 TCP/UDP/no-next-header and a
non-IP (ARP-typed) frame, with varying addresses and ports so RSS spreads
them. DST_MAC defaults to 02:00:00:00:00:02.
Prints the number of non-IP frames sent on stdout.
"""
import socket
import struct
import sys
import time

DST = bytes.fromhex(sys.argv[3].replace(":", "") if len(sys.argv) > 3 else "020000000002")
SRC = bytes.fromhex("020000000001")


def eth(etype, payload):
    frame = DST + SRC + struct.pack("!H", etype) + payload
    return frame + bytes(max(0, 60 - len(frame)))


def ipv4(proto, i, l4):
    src = bytes([10, 1, i % 251, 1 + i % 200])
    dst = bytes([192, 168, (i * 7) % 256, 2])
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), i & 0xFFFF, 0, 64,
                       proto, 0, src, dst) + l4


def ipv6(nxt, i, l4):
    src = bytes.fromhex("20010db8000000000000000000000000")[:14] + struct.pack("!H", i + 1)
    dst = bytes.fromhex("20010db8000100000000000000000000")[:14] + struct.pack("!H", i * 3 + 7)
    return struct.pack("!IHBB", 0x60000000, len(l4), nxt, 64) + src + dst + l4


def tcp(i):
    return struct.pack("!HHIIBBHHH", 1024 + i * 13, 80 + i % 7, 0, 0, 0x50, 0x02,
                       0xFFFF, 0, 0)


def udp(i):
    return struct.pack("!HHHH", 2000 + i * 17, 53 + i % 5, 8 + 4, 0) + b"abcd"


def frame(i):
    kind = i % 7
    if kind == 0:
        return eth(0x0800, ipv4(6, i, tcp(i)))
    if kind == 1:
        return eth(0x0800, ipv4(17, i, udp(i)))
    if kind == 2:
        return eth(0x0800, ipv4(1, i, bytes([8, 0, 0, 0, 0, 1, 0, i & 0xFF])))  # ICMP echo
    if kind == 3:
        return eth(0x86DD, ipv6(6, i, tcp(i)))
    if kind == 4:
        return eth(0x86DD, ipv6(17, i, udp(i)))
    if kind == 5:
        return eth(0x86DD, ipv6(59, i, b""))                # no next header
    return eth(0x0806, bytes(28))                           # ARP-typed: not IP


def main():
    dev, n = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((dev, 0))
    non_ip = 0
    for i in range(n):
        f = frame(i)
        for attempt in range(50):
            try:
                s.send(f)
                break
            except OSError as e:        # ENOBUFS and the like: back off
                if attempt == 49:
                    raise
                time.sleep(0.05)
        non_ip += f[12:14] == b"\x08\x06"
        if i % 8 == 7:
            time.sleep(0.01)            # never outrun the reader's ring
    print(non_ip)


if __name__ == "__main__":
    main()
