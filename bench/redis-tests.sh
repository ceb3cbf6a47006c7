#!/usr/bin/env bash
# Runs Redis 7.0.15's own test suite (tests/test_helper.tcl, external-server
# mode) against `fnkit serve` and against a real redis-server 7.0.15, side by
# side, and prints what passed and what failed on each.
#
# Redis's tests are not part of this repository (licence and size); point
# REDIS_SRC at them:
#   REDIS_SRC=/path/to/redis-7.0.15        a source tree (has tests/test_helper.tcl)
#   REDIS_SRC=/path/to/redis.git           a git repository with the tag 7.0.15
# Without REDIS_SRC the script tries the release tarball (needs network).
#
# Environment:
#   UNITS        units to run (default: "unit/functions unit/scripting")
#   REDIS_SERVER redis-server binary (default: redis-server on PATH); empty
#                string "none" skips the real server
# Extra arguments go to test_helper.tcl for both servers, e.g.
#   bash bench/redis-tests.sh --skiptest "/SORT" --tags -needs:debug
#
# Exit status: 0 when fnkit failed no test, 1 when it failed some, 2 when the
# suite could not be set up.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
units=${UNITS:-"unit/functions unit/scripting"}
redis_server=${REDIS_SERVER:-redis-server}
tarball=https://download.redis.io/releases/redis-7.0.15.tar.gz

die() { echo "redis-tests: $*" >&2; exit 2; }
command -v tclsh >/dev/null || die "tclsh (Tcl 8.5+) is needed: apt-get install tcl"

