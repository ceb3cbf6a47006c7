#!/usr/bin/env bash
# bench/aof.sh — fnkit timeline against redis-check-aof on a large AOF.
#
# A real redis-server (appendonly yes, aof-timestamp-enabled yes, no
# automatic rewrite, so one incr file grows) is driven by redis-benchmark in
# rounds of pipelined data writes (SET, HSET, LPUSH, INCR, FCALL of a
# function that writes two keys, which the AOF holds as MULTI/EXEC) with
# FUNCTION LOAD / LOAD REPLACE / DELETE / RESTORE between the rounds, until
# the AOF holds about SIZE_MB megabytes. Then, on the same files (page cache
# warm, best of RUNS runs), we time:
#   cat FILES >/dev/null                  the ceiling: reading the bytes
#   fnkit timeline DIR                    full RESP validation + replay + timeline
#   fnkit timeline --json DIR
#   redis-check-aof DIR/appendonly.aof.manifest   Redis's own checker
# and print MB/s, peak RSS (GNU time) and the ratios. Usage:
#   bash bench/aof.sh                 # SIZE_MB=1024
#   SIZE_MB=256 bash bench/aof.sh
# Scratch data lives in WORK (default: a new /tmp dir) and is deleted at exit
# unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
VALUE_BYTES=${VALUE_BYTES:-200}
WORK=${WORK:-$(mktemp -d /tmp/fnkit-bench-aof.XXXXXX)}
mkdir -p "$WORK"
SPID=
cleanup() {
	if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
	[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "bench/aof.sh: $1 is required" >&2; exit 1; }; }
need redis-server; need redis-cli; need redis-check-aof; need redis-benchmark; need go
[ -x /usr/bin/time ] || { echo "bench/aof.sh: GNU time (/usr/bin/time) is required (apt-get install time)" >&2; exit 1; }

echo "== building fnkit" >&2
go build -o "$WORK/fnkit" ./cmd/fnkit

DIR="$WORK/server/appendonlydir"
if [ ! -f "$DIR/appendonly.aof.manifest" ]; then
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$WORK/server"
	redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK/server" --save "" \
		--appendonly yes --appendfsync no --auto-aof-rewrite-percentage 0 \
		--aof-timestamp-enabled yes --daemonize no --logfile "$WORK/server/server.log" &
	SPID=$!
	for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
	cli() { redis-cli -p "$PORT" "$@" >/dev/null; }
	aof_bytes() { du -cb "$DIR"/*.incr.aof | tail -1 | cut -f1; }
	# A function that writes two keys: its effects reach the AOF as MULTI/EXEC.
	cli FUNCTION LOAD "#!lua name=benchlib
redis.register_function('pair', function(keys, args) redis.call('SET', keys[1], args[1]); redis.call('INCR', keys[2]); return 1 end)"
	round=0
	libs=("$ROOT"/fixtures/libs/*.lua)
	echo "== writing an AOF of about $SIZE_MB MB (value size $VALUE_BYTES bytes)" >&2
	while [ "$(aof_bytes)" -lt $((SIZE_MB * 1024 * 1024)) ]; do
		round=$((round + 1))
		n=50000
		redis-benchmark -p "$PORT" -q -P 64 -r 10000000 -n $n -d "$VALUE_BYTES" -t set,lpush,incr >/dev/null
		redis-benchmark -p "$PORT" -q -P 64 -r 10000000 -n $((n / 2)) HSET "h:__rand_int__" "f:__rand_int__" "$(head -c "$VALUE_BYTES" /dev/zero | tr '\0' v)" >/dev/null
		redis-benchmark -p "$PORT" -q -P 64 -r 10000000 -n $((n / 4)) FCALL pair 2 "p:__rand_int__" "c:__rand_int__" "$(head -c 50 /dev/zero | tr '\0' w)" >/dev/null
		# Library changes between the rounds.
		lib=${libs[$((round % ${#libs[@]}))]}
		name=$(head -1 "$lib" | sed 's/.*name=\([A-Za-z0-9_]*\).*/\1/')
		redis-cli -p "$PORT" FUNCTION DELETE "$name" >/dev/null 2>&1 || true
		redis-cli -p "$PORT" -x FUNCTION LOAD REPLACE <"$lib" >/dev/null 2>&1 || true
		if [ $((round % 3)) = 0 ]; then
			# -x passes the payload as the last argument: FUNCTION RESTORE <payload> (APPEND)
			redis-cli -p "$PORT" FUNCTION DELETE jobqueue >/dev/null 2>&1 || true
			redis-cli -p "$PORT" -x FUNCTION RESTORE <"$ROOT/fixtures/redis-7.0.15/dump-jobqueue.bin" >/dev/null 2>&1 || true
		fi
		printf '   round %d: %d MB\n' "$round" $(($(aof_bytes) / 1024 / 1024)) >&2
	done
	cli SHUTDOWN NOSAVE || true
	wait "$SPID" 2>/dev/null || true
	SPID=
fi
BYTES=$(du -cb "$DIR"/* | tail -1 | cut -f1)
MB=$(python3 -c "print($BYTES/1048576)")
echo "== AOF: $DIR, $(ls "$DIR" | wc -l) files, $BYTES bytes" >&2
"$WORK/fnkit" inspect "$DIR" | sed -n '1,12p' >&2

# run LABEL CMD...: best wall time of RUNS runs and the peak RSS, to stdout
# as "LABEL seconds maxrss_kb exit".
run() {
	local label=$1
	shift
	local best= rss= code=
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M %x' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" </dev/null || true
		read -r secs kb x <"$WORK/time" || true
		if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $secs < $best else 1)"; then best=$secs rss=$kb code=$x; fi
	done
	echo "$label $best $rss $code"
}

cat "$DIR"/* >/dev/null # warm the page cache
RESULTS="$WORK/results"
: >"$RESULTS"
run "cat" sh -c "cat '$DIR'/* >/dev/null" >>"$RESULTS"
run "fnkit-timeline" "$WORK/fnkit" timeline "$DIR" >>"$RESULTS"
run "fnkit-timeline-json" "$WORK/fnkit" timeline --json "$DIR" >>"$RESULTS"
run "redis-check-aof" redis-check-aof "$DIR/appendonly.aof.manifest" >>"$RESULTS"

"$WORK/fnkit" timeline "$DIR" >"$WORK/timeline.txt"
EVENTS=$(($(wc -l <"$WORK/timeline.txt") - 2))

python3 - "$RESULTS" "$MB" "$EVENTS" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
mb = float(sys.argv[2])
t = {r[0]: (float(r[1]), int(r[2]), r[3]) for r in rows}
print(f"AOF of {mb:.0f} MB, timeline of about {sys.argv[3]} lines; best of the runs, warm page cache")
print(f"{'':22} {'seconds':>8} {'MB/s':>8} {'peak RSS':>10} {'exit':>5}")
for name, (secs, kb, code) in t.items():
    rate = mb / secs if secs > 0 else float('inf')
    print(f"{name:22} {secs:8.2f} {rate:8.0f} {kb/1024:8.1f} MB {code:>5}")
f, r = t["fnkit-timeline"][0], t["redis-check-aof"][0]
print(f"fnkit timeline is {r/f:.1f}x as fast as redis-check-aof; reading the bytes (cat) takes {t['cat'][0]/f*100:.0f}% of its time")
ok = mb / f >= 500 and t["fnkit-timeline"][1] < 64 * 1024
print("target (>= 500 MB/s, peak RSS < 64 MB):", "met" if ok else "NOT met")
EOF
