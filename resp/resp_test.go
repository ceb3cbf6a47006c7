package resp_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
)

// TestRoundTrip encodes values in both protocols and reads them back.
func TestRoundTrip(t *testing.T) {
	v := resp.Value{Kind: resp.Map, Elems: []resp.Value{
		resp.Bulk("k"), resp.Arr(resp.Int(-3), resp.Status("OK"), resp.NullBulk()),
		resp.Bulk("d"), {Kind: resp.Double, Str: "1.5"},
		resp.Bulk("b"), {Kind: resp.Boolean, Bool: true},
		resp.Bulk("v"), {Kind: resp.Verbatim, Format: "txt", Str: "hi"},
		resp.Bulk("s"), {Kind: resp.Set, Elems: []resp.Value{resp.Bulk("x")}},
		resp.Bulk("e"), resp.Err("ERR boom"),
	}}
	raw3 := resp.Append(nil, v, true)
	got, err := resp.NewReader(bytes.NewReader(raw3)).ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	if again := resp.Append(nil, got, true); !bytes.Equal(again, raw3) {
		t.Fatalf("RESP3 round trip:\n%q\n%q", raw3, again)
	}
	raw2 := resp.Append(nil, v, false)
	want2 := "*12\r\n$1\r\nk\r\n*3\r\n:-3\r\n+OK\r\n$-1\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n:1\r\n" +
		"$1\r\nv\r\n$2\r\nhi\r\n$1\r\ns\r\n*1\r\n$1\r\nx\r\n$1\r\ne\r\n-ERR boom\r\n"
	if string(raw2) != want2 {
		t.Fatalf("RESP2 flattening:\n%q\nwant\n%q", raw2, want2)
	}
}

func TestReaderErrors(t *testing.T) {
	for _, in := range []string{"?x\r\n", ":12a\r\n", "$5\r\nab\r\n", "$2\r\nabXY", "*2\r\n:1\r\n", "+OK\n", "#x\r\n", "=3\r\nabc\r\n"} {
		_, err := resp.NewReader(strings.NewReader(in)).ReadValue()
		if err == nil {
			t.Errorf("%q: no error", in)
		}
		if !errors.Is(err, resp.ErrProtocol) && !errors.Is(err, io.ErrUnexpectedEOF) && err != io.EOF {
			t.Errorf("%q: %v is neither a protocol error nor an unexpected EOF", in, err)
		}
	}
}

// TestAgainstRedis reads real replies of both protocols and checks ReadRaw
// returns exactly the bytes the server sent: re-encoding them must agree.
func TestAgainstRedis(t *testing.T) {
	srv := fixtures.StartRedis(t)
	c := srv.Conn(t)
	cmds := [][]string{
		{"SET", "k", "v"}, {"GET", "k"}, {"GET", "missing"}, {"INCR", "n"}, {"NOSUCH"},
		{"HSET", "h", "a", "1", "b", "2"}, {"HGETALL", "h"}, {"ZADD", "z", "1.5", "m"},
		{"ZSCORE", "z", "m"}, {"SMEMBERS", "nothing"}, {"LPOP", "nolist", "2"},
		{"CONFIG", "GET", "maxmemory"}, {"EXISTS", "k"},
	}
	for _, proto := range []string{"2", "3"} {
		if _, err := c.Do("HELLO", proto); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range cmds {
			if err := c.Send(cmd...); err != nil {
				t.Fatal(err)
			}
			v, raw, err := c.ReceiveRaw()
			if err != nil {
				t.Fatalf("%v: %v", cmd, err)
			}
			if again := resp.Append(nil, v, proto == "3"); !bytes.Equal(again, raw) {
				t.Errorf("RESP%s %v: server sent %q, we re-encode %q", proto, cmd, raw, again)
			}
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"))
	f.Add([]byte("%1\r\n+a\r\n~1\r\n,1.5\r\n"))
	f.Add([]byte("|1\r\n+a\r\n:1\r\n:2\r\n"))
	f.Add([]byte("=7\r\ntxt:abc\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := resp.NewReader(bytes.NewReader(data))
		for i := 0; i < 16; i++ {
			v, raw, err := r.ReadRaw()
			if err != nil {
				return
			}
			// a value read back from its own encoding is the same value
			again, err := resp.NewReader(bytes.NewReader(resp.Append(nil, v, true))).ReadValue()
			if err != nil || !bytes.Equal(resp.Append(nil, again, true), resp.Append(nil, v, true)) {
				t.Fatalf("re-read of %q failed: %v", raw, err)
			}
		}
	})
}
