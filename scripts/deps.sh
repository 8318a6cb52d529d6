#!/bin/sh
# Install what uctrack needs to build, test and demo on Debian 12.
# Does nothing when everything is present. Run as root (or with sudo).
set -eu
PKGS="build-essential pkg-config git ca-certificates sqlite3 libsqlite3-dev
libjansson-dev libcsv-dev libsodium-dev libssl-dev libutf8proc-dev libinih-dev
libcmocka-dev libmicrohttpd-dev clang clang-format libclang-rt-14-dev hyperfine wrk
nginx-light chromium curl python3 bc time"
# Node.js: Debian's nodejs+npm, unless a Node.js with npm is already present
# (e.g. a nodesource build, which bundles npm and conflicts with Debian's).
if ! command -v npm >/dev/null 2>&1; then PKGS="$PKGS nodejs npm"; fi
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing" >&2
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >/dev/null
	$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
# npm test tooling (OpenAPI validator): install from package-lock.json when
# node_modules is missing or older than the lock file.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$root/package-lock.json" ]; then
	stamp="$root/node_modules/.package-lock.json"
	if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
		echo "deps: npm ci" >&2
		(cd "$root" && npm ci --no-audit --no-fund >/dev/null)
	fi
fi
