#!/usr/bin/env bash
# run.sh -- `make bench`: the same dnsperf workload against dnsleakd and against NSD serving a
# wildcard zone, one after the other; each server pinned to one core, the load generator to
# another. Prints qps, lost queries, server CPU seconds per million queries, the ratios, and for
# dnsleakd how many observations were stored of the queries answered. bench/README.md explains
# the numbers. Root only (NSD runs without privilege drop; perf needs it).
#
# Environment (all optional):
#   BENCH_TESTS=2000 BENCH_NAMES_PER_TEST=500   workload: tests x names per test, A/AAAA mixed
#   BENCH_DNSPERF_ARGS="-c 8 -T 2 -q 1000"       dnsperf clients/threads/outstanding
#   BENCH_SERVER_CPU=0 BENCH_CLIENT_CPU=1        the two cores
#   BENCH_SERVERS="dnsleakd nsd"                 which servers, in this order
#   BENCH_UDPGUN=1                               also a pass with /work/shared/tools/udpgun.c
#   BENCH_UDPGUN_ARGS="-c 8 -w 64 -b 32" BENCH_UDPGUN_SECONDS=3
#   BENCH_ROUNDS=3                               rounds (servers alternate); medians compared
#   BENCH_PERF=1 BENCH_PERF_TOP=20               afterwards, perf profiles of both servers
#   DNSLEAKD=build/dnsleakd
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

TESTS=${BENCH_TESTS:-2000}
PER_TEST=${BENCH_NAMES_PER_TEST:-500}
DNSPERF_ARGS=${BENCH_DNSPERF_ARGS:-"-c 8 -T 2 -q 1000"}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
SERVERS=${BENCH_SERVERS:-"dnsleakd nsd"}
UDPGUN=${BENCH_UDPGUN:-0}
UDPGUN_SRC=${BENCH_UDPGUN_SRC:-/work/shared/tools/udpgun.c}
UDPGUN_ARGS=${BENCH_UDPGUN_ARGS:-"-c 8 -w 64 -b 32"}
UDPGUN_SECONDS=${BENCH_UDPGUN_SECONDS:-3}
PERF=${BENCH_PERF:-0}
PERF_TOP=${BENCH_PERF_TOP:-20}
ROUNDS=${BENCH_ROUNDS:-3}
DNSLEAKD=${DNSLEAKD:-build/dnsleakd}
ZONE=leak.test
OUT=build/bench
QUERIES=$OUT/queries.txt
REPORT=$OUT/report.txt
CC=${CC:-cc}
# Room for every observation: ~100 bytes each, arrays grow by doubling; 1 GiB is plenty.
STORE_BYTES=$((1024 * 1024 * 1024))

die() {
	echo "bench: $*" >&2
	exit 1
}

# --- preflight -----------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root (NSD without privilege drop, taskset, perf)"
for t in nsd dnsperf taskset dig curl ss "$CC"; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (make deps installs nsd dnsperf util-linux)"
done
[[ " $SERVERS " != *" dnsleakd "* ]] || [ -x "$DNSLEAKD" ] || die "$DNSLEAKD not built (make)"
for c in "$SERVER_CPU" "$CLIENT_CPU"; do
	taskset -c "$c" true 2>/dev/null || die "cannot pin to CPU $c (need 2 cores; BENCH_*_CPU)"
done
[ "$SERVER_CPU" != "$CLIENT_CPU" ] || die "server and client on the same CPU"
[ "$PER_TEST" -le 1000 ] || die "BENCH_NAMES_PER_TEST > 1000 (max_observations_per_test)"

TMP=$(mktemp -d /tmp/dnsleak-bench.XXXXXX)
PIDS=() # every server we started; killed by PID on exit

cleanup() {
	local p
	[ -f "$TMP/nsd/nsd.pid" ] && kill -TERM "$(cat "$TMP/nsd/nsd.pid")" 2>/dev/null
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on now, UDP and TCP.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! ss -Hltun "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	die "no free port"
}

# --- workload ------------------------------------------------------------------------------

mkdir -p "$OUT"
"$CC" -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc/common -Isrc/server \
	-o "$OUT/mkqueries" bench/mkqueries.c src/common/testid.c src/common/siphash.c \
	src/common/err.c src/server/secret.c -lcrypto
rm -f "$OUT/secret" # a fresh secret: ids of earlier runs mean nothing to this one
"$OUT/mkqueries" -k "$OUT/secret" -t "$TESTS" -n "$PER_TEST" -z "$ZONE" -o "$QUERIES" \
	-a "$OUT/tokens.txt"
