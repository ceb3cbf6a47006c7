package rdbfmt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// synthRecord is one hand-built record with what the Reader must report.
type synthRecord struct {
	kind  Kind
	bytes []byte
	key   string // key records
	value int    // serialized value size of key records
}

func str(s string) []byte { return AppendString(nil, []byte(s), false) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func ln(n uint64) []byte { return AppendLength(nil, n) }

func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func keyRec(t byte, key string, value []byte) synthRecord {
	return synthRecord{kind: KindKey, bytes: cat([]byte{t}, str(key), value), key: key, value: len(value)}
}

func streamValue(t byte) []byte {
	id := bytes.Repeat([]byte{1}, 16)
	v := cat(ln(1), str(string(id)), str("listpack-blob"), ln(3), ln(1700000000000), ln(5))
	if t >= TypeStreamListpacks2 {
		v = cat(v, ln(1700000000000), ln(0), ln(0), ln(0), ln(3))
	}
	v = cat(v, ln(1), str("group"), ln(1700000000000), ln(5))
	if t >= TypeStreamListpacks2 {
		v = cat(v, ln(2))
	}
	v = cat(v, ln(2), id, le64(1), ln(1), id, le64(2), ln(300)) // PEL
	v = cat(v, ln(1), str("consumer"), le64(99))
	if t >= TypeStreamListpacks3 {
		v = cat(v, le64(100))
	}
	return cat(v, ln(2), id, id)
}

// synthRecords covers every opcode and value type of RDB 1-12.
func synthRecords() []synthRecord {
	long := strings.Repeat("compressible ", 20)
	moduleOps := cat(ln(1), ln(7), ln(2), ln(1<<40), ln(3), []byte{0, 0, 0, 0}, ln(4), le64(0), ln(5), str("s"), ln(0))
	modID := cat([]byte{0x81}, binary.BigEndian.AppendUint64(nil, 0x1234567890ABCDEF))
	recs := []synthRecord{
		{kind: KindAux, bytes: cat([]byte{OpAux}, str("redis-ver"), str("7.4.1"))},
		{kind: KindAux, bytes: cat([]byte{OpAux}, str("redis-bits"), AppendString(nil, []byte("64"), true))},
		{kind: KindAux, bytes: cat([]byte{OpAux}, str("lzf-aux"), AppendString(nil, []byte(long), true))},
		{kind: KindModuleAux, bytes: cat([]byte{OpModuleAux}, modID, ln(2), ln(1), moduleOps)},
		{kind: KindFunction, bytes: AppendFunction(nil, "#!lua name=synth\nredis.register_function('f', function() return 1 end)", true)},
		{kind: KindSelectDB, bytes: cat([]byte{OpSelectDB}, ln(3))},
		{kind: KindResizeDB, bytes: cat([]byte{OpResizeDB}, ln(40), ln(2))},
		{kind: KindSlotInfo, bytes: cat([]byte{OpSlotInfo}, ln(1234), ln(40), ln(2))},
		keyRec(TypeString, "s:raw", str("value")),
		keyRec(TypeString, "s:int", AppendString(nil, []byte("-30000"), true)),
		keyRec(TypeString, "s:lzf", AppendString(nil, []byte(long), true)),
		{kind: KindExpireTime, bytes: cat([]byte{OpExpire}, []byte{0x00, 0x01, 0x00, 0x00})},
		keyRec(TypeList, "l", cat(ln(2), str("a"), str(long))),
		{kind: KindExpireTimeMs, bytes: cat([]byte{OpExpireMs}, le64(4102444800000))},
		{kind: KindIdle, bytes: cat([]byte{OpIdle}, ln(1000))},
		{kind: KindFreq, bytes: []byte{OpFreq, 5}},
		keyRec(TypeSet, "set", cat(ln(3), str("a"), str("1"), str("c"))),
		keyRec(TypeZSet, "z", cat(ln(4), str("a"), []byte{3}, []byte("1.5"), str("b"), []byte{253}, str("c"), []byte{254}, str("d"), []byte{255})),
		keyRec(TypeHash, "h", cat(ln(2), str("f1"), str("v1"), str("f2"), str(long))),
		keyRec(TypeZSet2, "z2", cat(ln(2), str("a"), le64(0), str("b"), le64(1))),
		keyRec(TypeModule2, "m", cat(modID, moduleOps)),
		keyRec(TypeHashZipmap, "zm", str("zipmap-blob")),
		keyRec(TypeListZiplist, "lz", str("ziplist-blob")),
		keyRec(TypeSetIntset, "is", str("intset-blob")),
		keyRec(TypeZSetZiplist, "zz", str("ziplist-blob")),
		keyRec(TypeHashZiplist, "hz", str("ziplist-blob")),
		keyRec(TypeListQuicklist, "ql", cat(ln(2), str("zl1"), str("zl2"))),
		keyRec(TypeStreamListpacks, "st1", streamValue(TypeStreamListpacks)),
		keyRec(TypeHashListpack, "hl", str("listpack")),
		keyRec(TypeZSetListpack, "zl", str("listpack")),
		keyRec(TypeListQuicklist2, "ql2", cat(ln(2), ln(2), str("listpack"), ln(1), str(long))),
		keyRec(TypeStreamListpacks2, "st2", streamValue(TypeStreamListpacks2)),
		keyRec(TypeSetListpack, "sl", str("listpack")),
		keyRec(TypeStreamListpacks3, "st3", streamValue(TypeStreamListpacks3)),
		keyRec(TypeHashMetadataPre, "hm0", cat(ln(2), ln(0), str("f"), str("v"), ln(1700000000000), str("g"), str("w"))),
		keyRec(TypeHashListpackExPre, "hlx0", str("listpack")),
		keyRec(TypeHashMetadata, "hm", cat(le64(1700000000000), ln(2), ln(0), str("f"), str("v"), ln(5), str("g"), str("w"))),
		keyRec(TypeHashListpackEx, "hlx", cat(le64(0), str("listpack"))),
		keyRec(TypeString, long, str("long key, LZF-compressed")),
		{kind: KindModuleAux, bytes: cat([]byte{OpModuleAux}, modID, ln(2), ln(2), ln(0))},
	}
	return recs
}

// synthFile builds an RDB of the given version from records, with a valid
// checksum (or zeros) for version >= 5.
func synthFile(version int, recs []synthRecord, zeroCRC bool) []byte {
	b := []byte(fmt.Sprintf("REDIS%04d", version))
	for _, r := range recs {
		b = append(b, r.bytes...)
	}
	b = append(b, OpEOF)
	if version >= 5 {
		sum := CRC64(0, b)
		if zeroCRC {
			sum = 0
		}
		b = binary.LittleEndian.AppendUint64(b, sum)
	}
	return b
}

// TestEveryValueType reads a hand-built file holding every opcode and
// every value type, for every RDB version, and checks each record's kind,
// span, key, expiry and value size.
func TestEveryValueType(t *testing.T) {
	recs := synthRecords()
	for version := 1; version <= 12; version++ {
		for _, zero := range []bool{false, true} {
			data := synthFile(version, recs, zero)
			rd := NewReader(bytes.NewReader(data), ReaderOptions{File: "synth.rdb"})
			off := int64(9)
			var expire int64
			hasExpire := false
			for i, want := range recs {
				rec, err := rd.Next()
				if err != nil {
					t.Fatalf("v%d record %d (%v): %v", version, i, want.kind, err)
				}
				end := off + int64(len(want.bytes))
				if rec.Kind != want.kind || rec.Offset != off || rec.End != end {
					t.Fatalf("v%d record %d: %v %d..%d, want %v %d..%d", version, i, rec.Kind, rec.Offset, rec.End, want.kind, off, end)
				}
				switch rec.Kind {
				case KindExpireTime, KindExpireTimeMs:
					expire, hasExpire = rec.ExpireAt, true
				case KindKey:
					if string(rec.Key) != want.key || rec.KeyLen != int64(len(want.key)) || rec.ValueSize() != int64(want.value) || rec.DB != 3 {
						t.Fatalf("v%d key record %d: key %q (%d) value %d db %d, want %q value %d", version, i, rec.Key, rec.KeyLen, rec.ValueSize(), rec.DB, want.key, want.value)
					}
					if rec.HasExpire != hasExpire || rec.ExpireAt != expire {
						t.Fatalf("v%d key %q: expire %v %d, want %v %d", version, rec.Key, rec.HasExpire, rec.ExpireAt, hasExpire, expire)
					}
					hasExpire, expire = false, 0
				}
				off = end
			}
			rec, err := rd.Next()
			if err != nil || rec.Kind != KindEOF || rec.End != int64(len(data)) {
				t.Fatalf("v%d EOF: %v %v", version, rec, err)
			}
			c := rd.Checksum()
			if c.Present != (version >= 5) || c.Disabled != (zero && version >= 5) || c.Valid != (!zero && version >= 5) {
				t.Fatalf("v%d checksum %+v", version, c)
			}
			if _, err := rd.Next(); err != io.EOF {
				t.Fatalf("after EOF: %v", err)
			}
			// Rewrite keeps such a file byte for byte too.
			var out bytes.Buffer
			if _, err := Rewrite(bytes.NewReader(data), &out, identity, RewriteOptions{}); err != nil || !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("v%d identity rewrite: %v (equal %v)", version, err, bytes.Equal(out.Bytes(), data))
			}
		}
	}
	// Expiries: EXPIRETIME seconds become milliseconds.
	if recs[11].bytes[0] != OpExpire {
		t.Fatal("test data changed")
	}
}

