# shellcheck shell=bash
# lab.sh -- the network-namespace lab: a home user behind a router, an ISP, a VPN provider, a
# public DNS operator and the leak test's authoritative server. Sourced, not run.
#
#   source tests/lab/lab.sh
#   trap lab_down EXIT
#   lab_up || exit 1          # build and check every hop; the VPN is up, DNS via the VPN
#   lab_resolv "nameserver 198.18.1.1"
#   lab_x client dig ...      # run a command in a lab namespace
#
# Addresses, names and the picture: tests/lab/README.md. Everything is in namespaces named
# $LAB_PREFIX<role> (default "dl<pid>-"), so parallel and leftover runs never collide, and only
# documentation/benchmark ranges are used. lab_down stops what lab_up started, by PID, and
# removes the namespaces and /etc/netns/<client>.
#
# Environment: DNSLEAKD (default build/dnsleakd), LAB_PREFIX, LAB_KEEP=1 keeps LAB_DIR (logs and
# configs) after lab_down, LAB_VERBOSE=1 prints each step.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DNSLEAKD=${DNSLEAKD:-$LAB_ROOT/build/dnsleakd}
LAB_PREFIX=${LAB_PREFIX:-dl$$-}
LAB_ROLES="client router isp vpn public auth"
LAB_ZONE=leak.test
LAB_DIR=
LAB_PIDS=()
LAB_NETNS_ETC=/etc/netns/${LAB_PREFIX}client

# The address plan (README.md). Service addresses are what clients ask; egress addresses are
# what the authoritative server sees.
LAB_LAN4=198.18.1.0/24 LAB_ROUTER_LAN4=198.18.1.1 LAB_CLIENT_LAN4=198.18.1.2
LAB_LAN6=2001:db8:1:1::/64 LAB_ROUTER_LAN6=2001:db8:1:1::1 LAB_CLIENT_LAN6=2001:db8:1:1::2
LAB_ISP_WAN4=203.0.113.1 LAB_ROUTER_WAN4=203.0.113.2
LAB_ISP_WAN6=2001:db8:1:ff::1 LAB_ROUTER_WAN6=2001:db8:1:ff::2
LAB_ISP_DNS4=203.0.113.53 LAB_ISP_DNS6=2001:db8:1::53
LAB_ISP_EGRESS4=203.0.113.54 LAB_ISP_EGRESS6=2001:db8:1::54
LAB_VPN_PUB4=198.51.100.1 LAB_VPN_ISP4=198.51.100.2
LAB_VPN_PUB6=2001:db8:2:ff::1 LAB_VPN_ISP6=2001:db8:2:ff::2
LAB_VPN_DNS4=198.51.100.53 LAB_VPN_DNS6=2001:db8:2::53
LAB_VPN_EGRESS4=198.51.100.54 LAB_VPN_EGRESS6=2001:db8:2::54
LAB_TUN4_NET=198.18.2.0/24 LAB_TUN4_SERVER=198.18.2.1 LAB_TUN4_CLIENT=198.18.2.2
LAB_TUN6_SERVER=2001:db8:2:1::1 LAB_TUN6_CLIENT=2001:db8:2:1::2
LAB_PUB_UP4=192.0.2.1 LAB_PUB_ISP4=192.0.2.2
LAB_PUB_UP6=2001:db8:3:ff::1 LAB_PUB_ISP6=2001:db8:3:ff::2
LAB_PUB_DNS4=192.0.2.53 LAB_PUB_DNS6=2001:db8:3::53
LAB_PUB_EGRESS4=192.0.2.54 LAB_PUB_EGRESS6=2001:db8:3::54
LAB_AUTH4=198.18.53.1 LAB_AUTH_ISP4=198.18.53.254
LAB_AUTH6=2001:db8:53::1 LAB_AUTH_ISP6=2001:db8:53::fe
LAB_ASN_ISP=64496 LAB_ASN_VPN=64497 LAB_ASN_PUBLIC=64498
LAB_SERVER_URL=http://$LAB_AUTH4
# Scenario C's rogue route (TunnelVision): the VPN provider's network, via the home router.
LAB_ROGUE_NET4=198.51.100.0/24
# Scenario F: the table `dnsleak fix` loads in the client, and an unrelated one it must leave be.
LAB_FIX_TABLE=dnsleak LAB_KEEP_TABLE=keepme
# dnsleakd's STUN responder (both addresses), and scenario W's HTTP proxy (tinyproxy) in the
# VPN provider's network, which resolves names with the VPN's resolver (/etc/netns/<vpn>).
LAB_STUN_PORT=3478
LAB_PROXY_PORT=8888
LAB_PROXY_URL=http://$LAB_VPN_PUB4:$LAB_PROXY_PORT
LAB_NETNS_ETC_VPN=/etc/netns/${LAB_PREFIX}vpn
LAB_NETNS_ETC_AUTH=/etc/netns/${LAB_PREFIX}auth
# The internet's reverse DNS, as the public resolver serves it (PTR records): what dnsleakd's
# reverse lookups find (the `ptr` fields, the page's resolver table).
LAB_PTRS=(
	"$LAB_ISP_EGRESS4 resolver.isp.example" "$LAB_ISP_EGRESS6 resolver.isp.example"
	"$LAB_VPN_EGRESS4 resolver.vpn.example" "$LAB_VPN_EGRESS6 resolver.vpn.example"
	"$LAB_PUB_EGRESS4 resolver.dns.example" "$LAB_PUB_EGRESS6 resolver.dns.example"
	"$LAB_VPN_PUB4 exit.vpn.example" "$LAB_ROUTER_WAN4 home-203-0-113-2.isp.example"
)

lab_ns() { echo "$LAB_PREFIX$1"; }
# lab_x ROLE CMD...: run CMD in ROLE's namespace.
lab_x() {
	local role=$1
	shift
	ip netns exec "$LAB_PREFIX$role" "$@"
}
lab_log() { [ "${LAB_VERBOSE:-0}" = 1 ] && echo "lab: $*" >&2; return 0; }
lab_err() { echo "lab: $*" >&2; }

# lab_run DESC CMD...: run a setup command; on failure say what and show its output.
lab_run() {
	local desc=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		lab_err "$desc failed: $*"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/lab:   /' >&2
		return 1
	fi
}

# lab_bg NAME ROLE CMD...: start a daemon in ROLE's namespace, output to LAB_DIR/NAME.out.
lab_bg() {
	local name=$1 role=$2
	shift 2
	ip netns exec "$LAB_PREFIX$role" "$@" >"$LAB_DIR/$name.out" 2>&1 &
	local pid=$!
	LAB_PIDS+=("$pid")
	eval "LAB_PID_$name=$pid"
	lab_log "started $name in $role (pid $pid)"
}

# lab_stop PID: SIGTERM, then SIGKILL after 2 s; forget the PID (it may be reused later).
# Returns the exit status of a daemon lab_bg started.
lab_stop() {
	local pid=$1 rc=0 i
	if kill -TERM "$pid" 2>/dev/null; then
		for _ in $(seq 1 20); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || rc=$?
	for i in "${!LAB_PIDS[@]}"; do
		[ "${LAB_PIDS[$i]}" = "$pid" ] && unset "LAB_PIDS[$i]"
	done
	return $rc
}

