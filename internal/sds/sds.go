// Package sds holds the string helpers of Redis's sds library that
// fnkit needs to read and write what Redis reads and writes: the tokenizer
// of redis.conf, of a library's shebang line, of the AOF manifest and of
// inline commands (sdssplitargs), and the quoting that redis-cli and the
// manifest writer use (sdscatrepr) with its strict inverse.
package sds

// SplitArgs splits line into arguments exactly as Redis's sdssplitargs does
// (the tokenizer of redis.conf, of the shebang line, of the AOF manifest
// and of inline commands): blanks separate tokens, "double quotes" understand \xHH, \n, \r, \t, \b, \a
// and backslash-escaped characters, 'single quotes' understand only \', and a
// closing quote must be followed by a blank or the end of the line. ok is
// false where Redis returns NULL (unbalanced or badly closed quotes). Like the
// C code, it stops at a NUL byte.
func SplitArgs(line string) (args []string, ok bool) {
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	p := 0
	args = []string{}
	for {
		for at(p) != 0 && isCSpace(at(p)) {
			p++
		}
		if at(p) == 0 {
			return args, true
		}
		var cur []byte
		var quote byte // '"' or '\'' inside quotes
		done := false
		for !done {
			c := at(p)
			switch {
			case quote != 0 && c == 0:
				return nil, false // unterminated quotes
			case quote != 0 && c == quote:
				// The closing quote must be followed by a space or
				// nothing at all.
				if at(p+1) != 0 && !isCSpace(at(p+1)) {
					return nil, false
				}
				done = true
			case quote == '"' && c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
				cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
				p += 3
			case quote == '"' && c == '\\' && at(p+1) != 0:
				p++
				switch e := at(p); e {
				case 'n':
					cur = append(cur, '\n')
				case 'r':
					cur = append(cur, '\r')
				case 't':
					cur = append(cur, '\t')
				case 'b':
					cur = append(cur, '\b')
				case 'a':
					cur = append(cur, '\a')
				default:
					cur = append(cur, e)
				}
			case quote == '\'' && c == '\\' && at(p+1) == '\'':
				p++
				cur = append(cur, '\'')
			case quote != 0:
				cur = append(cur, c)
			case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0:
				done = true
			case c == '"' || c == '\'':
				quote = c
			default:
				cur = append(cur, c)
			}
			if at(p) != 0 {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// NeedsRepr reports whether Redis quotes s with AppendRepr when it writes it
// as one token (sdsneedsrepr): s holds a backslash, a double quote, a blank
// or a byte that is not printable ASCII.
func NeedsRepr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '"' || !isPrint(c) || isCSpace(c) {
			return true
		}
	}
	return false
}

// AppendRepr appends s in double quotes with C escapes, as Redis's
// sdscatrepr writes it (and redis-cli prints a bulk string): \\ \" \n \r \t
// \a \b escaped, other printable ASCII as is, every other byte as \xhh.
// SplitArgs reads it back. s is a string or a byte slice (a payload is
// quoted without a copy).
func AppendRepr[S ~string | ~[]byte](buf []byte, s S) []byte {
	const hexdig = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\a':
			buf = append(buf, '\\', 'a')
		case '\b':
			buf = append(buf, '\\', 'b')
		default:
			if isPrint(c) {
				buf = append(buf, c)
			} else {
				buf = append(buf, '\\', 'x', hexdig[c>>4], hexdig[c&15])
			}
		}
	}
	return append(buf, '"')
}

func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

// ParseRepr undoes AppendRepr strictly: the surrounding quotes are optional
// (both or neither); every byte between them must be printable ASCII other
// than '"', or one of sdscatrepr's escapes (\\ \" \n \r \t \a \b \xhh).
// ok is false for anything else, so that text that is not redis-cli's
// quoted output is not mistaken for it.
func ParseRepr(s []byte) (out []byte, ok bool) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	} else if len(s) > 0 && (s[0] == '"' || s[len(s)-1] == '"') {
		return nil, false
	}
	out = make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isPrint(c) || c == '"' {
			return nil, false
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, false
		}
		i++
		switch s[i] {
		case '\\', '"':
			out = append(out, s[i])
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 'x':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return nil, false
			}
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			return nil, false
		}
	}
	return out, true
}
