package dumpfmt_test

import (
	"fmt"
	"os"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

// Decode a payload that a real Redis 7.0.15 returned for FUNCTION DUMP.
func ExampleDecode() {
	data, err := os.ReadFile(fixtures.Path("redis-7.0.15", "dump-one.bin"))
	if err != nil {
		panic(err)
	}
	p, err := dumpfmt.Decode(data, "dump-one.bin")
	if err != nil {
		panic(err)
	}
	fmt.Println("RDB version", p.Version)
	for _, r := range p.Records {
		fmt.Printf("%s at offset %d, %s, %d bytes of code\n", r.Library, r.Offset, r.Encoding, r.CodeBytes)
	}
	// Output:
	// RDB version 10
	// ratelimit at offset 0, lzf, 1889 bytes of code
}

// Encode a library for every Redis 7 server and save it as base64 text.
func ExampleEncode() {
	lib, err := library.New("#!lua name=hello\nredis.register_function('hello', function() return 'hi' end)", library.Origin{Path: "hello.lua", Format: "lua", Offset: -1})
	if err != nil {
		panic(err)
	}
	payload, err := dumpfmt.Encode(library.NewSet(lib), dumpfmt.DefaultTargetVersion)
	if err != nil {
		panic(err)
	}
	text, _ := dumpfmt.Format(payload, dumpfmt.FormBase64)
	p, _ := dumpfmt.Parse(text, "hello.b64")
	fmt.Println(p.Form, p.Version, p.Libraries)
	// Output:
	// base64 10 [hello]
}

// Errors carry the words FUNCTION RESTORE would reply with.
func ExampleError() {
	data, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "dump-one.bin"))
	data[100] ^= 1
	_, err := dumpfmt.Decode(data, "dump-one.bin")
	fmt.Println(err)
	fmt.Println(err.(*dumpfmt.Error).RedisError())
	// Output:
	// dumpfmt: dump-one.bin: offset 967: DUMP payload version or checksum are wrong (stored CRC-64 4338d0b66b2220be, computed 9dfc48eb13a83e74)
	// ERR DUMP payload version or checksum are wrong
}

// Whether a payload restores on a given server release.
func ExampleCheckRestorable() {
	fmt.Println(dumpfmt.CheckRestorable(12, "7.4.1"))
	fmt.Println(dumpfmt.CheckRestorable(12, "7.0.15") != nil)
	// Output:
	// <nil>
	// true
}