# lab_wait DESC TENTHS CMD...: poll CMD every 0.1 s; fail with DESC after TENTHS tries.
lab_wait() {
	local desc=$1 tries=$2
	shift 2
	for _ in $(seq 1 "$tries"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	lab_err "$desc: no answer after $((tries / 10)) s ($*)"
	return 1
}

# lab_ping ROLE ADDRESS: one echo request from ROLE, answered within a second.
lab_ping() {
	if command -v ping >/dev/null 2>&1; then
		lab_x "$1" ping -c1 -W1 "$2"
	else
		lab_x "$1" python3 "$LAB_ROOT/tests/lab/ping.py" "$2" 1
	fi
}

# lab_hop DESC CMD...: one connectivity check of the build.
lab_hop() {
	local desc=$1
	shift
	lab_log "check: $desc"
	lab_wait "hop check failed: $desc" 30 "$@"
}

lab_tools_missing() {
	local t missing=""
	for t in ip nft unbound dnsmasq openvpn perl python3 dig curl getent timeout; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || missing="$missing MaxMind::DB::Writer(perl)"
	[ -x "$DNSLEAKD" ] || missing="$missing $DNSLEAKD"
	[ -e /dev/net/tun ] || missing="$missing /dev/net/tun"
	echo "${missing# }"
}

# lab_link ROLE_A IF_A ROLE_B IF_B: a veth pair, created directly in the two namespaces.
lab_link() {
	lab_run "veth $1/$2 -- $3/$4" ip link add "$2" netns "$LAB_PREFIX$1" type veth \
		peer name "$4" netns "$LAB_PREFIX$3" || return 1
	lab_x "$1" ip link set "$2" up && lab_x "$3" ip link set "$4" up
}

# lab_addr ROLE IF ADDR/LEN...
lab_addr() {
	local role=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) lab_run "address $a on $role/$dev" lab_x "$role" ip -6 addr add "$a" dev "$dev" nodad || return 1 ;;
		*) lab_run "address $a on $role/$dev" lab_x "$role" ip addr add "$a" dev "$dev" || return 1 ;;
		esac
	done
}

# lab_route ROLE ARGS...: ip route replace ARGS (ip -6 when the destination or gateway is v6).
lab_route() {
	local role=$1
	shift
	case "$*" in
	*:*) lab_run "route on $role: $*" lab_x "$role" ip -6 route replace "$@" ;;
	*) lab_run "route on $role: $*" lab_x "$role" ip route replace "$@" ;;
	esac
}

lab_namespaces() {
	local role ns
	for role in $LAB_ROLES; do
		ns=$LAB_PREFIX$role
		lab_run "create namespace $ns" ip netns add "$ns" || return 1
		# Before any link exists, so the defaults apply to every interface: no duplicate
		# address detection (addresses usable at once), forwarding where the role routes.
		lab_x "$role" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 >/dev/null
		case $role in
		router | isp | vpn)
			lab_run "forwarding in $ns" lab_x "$role" sysctl -qw net.ipv4.ip_forward=1 \
				net.ipv6.conf.all.forwarding=1 || return 1
			;;
		esac
		lab_x "$role" ip link set lo up
	done
}

lab_topology() {
	# client -- router: the home LAN
	lab_link client lan0 router lan0 &&
		lab_addr client lan0 "$LAB_CLIENT_LAN4/24" "$LAB_CLIENT_LAN6/64" &&
		lab_addr router lan0 "$LAB_ROUTER_LAN4/24" "$LAB_ROUTER_LAN6/64" &&
		lab_route client default via "$LAB_ROUTER_LAN4" dev lan0 &&
		lab_route client default via "$LAB_ROUTER_LAN6" dev lan0 || return 1
	# router -- isp: the access line; the router's WAN address is the home's IPv4 exit
	lab_link router wan0 isp home0 &&
		lab_addr router wan0 "$LAB_ROUTER_WAN4/30" "$LAB_ROUTER_WAN6/64" &&
		lab_addr isp home0 "$LAB_ISP_WAN4/30" "$LAB_ISP_WAN6/64" &&
		lab_route router default via "$LAB_ISP_WAN4" dev wan0 &&
		lab_route router default via "$LAB_ISP_WAN6" dev wan0 &&
		lab_route isp "$LAB_LAN6" via "$LAB_ROUTER_WAN6" dev home0 &&
		lab_addr isp lo "$LAB_ISP_DNS4/32" "$LAB_ISP_EGRESS4/32" "$LAB_ISP_DNS6/128" \
			"$LAB_ISP_EGRESS6/128" || return 1
	# vpn -- isp
	lab_link vpn up0 isp vpn0 &&
		lab_addr vpn up0 "$LAB_VPN_PUB4/30" "$LAB_VPN_PUB6/64" &&
		lab_addr isp vpn0 "$LAB_VPN_ISP4/30" "$LAB_VPN_ISP6/64" &&
		lab_route vpn default via "$LAB_VPN_ISP4" dev up0 &&
		lab_route vpn default via "$LAB_VPN_ISP6" dev up0 &&
		lab_route isp 198.51.100.0/24 via "$LAB_VPN_PUB4" dev vpn0 &&
		lab_route isp 2001:db8:2::/48 via "$LAB_VPN_PUB6" dev vpn0 &&
		lab_addr vpn lo "$LAB_VPN_DNS4/32" "$LAB_VPN_EGRESS4/32" "$LAB_VPN_DNS6/128" \
			"$LAB_VPN_EGRESS6/128" || return 1
	# public -- isp
	lab_link public up0 isp pub0 &&
		lab_addr public up0 "$LAB_PUB_UP4/30" "$LAB_PUB_UP6/64" &&
		lab_addr isp pub0 "$LAB_PUB_ISP4/30" "$LAB_PUB_ISP6/64" &&
		lab_route public default via "$LAB_PUB_ISP4" dev up0 &&
		lab_route public default via "$LAB_PUB_ISP6" dev up0 &&
		lab_route isp 192.0.2.0/24 via "$LAB_PUB_UP4" dev pub0 &&
		lab_route isp 2001:db8:3::/48 via "$LAB_PUB_UP6" dev pub0 &&
		lab_addr public lo "$LAB_PUB_DNS4/32" "$LAB_PUB_EGRESS4/32" "$LAB_PUB_DNS6/128" \
			"$LAB_PUB_EGRESS6/128" || return 1
	# auth -- isp
	lab_link auth up0 isp auth0 &&
		lab_addr auth up0 "$LAB_AUTH4/24" "$LAB_AUTH6/64" &&
		lab_addr isp auth0 "$LAB_AUTH_ISP4/24" "$LAB_AUTH_ISP6/64" &&
		lab_route auth default via "$LAB_AUTH_ISP4" dev up0 &&
		lab_route auth default via "$LAB_AUTH_ISP6" dev up0 || return 1
}

