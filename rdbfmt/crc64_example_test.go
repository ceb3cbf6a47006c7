package rdbfmt_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/fnkit/fnkit/rdbfmt"
)

func ExampleCRC64() {
	fmt.Printf("%x\n", rdbfmt.CRC64(0, []byte("123456789")))
	// Incremental: the CRC of the parts fed in order.
	crc := rdbfmt.CRC64(0, []byte("1234"))
	crc = rdbfmt.CRC64(crc, []byte("56789"))
	fmt.Printf("%x\n", crc)
	// Output:
	// e9c6d914c4b8d9ca
	// e9c6d914c4b8d9ca
}

// A FUNCTION DUMP payload ends with the little-endian CRC of everything
// before it.
func ExampleCRC64_dumpPayload() {
	payload, err := os.ReadFile("../fixtures/redis-7.0.15/dump-all.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, footer := payload[:len(payload)-8], payload[len(payload)-8:]
	fmt.Println(rdbfmt.CRC64(0, body) == binary.LittleEndian.Uint64(footer))
	// Output: true
}

func ExampleCRC64Combine() {
	a, b := []byte("12345"), []byte("6789")
	crc := rdbfmt.CRC64Combine(rdbfmt.CRC64(0, a), rdbfmt.CRC64(0, b), int64(len(b)))
	fmt.Printf("%x\n", crc)
	// Output: e9c6d914c4b8d9ca
}

// Checking an RDB trailer while streaming the file.
func ExampleCRC64Writer() {
	f, err := os.Open("../fixtures/redis-7.0.15/rdb-functions-keyspace.rdb")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Println(err)
		return
	}
	var w rdbfmt.CRC64Writer
	if _, err := io.CopyN(&w, f, st.Size()-8); err != nil {
		fmt.Println(err)
		return
	}
	var trailer [8]byte
	if _, err := io.ReadFull(f, trailer[:]); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Len()+8 == st.Size(), w.Sum64() == binary.LittleEndian.Uint64(trailer[:]))
	// Output: true true
}
