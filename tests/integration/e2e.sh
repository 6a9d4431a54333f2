#!/usr/bin/env bash
# e2e.sh -- `make check`'s entry to the browser end-to-end tests (tests/e2e/run.sh): headless
# Chromium in the lab's client namespace loads dnsleakd's page; its verdict, resolvers, exits
# and WebRTC candidates are checked against `dnsleak test --json` and against what Chromium
# really gathers. Root only; needs the lab's tools, chromium, node and npm (playwright-core is
# installed from tests/e2e/package-lock.json when node_modules is missing), tinyproxy for W.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # SKIP needs root"
	exit 0
fi
export DNSLEAKD=${DNSLEAKD:-$ROOT/build/san/dnsleakd}
export DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
# shellcheck source=../lab/lab.sh
source "$ROOT/tests/lab/lab.sh"
missing=$(lab_tools_missing)
for t in node npm; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x "$CHROMIUM" ] || missing="$missing $CHROMIUM"
# playwright-core (package-lock.json) refuses to start on an older Node.js.
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
	missing="$missing Node.js>=20(has $(node --version))"
fi
if [ -n "${missing# }" ]; then
	echo "ok 1 # SKIP needs ${missing# }"
	exit 0
fi
if [ ! -d "$ROOT/tests/e2e/node_modules/playwright-core" ]; then
	if ! out=$(cd "$ROOT/tests/e2e" && timeout 300 npm ci --no-audit --no-fund 2>&1); then
		echo "not ok 1 - npm ci in tests/e2e (playwright-core)"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
		echo "1..1"
		exit 1
	fi
fi
exec "$ROOT/tests/e2e/run.sh"
