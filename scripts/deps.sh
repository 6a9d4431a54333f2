#!/usr/bin/env bash
# Install the Debian packages that building and testing dnsleak need, when they are missing.
# Idempotent and quiet when everything is present. Needs root (or sudo) only to install.
set -eu

# build: compiler, pkg-config, libraries
pkgs="build-essential pkg-config libmicrohttpd-dev libjansson-dev libssl-dev libcmocka-dev"
pkgs="$pkgs libcurl4-openssl-dev libmaxminddb-dev libmnl-dev libsystemd-dev libpcap-dev libnftables-dev"
# fuzzing: clang with libFuzzer and the sanitizer runtimes
pkgs="$pkgs clang llvm libclang-rt-14-dev"
# tests: real DNS clients and a real recursive resolver, HTTP client, namespaces
pkgs="$pkgs bind9-dnsutils knot-dnsutils unbound curl iproute2 python3 procps"
# the network lab: a real VPN tunnel, a home router, NAT, a test MMDB
pkgs="$pkgs openvpn dnsmasq-base nftables mmdb-bin libmaxmind-db-writer-perl tshark"
# bench: the comparison server and the load generator
pkgs="$pkgs nsd dnsperf util-linux"
# the STUN responder against a real client (coturn's turnutils_stunclient); browser tests:
# Debian's Chromium driven by playwright-core (npm, tests/e2e), a browser proxy for the lab
pkgs="$pkgs coturn chromium tinyproxy"
# a real reverse proxy in front of the HTTP API (tests/integration/proxy.sh); the man pages' lint
pkgs="$pkgs nginx-light mandoc groff-base man-db"
# several nodes sharing one store: hiredis, and a real Redis for the tests
pkgs="$pkgs libhiredis-dev redis-server redis-tools"
# Node.js and npm: any that works (this machine's may come from elsewhere than Debian)
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: missing packages:$missing; run as root or install them" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# Packaged daemons (unbound, nsd, coturn, tinyproxy, nginx, redis) must not start system services: the tests
# run their own.
policy_made=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod +x /usr/sbin/policy-rc.d
	policy_made=1
fi
$sudo apt-get update -qq || true
$sudo apt-get install -y -qq --no-install-recommends $missing
[ -n "$policy_made" ] && $sudo rm -f /usr/sbin/policy-rc.d
exit 0
