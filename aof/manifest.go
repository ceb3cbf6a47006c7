package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
)

// FileType is the type of a file listed in a manifest: the letter Redis
// writes after "type".
type FileType byte

// The file types of a multi-part AOF manifest.
const (
	// TypeBase is the base file (an RDB or a RESP rewrite), loaded first.
	TypeBase FileType = 'b'
	// TypeHistory is a file left over from before a rewrite; Redis never
	// loads it and deletes it in the background.
	TypeHistory FileType = 'h'
	// TypeIncr is an incremental file, loaded after the base in manifest
	// order.
	TypeIncr FileType = 'i'
)

// String returns "base", "history", "incr" or the letter.
func (t FileType) String() string {
	switch t {
	case TypeBase:
		return "base"
	case TypeHistory:
		return "history"
	case TypeIncr:
		return "incr"
	}
	return fmt.Sprintf("type %q", rune(t))
}

// Redis's words for manifest errors (aofLoadManifestFromFile), in the order
// it checks.
const (
	MsgManifestEmpty       = "Found an empty AOF manifest"
	MsgManifestLongLine    = "The AOF manifest file contains too long line"
	MsgManifestFormat      = "Invalid AOF manifest file format"
	MsgManifestPath        = "File can't be a path, just a filename"
	MsgManifestDuplicate   = "Found duplicate base file information"
	MsgManifestNonMonotone = "Found a non-monotonic sequence number"
	MsgManifestUnknownType = "Unknown AOF file type"
)

// ManifestMaxLine is the longest manifest line Redis reads (MANIFEST_MAX_LINE),
// newline included.
const ManifestMaxLine = 1024

// ManifestEntry is one file listed in a manifest.
type ManifestEntry struct {
	// Name is the file name (never a path), relative to the manifest's
	// directory.
	Name string
	// Seq is the sequence number.
	Seq int64
	// Type is base, history or incr.
	Type FileType
	// Line is the 1-based line of the manifest the entry was read from
	// (lines counted as Redis counts them), 0 for an entry built in memory.
	Line int
}

// Manifest is a multi-part AOF manifest: at most one base file, history
// files (never loaded) and incremental files in load order. Entries keeps
// the file's own order.
type Manifest struct {
	Entries []ManifestEntry
}

// Base returns the base entry, if any.
func (m *Manifest) Base() (ManifestEntry, bool) {
	for _, e := range m.Entries {
		if e.Type == TypeBase {
			return e, true
		}
	}
	return ManifestEntry{}, false
}

// Incr returns the incremental entries in load order.
func (m *Manifest) Incr() []ManifestEntry { return m.ofType(TypeIncr) }

// History returns the history entries in manifest order.
func (m *Manifest) History() []ManifestEntry { return m.ofType(TypeHistory) }

