package rdbfmt

import (
	"fmt"

	"github.com/fnkit/fnkit/library"
)

// RDB opcodes: the type bytes 242-255 that are not value types.
const (
	OpSlotImport  = 243 // Valkey 9 SLOT_IMPORT (not readable; see Reader)
	OpSlotInfo    = 244 // SLOT_INFO: len slot, len keys, len expires (Redis 7.4+ cluster)
	OpFunction2   = 245 // FUNCTION2: one string, the library code
	OpFunctionPre = 246 // pre-GA function record of Redis 7.0 release candidates
	OpModuleAux   = 247 // MODULE_AUX: module id, when, opcode stream
	OpIdle        = 248 // IDLE: LRU idle seconds of the next key
	OpFreq        = 249 // FREQ: LFU counter of the next key
	OpAux         = 250 // AUX: two strings
	OpResizeDB    = 251 // RESIZEDB: keys and expires hints
	OpExpireMs    = 252 // EXPIRETIME_MS: int64 ms of the next key
	OpExpire      = 253 // EXPIRETIME: int32 seconds of the next key
	OpSelectDB    = 254 // SELECTDB: len db
	OpEOF         = 255 // EOF, then the CRC-64 trailer (version >= 5)
)

// Kind says what a record is.
type Kind uint8

// The kinds of records Reader.Next returns.
const (
	// KindKey is a key and its value (type bytes 0-25).
	KindKey Kind = iota + 1
	// KindAux is an AUX field (250).
	KindAux
	// KindResizeDB is a RESIZEDB hint (251).
	KindResizeDB
	// KindSelectDB is a SELECTDB (254).
	KindSelectDB
	// KindExpireTime is an EXPIRETIME in seconds (253).
	KindExpireTime
	// KindExpireTimeMs is an EXPIRETIME_MS (252).
	KindExpireTimeMs
	// KindIdle is an LRU IDLE time (248).
	KindIdle
	// KindFreq is an LFU FREQ counter (249).
	KindFreq
	// KindModuleAux is a MODULE_AUX record (247).
	KindModuleAux
	// KindFunction is a FUNCTION2 library record (245).
	KindFunction
	// KindSlotInfo is a SLOT_INFO record (244).
	KindSlotInfo
	// KindEOF is the EOF opcode (255) with the checksum trailer.
	KindEOF
)

var kindNames = [...]string{
	KindKey: "KEY", KindAux: "AUX", KindResizeDB: "RESIZEDB", KindSelectDB: "SELECTDB",
	KindExpireTime: "EXPIRETIME", KindExpireTimeMs: "EXPIRETIME_MS", KindIdle: "IDLE",
	KindFreq: "FREQ", KindModuleAux: "MODULE_AUX", KindFunction: "FUNCTION2",
	KindSlotInfo: "SLOT_INFO", KindEOF: "EOF",
}

// String returns the opcode's name as Redis's rdb.h spells it ("AUX",
// "FUNCTION2", …), or "KEY" for a key record.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Record is one record of an RDB file. Which fields are set depends on
// Kind; the others are zero. The Record returned by Reader.Next, and every
// slice in it, is only valid until the next call to Next.
type Record struct {
	// Kind says what the record is.
	Kind Kind
	// Type is the record's first byte: the opcode (242-255), or for a key
	// record the value type (0-25).
	Type byte
	// Offset is the offset of the record's first byte in the input, End the
	// offset just past its last byte. For KindEOF, End includes the
	// checksum trailer.
	Offset, End int64

	// AuxKey and AuxValue are an AUX field's strings (integer-encoded
	// strings as their decimal text); AuxEncoding is how the value was
	// stored.
	AuxKey, AuxValue string
	AuxEncoding      StringEncoding

	// DB is the database of a SELECTDB record, and of a key record (the
	// last SELECTDB before it; 0 when there was none).
	DB uint64

	// DBSize and ExpiresSize are the hints of a RESIZEDB record.
	DBSize, ExpiresSize uint64

	// ExpireAt is the expiry, in Unix milliseconds, of an EXPIRETIME(_MS)
	// record, and of a key record when HasExpire is set (seconds of the old
	// EXPIRETIME opcode are converted).
	ExpireAt  int64
	HasExpire bool

	// Idle is an IDLE record's LRU idle time in seconds.
	Idle uint64
	// Freq is a FREQ record's LFU counter.
	Freq byte

	// ModuleID is the 64-bit module type id of a MODULE_AUX record or of a
	// module value (type 7); ModuleName (ModuleID) decodes it.
	ModuleID uint64
	// ModuleWhen is a MODULE_AUX record's "when": 1 before the keyspace,
	// 2 after it.
	ModuleWhen uint64

	// Library is the library of a FUNCTION2 record, its Origin set to the
	// input's name, format "rdb" and the record's offset.
	Library *library.Library
	// CodeEncoding is how the library code is stored (raw or lzf).
	CodeEncoding StringEncoding
	// Raw holds the whole FUNCTION2 record, opcode included, byte for byte.
	// It stays valid after the next call to Next but must not be modified
	// (the library's code may share its bytes).
	Raw []byte

	// Slot, SlotKeys and SlotExpires are a SLOT_INFO record's fields.
	Slot, SlotKeys, SlotExpires uint64

	// Key is a key record's key (integer-encoded keys as decimal text,
	// LZF keys decompressed). It is nil when the key is longer than
	// MaxKeyLen; KeyLen is always its length.
	Key    []byte
	KeyLen int64
	// ValueOffset is where the key record's value starts (right after the
	// key); End-ValueOffset is the value's serialized size.
	ValueOffset int64
	// Value holds those End-ValueOffset bytes, the value exactly as
	// stored, when the Reader was made with ReaderOptions.Values; it is
	// nil otherwise. It may share the reader's buffer: it is valid until
	// the next call to Next and must not be modified.
	Value []byte
}

