#!/usr/bin/env python3
"""ping.py -- one ICMP/ICMPv6 echo, for the lab's hop checks where iputils ping is absent.

usage: ping.py ADDRESS [TIMEOUT_S]   exit 0 when an echo reply from ADDRESS arrives in time.
Needs a raw socket (root); the lab runs it inside a namespace.
"""
import os
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    addr = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) == 3 else 1.0
    v6 = ":" in addr
    ident = os.getpid() & 0xFFFF
    if v6:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        echo, reply = 128, 129
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        echo, reply = 8, 0
    payload = b"dnsleak-lab"
    hdr = struct.pack("!BBHHH", echo, 0, 0, ident, 1)
    # The kernel fills in the ICMPv6 checksum (it needs the pseudo-header).
    csum = 0 if v6 else checksum(hdr + payload)
    sock.sendto(struct.pack("!BBHHH", echo, 0, csum, ident, 1) + payload, (addr, 0))
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 1
        if not select.select([sock], [], [], left)[0]:
            return 1
        data, src = sock.recvfrom(2048)
        if not v6:
            data = data[(data[0] & 0x0F) * 4:]  # IPv4 raw sockets include the IP header
        if len(data) < 8:
            continue
        typ, _, _, rid, _ = struct.unpack("!BBHHH", data[:8])
        if typ == reply and rid == ident and socket.inet_pton(sock.family, src[0]) == \
                socket.inet_pton(sock.family, addr):
            return 0


if __name__ == "__main__":
    sys.exit(main())
