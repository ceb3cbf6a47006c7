package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Sentinel errors wrapped by *NodeError, for errors.Is.
var (
	// ErrUnreachable: the server could not be reached (connection refused,
	// no such host, connection closed during the handshake).
	ErrUnreachable = errors.New("server unreachable")
	// ErrAuth: the server refused the credentials (WRONGPASS) or needs
	// some (NOAUTH).
	ErrAuth = errors.New("authentication failed")
	// ErrTimeout: connecting or a command took longer than the timeout.
	ErrTimeout = errors.New("timed out")
	// ErrTLS: the TLS handshake failed (unknown authority, bad certificate,
	// not a TLS port).
	ErrTLS = errors.New("TLS handshake failed")
	// ErrServer: the server answered a command with an error reply; the
	// message is Redis's own.
	ErrServer = errors.New("server error")
	// ErrUnsupported: the server has no Functions (Redis before 7.0).
	ErrUnsupported = errors.New("server does not support Functions")
)

// NodeError is an error talking to one server. Its message starts with the
// server's address, then the command, then what went wrong in Redis's words
// where Redis said it.
type NodeError struct {
	// Addr is the server's host:port.
	Addr string
	// Op is the command or step that failed ("connect", "FUNCTION RESTORE").
	Op string
	// Kind is one of the sentinel errors of this package.
	Kind error
	// Err is the underlying error; for ErrServer it is the reply text.
	Err error
}

func (e *NodeError) Error() string {
	msg := e.Err.Error()
	if e.Op == "" || e.Op == "connect" {
		return fmt.Sprintf("%s: %s", e.Addr, msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Addr, e.Op, msg)
}

// Unwrap returns the sentinel and the underlying error.
func (e *NodeError) Unwrap() []error { return []error{e.Kind, e.Err} }

// ReplyError returns the server's error reply text ("ERR Library x already
// exists") when err carries one, or "".
func ReplyError(err error) string {
	var re redis.Error
	if errors.As(err, &re) {
		return re.Error()
	}
	return ""
}

// TLSOptions configure rediss:// connections.
type TLSOptions struct {
	// CAFile is a PEM file of certificate authorities to trust instead of
	// the system pool.
	CAFile string
	// CertFile and KeyFile are a client certificate and its key, for
	// servers with tls-auth-clients yes (Redis's default).
	CertFile, KeyFile string
	// Insecure skips verification of the server's certificate.
	Insecure bool
	// ServerName overrides the name checked against the certificate
	// (default: the URL's host).
	ServerName string
}

// Options configure connections to servers.
type Options struct {
	// TLS configures rediss:// URLs; it is ignored for redis://.
	TLS TLSOptions
	// Timeout bounds connecting and each command (default 10s).
	Timeout time.Duration
}

// DefaultTimeout is used when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func init() {
	// go-redis logs reconnection chatter to stderr; fnkit reports every
	// error itself, with the address.
	redis.SetLogger(quietLogger{})
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Node is a connection to one server.
type Node struct {
	// URL is the address the node was dialled with.
	URL *URL
	// Info is what INFO said when the node was dialled.
	Info ServerInfo

	client  *redis.Client
	timeout time.Duration
}

// Addr returns the node's host:port.
func (n *Node) Addr() string { return n.URL.Addr() }

// Dial connects to the server u names, authenticates, selects the database
// and reads INFO. Errors are *NodeError naming the address.
func Dial(ctx context.Context, u *URL, opts Options) (*Node, error) {
	n := &Node{URL: u, timeout: opts.timeout()}
	ro := &redis.Options{
		Addr:            u.Addr(),
		Username:        u.Username,
		Password:        u.Password,
		DB:              u.DB,
		Protocol:        2,
		DialTimeout:     n.timeout,
		ReadTimeout:     n.timeout,
		WriteTimeout:    n.timeout,
		MaxRetries:      -1,
		DialerRetries:   1,
		PoolSize:        1,
		DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	}
	if u.TLS {
		cfg, err := tlsConfig(u, opts.TLS)
		if err != nil {
			return nil, &NodeError{Addr: u.Addr(), Op: "connect", Kind: ErrTLS, Err: err}
		}
		ro.TLSConfig = cfg
	}
	n.client = redis.NewClient(ro)
	info, err := n.readInfo(ctx)
	if err != nil {
		n.client.Close()
		return nil, err
	}
	n.Info = info
	return n, nil
}

// Close closes the connection.
func (n *Node) Close() error { return n.client.Close() }

func tlsConfig(u *URL, o TLSOptions) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         u.Host,
		InsecureSkipVerify: o.Insecure,
	}
	if o.ServerName != "" {
		cfg.ServerName = o.ServerName
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	if o.CertFile != "" || o.KeyFile != "" {
		if o.CertFile == "" || o.KeyFile == "" {
			return nil, errors.New("a client certificate needs both a certificate file and a key file")
		}
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// nodeErr classifies err from talking to the node during op.
func (n *Node) nodeErr(op string, err error) error {
	return classify(n.Addr(), op, err, n.timeout, n.URL.TLS)
}

func classify(addr, op string, err error, timeout time.Duration, isTLS bool) error {
	if err == nil {
		return nil
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		return err
	}
	e := &NodeError{Addr: addr, Op: op, Err: err}
	var re redis.Error
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &re):
		msg := re.Error()
		e.Err = errors.New(msg)
		switch {
		case strings.HasPrefix(msg, "WRONGPASS"), strings.HasPrefix(msg, "NOAUTH"),
			strings.HasPrefix(msg, "ERR AUTH"), strings.HasPrefix(msg, "ERR invalid password"):
			e.Kind = ErrAuth
		case strings.HasPrefix(msg, "ERR unknown command 'FUNCTION'"), strings.HasPrefix(msg, "ERR unknown command `FUNCTION`"):
			e.Kind = ErrUnsupported
		default:
			e.Kind = ErrServer
		}
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		e.Kind = ErrTLS
	case strings.Contains(err.Error(), "remote error: tls: "):
		// An alert from the server (crypto/tls does not export its type).
		e.Kind = ErrTLS
		if strings.Contains(err.Error(), "certificate required") {
			e.Err = fmt.Errorf("%v (the server wants a client certificate: --tls-cert and --tls-key)", err)
		}
	case errors.As(err, &recErr):
		e.Kind = ErrTLS
		e.Err = fmt.Errorf("%v (is it a TLS port? the server did not answer in TLS; use redis://)", err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		e.Kind = ErrTimeout
		e.Err = fmt.Errorf("no answer within %v", timeout)
		if isTLS && op == "connect" {
			e.Err = fmt.Errorf("no TLS handshake within %v (a plain port? use redis://)", timeout)
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind = ErrUnreachable
		e.Err = errors.New("connection refused (is the server running?)")
	case errors.As(err, &dnsErr):
		e.Kind = ErrUnreachable
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		e.Kind = ErrUnreachable
		switch {
		case op != "connect":
			e.Err = fmt.Errorf("connection closed: %v (did the server go away?)", err)
		case isTLS:
			e.Err = fmt.Errorf("connection closed: %v (a TLS client certificate required by the server? see --tls-cert)", err)
		default:
			e.Err = fmt.Errorf("connection closed: %v (a TLS port? use rediss://)", err)
		}
	default:
		e.Kind = ErrUnreachable
	}
	return e
}

// ServerInfo is what INFO says about a server.
type ServerInfo struct {
	// Product is "redis" or "valkey".
	Product string `json:"product"`
	// Version is redis_version, or valkey_version on Valkey.
	Version string `json:"version"`
	// RDBVersion is the RDB (and DUMP payload) version the server writes,
	// derived from its version; 0 when the version is not recognised.
	RDBVersion int `json:"rdb_version"`
	// Role is "master" or "slave", as INFO replication says.
	Role string `json:"role"`
	// MasterAddr is the primary's host:port when Role is "slave".
	MasterAddr string `json:"master,omitempty"`
	// ClusterEnabled is true when the server runs in cluster mode.
	ClusterEnabled bool `json:"cluster_enabled"`
}

func (n *Node) readInfo(ctx context.Context) (ServerInfo, error) {
	var si ServerInfo
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	text, err := n.client.Do(ctx, "INFO", "server", "replication", "cluster").Text()
	if err != nil {
		return si, n.nodeErr("connect", err)
	}
	return ParseInfo(text), nil
}

// ParseInfo reads the fields fnkit needs from an INFO reply.
func ParseInfo(text string) ServerInfo {
	f := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			f[k] = v
		}
	}
	si := ServerInfo{Product: "redis", Version: f["redis_version"], Role: f["role"]}
	if v := f["valkey_version"]; v != "" || f["server_name"] == "valkey" {
		si.Product = "valkey"
		if v != "" {
			si.Version = v
		}
	}
	if si.Role == "slave" && f["master_host"] != "" {
		si.MasterAddr = net.JoinHostPort(f["master_host"], f["master_port"])
	}
	si.ClusterEnabled = f["cluster_enabled"] == "1"
	si.RDBVersion = RDBVersionOf(si.Product, si.Version)
	return si
}

