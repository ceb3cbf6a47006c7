package runtime

import (
	"encoding/binary"

	"github.com/fnkit/fnkit/rdbfmt"
)

// The shallow integrity checks Redis 7.0 makes on the compact encodings
// of a RESTORE payload with sanitize-dump-payload off (its default): each
// intset, listpack and ziplist blob's header must agree with its length
// and end with its terminator (intsets: a known width, a non-empty count
// of members that fills the blob), stream nodes must be keyed by 16-byte
// IDs and hold at least one element. The RDB decoder does not make them.

// compactValueOK reports whether the value of type t (its serialized
// bytes, after the key) passes those checks. Types without compact blobs
// pass.
func compactValueOK(t byte, v []byte) bool {
	blob := func() ([]byte, bool) {
		s, _, n, err := rdbfmt.ParseString(v)
		if err != nil {
			return nil, false
		}
		v = v[n:]
		return s, true
	}
	length := func() (uint64, bool) {
		n, special, size, err := rdbfmt.ParseLength(v)
		if err != nil || special {
			return 0, false
		}
		v = v[size:]
		return n, true
	}
	switch t {
	case rdbfmt.TypeSetIntset:
		b, ok := blob()
		return ok && intsetOK(b)
	case rdbfmt.TypeHashListpack, rdbfmt.TypeZSetListpack:
		b, ok := blob()
		return ok && listpackOK(b)
	case rdbfmt.TypeListZiplist, rdbfmt.TypeZSetZiplist, rdbfmt.TypeHashZiplist:
		b, ok := blob()
		return ok && ziplistOK(b)
	case rdbfmt.TypeListQuicklist, rdbfmt.TypeListQuicklist2:
		n, ok := length()
		if !ok {
			return false
		}
		for i := uint64(0); i < n; i++ {
			packed := true
			if t == rdbfmt.TypeListQuicklist2 {
				c, ok := length()
				if !ok || c != 1 && c != 2 {
					return false
				}
				packed = c == 2
			}
			b, ok := blob()
			switch {
			case !ok:
				return false
			case !packed:
			case t == rdbfmt.TypeListQuicklist2 && !listpackOK(b), t == rdbfmt.TypeListQuicklist && !ziplistOK(b):
				return false
			}
		}
	case rdbfmt.TypeStreamListpacks, rdbfmt.TypeStreamListpacks2:
		n, ok := length()
		if !ok {
			return false
		}
		for i := uint64(0); i < n; i++ {
			key, ok := blob()
			if !ok || len(key) != 16 {
				return false
			}
			b, ok := blob()
			if !ok || !listpackOK(b) || b[6] == 0xFF {
				return false
			}
		}
	}
	return true
}

// listpackOK is lpValidateIntegrity without deep checks.
func listpackOK(b []byte) bool {
	return len(b) >= 7 && binary.LittleEndian.Uint32(b) == uint32(len(b)) && uint64(len(b)) <= 0xFFFFFFFF && b[len(b)-1] == 0xFF
}

// ziplistOK is ziplistValidateIntegrity without deep checks.
func ziplistOK(b []byte) bool {
	return len(b) >= 11 && binary.LittleEndian.Uint32(b) == uint32(len(b)) && b[len(b)-1] == 0xFF &&
		binary.LittleEndian.Uint32(b[4:]) <= uint32(len(b)-1)
}

// intsetOK is intsetValidateIntegrity without deep checks.
func intsetOK(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	w := binary.LittleEndian.Uint32(b)
	if w != 2 && w != 4 && w != 8 {
		return false
	}
	n := binary.LittleEndian.Uint32(b[4:])
	return n > 0 && 8+uint64(n)*uint64(w) == uint64(len(b))
}
