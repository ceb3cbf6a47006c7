#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the real Redis tools the
# tests use as their oracle (Debian package redis-server) when missing, then
# vets and tests every package.
set -euo pipefail
cd "$(dirname "$0")/.."

# the tools the tests run, with their Debian packages (fixtures.RequireTool
# fails a test in CI when one is missing)
missing=()
for tool in redis-server:redis-server redis-check-rdb:redis-server patch:patch fish:fish; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
	pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
	echo "scripts/test.sh: installing $pkgs(apt-get)" >&2
	SUDO=""
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
	$SUDO apt-get update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $pkgs
fi
# the package starts a system instance on 6379; the tests never use it
redis-server --version

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed:" $unformatted >&2
	exit 1
fi
go vet ./...
go test -count=1 -timeout 30m ./...
