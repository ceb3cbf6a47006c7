package rdbfmt

import (
	"encoding/binary"
	"fmt"
)

// readEOF handles the EOF opcode: the CRC-64 trailer (version >= 5) and
// what follows it.
func (r *Reader) readEOF(rec *Record, off int64) error {
	r.done = true
	r.flush() // the CRC covers everything through the 0xFF
	c := &r.checksum
	c.Present = r.version >= 5
	c.Verified = r.hashing
	if r.hashing {
		c.Computed = r.crc
	}
	if c.Present {
		if err := r.fill(8); err != nil {
			return r.ioFail(err, off, "CRC-64 trailer (8 bytes after the EOF opcode)")
		}
		c.Stored = binary.LittleEndian.Uint64(r.buf[r.pos:])
		r.pos += 8
		r.flushed = r.pos // the trailer is neither hashed nor copied
		c.Disabled = c.Stored == 0
		c.Valid = r.hashing && !c.Disabled && c.Stored == c.Computed
		if r.hashing && !c.Disabled && !c.Valid {
			return r.fail(off+1, ErrChecksum, "CRC-64 trailer: Wrong RDB checksum expected: (%x) but got (%x)", c.Computed, c.Stored)
		}
	}
	if !r.opts.AllowTrailing {
		trailerEnd := r.Offset()
		if err := r.fill(1); err == nil {
			return r.fail(trailerEnd, ErrCorrupt, "end of the RDB: unexpected data after the %s", map[bool]string{true: "checksum", false: "EOF opcode"}[c.Present])
		} else if err != errShort {
			return r.ioFail(err, off, "end of the RDB")
		}
	}
	return nil
}

// readKey reads a key record: the key, then the value skipped.
func (r *Reader) readKey(rec *Record, t byte, off int64) error {
	rec.DB = r.db
	rec.ExpireAt, rec.HasExpire = r.expire, r.hasExpire
	r.expire, r.hasExpire = 0, false
	if err := r.readKeyName(rec, off); err != nil {
		return err
	}
	rec.ValueOffset = r.Offset()
	if r.opts.Values {
		if cap(r.capBuf) > 4*readMax {
			r.capBuf = nil // do not keep the memory of a large value
		}
		r.capOn, r.capFrom, r.capBuf = true, r.pos, r.capBuf[:0]
	}
	err := r.skipValue(rec, t)
	if r.opts.Values {
		r.capOn = false
		if len(r.capBuf) == 0 {
			// all of it still in the buffer: no copy
			rec.Value = r.buf[r.capFrom:r.pos:r.pos]
		} else {
			r.capBuf = append(r.capBuf, r.buf[r.capFrom:r.pos]...)
			rec.Value = r.capBuf
		}
	}
	if err != nil {
		rec.Value = nil
		if r.err != nil {
			return r.err
		}
		return r.ioFail(err, off, "value of key %q (type %d, %s/%s)", keyForError(rec), t, TypeName(t), EncodingName(t))
	}
	return nil
}

func keyForError(rec *Record) string {
	if rec.Key == nil {
		return fmt.Sprintf("(%d bytes)", rec.KeyLen)
	}
	if len(rec.Key) > 64 {
		return string(rec.Key[:64]) + "..."
	}
	return string(rec.Key)
}

