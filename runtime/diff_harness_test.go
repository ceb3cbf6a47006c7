package runtime_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// The differential harness (see also the exceptions documented on the
// cases themselves): every case sends the same commands to fnkit's
// server and to a real redis-server 7.0.15 over raw RESP and compares the
// replies byte for byte (RESP2, or RESP3 after HELLO 3). A case that cannot
// match carries the reason in skip (a documented exception) or compares
// with a normalisation that says what it ignores.

type dcase struct {
	name  string
	resp3 bool
	// setup runs first on both servers; replies must match too.
	setup [][]string
	cmds  [][]string
	// unordered compares aggregates as multisets (Redis's dict order is
	// random per process).
	unordered bool
	// clockIDs compares stream IDs that XADD * made of each server's clock
	// with their milliseconds masked (the sequence part still counts).
	clockIDs bool
	// skip documents why the case is known to differ (the case still runs
	// and logs the difference).
	skip string
}

// clockStreamID matches the milliseconds of a stream ID of this century's
// clock (13 digits) in a reply (see dcase.clockIDs).
var clockStreamID = regexp.MustCompile(`\b1[0-9]{12}-`)

func cmd(args ...string) []string { return args }

// lib is a library's code.
func lib(name, body string) string { return "#!lua name=" + name + "\n" + body }

// fn1 is a library called name with one function called name.
func fn1(name, body string) string {
	return lib(name, "redis.register_function('"+name+"', function(keys, args)\n"+body+"\nend)")
}

// load is FUNCTION LOAD REPLACE of code.
func load(code string) []string { return []string{"FUNCTION", "LOAD", "REPLACE", code} }

// runLib loads the function "run", which returns redis.call(unpack(args)):
// viaRun sends commands through it.
var runLib = load(fn1("run", "return redis.call(unpack(args))"))

// viaRun is each command sent as FCALL run 0 command... (see runLib).
func viaRun(cmds [][]string) [][]string {
	out := make([][]string, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, append([]string{"FCALL", "run", "0"}, c...))
	}
	return out
}

// bothWays returns four cases of cmds, named after prefix: in RESP2 and in
// RESP3, each sent directly and through a function (viaRun; setup must
// load runLib).
func bothWays(prefix string, setup, cmds [][]string) []dcase {
	cases := inBothProtocols(
		dcase{name: "direct", setup: setup, cmds: cmds},
		dcase{name: "from a function", setup: setup, cmds: viaRun(cmds)},
	)
	for i := range cases {
		cases[i].name = prefix + cases[i].name
	}
	return cases
}

// inBothProtocols returns the cases in RESP2, then again in RESP3 (HELLO
// 3), their names prefixed "resp2 " and "resp3 ".
func inBothProtocols(cases ...dcase) []dcase {
	out := make([]dcase, 0, 2*len(cases))
	for _, resp3 := range []bool{false, true} {
		p := "resp2 "
		if resp3 {
			p = "resp3 "
		}
		for _, c := range cases {
			c.name, c.resp3 = p+c.name, resp3
			out = append(out, c)
		}
	}
	return out
}

// call is FCALL name 0 args...
func call(name string, args ...string) []string {
	return append([]string{"FCALL", name, "0"}, args...)
}

func startPair(t *testing.T) (*runtime.Server, *fixtures.Redis) {
	t.Helper()
	real := fixtures.StartRedis(t)
	srv, err := runtime.Start(runtime.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, real
}

// rawConn is a client that returns replies as their exact bytes, with no
// nesting limit (Redis nests replies up to ~8000 levels).
type rawConn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

// DoRaw sends a command and returns its reply's bytes.
func (c *rawConn) DoRaw(args ...string) ([]byte, error) {
	c.c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.c.Write(resp.AppendCommand(nil, args...)); err != nil {
		return nil, err
	}
	var out []byte
	pending := 1
	for pending > 0 {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return out, err
		}
		out = append(out, line...)
		pending--
		body := strings.TrimSuffix(string(line[1:]), "\r\n")
		switch line[0] {
		case '$', '=', '!':
			n, _ := strconv.Atoi(body)
			if n >= 0 {
				buf := make([]byte, n+2)
				if _, err := io.ReadFull(c.r, buf); err != nil {
					return out, err
				}
				out = append(out, buf...)
			}
		case '*', '~', '>':
			n, _ := strconv.Atoi(body)
			if n > 0 {
				pending += n
			}
		case '%', '|':
			n, _ := strconv.Atoi(body)
			if n > 0 {
				pending += 2 * n
			}
			if line[0] == '|' {
				pending++
			}
		}
	}
	return out, nil
}

// Do sends a command and decodes its reply.
func (c *rawConn) Do(args ...string) (resp.Value, error) {
	raw, err := c.DoRaw(args...)
	if err != nil {
		return resp.Value{}, err
	}
	return resp.NewReader(bytes.NewReader(raw)).ReadValue()
}

// reset brings a server back to an empty state between cases.
func reset(t *testing.T, c *rawConn) {
	t.Helper()
	for _, a := range [][]string{
		{"FUNCTION", "FLUSH"}, {"FLUSHALL"},
		{"CONFIG", "SET", "maxmemory", "0"}, {"CONFIG", "SET", "busy-reply-threshold", "5000"}, {"CONFIG", "SET", "min-replicas-to-write", "0"},
	} {
		if v, err := c.Do(a...); err != nil || v.IsError() {
			t.Fatalf("reset %v: %v %v", a, v, err)
		}
	}
}

