package dumpfmt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
)

// Form is how a person saved a payload.
type Form int

// The saved forms Detect recognises.
const (
	// FormRaw is the payload's own bytes (redis-cli --raw -D "" FUNCTION
	// DUMP > f, or fnkit dump).
	FormRaw Form = iota
	// FormRawNewline is the payload's bytes plus the "\n" that redis-cli
	// adds when its output is raw: redis-cli FUNCTION DUMP > f (output not
	// a terminal) and redis-cli --raw FUNCTION DUMP > f.
	FormRawNewline
	// FormQuoted is what redis-cli shows on a terminal or with --no-raw:
	// "\xf5\xc3..." with C-style escapes, with or without the quotes and
	// the trailing newline.
	FormQuoted
	// FormHex is hexadecimal text, upper or lower case, whitespace allowed
	// anywhere (xxd -p).
	FormHex
	// FormBase64 is base64 text, standard or URL alphabet, padded or not,
	// line breaks allowed (base64).
	FormBase64
)

// String returns "raw", "raw+newline", "redis-cli-quoted", "hex" or "base64".
func (f Form) String() string {
	switch f {
	case FormRaw:
		return "raw"
	case FormRawNewline:
		return "raw+newline"
	case FormQuoted:
		return "redis-cli-quoted"
	case FormHex:
		return "hex"
	case FormBase64:
		return "base64"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// ParseForm parses a form name as String returns it; "quoted" is accepted for
// FormQuoted.
func ParseForm(s string) (Form, error) {
	switch strings.ToLower(s) {
	case "raw":
		return FormRaw, nil
	case "raw+newline":
		return FormRawNewline, nil
	case "redis-cli-quoted", "quoted":
		return FormQuoted, nil
	case "hex":
		return FormHex, nil
	case "base64":
		return FormBase64, nil
	}
	return 0, fmt.Errorf("unknown payload form %q: want raw, raw+newline, quoted, hex or base64", s)
}

// Format returns payload saved in form f: raw bytes; raw bytes and "\n";
// redis-cli's quoted form with a trailing newline; lowercase hex on one line;
// or standard padded base64 on one line. Text forms end with a newline.
func Format(payload []byte, f Form) ([]byte, error) {
	switch f {
	case FormRaw:
		return append([]byte(nil), payload...), nil
	case FormRawNewline:
		return append(append([]byte(nil), payload...), '\n'), nil
	case FormQuoted:
		return append(Quote(nil, payload), '\n'), nil
	case FormHex:
		out := make([]byte, hex.EncodedLen(len(payload))+1)
		hex.Encode(out, payload)
		out[len(out)-1] = '\n'
		return out, nil
	case FormBase64:
		out := make([]byte, base64.StdEncoding.EncodedLen(len(payload))+1)
		base64.StdEncoding.Encode(out, payload)
		out[len(out)-1] = '\n'
		return out, nil
	}
	return nil, fmt.Errorf("dumpfmt: unknown form %v", f)
}

// Quote appends s to buf as redis-cli prints a bulk string (its sdscatrepr):
// in double quotes, with \\ \" \n \r \t \a \b escaped, other printable ASCII
// as is and every other byte as \xhh.
func Quote(buf, s []byte) []byte { return sds.AppendRepr(buf, s) }

// Unquote undoes Quote. The surrounding quotes are optional (both or
// neither); every byte between them must be printable ASCII or one of
// redis-cli's escapes. ok is false for anything else.
func Unquote(s []byte) (out []byte, ok bool) { return sds.ParseRepr(s) }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// decodeHex decodes hex text with whitespace anywhere; ok is false when any
// other character appears or the digit count is odd.
func decodeHex(s []byte) ([]byte, bool) {
	digits := make([]byte, 0, len(s))
	for _, c := range s {
		if !isSpace(c) {
			digits = append(digits, c)
		}
	}
	if len(digits) == 0 {
		return nil, false
	}
	out := make([]byte, len(digits)/2)
	if _, err := hex.Decode(out, digits); err != nil {
		return nil, false
	}
	return out, true
}

// decodeBase64 decodes base64 text in either alphabet, padded or not, with
// whitespace anywhere.
func decodeBase64(s []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(s))
	std, url := false, false
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '=':
		case c == '+' || c == '/':
			std = true
		case c == '-' || c == '_':
			url = true
		case isSpace(c):
			continue
		default:
			return nil, false
		}
		clean = append(clean, c)
	}
	if len(clean) == 0 || std && url {
		return nil, false
	}
	enc := base64.StdEncoding
	if url {
		enc = base64.URLEncoding
	}
	if bytes.IndexByte(clean, '=') < 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	out := make([]byte, enc.DecodedLen(len(clean)))
	n, err := enc.Strict().Decode(out, clean)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// trimText removes leading and trailing whitespace.