// TestRejectedRecords checks the records Redis refuses, with its words.
func TestRejectedRecords(t *testing.T) {
	cases := []struct {
		name     string
		rec      []byte
		sentinel error
		words    string
	}{
		{"module pre-GA", cat([]byte{TypeModulePreGA}, str("k"), ln(0)), ErrCorrupt, "Pre-release module format not supported"},
		{"unknown type 8", cat([]byte{8}, str("k"), str("v")), ErrCorrupt, "Unknown RDB encoding type 8"},
		{"unknown type 26", cat([]byte{26}, str("k"), str("v")), ErrCorrupt, "Unknown RDB encoding type 26"},
		{"opcode 243 in a Redis file", []byte{243, 0}, ErrCorrupt, "Unknown RDB encoding type 243"},
		{"pre-GA function", cat([]byte{OpFunctionPre}, str("lib"), str("LUA"), ln(0), str("return 1")), ErrPreGAFunction, "Pre-release function format not supported"},
		{"bad library", AppendFunction(nil, "redis.register_function('f', function() return 1 end)", false), ErrCorrupt, "Failed loading library, Missing library metadata"},
		{"bad shebang engine", AppendFunction(nil, "#!python name=x\n", false), ErrCorrupt, "Engine 'python' not found"},
		{"bad quicklist container", cat([]byte{TypeListQuicklist2}, str("k"), ln(1), ln(3), str("x")), ErrCorrupt, "Quicklist integrity check failed."},
		{"bad stream node key", cat([]byte{TypeStreamListpacks3}, str("k"), ln(1), str("short"), str("lp")), ErrCorrupt, "Stream node key entry is not the size of a stream ID"},
		{"bad length encoding", cat([]byte{TypeList}, str("k"), []byte{0x82}), ErrCorrupt, "Unknown length encoding 2 in rdbLoadLen()"},
		{"bad string encoding", cat([]byte{TypeString}, str("k"), []byte{0xC4}), ErrCorrupt, "Unknown RDB string encoding type 4"},
		{"bad module when", cat([]byte{OpModuleAux}, ln(1), ln(1), ln(1), ln(0)), ErrCorrupt, "bad when_opcode 1"},
		{"bad module opcode", cat([]byte{TypeModule2}, str("k"), ln(1), ln(9)), ErrCorrupt, "unknown module opcode 9"},
		{"bad LZF", cat([]byte{OpAux}, str("k"), []byte{0xC3}, ln(2), ln(200), []byte{0, 'a'}), ErrCorrupt, "Invalid LZF compressed string"},
		{"impossible LZF lengths", cat([]byte{OpAux}, str("k"), []byte{0xC3}, ln(2), ln(4000), []byte{0, 'a'}), ErrCorrupt, "Invalid LZF compressed string"},
		{"huge LZF key", cat([]byte{TypeString}, []byte{0xC3}, ln(2), ln(40000), []byte{0, 'a'}, str("v")), ErrCorrupt, "Invalid LZF compressed string"},
	}
	lib := AppendFunction(nil, "#!lua name=dup\nredis.register_function('f', function() return 1 end)", false)
	cases = append(cases, struct {
		name     string
		rec      []byte
		sentinel error
		words    string
	}{"duplicate library", cat(lib, lib), ErrCorrupt, "Library 'dup' already exists"})
	for _, c := range cases {
		data := cat([]byte("REDIS0012"), []byte{OpAux}, str("a"), str("b"), c.rec, []byte{OpEOF}, le64(0))
		_, err := readAll(data)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, c.sentinel) || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: %v, want %v with %q", c.name, err, c.sentinel, c.words)
			continue
		}
		if e.Offset < 13 || e.File != "x.rdb" {
			t.Errorf("%s: offset %d, file %q", c.name, e.Offset, e.File)
		}
	}
}

