package rdbfmt_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
)

// Read an RDB record by record: AUX fields, libraries, keys; the checksum
// is verified when the EOF record is read.
func ExampleReader() {
	f, err := os.Open(fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rd := rdbfmt.NewReader(f, rdbfmt.ReaderOptions{File: "rdb-functions-keyspace.rdb"})
	keys := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		switch rec.Kind {
		case rdbfmt.KindAux:
			if rec.AuxKey == "redis-ver" {
				fmt.Println("written by Redis", rec.AuxValue)
			}
		case rdbfmt.KindFunction:
			if rec.Library.Name == "ratelimit" {
				fmt.Printf("library %s at offset %d, %d bytes of code stored %s\n", rec.Library.Name, rec.Offset, rec.Library.Size(), rec.CodeEncoding)
			}
		case rdbfmt.KindKey:
			keys++
			if string(rec.Key) == "str:lzf" {
				fmt.Printf("db %d key %s: %s/%s, %d bytes\n", rec.DB, rec.Key, rdbfmt.TypeName(rec.Type), rdbfmt.EncodingName(rec.Type), rec.ValueSize())
			}
		}
	}
	fmt.Println(keys, "keys, checksum", rd.Checksum().Status())
	// Output:
	// written by Redis 7.0.15
	// library ratelimit at offset 11028, 1889 bytes of code stored lzf
	// db 0 key str:lzf: string/string, 145 bytes
	// 55 keys, checksum ok
}

// Replace one library of an RDB and keep everything else byte for byte.
func ExampleRewrite() {
	in, err := os.ReadFile(fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"))
	if err != nil {
		log.Fatal(err)
	}
	v2, err := os.ReadFile(fixtures.LibPath("ratelimit_v2.lua"))
	if err != nil {
		log.Fatal(err)
	}
	lib, err := library.New(string(v2), library.Origin{Path: "ratelimit_v2.lua", Format: "lua", Offset: -1})
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	res, err := rdbfmt.Rewrite(bytes.NewReader(in), &out, func(s *library.Set) (*library.Set, error) {
		s.Put(lib) // replaces the library of the same name
		s.Delete("wire")
		return s, nil
	}, rdbfmt.RewriteOptions{File: "rdb-functions-keyspace.rdb"})
	if err != nil {
		log.Fatal(err)
	}
	d := library.Compare(res.Before, res.After)
	fmt.Println("removed:", d.Removed[0].Name, "changed:", d.Changed[0].Name)
	info, err := rdbfmt.ReadInfo(&out, rdbfmt.InfoOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Join(info.Libraries.Names(), " "), "- checksum", info.Checksum.Status())
	// Output:
	// removed: wire changed: ratelimit
	// i18n inventory jobqueue kvtools leaderboard ratelimit sessions - checksum ok
}

// The keyspace summary comes from the records alone, without decoding a
// value.
func ExampleSummary() {
	f, err := os.Open(fixtures.Path("redis-7.4.1", "rdb-keyspace-only.rdb"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	info, err := rdbfmt.ReadInfo(f, rdbfmt.InfoOptions{Summary: true, Largest: 1})
	if err != nil {
		log.Fatal(err)
	}
	s := info.Summary
	for _, d := range s.Databases {
		fmt.Printf("db%d: %d keys, %d with an expiry\n", d.DB, d.Keys, d.Expires)
	}
	for _, ty := range s.Types {
		if ty.Type == "hash" {
			fmt.Printf("type %d %s/%s: %d keys\n", ty.RDBType, ty.Type, ty.Encoding, ty.Keys)
		}
	}
	big, _ := json.Marshal(s.Largest[0])
	fmt.Println(string(big))
	// Output:
	// db0: 46 keys, 5 with an expiry
	// db3: 8 keys, 3 with an expiry
	// db9: 4 keys, 0 with an expiry
	// type 4 hash/hashtable: 2 keys
	// type 16 hash/listpack: 5 keys
	// type 24 hash/hashtable: 1 keys
	// type 25 hash/listpackex: 2 keys
	// {"db":0,"key":"hash:fexp:large","key_len":15,"rdb_type":24,"type":"hash","encoding":"hashtable","bytes":12394,"offset":38830}
}

// Only the header, AUX fields and libraries: microseconds on any file size.
func ExampleReadInfo_noVerify() {
	f, err := os.Open(fixtures.Path("valkey-8.0.1", "rdb-functions-keyspace.rdb"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	info, err := rdbfmt.ReadInfo(f, rdbfmt.InfoOptions{NoVerify: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Magic, info.Version, info.Aux[0].Key, info.Aux[0].Value)
	fmt.Println(info.Libraries.Len(), "libraries; next record", info.FirstAfterFunctions, "at", info.FirstAfterFunctionsOffset, "; checksum", info.Checksum.Status())
	// Output:
	// REDIS 11 valkey-ver 8.0.1
	// 8 libraries; next record 254 at 16023 ; checksum not-checked
}

// A functions-only RDB, like the ones `redis-cli --functions-rdb` saves.
func ExampleWriteFunctionsRDB() {
	lib, err := library.New("#!lua name=hello\nredis.register_function('hello', function() return 'hi' end)\n", library.Origin{})
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	err = rdbfmt.WriteFunctionsRDB(&buf, library.NewSet(lib), rdbfmt.FunctionsRDBOptions{
		WriterOptions: rdbfmt.WriterOptions{Version: 10},
		Aux:           []rdbfmt.AuxField{{Key: "redis-bits", Value: "64"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", buf.Bytes()[:9])
	info, _ := rdbfmt.ReadInfo(&buf, rdbfmt.InfoOptions{})
	fmt.Println(info.Libraries.Names(), info.Functions[0].Encoding, info.Checksum.Status())
	// Output:
	// "REDIS0010"
	// [hello] lzf ok
}
