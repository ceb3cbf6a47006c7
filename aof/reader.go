package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fnkit/fnkit/rdbfmt"
)

// Sentinel errors wrapped by *Error, for errors.Is.
var (
	// ErrTruncated means the file ends inside a command, or inside a
	// MULTI that has no EXEC: what Redis loads anyway, cutting the tail,
	// when the file is the last one and aof-load-truncated is yes. It is
	// rdbfmt.ErrTruncated, so a truncated RDB preamble matches it too.
	ErrTruncated = rdbfmt.ErrTruncated
	// ErrCorrupt means bytes that cannot appear where they are: Redis
	// refuses to load the file ("Bad file format reading the append only
	// file").
	ErrCorrupt = errors.New("bad file format")
)

// Error is a problem in the RESP part of an AOF file. It names the file,
// the byte offset and what was expected there (redis-check-aof's words
// where it has words), and wraps ErrTruncated, ErrCorrupt or an I/O error.
type Error struct {
	// File names the file.
	File string
	// Offset is where the problem was found.
	Offset int64
	// What says what was expected.
	What string
	// ValidUpTo is what redis-check-aof calls ok_up_to, where --fix (and
	// fnkit repair) cut the file: the start of the first command that is
	// incomplete or damaged, or of the MULTI of an unfinished transaction
	// (annotation lines before it are kept).
	ValidUpTo int64
	// Command names the command that is incomplete or damaged, when its
	// name could be read ("FUNCTION LOAD", "SET").
	Command string
	// CommandOffset is the offset of that command (of its MULTI for a
	// transaction without EXEC), Index the index it has (or would have).
	CommandOffset int64
	Index         int64
	// Partial holds the start (at most 1 KiB) of the argument that the file
	// cuts short, for commands whose arguments are kept (FUNCTION LOAD: the
	// library's shebang line tells which library was lost).
	Partial []byte
	// Err is the sentinel or the I/O error.
	Err error
}

// Error formats the failure as "aof: FILE: offset N: WHAT (in COMMAND at
// offset M): …" with where a cut would leave the file.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "aof: %s: offset %d: %s", e.File, e.Offset, e.What)
	if e.Command != "" {
		fmt.Fprintf(&b, " (in %s at offset %d)", e.Command, e.CommandOffset)
	}
	switch {
	case errors.Is(e.Err, ErrTruncated):
		fmt.Fprintf(&b, ": the file is truncated; the last complete command ends at offset %d", e.ValidUpTo)
	case errors.Is(e.Err, ErrCorrupt):
		fmt.Fprintf(&b, ": bad file format; the last good command ends at offset %d", e.ValidUpTo)
	default:
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the sentinel or I/O error.
func (e *Error) Unwrap() error { return e.Err }

// Command is one command of an AOF file (or, when the Reader reports
// annotations, one "#" line).
type Command struct {
	// File names the file, as given to the Reader.
	File string
	// Offset is the offset of the command's first byte ('*'), End the
	// offset just past it.
	Offset, End int64
	// Index numbers the commands of the Reader from ReaderOptions.FirstIndex
	// (annotations are not numbered and keep the index of the next command).
	Index int64
	// Time is the unix time of the last valid "#TS:" annotation before the
	// command, 0 when there was none.
	Time int64
	// Argc is the number of arguments, the command name included.
	Argc int
	// Name is the first argument as written (Redis compares it without
	// regard to case; see Is). Names longer than 256 bytes are cut.
	Name string
	// Sub is the second argument of container commands (FUNCTION, XGROUP,
	// CONFIG, OBJECT, SCRIPT and the like) when it is at most 64 bytes, as
	// written; "" otherwise.
	Sub string
	// Args holds every argument, Args[0] being the name, for the commands
	// the Reader keeps (FUNCTION, SELECT, MULTI, EXEC, or all with
	// ReaderOptions.KeepAll); nil for the others, whose arguments are
	// skipped without being copied. The slices are valid until the next
	// call to Next.
	Args [][]byte
	// Annotation holds a "#" line as it is in the file, line ending
	// included, for annotations (then Argc is 0 and Name ""); nil for
	// commands. A line longer than Redis's 1024-byte line buffer comes in
	// pieces, as Redis reads it.
	Annotation []byte
}

// Is reports whether the command is name (compared as Redis does, without
// regard to case).
func (c *Command) Is(name string) bool { return strings.EqualFold(c.Name, name) }

// Title returns the command as people name it: the upper-cased name and,
// for container commands, the upper-cased subcommand ("FUNCTION LOAD",
// "XGROUP CREATE", "SET").
func (c *Command) Title() string {
	if c.Annotation != nil {
		return "#"
	}
	return title(c.Name, c.Sub)
}

func title(name, sub string) string {
	if sub != "" {
		return strings.ToUpper(name) + " " + strings.ToUpper(sub)
	}
	return strings.ToUpper(name)
}

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	// Name names the input in positions and errors.
	Name string
	// Offset is the offset of the reader's first byte in the file (the
	// size of an RDB preamble already read), so positions are file
	// offsets.
	Offset int64
	// FirstIndex is the index of the first command (0 means 1).
	FirstIndex int64
	// Time is the #TS time in force before the first annotation (carried
	// over from an earlier file).
	Time int64
	// KeepAll keeps the arguments of every command in Command.Args.
	KeepAll bool
	// Annotations makes Next return "#" lines too.
	Annotations bool
	// BufferSize is the size of the read buffer (default 256 KiB).
	BufferSize int
}

