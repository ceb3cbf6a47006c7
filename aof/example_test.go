package aof_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/fixtures"
)

func ExampleParseManifest() {
	m, err := aof.ParseManifest(strings.NewReader(
		"file appendonly.aof.2.base.rdb seq 2 type b\n"+
			"file appendonly.aof.1.incr.aof seq 1 type h\n"+
			"file appendonly.aof.2.incr.aof seq 2 type i\n"), "appendonly.aof.manifest")
	if err != nil {
		fmt.Println(err)
		return
	}
	base, _ := m.Base()
	fmt.Println("base:", base.Name)
	for _, e := range m.Incr() {
		fmt.Println("incr:", e.Name)
	}
	_, err = aof.ParseManifest(strings.NewReader("file a seq 1 type b\nfile b seq 2 type b\n"), "bad.manifest")
	fmt.Println(err)
	// Output:
	// base: appendonly.aof.2.base.rdb
	// incr: appendonly.aof.2.incr.aof
	// aof: bad.manifest: line 2 (offset 20): Found duplicate base file information: "file b seq 2 type b"
}

func ExampleReader() {
	var buf bytes.Buffer
	w := aof.NewWriter(&buf)
	w.CommandStrings("SELECT", "0")
	w.Timestamp(1700000000)
	w.CommandStrings("SET", "greeting", "hello")
	w.CommandStrings("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
	w.Flush()
	buf.WriteString("*3\r\n$3\r\nSET\r\n") // a truncated last command

	r := aof.NewReader(&buf, aof.ReaderOptions{Name: "appendonly.aof"})
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Printf("#%d %s at %d (time %d, %d args kept)\n", c.Index, c.Title(), c.Offset, c.Time, len(c.Args))
	}
	// Output:
	// #1 SELECT at 0 (time 0, 2 args kept)
	// #2 SET at 39 (time 1700000000, 0 args kept)
	// #3 FUNCTION LOAD at 77 (time 1700000000, 3 args kept)
	// aof: appendonly.aof: offset 193: Expected prefix '$', got end of file (in SET at offset 180): the file is truncated; the last complete command ends at offset 180
}

func ExampleAOF_Replay() {
	a, err := aof.Open(fixtures.Path("redis-7.0.15", "aof-multi-incr"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := a.Replay(aof.ReplayOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range res.Events[len(res.Events)-3:] {
		fmt.Printf("%s #%d %s %s %s %.8s -> %.8s\n", e.File, e.Index, e.Command, e.Kind, e.Library, e.Before, e.After)
	}
	fmt.Println(res.Libraries)
	// Output:
	// appendonly.aof.2.incr.aof #38 FUNCTION LOAD loaded wire  -> 3c965578
	// appendonly.aof.2.incr.aof #42 FUNCTION RESTORE restored jobqueue  -> e5ebcd26
	// appendonly.aof.2.incr.aof #43 FUNCTION RESTORE REPLACE replaced ratelimit 2de235ce -> 7b045261
	// [inventory jobqueue kvtools leaderboard ratelimit wire]
}