work=$(mktemp -d /tmp/fnkit-redis-tests.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# The suite: tests/ and its helpers copied into $work/redis (the suite
# writes under tests/tmp, so never run it in place).
src=$work/redis
mkdir -p "$src"
if [ -n "${REDIS_SRC:-}" ]; then
	if [ -f "$REDIS_SRC/tests/test_helper.tcl" ]; then
		cp -r "$REDIS_SRC/tests" "$src/"
	elif git --git-dir="$REDIS_SRC" rev-parse -q --verify 7.0.15^{commit} >/dev/null 2>&1 ||
		git -C "$REDIS_SRC" rev-parse -q --verify 7.0.15^{commit} >/dev/null 2>&1; then
		gd=$REDIS_SRC
		git --git-dir="$gd" rev-parse -q --verify 7.0.15^{commit} >/dev/null 2>&1 || gd=$(git -C "$REDIS_SRC" rev-parse --git-dir)
		case $gd in /*) ;; *) gd=$REDIS_SRC/$gd ;; esac
		git --git-dir="$gd" archive 7.0.15 tests | tar -x -C "$src"
	else
		die "REDIS_SRC=$REDIS_SRC is neither a source tree with tests/test_helper.tcl nor a git repository with the tag 7.0.15"
	fi
else
	echo "redis-tests: REDIS_SRC not set; trying $tarball" >&2
	if ! curl -fsSL --max-time 60 "$tarball" -o "$work/redis.tar.gz" 2>/dev/null; then
		die "no Redis 7.0.15 test suite: set REDIS_SRC to a redis-7.0.15 source tree or a redis git repository (tag 7.0.15); the tarball could not be downloaded"
	fi
	tar -xzf "$work/redis.tar.gz" -C "$work/redis" --strip-components=1 redis-7.0.15/tests
fi
[ -f "$src/tests/test_helper.tcl" ] || die "no tests/test_helper.tcl in the suite"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_ping() {
	for _ in $(seq 100); do
		if redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; then return 0; fi
		sleep 0.1
	done
	return 1
}

echo "redis-tests: building fnkit" >&2
(cd "$here" && go build -o "$work/fnkit" ./cmd/fnkit) || die "go build failed"

# run_suite NAME PORT: every unit against the server on PORT; the results
# go to $work/NAME.UNIT.out and the counts to $work/NAME.summary.
run_suite() {
	local name=$1 port=$2 unit out
	: >"$work/$name.failures"
	for unit in $units; do
		out=$work/$name.$(basename "$unit").out
		# --clients 1: one test client, as external mode runs anyway.
		(cd "$src" && tclsh tests/test_helper.tcl --host 127.0.0.1 --port "$port" \
			--single "$unit" --clients 1 --timeout "${TEST_TIMEOUT:-600}" "${extra[@]}") \
			</dev/null >"$out" 2>&1 || true
		sed 's/\x1b\[[0-9;]*m//g' "$out" >"$out.plain"
		grep -E '^\[(err|exception)\]: ' "$out.plain" | sed "s|^|$unit |" >>"$work/$name.failures" || true
		if ! grep -q 'All tests passed without errors\|\[done\]\|done\]: ' "$out.plain"; then
			if ! grep -qE '^\[exception\]' "$out.plain"; then
				echo "$unit [exception]: the suite stopped early (see below)" >>"$work/$name.failures"
			fi
		fi
	done
	cat "$work/$name".*.out.plain | grep -cE '^\[ok\]: ' >"$work/$name.ok" || true
	cat "$work/$name".*.out.plain | grep -cE '^\[ignore\]: ' >"$work/$name.ignored" || true
	cat "$work/$name".*.out.plain | grep -E '^\[skip\]: ' | sed 's/^\[skip\]: //' | sort -u >"$work/$name.skipped" || true
}

# Both servers run with the same arguments, so the counts compare:
# - --tags -needs:repl: fnkit has no replication (no SYNC/REPLCONF, no
#   replication stream to attach to);
# - tests that stop the whole unit with an exception on fnkit (an
#   unimplemented command or config), skipped so that the rest of the unit
#   runs; they are listed in the summary. SKIP_KNOWN=0 runs them.
known=(
	# none at the moment: SORT and min-replicas-to-write are implemented
)
extra=(--tags -needs:repl)
if [ "${SKIP_KNOWN:-1}" != 0 ]; then
	for k in "${known[@]}"; do extra+=(--skiptest "$k"); done
fi
extra+=("$@")

fport=$(free_port)
"$work/fnkit" serve --quiet --addr "127.0.0.1:$fport" >"$work/fnkit.log" 2>&1 &
pids+=($!)
wait_ping "$fport" || { cat "$work/fnkit.log" >&2; die "fnkit serve did not start"; }
echo "redis-tests: fnkit serve on port $fport" >&2
run_suite fnkit "$fport"

names=(fnkit)
if [ "$redis_server" != none ]; then
	command -v "$redis_server" >/dev/null || die "no $redis_server (set REDIS_SERVER=none to run against fnkit only)"
	rport=$(free_port)
	mkdir -p "$work/redis-dir"
	# As Redis's CI runs its external-server job: debug command enabled,
	# no persistence.
	"$redis_server" --port "$rport" --bind 127.0.0.1 --dir "$work/redis-dir" --save '' \
		--appendonly no --enable-debug-command yes --logfile "$work/redis-server.log" &
	pids+=($!)
	wait_ping "$rport" || die "redis-server did not start"
	echo "redis-tests: $("$redis_server" --version | cut -d' ' -f1-3) on port $rport" >&2
	run_suite redis-server "$rport"
	names+=(redis-server)
fi

status=0
echo
echo "Redis 7.0.15 test suite ($units), external-server mode"
for n in "${names[@]}"; do
	nfail=$(grep -c . "$work/$n.failures" || true)
	printf '%-13s %4s passed, %s failed, %s ignored (tagged external:skip or needs:repl)\n' \
		"$n:" "$(cat "$work/$n.ok")" "$nfail" "$(cat "$work/$n.ignored")"
	sed 's/^/    /' "$work/$n.failures"
	if [ -s "$work/$n.skipped" ]; then
		echo "    skipped by this script (see 'known' in $0):"
		sed 's/^ */      /' "$work/$n.skipped"
	fi
	if [ "$n" = fnkit ] && [ "$nfail" -gt 0 ]; then status=1; fi
done
echo "arguments to test_helper.tcl for both: ${extra[*]}"
if [ -n "${KEEP_OUTPUT:-}" ]; then
	mkdir -p "$KEEP_OUTPUT" && cp "$work"/*.out.plain "$KEEP_OUTPUT"/ && echo "output kept in $KEEP_OUTPUT"
fi
exit $status
