package rdbfmt_test

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/rdbfmt"
)

// Read each key's stored value with ReaderOptions.Values, to decode it:
// here the strings of a Redis 7.0.15 RDB (a string value is one RDB
// string, which ParseString decodes whatever its encoding).
func ExampleReaderOptions_values() {
	f, err := os.Open(fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rd := rdbfmt.NewReader(f, rdbfmt.ReaderOptions{Values: true})
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if rec.Kind != rdbfmt.KindKey || rec.Type != rdbfmt.TypeString || string(rec.Key) != "str:embstr" && string(rec.Key) != "str:int16" && string(rec.Key) != "str:lzf" {
			continue
		}
		s, enc, _, err := rdbfmt.ParseString(rec.Value)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d bytes stored (%s), %d decoded: %.16q\n", rec.Key, len(rec.Value), enc, len(s), s)
	}
	// Output:
	// str:int16: 3 bytes stored (int16), 6 decoded: "-30000"
	// str:embstr: 12 bytes stored (raw), 11 decoded: "hello world"
	// str:lzf: 145 bytes stored (lzf), 9600 decoded: "compressible-tex"
}
