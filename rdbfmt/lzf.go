package rdbfmt

import (
	"errors"
)

// errLZF is returned for LZF data that does not decompress to its declared
// size.
var errLZF = errors.New("Invalid LZF compressed string")

// LZFDecompress decompresses src (liblzf format, no header) into a new
// buffer of exactly ulen bytes. It fails, without panicking, on any input
// that does not decompress to exactly ulen bytes.
func LZFDecompress(src []byte, ulen int) ([]byte, error) {
	if ulen < 0 {
		return nil, errLZF
	}
	out := make([]byte, ulen)
	if err := lzfDecompressInto(out, src); err != nil {
		return nil, err
	}
	return out, nil
}

// lzfDecompressInto decompresses src into out, which must come out exactly
// full.
func lzfDecompressInto(out, src []byte) error {
	ulen := len(out)
	op := 0
	ip := 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 { // literal run of ctrl+1 bytes
			n := ctrl + 1
			if ip+n > len(src) || op+n > ulen {
				return errLZF
			}
			copy(out[op:], src[ip:ip+n])
			op += n
			ip += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(src) {
				return errLZF
			}
			n += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return errLZF
		}
		ref := op - ((ctrl&0x1f)<<8 | int(src[ip])) - 1
		ip++
		n += 2
		if ref < 0 || op+n > ulen {
			return errLZF
		}
		if n > 16 && op-ref >= n { // long and no overlap
			copy(out[op:op+n], out[ref:ref+n])
			op += n
			continue
		}
		// Byte by byte: short (faster than a copy call), or overlapping.
		dst := out[op : op+n]
		src := out[ref : ref+n]
		for i := range dst {
			dst[i] = src[i]
		}
		op += n
	}
	if op != ulen {
		return errLZF
	}
	return nil
}

// liblzf parameters as Redis builds it (lzfP.h): HLOG 16, VERY_FAST.
const (
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = (1 << 8) + (1 << 3)
)

func lzfIdx(h uint32) uint32 {
	return ((h >> (3*8 - lzfHLog)) - h*5) & (lzfHSize - 1)
}

// LZFCompress compresses in with the algorithm and parameters of Redis's
// liblzf (lzf_c.c, HLOG 16, VERY_FAST) into at most outLen bytes. It returns
// nil when the result would not fit, as lzf_compress returns 0.
func LZFCompress(in []byte, outLen int) []byte {
	inLen := len(in)
	if inLen == 0 || outLen <= 0 {
		return nil
	}
	var htab [lzfHSize]uint32 // offsets + 1 into in; 0 = empty (never a valid ref)
	out := make([]byte, outLen)
	ip, op := 0, 0
	lit := 0
	op++ // start run

	hval := uint32(in[0])<<8 | uint32(at(in, 1))
	for ip < inLen-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfIdx(hval)
		ref := int(htab[slot]) - 1
		htab[slot] = uint32(ip) + 1
		var off int
		if ref >= 0 {
			off = ip - ref - 1
		}
		if ref > 0 && off >= 0 && off < lzfMaxOff && in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			length := 2
			maxlen := inLen - ip - length
			if maxlen > lzfMaxRef {
				maxlen = lzfMaxRef
			}
			if op+3+1 >= outLen {
				nolit := 0
				if lit == 0 {
					nolit = 1
				}
				if op-nolit+3+1 >= outLen {
					return nil
				}
			}
			out[op-lit-1] = byte(lit - 1) // stop run
			if lit == 0 {
				op-- // undo run if length is zero
			}
			matched := false
			if maxlen > 16 {
				for i := 0; i < 16; i++ {
					length++
					if in[ref+length] != in[ip+length] {
						matched = true
						break
					}
				}
			}
			if !matched {
				for {
					length++
					if !(length < maxlen && in[ref+length] == in[ip+length]) {
						break
					}
				}
			}
			length -= 2 // now #octets - 1
			ip++
			if length < 7 {
				out[op] = byte(off>>8 + length<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(length - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++ // start run
			ip += length + 1
			if ip >= inLen-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[lzfIdx(hval)] = uint32(ip) + 1
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[lzfIdx(hval)] = uint32(ip) + 1
			ip++
		} else {
			if op >= outLen {
				return nil
			}
			lit++
			out[op] = in[ip]
			op++
			ip++
			if lit == lzfMaxLit {
				out[op-lit-1] = byte(lit - 1)
				lit = 0
				op++
			}
		}
	}
	if op+3 > outLen {
		return nil
	}
	for ip < inLen {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1) // end run
	if lit == 0 {
		op--
	}
	return out[:op]
}

func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
