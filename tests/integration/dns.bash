# dns.bash -- query helpers for the integration tests, sourced after lib.sh (not a test itself:
# tests/run.sh runs only the executable *.sh files).
#
#   dq TOOL PROTO FAM NAME TYPE [tool flags...]
#       ask the dnsleakd of lib.sh with dig or kdig over udp/tcp, IPv4 (127.0.0.1) or IPv6 (::1);
#       the whole output lands in $DQ, and the helpers below read it.
#   dq_status / dq_flags / dq_sec SECTION / dq_question / dq_udpsize / dq_ecs
#   dq_expect_* "description" ...: TAP checks that print the response when they fail.

RAWDNS="$(dirname "${BASH_SOURCE[0]}")/rawdns.py"
# The interpreter itself, not a version manager's shim: rawdns.py runs a few hundred times.
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)

dq_server() {
	if [ "$1" = 6 ]; then echo ::1; else echo 127.0.0.1; fi
}

dq() {
	local tool=$1 proto=$2 fam=$3 name=$4 type=$5
	shift 5
	local opts=(+norec)
	[ "$proto" = tcp ] && opts+=(+tcp)
	case $tool in
	dig) opts+=(+time=3 +tries=1) ;;
	kdig) opts+=(+timeout=3 +retry=0) ;;
	esac
	DQ=$("$tool" @"$(dq_server "$fam")" -p "$DNS_PORT" -q "$name" -t "$type" "${opts[@]}" "$@" 2>&1)
}

# NOERROR, NXDOMAIN, ... of the first response in $DQ (empty: no response).
dq_status() {
	sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$DQ" | head -n 1
}

# Header flags, e.g. "qr aa" (dig ";; flags:", kdig ";; Flags:").
dq_flags() {
	sed -n 's/^;; [Ff]lags: \([a-z ]*\);.*/\1/p' <<<"$DQ" | head -n 1
}

dq_has_flag() {
	[[ " $(dq_flags) " == *" $1 "* ]]
}

# Records of one section (ANSWER, AUTHORITY, ADDITIONAL), one per line, blanks squeezed:
# "name ttl class type rdata".
dq_sec() {
	awk -v s=";; $1 SECTION:" '$0 == s { on = 1; next } on && /^$/ { on = 0 }
		on && !/^;/ { $1 = $1; print }' <<<"$DQ"
}

# The question as printed: "name class type" with the name's case as received.
dq_question() {
	awk '$0 == ";; QUESTION SECTION:" { on = 1; next } on && /^$/ { exit }
		on { sub(/^;+ */, ""); $1 = $1; print; exit }' <<<"$DQ"
}

# The UDP payload size of the response's OPT record (empty without one).
dq_udpsize() {
	grep -oE '(; udp|UDP size): [0-9]+' <<<"$DQ" | head -n 1 | grep -oE '[0-9]+$'
}

# The CLIENT-SUBNET option of the response's OPT record, "addr/source/scope".
dq_ecs() {
	sed -n 's/.*CLIENT-SUBNET: \([^ ]*\).*/\1/p' <<<"$DQ" | head -n 1
}

dq_dump() {
	sed 's/^/#   | /' <<<"$DQ" | grep -v -e '^#   | $' | head -n 40
}

dq_expect_status() {
	local got
	got=$(dq_status)
	if [ "$got" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected status $2, got '${got}'"
		dq_dump
	fi
}

# dq_expect_flag DESC FLAG [yes|no]
dq_expect_flag() {
	local want=${3:-yes} have=no
	dq_has_flag "$2" && have=yes
	if [ "$have" = "$want" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   flag $2 expected: $want; flags: '$(dq_flags)'"
		dq_dump
	fi
}

# dq_expect_rr DESC SECTION ERE: some record of SECTION matches ERE.
dq_expect_rr() {
	if dq_sec "$2" | grep -qE -- "$3"; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   no $2 record matches: $3"
		dq_dump
	fi
}

# dq_expect_no_rr DESC SECTION [ERE]: no record of SECTION (matching ERE, if given).
dq_expect_no_rr() {
	if ! dq_sec "$2" | grep -qE -- "${3:-.}"; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   unexpected $2 record${3:+ matching $3}"
		dq_dump
	fi
}

# dq_expect_count DESC SECTION N [ERE]
dq_expect_count() {
	local n
	n=$(dq_sec "$2" | grep -cE -- "${4:-.}")
	if [ "$n" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected $3 $2 records${4:+ matching $4}, got $n"
		dq_dump
	fi
}

# rawdns: the stdlib-only raw DNS client next to this file.
rawdns() {
	"$PYTHON" "$RAWDNS" "$@"
}

# metric NAME: the value of one dnsleakd counter from /metrics (empty when missing).
metric() {
	curl -fsS "$HTTP_URL/metrics" | awk -v n="$1" '$1 == n { print $2; exit }'
}