# NAT: the home router hides the LAN behind its WAN address; the VPN server hides its tunnel
# clients behind its public address. IPv6 is routed, as ISPs and VPNs with IPv6 do.
lab_nat() {
	cat >"$LAB_DIR/router.nft" <<EOF
table ip lab_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" ip saddr $LAB_LAN4 masquerade
	}
}
EOF
	cat >"$LAB_DIR/vpn.nft" <<EOF
table ip lab_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "up0" ip saddr $LAB_TUN4_NET masquerade
	}
}
EOF
	lab_run "nftables NAT on the router" lab_x router nft -f "$LAB_DIR/router.nft" &&
		lab_run "nftables NAT on the VPN server" lab_x vpn nft -f "$LAB_DIR/vpn.nft"
}

# lab_unbound ROLE SVC4 SVC6 EGRESS4 EGRESS6 ALLOW...: a recursive resolver with a stub zone
# for the lab zone at the authoritative server (the lab has no root servers).
lab_unbound() {
	local role=$1 s4=$2 s6=$3 e4=$4 e6=$5 conf=$LAB_DIR/unbound-$1.conf a
	shift 5
	{
		cat <<EOF
server:
	interface: $s4
	interface: $s6
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$LAB_DIR"
	pidfile: ""
	use-syslog: no
	logfile: "$LAB_DIR/unbound-$role.log"
	verbosity: 1
	num-threads: 1
	do-ip6: yes
	outgoing-interface: $e4
	outgoing-interface: $e6
	local-zone: "test." nodefault
	# No root servers here: refuse what is not the lab zone rather than try the real ones.
	local-zone: "." refuse
	local-zone: "$LAB_ZONE." transparent
EOF
		for a in "$@"; do
			printf '\taccess-control: %s allow\n' "$a"
		done
		# The public resolver also serves the lab's reverse zones (unbound keeps the reverse
		# zones of documentation ranges empty unless told).
		if [ "$role" = public ]; then
			printf '\tlocal-zone: "%s." static\n' 113.0.203.in-addr.arpa \
				100.51.198.in-addr.arpa 2.0.192.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa
			for a in "${LAB_PTRS[@]}"; do
				printf '\tlocal-data-ptr: "%s"\n' "$a"
			done
		fi
		cat <<EOF
stub-zone:
	name: "$LAB_ZONE"
	stub-addr: $LAB_AUTH4
	stub-addr: $LAB_AUTH6
EOF
	} >"$conf"
	lab_bg "unbound_$role" "$role" unbound -d -c "$conf"
}

# lab_dnsleakd_enriches: this dnsleakd takes --asn-db/--country-db/--public-dns (checked with
# -n against the lab's databases, so a bad database fails here too).
lab_dnsleakd_enriches() {
	"$DNSLEAKD" -n --asn-db "$LAB_DIR/asn.mmdb" --country-db "$LAB_DIR/country.mmdb" \
		--public-dns "$LAB_ASN_PUBLIC" >/dev/null 2>&1
}

# lab_dnsleakd_stuns: this dnsleakd has a STUN responder (--stun ADDR:PORT), for the web page's
# WebRTC check.
lab_dnsleakd_stuns() {
	"$DNSLEAKD" -n --stun "127.0.0.1:$LAB_STUN_PORT" >/dev/null 2>&1
}

lab_daemons() {
	local extra=()
	# The lab's MMDB tells dnsleakd who owns each network; AS64498 is a public DNS operator.
	# (A dnsleakd without these flags still runs, without enrichment, so the lab can be
	# checked on its own.)
	extra=(--asn-db "$LAB_DIR/asn.mmdb" --country-db "$LAB_DIR/country.mmdb"
		--public-dns "$LAB_ASN_PUBLIC")
	if ! lab_dnsleakd_enriches; then
		extra=()
		lab_log "$DNSLEAKD has no --asn-db yet: resolvers are not enriched"
	fi
	# STUN on both addresses: the page's WebRTC check learns the address a browser's UDP
	# really leaves from (tests/e2e).
	if lab_dnsleakd_stuns; then
		extra+=(--stun "$LAB_AUTH4:$LAB_STUN_PORT" --stun "[$LAB_AUTH6]:$LAB_STUN_PORT")
	else
		lab_log "$DNSLEAKD has no --stun yet: no WebRTC check"
	fi
	# Reverse lookups ask the public resolver (LAB_NETNS_ETC_AUTH), never the host's.
	lab_bg dnsleakd auth "$DNSLEAKD" --zone "$LAB_ZONE" \
		--dns "$LAB_AUTH4:53" --dns "[$LAB_AUTH6]:53" \
		--http "$LAB_AUTH4:80" --http "[$LAB_AUTH6]:80" \
		--ns "ns1=$LAB_AUTH4" --ns "ns1=$LAB_AUTH6" \
		--web-address "$LAB_AUTH4" --web-address "$LAB_AUTH6" \
		--secret-file "$LAB_DIR/secret" --threads 1 "${extra[@]}"
	lab_unbound isp "$LAB_ISP_DNS4" "$LAB_ISP_DNS6" "$LAB_ISP_EGRESS4" "$LAB_ISP_EGRESS6" \
		203.0.113.0/24 2001:db8:1::/48 127.0.0.0/8 ::1
	lab_unbound vpn "$LAB_VPN_DNS4" "$LAB_VPN_DNS6" "$LAB_VPN_EGRESS4" "$LAB_VPN_EGRESS6" \
		"$LAB_TUN4_NET" 2001:db8:2::/48 198.51.100.0/24 127.0.0.0/8 ::1
	lab_unbound public "$LAB_PUB_DNS4" "$LAB_PUB_DNS6" "$LAB_PUB_EGRESS4" "$LAB_PUB_EGRESS6" \
		0.0.0.0/0 ::/0
	# The home router's DNS forwarder, as on most home routers: it answers the LAN and asks
	# the ISP's resolver.
	lab_bg dnsmasq router dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --server="$LAB_ISP_DNS4" --listen-address="$LAB_ROUTER_LAN4" \
		--listen-address="$LAB_ROUTER_LAN6" --bind-interfaces --port=53 --user=root \
		--pid-file="$LAB_DIR/dnsmasq.pid" --log-facility="$LAB_DIR/dnsmasq.log" --log-queries
}

# The VPN: OpenVPN 2.6 point-to-point with a static key over UDP, client behind the home NAT.
# Both ends restart together: a static-key peer rejects a restarted client's packet ids as
# replays within the same second.
lab_vpn_up() {
	lab_vpn_down
	lab_bg openvpn_server vpn openvpn --dev tun0 --dev-type tun --proto udp --lport 1194 \
		--float --ifconfig "$LAB_TUN4_SERVER" "$LAB_TUN4_CLIENT" \
		--ifconfig-ipv6 "$LAB_TUN6_SERVER/64" "$LAB_TUN6_CLIENT" \
		--secret "$LAB_DIR/vpn.key" --cipher AES-256-CBC --data-ciphers AES-256-CBC \
		--verb 3 --ping 1
	lab_bg openvpn_client client openvpn --dev tun0 --dev-type tun --proto udp \
		--remote "$LAB_VPN_PUB4" 1194 --nobind \
		--ifconfig "$LAB_TUN4_CLIENT" "$LAB_TUN4_SERVER" \
		--ifconfig-ipv6 "$LAB_TUN6_CLIENT/64" "$LAB_TUN6_SERVER" \
		--secret "$LAB_DIR/vpn.key" --cipher AES-256-CBC --data-ciphers AES-256-CBC \
		--verb 3 --ping 1
	# Only the VPN server's own address goes around the tunnel (via the home router).
	lab_route client "$LAB_VPN_PUB4/32" via "$LAB_ROUTER_LAN4" dev lan0 &&
		lab_wait "the client's tun0 did not come up" 50 \
			lab_x client ip link show tun0 up &&
		lab_hop "client -> VPN server through the tunnel (IPv4)" \
			lab_ping client "$LAB_TUN4_SERVER" &&
		lab_hop "client -> VPN server through the tunnel (IPv6)" \
			lab_ping client "$LAB_TUN6_SERVER" &&
		lab_route4 vpn && lab_route6 vpn
}