func trimText(s []byte) []byte {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// candidate is one way to read the saved bytes.
type candidate struct {
	form    Form
	payload []byte
}

// candidates lists the readings of data in the order Detect tries them:
// raw, raw+newline, hex, base64, quoted. Text forms appear only when data is
// strictly in that form.
func candidates(data []byte) []candidate {
	cs := []candidate{{FormRaw, data}}
	if n := len(data); n > 0 && data[n-1] == '\n' {
		cs = append(cs, candidate{FormRawNewline, data[:n-1]})
	}
	text := trimText(data)
	if p, ok := decodeHex(text); ok {
		cs = append(cs, candidate{FormHex, p})
	}
	if p, ok := decodeBase64(text); ok {
		cs = append(cs, candidate{FormBase64, p})
	}
	if p, ok := Unquote(text); ok {
		cs = append(cs, candidate{FormQuoted, p})
	}
	return cs
}

// Detect finds how data was saved and returns the payload bytes and the form.
// It tries raw bytes, raw bytes without one trailing newline, hex, base64 and
// redis-cli's quoted form, in that order, and takes the first whose footer
// (version and CRC-64) verifies. When none does, the error (wrapping
// ErrNotPayload) is what Decode says about the most plausible reading.
func Detect(data []byte, name string) ([]byte, Form, error) {
	cs := candidates(data)
	for _, c := range cs {
		if verifyFooter(c.payload) {
			return c.payload, c.form, nil
		}
	}
	// Nothing verifies: explain with the most plausible reading, a strict
	// text form before raw bytes.
	best := cs[0]
	for _, want := range []Form{FormHex, FormBase64, FormQuoted} {
		if c, ok := find(cs, want); ok {
			best = c
			break
		}
	}
	_, err := Decode(best.payload, name)
	what := name
	if what == "" {
		what = "input"
	}
	if err == nil { // unreachable: the footer did not verify
		err = ErrNotPayload
	}
	return nil, best.form, fmt.Errorf("%w: %s is not a valid payload in any saved form (raw, raw+newline, hex, base64, redis-cli quoted); read as %v: %w", ErrNotPayload, what, best.form, err)
}

func find(cs []candidate, f Form) (candidate, bool) {
	for _, c := range cs {
		if c.form == f {
			return c, true
		}
	}
	return candidate{}, false
}

// verifyFooter checks length, version and CRC-64 like verifyDumpPayload.
func verifyFooter(p []byte) bool {
	n := len(p)
	if n < FooterSize {
		return false
	}
	if int(p[n-10])|int(p[n-9])<<8 > MaxVersion {
		return false
	}
	var stored uint64
	for i := 7; i >= 0; i-- {
		stored = stored<<8 | uint64(p[n-8+i])
	}
	return crc(p[:n-8]) == stored
}

// Parse detects how data was saved (see Detect) and decodes the payload.
// Errors for forms other than raw name the offset in the decoded payload.
func Parse(data []byte, name string) (*Payload, error) {
	payload, form, err := Detect(data, name)
	if err != nil {
		return nil, err
	}
	decName := name
	if form != FormRaw && form != FormRawNewline {
		decName = fmt.Sprintf("%s (%v-decoded)", name, form)
	}
	p, err := Decode(payload, decName)
	if err != nil {
		return nil, err
	}
	p.Form = form
	// library origins keep the file's own name
	for _, l := range p.Libraries.Libraries() {
		l.Origin.Path = name
	}
	return p, nil
}
