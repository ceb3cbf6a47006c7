#!/usr/bin/env bash
# bench/rdb.sh — fnkit against the real tools on a large RDB, side by side.
#
# A real redis-server builds an RDB of about SIZE_MB megabytes with DEBUG
# POPULATE (rdbcompression off, so the file really is that big) plus the
# fixture libraries; then, on the same cached file, we time:
#   cat FILE >/dev/null             the ceiling: reading the bytes
#   fnkit inspect FILE              full structure walk + CRC-64 check
#   fnkit inspect --no-verify FILE  libraries only
#   redis-check-rdb FILE            Redis's own checker
#   rdb -c json FILE                github.com/hdt3213/rdb's converter
#   fnkit restore --into FILE ...   rewrite with a replaced library
# and print throughput, peak RSS and ratios. Usage:
#   bash bench/rdb.sh             # SIZE_MB=1024
#   SIZE_MB=256 bash bench/rdb.sh
# Scratch data lives in WORK (default: a new /tmp dir) and is deleted at exit
# unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SIZE_MB=${SIZE_MB:-1024}
VALUE_BYTES=${VALUE_BYTES:-1000}
WORK=${WORK:-$(mktemp -d /tmp/fnkit-bench-rdb.XXXXXX)}
mkdir -p "$WORK"
cleanup() {
	[ -n "${SPID:-}" ] && kill "$SPID" 2>/dev/null || true
	[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "bench/rdb.sh: $1 is required" >&2; exit 1; }; }
need redis-server; need redis-cli; need redis-check-rdb; need go
[ -x /usr/bin/time ] || { echo "bench/rdb.sh: GNU time (/usr/bin/time) is required (apt-get install time)" >&2; exit 1; }

echo "== building fnkit and hdt3213/rdb v1.3.2" >&2
go build -o "$WORK/fnkit" ./cmd/fnkit
# the main package of the dependency pinned in go.mod (the proxy refuses @version installs of it)
go build -o "$WORK/rdb" github.com/hdt3213/rdb

RDB="$WORK/big.rdb"
if [ ! -f "$RDB" ]; then
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$WORK/server"
	redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK/server" --save "" \
		--dbfilename big.rdb --rdbcompression no --daemonize no --enable-debug-command local \
		--logfile "$WORK/server/server.log" &
	SPID=$!
	for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
	for lib in "$ROOT"/fixtures/libs/*.lua; do
		[ "$(basename "$lib")" = ratelimit_v2.lua ] && continue
		redis-cli -p "$PORT" -x FUNCTION LOAD <"$lib" >/dev/null
	done
	KEYS=$((SIZE_MB * 1024 * 1024 / (VALUE_BYTES + 30)))
	echo "== DEBUG POPULATE $KEYS keys of $VALUE_BYTES bytes" >&2
	out=$(redis-cli -p "$PORT" DEBUG POPULATE "$KEYS" key "$VALUE_BYTES")
	[ "$out" = OK ] || { echo "bench/rdb.sh: DEBUG POPULATE: $out" >&2; exit 1; }
	redis-cli -p "$PORT" SAVE >/dev/null
	kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
	mv "$WORK/server/big.rdb" "$RDB"
fi
BYTES=$(stat -c %s "$RDB")
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1048576}')
echo "== $RDB: $MB MB" >&2

# run NAME CMD... : best wall time of 3 runs (file cached), peak RSS of the last
declare -A SECS RSS
run() {
	local name=$1; shift
	local best=999999 t rss
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" || {
			echo "bench/rdb.sh: $name failed:" >&2; cat "$WORK/err.txt" >&2; exit 1; }
		read -r t rss <"$WORK/time.txt"
		best=$(awk -v a="$t" -v b="$best" 'BEGIN{print (a<b)?a:b}')
	done
	SECS[$name]=$best
	RSS[$name]=$rss
}

cat "$RDB" >/dev/null # warm the page cache
run cat cat "$RDB"
run inspect "$WORK/fnkit" inspect "$RDB"
run inspect-noverify "$WORK/fnkit" inspect --no-verify "$RDB"
run redis-check-rdb redis-check-rdb "$RDB"
run hdt3213-json "$WORK/rdb" -c json -o "$WORK/out.json" "$RDB"
rm -f "$WORK/out.json"
cp "$ROOT/fixtures/libs/ratelimit_v2.lua" "$WORK/ratelimit.lua"
run restore sh -c "rm -f '$WORK/out.rdb' && '$WORK/fnkit' restore --into '$RDB' '$WORK/ratelimit.lua' --mode replace -o '$WORK/out.rdb'"
rm -f "$WORK/out.rdb"
# the same rewrite with the output in memory (tmpfs): fnkit's own speed, without the disk
TOOLS="cat inspect inspect-noverify redis-check-rdb hdt3213-json restore"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	SHM=$(mktemp -d /dev/shm/fnkit-bench.XXXXXX)
	run restore-tmpfs sh -c "rm -f '$SHM/out.rdb' && '$WORK/fnkit' restore --into '$RDB' '$WORK/ratelimit.lua' --mode replace -o '$SHM/out.rdb'"
	rm -rf "$SHM"
	TOOLS="$TOOLS restore-tmpfs"
fi

printf '\n%-18s %10s %12s %12s\n' tool seconds MB/s "peak RSS MB"
for n in $TOOLS; do
	s=${SECS[$n]}
	printf '%-18s %10s %12s %12s\n' "$n" "$s" \
		"$(awk -v m="$MB" -v s="$s" 'BEGIN{ if (s>0) printf "%.0f", m/s; else print "inf" }')" \
		"$(awk -v k="${RSS[$n]}" 'BEGIN{printf "%.1f", k/1024}')"
done
ratio() { awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" 'BEGIN{ if (a>0) printf "%.2f", b/a; else print "inf" }'; }
echo
echo "inspect vs redis-check-rdb: $(ratio inspect redis-check-rdb)x faster (target >= 5)"
echo "inspect vs hdt3213 json:    $(ratio inspect hdt3213-json)x faster"
echo "inspect vs cat:             $(awk -v a="${SECS[inspect]}" -v b="${SECS[cat]}" 'BEGIN{ if (a>0) printf "%.2f", b/a; else print "inf"}') of cat's speed (target >= 0.25)"
echo "restore:                    $(awk -v m="$MB" -v s="${SECS[restore]}" 'BEGIN{ if (s>0) printf "%.0f", m/s; else print "inf"}') MB/s to disk (fsync included; target >= 500)"
[ -n "${SECS[restore-tmpfs]:-}" ] && echo "restore to tmpfs:           $(awk -v m="$MB" -v s="${SECS[restore-tmpfs]}" 'BEGIN{ if (s>0) printf "%.0f", m/s; else print "inf"}') MB/s"
true
