#!/usr/bin/env python3
"""rawdns.py -- send raw DNS bytes to a server and describe what comes back (stdlib only).

  rawdns.py build NAME TYPE [--id N] [--flags N] [--qclass N] [--edns SIZE] [--do]
        print the hex of a query (for tests that then break it on purpose)
  rawdns.py send -p PORT [-6] [--tcp] [--frame] [--split N] [--delay S] [--expect N]
                 [--timeout S] HEX...
        UDP: each HEX is one datagram; after each, print its response or "silence".
        TCP: the HEX messages (each given a 2-byte length prefix with --frame) are sent in one
        write, or in N pieces --delay seconds apart with --split; then print each response (up
        to --expect, default one per message), "closed" if the server closed the connection
        first, or "silence" on timeout.
  rawdns.py idle -p PORT [-6] [--max S]
        open a TCP connection, send nothing; print "closed MS" when the server closes it, or
        "open" after --max seconds.
  rawdns.py garbage -p PORT [-6] [--count N] [--seed S]
        send N random datagrams (0..600 bytes; some start like a query) without waiting.

A response prints as: id=N rcode=NAME flags=qr,aa qd=N an=N ns=N ar=N qname=NAME len=N
(rcode includes the extended bits of an OPT record, e.g. BADVERS).
HEX may contain spaces.
"""
import argparse
import random
import socket
import struct
import sys
import time

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 16: "BADVERS"}
TYPES = {"A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "OPT": 41, "ANY": 255}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def build(args):
    qtype = TYPES.get(args.type.upper())
    if qtype is None:
        qtype = int(args.type.upper().removeprefix("TYPE"))
    ar = 1 if args.edns is not None else 0
    msg = struct.pack(">HHHHHH", args.id, args.flags, 1, 0, 0, ar)
    msg += encode_name(args.name) + struct.pack(">HH", qtype, args.qclass)
    if args.edns is not None:
        msg += b"\0" + struct.pack(">HHIH", 41, args.edns, 0x8000 if args.do else 0, 0)
    print(msg.hex())


def skip_name(msg, p):
    """Offset just past a possibly compressed name (no loop checks needed: we stop at the first
    pointer, as the name's own bytes end there)."""
    while True:
        b = msg[p]
        if b & 0xC0 == 0xC0:
            return p + 2
        if b == 0:
            return p + 1
        p += 1 + b


def read_name(msg, p):
    labels = []
    hops = 0
    while hops < 64:
        b = msg[p]
        if b & 0xC0 == 0xC0:
            p = (b & 0x3F) << 8 | msg[p + 1]
            hops += 1
            continue
        if b == 0:
            break
        labels.append(msg[p + 1:p + 1 + b].decode("ascii", "backslashreplace"))
        p += 1 + b
    return ".".join(labels) + "."


def describe(msg):
    if len(msg) < 12:
        return "runt len=%d hex=%s" % (len(msg), msg.hex())
    mid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", msg[:12])
    rcode = flags & 0xF
    names = []
    for bit, name in ((15, "qr"), (10, "aa"), (9, "tc"), (8, "rd"), (7, "ra"), (5, "ad"),
                      (4, "cd")):
        if flags >> bit & 1:
            names.append(name)
    qname = "-"
    try:
        p = 12
        for _ in range(qd):
            qname = read_name(msg, p)
            p = skip_name(msg, p) + 4
        for _ in range(an + ns + ar):
            owner = p
            p = skip_name(msg, p)
            rtype, _, ttl, rdlen = struct.unpack(">HHIH", msg[p:p + 10])
            if rtype == 41 and msg[owner] == 0:
                rcode |= (ttl >> 24) << 4
            p += 10 + rdlen
    except (IndexError, struct.error):
        qname += "(unparsable)"
    return "id=%d rcode=%s flags=%s qd=%d an=%d ns=%d ar=%d qname=%s len=%d" % (
        mid, RCODES.get(rcode, str(rcode)), ",".join(names), qd, an, ns, ar, qname, len(msg))


def family(args):
    return (socket.AF_INET6, "::1") if args.v6 else (socket.AF_INET, "127.0.0.1")


def tcp_connect(args):
    af, host = family(args)
    s = socket.socket(af, socket.SOCK_STREAM)
    s.settimeout(args.timeout if hasattr(args, "timeout") else 3)
    s.connect((host, args.port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def send(args):
    msgs = [bytes.fromhex("".join(h.split())) for h in args.hex]
    if not args.tcp:
        af, host = family(args)
        s = socket.socket(af, socket.SOCK_DGRAM)
        s.settimeout(args.timeout)
        for m in msgs:
            s.sendto(m, (host, args.port))
            try:
                data, _ = s.recvfrom(65535)
                print(describe(data))
            except socket.timeout:
                print("silence")
        return
    s = tcp_connect(args)
    payload = b"".join((struct.pack(">H", len(m)) if args.frame else b"") + m for m in msgs)
    pieces = max(1, args.split)
    step = -(-len(payload) // pieces)
    for i in range(0, len(payload), step):
        if i > 0:
            time.sleep(args.delay)
        try:
            s.sendall(payload[i:i + step])
        except OSError:
            print("closed")
            return
    want = args.expect if args.expect is not None else len(msgs)
    try:
        for _ in range(want):
            head = recv_exact(s, 2)
            if head is None:
                print("closed")
                return
            body = recv_exact(s, struct.unpack(">H", head)[0])
            if body is None:
                print("closed")
                return
            print(describe(body))
        if want == 0:
            # Nothing expected: report whether the server closed the connection.
            print("closed" if s.recv(1) == b"" else "data")
    except socket.timeout:
        print("silence")
    except ConnectionResetError:
        print("closed")


def idle(args):
    args.timeout = args.max
    s = tcp_connect(args)
    start = time.monotonic()
    try:
        data = s.recv(1)
        ms = int((time.monotonic() - start) * 1000)
        print("closed %d" % ms if data == b"" else "data")
    except socket.timeout:
        print("open")
    except ConnectionResetError:
        print("closed %d" % int((time.monotonic() - start) * 1000))


def garbage(args):
    af, host = family(args)
    rng = random.Random(args.seed)
    s = socket.socket(af, socket.SOCK_DGRAM)
    for i in range(args.count):
        n = rng.randrange(0, 600)
        data = bytes(rng.randrange(256) for _ in range(n))
        if i % 2 and n >= 12:
            # Look like a query at first glance: QR=0, opcode 0, QDCOUNT 1.
            data = data[:2] + bytes([data[2] & 0x07, data[3]]) + b"\0\1" + data[6:]
        s.sendto(data, (host, args.port))
        if i % 20 == 19:
            time.sleep(0.01)
    print("sent %d" % args.count)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build")
    b.add_argument("name")
    b.add_argument("type")
    b.add_argument("--id", type=int, default=0x1234)
    b.add_argument("--flags", type=lambda v: int(v, 0), default=0)
    b.add_argument("--qclass", type=int, default=1)
    b.add_argument("--edns", type=int)
    b.add_argument("--do", action="store_true")
    b.set_defaults(fn=build)

    for name, fn in (("send", send), ("idle", idle), ("garbage", garbage)):
        p = sub.add_parser(name)
        p.add_argument("-p", "--port", type=int, required=True)
        p.add_argument("-6", dest="v6", action="store_true")
        p.set_defaults(fn=fn)
        if name == "send":
            p.add_argument("--tcp", action="store_true")
            p.add_argument("--frame", action="store_true")
            p.add_argument("--split", type=int, default=1)
            p.add_argument("--delay", type=float, default=0.2)
            p.add_argument("--expect", type=int)
            p.add_argument("--timeout", type=float, default=1.0)
            p.add_argument("hex", nargs="+")
        elif name == "idle":
            p.add_argument("--max", type=float, default=3.0)
        else:
            p.add_argument("--count", type=int, default=200)
            p.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