func (m *Manifest) ofType(t FileType) []ManifestEntry {
	var out []ManifestEntry
	for _, e := range m.Entries {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

// ErrManifest is wrapped by every *ManifestError.
var ErrManifest = errors.New("invalid AOF manifest")

// ManifestError is a manifest Redis refuses to load
// ("*** FATAL AOF MANIFEST FILE ERROR ***").
type ManifestError struct {
	// File names the manifest.
	File string
	// Line is the 1-based line as Redis counts it (0 when the error is about
	// the whole file), Offset the byte offset of that line.
	Line   int
	Offset int64
	// Text is the line as Redis logs it (trimmed), "" when not applicable.
	Text string
	// Msg is Redis's message.
	Msg string
}

// Error formats the failure as "aof: FILE: line N (offset O): MSG: LINE".
func (e *ManifestError) Error() string {
	var b strings.Builder
	b.WriteString("aof: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d (offset %d): ", e.Line, e.Offset)
	}
	b.WriteString(e.Msg)
	if e.Text != "" {
		fmt.Fprintf(&b, ": %q", e.Text)
	}
	return b.String()
}

// Unwrap returns ErrManifest.
func (e *ManifestError) Unwrap() error { return ErrManifest }

// ParseManifest reads a manifest exactly as Redis 7's aofLoadManifestFromFile
// does: lines of at most ManifestMaxLine bytes each ending in a newline
// ("#" comment lines excepted), split like redis.conf, with "file", "seq"
// and "type" pairs (keys case-insensitive, unknown keys ignored, at least
// six tokens), one base at most and strictly increasing incr sequence
// numbers. Errors are *ManifestError with Redis's words. name is used in
// errors.
func ParseManifest(r io.Reader, name string) (*Manifest, error) {
	br := bufio.NewReaderSize(r, 4096)
	m := &Manifest{}
	var (
		linenum int
		offset  int64
		maxseq  int64
		hasBase bool
	)
	fail := func(msg, text string, lineOff int64) error {
		return &ManifestError{File: name, Line: linenum, Offset: lineOff, Text: text, Msg: msg}
	}
	chunk := make([]byte, 0, ManifestMaxLine)
	for {
		// fgets(buf, MANIFEST_MAX_LINE+1, fp): at most 1024 bytes, up to
		// and including a newline.
		chunk = chunk[:0]
		for len(chunk) < ManifestMaxLine {
			c, err := br.ReadByte()
			if err != nil {
				if err != io.EOF {
					return nil, fmt.Errorf("aof: %s: reading the manifest: %w", name, err)
				}
				break
			}
			chunk = append(chunk, c)
			if c == '\n' {
				break
			}
		}
		if len(chunk) == 0 {
			if linenum == 0 {
				return nil, &ManifestError{File: name, Msg: MsgManifestEmpty}
			}
			return m, nil
		}
		lineOff := offset
		offset += int64(len(chunk))
		linenum++
		// The C code sees the buffer as a NUL-terminated string.
		cstr := chunk
		if i := bytes.IndexByte(cstr, 0); i >= 0 {
			cstr = cstr[:i]
		}
		if len(cstr) > 0 && cstr[0] == '#' {
			continue
		}
		if bytes.IndexByte(cstr, '\n') < 0 {
			return nil, fail(MsgManifestLongLine, "", lineOff)
		}
		line := strings.Trim(string(cstr), " \t\r\n")
		if line == "" {
			return nil, fail(MsgManifestFormat, line, lineOff)
		}
		argv, ok := sds.SplitArgs(line)
		if !ok || len(argv) < 6 || len(argv)%2 != 0 {
			return nil, fail(MsgManifestFormat, line, lineOff)
		}
		var (
			e                  = ManifestEntry{Line: linenum}
			haveName, haveType bool
			fileName           string
			fileType           byte
			fileSeq            int64
		)
		for i := 0; i < len(argv); i += 2 {
			key, val := cString(argv[i]), cString(argv[i+1])
			switch {
			case strings.EqualFold(key, "file"):
				if strings.ContainsAny(val, "/\\") {
					return nil, fail(MsgManifestPath, line, lineOff)
				}
				fileName, haveName = val, true
			case strings.EqualFold(key, "seq"):
				fileSeq = atoll(val)
			case strings.EqualFold(key, "type"):
				fileType, haveType = 0, true
				if len(val) > 0 {
					fileType = val[0]
				}
			}
		}
		if !haveName || fileSeq == 0 || !haveType || fileType == 0 {
			return nil, fail(MsgManifestFormat, line, lineOff)
		}
		e.Name, e.Seq, e.Type = fileName, fileSeq, FileType(fileType)
		switch e.Type {
		case TypeBase:
			if hasBase {
				return nil, fail(MsgManifestDuplicate, line, lineOff)
			}
			hasBase = true
		case TypeHistory:
		case TypeIncr:
			if e.Seq <= maxseq {
				return nil, fail(MsgManifestNonMonotone, line, lineOff)
			}
			maxseq = e.Seq
		default:
			return nil, fail(MsgManifestUnknownType, line, lineOff)
		}
		m.Entries = append(m.Entries, e)
	}
}

// cString cuts s at its first NUL byte, as C string functions see it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// atoll parses like C's atoll (glibc: strtoll base 10): leading white
// space, an optional sign, then digits up to the first non-digit;
// out-of-range values saturate.
func atoll(s string) int64 {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (1<<63)/10 || n*10 > (1<<63)-d {
			over = true
			continue
		}
		n = n*10 + d
	}
	switch {
	case neg && (over || n == 1<<63):
		return -1 << 63
	case neg:
		return -int64(n)
	case over || n >= 1<<63:
		return 1<<63 - 1
	}
	return int64(n)
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// AppendManifest appends the manifest as Redis writes it
// (getAofManifestAsString): the base first, then the history files, then
// the incr files, one "file NAME seq N type T" line each, the name quoted
// with C escapes when it holds a blank, a quote, a backslash or a byte
// that is not printable ASCII. (Unlike Redis, a single quote or an empty
// name also makes the name quoted: Redis would write a line it cannot read
// back.)
func AppendManifest(buf []byte, m *Manifest) []byte {
	if b, ok := m.Base(); ok {
		buf = appendManifestLine(buf, b)
	}
	for _, e := range m.History() {
		buf = appendManifestLine(buf, e)
	}
	for _, e := range m.Incr() {
		buf = appendManifestLine(buf, e)
	}
	return buf
}

// MarshalText returns the manifest as Redis writes it; see AppendManifest.
func (m *Manifest) MarshalText() ([]byte, error) {
	return AppendManifest(nil, m), nil
}

func appendManifestLine(buf []byte, e ManifestEntry) []byte {
	buf = append(buf, "file "...)
	if needsRepr(e.Name) {
		buf = sds.AppendRepr(buf, e.Name)
	} else {
		buf = append(buf, e.Name...)
	}
	buf = append(buf, " seq "...)
	buf = strconv.AppendInt(buf, e.Seq, 10)
	buf = append(buf, " type "...)
	buf = append(buf, byte(e.Type))
	return append(buf, '\n')
}

// needsRepr is sdsneedsrepr (true when sdscatrepr must quote s), plus the
// single quote: Redis writes a name such as q'x bare, and then its own
// tokenizer reads the quote as the start of a quoted token and refuses the
// line, so fnkit quotes it; and the empty name, which Redis writes as
// nothing at all (a line that reads back shifted).
func needsRepr(s string) bool {
	return s == "" || strings.IndexByte(s, '\'') >= 0 || sds.NeedsRepr(s)
}
