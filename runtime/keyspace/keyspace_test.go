package keyspace

import (
	"strings"
	"testing"
	"time"
)

// Ticks skip miniredis's pass until a command can have given a key a TTL;
// from then on keys expire on the clock as before, however long the ticks
// were skipped.
func TestTickSkipsUntilATTL(t *testing.T) {
	k, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	now := time.Unix(1_700_000_000, 0)
	k.now = func() time.Time { return now }
	k.lastTick = now
	c := k.NewClient()
	c.Do([]string{"SET", "plain", "v"})
	c.Do([]string{"set", "plain2", "v"})
	if k.mayExpire {
		t.Fatal("SET without options marked the keyspace as expiring")
	}
	now = now.Add(time.Hour)
	k.Tick()
	if !k.lastTick.Equal(now) {
		t.Fatal("a skipped tick did not move the clock")
	}
	c.Do([]string{"Set", "k", "v", "PX", "1500"})
	if !k.mayExpire {
		t.Fatal("SET PX did not mark the keyspace as expiring")
	}
	now = now.Add(time.Second)
	k.Tick()
	if got := string(c.Do([]string{"EXISTS", "k"})); got != ":1\r\n" {
		t.Fatalf("k expired after 1 s of 1.5 s: %q", got)
	}
	now = now.Add(time.Second)
	k.Tick()
	if got := string(c.Do([]string{"EXISTS", "k"})); got != ":0\r\n" {
		t.Fatalf("k still there after 2 s of 1.5 s: %q", got)
	}
	if got := string(c.Do([]string{"EXISTS", "plain", "plain2"})); got != ":2\r\n" {
		t.Fatalf("keys without TTL: %q", got)
	}
}

func TestCanSetTTL(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want bool
	}{
		{[]string{"SET", "k", "v"}, false},
		{[]string{"SET", "k", "v", "EX", "1"}, true},
		{[]string{"set", "k", "v", "KEEPTTL"}, true},
		{[]string{"GETEX", "k"}, false},
		{[]string{"getex", "k", "PX", "5"}, true},
		{[]string{"EXPIRE", "k", "1"}, true},
		{[]string{"pExpireAt", "k", "1"}, true},
		{[]string{"SETEX", "k", "1", "v"}, true},
		{[]string{"psetex", "k", "1", "v"}, true},
		{[]string{"RESTORE", "k", "0", "x"}, true},
		{[]string{"COPY", "a", "b"}, true},
		{[]string{"RENAME", "a", "b"}, true},
		{[]string{"renamenx", "a", "b"}, true},
		{[]string{"MOVE", "a", "1"}, true},
		{[]string{"GET", "k"}, false},
		{[]string{"INCR", "k"}, false},
		{[]string{"averyveryverylongcommandname"}, false},
	} {
		if got := canSetTTL(strings.ToUpper(tc.argv[0]), len(tc.argv)); got != tc.want {
			t.Errorf("canSetTTL(%q) = %v, want %v", tc.argv, got, tc.want)
		}
	}
}

// SetClock is the time the keyspace's commands read (TIME here), except
// while expiry is suspended, when the keyspace stands at its epoch.
func TestSetClock(t *testing.T) {
	k, err := New(0)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	c := k.NewClient()
	at := time.Unix(1_700_000_000, 250_000_000)
	k.SetClock(at)
	if got, want := string(c.Do([]string{"TIME"})), "*2\r\n$10\r\n1700000000\r\n$6\r\n250000\r\n"; got != want {
		t.Fatalf("TIME after SetClock: %q, want %q", got, want)
	}
	resume := k.SuspendExpiry()
	k.SetClock(at)
	if got, want := string(c.Do([]string{"TIME"})), "*2\r\n$1\r\n0\r\n$1\r\n0\r\n"; got != want {
		t.Fatalf("TIME while suspended: %q, want the epoch %q", got, want)
	}
	resume()
	k.SetClock(at.Add(time.Second))
	if got, want := string(c.Do([]string{"TIME"})), "*2\r\n$10\r\n1700000001\r\n$6\r\n250000\r\n"; got != want {
		t.Fatalf("TIME after resume: %q, want %q", got, want)
	}
}

// ReadsClock is false exactly for the commands the direct path runs, whose
// only reading of the clock is their keys' access times.
func TestReadsClock(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want bool
	}{
		{[]string{"get", "k"}, false}, {[]string{"set", "k", "v"}, false}, {[]string{"incr", "k"}, false},
		{[]string{"decr", "k"}, false}, {[]string{"incrby", "k", "2"}, false}, {[]string{"decrby", "k", "2"}, false},
		{[]string{"set", "k", "v", "exat", "1"}, true}, {[]string{"set", "k", "v", "keepttl"}, true},
		{[]string{"time"}, true}, {[]string{"xadd", "s", "*", "f", "v"}, true}, {[]string{"expireat", "k", "1"}, true},
		{[]string{"getex", "k"}, true}, {[]string{"object", "idletime", "k"}, true},
	} {
		if got := ReadsClock(c.argv[0], len(c.argv)); got != c.want {
			t.Errorf("ReadsClock(%q) = %v, want %v", c.argv, got, c.want)
		}
	}
}
