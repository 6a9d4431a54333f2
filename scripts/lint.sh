#!/usr/bin/env bash
# Functions and constructs this codebase avoids (STYLE.md R20), outside tests.
set -u
cd "$(dirname "$0")/.."
bad=$(git grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|alloca)\s*\(' -- 'src/*.c' 'src/*.h')
if [ -n "$bad" ]; then
	echo "lint: banned functions:"
	echo "$bad"
	exit 1
fi
echo "lint: clean"