// RDBVersionOf returns the RDB version a server release writes (and the
// highest FUNCTION DUMP payload version it restores): Redis 7.0 → 10,
// 7.2 → 11, 7.4 and later → 12, Redis before 7.0 → 9; Valkey 7.2–8.x → 11,
// 9.0 → 80, 9.2 and later → 81. It returns 0 for a version it cannot read.
func RDBVersionOf(product, version string) int {
	major, minor, ok := majorMinor(version)
	if !ok {
		return 0
	}
	if product == "valkey" {
		switch {
		case major < 9:
			return 11
		case major == 9 && minor < 2:
			return 80
		default:
			return 81
		}
	}
	switch {
	case major < 7:
		return 9
	case major == 7 && minor < 2:
		return 10
	case major == 7 && minor < 4:
		return 11
	default:
		return 12
	}
}

func majorMinor(v string) (int, int, bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// AcceptsPayload reports whether the server's FUNCTION RESTORE accepts a
// payload of version v (formats.md §7.2): Redis and Valkey up to 8 take any
// version up to their own; Valkey 9 refuses 12..79 (foreign formats). With
// an unknown server version every payload is allowed through to the server.
func (si ServerInfo) AcceptsPayload(v int) bool {
	if si.RDBVersion == 0 {
		return true
	}
	if v > si.RDBVersion {
		return false
	}
	if si.RDBVersion >= 80 && v >= 12 && v <= 79 {
		return false
	}
	return true
}

// do runs one command with the node's timeout.
func (n *Node) do(ctx context.Context, op string, args ...any) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	v, err := n.client.Do(ctx, args...).Result()
	if err != nil {
		return nil, n.nodeErr(op, err)
	}
	return v, nil
}

// DBSize returns the number of keys in the database the URL selected.
func (n *Node) DBSize(ctx context.Context) (int64, error) {
	v, err := n.do(ctx, "DBSIZE", "DBSIZE")
	if err != nil {
		return 0, err
	}
	i, ok := v.(int64)
	if !ok {
		return 0, n.nodeErr("DBSIZE", fmt.Errorf("unexpected reply %T", v))
	}
	return i, nil
}
