package rdbfmt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"

	"github.com/fnkit/fnkit/library"
)

// Buffer sizes. The first read is small so that reading only the header,
// AUX fields and libraries (ReadInfo with NoVerify) touches a few pages of
// a file of any size; the read size then doubles with each full read up to
// readMax, the steady-state read size (the buffer holds one read plus what
// is left of the previous one). Strings that must be returned whole
// (keys, AUX values, library code) are assembled outside the buffer when
// they do not fit in it.
const (
	readMin = 16 << 10
	readMax = 1 << 20
)

// MaxStringLen is the largest string the Reader assembles in memory: an
// AUX field or the code of a library (keys have MaxKeyLen; values are never
// assembled). Redis sets no such limit below its 512 MB bulk length, but no
// real library comes near it, and the limit keeps a corrupt length from
// making the reader hold a large part of the input.
const MaxStringLen = 32 << 20

// lzfLengthsOK reports whether clen compressed bytes can decompress to
// ulen: LZF expands at most 264 bytes per 2 input bytes and stores
// incompressible data with one control byte per 32 literals.
func lzfLengthsOK(clen, ulen uint64) bool {
	return clen <= ulen+ulen/32+1 && ulen/lzfMaxRatio <= clen
}

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	// File names the input in errors and in the Origin of libraries.
	File string
	// NoChecksum skips computing the CRC-64: Checksum reports it as not
	// verified.
	NoChecksum bool
	// AllowTrailing accepts data after the end of the RDB (the EOF opcode
	// and its checksum). Without it such data is an error. The AOF reader
	// sets it to read the RESP commands that follow an RDB preamble (see
	// Rest).
	AllowTrailing bool
	// Values makes Next return each key record's serialized value in
	// Record.Value, for callers that decode values themselves. The value is
	// then held whole in memory, one record at a time, however large it
	// is; without Values the reader's memory stays bounded.
	Values bool
}

// Reader reads an RDB file record by record from an io.Reader, in the
// manner of archive/tar: Next returns one record at a time, and io.EOF
// after the EOF record. Values are skipped without being decoded, with a
// bounded buffer whatever the file size (ReaderOptions.Values returns
// them instead, still undecoded). The CRC-64 is computed over large
// chunks as the data goes by and checked against the trailer when the EOF
// record is read. Errors are *Error values and are sticky.
type Reader struct {
	src  io.Reader
	opts ReaderOptions

	buf     []byte // data in buf[pos:end]; buf[flushed:pos] consumed but not yet hashed
	pos     int
	end     int
	flushed int
	base    int64 // input offset of buf[0]
	srcErr  error // error returned by src (io.EOF once drained)
	chunk   int   // size of the next read: doubles while the input keeps coming
	zeroes  int   // consecutive empty reads

	crc     uint64
	hashing bool

	// sink receives consumed bytes when sinkOn (Rewrite).
	sink    io.Writer
	sinkOn  bool
	sinkErr error
	// capOn collects the consumed bytes from buf[capFrom:] into capBuf
	// (ReaderOptions.Values): flush appends what the buffer is about to
	// drop, readKey the rest.
	capOn   bool
	capFrom int
	capBuf  []byte
	// hook, when set, is called at the start of each record, before its
	// first byte is consumed (Rewrite).
	hook func(off int64, t byte) error

	err       error
	header    bool
	magic     string
	version   int
	done      bool // EOF record read
	checksum  Checksum
	db        uint64
	expire    int64
	hasExpire bool
	libs      map[string]int64 // library name -> record offset
	rec       Record
	keyBuf    []byte
	strBuf    []byte
}

// NewReader returns a Reader reading from src. Nothing is read until the
// first call to Next or Header.
func NewReader(src io.Reader, opts ReaderOptions) *Reader {
	return &Reader{src: src, opts: opts, hashing: !opts.NoChecksum}
}

// Header reads the RDB header if it has not been read yet and returns the
// magic ("REDIS" or "VALKEY") and the RDB version.
func (r *Reader) Header() (magic string, version int, err error) {
	if r.err != nil {
		return r.magic, r.version, r.err
	}
	if !r.header {
		if err := r.readHeader(); err != nil {
			r.err = err
			return "", 0, err
		}
	}
	return r.magic, r.version, nil
}

// Offset returns the input offset of the next byte the reader will parse:
// after Next it is the End of the record returned.
func (r *Reader) Offset() int64 { return r.base + int64(r.pos) }

