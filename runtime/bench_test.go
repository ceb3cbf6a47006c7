package runtime_test

import (
	"bufio"
	"net"
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
	req := resp.AppendCommand(nil, argv...)
	const batch = 64
	var buf []byte
	for i := 0; i < batch; i++ {
		buf = append(buf, req...)
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for n := 0; n < b.N; n += batch {
		k := batch
		if b.N-n < batch {
			k = b.N - n
		}
		if _, err := c.Write(buf[:k*len(req)]); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < k; i++ {
			v, err := r.ReadValue()
			if err != nil || v.IsError() {
				b.Fatalf("%v %v", v, err)
			}
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkFCallNoopPipelined(b *testing.B) { benchPipelined(b, []string{"FCALL", "noop", "0"}) }
func BenchmarkFCallThreePipelined(b *testing.B) {
	benchPipelined(b, []string{"FCALL", "three", "1", "key:1"})
}
func BenchmarkGetPipelined(b *testing.B) { benchPipelined(b, []string{"GET", "key:1"}) }