// Limits of what the Reader accepts.
const (
	// MaxKeptArg bounds a kept argument (a library's code, a FUNCTION
	// RESTORE payload): Redis's default proto-max-bulk-len.
	MaxKeptArg = 512 << 20
	// annotationMax is the line buffer of Redis's loader and of
	// redis-check-aof's annotation reader (AOF_ANNOTATION_LINE_MAX_LEN):
	// an annotation longer than this continues as a new line.
	annotationMax = 1024
	// headerMax is redis-check-aof's buffer for "*N" and "$N" lines.
	headerMax = 128
	maxName   = 256
	maxSub    = 64
)

// Reader reads the commands of one AOF file (its RESP part) as a stream,
// with a bounded buffer whatever the file size. It validates as
// redis-check-aof does: "*" and "$" prefixes, "\r\n" line endings,
// argument lengths, MULTI/EXEC nesting; annotations ("#" lines) are
// skipped, "#TS:" ones setting the time of the commands that follow.
type Reader struct {
	rd   io.Reader
	opts ReaderOptions
	buf  []byte
	r, w int
	base int64 // file offset of buf[0]
	eof  bool
	rerr error

	time       int64
	next       int64 // index of the next command
	validUpTo  int64 // end of the last complete command outside MULTI
	inMulti    bool
	multiStart int64
	err        error // sticky

	cmd      Command
	args     [][]byte
	arena    []byte
	names    map[string]string
	lastName string
	curName  string // name and subcommand of the command being read
	curSub   string
	curStart int64
}

// NewReader returns a Reader of the RESP commands in r.
func NewReader(r io.Reader, opts ReaderOptions) *Reader {
	size := opts.BufferSize
	if size <= 0 {
		size = 256 << 10
	}
	if size < 2*annotationMax {
		size = 2 * annotationMax
	}
	rd := &Reader{rd: r, opts: opts, buf: make([]byte, size), base: opts.Offset, time: opts.Time, next: opts.FirstIndex, validUpTo: opts.Offset, names: map[string]string{}}
	if rd.next == 0 {
		rd.next = 1
	}
	return rd
}

// Offset returns the offset just past what Next has returned so far.
func (r *Reader) Offset() int64 { return r.base + int64(r.r) }

// ValidUpTo returns where a file cut now would end: after the last
// complete command or annotation read outside a MULTI block (see
// Error.ValidUpTo).
func (r *Reader) ValidUpTo() int64 { return r.validUpTo }

// InMulti reports whether the last command returned was inside a MULTI
// block that has not reached its EXEC.
func (r *Reader) InMulti() bool { return r.inMulti }

// Time returns the #TS time in force.
func (r *Reader) Time() int64 { return r.time }

// NextIndex returns the index the next command will get.
func (r *Reader) NextIndex() int64 { return r.next }

