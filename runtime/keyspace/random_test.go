package keyspace

import (
	"strings"
	"testing"
)

// Negative counts past maxRandomReply are refused for keys of the
// command's type, before miniredis builds the reply. (Missing keys, other
// types and small counts answer as Redis does: TestDiffRandomCounts asks a
// real redis-server.)
func TestRandomCountBound(t *testing.T) {
	k, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	c := k.NewClient()
	c.Do([]string{"SADD", "s", "a"})
	c.Do([]string{"HSET", "h", "f", "v"})
	c.Do([]string{"ZADD", "z", "1", "m"})
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"SRANDMEMBER", "s", "-9223372036854775807"}, "-ERR fnkit refuses a reply of 9223372036854775807 random elements"},
		{[]string{"HRANDFIELD", "h", "-100000000", "WITHVALUES"}, "-ERR fnkit refuses a reply of 100000000 pairs"},
		{[]string{"ZRANDMEMBER", "z", "-8388609"}, "-ERR fnkit refuses a reply of 8388609 random elements"},
	} {
		if got := string(c.Do(tc.argv)); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q: %q, want %q…", tc.argv, got, tc.want)
		}
	}
}

// A panic inside miniredis becomes an error reply, and its lock, which
// miniredis's handlers take without defer, is released: the next command
// runs.
func TestRecoveredReleasesTheLock(t *testing.T) {
	k, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	c := k.NewClient()
	for _, held := range []bool{true, false} {
		if held {
			k.m.Lock() // as a handler that panicked while holding it leaves it
		}
		got := string(c.recovered("hrandfield", "runtime error: slice bounds out of range\r\n[1:0]"))
		if want := "-ERR fnkit: the keyspace failed running 'hrandfield': runtime error: slice bounds out of range  [1:0]\r\n"; got != want {
			t.Fatalf("held %v: %q, want %q", held, got, want)
		}
		if got := string(c.Do([]string{"SET", "k", "v"})); got != "+OK\r\n" {
			t.Fatalf("held %v: the next command: %q", held, got)
		}
		if got := string(c.Do([]string{"LPUSH", "l", "x"})); got != ":1\r\n" && got != ":2\r\n" {
			t.Fatalf("held %v: a command-table command after it: %q", held, got)
		}
	}
}