lab_vpn_down() {
	local pid
	for pid in ${LAB_PID_openvpn_client:-} ${LAB_PID_openvpn_server:-}; do
		lab_stop "$pid"
	done
	LAB_PID_openvpn_client='' LAB_PID_openvpn_server=''
	# The tunnel's routes left with tun0; the LAN is the way out again.
	lab_route4 direct && lab_route6 direct
}

# lab_route4 vpn|direct, lab_route6 vpn|direct: the client's default route per family.
lab_route4() {
	case $1 in
	vpn) lab_route client default via "$LAB_TUN4_SERVER" dev tun0 ;;
	direct) lab_route client default via "$LAB_ROUTER_LAN4" dev lan0 ;;
	esac
}
lab_route6() {
	case $1 in
	vpn) lab_route client default via "$LAB_TUN6_SERVER" dev tun0 ;;
	direct) lab_route client default via "$LAB_ROUTER_LAN6" dev lan0 ;;
	esac
}

# lab_want_vpn up|down: start or stop the VPN only when it is not already so.
lab_want_vpn() {
	local running=0
	[ -n "${LAB_PID_openvpn_client:-}" ] && kill -0 "$LAB_PID_openvpn_client" 2>/dev/null &&
		running=1
	case $1 in
	up) [ $running = 1 ] && lab_route4 vpn && return 0; lab_vpn_up ;;
	down) [ $running = 0 ] && return 0; lab_vpn_down ;;
	esac
}