NQ=$(wc -l <"$QUERIES")
NUNIQ=$(cut -d' ' -f1 "$QUERIES" | sort -u | wc -l)
[ "$NQ" -eq "$NUNIQ" ] || die "$QUERIES: $NUNIQ unique names in $NQ lines"

if [ "$UDPGUN" = 1 ]; then
	if [ -f "$UDPGUN_SRC" ]; then
		"$CC" -O2 -o "$OUT/udpgun" "$UDPGUN_SRC"
	else
		echo "bench: $UDPGUN_SRC absent: no udpgun pass" >&2
		UDPGUN=0
	fi
fi

# --- measuring -----------------------------------------------------------------------------

# utime+stime clock ticks from a stat file: /proc/PID/stat sums all threads of the process,
# /proc/PID/task/TID/stat is one thread. 0 when it is gone.
stat_ticks() {
	local s
	s=$(cat "$1" 2>/dev/null) || {
		echo 0
		return
	}
	s=${s##*) } # comm may hold spaces ("nsd: server 1"): cut after its closing paren
	# shellcheck disable=SC2086
	set -- $s # $1 is field 3 (state): utime (14) is $12, stime (15) is $13
	echo $((${12} + ${13}))
}

# unset_pid PID: PID has been reaped; cleanup must not signal it (the number may be reused).
unset_pid() {
	local keep=() q
	for q in "${PIDS[@]}"; do
		[ "$q" = "$1" ] || keep+=("$q")
	done
	PIDS=("${keep[@]}")
}

# tree_pids PID: PID and every process below it.
tree_pids() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			want[root] = 1; print root
			do {
				more = 0
				for (p in parent)
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; print p; more = 1 }
			} while (more)
		}'
}

# The ticks of PID and every process below it (NSD forks xfrd, main and server processes).
tree_ticks() {
	local total=0 p
	for p in $(tree_pids "$1"); do
		total=$((total + $(stat_ticks "/proc/$p/stat")))
	done
	echo "$total"
}

HZ=$(getconf CLK_TCK)

# thread_ticks PID: "tid comm ticks" per thread of one process.
thread_ticks() {
	local t
	for t in /proc/"$1"/task/*; do
		echo "${t##*/} $(tr ' ' _ <"$t/comm") $(stat_ticks "$t/stat")"
	done
}

# metric NAME < /metrics text: the value of one sample line, 0 when absent.
metric() {
	awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}

