#!/usr/bin/env bash
# bench/runtime.sh — fnkit serve against a real redis-server, with
# redis-benchmark, in one run.
#
# Both servers get the same library:
#   noop  returns 1                                   (FCALL of a trivial function)
#   three SET key, INCR counter, GET key              (FCALL making three redis.call)
# and redis-benchmark measures, on each server:
#   FCALL noop 0                 not pipelined, and pipelined (-P $PIPE)
#   FCALL three 1 key:N          not pipelined, and pipelined (100000 random keys)
#   FUNCTION LOAD REPLACE of 100 different libraries (one client, sequential)
# For each, the best of ROUNDS alternating rounds: the throughput of both
# servers and the ratio fnkit/redis
# (target for FCALL: 0.5), and the CPU time each server process used per
# request (from /proc/PID/stat), which a shared, noisy machine disturbs
# much less than throughput.
#
# Pinning (PIN=1, the default on a machine with 2 CPUs or more): both
# servers run with taskset on the same single CPU (the last one) and
# redis-benchmark and the FUNCTION LOAD client on the others, so each
# server has exactly one CPU to itself while it is measured. Without it,
# redis-server is single-threaded but fnkit's goroutines (connections, GC)
# spread over every CPU, and redis-benchmark competes with both for them;
# pinned, the comparison is one CPU against one CPU, and steadier.
# Usage:
#   bash bench/runtime.sh               # REQUESTS=100000 CLIENTS=50 PIPE=16 PIN=1 ROUNDS=3
#   REQUESTS=20000 bash bench/runtime.sh
#   PIN=0 bash bench/runtime.sh          # no taskset
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
PIPE=${PIPE:-16}
ROUNDS=${ROUNDS:-3}
NCPU=$(nproc)
PIN=${PIN:-1}
SRVPIN=()
CLIPIN=()
if [ "$PIN" = 1 ] && [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null; then
	SRVCPU=$((NCPU - 1))
	SRVPIN=(taskset -c "$SRVCPU")
	CLIPIN=(taskset -c "0-$((SRVCPU - 1))")
	echo "pinned: both servers on CPU $SRVCPU, redis-benchmark on CPU 0-$((SRVCPU - 1)) (taskset; PIN=0 to turn off); $NCPU CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
else
	echo "not pinned: servers and redis-benchmark share all $NCPU CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
WORK=$(mktemp -d /tmp/fnkit-bench-runtime.XXXXXX)
RPID=
FPID=
cleanup() {
	for p in $RPID $FPID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

go build -o "$WORK/fnkit" ./cmd/fnkit
RPORT=$(free_port)
"${SRVPIN[@]}" redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
RPID=$!
FPORT=$(free_port)
cat > "$WORK/bench.lua" <<'LUA'
#!lua name=bench
redis.register_function('noop', function(keys, args) return 1 end)
redis.register_function('three', function(keys, args)
  redis.call('SET', keys[1], 'v')
  redis.call('INCR', 'counter')
  return redis.call('GET', keys[1])
end)
LUA
GOGC=${FNKIT_GOGC:-100} "${SRVPIN[@]}" "$WORK/fnkit" serve --quiet --addr "127.0.0.1:$FPORT" "$WORK/bench.lua" 2>"$WORK/fnkit.log" &
FPID=$!
for p in "$RPORT" "$FPORT"; do
	for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli -p "$RPORT" FUNCTION LOAD "$(cat "$WORK/bench.lua")" >/dev/null

# cpu PID prints the CPU time the process used so far, in clock ticks
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# rps PORT PID ARGS... prints the requests per second redis-benchmark
# measured and the server's CPU microseconds per request
rps() {
	local port=$1 pid=$2
	shift 2
	local c0 c1 r n
	c0=$(cpu "$pid")
	r=$("${CLIPIN[@]}" redis-benchmark -p "$port" -q --csv "$@" | tail -1 | awk -F'","' '{gsub(/"/, "", $2); print $2}')
	c1=$(cpu "$pid")
	n=$(python3 -c "import sys; print(sys.argv[1])" "$REQUESTS")
	python3 -c "import sys; r, c0, c1, n, t = sys.argv[1:]; print(r, '%.2f' % ((int(c1) - int(c0)) * 1e6 / int(t) / int(n)))" "$r" "$c0" "$c1" "$n" "$TICK"
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else 0))" "$1" "$2"; }

echo "best of $ROUNDS rounds per server, alternating; $REQUESTS requests, $CLIENTS clients"
printf '%-34s %12s %12s %7s %14s %14s %9s\n' "workload" "redis rps" "fnkit rps" "ratio" "redis cpu us" "fnkit cpu us" "cpu ratio"
# run NAME ARGS... runs the workload ROUNDS times on each server,
# alternating, and keeps the best of the rounds: the highest throughput and
# the lowest CPU time per request (what a busy machine disturbs least)
run() {
	local name=$1
	shift
	local r f rr=0 rc=1e9 fr=0 fc=1e9 i
	for i in $(seq "$ROUNDS"); do
		r=$(rps "$RPORT" "$RPID" "$@")
		f=$(rps "$FPORT" "$FPID" "$@")
		rr=$(best max "$rr" "${r% *}") rc=$(best min "$rc" "${r#* }")
		fr=$(best max "$fr" "${f% *}") fc=$(best min "$fc" "${f#* }")
	done
	printf '%-34s %12s %12s %7s %14s %14s %9s\n' "$name" "$rr" "$fr" "$(ratio "$fr" "$rr")" "$rc" "$fc" "$(ratio "$rc" "$fc")"
}
best() { python3 -c "import sys; print('%.2f' % $1(float(sys.argv[1]), float(sys.argv[2])))" "$2" "$3"; }
run "FCALL noop" -n "$REQUESTS" -c "$CLIENTS" FCALL noop 0
run "FCALL noop, pipelined x$PIPE" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPE" FCALL noop 0
# -r before the command: after it, redis-benchmark passes "-r 100000" to
# FCALL as two more arguments and every request uses one key
run "FCALL three (3 redis.call)" -n "$REQUESTS" -c "$CLIENTS" -r 100000 FCALL three 1 key:__rand_int__
run "FCALL three, pipelined x$PIPE" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPE" -r 100000 FCALL three 1 key:__rand_int__

# FUNCTION LOAD of 100 libraries, sequentially, on each server
load100() {
	local port=$1
	"${CLIPIN[@]}" python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(out)
    line = f.readline()
    if line[:1] == b"$":
        f.read(int(line[1:]) + 2)
    elif line[:1] == b"-":
        raise SystemExit(line.decode())
start = time.time()
for i in range(100):
    code = "#!lua name=lib%d\n" % i + "".join(
        "redis.register_function('f%d_%d', function(keys, args) return redis.call('GET', keys[1]) end)\n" % (i, j) for j in range(10))
    cmd("FUNCTION", "LOAD", "REPLACE", code)
print("%.0f" % (100 / (time.time() - start)))
PY
}
r=0 f=0
for i in $(seq "$ROUNDS"); do
	r=$(best max "$r" "$(load100 "$RPORT")")
	f=$(best max "$f" "$(load100 "$FPORT")")
done
printf '%-34s %12s %12s %7s\n' "FUNCTION LOAD (100 libraries)" "${r%.*}" "${f%.*}" "$(ratio "$f" "$r")"