// fill reads more data, moving the unread bytes to the front of the
// buffer when it is full. It reports whether new bytes arrived.
func (r *Reader) fill() bool {
	if r.eof {
		return false
	}
	if r.w == len(r.buf) {
		if r.r == 0 {
			return false // caller asked for more than the buffer holds
		}
		n := copy(r.buf, r.buf[r.r:r.w])
		r.base += int64(r.r)
		r.r, r.w = 0, n
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.rd.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	r.eof, r.rerr = true, io.ErrNoProgress
	return false
}

// ensure tries to have n unread bytes buffered (n <= len(buf)) and returns
// how many there are.
func (r *Reader) ensure(n int) int {
	for r.w-r.r < n {
		if r.w == len(r.buf) && r.r > 0 {
			c := copy(r.buf, r.buf[r.r:r.w])
			r.base += int64(r.r)
			r.r, r.w = 0, c
		}
		if !r.fill() {
			break
		}
	}
	return r.w - r.r
}

func (r *Reader) fail(off int64, sentinel error, format string, args ...any) error {
	e := &Error{File: r.opts.Name, Offset: off, What: fmt.Sprintf(format, args...), ValidUpTo: r.validUpTo, Err: sentinel}
	if r.rerr != nil && sentinel == ErrTruncated {
		e.Err = r.rerr
	}
	if r.curName != "" {
		e.Command, e.CommandOffset, e.Index = title(r.curName, r.curSub), r.curStart, r.next
	}
	if r.inMulti && sentinel == ErrTruncated {
		if e.Command == "" {
			e.Command, e.CommandOffset = "MULTI", r.multiStart
		}
	}
	r.err = e
	return e
}

// Next returns the next command (or annotation). At the clean end of the
// data it returns io.EOF; a file that ends inside a command or inside a
// MULTI block gives an *Error wrapping ErrTruncated, damage an *Error
// wrapping ErrCorrupt. Errors are sticky. The returned Command is reused by
// the next call.
func (r *Reader) Next() (*Command, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.curName, r.curSub = "", ""
	for {
		if r.w-r.r < 1 && r.ensure(1) < 1 {
			if r.rerr != nil {
				return nil, r.fail(r.Offset(), ErrTruncated, "read error")
			}
			if r.inMulti {
				r.curName, r.curStart = "MULTI", r.multiStart
				return nil, r.fail(r.Offset(), ErrTruncated, "Reached EOF before reading EXEC for MULTI")
			}
			r.err = io.EOF
			return nil, io.EOF
		}
		switch r.buf[r.r] {
		case '*':
			return r.readCommand()
		case '#':
			c, ok := r.readAnnotation()
			if ok {
				return c, nil
			}
		default:
			return nil, r.fail(r.Offset(), ErrCorrupt, "Expected prefix '*', got: %s", quoteByte(r.buf[r.r]))
		}
	}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("0x%02x", c)
}

// readAnnotation consumes one "#" line as Redis's fgets with a 1024-byte
// buffer reads it, and reports whether the caller should return it.
func (r *Reader) readAnnotation() (*Command, bool) {
	start := r.Offset()
	avail := r.ensure(annotationMax - 1)
	chunk := r.buf[r.r : r.r+min(avail, annotationMax-1)]
	n := len(chunk)
	if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
		n = i + 1
	}
	line := chunk[:n]
	if ts, ok := ParseTimestamp(line); ok {
		r.time = ts
	}
	r.r += n
	if !r.inMulti {
		r.validUpTo = r.Offset()
	}
	if !r.opts.Annotations {
		return nil, false
	}
	r.arena = append(r.arena[:0], line...)
	r.cmd = Command{File: r.opts.Name, Offset: start, End: r.Offset(), Index: r.next, Time: r.time, Annotation: r.arena[:len(line):len(line)]}
	return &r.cmd, true
}

// ParseTimestamp parses a "#TS:<unix seconds>" annotation line (with or
// without its line ending) as Redis does: strtol after the prefix, which
// must stop at a "\r". ok is false for other annotations and malformed
// timestamps (redis-check-aof --truncate-to-timestamp calls these "Invalid
// timestamp annotation").
func ParseTimestamp(line []byte) (ts int64, ok bool) {
	if !bytes.HasPrefix(line, []byte("#TS:")) {
		return 0, false
	}
	v, end, ok := strtol(line, 4)
	if !ok || end >= len(line) || line[end] != '\r' {
		return 0, false
	}
	return v, true
}

// IsTimestamp reports whether line is a "#TS:" annotation, valid or not.
func IsTimestamp(line []byte) bool { return bytes.HasPrefix(line, []byte("#TS:")) }

// strtol parses like C's strtol base 10 from b[i]: white space, a sign,
// digits. end is where parsing stopped (i itself when there are no
// digits); ok is false on overflow (ERANGE).
func strtol(b []byte, i int) (v int64, end int, ok bool) {
	start := i
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	digits := i
	var n uint64
	over := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > (1<<63)/10 {
			over = true
		}
		n = n*10 + uint64(b[i]-'0')
		if n > 1<<63 {
			over = true
		}
	}
	if i == digits {
		return 0, start, true
	}
	if over || (!neg && n == 1<<63) {
		return 0, i, false
	}
	if neg {
		return -int64(n), i, true
	}
	return int64(n), i, true
}