# wait_dns PORT PID: until the server answers a query (or dies, or 10 s pass).
wait_dns() {
	for _ in $(seq 1 100); do
		kill -0 "$2" 2>/dev/null || return 1
		if dig +tries=1 +time=1 -p "$1" @127.0.0.1 "$ZONE" SOA >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# --- servers -------------------------------------------------------------------------------

start_dnsleakd() {
	DNS_PORT=$(free_port)
	HTTP_PORT=$(free_port)
	taskset -c "$SERVER_CPU" "$DNSLEAKD" --threads 1 --zone "$ZONE" \
		--dns "127.0.0.1:$DNS_PORT" --http "127.0.0.1:$HTTP_PORT" \
		--secret-file "$OUT/secret" --store-max-bytes "$STORE_BYTES" \
		>"$OUT/dnsleakd.log" 2>&1 &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	wait_dns "$DNS_PORT" "$SRV_PID" || {
		cat "$OUT/dnsleakd.log" >&2
		die "dnsleakd did not start"
	}
}

write_nsd_conf() {
	cat >"$TMP/nsd/$ZONE.zone" <<EOF
\$ORIGIN $ZONE.
\$TTL 0
@	IN SOA ns1.$ZONE. hostmaster.$ZONE. 1 3600 600 86400 0
@	IN NS ns1.$ZONE.
ns1	IN A 127.0.0.1
*	0 IN A 192.0.2.80
*	0 IN AAAA 2001:db8::80
EOF
	# Debian's NSD rate-limits (RRL) by default: off, or the flood from one address is cut.
	cat >"$TMP/nsd/nsd.conf" <<EOF
server:
	server-count: 1
	ip-address: 127.0.0.1@$DNS_PORT
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$TMP/nsd"
	pidfile: "$TMP/nsd/nsd.pid"
	zonelistfile: "$TMP/nsd/zone.list"
	xfrdfile: "$TMP/nsd/xfrd.state"
	database: ""
	logfile: "$TMP/nsd/nsd.log"
	verbosity: 0
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "$ZONE"
	zonefile: "$TMP/nsd/$ZONE.zone"
EOF
}

start_nsd() {
	DNS_PORT=$(free_port)
	mkdir -p "$TMP/nsd"
	write_nsd_conf
	nsd-checkconf "$TMP/nsd/nsd.conf" >/dev/null 2>&1 || true
	taskset -c "$SERVER_CPU" nsd -d -c "$TMP/nsd/nsd.conf" >"$OUT/nsd.log" 2>&1 &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	wait_dns "$DNS_PORT" "$SRV_PID" || {
		cat "$OUT/nsd.log" "$TMP/nsd/nsd.log" >&2 2>/dev/null || true
		die "nsd did not start"
	}
}

stop_server() {
	local p=$SRV_PID tree
	tree=$(tree_pids "$p")
	# NSD in the foreground: the process we started is xfrd; the pidfile names main, which
	# takes the servers and xfrd down with it.
	if [ -f "$TMP/nsd/nsd.pid" ] && [ "$1" = nsd ]; then
		kill -TERM "$(cat "$TMP/nsd/nsd.pid")" 2>/dev/null || true
	fi
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	# NSD's server process outlives xfrd by a moment: gone before the next measurement.
	for _ in $(seq 1 50); do
		local alive=0 q
		for q in $tree; do
			kill -0 "$q" 2>/dev/null && alive=1
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	unset_pid "$p"
	rm -rf "$TMP/nsd"
}

# --- one measured run ----------------------------------------------------------------------

# wait_load PID: wait for the load tool in the background, so a signal to this script is handled
# at once (and cleanup stops the tool too); its exit status is judged by its output.
wait_load() {
	PIDS+=("$1")
	wait "$1" || true
	unset_pid "$1"
}

# run_load TOOL LOGFILE: drive 127.0.0.1:$DNS_PORT from CLIENT_CPU; sets SENT ANSWERED LOST QPS
# and RUNTIME (seconds the tool was sending and waiting for answers, without its start-up).
run_load() {
	case $1 in
	dnsperf)
		# shellcheck disable=SC2086
		taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$QUERIES" -n 1 \
			-l 60 -t 2 $DNSPERF_ARGS >"$2" 2>&1 &
		wait_load $!
		SENT=$(awk '/Queries sent:/ { print $3 }' "$2")
		ANSWERED=$(awk '/Queries completed:/ { print $3 }' "$2")
		LOST=$(awk '/Queries lost:/ { print $3 }' "$2")
		QPS=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$2")
		RUNTIME=$(awk '/Run time \(s\):/ { print $4 }' "$2")
		;;
	udpgun)
		# shellcheck disable=SC2086
		taskset -c "$CLIENT_CPU" "$OUT/udpgun" -s 127.0.0.1 -p "$DNS_PORT" -d "$QUERIES" \
			-l "$UDPGUN_SECONDS" -t 1000 $UDPGUN_ARGS >"$2" 2>&1 &
		wait_load $!
		SENT=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$2")
		ANSWERED=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$2")
		LOST=$(sed -n 's/.*lost=\([0-9]*\).*/\1/p' "$2")
		QPS=$(sed -n 's/.* qps=\([0-9]*\).*/\1/p' "$2")
		RUNTIME=$(sed -n 's/.* wall=\([0-9.]*\).*/\1/p' "$2")
		;;
	esac
	if [ -z "$SENT" ] || [ -z "$ANSWERED" ] || [ -z "$QPS" ]; then
		cat "$2" >&2
		die "$1 failed (output above)"
	fi
}

ROWS=()
declare -A R_QPS R_CPU1M # "load-server" -> one value per round, space-separated
OBS_LINES=()
API_CHECK=""

# delta NAME BEFORE AFTER: how much a dnsleakd counter grew during the load run.
delta() {
	echo $(($(metric "$1" <"$3") - $(metric "$1" <"$2")))
}

