// Package source opens whatever a command names as its input — an RDB file,
// a FUNCTION DUMP payload in any saved form, a .lua library — detects the
// format by content, and returns its libraries as a library.Set together
// with the facts about the format that inspect shows.
//
// Reading checks the whole input by default (an RDB's structure to EOF and
// its checksum; a payload's version and checksum) and fails on damage;
// Options.NoVerify reads only as far as the libraries.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/internal/progress"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/remote"
)

// Kind is the format of a source.
type Kind string

// The kinds of source Open recognises.
const (
	// KindRDB is an RDB file (magic REDIS or VALKEY), including
	// functions-only RDBs.
	KindRDB Kind = "rdb"
	// KindDump is a FUNCTION DUMP payload, however it was saved.
	KindDump Kind = "dump"
	// KindLua is a library's source file.
	KindLua Kind = "lua"
	// KindServer is a live server named by a redis:// or rediss:// URL
	// (see remote.go).
	KindServer Kind = "server"
)

// MaxPayloadSize bounds the inputs read whole: payloads and .lua files.
const MaxPayloadSize = 512 << 20

// ErrUnknownFormat is wrapped when an input is none of the formats fnkit
// reads.
var ErrUnknownFormat = errors.New("unknown input format")

// Options control Open.
type Options struct {
	// NoVerify reads only as far as needed for the libraries: for an RDB it
	// stops after the function records, skipping the keyspace and the
	// checksum.
	NoVerify bool
	// Summary asks for the keyspace summary of an RDB (it is computed while
	// verifying; with NoVerify it is not available).
	Summary bool
	// Remote configures connections to redis:// and rediss:// sources
	// (TLS files, timeout).
	Remote remote.Options
	// Progress draws a progress bar on standard error while a file of
	// progress.Threshold (64 MiB) or more is read, when standard error is
	// a terminal (internal/progress).
	Progress bool
	// AOFStop is where an AOF's replay stops (see aof.StopAtCommand and
	// aof.StopAtTime); the zero value replays everything (aof.go).
	AOFStop aof.Stop
	// AOFValidate, when set, checks every library change of an AOF's
	// replay (aof.Validator: the Lua runtime's checks).
	AOFValidate aof.Validator
}

// Source is one opened input.
type Source struct {
	// Path is the input as named on the command line.
	Path string
	// Kind is the detected format.
	Kind Kind
	// Size is the input's size in bytes.
	Size int64
	// Libraries holds the libraries, with origins pointing into Path.
	Libraries *library.Set
	// Dump holds the payload facts when Kind is KindDump.
	Dump *DumpInfo
	// RDB holds the RDB facts when Kind is KindRDB: header, AUX fields,
	// function records, checksum state and (with Options.Summary) the
	// keyspace summary.
	RDB *rdbfmt.Info
	// Server holds what a live server said when Kind is KindServer (Dump
	// then describes its FUNCTION DUMP payload).
	Server *ServerInfo
	// AOF holds the files and the replay when Kind is KindAOF (aof.go).
	AOF *AOFInfo
}

// DumpInfo describes a FUNCTION DUMP payload.
type DumpInfo struct {
	// Version is the payload's RDB version.
	Version int
	// Form is how the payload was saved.
	Form dumpfmt.Form
	// PayloadSize is the size of the payload bytes (after undoing Form).
	PayloadSize int
	// Checksum is the verified CRC-64 from the footer.
	Checksum uint64
	// Records describe the library records.
	Records []dumpfmt.Record
}

// Open reads the input at path, detecting its format by content.
func Open(path string, opts Options) (*Source, error) {
	if remote.IsURL(path) {
		return openServer(path, opts)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		// An AOF directory (appendonlydir/ with a manifest).
		a, err := aof.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: a directory that is not an AOF directory (%v)", path, ErrUnknownFormat, err)
		}
		return replayAOF(path, a, opts)
	}
	head := make([]byte, 9)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	src := &Source{Path: path, Size: st.Size()}
	var in io.Reader = f
	if opts.Progress {
		pr := progress.NewReader(f, st.Size(), path, progress.Options{})
		defer pr.Finish()
		in = pr
	}
	switch kind := detect(path, head); kind {
	case KindAOF:
		f.Close()
		return openAOF(path, opts)
	case KindRDB:
		src.Kind = KindRDB
		err = src.readRDB(in, opts)
	default:
		if st.Size() > MaxPayloadSize {
			return nil, fmt.Errorf("%s: %w: %d bytes, larger than any FUNCTION DUMP payload or library fnkit reads (%d)", path, ErrUnknownFormat, st.Size(), MaxPayloadSize)
		}
		var data []byte
		data, err = io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		if kind == KindLua {
			err = src.readLua(data)
		} else {
			err = src.readDump(data)
		}
	}
	if err != nil {
		return nil, err
	}
	return src, nil
}

// detect decides the kind of input from its first bytes and its name.
// Formats with a magic come first; later formats (AOF files, live servers)
// get their case here.
func detect(path string, head []byte) Kind {
	switch {
	case !strings.EqualFold(filepath.Ext(path), ".lua") && detectAOF(path, head):
		return KindAOF
	case bytes.HasPrefix(head, []byte("REDIS")) || bytes.HasPrefix(head, []byte("VALKEY")):
		return KindRDB
	case strings.EqualFold(filepath.Ext(path), ".lua") || bytes.HasPrefix(head, []byte("#!")):
		return KindLua
	}
	return KindDump
}

func (s *Source) readLua(data []byte) error {
	lib, err := library.New(string(data), library.Origin{Path: s.Path, Format: string(KindLua), Offset: -1})
	if err != nil {
		return fmt.Errorf("%s: not a valid library: %w", s.Path, err)
	}
	s.Kind = KindLua
	s.Libraries = library.NewSet(lib)
	return nil
}

func (s *Source) readDump(data []byte) error {
	p, err := dumpfmt.Parse(data, s.Path)
	if err != nil {
		if errors.Is(err, dumpfmt.ErrNotPayload) {
			return fmt.Errorf("%w: %s is not an RDB file (no REDIS or VALKEY signature), not a library (no #! line) and not a FUNCTION DUMP payload: %w", ErrUnknownFormat, s.Path, err)
		}
		return err
	}
	s.Kind = KindDump
	s.Libraries = p.Libraries
	s.Dump = &DumpInfo{Version: p.Version, Form: p.Form, PayloadSize: p.Size, Checksum: p.Checksum, Records: p.Records}
	return nil
}

// Load opens every path in order with the same options.
func Load(opts Options, paths ...string) ([]*Source, error) {
	out := make([]*Source, 0, len(paths))
	for _, p := range paths {
		s, err := Open(p, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Merge opens every path and merges their libraries in order under policy;
// a conflict under library.PolicyFail names both sources.
func Merge(policy library.Policy, opts Options, paths ...string) (*library.Set, []*Source, error) {
	srcs, err := Load(opts, paths...)
	if err != nil {
		return nil, nil, err
	}
	sets := make([]*library.Set, len(srcs))
	for i, s := range srcs {
		sets[i] = s.Libraries
	}
	set, err := library.Merge(policy, sets...)
	if err != nil {
		return nil, nil, err
	}
	return set, srcs, nil
}