// readKeyName reads a key into rec.Key, the reader's scratch space (not
// the buffer, which skipping the value may refill). Keys longer than
// MaxKeyLen are skipped.
func (r *Reader) readKeyName(rec *Record, off int64) error {
	// Fast path: a raw key with a 1- or 2-byte length, all buffered.
	if r.end-r.pos >= 2 {
		b := r.buf[r.pos]
		var n, hs int
		switch b >> 6 {
		case len6bit:
			n, hs = int(b&0x3f), 1
		case len14bit:
			n, hs = int(b&0x3f)<<8|int(r.buf[r.pos+1]), 2
		}
		if hs > 0 && r.end-r.pos >= hs+n {
			// Copied: skipping the value may refill the buffer.
			r.keyBuf = append(r.keyBuf[:0], r.buf[r.pos+hs:r.pos+hs+n]...)
			rec.Key = r.keyBuf
			rec.KeyLen = int64(n)
			r.pos += hs + n
			return nil
		}
	}
	// Peek at the length(s) to learn the decoded size before reading.
	if err := r.ensure(19); err != nil {
		return r.ioFail(err, off, "key (type %d)", rec.Type)
	}
	b := r.buf[r.pos:r.end]
	n, special, hs, err := ParseLength(b)
	if err != nil {
		return r.keyHeaderFail(err, off, rec)
	}
	skip, size := n, n // stored payload after the header, decoded size
	if special {
		switch {
		case n == EncLZF:
			clen, sp1, s1, err := ParseLength(b[hs:])
			if err != nil {
				return r.keyHeaderFail(err, off, rec)
			}
			ulen, sp2, s2, err := ParseLength(b[hs+s1:])
			if err != nil {
				return r.keyHeaderFail(err, off, rec)
			}
			if sp1 || sp2 {
				return r.fail(r.Offset(), ErrCorrupt, "key (type %d): bad LZF length", rec.Type)
			}
			if !lzfLengthsOK(clen, ulen) {
				return r.fail(r.Offset(), ErrCorrupt, "key (type %d): %v: %d bytes cannot expand to %d", rec.Type, errLZF, clen, ulen)
			}
			hs += s1 + s2
			skip, size = clen, ulen
		case n <= EncInt32:
			skip, size = 0, 0
		default:
			return r.fail(r.Offset(), ErrCorrupt, "key (type %d): %v", rec.Type, errBadStringEnc(n))
		}
	}
	if size > MaxKeyLen {
		rec.KeyLen = int64(size)
		r.pos += hs
		if err := r.skip(skip); err != nil {
			return r.ioFail(err, off, "key (type %d, %d bytes)", rec.Type, size)
		}
		return nil
	}
	k, enc, err := r.readString(r.keyBuf[:0])
	if err != nil {
		return r.ioFail(err, off, "key (type %d)", rec.Type)
	}
	if enc != EncodingRaw {
		r.keyBuf = k[:0] // decoded into keyBuf (or a larger one to keep)
	} else {
		r.keyBuf = append(r.keyBuf[:0], k...) // copied: the buffer may be refilled
		k = r.keyBuf
	}
	rec.Key = k
	rec.KeyLen = int64(len(k))
	return nil
}

// skipValue skips a value of type t.
func (r *Reader) skipValue(rec *Record, t byte) error {
	switch t {
	case TypeString, TypeHashZipmap, TypeListZiplist, TypeSetIntset, TypeZSetZiplist,
		TypeHashZiplist, TypeHashListpack, TypeZSetListpack, TypeSetListpack:
		_, err := r.skipString()
		return err
	case TypeList, TypeSet, TypeListQuicklist:
		return r.skipStrings(1)
	case TypeHash:
		return r.skipStrings(2)
	case TypeZSet:
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for ; n > 0; n-- {
			if _, err := r.skipString(); err != nil {
				return err
			}
			// A string-encoded double: 1 length byte, 253-255 special.
			l, err := r.byte1()
			if err != nil {
				return err
			}
			if l < 253 {
				if err := r.skip(uint64(l)); err != nil {
					return err
				}
			}
		}
		return nil
	case TypeZSet2:
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for ; n > 0; n-- {
			if _, err := r.skipString(); err != nil {
				return err
			}
			if err := r.skip(8); err != nil {
				return err
			}
		}
		return nil
	case TypeModulePreGA:
		return r.fail(rec.Offset, ErrCorrupt, "key %q (type 6): Pre-release module format not supported", keyForError(rec))
	case TypeModule2:
		id, err := r.readLen()
		if err != nil {
			return err
		}
		rec.ModuleID = id
		return r.skipModuleOps()
	case TypeListQuicklist2:
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for ; n > 0; n-- {
			c, err := r.readLen()
			if err != nil {
				return err
			}
			if c != 1 && c != 2 { // PLAIN, PACKED
				return r.fail(r.Offset(), ErrCorrupt, "key %q (type 18) quicklist node container %d: Quicklist integrity check failed.", keyForError(rec), c)
			}
			if _, err := r.skipString(); err != nil {
				return err
			}
		}
		return nil
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		return r.skipStream(rec, t)
	}
	if r.magic == "VALKEY" {
		if t == 22 || t == 23 {
			return r.fail(rec.Offset, ErrUnsupportedVersion, "key %q: Valkey RDB version %d value type %d (hash with field expiration): this layout is not supported", keyForError(rec), r.version, t)
		}
		return r.fail(rec.Offset, ErrCorrupt, "key %q: Unknown RDB encoding type %d", keyForError(rec), t)
	}
	switch t {
	case TypeHashMetadataPre, TypeHashMetadata:
		if t == TypeHashMetadata {
			if err := r.skip(8); err != nil { // minExpire
				return err
			}
		}
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for ; n > 0; n-- {
			if _, err := r.readLen(); err != nil { // ttl
				return err
			}
			if _, err := r.skipString(); err != nil {
				return err
			}
			if _, err := r.skipString(); err != nil {
				return err
			}
		}
		return nil
	case TypeHashListpackExPre:
		_, err := r.skipString()
		return err
	case TypeHashListpackEx:
		if err := r.skip(8); err != nil { // minExpire
			return err
		}
		_, err := r.skipString()
		return err
	}
	return r.fail(rec.Offset, ErrCorrupt, "key %q: Unknown RDB encoding type %d", keyForError(rec), t)
}