// readHeader reads a "*N\r\n" or "$N\r\n" line as redis-check-aof's
// readLong does (prefix, strtol, "\r\n").
func (r *Reader) readHeader(prefix byte) (int64, error) {
	off := r.Offset()
	// Fast path: the whole line is buffered and plain digits.
	b := r.buf[r.r:r.w]
	if len(b) >= 4 && b[0] == prefix && b[1] >= '0' && b[1] <= '9' {
		var n int64
		i := 1
		for ; i < len(b) && i < 19 && b[i] >= '0' && b[i] <= '9'; i++ {
			n = n*10 + int64(b[i]-'0')
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			r.r += i + 2
			return n, nil
		}
	}
	avail := r.ensure(headerMax - 1)
	if avail == 0 {
		return 0, r.fail(off, ErrTruncated, "Expected prefix '%c', got end of file", prefix)
	}
	b = r.buf[r.r : r.r+min(avail, headerMax-1)]
	if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
		b = b[:nl+1]
	}
	if b[0] != prefix {
		return 0, r.fail(off, ErrCorrupt, "Expected prefix '%c', got: %s", prefix, quoteByte(b[0]))
	}
	v, end, ok := strtol(b, 1)
	if !ok {
		return 0, r.fail(off, ErrCorrupt, "number out of range after '%c'", prefix)
	}
	if end+1 < len(b) && b[end] == '\r' && b[end+1] == '\n' {
		r.r += end + 2
		return v, nil
	}
	if len(b) < headerMax-1 && b[len(b)-1] != '\n' && r.eof {
		// The line is cut by the end of the file.
		return 0, r.fail(off, ErrTruncated, "Expected \\r\\n, got end of file")
	}
	got := [2]byte{}
	copy(got[:], b[end:])
	return 0, r.fail(off+int64(end), ErrCorrupt, "Expected \\r\\n, got: %02x%02x", got[0], got[1])
}

// isContainer reports whether name is a command with subcommands, whose
// second argument Command.Sub reports.
func isContainer(name string) bool {
	switch len(name) {
	case 3:
		return strings.EqualFold(name, "acl")
	case 5:
		return strings.EqualFold(name, "debug") || strings.EqualFold(name, "xinfo")
	case 6:
		return strings.EqualFold(name, "xgroup") || strings.EqualFold(name, "config") ||
			strings.EqualFold(name, "object") || strings.EqualFold(name, "script") ||
			strings.EqualFold(name, "client") || strings.EqualFold(name, "memory") ||
			strings.EqualFold(name, "module") || strings.EqualFold(name, "pubsub")
	case 7:
		return strings.EqualFold(name, "cluster") || strings.EqualFold(name, "command") ||
			strings.EqualFold(name, "latency") || strings.EqualFold(name, "slowlog")
	case 8:
		return strings.EqualFold(name, "function")
	}
	return false
}

// kept reports whether the arguments of a command are kept by default:
// those that can change the library set or the database the next commands
// run in.
func kept(name string) bool {
	switch len(name) {
	case 4:
		return strings.EqualFold(name, "exec")
	case 5:
		return strings.EqualFold(name, "multi")
	case 6:
		return strings.EqualFold(name, "select")
	case 8:
		return strings.EqualFold(name, "function")
	}
	return false
}

func (r *Reader) internName(b []byte) string {
	if len(b) > maxName {
		b = b[:maxName]
	}
	if string(b) == r.lastName {
		return r.lastName
	}
	s, ok := r.names[string(b)]
	if !ok {
		s = string(b)
		if len(r.names) < 4096 {
			r.names[s] = s
		}
	}
	r.lastName = s
	return s
}

