package runtime

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/keyspace"
)

// client is one connection (or the script's pseudo-client, or an
// in-process caller).
type client struct {
	s        *Server
	id       int64
	conn     net.Conn
	r        *bufio.Reader
	out      []byte
	resp3    bool
	authed   bool
	user     *aclUser // nil: no ACL checks (internal clients)
	name     string
	ks       *keyspace.Client
	multi    *multiState
	watch    *watchState
	addr     string
	laddr    string
	created  time.Time
	lastCmd  string
	closing  bool
	isScript bool
	// failedNoStats counts the error replies of the command running that
	// were written without being counted (a script's error that a command
	// already counted): each makes the command a failed call.
	failedNoStats int64
	// locked: the client holds the execution lock (between commands of
	// one batch of its buffered input)
	locked bool
}

func (s *Server) newClient(conn net.Conn) *client {
	c := &client{s: s, id: s.nextID.Add(1), conn: conn, ks: s.ks.NewClient(), created: time.Now()}
	s.setDefaultAuth(c)
	if conn != nil {
		c.r = bufio.NewReaderSize(conn, 16<<10)
		c.addr = conn.RemoteAddr().String()
		c.laddr = conn.LocalAddr().String()
	}
	return c
}

func (c *client) db() int { return c.ks.DB() }

func (c *client) setResp3(on bool) {
	c.resp3 = on
	c.ks.SetProtocol(on)
}

// Reply helpers.

func (c *client) writeValue(v resp.Value) { c.out = resp.Append(c.out, v, c.resp3) }
func (c *client) writeRaw(b []byte)       { c.out = append(c.out, b...) }
func (c *client) writeOK()                { c.out = append(c.out, "+OK\r\n"...) }
func (c *client) writeStatus(s string)    { c.writeValue(resp.Status(s)) }
func (c *client) writeBulk(s string)      { c.out = resp.AppendBulk(c.out, s) }
func (c *client) writeInt(n int64)        { c.writeValue(resp.Int(n)) }
func (c *client) writeNull()              { c.writeValue(resp.NullBulk()) }

// writeError is addReplyError: a message starting with "-" keeps its own
// code, any other gets "-ERR "; CR and LF become spaces. The error is
// counted in errorstats (afterErrorReply).
func (c *client) writeError(msg string) {
	c.s.countError(c.writeErrorText(msg))
}

// writeErrorText writes an error reply as writeError does, without
// counting it (ERR_REPLY_FLAG_NO_STATS_UPDATE), and returns the cleaned
// message.
func (c *client) writeErrorText(msg string) string {
	msg = cleanLine(msg)
	if strings.HasPrefix(msg, "-") {
		c.out = append(c.out, msg...)
	} else {
		c.out = append(c.out, "-ERR "...)
		c.out = append(c.out, msg...)
	}
	c.out = append(c.out, '\r', '\n')
	return msg
}

func cleanLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// serveConn runs one connection: read commands, run them, write replies,
// flushing when no more input is buffered (pipelining).
func (s *Server) serveConn(conn net.Conn) {
	c := s.newClient(conn)
	s.totalConns.Add(1)
	s.clientsMu.Lock()
	s.clients[c.id] = c
	s.clientsMu.Unlock()
	defer func() {
		s.clientsMu.Lock()
		delete(s.clients, c.id)
		s.clientsMu.Unlock()
		s.unwatchAll(c)
		conn.Close()
	}()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	for {
		argv, perr := readCommand(c.r)
		if perr != nil {
			var pe protocolError
			if errors.As(perr, &pe) {
				c.writeError("Protocol error: " + string(pe))
				conn.Write(c.out)
			}
			return
		}
		if len(argv) == 0 {
			continue
		}
		s.exec(c, argv)
		// keep running the commands already buffered (a pipeline) while
		// holding the lock; never wait for more input with it
		for c.locked && !c.closing && len(c.out) <= 64<<10 {
			var ok bool
			if argv, ok = parseBuffered(c.r); !ok {
				if !commandBuffered(c.r) {
					break
				}
				argv, perr = readCommand(c.r)
			}
			if perr != nil || len(argv) == 0 {
				break
			}
			s.exec(c, argv)
		}
		s.unlock(c)
		if perr != nil {
			var pe protocolError
			if errors.As(perr, &pe) {
				c.writeError("Protocol error: " + string(pe))
				conn.Write(c.out)
			}
			return
		}
		if c.r.Buffered() == 0 || len(c.out) > 64<<10 || c.closing {
			if len(c.out) > 0 {
				if _, err := conn.Write(c.out); err != nil {
					return
				}
				if cap(c.out) > 1<<20 {
					c.out = nil
				} else {
					c.out = c.out[:0]
				}
			}
		}
		if c.closing || s.closed.Load() {
			return
		}
	}
}

