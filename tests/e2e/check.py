"""check.py PREFIX PYEXPR -- evaluate PYEXPR over one browser scenario's documents; print it.

PREFIX.page.json is page.mjs's report, PREFIX.cli.json the CLI's (`dnsleak test --json`,
optional). Names PYEXPR can use:
  P      page.mjs's report (DOM hooks read from the page; `mine`: our own ICE gathering)
  R      the page's results document (window.dnsleak.results), W its `webrtc` member
  C      the CLI's report ({} without one)
  PA, PRES, PF   the page's resolver addresses, (address, family) pairs, finding ids
  CA, CRES, CF   the same from the CLI; CE4, CE6 its exit addresses (or None)
  RQ     {address: (queries, asn)} of the results document's resolvers
  CAND, CAND_RAW the page's candidates (window.dnsleak.candidates) parsed, and raw
  MINE, MINE_C, MINE_RAW  our own gathering, its candidates parsed, and raw
  S      the share link's page, read like P (page.mjs's `shared`), DL window.dnsleak
  UX     page.mjs's `ux` (with --ux), LOAD_ERRORS {path: why} of documents that did not load
  MDNS(cands)  the .local names of parsed candidates
  parse(s), types(cands), srflx(cands[, family]), srflx_res(webrtc)
Any error prints "<Error>: message" instead, so the test fails with it.
"""
import json
import os
import sys


def load(path, default):
    """The JSON document at path; default when it is missing or broken (LOAD_ERRORS says so:
    the comparisons that need it then fail, as C is {} and CF empty)."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        LOAD_ERRORS[path] = "%s: %s" % (type(e).__name__, e)
        return default
    if not isinstance(doc, dict):
        LOAD_ERRORS[path] = "not a JSON object"
        return default
    return doc


LOAD_ERRORS = {}


def fam(r):
    f = str(r.get("family", "")).lower()
    return {"4": 4, "ipv4": 4, "inet": 4, "6": 6, "ipv6": 6, "inet6": 6}.get(f, f)


def parse(s):
    """One RTCIceCandidate.candidate string (RFC 8839 candidate-attribute), or None."""
    if not isinstance(s, str):
        return None
    w = s.split()
    if len(w) < 8 or not w[0].startswith("candidate:") or w[6] != "typ":
        return None
    addr = w[4]
    mdns = addr.endswith(".local")
    return {"type": w[7], "protocol": w[2].lower(), "address": None if mdns else addr,
            "mdns": addr if mdns else None, "port": int(w[5]) if w[5].isdigit() else None,
            "family": None if mdns else (6 if ":" in addr else 4)}


def types(cands):
    return {c["type"] for c in cands if c}


def srflx(cands, family=None):
    return {c["address"] for c in cands
            if c and c["type"] == "srflx" and (family is None or c["family"] == family)}


def MDNS(cands):
    return {c["mdns"] for c in cands if c and c["mdns"]}


def srflx_res(w):
    return {c.get("address") for c in (w or {}).get("candidates") or []
            if c.get("type") == "srflx"}


prefix, expr = sys.argv[1], sys.argv[2]
P = load(prefix + ".page.json", {})
C = load(prefix + ".cli.json", {})
DL = P.get("dnsleak") or {}
R = DL.get("results") or {}
W = R.get("webrtc")
PA = {r.get("address") for r in P.get("resolvers") or []}
PRES = {(r.get("address"), fam(r)) for r in P.get("resolvers") or []}
PF = set(P.get("findings") or [])
CR = C.get("resolvers") or []
CA = {r.get("address") for r in CR}
CRES = {(r.get("address"), fam(r)) for r in CR}
CF = {f.get("id") for f in C.get("findings") or []}
CE = C.get("exit") or {}
CE4 = (CE.get("ipv4") or {}).get("address")
CE6 = (CE.get("ipv6") or {}).get("address")
RQ = {r.get("address"): (r.get("queries"), r.get("asn")) for r in R.get("resolvers") or []}
CAND_RAW = DL.get("candidates") or []
CAND = [parse(c) for c in CAND_RAW]
S = P.get("shared") or {}
MINE = P.get("mine") or {}
MINE_RAW = MINE.get("candidates") or []
MINE_C = [parse(c) for c in MINE_RAW]
UX = P.get("ux") or {}
try:
    print(eval(expr))
except Exception as e:  # the test prints this and fails
    print("%s: %s" % (type(e).__name__, e))