func runCases(t *testing.T, cases []dcase) {
	srv, real := startPair(t)
	runCasesOn(t, srv, real, cases)
}

func runCasesOn(t *testing.T, srv *runtime.Server, real *fixtures.Redis, cases []dcase) {
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			ours, theirs := dial(t, srv.Addr()), dial(t, real.Addr)
			reset(t, ours)
			reset(t, theirs)
			if tc.resp3 {
				for _, c := range []*rawConn{ours, theirs} {
					if v, err := c.Do("HELLO", "3"); err != nil || v.IsError() {
						t.Fatalf("HELLO 3: %v %v", v, err)
					}
				}
			}
			var diffs []string
			for i, a := range append(append([][]string{}, tc.setup...), tc.cmds...) {
				got, err := ours.DoRaw(a...)
				if err != nil {
					t.Fatalf("fnkit %s: %v", show(a), err)
				}
				want, err := theirs.DoRaw(a...)
				if err != nil {
					t.Fatalf("redis %s: %v", show(a), err)
				}
				same := bytes.Equal(got, want)
				if !same && tc.unordered {
					same = canonical(t, got) == canonical(t, want)
				}
				if !same && tc.clockIDs {
					same = bytes.Equal(clockStreamID.ReplaceAll(got, []byte("<ms>-")), clockStreamID.ReplaceAll(want, []byte("<ms>-")))
				}
				if !same {
					diffs = append(diffs, fmt.Sprintf("command %d %s\n  redis: %q\n  fnkit: %q", i, show(a), want, got))
				}
			}
			if len(diffs) == 0 {
				if tc.skip != "" {
					t.Logf("case marked as a known difference (%s) now matches; remove the mark", tc.skip)
				}
				return
			}
			if tc.skip != "" {
				t.Skipf("known difference: %s\n%s", tc.skip, strings.Join(diffs, "\n"))
			}
			t.Error(strings.Join(diffs, "\n"))
		})
	}
}

func show(a []string) string {
	var parts []string
	for _, s := range a {
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		parts = append(parts, fmt.Sprintf("%q", s))
	}
	return strings.Join(parts, " ")
}

// canonical renders a reply with the elements of every aggregate sorted.
func canonical(t *testing.T, raw []byte) string {
	v, err := resp.NewReader(bytes.NewReader(raw)).ReadValue()
	if err != nil {
		t.Fatalf("reply does not parse: %v", err)
	}
	return canon(v)
}

func canon(v resp.Value) string {
	switch v.Kind {
	case resp.Array, resp.Set, resp.Push:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = canon(e)
		}
		sort.Strings(parts)
		return string(v.Kind) + "[" + strings.Join(parts, ",") + "]"
	case resp.Map:
		parts := make([]string, 0, len(v.Elems)/2)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			parts = append(parts, canon(v.Elems[i])+"="+canon(v.Elems[i+1]))
		}
		sort.Strings(parts)
		return "%{" + strings.Join(parts, ",") + "}"
	}
	return string(resp.Append(nil, v, true))
}

// compareSteps reports every step where fnkit's replies differ from
// redis's, and a different number of steps.
func compareSteps(t *testing.T, fnkit, redis []string) {
	t.Helper()
	if len(fnkit) != len(redis) {
		t.Errorf("%d steps from redis, %d from fnkit", len(redis), len(fnkit))
	}
	for j := range redis {
		got := ""
		if j < len(fnkit) {
			got = fnkit[j]
		}
		if j >= len(fnkit) || got != redis[j] {
			t.Errorf("step %d\n  redis: %q\n  fnkit: %q", j, redis[j], got)
		}
	}
}

var busyDuration = regexp.MustCompile(`duration_ms\r\n:\d+\r\n`)

// busySteps runs a command past busy-reply-threshold on the server at
// addr: after reset and setup (which must succeed), busy-reply-threshold
// is set to 100 and run is sent from a connection of its own; 400 ms
// later probes are sent from another connection (duration_ms in their
// replies made N), then run's own reply is awaited and the after commands
// are sent. It returns those replies in that order and sets
// busy-reply-threshold back to 5000.
func busySteps(t *testing.T, addr string, setup [][]string, run []string, probes, after [][]string) []string {
	t.Helper()
	c := dial(t, addr)
	reset(t, c)
	for _, a := range append(append([][]string{}, setup...), []string{"CONFIG", "SET", "busy-reply-threshold", "100"}) {
		if v, err := c.Do(a...); err != nil || v.IsError() {
			t.Fatalf("%v: %v %v", a, v, err)
		}
	}
	runner := dial(t, addr)
	done := make(chan []byte, 1)
	go func() {
		raw, err := runner.DoRaw(run...)
		if err != nil {
			raw = []byte(err.Error())
		}
		done <- raw
	}()
	time.Sleep(400 * time.Millisecond)
	other := dial(t, addr)
	var out []string
	for _, a := range probes {
		raw, err := other.DoRaw(a...)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, busyDuration.ReplaceAllString(string(raw), "duration_ms\r\n:N\r\n"))
	}
	select {
	case raw := <-done:
		out = append(out, string(raw))
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was not stopped", run[0])
	}
	for _, a := range after {
		raw, _ := other.DoRaw(a...)
		out = append(out, string(raw))
	}
	c2 := dial(t, addr)
	if v, err := c2.Do("CONFIG", "SET", "busy-reply-threshold", "5000"); err != nil || v.IsError() {
		t.Fatalf("%v %v", v, err)
	}
	return out
}