// ValueSize returns the serialized size of a key record's value in bytes
// (what follows the key up to the next record).
func (r *Record) ValueSize() int64 {
	if r.Kind != KindKey {
		return 0
	}
	return r.End - r.ValueOffset
}

// MaxKeyLen is the longest key a key record carries in Record.Key; longer
// keys (Redis allows up to 512 MB) are skipped like values, to keep the
// reader's memory bounded, and only their length is reported.
const MaxKeyLen = 1 << 20

// Value types (the type byte before a key).
const (
	TypeString            = 0
	TypeList              = 1
	TypeSet               = 2
	TypeZSet              = 3
	TypeHash              = 4
	TypeZSet2             = 5
	TypeModulePreGA       = 6
	TypeModule2           = 7
	TypeHashZipmap        = 9
	TypeListZiplist       = 10
	TypeSetIntset         = 11
	TypeZSetZiplist       = 12
	TypeHashZiplist       = 13
	TypeListQuicklist     = 14
	TypeStreamListpacks   = 15
	TypeHashListpack      = 16
	TypeZSetListpack      = 17
	TypeListQuicklist2    = 18
	TypeStreamListpacks2  = 19
	TypeSetListpack       = 20
	TypeStreamListpacks3  = 21
	TypeHashMetadataPre   = 22
	TypeHashListpackExPre = 23
	TypeHashMetadata      = 24
	TypeHashListpackEx    = 25
)

// typeInfo names a value type as Redis's TYPE command and the RDB encoding
// (close to OBJECT ENCODING) would.
var typeInfo = [26]struct{ typ, enc string }{
	TypeString:            {"string", "string"},
	TypeList:              {"list", "linkedlist"},
	TypeSet:               {"set", "hashtable"},
	TypeZSet:              {"zset", "skiplist"},
	TypeHash:              {"hash", "hashtable"},
	TypeZSet2:             {"zset", "skiplist"},
	TypeModulePreGA:       {"module", "module-pre-ga"},
	TypeModule2:           {"module", "module"},
	TypeHashZipmap:        {"hash", "zipmap"},
	TypeListZiplist:       {"list", "ziplist"},
	TypeSetIntset:         {"set", "intset"},
	TypeZSetZiplist:       {"zset", "ziplist"},
	TypeHashZiplist:       {"hash", "ziplist"},
	TypeListQuicklist:     {"list", "quicklist"},
	TypeStreamListpacks:   {"stream", "stream"},
	TypeHashListpack:      {"hash", "listpack"},
	TypeZSetListpack:      {"zset", "listpack"},
	TypeListQuicklist2:    {"list", "quicklist"},
	TypeStreamListpacks2:  {"stream", "stream"},
	TypeSetListpack:       {"set", "listpack"},
	TypeStreamListpacks3:  {"stream", "stream"},
	TypeHashMetadataPre:   {"hash", "hashtable"},
	TypeHashListpackExPre: {"hash", "listpackex"},
	TypeHashMetadata:      {"hash", "hashtable"},
	TypeHashListpackEx:    {"hash", "listpackex"},
}

// TypeName returns the Redis type ("string", "list", "set", "zset",
// "hash", "stream", "module") of an RDB value type, or "" for a byte that
// is not one.
func TypeName(t byte) string {
	if int(t) < len(typeInfo) {
		return typeInfo[t].typ
	}
	return ""
}

// EncodingName returns the encoding an RDB value type stores ("listpack",
// "quicklist", "intset", "hashtable", "skiplist", "listpackex", "ziplist",
// "zipmap", "linkedlist", "stream", "module", "string"), or "" for a byte
// that is not a value type.
func EncodingName(t byte) string {
	if int(t) < len(typeInfo) {
		return typeInfo[t].enc
	}
	return ""
}

// ModuleName decodes a module type id into the module type's 9-character
// name, as Redis's moduleTypeNameByID does (the low 10 bits, the encoding
// version, are not part of the name).
func ModuleName(id uint64) string {
	const charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	id >>= 10
	for j := 8; j >= 0; j-- {
		name[j] = charset[id&63]
		id >>= 6
	}
	return string(name[:])
}