# The scenarios (tests/lab/README.md). lab_scenario N puts the lab in scenario N's state and
# sets LAB_TITLE (a plain-language heading), LAB_STORY (what is set up, in a sentence),
# LAB_EXPECT (what a correct client says), LAB_EXPECT_RC (its exit codes: 0 PASS, 1 LEAK,
# 2 could not test, 3 WARN or INCONCLUSIVE) and LAB_RUNS (the client runs, one string each:
# leading VAR=value words are its environment, the rest its arguments, without --json).
# 1-6 run `dnsleak test` (4b is 4 with --expect); A-D run `dnsleak audit` (D also the
# combined `dnsleak --server`); E and E6 are an ISP that hijacks DNS. F is scenario 2's leak
# watched on the wire (`dnsleak watch`, tshark) and cured (`dnsleak fix --apply`, `--revert`):
# its LAB_RUNS is the test it runs three times; scenarios.sh and demo.sh drive its steps.
# W is for the browser tests only (tests/e2e, not in LAB_SCENARIOS): the browser's HTTP goes
# through a proxy in the VPN's network (lab_proxy), its WebRTC does not.
LAB_SCENARIOS="1 2 3 4 4b 5 6 A B C D E E6 F"
# shellcheck disable=SC2034 # the LAB_* it sets are for the caller
lab_scenario() {
	lab_reset || return 1
	LAB_RUNS=("test --server $LAB_SERVER_URL")
	case $1 in
	1)
		LAB_TITLE="Scenario 1: everything goes through the VPN, DNS too: the VPN's resolver answers"
		LAB_STORY="VPN up (IPv4 and IPv6 in the tunnel); resolv.conf: the VPN's resolver $LAB_VPN_DNS4."
		LAB_EXPECT="PASS: only the VPN's resolver (AS$LAB_ASN_VPN) asked"
		LAB_EXPECT_RC=0
		lab_want_vpn up && lab_route6 vpn && lab_resolv "nameserver $LAB_VPN_DNS4"
		;;
	2)
		LAB_TITLE="Scenario 2: your computer asks the home router, which asks your ISP"
		LAB_STORY="VPN up; resolv.conf: the home router $LAB_ROUTER_LAN4 (reached on the LAN, outside the tunnel), which forwards to the ISP's resolver."
		LAB_EXPECT="LEAK: the ISP's resolver (AS$LAB_ASN_ISP) saw the names"
		LAB_EXPECT_RC=1
		lab_want_vpn up && lab_route6 vpn && lab_resolv "nameserver $LAB_ROUTER_LAN4"
		;;
	3)
		LAB_TITLE="Scenario 3: the VPN carries IPv4 only; IPv6 and an IPv6 resolver of your ISP go around it"
		LAB_STORY="VPN up for IPv4, IPv6 default route via the home router; resolv.conf: the VPN's resolver $LAB_VPN_DNS4 and the ISP's $LAB_ISP_DNS6, options rotate."
		LAB_EXPECT="LEAK: IPv6 (traffic and DNS) leaves through the ISP"
		LAB_EXPECT_RC=1
		lab_want_vpn up && lab_route6 direct &&
			lab_resolv "nameserver $LAB_VPN_DNS4" "nameserver $LAB_ISP_DNS6" "options rotate"
		;;
	4)
		LAB_TITLE="Scenario 4: no VPN at all: your ISP's resolver, your ISP's address"
		LAB_STORY="VPN down; resolv.conf: the home router. No expectation given: the resolver is in the same network as the exit address."
		LAB_EXPECT="PASS: the resolver belongs to the network you are in"
		LAB_EXPECT_RC=0
		lab_want_vpn down && lab_resolv "nameserver $LAB_ROUTER_LAN4"
		;;
	4b)
		LAB_TITLE="Scenario 4b: the same, but you expected to be on the VPN (--expect AS$LAB_ASN_VPN)"
		LAB_STORY="VPN down; resolv.conf: the home router; dnsleak test --expect AS$LAB_ASN_VPN."
		LAB_EXPECT="LEAK: the resolver is not the one you expected"
		LAB_EXPECT_RC=1
		LAB_RUNS=("test --server $LAB_SERVER_URL $(lab_client_args 4b)")
		lab_want_vpn down && lab_resolv "nameserver $LAB_ROUTER_LAN4"
		;;
	5)
		LAB_TITLE="Scenario 5: the resolver never answers"
		LAB_STORY="resolv.conf: the home router, which silently drops every DNS packet (nftables)."
		LAB_EXPECT="could not test (exit 2) or INCONCLUSIVE (exit 3), quickly and with a reason"
		LAB_EXPECT_RC="2 3"
		lab_resolv "nameserver $LAB_ROUTER_LAN4" && lab_dns_drop on
		;;
	6)
		LAB_TITLE="Scenario 6: DNS goes through the VPN, but to a public DNS service"
		LAB_STORY="VPN up; resolv.conf: the public resolver $LAB_PUB_DNS4 (AS$LAB_ASN_PUBLIC), reached through the tunnel."
		LAB_EXPECT="WARN: a third party (a public DNS operator) sees your names"
		LAB_EXPECT_RC=3
		lab_want_vpn up && lab_route6 vpn && lab_resolv "nameserver $LAB_PUB_DNS4"
		;;
	A)
		LAB_TITLE="Scenario A (audit): the VPN is up, but your DNS server is the home router, reached outside the tunnel"
		LAB_STORY="VPN up (IPv4 and IPv6 in tun0); resolv.conf: the home router $LAB_ROUTER_LAN4, which is on the LAN, so its queries leave by lan0. dnsleak audit looks only at this computer: no server needed."
		LAB_EXPECT="LEAK: DL-DNS-OUTSIDE-TUNNEL, the DNS server is reached by lan0, not by the tunnel"
		LAB_EXPECT_RC=1
		LAB_RUNS=("audit")
		lab_want_vpn up && lab_route6 vpn && lab_resolv "nameserver $LAB_ROUTER_LAN4"
		;;
	B)
		LAB_TITLE="Scenario B (audit): the VPN carries IPv4 only; IPv6 goes straight out through the home router"
		LAB_STORY="VPN up for IPv4; the IPv6 default route goes via the home router $LAB_ROUTER_LAN6; resolv.conf: the VPN's resolver $LAB_VPN_DNS4 (inside the tunnel)."
		LAB_EXPECT="LEAK: DL-IPV6-UNTUNNELLED, IPv4 is covered by tun0, IPv6 is not"
		LAB_EXPECT_RC=1
		LAB_RUNS=("audit")
		lab_want_vpn up && lab_route6 direct && lab_resolv "nameserver $LAB_VPN_DNS4"
		;;
	C)
		LAB_TITLE="Scenario C (audit): a rogue route pulls the VPN's DNS server out of the tunnel (TunnelVision)"
		LAB_STORY="VPN up; resolv.conf: the VPN's resolver $LAB_VPN_DNS4; but a more specific route, as a rogue DHCP server pushes with option 121, sends $LAB_ROGUE_NET4 via the home router $LAB_ROUTER_LAN4: the queries leave by lan0, where the LAN sees them."
		LAB_EXPECT="LEAK: DL-ROUTE-OVERRIDE (the route covers the DNS server) and DL-DNS-OUTSIDE-TUNNEL"
		LAB_EXPECT_RC=1
		LAB_RUNS=("audit")
		lab_want_vpn up && lab_route6 vpn && lab_resolv "nameserver $LAB_VPN_DNS4" &&
			lab_route client "$LAB_ROGUE_NET4" via "$LAB_ROUTER_LAN4" dev lan0 proto dhcp
		;;
	D)
		LAB_TITLE="Scenario D (audit + test): the VPN is up and clean; DNS goes to the VPN's resolver through the tunnel"
		LAB_STORY="VPN up (IPv4 and IPv6 in tun0); resolv.conf: the VPN's resolvers $LAB_VPN_DNS4 and $LAB_VPN_DNS6. First dnsleak audit alone, then plain dnsleak with the server: the audit and the end-to-end test, one verdict."
		LAB_EXPECT="PASS, both times (plain DNS inside the tunnel is at most a low-severity note)"
		LAB_EXPECT_RC=0
		LAB_RUNS=("audit" "--server $LAB_SERVER_URL")
		lab_want_vpn up && lab_route6 vpn &&
			lab_resolv "nameserver $LAB_VPN_DNS4" "nameserver $LAB_VPN_DNS6"
		;;
	E)
		LAB_TITLE="Scenario E: your ISP secretly answers the DNS queries you send to a public DNS service"
		LAB_STORY="VPN down; resolv.conf: the public resolvers $LAB_PUB_DNS4 and $LAB_PUB_DNS6 (AS$LAB_ASN_PUBLIC); the ISP redirects every DNS packet from the home line (port 53, UDP and TCP, IPv4 and IPv6) to its own resolver and rewrites the answers to seem to come from the public one."
		LAB_EXPECT="LEAK: DL-DNS-HIJACK, the ISP's resolver (AS$LAB_ASN_ISP) answered instead of the one you chose"
		LAB_EXPECT_RC=1
		LAB_RUNS=("test --server $LAB_SERVER_URL" "DNSLEAK_SERVER=$LAB_SERVER_URL")
		lab_want_vpn down && lab_hijack on &&
			lab_resolv "nameserver $LAB_PUB_DNS4" "nameserver $LAB_PUB_DNS6"
		;;
	E6)
		LAB_TITLE="Scenario E6: the same hijack, over IPv6"
		LAB_STORY="VPN down; resolv.conf: only the public resolver's IPv6 address $LAB_PUB_DNS6; the ISP redirects DNS over IPv6 to its resolver $LAB_ISP_DNS6."
		LAB_EXPECT="LEAK: DL-DNS-HIJACK"
		LAB_EXPECT_RC=1
		lab_want_vpn down && lab_hijack on && lab_resolv "nameserver $LAB_PUB_DNS6"
		;;
	F)
		LAB_TITLE="Scenario F (watch, fix): the leak of scenario 2 seen on the wire, then stopped by the firewall"
		LAB_STORY="VPN up; resolv.conf: the home router $LAB_ROUTER_LAN4 (on the LAN, outside the tunnel), as in scenario 2. dnsleak watch listens while dnsleak test runs; then dnsleak fix --apply loads nftables rules (table inet $LAB_FIX_TABLE) that let DNS out only through tun0, and the test runs again; then dnsleak fix --revert removes them. An unrelated table inet $LAB_KEEP_TABLE must survive both."
		LAB_EXPECT="watch: LEAK (exit 1), the test's queries leaving by lan0; after fix --apply no DNS leaves (watch exit 0) and the ISP's resolver sees nothing (test INCONCLUSIVE); after fix --revert the LEAK is back"
		LAB_EXPECT_RC=1
		lab_want_vpn up && lab_route6 vpn && lab_resolv "nameserver $LAB_ROUTER_LAN4" &&
			lab_run "table inet $LAB_KEEP_TABLE in the client" \
				lab_x client nft add table inet "$LAB_KEEP_TABLE"
		;;
	W)
		LAB_TITLE="Scenario W (browser): an HTTP proxy in the VPN's network carries the browser's web traffic, but WebRTC goes straight out through the home router"
		LAB_STORY="VPN down; resolv.conf: the home router; the browser is started with --proxy-server=$LAB_PROXY_URL (tinyproxy in the VPN provider's network, resolving with the VPN's resolver). HTTP and the DNS of HTTP names go through the proxy; WebRTC's UDP does not."
		LAB_EXPECT="the page: LEAK, DL-WEBRTC-LEAK: WebRTC shows the home's address $LAB_ROUTER_WAN4 while the web exit is the proxy's $LAB_VPN_PUB4 (the CLI, which uses no proxy, sees scenario 4)"
		LAB_EXPECT_RC=1
		lab_want_vpn down && lab_resolv "nameserver $LAB_ROUTER_LAN4" && lab_proxy on
		;;
	*)
		lab_err "no scenario $1 (have: $LAB_SCENARIOS W)"
		return 1
		;;
	esac
}

