// Package library models Redis Functions libraries: the source text a server
// stores, the name and engine its shebang line declares, and where a copy was
// found. It parses the shebang exactly as Redis 7 does, with Redis's error
// words, and provides Set, the one currency every fnkit reader produces and
// every writer consumes, with merge policies and diffs.
//
// The package does no I/O.
package library

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"unsafe"
)

// EngineLua is the only engine Redis 7 knows; Redis reports it in upper case
// whatever spelling the shebang used.
const EngineLua = "LUA"

// Library is one Redis Functions library: its source text, byte for byte as
// FUNCTION LOAD received it (shebang line included), and what the shebang
// declares.
type Library struct {
	// Name is the library name from the shebang's name= parameter.
	Name string
	// Engine is the canonical engine name ("LUA").
	Engine string
	// Code is the whole source, including the "#!" line, exactly as stored.
	Code string
	// Origin says where this copy of the library was found.
	Origin Origin
}

// Origin records where a library came from, so that reports and conflict
// errors can point at the exact file and byte.
type Origin struct {
	// Path is the file, directory or server address the library was read from.
	Path string
	// Format is the kind of source: "rdb", "dump", "aof", "lua" or "server".
	Format string
	// Offset is the byte offset of the library's record inside Path, or -1
	// when a position is not meaningful (a .lua file, a live server).
	Offset int64
}

// String formats the origin as PATH, or PATH@OFFSET when the offset is known.
func (o Origin) String() string {
	if o.Path == "" {
		return "(unknown source)"
	}
	if o.Offset < 0 {
		return o.Path
	}
	return fmt.Sprintf("%s@%d", o.Path, o.Offset)
}

// New parses code's shebang line as Redis does and returns the library it
// declares. The error, if any, is an *Error carrying Redis's message.
func New(code string, origin Origin) (*Library, error) {
	md, err := ParseMetadata(code)
	if err != nil {
		return nil, err
	}
	return &Library{Name: md.Name, Engine: md.Engine, Code: code, Origin: origin}, nil
}

// SHA1 returns the lowercase hex SHA-1 of the library's code, the digest
// fnkit shows to identify a version of a library.
func (l *Library) SHA1() string {
	// Hashed in place, without a copy of the code (an allocation the size
	// of the library): sha1.Sum only reads its input.
	sum := sha1.Sum(unsafe.Slice(unsafe.StringData(l.Code), len(l.Code)))
	return hex.EncodeToString(sum[:])
}

// Size returns the length of the code in bytes.
func (l *Library) Size() int { return len(l.Code) }
