#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 30s).
# `make test` runs the seed corpora only; this explores beyond them.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${FUZZTIME:-30s}
status=0
while IFS= read -r line; do
	file=${line%%:*}
	target=$(sed -E 's/.*func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
	pkg=./$(dirname "$file")
	echo "== $pkg $target ($time)"
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -fuzzminimizetime 0 "$pkg"; then
		status=1
	fi
done < <(grep -rn --include='*_test.go' '^func Fuzz' internal sim runner test 2>/dev/null | sort)
exit $status