# lab_proxy on: scenario W's HTTP proxy, tinyproxy in the vpn namespace on the VPN server's
# public address, port LAB_PROXY_PORT (started once; lab_down stops it). It resolves names with
# the VPN's resolver: /etc/netns/<vpn>/resolv.conf, which ip netns exec bind-mounts, so it never
# asks the host's resolver. Its clients: the home line (the router's NAT) and the tunnel.
lab_proxy() {
	[ "$1" = on ] || return 0
	[ -n "${LAB_PID_tinyproxy:-}" ] && kill -0 "$LAB_PID_tinyproxy" 2>/dev/null && return 0
	if ! command -v tinyproxy >/dev/null 2>&1; then
		lab_err "scenario W needs tinyproxy"
		return 1
	fi
	mkdir -p "$LAB_NETNS_ETC_VPN" || return 1
	printf 'nameserver %s\nnameserver %s\n' "$LAB_VPN_DNS4" "$LAB_VPN_DNS6" \
		>"$LAB_NETNS_ETC_VPN/resolv.conf"
	# tinyproxy drops root for User; in the foreground (-d) it logs to stderr (tinyproxy.out).
	cat >"$LAB_DIR/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Listen $LAB_VPN_PUB4
Port $LAB_PROXY_PORT
Timeout 30
MaxClients 64
LogLevel Info
DisableViaHeader Yes
Allow $LAB_ROUTER_WAN4
Allow $LAB_TUN4_NET
Allow 127.0.0.1
EOF
	lab_bg tinyproxy vpn tinyproxy -d -c "$LAB_DIR/tinyproxy.conf"
	lab_hop "client -> proxy $LAB_PROXY_URL -> test server (by name, the VPN's resolver)" \
		lab_x client curl -fsS -m 2 -x "$LAB_PROXY_URL" "http://$LAB_ZONE/healthz"
}

# lab_reset: undo what any scenario may have added (the router's DNS drop, the ISP's DNS
# hijack, scenario C's rogue route, scenario F's tables in the client, should its
# `dnsleak fix --revert` have failed) and zero the DNS packet counters (lab_counters).
lab_reset() {
	local t
	lab_dns_drop off && lab_hijack off || return 1
	lab_x client ip route del "$LAB_ROGUE_NET4" >/dev/null 2>&1
	for t in "$LAB_FIX_TABLE" "$LAB_KEEP_TABLE" lab_reject; do
		lab_x client nft delete table inet "$t" >/dev/null 2>&1
	done
	lab_counters
}

# lab_client_args N: the dnsleak test arguments of scenario N (after --server).
lab_client_args() {
	case $1 in
	4b) echo "--expect AS$LAB_ASN_VPN" ;;
	esac
}

# lab_run_words RUN: split a LAB_RUNS entry into LAB_RUN_ENV (its leading VAR=value words)
# and LAB_RUN_ARGS (the rest).
lab_run_words() {
	local w
	LAB_RUN_ENV=() LAB_RUN_ARGS=()
	for w in $1; do
		if [ ${#LAB_RUN_ARGS[@]} -eq 0 ] && [[ $w =~ ^[A-Z_][A-Z0-9_]*= ]]; then
			LAB_RUN_ENV+=("$w")
		else
			LAB_RUN_ARGS+=("$w")
		fi
	done
}

# lab_dnsleak RUN [ARG...]: the client in the client namespace, as the LAB_RUNS entry RUN says,
# ARGs appended; killed after CLIENT_TIMEOUT (60 s). DNSLEAK_SERVER is set only if RUN sets it.
lab_dnsleak() {
	local run=$1
	shift
	lab_run_words "$run"
	lab_x client timeout -k 5 "${CLIENT_TIMEOUT:-60}" env -u DNSLEAK_SERVER "${LAB_RUN_ENV[@]}" \
		"${DNSLEAK:-$LAB_ROOT/build/dnsleak}" "${LAB_RUN_ARGS[@]}" "$@"
}

# lab_resolv LINE...: the client's /etc/resolv.conf (ip netns exec bind-mounts it).
lab_resolv() {
	printf '%s\n' "$@" >"$LAB_NETNS_ETC/resolv.conf"
}

# lab_dns_drop on|off: the home router silently drops DNS (a resolver that never answers).
lab_dns_drop() {
	lab_x router nft delete table inet lab_drop >/dev/null 2>&1
	[ "$1" = on ] || return 0
	lab_run "nftables drop on the router" lab_x router nft -f - <<EOF
table inet lab_drop {
	chain input {
		type filter hook input priority filter; policy accept;
		udp dport 53 drop
		tcp dport 53 drop
	}
}
EOF
}

# lab_hijack on|off: the ISP's transparent DNS proxy. Every DNS packet (port 53, UDP and TCP)
# that comes in on the home line (home0), whatever its destination, goes to the ISP's own
# resolver (DNAT); conntrack rewrites the answers' source back to the address the client asked.
lab_hijack() {
	lab_x isp nft delete table inet lab_hijack >/dev/null 2>&1
	[ "$1" = on ] || return 0
	lab_run "nftables DNS hijack at the ISP" lab_x isp nft -f - <<EOF
table inet lab_hijack {
	counter hijack4 {
	}
	counter hijack6 {
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "home0" meta nfproto ipv4 meta l4proto { udp, tcp } th dport 53 counter name "hijack4" dnat ip to $LAB_ISP_DNS4
		iifname "home0" meta nfproto ipv6 meta l4proto { udp, tcp } th dport 53 counter name "hijack6" dnat ip6 to $LAB_ISP_DNS6
	}
}
EOF
}

# lab_counters: (re)create the DNS packet counters, at zero. The client counts DNS packets
# (port 53, UDP and TCP) by the interface they leave by (dns_lan0, dns_tun0); the home router
# those it forwards from the LAN (dns_fwd: DNS that passes it, not for its own dnsmasq); the
# public DNS operator those that reach it (dns_in). lab_count ROLE NAME reads them.
lab_counters() {
	local role
	for role in client router public; do
		lab_x "$role" nft delete table inet lab_count >/dev/null 2>&1
	done
	lab_run "DNS counters in the client" lab_x client nft -f - <<EOF || return 1
table inet lab_count {
	counter dns_lan0 {
	}
	counter dns_tun0 {
	}
	chain output {
		type filter hook output priority filter; policy accept;
		oifname "lan0" meta l4proto { udp, tcp } th dport 53 counter name "dns_lan0"
		oifname "tun0" meta l4proto { udp, tcp } th dport 53 counter name "dns_tun0"
	}
}
EOF
	lab_run "DNS counter in the home router" lab_x router nft -f - <<EOF || return 1
table inet lab_count {
	counter dns_fwd {
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "lan0" meta l4proto { udp, tcp } th dport 53 counter name "dns_fwd"
	}
}
EOF
	lab_run "DNS counter at the public DNS operator" lab_x public nft -f - <<EOF
table inet lab_count {
	counter dns_in {
	}
	chain input {
		type filter hook input priority filter; policy accept;
		meta l4proto { udp, tcp } th dport 53 counter name "dns_in"
	}
}
EOF
}

# lab_count ROLE NAME: the packets counter NAME has counted (lab_counters; hijack4 and hijack6
# are lab_hijack's, in isp).
lab_count() {
	local table=lab_count
	case $2 in hijack*) table=lab_hijack ;; esac
	lab_x "$1" nft list counter inet "$table" "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# --- scenario F: captures, `dnsleak watch`, `dnsleak fix` (all in the client namespace) ----

# lab_capture_start NAME IFACE...: tshark on IFACE... in the client namespace, port 53 only (UDP
# and TCP), into LAB_DIR/NAME.pcapng; returns once dumpcap says it captures and has a packet
# socket with its filter on each IFACE (lab_sockets_ready).
lab_capture_start() {
	local name=$1 i a=()
	shift
	for i in "$@"; do
		a+=(-i "$i")
	done
	# -f before the first -i: the filter of every interface (after one, of that one only).
	lab_bg "$name" client tshark -q -f "port 53" "${a[@]}" -w "$LAB_DIR/$name.pcapng"
	lab_wait "tshark ($name) did not start capturing" 50 \
		grep -q "^Capturing on" "$LAB_DIR/$name.out" &&
		lab_wait "tshark ($name): no filtered packet socket on $*" 50 \
			lab_sockets_ready dumpcap "$@"
}

# lab_sockets_ready PROCESS IFACE...: in the client namespace, PROCESS (a name or pid=N) has a
# packet socket bound to each IFACE with a BPF filter of more than one instruction on it (libpcap
# puts a drop-all filter first, drains the socket, then sets the real one).
lab_sockets_ready() {
	local who=$1 i list
	shift
	case $who in
	pid=*) who="$who," ;;
	*) who="\"$who\"" ;;
	esac
	list=$(lab_x client ss -0 -n -p -b 2>/dev/null | tr -d '\n' | sed 's/p_raw/\n&/g')
	for i in "$@"; do
		printf '%s\n' "$list" | grep -F ":$i " | grep -F "$who" |
			grep -q 'bpf filter ([2-9]\|bpf filter ([1-9][0-9]' || return 1
	done
}

