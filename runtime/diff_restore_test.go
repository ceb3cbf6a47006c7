package runtime_test

import (
	"testing"
)

// FUNCTION RESTORE with payloads dumped by the real server: every policy,
// conflicts, and a payload restored after FUNCTION FLUSH.
func TestDiffRestore(t *testing.T) {
	srv, real := startPair(t)
	a := lib("liba", "redis.register_function('fa', function() return 'a' end)")
	a2 := lib("liba", "redis.register_function('fa2', function() return 'a2' end)")
	b := lib("libb", "redis.register_function('fb', function() return 'b' end)")
	bfa := lib("libb", "redis.register_function('fa', function() return 'b-fa' end)")
	c := lib("libc", "redis.register_function('FB', function() return 'c' end)")
	dump := func(libs ...string) string {
		conn := dial(t, real.Addr)
		reset(t, conn)
		for _, l := range libs {
			if v, err := conn.Do("FUNCTION", "LOAD", l); err != nil || v.IsError() {
				t.Fatalf("load: %v %v", v, err)
			}
		}
		v, err := conn.Do("FUNCTION", "DUMP")
		if err != nil || v.IsError() {
			t.Fatalf("dump: %v %v", v, err)
		}
		reset(t, conn)
		return v.Str
	}
	pa, pab, pa2, pbfa, pc, pempty := dump(a), dump(a, b), dump(a2), dump(bfa), dump(c), dump()
	corrupt := []byte(pab)
	corrupt[5] ^= 0xff
	newer := []byte(pa)
	newer[len(newer)-10] = 99 // RDB version 99: refused before the checksum is looked at
	runCasesOn(t, srv, real, []dcase{
		{name: "restore into empty", cmds: [][]string{cmd("FUNCTION", "RESTORE", pab), cmd("FCALL", "fa", "0"), cmd("FCALL", "fb", "0")}},
		{name: "restore append conflict library", setup: [][]string{cmd("FUNCTION", "LOAD", a)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pa), cmd("FUNCTION", "RESTORE", pa2, "APPEND"), cmd("FCALL", "fa", "0")}},
		{name: "restore append conflict function", setup: [][]string{cmd("FUNCTION", "LOAD", a)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pbfa), cmd("FUNCTION", "LIST", "LIBRARYNAME", "libb")}},
		{name: "restore append conflict function case", setup: [][]string{cmd("FUNCTION", "LOAD", b)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pc)}},
		{name: "restore replace", setup: [][]string{cmd("FUNCTION", "LOAD", a)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pa2, "REPLACE"), cmd("FCALL", "fa2", "0"), cmd("FCALL", "fa", "0")}},
		{name: "restore replace conflict other library", setup: [][]string{cmd("FUNCTION", "LOAD", a)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pbfa, "replace"), cmd("FCALL", "fa", "0")}},
		{name: "restore flush", setup: [][]string{cmd("FUNCTION", "LOAD", c)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pa, "FLUSH"), cmd("FCALL", "FB", "0"), cmd("FCALL", "fa", "0")}},
		{name: "restore flush empty", setup: [][]string{cmd("FUNCTION", "LOAD", c)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", pempty, "flush"), cmd("FUNCTION", "LIST")}},
		{name: "restore corrupt", setup: [][]string{cmd("FUNCTION", "LOAD", c)}, cmds: [][]string{cmd("FUNCTION", "RESTORE", string(corrupt)), cmd("FUNCTION", "LIST")}},
		{name: "restore newer version", cmds: [][]string{cmd("FUNCTION", "RESTORE", string(newer))}},
		{name: "dump restore round trip", setup: [][]string{cmd("FUNCTION", "LOAD", a), cmd("FUNCTION", "LOAD", c)}, unordered: true, cmds: [][]string{cmd("FUNCTION", "RESTORE", pab, "REPLACE"), cmd("FUNCTION", "LIST")}},
	})
}