// commandBuffered reports whether r's buffer holds a whole request, so
// that reading it cannot block.
func commandBuffered(r *bufio.Reader) bool {
	n := r.Buffered()
	if n == 0 {
		return false
	}
	b, _ := r.Peek(n)
	if b[0] != '*' {
		return bytes.IndexByte(b, '\n') >= 0
	}
	e := bytes.Index(b, []byte("\r\n"))
	if e < 0 {
		return false
	}
	count, err := strconv.Atoi(string(b[1:e]))
	if err != nil || count > maxMultibulk {
		return true // let readCommand report the error
	}
	pos := e + 2
	for i := 0; i < count; i++ {
		le := bytes.Index(b[pos:], []byte("\r\n"))
		if le < 0 {
			return false
		}
		if b[pos] != '$' {
			return true
		}
		l, err := strconv.Atoi(string(b[pos+1 : pos+le]))
		if err != nil || l < 0 {
			return true
		}
		pos += le + 2 + l + 2
		if pos > len(b) {
			return false
		}
	}
	return true
}

type protocolError string

func (e protocolError) Error() string { return string(e) }

const (
	maxMultibulk = 1024 * 1024
	maxBulk      = 512 << 20
	maxInline    = 64 << 10
)

// readCommand reads one request, multibulk or inline, as Redis's
// processMultibulkBuffer and processInlineBuffer parse them.
func readCommand(r *bufio.Reader) ([]string, error) {
	if argv, ok := parseBuffered(r); ok {
		return argv, nil
	}
	return readCommandSlow(r)
}

// readCommandSlow is readCommand reading as it goes.
func readCommandSlow(r *bufio.Reader) ([]string, error) {
	b, err := r.Peek(1)
	if err != nil {
		return nil, err
	}
	if b[0] != '*' {
		line, err := readLine(r, maxInline)
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\r")
		args, ok := sds.SplitArgs(line)
		if !ok {
			return nil, protocolError("unbalanced quotes in request")
		}
		return args, nil
	}
	line, err := readLine(r, maxInline)
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r")
	n, err := strconv.ParseInt(line[1:], 10, 64)
	if err != nil || n > maxMultibulk {
		return nil, protocolError("invalid multibulk length")
	}
	if n <= 0 {
		return nil, nil
	}
	argv := make([]string, 0, n)
	for i := int64(0); i < n; i++ {
		line, err := readLine(r, maxInline)
		if err != nil {
			return nil, err
		}
		line = strings.TrimSuffix(line, "\r")
		if len(line) == 0 || line[0] != '$' {
			got := byte(0)
			if len(line) > 0 {
				got = line[0]
			}
			return nil, protocolError("expected '$', got '" + string([]byte{got}) + "'")
		}
		l, err := strconv.ParseInt(line[1:], 10, 64)
		if err != nil || l < 0 || l > maxBulk {
			return nil, protocolError("invalid bulk length")
		}
		buf := make([]byte, l+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		argv = append(argv, string(buf[:l]))
	}
	return argv, nil
}

// parseBuffered is readCommand's fast path: a multibulk request that is
// entirely in r's buffer, with plain lengths, is parsed in place (one
// allocation per argument and one for argv). Anything else (incomplete,
// inline, unusual or bad) is left to readCommand's reader, which also
// reports the errors.
func parseBuffered(r *bufio.Reader) ([]string, bool) {
	n := r.Buffered()
	if n < 4 {
		return nil, false
	}
	b, _ := r.Peek(n)
	if b[0] != '*' {
		return nil, false
	}
	count, pos, ok := bufferedInt(b, 1)
	if !ok || count <= 0 || count > maxMultibulk || count > n/4 {
		return nil, false
	}
	argv := make([]string, count)
	for i := range argv {
		if pos >= n || b[pos] != '$' {
			return nil, false
		}
		var l int
		l, pos, ok = bufferedInt(b, pos+1)
		if !ok || l > maxBulk || pos+l+2 > n {
			return nil, false
		}
		argv[i] = string(b[pos : pos+l])
		pos += l + 2
	}
	r.Discard(pos)
	return argv, true
}

// bufferedInt reads the digits of a length line starting at b[i] and its
// CRLF; ok is false for anything but 1 to 10 plain digits.
func bufferedInt(b []byte, i int) (int, int, bool) {
	v, start := 0, i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 10 {
		v = v*10 + int(b[i]-'0')
		i++
	}
	if i == start || i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
		return 0, 0, false
	}
	return v, i + 2, true
}

func readLine(r *bufio.Reader, max int) (string, error) {
	line, err := r.ReadSlice('\n')
	if err == nil {
		return string(line[:len(line)-1]), nil
	}
	if err != bufio.ErrBufferFull {
		return "", err
	}
	buf := append([]byte(nil), line...)
	for {
		if len(buf) > max {
			return "", protocolError("too big inline request")
		}
		line, err = r.ReadSlice('\n')
		buf = append(buf, line...)
		if err == nil {
			return string(buf[:len(buf)-1]), nil
		}
		if err != bufio.ErrBufferFull {
			return "", err
		}
	}
}
