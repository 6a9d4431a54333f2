#!/usr/bin/env bash
# man.sh -- the man pages in docs/ (mdoc): each renders without warnings (mandoc -T lint, groff,
# man -l) within 80 columns, and documents what the programs really accept: every dnsleakd
# option (its -h and the long_keys table of src/server/main.c) with its default, every config key
# (what `dnsleakd -n` prints and the key table of src/server/config.c) with its default, every
# dnsleak command with the options its -h lists, the environment variables the code reads and
# the exit codes of verdict.h. Then `make install` into a temporary DESTDIR, when the target exists.
source "$(dirname "$0")/lib.sh"
DNSLEAK=${DNSLEAK:-$ROOT/build/san/dnsleak}
DOCS=$ROOT/docs
PAGES=(dnsleak.1 dnsleakd.conf.5 dnsleakd.8)
HAVE_MANDOC=false
command -v mandoc >/dev/null 2>&1 && HAVE_MANDOC=true

# --- rendering ------------------------------------------------------------------------------

for p in "${PAGES[@]}"; do
	require "$p exists" test -s "$DOCS/$p"
done

for p in "${PAGES[@]}"; do
	if $HAVE_MANDOC; then
		out=$(mandoc -T lint -W warning "$DOCS/$p" 2>&1)
		rc=$?
		if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
			ok "$p: mandoc -T lint -W warning is silent"
		else
			not_ok "$p: mandoc -T lint -W warning is silent (exit $rc)"
			sed 's/^/#   /' <<<"$out"
		fi
	else
		ok "$p: mandoc lint # SKIP mandoc not installed (Debian package mandoc)"
	fi
	# groff is what man-db renders with on Debian: no warnings of any kind (-ww).
	err=$(groff -mdoc -ww -z -Tutf8 "$DOCS/$p" 2>&1)
	if [ -z "$err" ]; then
		ok "$p: groff -mdoc -ww renders without warnings"
	else
		not_ok "$p: groff -mdoc -ww renders without warnings"
		sed 's/^/#   /' <<<"$err"
	fi
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$DOCS/$p" >"$TMP/man.out" 2>"$TMP/man.err"
	if [ ! -s "$TMP/man.err" ] && grep -q '^NAME' "$TMP/man.out"; then
		ok "$p: man -l renders it, nothing on stderr"
	else
		not_ok "$p: man -l renders it, nothing on stderr"
		sed 's/^/#   /' "$TMP/man.err"
	fi
	# A terminal of 80 columns: no line (a literal example) runs over.
	long=$(python3 -c 'import sys
for l in open(sys.argv[1], encoding="utf-8"):
    if len(l.rstrip("\n")) > 80: print(l, end="")' "$TMP/man.out")
	if [ -z "$long" ]; then
		ok "$p: every line fits 80 columns"
	else
		not_ok "$p: every line fits 80 columns"
		sed 's/^/#   /' <<<"$long"
	fi
done

# render PAGE: plain text, wide enough that no tag or option name is broken across lines.
render() {
	if $HAVE_MANDOC; then
		mandoc -T ascii -O width=400 "$DOCS/$1" | col -bx
	else
		groff -mdoc -Tascii -rLL=400n -rHY=0 -P-c "$DOCS/$1" 2>/dev/null | col -bx
	fi
}
# section TEXT_FILE NAME: the lines of section NAME (a heading at column 0) up to the next one.
section() {
	awk -v name="$2" '/^[A-Z]/ { on = ($0 == name); next } on' "$1"
}
# subsection TEXT_FILE NAME: the lines of subsection NAME (a heading at column 3).
subsection() {
	awk -v name="$2" '/^[A-Z]/ { on = 0; next } /^   [^ ]/ { on = (substr($0, 4) == name); next } on' "$1"
}
# entry TEXT NEEDLE: one tagged item of a list, joined into a line: from the tag line (at
# column 5) that starts with NEEDLE followed by a space, a comma or the end, to the next tag.
entry() {
	awk -v n="$2" '
		/^     [^ ]/ {
			if (on) exit
			t = substr($0, 6)
			if (index(t, n) == 1) {
				c = substr(t, length(n) + 1, 1)
				on = (c == "" || c == " " || c == ",")
			}
		}
		on { sub(/^ +/, ""); printf "%s ", $0 }' <<<"$1"
}
# has_word TEXT WORD: WORD occurs in TEXT not as part of a longer option or name.
has_word() {
	local esc
	esc=$(sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$2")
	grep -Eq -- "(^|[^A-Za-z0-9_-])$esc([^A-Za-z0-9_-]|$)" <<<"$1"
}
# default_has ENTRY VALUE: VALUE is a token of what follows "Default:" in ENTRY.
default_has() {
	local rest=${1#*Default:} tok
	[ "$rest" != "$1" ] || return 1
	for tok in $rest; do
		tok=${tok#[(\`\'\"]}
		tok=${tok%[,.;:)\'\"]}
		tok=${tok%[,.;:)\'\"]}
		[ "$tok" = "$2" ] && return 0
	done
	return 1
}

for p in "${PAGES[@]}"; do
	render "$p" >"$TMP/$p.txt"
done

# --- dnsleakd.8 -----------------------------------------------------------------------------

OPTS8=$(section "$TMP/dnsleakd.8.txt" OPTIONS)
# Long options: what -h shows, the long_keys table, and the extra struct options of main.c.
help=$("$DNSLEAKD" -h 2>&1)
require "dnsleakd -h prints its usage" grep -q '^usage: dnsleakd' <<<"$help"
longs=$( {
	grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help"
	sed -n '/long_keys\[\] = {/,/^};/p' "$ROOT/src/server/main.c" | grep -oE '^\s*\{ "[a-z0-9-]+"' |
		grep -oE '[a-z0-9-]+' | sed 's/^/--/'
	grep -oE '\(struct option\)\{ "[a-z0-9-]+"' "$ROOT/src/server/main.c" |
		grep -oE '"[a-z0-9-]+"' | tr -d '"' | sed 's/^/--/'
} | sort -u)
n_long=$(wc -l <<<"$longs")
check "dnsleakd: found its long options ($n_long)" test "$n_long" -ge 28
# Short options: the getopt string of main.c.
shorts=$(grep -oE 'getopt_long\(argc, argv, "[^"]+"' "$ROOT/src/server/main.c" | head -n1 |
	sed 's/.*"\(.*\)"/\1/' | tr -d ':' | grep -o .)
check "dnsleakd: found its short options ($(wc -w <<<"$shorts"))" test "$(wc -w <<<"$shorts")" -ge 5
missing=""
for o in $longs; do has_word "$OPTS8" "$o" || missing="$missing $o"; done
for o in $shorts; do has_word "$OPTS8" "-$o" || missing="$missing -$o"; done
expect_eq "dnsleakd.8 OPTIONS documents every option dnsleakd accepts" "" "${missing# }"

# The default of each option: what `dnsleakd -n` prints (key = value; lists: every value).
"$DNSLEAKD" -n >"$TMP/defaults" 2>&1
n_set=$(grep -cE '^[a-z_0-9]+ = ' "$TMP/defaults")
require "dnsleakd -n prints the settings ($n_set)" test "$n_set" -ge 20
bad=""
while IFS= read -r line; do
	[[ $line =~ ^([a-z_0-9]+)\ =\ (.*)$ ]] || continue
	key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
	flag=--${key//_/-}
	[ "$key" = trusted_resolvers ] && flag=--trusted
	default_has "$(entry "$OPTS8" "$flag")" "$value" || bad="$bad $flag=$value"
done <"$TMP/defaults"
expect_eq "dnsleakd.8: each option's entry names its default (dnsleakd -n)" "" "${bad# }"

for s in DESCRIPTION "THE ZONE" API "THE TEST PAGE" STUN SIGNALS METRICS FILES "EXIT STATUS" \
	EXAMPLES "SEE ALSO"; do
	check "dnsleakd.8 has section $s" grep -qx "$s" "$TMP/dnsleakd.8.txt"
done
# The routes of http.c and the signals main.c stops on.
routes=$(grep -oE '\{ "/[a-z0-9/]+"|#define TESTS?_(PATH|PREFIX) "[^"]+"' "$ROOT/src/server/http.c" |
	grep -oE '"[^"]+"' | tr -d '"' | sed 's,/$,,' | sort -u)
API8=$(section "$TMP/dnsleakd.8.txt" API)
missing=""
for r in $routes /webrtc; do grep -qF -- "$r" <<<"$API8" || missing="$missing $r"; done
expect_eq "dnsleakd.8 API lists every route of http.c" "" "${missing# }"
missing=""
for sig in $(grep -oE 'sigaddset\(&mask, SIG[A-Z]+' "$ROOT/src/server/main.c" | grep -oE 'SIG[A-Z]+' | sort -u); do
	has_word "$(section "$TMP/dnsleakd.8.txt" SIGNALS)" "$sig" || missing="$missing $sig"
done
expect_eq "dnsleakd.8 SIGNALS names every signal dnsleakd handles" "" "${missing# }"
# Every metric name that the server code prints.
metrics=$(grep -ohE '"([^"\\]|\\.)*"' "$ROOT"/src/server/*.c | grep -oE 'dnsleakd_[a-z_]*[a-z]' | sort -u)
M8=$(section "$TMP/dnsleakd.8.txt" METRICS)
missing=""
for m in $metrics; do has_word "$M8" "$m" || missing="$missing $m"; done
expect_eq "dnsleakd.8 METRICS lists every metric" "" "${missing# }"

# --- dnsleakd.conf.5 ------------------------------------------------------------------------

KEYS5=$(section "$TMP/dnsleakd.conf.5.txt" KEYS)
# Every key -n prints, as a setting or as a "# key not set" comment, also with the optional
# ones set; and every key of config.c's table.
"$DNSLEAKD" -n --user nobody --trusted AS64496 --public-dns AS64511 >"$TMP/all" 2>&1
keys=$( {
	sed -nE 's/^([a-z_0-9]+) = .*/\1/p; s/^# ([a-z_0-9]+) not set.*/\1/p' "$TMP/defaults" "$TMP/all"
	sed -n '/config_key keys\[\] = {/,/^};/p' "$ROOT/src/server/config.c" |
		grep -oE '^\s*\{ "[a-z_0-9]+"' | grep -oE '[a-z_0-9]+'
} | sort -u)
n_keys=$(wc -l <<<"$keys")
check "dnsleakd: found its config keys ($n_keys)" test "$n_keys" -ge 25
missing=""
for k in $keys; do
	e=$(entry "$KEYS5" "$k")
	[ -n "$e" ] || missing="$missing $k"
done
expect_eq "dnsleakd.conf.5 KEYS has an entry for every key" "" "${missing# }"
bad=""
while IFS= read -r line; do
	[[ $line =~ ^([a-z_0-9]+)\ =\ (.*)$ ]] || continue
	default_has "$(entry "$KEYS5" "${BASH_REMATCH[1]}")" "${BASH_REMATCH[2]}" ||
		bad="$bad ${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
done <"$TMP/defaults"
expect_eq "dnsleakd.conf.5: each key's entry names its default (dnsleakd -n)" "" "${bad# }"
# What the page promises: -n prints a valid configuration file, and errors name file:line.
"$DNSLEAKD" -c "$TMP/all" -n >"$TMP/again" 2>&1
check "dnsleakd.conf.5: the output of dnsleakd -n reads back as the same configuration" \
	cmp -s "$TMP/all" "$TMP/again"
printf 'zone = leak.example.com\n# comment\nrdns = maybe\n' >"$TMP/bad.conf"
err=$("$DNSLEAKD" -c "$TMP/bad.conf" -n 2>&1)
expect_eq "dnsleakd.conf.5: a bad value is reported as file:line: key: reason" \
	"dnsleakd: $TMP/bad.conf:3: rdns: \`maybe': want yes or no" "$err"
for s in DESCRIPTION KEYS FILES EXAMPLES "SEE ALSO"; do
	check "dnsleakd.conf.5 has section $s" grep -qx "$s" "$TMP/dnsleakd.conf.5.txt"
done

# --- dnsleak.1 ------------------------------------------------------------------------------

T1=$TMP/dnsleak.1.txt
# options_of HELP_TEXT: every --long word, the "-x," short options of the option lines and the
# bundled ones of the usage line ([-hj], [-s url]).
options_of() {
	{
		grep -oE -- '--[a-z][a-z0-9-]*' <<<"$1"
		grep -oE -- '^ +-[A-Za-z],' <<<"$1" | grep -oE -- '-[A-Za-z]'
		grep -oE -- '\[-[A-Za-z]+\]' <<<"$1" | tr -d '[]-' | grep -o . | sed 's/^/-/'
		grep -oE -- '\[-[A-Za-z] ' <<<"$1" | grep -oE -- '-[A-Za-z]'
	} | sort -u
}
require "dnsleak -h prints its usage" grep -q '^usage: dnsleak' <<<"$("$DNSLEAK" -h 2>&1)"
cmds=$("$DNSLEAK" -h 2>&1 | sed -n '/^commands:/,/^$/p' | sed -nE 's/^  ([a-z]+) .*/\1/p')
check "dnsleak: found its commands ($(wc -w <<<"$cmds"))" test "$(wc -w <<<"$cmds")" -ge 4
for c in $cmds; do
	S=$(subsection "$T1" "dnsleak $c")
	if [ -z "$S" ]; then
		not_ok "dnsleak.1 COMMANDS has a subsection dnsleak $c"
		continue
	fi
	ok "dnsleak.1 COMMANDS has a subsection dnsleak $c"
	has_word "$(section "$T1" SYNOPSIS)" "$c" && ok "dnsleak.1 SYNOPSIS shows dnsleak $c" ||
		not_ok "dnsleak.1 SYNOPSIS shows dnsleak $c"
	opts=$("$DNSLEAK" "$c" -h 2>&1 | { options_of "$(cat)"; })
	missing=""
	for o in $opts; do has_word "$S" "$o" || missing="$missing $o"; done
	expect_eq "dnsleak.1: dnsleak $c documents every option of its -h ($(wc -w <<<"$opts"))" "" \
		"${missing# }"
done
# The command-less form: options first, then -h, prints its own usage.
opts=$("$DNSLEAK" -j --help 2>&1 | { options_of "$(cat)"; })
main_doc="$(section "$T1" DESCRIPTION)
$(subsection "$T1" "dnsleak test")"
missing=""
for o in $opts -V --version; do has_word "$main_doc" "$o" || missing="$missing $o"; done
expect_eq "dnsleak.1: plain dnsleak documents every option ($(wc -w <<<"$opts"))" "" "${missing# }"
# Environment variables the client reads.
ENV1=$(section "$T1" ENVIRONMENT)
vars=$(grep -ohE 'getenv\("[A-Z_]+"\)' "$ROOT"/src/client/*.c "$ROOT"/src/common/*.c | grep -oE '[A-Z_]{2,}' | sort -u)
missing=""
for v in $vars; do has_word "$ENV1" "$v" || missing="$missing $v"; done
expect_eq "dnsleak.1 ENVIRONMENT names every variable the client reads ($(wc -w <<<"$vars"))" "" \
	"${missing# }"
vars=$(grep -ohE 'getenv\("[A-Z_]+"\)' "$ROOT"/src/server/*.c | grep -oE '[A-Z_]{2,}' | sort -u)
missing=""
for v in $vars; do has_word "$(cat "$TMP/dnsleakd.8.txt")" "$v" || missing="$missing $v"; done
expect_eq "dnsleakd.8 names every variable the server reads ($(wc -w <<<"$vars"))" "" "${missing# }"
# Exit codes: verdict.h's, each with its meaning.
EX1=$(section "$T1" "EXIT STATUS")
bad=""
for pair in EXIT_PASS:PASS EXIT_LEAK:LEAK "EXIT_CANNOT_TEST:Could not test" EXIT_WARN:WARN \
	EXIT_WARN:INCONCLUSIVE; do
	name=${pair%%:*} what=${pair#*:}
	code=$(sed -nE "s/^\s*$name = ([0-9]+),.*/\1/p" "$ROOT/src/common/verdict.h")
	if [ -z "$code" ] || ! grep -qE "^     $code +.*$what" <<<"$EX1"; then
		bad="$bad $name($code)=$what"
	fi
done
expect_eq "dnsleak.1 EXIT STATUS: the codes of verdict.h" "" "${bad# }"
for s in SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	check "dnsleak.1 has section $s" grep -qx "$s" "$T1"
done

# --- make install ---------------------------------------------------------------------------

if make -C "$ROOT" -n install >/dev/null 2>&1; then
	D=$TMP/root
	if make -C "$ROOT" install DESTDIR="$D" >"$TMP/install.log" 2>&1; then
		ok "make install DESTDIR=... succeeds"
	else
		not_ok "make install DESTDIR=... succeeds"
		sed 's/^/#   /' "$TMP/install.log"
	fi
	check "installed /usr/local/sbin/dnsleakd, executable, the build's" \
		cmp -s "$D/usr/local/sbin/dnsleakd" "$ROOT/build/dnsleakd"
	check "installed /usr/local/bin/dnsleak, executable, the build's" \
		cmp -s "$D/usr/local/bin/dnsleak" "$ROOT/build/dnsleak"
	check "the installed programs are executable" \
		test -x "$D/usr/local/sbin/dnsleakd" -a -x "$D/usr/local/bin/dnsleak"
	for p in "${PAGES[@]}"; do
		f=$D/usr/local/share/man/man${p##*.}/$p
		check "installed $p in man${p##*.}, mode 644" \
			test "$(stat -c %a "$f" 2>/dev/null)" = 644 -a "$(cmp -s "$f" "$DOCS/$p" && echo same)" = same
	done
	check "man finds the installed dnsleakd.conf(5)" \
		test "$(man -M "$D/usr/local/share/man" -w 5 dnsleakd.conf 2>/dev/null)" = \
		"$D/usr/local/share/man/man5/dnsleakd.conf.5"
	make -C "$ROOT" install DESTDIR="$TMP/root2" PREFIX=/usr >/dev/null 2>&1
	check "PREFIX=/usr installs under /usr" test -x "$TMP/root2/usr/sbin/dnsleakd" -a \
		-f "$TMP/root2/usr/share/man/man8/dnsleakd.8"
	leaked=$(find "$D" -type f | grep -vE "^$D/usr/local/(s?bin|share/man/man[158])/")
	expect_eq "make install puts nothing else under DESTDIR" "" "$leaked"
	if make -C "$ROOT" -n uninstall >/dev/null 2>&1; then
		make -C "$ROOT" uninstall DESTDIR="$D" >/dev/null 2>&1
		expect_eq "make uninstall removes every file it installed" "" "$(find "$D" -type f)"
	fi
else
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP no install target"
fi

finish
