#!/bin/sh
# Fail when project C code uses a banned libc function (STYLE.md rule 5).
set -eu
cd "$(dirname "$0")/.."
pat='\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|atof|sscanf|gets|strtok)[[:space:]]*\('
if grep -rnE "$pat" src tests/unit tests/fuzz 2>/dev/null | grep -v '^\s*//' ; then
	echo "banned.sh: use bounded alternatives (snprintf, buf_*, strtol with checks)" >&2
	exit 1
fi
