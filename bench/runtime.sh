#!/usr/bin/env bash
# bench/runtime.sh — fnkit serve against a real redis-server, with
# redis-benchmark, in one run.
#
# Both servers get the same library:
#   noop  returns 1                                   (FCALL of a trivial function)
#   three SET key, INCR counter, GET key              (FCALL making three redis.call)
# and redis-benchmark measures, on each server:
#   FCALL noop 0                 not pipelined, and pipelined (-P $PIPE)
#   FCALL three 1 k              not pipelined, and pipelined
#   FUNCTION LOAD REPLACE of 100 different libraries (one client, sequential)
# The ratio fnkit/redis is printed for each. The target for FCALL is 0.5.
# Usage:
#   bash bench/runtime.sh               # REQUESTS=100000 CLIENTS=50 PIPE=16
#   REQUESTS=20000 bash bench/runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
PIPE=${PIPE:-16}
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
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
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
"$WORK/fnkit" serve --quiet --addr "127.0.0.1:$FPORT" "$WORK/bench.lua" 2>"$WORK/fnkit.log" &
FPID=$!
for p in "$RPORT" "$FPORT"; do
	for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli -p "$RPORT" FUNCTION LOAD "$(cat "$WORK/bench.lua")" >/dev/null

# rps PORT ARGS... prints the requests per second redis-benchmark measured
rps() {
	local port=$1
	shift
	redis-benchmark -p "$port" -q --csv "$@" | tail -1 | awk -F'","' '{gsub(/"/, "", $2); print $2}'
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else 0))" "$1" "$2"; }

printf '%-34s %12s %12s %7s\n' "workload" "redis rps" "fnkit rps" "ratio"
run() {
	local name=$1
	shift
	local r f
	r=$(rps "$RPORT" "$@")
	f=$(rps "$FPORT" "$@")
	printf '%-34s %12s %12s %7s\n' "$name" "$r" "$f" "$(ratio "$f" "$r")"
}
run "FCALL noop" -n "$REQUESTS" -c "$CLIENTS" FCALL noop 0
run "FCALL noop, pipelined x$PIPE" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPE" FCALL noop 0
run "FCALL three (3 redis.call)" -n "$REQUESTS" -c "$CLIENTS" FCALL three 1 key:__rand_int__ -r 100000
run "FCALL three, pipelined x$PIPE" -n "$REQUESTS" -c "$CLIENTS" -P "$PIPE" FCALL three 1 key:__rand_int__ -r 100000

# FUNCTION LOAD of 100 libraries, sequentially, on each server
load100() {
	local port=$1
	python3 - "$port" <<'PY'
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
r=$(load100 "$RPORT")
f=$(load100 "$FPORT")
printf '%-34s %12s %12s %7s\n' "FUNCTION LOAD (100 libraries)" "$r" "$f" "$(ratio "$f" "$r")"