// TestHeaders checks the header rules.
func TestHeaders(t *testing.T) {
	for _, c := range []struct {
		head     string
		sentinel error
	}{
		{"REDIS0000", ErrUnsupportedVersion},
		{"REDIS0013", ErrUnsupportedVersion},
		{"REDIS0080", ErrUnsupportedVersion},
		{"REDISxxxx", ErrUnsupportedVersion},
		{"VALKEY079", ErrUnsupportedVersion},
		{"VALKEY082", ErrUnsupportedVersion},
		{"VALKEY012", ErrUnsupportedVersion},
		{"redis0010", ErrNotRDB},
		{"*3\r\n$3\r\nSET", ErrNotRDB},
		{"", ErrNotRDB},
		{"RED", ErrTruncated},
		{"REDIS001", ErrTruncated},
	} {
		_, err := readAll(append([]byte(c.head), OpEOF))
		if c.head == "RED" || c.head == "REDIS001" || c.head == "" {
			_, err = readAll([]byte(c.head))
		}
		if !errors.Is(err, c.sentinel) {
			t.Errorf("%q: %v, want %v", c.head, err, c.sentinel)
		}
	}
	for _, c := range []struct {
		head    string
		version int
	}{{"REDIS0001", 1}, {"REDIS0012", 12}, {"VALKEY080", 80}, {"VALKEY081", 81}} {
		data := append([]byte(c.head), OpEOF)
		if c.version >= 5 {
			data = append(data, le64(0)...)
		}
		rd := NewReader(bytes.NewReader(data), ReaderOptions{})
		rec, err := rd.Next()
		_, v, _ := rd.Header()
		if err != nil || rec.Kind != KindEOF || v != c.version {
			t.Errorf("%s: %v %v version %d", c.head, rec, err, v)
		}
	}
	// Valkey 9 layouts that are not known are refused clearly.
	for _, rec := range [][]byte{cat([]byte{22}, str("k"), str("v")), {243, 0}, {242, 0}} {
		data := cat([]byte("VALKEY080"), rec, []byte{OpEOF}, le64(0))
		if _, err := readAll(data); !errors.Is(err, ErrUnsupportedVersion) {
			t.Errorf("Valkey record %x: %v, want ErrUnsupportedVersion", rec[0], err)
		}
	}
}

// TestTrailingData: data after the checksum is an error, unless allowed;
// then Rest returns it.
func TestTrailingData(t *testing.T) {
	data := synthFile(12, synthRecords()[:3], false)
	tail := "*2\r\n$4\r\nPING\r\n"
	full := append(append([]byte(nil), data...), tail...)
	if _, err := readAll(full); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "unexpected data after the checksum") {
		t.Fatalf("trailing data: %v", err)
	}
	rd := NewReader(bytes.NewReader(full), ReaderOptions{AllowTrailing: true})
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if rd.Offset() != int64(len(data)) {
		t.Fatalf("offset after EOF %d, want %d", rd.Offset(), len(data))
	}
	rest, err := io.ReadAll(rd.Rest())
	if err != nil || string(rest) != tail {
		t.Fatalf("Rest: %q %v", rest, err)
	}
}
