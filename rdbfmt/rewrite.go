package rdbfmt

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/fnkit/fnkit/library"
)

// RewriteOptions configure Rewrite.
type RewriteOptions struct {
	// File names the input in errors and library origins.
	File string
	// NoCompress stores new or changed library code uncompressed. By
	// default it is LZF-compressed when that saves space, as Redis does
	// with rdbcompression yes (its default).
	NoCompress bool
	// Summary computes the input's keyspace summary while copying (the
	// output's keyspace is the same). Largest is the number of largest
	// values it lists (default 10).
	Summary bool
	Largest int
}

// RewriteResult says what Rewrite did.
type RewriteResult struct {
	// Before holds the input's libraries, After those written.
	Before, After *library.Set
	// Checksum is the input's checksum state (verified while copying).
	Checksum Checksum
	// OutputChecksum is the trailer written (0 when the input's was
	// disabled or absent).
	OutputChecksum uint64
	// BytesIn and BytesOut count the bytes read and written.
	BytesIn, BytesOut int64
	// Summary is the keyspace summary, with RewriteOptions.Summary.
	Summary *Summary
}

// Rewrite copies the RDB in to out with its function section replaced by
// what edit returns for the input's libraries, and every other record
// copied byte for byte. It streams with bounded memory and verifies the
// input as it goes (structure, checksum, no trailing data); on error, out
// holds a partial file and must be discarded.
//
// The new FUNCTION2 records go where the input's first one was, or, when
// the input has none, where Redis writes them: after the AUX fields and the
// "before" MODULE_AUX records, before the first SELECTDB (or EOF).
// Libraries keep the input's order; new ones follow in name order. A
// library whose code is unchanged keeps its original record bytes, so an
// identity edit reproduces the input byte for byte. The trailer is
// recomputed, or stays zero when the input was saved with checksums off.
func Rewrite(in io.Reader, out io.Writer, edit func(*library.Set) (*library.Set, error), opts RewriteOptions) (*RewriteResult, error) {
	cw := &crcWriter{w: out}
	bw := bufio.NewWriterSize(cw, 256<<10)
	rd := NewReader(in, ReaderOptions{File: opts.File})
	rd.sink, rd.sinkOn = bw, true

	res := &RewriteResult{Before: &library.Set{}}
	if opts.Summary {
		res.Summary = NewSummary(opts.Largest)
	}
	var order []string         // input library names in file order
	raw := map[string][]byte{} // original record bytes by name
	inserted := false
	inFuncs := false

	insert := func() error {
		after, err := edit(res.Before.Clone())
		if err != nil {
			return fmt.Errorf("editing the libraries: %w", err)
		}
		if after == nil {
			after = &library.Set{}
		}
		for _, l := range after.Libraries() {
			if err := checkLibrary(l); err != nil {
				return err
			}
		}
		res.After = after
		var buf []byte
		write := func(l *library.Library) error {
			if r, ok := raw[l.Name]; ok {
				if old, _ := res.Before.Get(l.Name); old.Code == l.Code {
					_, err := bw.Write(r)
					return err
				}
			}
			buf = AppendFunction(buf[:0], l.Code, !opts.NoCompress)
			_, err := bw.Write(buf)
			return err
		}
		done := map[string]bool{}
		for _, name := range order {
			if l, ok := after.Get(name); ok {
				if err := write(l); err != nil {
					return err
				}
				done[name] = true
			}
		}
		for _, l := range after.Libraries() {
			if !done[l.Name] {
				if err := write(l); err != nil {
					return err
				}
			}
		}
		return nil
	}

	rd.hook = func(off int64, t byte) error {
		if inserted {
			if t == OpFunction2 {
				return fmt.Errorf("%w: a FUNCTION2 record after the keyspace section; Rewrite cannot place the edited libraries", ErrCorrupt)
			}
			return nil
		}
		keep := t == OpAux || t == OpModuleAux && rd.moduleAuxBefore()
		switch {
		case t == OpFunction2:
			if !inFuncs {
				rd.flush()
				rd.sinkOn = false
				inFuncs = true
			}
		case keep:
			if inFuncs {
				rd.flush()
				rd.sinkOn = true
				inFuncs = false
			}
		default:
			rd.flush()
			rd.sinkOn = true
			inFuncs = false
			inserted = true
			if err := insert(); err != nil {
				return err
			}
		}
		return nil
	}

	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if res.Summary != nil {
			res.Summary.Add(rec)
		}
		if rec.Kind == KindFunction {
			l := rec.Library
			order = append(order, l.Name)
			raw[l.Name] = rec.Raw // not reused by the Reader
			res.Before.Put(l)
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if res.Summary != nil {
		res.Summary.Finish()
	}
	res.Checksum = rd.Checksum()
	if res.Checksum.Present {
		if !res.Checksum.Disabled {
			res.OutputChecksum = cw.crc
		}
		var t [8]byte
		binary.LittleEndian.PutUint64(t[:], res.OutputChecksum)
		if _, err := out.Write(t[:]); err != nil {
			return nil, err
		}
		cw.n += 8
	}
	res.BytesIn = rd.Offset()
	res.BytesOut = cw.n
	return res, nil
}

// moduleAuxBefore reports whether the MODULE_AUX record at pos has when =
// 1 (written before the keyspace).
func (r *Reader) moduleAuxBefore() bool {
	if err := r.ensure(28); err != nil {
		return false
	}
	b := r.buf[r.pos+1 : r.end]
	for i := 0; i < 3; i++ {
		n, _, size, err := ParseLength(b)
		if err != nil {
			return false
		}
		if i == 2 {
			return n == 1
		}
		b = b[size:]
	}
	return false
}
