package runtime_test

import (
	"bufio"
	"math/rand"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// processCPU returns the CPU time (user and system) the test process has
// used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchPipelined sends b.N copies of argv over one connection, 64 at a
// time, and reads the replies. Besides ns/op it reports cpu-ns/op, the
// CPU time of the whole process (server, client, GC) per request, which a
// busy machine disturbs much less than elapsed time.
func benchPipelined(b *testing.B, argv []string) {
	benchPipelinedKeys(b, argv, -1, 0)
}

// benchPipelinedKeys is benchPipelined where argv[keyArg] (when keyArg
// is not negative) is "key:N" with N random below nkeys, as
// bench/runtime.sh's redis-benchmark -r sends: the keyspace grows to
// nkeys keys (filled before the timer starts), so map accesses miss the
// cache as they do under that load.
func benchPipelinedKeys(b *testing.B, argv []string, keyArg, nkeys int) {
	srv, err := runtime.Start(runtime.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.Do("FUNCTION", "LOAD", `#!lua name=bench
redis.register_function('noop', function(keys, args) return 1 end)
redis.register_function('three', function(keys, args)
  redis.call('SET', keys[1], 'v')
  redis.call('INCR', 'counter')
  return redis.call('GET', keys[1])
end)`)
	c, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r := resp.NewReader(bufio.NewReader(c))
	const batch = 64
	// batches: one, or (random keys) enough to cycle through without
	// the client's cost mattering; ends[i]: where request i ends
	var bufs [][]byte
	var ends [][]int
	nb := 1
	if keyArg >= 0 {
		nb = 256
	}
	rng := rand.New(rand.NewSource(1))
	args := append([]string(nil), argv...)
	for j := 0; j < nb; j++ {
		var buf []byte
		var e []int
		for i := 0; i < batch; i++ {
			if keyArg >= 0 {
				args[keyArg] = "key:" + strconv.Itoa(rng.Intn(nkeys))
			}
			buf = resp.AppendCommand(buf, args...)
			e = append(e, len(buf))
		}
		bufs, ends = append(bufs, buf), append(ends, e)
	}
	send := func(j, k int) {
		if _, err := c.Write(bufs[j][:ends[j][k-1]]); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < k; i++ {
			v, err := r.ReadValue()
			if err != nil || v.IsError() {
				b.Fatalf("%v %v", v, err)
			}
		}
	}
	if keyArg >= 0 {
		for i := 0; i < nkeys; i += 1000 {
			fill := []string{"MSET"}
			for j := i; j < i+1000 && j < nkeys; j++ {
				fill = append(fill, "key:"+strconv.Itoa(j), "v")
			}
			if _, err := c.Write(resp.AppendCommand(nil, fill...)); err != nil {
				b.Fatal(err)
			}
			if _, err := r.ReadValue(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for n, j := 0, 0; n < b.N; n, j = n+batch, (j+1)%nb {
		send(j, min(batch, b.N-n))
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkFCallNoopPipelined(b *testing.B) { benchPipelined(b, []string{"FCALL", "noop", "0"}) }
func BenchmarkFCallThreePipelined(b *testing.B) {
	benchPipelined(b, []string{"FCALL", "three", "1", "key:1"})
}

// BenchmarkFCallThreeRandomPipelined is bench/runtime.sh's pipelined FCALL
// three: keys drawn from 100000.
func BenchmarkFCallThreeRandomPipelined(b *testing.B) {
	benchPipelinedKeys(b, []string{"FCALL", "three", "1", ""}, 3, 100000)
}

func BenchmarkGetPipelined(b *testing.B) { benchPipelined(b, []string{"GET", "key:1"}) }

// BenchmarkFunctionLoad is bench/runtime.sh's FUNCTION LOAD: REPLACE of
// 100 different libraries of 10 functions each, in turn.
func BenchmarkFunctionLoad(b *testing.B) {
	srv, err := runtime.Start(runtime.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var codes []string
	for i := 0; i < 100; i++ {
		code := "#!lua name=lib" + strconv.Itoa(i) + "\n"
		for j := 0; j < 10; j++ {
			code += "redis.register_function('f" + strconv.Itoa(i) + "_" + strconv.Itoa(j) + "', function(keys, args) return redis.call('GET', keys[1]) end)\n"
		}
		codes = append(codes, code)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := srv.Do("FUNCTION", "LOAD", "REPLACE", codes[i%len(codes)]); v.IsError() {
			b.Fatal(v)
		}
	}
}
