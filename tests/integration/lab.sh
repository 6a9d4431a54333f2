#!/usr/bin/env bash
# lab.sh -- `make check`'s entry to the network lab: tests/lab/scenarios.sh builds client,
# home router, ISP, VPN (a real OpenVPN tunnel), public resolver and dnsleakd in network
# namespaces and asserts each scenario with the real client (TAP): dnsleak test, dnsleak audit,
# plain dnsleak (audit + test), an ISP that hijacks DNS, and dnsleak watch / dnsleak fix
# around a leaking test (scenario F; its steps need tshark, else they are skipped). Root only.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # SKIP needs root"
	exit 0
fi
export DNSLEAKD=${DNSLEAKD:-$ROOT/build/san/dnsleakd}
export DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}
# shellcheck source=../lab/lab.sh
source "$ROOT/tests/lab/lab.sh"
missing=$(lab_tools_missing)
if [ -n "$missing" ]; then
	echo "ok 1 # SKIP needs $missing"
	exit 0
fi
exec "$ROOT/tests/lab/scenarios.sh"