// skipStrings skips a length n then n*per strings: the hot loop of list,
// set and hash values.
func (r *Reader) skipStrings(per uint64) error {
	n, err := r.readLen()
	if err != nil {
		return err
	}
	for ; n > 0; n-- {
		for i := per; i > 0; i-- {
			// Inline fast path of skipString for short raw strings.
			if r.end-r.pos >= 2 {
				b := r.buf[r.pos]
				if b>>6 == len6bit {
					if l := int(b & 0x3f); r.end-r.pos > l {
						r.pos += 1 + l
						continue
					}
				}
			}
			if _, err := r.skipString(); err != nil {
				return err
			}
		}
	}
	return nil
}

// skipStream skips a stream value (types 15, 19, 21).
func (r *Reader) skipStream(rec *Record, t byte) error {
	nodes, err := r.readLen()
	if err != nil {
		return err
	}
	for ; nodes > 0; nodes-- {
		at := r.Offset()
		n, err := r.skipString()
		if err != nil {
			return err
		}
		if n != 16 {
			return r.fail(at, ErrCorrupt, "key %q: Stream node key entry is not the size of a stream ID", keyForError(rec))
		}
		if _, err := r.skipString(); err != nil { // listpack
			return err
		}
	}
	lens := 3 // length, last id ms, seq
	if t >= TypeStreamListpacks2 {
		lens += 5 // first id, max deleted id, entries added
	}
	for ; lens > 0; lens-- {
		if _, err := r.readLen(); err != nil {
			return err
		}
	}
	groups, err := r.readLen()
	if err != nil {
		return err
	}
	for ; groups > 0; groups-- {
		if _, err := r.skipString(); err != nil { // name
			return err
		}
		lens := 2 // last id
		if t >= TypeStreamListpacks2 {
			lens++ // entries read
		}
		for ; lens > 0; lens-- {
			if _, err := r.readLen(); err != nil {
				return err
			}
		}
		pel, err := r.readLen()
		if err != nil {
			return err
		}
		for ; pel > 0; pel-- {
			if err := r.skip(16 + 8); err != nil { // id, delivery time
				return err
			}
			if _, err := r.readLen(); err != nil { // delivery count
				return err
			}
		}
		consumers, err := r.readLen()
		if err != nil {
			return err
		}
		for ; consumers > 0; consumers-- {
			if _, err := r.skipString(); err != nil { // name
				return err
			}
			times := uint64(8) // seen time
			if t >= TypeStreamListpacks3 {
				times += 8 // active time
			}
			if err := r.skip(times); err != nil {
				return err
			}
			q, err := r.readLen()
			if err != nil {
				return err
			}
			if q > 1<<58 {
				return errShort // more than any input can hold
			}
			if err := r.skip(q * 16); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensure tries to make n bytes available at pos; unlike fill, an input
// that ends first is not an error.
func (r *Reader) ensure(n int) error {
	if err := r.fill(n); err != nil && err != errShort {
		return err
	}
	return nil
}

func (r *Reader) keyHeaderFail(err error, off int64, rec *Record) error {
	if err == ErrTruncated {
		err = errShort
	}
	return r.ioFail(err, off, "key (type %d)", rec.Type)
}