# obs_report LOAD ROUND BEFORE AFTER: observations stored vs queries answered, and where any
# missing ones went: the DNS thread's ring (full) or the store's limits.
obs_report() {
	local b=$3 a=$4 resp stored id tok total reason drops=""
	resp=$(delta dnsleakd_dns_responses_total "$b" "$a")
	stored=$(delta dnsleakd_store_stored_total "$b" "$a")
	for reason in test_full tests_max bytes expired; do
		drops="$drops $reason $(delta "dnsleakd_store_dropped_total{reason=\"$reason\"}" "$b" "$a"),"
	done
	OBS_LINES+=("$(printf '%-8s round %s: %s of %s answered (%s); DNS thread observed %s, ring dropped %s; store dropped:%s holds %s bytes' \
		"$1" "$2" "$stored" "$resp" \
		"$(awk -v x="$stored" -v y="$resp" 'BEGIN { printf "%.2f%%", y ? 100 * x / y : 0 }')" \
		"$(delta dnsleakd_observations_total "$b" "$a")" \
		"$(delta dnsleakd_observations_ring_dropped_total "$b" "$a")" "$drops" \
		"$(metric dnsleakd_store_bytes <"$a")")")
	# The API agrees with the counters: one test's results hold all of its queries.
	if [ -z "$API_CHECK" ] && [ "$1" = dnsperf ]; then
		read -r id tok <"$OUT/tokens.txt"
		total=$(curl -fsS -H "Authorization: Bearer $tok" \
			"http://127.0.0.1:$HTTP_PORT/api/v1/tests/$id" |
			sed -n 's/.*"total": *\([0-9]*\).*/\1/p')
		API_CHECK="GET /api/v1/tests/$id: total ${total:-?} (names sent for it: $PER_TEST)"
	fi
}

