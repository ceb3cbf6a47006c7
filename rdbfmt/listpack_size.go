package rdbfmt

// ListpackEntrySize returns how many bytes Redis's lpAppend uses for e in
// a listpack (encoding byte(s), data and backlen), as AppendListpack lays
// it out: canonical integers in the smallest integer encoding, other
// strings in the shortest string encoding. Callers that emulate how Redis
// splits a list into quicklist nodes add these up.
func ListpackEntrySize(e []byte) int {
	n := 0
	if v, ok := canonicalInt(e); ok {
		switch {
		case v >= 0 && v <= 127:
			n = 1
		case v >= -4096 && v <= 4095:
			n = 2
		case v >= -32768 && v <= 32767:
			n = 3
		case v >= -8388608 && v <= 8388607:
			n = 4
		case v >= -2147483648 && v <= 2147483647:
			n = 5
		default:
			n = 9
		}
	} else {
		switch l := len(e); {
		case l < 64:
			n = 1 + l
		case l < 4096:
			n = 2 + l
		default:
			n = 5 + l
		}
	}
	switch u := n; {
	case u <= 127:
		return n + 1
	case u < 16383:
		return n + 2
	case u < 2097151:
		return n + 3
	case u < 268435455:
		return n + 4
	}
	return n + 5
}
