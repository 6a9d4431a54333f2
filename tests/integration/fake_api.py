#!/usr/bin/env python3
"""fake_api.py -- a misbehaving dnsleakd API for the client's error tests (stdlib only).

  fake_api.py PORTFILE
        listen on 127.0.0.1 (a free port, written to PORTFILE once ready) until killed.

The first path segment picks the behaviour; the client is pointed at http://127.0.0.1:PORT/MODE
and appends /api/v1/tests... to it.

  garbage     POST answers 201 with a body that is not JSON
  garbageesc  POST answers 201 with terminal escapes where JSON should be
  deep        POST answers 201 with 500,000 nested arrays
  html        POST answers 200 text/html (a captive portal, a web server)
  html201     POST answers 201 text/html
  500         POST answers 500 {"error": "internal error"}
  500plain    POST answers 500 text/plain
  huge        POST answers 201 with a 10 MB body and its Content-Length
  hugestream  POST answers 201 with a 10 MB body and no length (read until close)
  types       POST answers 201 {"id": 5, "token": [], "zone": null}
  badid       POST answers 201 with an id that is not a test id
  redirect    POST answers 301 to https://elsewhere.example/
  slow        POST: accept, read the request, never answer
  The rest create a test under zone example.invalid (token "tok") and then:
  results404  GET answers 404 {"error": "unknown or expired test"}
  badresults  GET answers 200 with resolvers[0].asn a string
  otherid     GET answers 200 with the results of another test id
  escapes     GET answers 200, a WARN whose strings carry terminal escapes and bidi overrides
  good        GET answers 200, a LEAK; its reason names the ?expect= values received
Any GET needs "Authorization: Bearer tok", else 404.
"""
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEST_ID = "nme2pglajsvluxwplf2znhnlkm"
OTHER_ID = "aaaaaaaaaaaaaaaaaaaaaaaaaa"
BIG = 10 * 1024 * 1024


def results(test_id, verdict, reason, org="Example ISP", cls="other-network"):
    return {
        "id": test_id, "zone": "example.invalid", "total": 3,
        "resolvers": [{"address": "198.51.100.10", "family": 4, "queries": 3,
                       "transports": ["udp"], "qtypes": ["A"], "names": ["probe"],
                       "ecs": None, "asn": 64500, "org": org, "country": "DE",
                       "trusted": False, "classification": cls}],
        "exit": {"ipv4": {"address": "203.0.113.7", "asn": 64501, "org": "Example VPN",
                          "country": "NL"}, "ipv6": None},
        "verdict": verdict, "reason": reason,
        "findings": [{"id": "DL-ISP-RESOLVER", "severity": "high", "title": "ISP resolver",
                      "explain": "Your ISP sees the names you look up.",
                      "detail": "198.51.100.10 (AS64500 %s)" % org,
                      "steps": ["Send DNS through the tunnel.", "Run the test again."]}],
        "observations": [],
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json", length=True, extra=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def send_big(self, length):
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        if length:
            self.send_header("Content-Length", str(BIG))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"[" * 65536
        try:
            for _ in range(BIG // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        mode = self.path.split("/")[1]
        if mode == "garbage":
            return self.send(201, "this is {not json")
        if mode == "garbageesc":
            return self.send(201, "\x1b[31m\x1b]0;pwned\x07red")
        if mode == "deep":
            return self.send(201, "[" * 500000 + "]" * 500000)
        if mode == "html":
            return self.send(200, "<html><body>Welcome!</body></html>", "text/html")
        if mode == "html201":
            return self.send(201, "<html><body>Welcome!</body></html>", "text/html")
        if mode == "500":
            return self.send(500, {"error": "internal error"})
        if mode == "500plain":
            return self.send(500, "oops", "text/plain")
        if mode == "huge":
            return self.send_big(True)
        if mode == "hugestream":
            return self.send_big(False)
        if mode == "types":
            return self.send(201, {"id": 5, "token": [], "zone": None})
        if mode == "badid":
            return self.send(201, {"id": "../../etc", "token": "tok", "zone": "example.invalid"})
        if mode == "redirect":
            return self.send(301, "", "text/plain",
                             extra=[("Location", "https://elsewhere.example/")])
        if mode == "slow":
            time.sleep(3600)
            return None
        return self.send(201, {"id": TEST_ID, "token": "tok", "zone": "example.invalid",
                               "expires": "2030-01-01T00:00:00Z", "expires_in": 600})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        mode = url.path.split("/")[1]
        if self.headers.get("Authorization") != "Bearer tok":
            return self.send(404, {"error": "unknown or expired test"})
        if mode == "results404":
            return self.send(404, {"error": "unknown or expired test"})
        if mode == "badresults":
            doc = results(TEST_ID, "LEAK", "x")
            doc["resolvers"][0]["asn"] = "AS64500"
            return self.send(200, doc)
        if mode == "otherid":
            return self.send(200, results(OTHER_ID, "PASS", "x"))
        if mode == "escapes":
            return self.send(200, results(TEST_ID, "WARN", "Look \x1b[2J\x1b[31mhere\u202e",
                                          org="Evil\x1b]0;pwned\x07 Org\u009b",
                                          cls="public-dns"))
        expects = urllib.parse.parse_qs(url.query).get("expect", [])
        return self.send(200, results(TEST_ID, "LEAK", "expect=" + ",".join(expects)))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
