package rdbfmt

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/fnkit/fnkit/library"
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Version is the RDB version of the header: 1-12 with magic REDIS, 80
	// or 81 with magic VALKEY. 0 means 10, the version every Redis 7
	// server loads.
	Version int
	// Magic is "REDIS" (the default) or "VALKEY".
	Magic string
	// NoCompress stores strings uncompressed, as Redis with rdbcompression
	// no. By default strings longer than 20 bytes are LZF-compressed when
	// that saves space, exactly as Redis does.
	NoCompress bool
	// NoChecksum writes a zero CRC-64 trailer, as Redis with rdbchecksum
	// no.
	NoChecksum bool
}

// DefaultVersion is the RDB version Writer uses when none is given: 10, the
// version of Redis 7.0, which every Redis 7 server loads.
const DefaultVersion = 10

// Writer writes an RDB file: the header, then records, then on Close the
// EOF opcode and the CRC-64 trailer. Output is buffered; nothing is
// complete until Close returns.
type Writer struct {
	dst     io.Writer
	bw      *bufio.Writer
	crc     crcWriter
	opts    WriterOptions
	scratch []byte
	err     error
	closed  bool
}

// crcWriter hashes what goes through it.
type crcWriter struct {
	w   io.Writer
	crc uint64
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.crc = CRC64(c.crc, p[:n])
	c.n += int64(n)
	return n, err
}

// ValidVersion reports whether fnkit reads and writes RDB version v with
// magic ("REDIS" or "VALKEY").
func ValidVersion(magic string, v int) bool {
	switch magic {
	case "REDIS":
		return v >= 1 && v <= 12
	case "VALKEY":
		return v == 80 || v == 81
	}
	return false
}

// NewWriter writes the header to w and returns a Writer.
func NewWriter(w io.Writer, opts WriterOptions) (*Writer, error) {
	if opts.Version == 0 {
		opts.Version = DefaultVersion
	}
	if opts.Magic == "" {
		opts.Magic = "REDIS"
		if opts.Version >= 80 {
			opts.Magic = "VALKEY"
		}
	}
	if !ValidVersion(opts.Magic, opts.Version) {
		return nil, fmt.Errorf("rdbfmt: %w: cannot write RDB version %d with magic %s", ErrUnsupportedVersion, opts.Version, opts.Magic)
	}
	wr := &Writer{dst: w, opts: opts}
	wr.crc.w = w
	wr.bw = bufio.NewWriterSize(&wr.crc, 256<<10)
	if opts.Magic == "REDIS" {
		fmt.Fprintf(wr.bw, "REDIS%04d", opts.Version)
	} else {
		fmt.Fprintf(wr.bw, "VALKEY%03d", opts.Version)
	}
	return wr, nil
}

func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("rdbfmt: write to a closed Writer")
	}
	if _, err := w.bw.Write(p); err != nil {
		w.err = err
	}
	return w.err
}

// WriteAux writes an AUX field. Values that are canonical integers are
// stored integer-encoded, as Redis stores redis-bits, ctime and the like.
func (w *Writer) WriteAux(key, value string) error {
	b := append(w.scratch[:0], OpAux)
	b = AppendString(b, []byte(key), !w.opts.NoCompress)
	b = AppendString(b, []byte(value), !w.opts.NoCompress)
	w.scratch = b[:0]
	return w.write(b)
}

// AppendFunction appends a FUNCTION2 record holding code to buf, as Redis
// writes it (compressed when compress is true and that saves space).
func AppendFunction(buf []byte, code string, compress bool) []byte {
	buf = append(buf, OpFunction2)
	return AppendString(buf, []byte(code), compress)
}

// WriteFunction writes a FUNCTION2 record for lib. A library whose
// shebang Redis would refuse is not written: Redis would refuse to load
// the file (use WriteRaw to write one on purpose).
func (w *Writer) WriteFunction(lib *library.Library) error {
	if err := checkLibrary(lib); err != nil {
		return err
	}
	b := AppendFunction(w.scratch[:0], lib.Code, !w.opts.NoCompress)
	w.scratch = b[:0]
	return w.write(b)
}

// checkLibrary refuses a library that Redis would not load from an RDB.
func checkLibrary(lib *library.Library) error {
	md, err := library.ParseMetadata(lib.Code)
	if err != nil {
		return fmt.Errorf("rdbfmt: library %q (%s): %w: Failed loading library, %w", lib.Name, lib.Origin, ErrCorrupt, err)
	}
	if md.Name != lib.Name {
		return fmt.Errorf("rdbfmt: library %q (%s): %w: its code declares the name %q", lib.Name, lib.Origin, ErrCorrupt, md.Name)
	}
	return nil
}

// WriteRaw writes bytes that are already RDB records (copied from another
// RDB), unchanged.
func (w *Writer) WriteRaw(p []byte) error { return w.write(p) }

// Close writes the EOF opcode and, for version 5 and later, the CRC-64
// trailer (zero with NoChecksum), and flushes. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if err := w.write([]byte{OpEOF}); err != nil {
		return err
	}
	w.closed = true
	if err := w.bw.Flush(); err != nil {
		w.err = err
		return err
	}
	if w.opts.Version >= 5 {
		var sum uint64
		if !w.opts.NoChecksum {
			sum = w.crc.crc
		}
		var t [8]byte
		binary.LittleEndian.PutUint64(t[:], sum)
		if _, err := w.dst.Write(t[:]); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

// FunctionsRDBOptions configure WriteFunctionsRDB.
type FunctionsRDBOptions struct {
	WriterOptions
	// Aux holds the AUX fields to write, in order. When nil, the fields
	// every Redis RDB starts with that a file not written by a server can
	// honestly carry: redis-bits (64), ctime (Time) and aof-base (0).
	Aux []AuxField
	// Time is the ctime; the zero value means now.
	Time time.Time
}

// WriteFunctionsRDB writes a functions-only RDB, the kind `redis-cli
// --functions-rdb` saves: the header, AUX fields, one FUNCTION2 record per
// library (in the set's order), EOF and the CRC-64.
func WriteFunctionsRDB(w io.Writer, libs *library.Set, opts FunctionsRDBOptions) error {
	wr, err := NewWriter(w, opts.WriterOptions)
	if err != nil {
		return err
	}
	aux := opts.Aux
	if aux == nil {
		t := opts.Time
		if t.IsZero() {
			t = time.Now()
		}
		aux = []AuxField{{Key: "redis-bits", Value: "64"}, {Key: "ctime", Value: strconv.FormatInt(t.Unix(), 10)}, {Key: "aof-base", Value: "0"}}
	}
	for _, a := range aux {
		if err := wr.WriteAux(a.Key, a.Value); err != nil {
			return err
		}
	}
	if libs != nil {
		for _, l := range libs.Libraries() {
			if err := wr.WriteFunction(l); err != nil {
				return err
			}
		}
	}
	return wr.Close()
}