func (r *Reader) readCommand() (*Command, error) {
	start := r.Offset()
	r.curStart = start
	argc, err := r.readHeader('*')
	if err != nil {
		return nil, err
	}
	if argc < 1 {
		return nil, r.fail(start, ErrCorrupt, "Expected a command of at least one argument, got *%d", argc)
	}
	if argc > 1<<31 {
		return nil, r.fail(start, ErrCorrupt, "Expected a sane argument count, got *%d", argc)
	}
	keep := r.opts.KeepAll
	r.args = r.args[:0]
	r.arena = r.arena[:0]
	var name, sub string
	container := false
	for i := int64(0); i < argc; i++ {
		argOff := r.Offset()
		n, err := r.readHeader('$')
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, r.fail(argOff, ErrCorrupt, "Expected to read string of %d bytes, which is not in the suitable range", n)
		}
		dataOff := r.Offset()
		// The name and a container's subcommand are looked at; the other
		// arguments are copied only when kept.
		look := i == 0 || (i == 1 && container && n <= maxSub)
		want := keep || look
		if want && n > MaxKeptArg {
			return nil, r.fail(argOff, ErrCorrupt, "argument of %d bytes is larger than fnkit reads (%d)", n, MaxKeptArg)
		}
		var data []byte
		inArena := false
		if int64(r.w-r.r) >= n {
			if want {
				data = r.buf[r.r : r.r+int(n)]
			}
			r.r += int(n)
		} else if want {
			mark := len(r.arena)
			var ok bool
			r.arena, ok = r.copyN(r.arena, n)
			if !ok {
				err := r.fail(dataOff, ErrTruncated, "Expected to read %d bytes, got %d bytes", n+2, int64(len(r.arena)-mark))
				if keep {
					got := r.arena[mark:]
					err.(*Error).Partial = append([]byte(nil), got[:min(len(got), 1024)]...)
				}
				return nil, err
			}
			data, inArena = r.arena[mark:], true
		} else {
			got, ok := r.skipN(n)
			if !ok {
				return nil, r.fail(dataOff, ErrTruncated, "Expected to read %d bytes, got %d bytes", n+2, got)
			}
		}
		if i == 0 {
			name = r.internName(data)
			r.curName = name
			container = isContainer(name)
			if !keep && kept(name) {
				keep = true
			}
		} else if look {
			sub = string(data)
			r.curSub = sub
		}
		if keep {
			if !inArena {
				r.arena = append(r.arena, data...)
			}
			r.args = append(r.args, data)
		}
		// The line ending after the data.
		if r.w-r.r < 2 && r.ensure(2) < 2 {
			got := int64(r.w - r.r)
			return nil, r.fail(dataOff, ErrTruncated, "Expected to read %d bytes, got %d bytes", n+2, n+got)
		}
		if r.buf[r.r] != '\r' || r.buf[r.r+1] != '\n' {
			return nil, r.fail(r.Offset(), ErrCorrupt, "Expected \\r\\n, got: %02x%02x", r.buf[r.r], r.buf[r.r+1])
		}
		r.r += 2
	}
	if keep {
		r.rebaseArgs()
	}
	end := r.Offset()
	switch {
	case len(name) == 5 && strings.EqualFold(name, "multi"):
		if r.inMulti {
			return nil, r.fail(start, ErrCorrupt, "Unexpected MULTI in AOF %s", r.opts.Name)
		}
		r.inMulti, r.multiStart = true, start
	case len(name) == 4 && strings.EqualFold(name, "exec"):
		if !r.inMulti {
			return nil, r.fail(start, ErrCorrupt, "Unexpected EXEC in AOF %s", r.opts.Name)
		}
		r.inMulti = false
	}
	if !r.inMulti {
		r.validUpTo = end
	}
	r.cmd = Command{File: r.opts.Name, Offset: start, End: end, Index: r.next, Time: r.time, Argc: int(argc), Name: name, Sub: sub}
	if keep {
		r.cmd.Args = r.args
	}
	r.next++
	r.curName, r.curSub = "", ""
	return &r.cmd, nil
}

// rebaseArgs makes every kept argument a slice of the final arena (append
// may have moved it after earlier slices were taken). The arguments were
// appended in order, so their lengths give their positions.
func (r *Reader) rebaseArgs() {
	pos := 0
	for i, a := range r.args {
		r.args[i] = r.arena[pos : pos+len(a) : pos+len(a)]
		pos += len(a)
	}
}

// copyN appends the next n bytes of data to dst, reading as needed.
func (r *Reader) copyN(dst []byte, n int64) ([]byte, bool) {
	for n > 0 {
		if r.r == r.w && !r.refill() {
			return dst, false
		}
		k := min(int64(r.w-r.r), n)
		dst = append(dst, r.buf[r.r:r.r+int(k)]...)
		r.r += int(k)
		n -= k
	}
	return dst, true
}

// skipN discards the next n bytes, reading as needed, and returns how many
// it could skip.
func (r *Reader) skipN(n int64) (int64, bool) {
	var done int64
	for n > 0 {
		if r.r == r.w && !r.refill() {
			return done, false
		}
		k := min(int64(r.w-r.r), n)
		r.r += int(k)
		n -= k
		done += k
	}
	return done, true
}

// refill empties the buffer (everything in it was consumed) and reads.
func (r *Reader) refill() bool {
	r.base += int64(r.r)
	r.r, r.w = 0, 0
	return r.fill()
}
