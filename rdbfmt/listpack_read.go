package rdbfmt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
)

// AppendListpackEntries appends the entries of the listpack lp to out,
// integers as their decimal text (what LRANGE returns). It checks the
// layout completely (what Redis's lpValidateIntegrity checks in deep mode): the
// header's total size is len(lp), every entry has a known encoding, fits,
// and is followed by the back-length Redis writes for it, the 0xFF
// terminator is the last byte, and the header's count, unless 65535
// (unknown), is the number of entries. String entries share lp's bytes.
func AppendListpackEntries(out [][]byte, lp []byte) ([][]byte, error) {
	if len(lp) < 7 {
		return out, fmt.Errorf("listpack of %d bytes, expected at least 7 (header and terminator)", len(lp))
	}
	if total := binary.LittleEndian.Uint32(lp); uint64(total) != uint64(len(lp)) {
		return out, fmt.Errorf("listpack header says %d bytes, the string holds %d", total, len(lp))
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	n := 0
	for p := 6; ; n++ {
		if p >= len(lp) {
			return out, fmt.Errorf("listpack entry %d: expected an entry or the terminator at byte %d, found the end", n, p)
		}
		b := lp[p]
		if b == 0xFF {
			if p != len(lp)-1 {
				return out, fmt.Errorf("listpack terminator at byte %d, before the end (%d bytes)", p, len(lp))
			}
			break
		}
		// hdr is the encoding's size, data the string's or integer's size
		hdr, data := 1, 0
		switch {
		case b&0x80 == 0: // 7-bit unsigned integer, in the encoding byte
		case b&0xC0 == 0x80: // string of up to 63 bytes
			data = int(b & 0x3F)
		case b&0xE0 == 0xC0: // 13-bit integer
			hdr = 2
		case b&0xF0 == 0xE0: // string of up to 4095 bytes
			hdr = 2
			if p+1 < len(lp) {
				data = int(b&0x0F)<<8 | int(lp[p+1])
			}
		case b == 0xF0: // string with a 32-bit length
			hdr = 5
			if p+5 <= len(lp) {
				l := binary.LittleEndian.Uint32(lp[p+1:])
				if uint64(l) > uint64(len(lp)) {
					return out, fmt.Errorf("listpack entry %d at byte %d: a string of %d bytes in a listpack of %d", n, p, l, len(lp))
				}
				data = int(l)
			}
		case b >= 0xF1 && b <= 0xF4: // 16, 24, 32, 64-bit integers
			data = [...]int{2, 3, 4, 8}[b-0xF1]
		default:
			return out, fmt.Errorf("listpack entry %d at byte %d: unknown encoding byte 0x%02x", n, p, b)
		}
		size := hdr + data
		var bl [5]byte
		back := appendBacklen(bl[:0], uint64(size))
		if p+size+len(back) > len(lp) {
			return out, fmt.Errorf("listpack entry %d at byte %d: %d bytes and a %d-byte back-length do not fit before the end (%d bytes)", n, p, size, len(back), len(lp))
		}
		if !bytes.Equal(lp[p+size:p+size+len(back)], back) {
			return out, fmt.Errorf("listpack entry %d at byte %d: back-length % x, expected % x (the entry's %d bytes)", n, p, lp[p+size:p+size+len(back)], back, size)
		}
		out = append(out, listpackValue(lp[p:p+size], hdr))
		p += size + len(back)
	}
	if count != 65535 && count != n {
		return out, fmt.Errorf("listpack header counts %d entries, it holds %d", count, n)
	}
	return out, nil
}

// listpackValue returns the value of the entry e (encoding and data,
// already checked to fit): strings as they are, integers as text.
func listpackValue(e []byte, hdr int) []byte {
	b := e[0]
	var v int64
	switch {
	case b&0x80 == 0:
		v = int64(b)
	case b&0xC0 == 0x80, b&0xF0 == 0xE0, b == 0xF0:
		return e[hdr:len(e):len(e)]
	case b&0xE0 == 0xC0:
		v = int64(uint16(b&0x1F)<<8|uint16(e[1])) << 51 >> 51 // sign of bit 12
	case b == 0xF1:
		v = int64(int16(binary.LittleEndian.Uint16(e[1:])))
	case b == 0xF2:
		v = int64(uint32(e[1])|uint32(e[2])<<8|uint32(e[3])<<16) << 40 >> 40 // sign of bit 23
	case b == 0xF3:
		v = int64(int32(binary.LittleEndian.Uint32(e[1:])))
	default: // 0xF4
		v = int64(binary.LittleEndian.Uint64(e[1:]))
	}
	return strconv.AppendInt(nil, v, 10)
}
