#!/usr/bin/env bash
# audit_local.sh -- `dnsleak audit` on the machine running the tests: whatever its network, a
# sensible report and no error; --resolv-conf with odd files; the JSON document's shape.
source "$(dirname "$0")/lib.sh"

DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}

audit() {
	OUT=$("$DNSLEAK" audit "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

audit
expect_match "audit on this machine: exit 0, 1 or 3" '^[013]$' "$RC"
expect_eq "audit on this machine: nothing on stderr" "" "$ERR"
expect_match "audit: DNS configuration section" 'DNS configuration' "$OUT"
expect_match "audit: servers section" 'DNS servers in use' "$OUT"
expect_match "audit: coverage section" 'IPv4  ' "$OUT"
expect_match "audit: a verdict" 'Verdict: (PASS|LEAK|WARN|INCONCLUSIVE)' "$OUT"

audit --json
expect_match "audit --json: exit 0, 1 or 3" '^[013]$' "$RC"
shape=$(json 'sorted(d.keys()) == sorted(["verdict", "reason", "servers", "coverage", "tunnels", "overrides", "dns", "findings"]) and d["verdict"] in ("PASS", "LEAK", "WARN", "INCONCLUSIVE") and all(k in s for s in d["servers"] for k in ("address", "port", "source", "local", "interface", "gateway", "tunnel", "tunnel_kind")) and all(k in f for f in d["findings"] for k in ("id", "severity", "title", "detail", "steps", "platforms"))' <<<"$OUT" 2>&1)
expect_eq "audit --json: the documented shape" "True" "$shape"
code=$(json '{"PASS": 0, "LEAK": 1, "WARN": 3, "INCONCLUSIVE": 3}[d["verdict"]]' <<<"$OUT")
expect_eq "audit --json: exit code matches the verdict" "$code" "$RC"

printf 'nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org\noptions rotate\n' >"$TMP/rc"
audit --json --resolv-conf "$TMP/rc"
expect_eq "--resolv-conf: its nameservers are the servers" "192.0.2.53 2001:db8::53" \
	"$(json '" ".join(s["address"] for s in d["servers"])' <<<"$OUT")"
expect_eq "--resolv-conf: search and rotate read" "['example.org'] True" \
	"$(json 'str(d["dns"]["resolv_conf"]["search"]) + " " + str(d["dns"]["resolv_conf"]["rotate"])' <<<"$OUT")"

printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\n' >"$TMP/stub"
audit --json --resolv-conf "$TMP/stub"
expect_match "a resolved stub without resolved: still a report" '^[013]$' "$RC"
expect_eq "the stub is a local server" "True" \
	"$(json 'd["servers"][0]["local"] and d["dns"]["resolved"]["stub_used"]' <<<"$OUT")"
expect_match "the note says resolved did not answer" 'systemd-resolved|D-Bus' \
	"$(json 'd["dns"]["note"] or ""' <<<"$OUT")"

head -c 100000 /dev/urandom >"$TMP/garbage"
audit --json --resolv-conf "$TMP/garbage"
expect_match "a garbage resolv.conf: a report, no crash" '^[0-3]$' "$RC"
expect_eq "a garbage resolv.conf: no sanitizer report" "" "$(grep -E 'Sanitizer|runtime error' <<<"$ERR")"

audit --json --resolv-conf /nonexistent/resolv.conf
expect_match "a missing resolv.conf: a report (glibc then asks 127.0.0.1)" '^[013]$' "$RC"
expect_eq "a missing resolv.conf: not readable" "False" \
	"$(json 'd["dns"]["resolv_conf"]["readable"]' <<<"$OUT")"

audit --bogus
expect_eq "unknown flag: exit 2" 2 "$RC"
audit extra-arg
expect_eq "stray argument: exit 2" 2 "$RC"
finish
