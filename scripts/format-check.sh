#!/bin/sh
# The C sources as .clang-format lays them out (run by make lint). Fix with
#   scripts/format-check.sh --fix
# src/ingest/iso.c is generated (src/ingest/iso_gen.py) and left as written.
set -eu
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null 2>&1 ||
	{ echo "format-check: clang-format not found: run scripts/deps.sh" >&2; exit 1; }
files=$(find src tests/unit tests/fuzz -name '*.[ch]' ! -path src/ingest/iso.c | sort)
if [ "${1:-}" = "--fix" ]; then
	clang-format -i $files
	exit 0
fi
if ! clang-format --dry-run --Werror $files 2>/tmp/format-check.$$; then
	grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning)' /tmp/format-check.$$ | head -20 >&2
	n=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: (error|warning)' /tmp/format-check.$$ || true)
	rm -f /tmp/format-check.$$
	echo "format-check: $n places differ from .clang-format; run scripts/format-check.sh --fix" >&2
	exit 1
fi
rm -f /tmp/format-check.$$
