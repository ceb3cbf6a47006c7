package resp

import (
	"bufio"
	"net"
	"time"
)

// Conn is a minimal synchronous RESP client connection, enough for tests and
// for talking to a server byte for byte.
type Conn struct {
	c net.Conn
	r *Reader
	w *bufio.Writer
}

// Dial connects to a RESP server at addr (host:port).
func Dial(addr string) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c, r: NewReader(c), w: bufio.NewWriter(c)}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Send writes one command without waiting for its reply (for pipelining).
func (c *Conn) Send(args ...string) error {
	_, err := c.w.Write(AppendCommand(nil, args...))
	if err != nil {
		return err
	}
	return c.w.Flush()
}

// Receive reads one reply.
func (c *Conn) Receive() (Value, error) { return c.r.ReadValue() }

// ReceiveRaw reads one reply and returns its exact bytes as well.
func (c *Conn) ReceiveRaw() (Value, []byte, error) { return c.r.ReadRaw() }

// Do sends a command and reads its reply.
func (c *Conn) Do(args ...string) (Value, error) {
	if err := c.Send(args...); err != nil {
		return Value{}, err
	}
	return c.Receive()
}

// DoRaw sends a command and returns its reply's exact bytes.
func (c *Conn) DoRaw(args ...string) ([]byte, error) {
	if err := c.Send(args...); err != nil {
		return nil, err
	}
	_, raw, err := c.ReceiveRaw()
	return raw, err
}

// SetDeadline sets the read and write deadline of the connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.c.SetDeadline(t) }