// Checksum returns the state of the CRC-64 trailer. It is complete once the
// EOF record has been read.
func (r *Reader) Checksum() Checksum { return r.checksum }

// Rest returns a reader of everything after the bytes the Reader has
// parsed: the part of its buffer it has not consumed, then the rest of the
// underlying reader. After the EOF record it yields whatever follows the
// RDB (the RESP tail of an AOF with an RDB preamble). The Reader must not
// be used afterwards.
func (r *Reader) Rest() io.Reader {
	rest := bytes.NewReader(append([]byte(nil), r.buf[r.pos:r.end]...))
	if r.srcErr != nil {
		if r.srcErr == io.EOF {
			return rest
		}
		return io.MultiReader(rest, errReader{r.srcErr})
	}
	return io.MultiReader(rest, r.src)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// fail records and returns a sticky *Error.
func (r *Reader) fail(off int64, sentinel error, format string, args ...any) error {
	if r.err == nil {
		r.err = &Error{File: r.opts.File, Offset: off, What: fmt.Sprintf(format, args...), Err: sentinel}
	}
	return r.err
}

// errShort is returned by the buffer primitives when the input ends; the
// caller turns it into an *Error that says what was being read.
var errShort = errors.New("short")

// flush hashes (and sinks) the consumed bytes that have not been yet.
func (r *Reader) flush() {
	if r.capOn {
		r.capBuf = append(r.capBuf, r.buf[r.capFrom:r.pos]...)
		r.capFrom = r.pos
	}
	if r.flushed >= r.pos {
		return
	}
	p := r.buf[r.flushed:r.pos]
	if r.hashing {
		r.crc = CRC64Parallel(r.crc, p) // CRC64 unless splitting pays on this CPU
	}
	if r.sinkOn && r.sinkErr == nil {
		if _, err := r.sink.Write(p); err != nil {
			r.sinkErr = err
		}
	}
	r.flushed = r.pos
}

// read reads from src into buf[end:], recording src's error.
func (r *Reader) read() int {
	if r.chunk == 0 {
		r.chunk = readMin
	}
	want := min(r.chunk, len(r.buf)-r.end)
	n, err := r.src.Read(r.buf[r.end : r.end+want])
	if n < 0 || n > want {
		n = 0
		err = errors.New("rdbfmt: invalid Read count from the underlying reader")
	}
	r.end += n
	if err != nil {
		r.srcErr = err
	} else if n == 0 {
		r.zeroes++
		if r.zeroes > 100 {
			r.srcErr = io.ErrNoProgress
		}
	} else {
		r.zeroes = 0
	}
	if n == r.chunk && r.chunk < readMax {
		r.chunk *= 2 // the input keeps coming: read more at a time
	}
	return n
}

// fill makes at least need bytes available at pos (need <= readMax, or
// more when the caller accepts to hold that much). It returns errShort
// when the input ends first, or src's error.
func (r *Reader) fill(need int) error {
	if r.end-r.pos >= need {
		return nil
	}
	r.flush()
	// Move the unconsumed bytes to the front.
	if r.pos > 0 {
		n := copy(r.buf, r.buf[r.pos:r.end])
		r.base += int64(r.pos)
		r.end, r.pos, r.flushed, r.capFrom = n, 0, 0, 0
	}
	if r.chunk == 0 {
		r.chunk = readMin
	}
	// Room for need bytes and for a whole read after what is buffered,
	// growing by at least double so that reallocations stay rare.
	if size := max(need, r.end+r.chunk); size > len(r.buf) {
		size = max(size, 2*r.chunk, min(2*len(r.buf), 2*readMax))
		nb := make([]byte, size)
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for r.end-r.pos < need {
		if r.srcErr != nil {
			if r.srcErr == io.EOF {
				return errShort
			}
			return r.srcErr
		}
		r.read()
	}
	return nil
}

// skip consumes n bytes without looking at them.
func (r *Reader) skip(n uint64) error {
	if n <= uint64(r.end-r.pos) {
		r.pos += int(n)
		return nil
	}
	return r.skipSlow(n)
}

func (r *Reader) skipSlow(n uint64) error {
	n -= uint64(r.end - r.pos)
	r.pos = r.end
	r.flush()
	r.base += int64(r.end)
	r.pos, r.end, r.flushed, r.capFrom = 0, 0, 0, 0
	if r.srcErr != nil {
		if r.srcErr == io.EOF {
			return errShort
		}
		return r.srcErr
	}
	r.chunk = readMax // a large value: read it in large pieces
	if len(r.buf) < readMax {
		r.buf = make([]byte, readMax)
	}
	for n > 0 {
		if r.srcErr != nil {
			if r.srcErr == io.EOF {
				return errShort
			}
			return r.srcErr
		}
		m := r.read()
		if uint64(m) > n {
			r.pos = int(n)
			return nil
		}
		r.pos = r.end
		n -= uint64(m)
		r.flush()
		r.base += int64(r.end)
		r.pos, r.end, r.flushed, r.capFrom = 0, 0, 0, 0
	}
	return nil
}

// byte1 reads one byte.
func (r *Reader) byte1() (byte, error) {
	if r.pos >= r.end {
		if err := r.fill(1); err != nil {
			return 0, err
		}
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// readLenEnc reads an RDB length; special reports the 0b11 string
// encodings, whose kind is returned as n.
func (r *Reader) readLenEnc() (n uint64, special bool, err error) {
	if r.end-r.pos < 9 {
		if err := r.fill(1); err != nil {
			return 0, false, err
		}
		size := 1
		switch b := r.buf[r.pos]; {
		case b>>6 == len14bit:
			size = 2
		case b == len32bit:
			size = 5
		case b == len64bit:
			size = 9
		}
		if err := r.fill(size); err != nil {
			return 0, false, err
		}
	}
	b := r.buf[r.pos:r.end]
	switch b[0] >> 6 {
	case len6bit:
		r.pos++
		return uint64(b[0] & 0x3f), false, nil
	case len14bit:
		r.pos += 2
		return uint64(b[0]&0x3f)<<8 | uint64(b[1]), false, nil
	case lenEnc:
		r.pos++
		return uint64(b[0] & 0x3f), true, nil
	}
	switch b[0] {
	case len32bit:
		r.pos += 5
		return uint64(binary.BigEndian.Uint32(b[1:])), false, nil
	case len64bit:
		r.pos += 9
		return binary.BigEndian.Uint64(b[1:]), false, nil
	}
	return 0, false, errBadLen{b[0]}
}

// errBadLen is an unknown length encoding byte.
type errBadLen struct{ b byte }

func (e errBadLen) Error() string {
	return fmt.Sprintf("Unknown length encoding %d in rdbLoadLen()", e.b>>6)
}

// readLen reads a plain RDB length. Like Redis's rdbLoadLen, a 0b11 byte
// yields its low six bits.
func (r *Reader) readLen() (uint64, error) {
	if r.end-r.pos >= 2 {
		b := r.buf[r.pos]
		switch b >> 6 {
		case len6bit, lenEnc:
			r.pos++
			return uint64(b & 0x3f), nil
		case len14bit:
			r.pos += 2
			return uint64(b&0x3f)<<8 | uint64(r.buf[r.pos-1]), nil
		}
	}
	n, _, err := r.readLenEnc()
	return n, err
}

// skipString skips an RDB string and returns its decoded length.
func (r *Reader) skipString() (uint64, error) {
	if r.end-r.pos >= 2 {
		b := r.buf[r.pos]
		switch b >> 6 {
		case len6bit:
			n := uint64(b & 0x3f)
			if avail := uint64(r.end - r.pos - 1); n <= avail {
				r.pos += 1 + int(n)
				return n, nil
			}
			r.pos++
			return n, r.skip(n)
		case len14bit:
			n := uint64(b&0x3f)<<8 | uint64(r.buf[r.pos+1])
			r.pos += 2
			return n, r.skip(n)
		}
	}
	n, special, err := r.readLenEnc()
	if err != nil {
		return 0, err
	}
	if !special {
		return n, r.skip(n)
	}
	switch n {
	case EncInt8:
		return 4, r.skip(1) // the decoded length of an integer is not needed
	case EncInt16:
		return 6, r.skip(2)
	case EncInt32:
		return 11, r.skip(4)
	case EncLZF:
		clen, err := r.readLen()
		if err != nil {
			return 0, err
		}
		ulen, err := r.readLen()
		if err != nil {
			return 0, err
		}
		if !lzfLengthsOK(clen, ulen) {
			// as readString: whoever decodes the value would allocate ulen
			return 0, fmt.Errorf("%w: %v: %d bytes cannot expand to %d", ErrCorrupt, errLZF, clen, ulen)
		}
		return ulen, r.skip(clen)
	}
	return 0, errBadStringEnc(n)
}

type errBadStringEnc uint64

func (e errBadStringEnc) Error() string {
	return fmt.Sprintf("Unknown RDB string encoding type %d", uint64(e))
}

// bytesN returns the next n bytes, contiguous: a slice of the buffer when
// they fit in it (valid until the next read), else a new allocation
// assembled as the data arrives, so a corrupt length cannot make it
// allocate much more than the input holds.
func (r *Reader) bytesN(n uint64) ([]byte, error) {
	if n <= uint64(r.end-r.pos) {
		p := r.buf[r.pos : r.pos+int(n)]
		r.pos += int(n)
		return p, nil
	}
	if n <= readMax {
		if err := r.fill(int(n)); err != nil {
			return nil, err
		}
		p := r.buf[r.pos : r.pos+int(n)]
		r.pos += int(n)
		return p, nil
	}
	var out []byte
	for uint64(len(out)) < n {
		if r.pos == r.end {
			if err := r.fill(1); err != nil {
				return nil, err
			}
		}
		take := r.end - r.pos
		if rem := n - uint64(len(out)); uint64(take) > rem {
			take = int(rem)
		}
		out = append(out, r.buf[r.pos:r.pos+take]...)
		r.pos += take
	}
	return out, nil
}

// readString reads an RDB string whole. The result may alias the buffer
// (valid until the next read) unless it was decoded. dst is scratch space
// for LZF output.
func (r *Reader) readString(dst []byte) (s []byte, enc StringEncoding, err error) {
	n, special, err := r.readLenEnc()
	if err != nil {
		return nil, 0, err
	}
	if !special {
		if n > MaxStringLen {
			return nil, 0, errTooLong(n)
		}
		s, err = r.bytesN(n)
		return s, EncodingRaw, err
	}
	switch n {
	case EncInt8:
		if err := r.fill(1); err != nil {
			return nil, 0, err
		}
		v := int64(int8(r.buf[r.pos]))
		r.pos++
		return appendInt(dst[:0], v), EncodingInt8, nil
	case EncInt16:
		if err := r.fill(2); err != nil {
			return nil, 0, err
		}
		v := int64(int16(binary.LittleEndian.Uint16(r.buf[r.pos:])))
		r.pos += 2
		return appendInt(dst[:0], v), EncodingInt16, nil
	case EncInt32:
		if err := r.fill(4); err != nil {
			return nil, 0, err
		}
		v := int64(int32(binary.LittleEndian.Uint32(r.buf[r.pos:])))
		r.pos += 4
		return appendInt(dst[:0], v), EncodingInt32, nil
	case EncLZF:
		clen, err := r.readLen()
		if err != nil {
			return nil, 0, err
		}
		ulen, err := r.readLen()
		if err != nil {
			return nil, 0, err
		}
		if !lzfLengthsOK(clen, ulen) {
			return nil, 0, fmt.Errorf("%w: %v: %d bytes cannot expand to %d", ErrCorrupt, errLZF, clen, ulen)
		}
		if ulen > MaxStringLen {
			return nil, 0, errTooLong(ulen)
		}
		comp, err := r.bytesN(clen)
		if err != nil {
			return nil, 0, err
		}
		if uint64(cap(dst)) < ulen {
			dst = make([]byte, ulen)
		}
		out := dst[:ulen]
		if err := lzfDecompressInto(out, comp); err != nil {
			return nil, 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return out, EncodingLZF, nil
	}
	return nil, 0, errBadStringEnc(n)
}

// errTooLong is a string longer than MaxStringLen.
type errTooLong uint64

func (e errTooLong) Error() string {
	return fmt.Sprintf("a string of %d bytes, more than fnkit reads (%d)", uint64(e), MaxStringLen)
}

func appendInt(dst []byte, v int64) []byte {
	return strconv.AppendInt(dst, v, 10)
}

// readHeader reads and checks the 9-byte magic and version.
func (r *Reader) readHeader() error {
	if err := r.fill(9); err != nil {
		if err == errShort {
			got := string(r.buf[r.pos:r.end])
			if got == "" {
				return r.fail(0, ErrNotRDB, "RDB signature: the input is empty")
			}
			if strings.HasPrefix(got, "REDIS") || strings.HasPrefix(got, "VALKEY") ||
				strings.HasPrefix("REDIS", got) || strings.HasPrefix("VALKEY", got) {
				return r.fail(r.base+int64(r.end), ErrTruncated, "RDB header (9 bytes)")
			}
			return r.fail(0, ErrNotRDB, "RDB signature: Wrong signature trying to load DB from file (%d bytes)", r.end)
		}
		return r.fail(r.Offset(), err, "RDB header")
	}
	h := r.buf[r.pos : r.pos+9]
	var digits []byte
	switch {
	case string(h[:5]) == "REDIS":
		r.magic, digits = "REDIS", h[5:9]
	case string(h[:6]) == "VALKEY":
		r.magic, digits = "VALKEY", h[6:9]
	default:
		return r.fail(0, ErrNotRDB, "RDB signature: Wrong signature trying to load DB from file (starts %q)", h[:6])
	}
	v := 0 // atoi, as Redis parses it
	for _, c := range digits {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
	}
	r.version = v
	ok := r.magic == "REDIS" && v >= 1 && v <= 12 || r.magic == "VALKEY" && (v == 80 || v == 81)
	if !ok {
		return r.fail(0, ErrUnsupportedVersion, "RDB header %q: Can't handle RDB format version %d", h, v)
	}
	r.pos += 9
	r.header = true
	return nil
}

// PeekType returns the type byte of the next record and its offset without
// reading the record (reading the header first if needed). After the EOF
// record it returns io.EOF.
func (r *Reader) PeekType() (t byte, off int64, err error) {
	if _, _, err := r.Header(); err != nil {
		return 0, 0, err
	}
	if r.done {
		return 0, 0, io.EOF
	}
	off = r.Offset()
	if r.pos >= r.end {
		if err := r.fill(1); err != nil {
			return 0, off, r.ioFail(err, off, "record type byte (the file ends without the EOF opcode 255)")
		}
	}
	return r.buf[r.pos], off, nil
}

// Next returns the next record. After the EOF record it returns io.EOF.
// The checksum is verified when the EOF record is read: a mismatch is an
// error wrapping ErrChecksum, and then no record is returned. The returned
// Record is reused by the next call.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.header {
		if err := r.readHeader(); err != nil {
			return nil, err
		}
	}
	if r.done {
		return nil, io.EOF
	}
	off := r.Offset()
	if r.pos >= r.end {
		if err := r.fill(1); err != nil {
			return nil, r.ioFail(err, off, "record type byte (the file ends without the EOF opcode 255)")
		}
	}
	t := r.buf[r.pos]
	if r.hook != nil {
		if err := r.hook(off, t); err != nil {
			return nil, r.fail(off, err, "rewriting the function section before the record of type %d", t)
		}
		// The hook may have flushed; the byte is still at pos.
	}
	r.pos++
	rec := &r.rec
	*rec = Record{Type: t, Offset: off}
	if err := r.record(rec, t, off); err != nil {
		return nil, err
	}
	if r.sinkErr != nil {
		return nil, r.fail(r.Offset(), r.sinkErr, "writing the output")
	}
	rec.End = r.Offset()
	return rec, nil
}

// ioFail turns a buffer-primitive error into a sticky *Error.
func (r *Reader) ioFail(err error, recOff int64, what string, args ...any) error {
	if r.err != nil {
		return r.err
	}
	what = fmt.Sprintf(what, args...)
	switch e := err.(type) {
	case errTooLong:
		return r.fail(r.Offset(), ErrCorrupt, "%s: %v", what, e)
	case errBadLen:
		return r.fail(r.Offset(), ErrCorrupt, "%s: %v", what, e)
	case errBadStringEnc:
		return r.fail(r.Offset(), ErrCorrupt, "%s: %v", what, e)
	}
	if err == errShort {
		return r.fail(r.base+int64(r.end), ErrTruncated, "%s (record at offset %d)", what, recOff)
	}
	if errors.Is(err, ErrCorrupt) {
		r.err = &Error{File: r.opts.File, Offset: r.Offset(), What: what, Err: err}
		return r.err
	}
	return r.fail(r.Offset(), err, "%s: reading the input", what)
}

func (r *Reader) record(rec *Record, t byte, off int64) error {
	switch t {
	case OpAux:
		rec.Kind = KindAux
		k, _, err := r.readString(r.strBuf[:0])
		if err != nil {
			return r.ioFail(err, off, "AUX field name")
		}
		rec.AuxKey = string(k)
		v, enc, err := r.readString(r.strBuf[:0])
		if err != nil {
			return r.ioFail(err, off, "AUX field %q value", rec.AuxKey)
		}
		rec.AuxValue, rec.AuxEncoding = string(v), enc
	case OpSelectDB:
		rec.Kind = KindSelectDB
		db, err := r.readLen()
		if err != nil {
			return r.ioFail(err, off, "SELECTDB database number")
		}
		r.db, rec.DB = db, db
	case OpResizeDB:
		rec.Kind = KindResizeDB
		var err error
		if rec.DBSize, err = r.readLen(); err == nil {
			rec.ExpiresSize, err = r.readLen()
		}
		if err != nil {
			return r.ioFail(err, off, "RESIZEDB sizes")
		}
	case OpExpireMs:
		rec.Kind = KindExpireTimeMs
		if err := r.fill(8); err != nil {
			return r.ioFail(err, off, "EXPIRETIME_MS (8 bytes)")
		}
		rec.ExpireAt = int64(binary.LittleEndian.Uint64(r.buf[r.pos:]))
		rec.HasExpire = true
		r.pos += 8
		r.expire, r.hasExpire = rec.ExpireAt, true
	case OpExpire:
		rec.Kind = KindExpireTime
		if err := r.fill(4); err != nil {
			return r.ioFail(err, off, "EXPIRETIME (4 bytes)")
		}
		rec.ExpireAt = int64(int32(binary.LittleEndian.Uint32(r.buf[r.pos:]))) * 1000
		rec.HasExpire = true
		r.pos += 4
		r.expire, r.hasExpire = rec.ExpireAt, true
	case OpIdle:
		rec.Kind = KindIdle
		v, err := r.readLen()
		if err != nil {
			return r.ioFail(err, off, "IDLE time")
		}
		rec.Idle = v
	case OpFreq:
		rec.Kind = KindFreq
		b, err := r.byte1()
		if err != nil {
			return r.ioFail(err, off, "FREQ counter")
		}
		rec.Freq = b
	case OpModuleAux:
		rec.Kind = KindModuleAux
		id, err := r.readLen()
		if err != nil {
			return r.ioFail(err, off, "MODULE_AUX module id")
		}
		rec.ModuleID = id
		whenOp, err := r.readLen()
		if err != nil {
			return r.ioFail(err, off, "MODULE_AUX when opcode")
		}
		if whenOp != moduleOpUint {
			return r.fail(off, ErrCorrupt, "MODULE_AUX of module %s: bad when_opcode %d", ModuleName(id), whenOp)
		}
		if rec.ModuleWhen, err = r.readLen(); err != nil {
			return r.ioFail(err, off, "MODULE_AUX when")
		}
		if err := r.skipModuleOps(); err != nil {
			return r.ioFail(err, off, "MODULE_AUX data of module %s", ModuleName(id))
		}
	case OpFunction2:
		rec.Kind = KindFunction
		return r.readFunction(rec, off)
	case OpFunctionPre:
		return r.fail(off, ErrPreGAFunction, "function record (opcode 246) in RDB version %d", r.version)
	case OpSlotInfo:
		rec.Kind = KindSlotInfo
		var err error
		if rec.Slot, err = r.readLen(); err == nil {
			if rec.SlotKeys, err = r.readLen(); err == nil {
				rec.SlotExpires, err = r.readLen()
			}
		}
		if err != nil {
			return r.ioFail(err, off, "SLOT_INFO")
		}
	case OpEOF:
		rec.Kind = KindEOF
		return r.readEOF(rec, off)
	case 242, OpSlotImport:
		if r.magic == "VALKEY" {
			return r.fail(off, ErrUnsupportedVersion, "Valkey RDB version %d opcode %d: this record's layout is not supported", r.version, t)
		}
		return r.fail(off, ErrCorrupt, "Unknown RDB encoding type %d", t)
	default:
		rec.Kind = KindKey
		return r.readKey(rec, t, off)
	}
	return nil
}

const (
	moduleOpEOF    = 0
	moduleOpSint   = 1
	moduleOpUint   = 2
	moduleOpFloat  = 3
	moduleOpDouble = 4
	moduleOpString = 5
)

// skipModuleOps skips a module opcode stream up to its EOF opcode.
func (r *Reader) skipModuleOps() error {
	for {
		op, err := r.readLen()
		if err != nil {
			return err
		}
		switch op {
		case moduleOpEOF:
			return nil
		case moduleOpSint, moduleOpUint:
			_, err = r.readLen()
		case moduleOpFloat:
			err = r.skip(4)
		case moduleOpDouble:
			err = r.skip(8)
		case moduleOpString:
			_, err = r.skipString()
		default:
			return fmt.Errorf("%w: unknown module opcode %d", ErrCorrupt, op)
		}
		if err != nil {
			return err
		}
	}
}

func (r *Reader) readFunction(rec *Record, off int64) error {
	const what = "FUNCTION2 library code: Failed loading library payload"
	raw := make([]byte, 1, 20)
	raw[0] = OpFunction2
	// withPayload returns raw with room for n more bytes (one allocation
	// of the record's exact size).
	withPayload := func(n int) []byte {
		full := make([]byte, len(raw), len(raw)+n)
		copy(full, raw)
		return full
	}
	// lenBytes reads a length and appends its bytes to raw: they are
	// still in the buffer right after the read.
	lenBytes := func(enc bool) (uint64, bool, error) {
		p0 := r.Offset()
		var n uint64
		var special bool
		var err error
		if enc {
			n, special, err = r.readLenEnc()
		} else {
			n, err = r.readLen()
		}
		if err == nil {
			size := int(r.Offset() - p0)
			raw = append(raw, r.buf[r.pos-size:r.pos]...)
		}
		return n, special, err
	}
	n, special, err := lenBytes(true)
	if err != nil {
		return r.ioFail(err, off, what)
	}
	var code []byte
	var codeStr string
	enc := EncodingRaw
	switch {
	case !special:
		if n > MaxStringLen {
			return r.fail(off, ErrCorrupt, "%s: %v", what, errTooLong(n))
		}
		p, err := r.bytesN(n)
		if err != nil {
			return r.ioFail(err, off, what)
		}
		raw = append(withPayload(len(p)), p...)
		code = raw[len(raw)-len(p):]
		// The library's code shares Raw's bytes (Raw is read-only).
		codeStr = unsafe.String(unsafe.SliceData(code), len(code))
	case n == EncLZF:
		enc = EncodingLZF
		clen, _, err := lenBytes(false)
		if err != nil {
			return r.ioFail(err, off, what)
		}
		ulen, _, err := lenBytes(false)
		if err != nil {
			return r.ioFail(err, off, what)
		}
		if !lzfLengthsOK(clen, ulen) {
			return r.fail(off, ErrCorrupt, "%s: %v: %d bytes cannot expand to %d", what, errLZF, clen, ulen)
		}
		if ulen > MaxStringLen {
			return r.fail(off, ErrCorrupt, "%s: %v", what, errTooLong(ulen))
		}
		p, err := r.bytesN(clen)
		if err != nil {
			return r.ioFail(err, off, what)
		}
		raw = append(withPayload(len(p)), p...)
		code = make([]byte, ulen)
		if err := lzfDecompressInto(code, p); err != nil {
			return r.fail(off, ErrCorrupt, "%s: %v", what, err)
		}
		codeStr = unsafe.String(unsafe.SliceData(code), len(code)) // code is not used elsewhere
	case n <= EncInt32:
		enc = StringEncoding(n + 1) // EncodingInt8, 16, 32
		size := 1 << n
		if err := r.fill(size); err != nil {
			return r.ioFail(err, off, what)
		}
		p := r.buf[r.pos : r.pos+size]
		r.pos += size
		raw = append(raw, p...)
		s, _, _, _ := ParseString(raw[1:])
		code = s
	default:
		return r.fail(r.Offset()-1, ErrCorrupt, "%s: %v", what, errBadStringEnc(n))
	}
	rec.Raw = raw
	rec.CodeEncoding = enc
	if codeStr == "" && len(code) > 0 {
		codeStr = string(code)
	}
	lib, lerr := library.New(codeStr, library.Origin{Path: r.opts.File, Format: "rdb", Offset: off})
	if lerr != nil {
		return r.fail(off, fmt.Errorf("%w: Failed loading library, %w", ErrCorrupt, lerr), "FUNCTION2 library")
	}
	if r.libs == nil {
		r.libs = map[string]int64{}
	}
	if prev, dup := r.libs[lib.Name]; dup {
		return r.fail(off, ErrCorrupt, "FUNCTION2 library: Failed loading library, Library '%s' already exists (first at offset %d)", lib.Name, prev)
	}
	r.libs[lib.Name] = off
	rec.Library = lib
	return nil
}
