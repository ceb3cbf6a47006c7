package rdbfmt_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/fnkit/fnkit/rdbfmt"
)

// Write a keyspace: a string with a TTL, a hash and a stream in database
// 0, then read the key records back.
func ExampleWriter_WriteKey() {
	var buf bytes.Buffer
	w, err := rdbfmt.NewWriter(&buf, rdbfmt.WriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	stream, err := rdbfmt.AppendStreamValue(nil, &rdbfmt.Stream{
		Entries: []rdbfmt.StreamEntry{{ID: rdbfmt.StreamID{Ms: 1, Seq: 0}, Fields: [][]byte{[]byte("temp"), []byte("21")}}},
		LastID:  rdbfmt.StreamID{Ms: 1}, FirstID: rdbfmt.StreamID{Ms: 1}, EntriesAdded: 1,
	}, w.Compress())
	if err != nil {
		log.Fatal(err)
	}
	keys := []rdbfmt.Key{
		{Key: []byte("greeting"), Type: rdbfmt.TypeString, Value: rdbfmt.AppendString(nil, []byte("hello"), w.Compress()),
			HasExpire: true, ExpireAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()},
		{Key: []byte("user:1"), Type: rdbfmt.TypeHash, Value: rdbfmt.AppendHashValue(nil, [][]byte{[]byte("name"), []byte("Ada")}, w.Compress())},
		{Key: []byte("events"), Type: rdbfmt.TypeStreamListpacks2, Value: stream},
	}
	w.WriteSelectDB(0)
	w.WriteResizeDB(uint64(len(keys)), 1)
	for _, k := range keys {
		if err := w.WriteKey(k); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	rd := rdbfmt.NewReader(&buf, rdbfmt.ReaderOptions{})
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if rec.Kind == rdbfmt.KindKey {
			fmt.Printf("%s %s expires:%v\n", rdbfmt.TypeName(rec.Type), rec.Key, rec.HasExpire)
		}
	}
	// Output:
	// string greeting expires:true
	// hash user:1 expires:false
	// stream events expires:false
}