# bench_one LOAD SERVER ROUND
bench_one() {
	local load=$1 srv=$2 t0 t1 cpu cpu1m util
	"start_$srv"
	if [ "$srv" = dnsleakd ]; then # counters before, so the readiness query does not count
		curl -fsS "http://127.0.0.1:$HTTP_PORT/metrics" >"$OUT/metrics-$load-before.txt"
	fi
	thread_ticks "$SRV_PID" >"$TMP/threads-before"
	t0=$(tree_ticks "$SRV_PID")
	run_load "$load" "$OUT/$load-$srv-$3.txt"
	t1=$(tree_ticks "$SRV_PID")
	thread_ticks "$SRV_PID" >"$TMP/threads-after"
	cpu=$(awk -v d=$((t1 - t0)) -v hz="$HZ" 'BEGIN { printf "%.2f", d / hz }')
	cpu1m=$(awk -v c="$cpu" -v n="$ANSWERED" 'BEGIN { printf "%.2f", n ? c * 1e6 / n : 0 }')
	util=$(awk -v c="$cpu" -v w="${RUNTIME:-0}" 'BEGIN { printf "%.0f%%", w ? 100 * c / w : 0 }')
	ROWS+=("$(printf '%-8s %-9s %5s %9s %9s %7s %8s %7s %11s %8s' "$load" "$srv" "$3" "$SENT" \
		"$ANSWERED" "$LOST" "$QPS" "$cpu" "$cpu1m" "$util")")
	R_QPS[$load-$srv]="${R_QPS[$load-$srv]:-} $QPS"
	R_CPU1M[$load-$srv]="${R_CPU1M[$load-$srv]:-} $cpu1m"
	if [ "$srv" = dnsleakd ]; then
		sleep 0.2 # the store thread drains the rings every 2 ms
		curl -fsS "http://127.0.0.1:$HTTP_PORT/metrics" >"$OUT/metrics-$load.txt"
		obs_report "$load" "$3" "$OUT/metrics-$load-before.txt" "$OUT/metrics-$load.txt"
		# Which thread the CPU went to: the main thread drains the rings into the store.
		OBS_LINES+=("$(printf '%-8s round %s: CPU s by thread:' "$load" "$3") $(join \
			"$TMP/threads-before" "$TMP/threads-after" | awk -v main="$SRV_PID" -v hz="$HZ" '
			{ printf "%s%s %.2f", sep, ($1 == main ? "main(store)" : $2 "[" $1 "]"), ($5 - $3) / hz
			  sep = ", " }')")
	fi
	stop_server "$srv"
}

# median "v1 v2 ...": the middle value (mean of the two middle ones for an even count).
median() {
	tr -s ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# --- run -----------------------------------------------------------------------------------

# Rounds alternate the servers, so drift on the host (other load, frequency) hits both alike.
LOADS="dnsperf"
[ "$UDPGUN" = 1 ] && LOADS="$LOADS udpgun"
for round in $(seq 1 "$ROUNDS"); do
	for load in $LOADS; do
		for srv in $SERVERS; do
			bench_one "$load" "$srv" "$round"
		done
	done
done

{
	echo "dnsleak bench $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
		"$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')"
	echo "host: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs," \
		"kernel $(uname -r); $(nsd -v 2>&1 | head -1); dnsperf $(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }')"
	echo "workload: $NQ unique names, $TESTS tests x $PER_TEST, A/AAAA alternating, UDP, no EDNS"
	echo "server on CPU $SERVER_CPU, load on CPU $CLIENT_CPU; dnsperf -n 1 -t 2 $DNSPERF_ARGS"
	if [ "$UDPGUN" = 1 ]; then
		echo "udpgun -l $UDPGUN_SECONDS -t 1000 $UDPGUN_ARGS (cycles through the file)"
	fi
	echo
	printf '%-8s %-9s %5s %9s %9s %7s %8s %7s %11s %8s\n' load server round sent answered lost \
		qps "CPU s" "CPU s/1M q" "srv core"
	printf '%s\n' "${ROWS[@]}"
	echo
	for load in $LOADS; do
		for srv in $SERVERS; do
			[ -n "${R_QPS[$load-$srv]:-}" ] || continue
			printf '%-8s %-9s median of %s: qps %s, CPU s/1M q %s\n' "$load" "$srv" "$ROUNDS" \
				"$(median "${R_QPS[$load-$srv]}")" "$(median "${R_CPU1M[$load-$srv]}")"
		done
		if [ -n "${R_QPS[$load-dnsleakd]:-}" ] && [ -n "${R_QPS[$load-nsd]:-}" ]; then
			printf '%-8s dnsleakd/NSD: qps %s, CPU per query %s (aim: qps >= 1.00, CPU <= 1.00)\n' \
				"$load" \
				"$(ratio "$(median "${R_QPS[$load-dnsleakd]}")" "$(median "${R_QPS[$load-nsd]}")")" \
				"$(ratio "$(median "${R_CPU1M[$load-dnsleakd]}")" "$(median "${R_CPU1M[$load-nsd]}")")"
		fi
	done
	if [ "${#OBS_LINES[@]}" -gt 0 ]; then
		echo
		echo "dnsleakd observations stored vs queries answered:"
		printf '  %s\n' "${OBS_LINES[@]}"
		[ -z "$API_CHECK" ] || echo "  $API_CHECK"
	fi
	echo
	echo "srv core = server CPU s / the load tool's run time: well below 100% means the load"
	echo "generator, not the server, set the pace (bench/README.md)."
} | tee "$REPORT"

# --- optional: where the CPU goes ----------------------------------------------------------

# perf_top SERVER: the load once more, with perf sampling the server's CPU (not measured above).
perf_top() {
	local srv=$1 perf_pid
	"start_$srv"
	taskset -c "$CLIENT_CPU" perf record -q -F 2999 -a -C "$SERVER_CPU" \
		-o "$OUT/perf-$srv.data" -- sleep 60 >/dev/null 2>&1 &
	perf_pid=$!
	PIDS+=("$perf_pid")
	sleep 0.5
	run_load dnsperf "$OUT/perf-dnsperf-$srv.txt"
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" 2>/dev/null || true
	unset_pid "$perf_pid"
	stop_server "$srv"
	perf report -i "$OUT/perf-$srv.data" --stdio --no-children --sort comm,dso \
		>"$OUT/perf-$srv-dso.txt" 2>/dev/null || true
	perf report -i "$OUT/perf-$srv.data" --stdio --no-children --sort comm,sym \
		>"$OUT/perf-$srv-sym.txt" 2>/dev/null || true
	echo
	echo "perf: CPU $SERVER_CPU during dnsperf against $srv ($QPS qps); by process and object:"
	grep -v -e '^#' -e '^$' "$OUT/perf-$srv-dso.txt" | head -6 || true
	echo "top symbols:"
	grep -v -e '^#' -e '^$' "$OUT/perf-$srv-sym.txt" | head -"$PERF_TOP" || true
	echo "top user-space symbols:"
	grep -F '[.]' "$OUT/perf-$srv-sym.txt" | head -8 || true
}

if [ "$PERF" = 1 ]; then
	command -v perf >/dev/null 2>&1 || die "BENCH_PERF=1 but no perf"
	for srv in $SERVERS; do
		perf_top "$srv" >"$TMP/perf.txt" # not in a pipeline: cleanup must see its PIDs
		tee -a "$REPORT" <"$TMP/perf.txt"
	done
fi