# lab_capture_stop NAME: stop it (SIGTERM: tshark finishes the file).
lab_capture_stop() {
	local pid
	eval "pid=\${LAB_PID_$1:-}"
	[ -n "$pid" ] && lab_stop "$pid"
	eval "LAB_PID_$1="
}

# lab_capture_queries NAME [IFACE]: the DNS queries tshark decodes in the capture (on IFACE
# only, if given), one "name<TAB>type" a line, type as a number (1 A, 28 AAAA).
lab_capture_queries() {
	local f="dns.flags.response == 0"
	[ -n "${2:-}" ] && f="$f && frame.interface_name == \"$2\""
	tshark -r "$LAB_DIR/$1.pcapng" -Y "$f" -T fields -e dns.qry.name -e dns.qry.type 2>/dev/null
}

# lab_capture_packets NAME IFACE: how many port 53 packets (queries, answers, anything) the
# capture has on IFACE.
lab_capture_packets() {
	tshark -r "$LAB_DIR/$1.pcapng" -Y "frame.interface_name == \"$2\"" -T fields \
		-e frame.number 2>/dev/null | grep -c .
}

# lab_watch_start NAME ARG...: `dnsleak watch ARG...` in the client namespace, in the
# background (by PID, in LAB_PIDS), stdout to LAB_DIR/NAME.json, stderr to LAB_DIR/NAME.err.
# Returns once it has a packet socket on lan0 with its filter (lab_sockets_ready; with --json
# it prints nothing before the first event); 1 if it exited or never got there.
lab_watch_start() {
	local name=$1 pid
	shift
	ip netns exec "${LAB_PREFIX}client" "${DNSLEAK:-$LAB_ROOT/build/dnsleak}" watch "$@" \
		>"$LAB_DIR/$name.json" 2>"$LAB_DIR/$name.err" &
	pid=$!
	LAB_PIDS+=("$pid")
	eval "LAB_PID_$name=$pid"
	lab_log "started dnsleak watch $* as $name (pid $pid)"
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 1
		lab_sockets_ready "pid=$pid" lan0 && return 0
		sleep 0.1
	done
	return 1
}

# lab_watch_stop NAME: Ctrl-C (SIGINT) the watch; it prints its summary and exits. Returns its
# exit status (SIGKILL, 137, if it has not ended within 5 s).
lab_watch_stop() {
	local pid rc=0
	eval "pid=\${LAB_PID_$1:-}"
	[ -n "$pid" ] || return 2
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	lab_stop "$pid" || rc=$?
	eval "LAB_PID_$1="
	return $rc
}

# lab_fix ARG...: `dnsleak fix ARG...` in the client namespace; its state file goes to
# LAB_DIR/fix, not the host's /run/dnsleak.
lab_fix() {
	lab_dnsleak "DNSLEAK_STATE_DIR=$LAB_DIR/fix fix" "$@"
}

# lab_tables: the client's nftables tables, one "family name" a line, sorted.
lab_tables() {
	lab_x client nft list tables 2>/dev/null | sed -n 's/^table //p' | sort
}

# lab_reject on|off: the lab's own stand-in for `dnsleak fix` (scenario F's lab checks): the
# client refuses DNS leaving by anything but lo and tun0.
lab_reject() {
	lab_x client nft delete table inet lab_reject >/dev/null 2>&1
	[ "$1" = on ] || return 0
	lab_run "nftables reject in the client" lab_x client nft -f - <<EOF
table inet lab_reject {
	chain output {
		type filter hook output priority filter; policy accept;
		oifname { "lo", "tun0" } accept
		udp dport 53 reject with icmpx admin-prohibited
		tcp dport { 53, 853 } reject with tcp reset
	}
}
EOF
}

# lab_reverse ROLE ADDR NAME: from ROLE's namespace, the system resolver maps ADDR to NAME.
lab_reverse() {
	[ "$(lab_x "$1" getent hosts "$2" | awk '{ print $2 }')" = "$3" ]
}

lab_checks() {
	lab_hop "client -> router (IPv4)" lab_ping client "$LAB_ROUTER_LAN4" &&
		lab_hop "client -> router (IPv6)" lab_ping client "$LAB_ROUTER_LAN6" &&
		lab_hop "client -> ISP through the router's NAT (IPv4)" \
			lab_ping client "$LAB_ISP_WAN4" &&
		lab_hop "client -> ISP resolver address (IPv6, routed)" \
			lab_ping client "$LAB_ISP_DNS6" &&
		lab_hop "client -> VPN server's public address (IPv4)" \
			lab_ping client "$LAB_VPN_PUB4" &&
		lab_hop "client -> public DNS (IPv4)" lab_ping client "$LAB_PUB_DNS4" &&
		lab_hop "client -> test server (IPv4)" lab_ping client "$LAB_AUTH4" &&
		lab_hop "client -> test server (IPv6)" lab_ping client "$LAB_AUTH6" || return 1
	lab_alive dnsleakd && lab_alive unbound_isp && lab_alive unbound_vpn &&
		lab_alive unbound_public && lab_alive dnsmasq || return 1
	lab_hop "dnsleakd HTTP API on $LAB_AUTH4:80" \
		lab_x auth curl -fsS -m 1 "http://$LAB_AUTH4/healthz" &&
		lab_hop "dnsleakd HTTP API on [$LAB_AUTH6]:80" \
			lab_x auth curl -fsS -m 1 "http://[$LAB_AUTH6]/healthz" &&
		lab_hop "dnsleakd answers DNS on $LAB_AUTH4" \
			lab_x auth dig +time=1 +tries=1 +norec "@$LAB_AUTH4" "$LAB_ZONE" SOA &&
		lab_hop "dnsleakd answers DNS on $LAB_AUTH6" \
			lab_x auth dig +time=1 +tries=1 +norec "@$LAB_AUTH6" "$LAB_ZONE" SOA || return 1
	lab_hop "reverse DNS from the test server: $LAB_ISP_EGRESS4 is resolver.isp.example" \
		lab_reverse auth "$LAB_ISP_EGRESS4" resolver.isp.example || return 1
	lab_hop "ISP resolver $LAB_ISP_DNS4 resolves the lab zone" \
		lab_resolves isp "$LAB_ISP_DNS4" &&
		lab_hop "ISP resolver $LAB_ISP_DNS6" lab_resolves isp "$LAB_ISP_DNS6" &&
		lab_hop "VPN resolver $LAB_VPN_DNS4" \
			lab_resolves vpn "$LAB_VPN_DNS4" &&
		lab_hop "VPN resolver $LAB_VPN_DNS6" lab_resolves vpn "$LAB_VPN_DNS6" &&
		lab_hop "public resolver $LAB_PUB_DNS4" \
			lab_resolves public "$LAB_PUB_DNS4" &&
		lab_hop "public resolver $LAB_PUB_DNS6" lab_resolves public "$LAB_PUB_DNS6" &&
		lab_hop "client -> home router's DNS $LAB_ROUTER_LAN4 -> ISP resolver" \
			lab_resolves client "$LAB_ROUTER_LAN4" &&
		lab_hop "client -> home router's DNS [$LAB_ROUTER_LAN6]" \
			lab_resolves client "$LAB_ROUTER_LAN6" &&
		lab_hop "client -> public resolver $LAB_PUB_DNS6 (IPv6, outside the tunnel)" \
			lab_resolves client "$LAB_PUB_DNS6" || return 1
}

# lab_alive NAME: the daemon lab_bg started as NAME still runs.
lab_alive() {
	local pid rc=0
	eval "pid=\${LAB_PID_$1:-}"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && return 0
	[ -n "$pid" ] && { wait "$pid" 2>/dev/null || rc=$?; }
	lab_err "$1 is not running (exit status $rc): see its output below"
	return 1
}

# lab_resolves ROLE SERVER: SERVER, asked from ROLE, resolves the zone's apex.
lab_resolves() {
	local a
	a=$(lab_x "$1" dig +short +time=1 +tries=1 "@$2" "$LAB_ZONE" A) || return 1
	[ "$a" = "$LAB_AUTH4" ]
}

# lab_up: build the lab, check every hop, bring the VPN up (both families in the tunnel) and
# point the client's DNS at the VPN resolver. Prints what failed, and the end of every daemon's
# output and log, and returns 1 on failure.
lab_up() {
	lab_build && return 0
	lab_dump_logs
	return 1
}

lab_dump_logs() {
	local f
	[ -n "$LAB_DIR" ] || return 0
	for f in "$LAB_DIR"/*.out "$LAB_DIR"/*.log; do
		[ -s "$f" ] || continue
		echo "lab: --- ${f##*/} (last lines)" >&2
		tail -n 8 "$f" | sed 's/^/lab:   /' >&2
	done
}

lab_build() {
	local missing t0=$SECONDS
	if [ "$(id -u)" -ne 0 ]; then
		lab_err "needs root (network namespaces)"
		return 1
	fi
	missing=$(lab_tools_missing)
	if [ -n "$missing" ]; then
		lab_err "missing: $missing"
		return 1
	fi
	LAB_DIR=$(mktemp -d /tmp/dnsleak-lab.XXXXXX) || return 1
	[ -d /etc/netns ] || LAB_MADE_ETC_NETNS=1
	mkdir -p "$LAB_NETNS_ETC" "$LAB_NETNS_ETC_AUTH" || return 1
	lab_resolv "nameserver $LAB_VPN_DNS4"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$LAB_PUB_DNS4" \
		>"$LAB_NETNS_ETC_AUTH/resolv.conf"
	lab_run "lab MMDB (tests/lab/mkmmdb.pl)" perl "$LAB_ROOT/tests/lab/mkmmdb.pl" \
		"$LAB_DIR/asn.mmdb" "$LAB_DIR/country.mmdb" &&
		lab_run "OpenVPN static key" openvpn --genkey secret "$LAB_DIR/vpn.key" || return 1
	lab_log "namespaces ${LAB_PREFIX}{${LAB_ROLES// /,}}, files in $LAB_DIR"
	lab_namespaces && lab_topology && lab_nat || return 1
	lab_daemons
	lab_checks && lab_vpn_up || return 1
	lab_hop "client -> VPN resolver $LAB_VPN_DNS4 through the tunnel" \
		lab_resolves client "$LAB_VPN_DNS4" &&
		lab_hop "client -> VPN resolver [$LAB_VPN_DNS6] through the tunnel" \
			lab_resolves client "$LAB_VPN_DNS6" &&
		lab_hop "client -> test server through the tunnel (HTTP, IPv4)" \
			lab_x client curl -fsS -m 1 "$LAB_SERVER_URL/healthz" &&
		lab_hop "client -> test server through the tunnel (HTTP, IPv6)" \
			lab_x client curl -fsS -m 1 "http://[$LAB_AUTH6]/healthz" || return 1
	lab_log "up in $((SECONDS - t0)) s"
}

# lab_down: stop every process we started (by PID, then whatever is left in our namespaces),
# delete the namespaces and the client's /etc/netns directory. Safe to call twice.
lab_down() {
	local pid role ns
	# All at once first, so they stop in parallel.
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		lab_stop "$pid"
	done
	for role in $LAB_ROLES; do
		ns=$LAB_PREFIX$role
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			lab_stop "$pid"
		done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$LAB_NETNS_ETC" "$LAB_NETNS_ETC_VPN" "$LAB_NETNS_ETC_AUTH"
	[ "${LAB_MADE_ETC_NETNS:-0}" = 1 ] && rmdir /etc/netns 2>/dev/null
	if [ -n "$LAB_DIR" ] && [ "${LAB_KEEP:-0}" != 1 ]; then
		rm -rf "$LAB_DIR"
	elif [ -n "$LAB_DIR" ]; then
		echo "lab: kept $LAB_DIR" >&2
	fi
	LAB_DIR=
}
