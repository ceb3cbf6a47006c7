package remote

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultPort is the port a URL without one connects to.
const DefaultPort = 6379

// ErrURL is wrapped by every error ParseURL returns.
var ErrURL = errors.New("invalid server URL")

// URL is a parsed redis:// or rediss:// address:
//
//	redis://[[user]:password@]host[:port][/db]
//	rediss://…   (the same over TLS)
//
// A password alone ("redis://:secret@host") authenticates the default user,
// as AUTH <password> does; "user:password" is an ACL login (AUTH user
// password). As with redis-cli, a lone "redis://secret@host" is a password.
// Percent-escapes are decoded in the user and the password.
type URL struct {
	// TLS is true for rediss://.
	TLS bool
	// Host is a host name or IP address (IPv6 without brackets).
	Host string
	// Port is the TCP port (DefaultPort when the URL names none).
	Port int
	// Username is the ACL user, or "" for the default user.
	Username string
	// Password is the password, or "" to connect without AUTH.
	Password string
	// HasPassword distinguishes an empty password given in the URL
	// ("redis://user:@host") from none.
	HasPassword bool
	// DB is the database number selected after connecting (SELECT).
	// Functions are server-wide; the database only matters to sources that
	// read keys.
	DB int
}

// IsURL reports whether s names a live server (redis:// or rediss://,
// scheme case-insensitive) rather than a file.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "redis://") || strings.HasPrefix(l, "rediss://")
}

// ParseURL parses a redis:// or rediss:// URL. Errors wrap ErrURL, quote the
// URL with its password hidden and say what was expected.
func ParseURL(s string) (*URL, error) {
	fail := func(format string, args ...any) (*URL, error) {
		return nil, fmt.Errorf("%w %q: %s", ErrURL, redactRaw(s), fmt.Sprintf(format, args...))
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return fail("expected redis://host:port or rediss://host:port")
	}
	u := &URL{Port: DefaultPort}
	switch strings.ToLower(scheme) {
	case "redis":
	case "rediss":
		u.TLS = true
	default:
		return fail("unknown scheme %q, expected redis or rediss", scheme)
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return fail("query parameters and fragments are not supported (use command flags for TLS and timeouts)")
	}
	authority, path, _ := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		var err error
		if u.Username, err = url.PathUnescape(user); err != nil {
			return fail("bad percent-escape in the user name")
		}
		if hasPass {
			if u.Password, err = url.PathUnescape(pass); err != nil {
				return fail("bad percent-escape in the password")
			}
			u.HasPassword = true
		} else {
			// "redis://secret@host": redis-cli reads a lone userinfo as
			// the password of the default user; so do we.
			u.Password, u.Username, u.HasPassword = u.Username, "", true
		}
	}
	if authority == "" {
		return fail("no host")
	}
	host, port := authority, ""
	switch {
	case strings.HasPrefix(authority, "["):
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return fail("missing ']' after the IPv6 address")
		}
		host = authority[1:end]
		tail := authority[end+1:]
		if tail != "" {
			if !strings.HasPrefix(tail, ":") {
				return fail("expected ':port' after ']', found %q", tail)
			}
			port = tail[1:]
			if port == "" {
				return fail("empty port")
			}
		}
	case strings.Count(authority, ":") > 1:
		return fail("write an IPv6 address in brackets: [%s]", authority)
	default:
		var hasPort bool
		host, port, hasPort = strings.Cut(authority, ":")
		if hasPort && port == "" {
			return fail("empty port")
		}
	}
	if host == "" {
		return fail("no host")
	}
	if strings.ContainsAny(host, " \t\r\n/\\") {
		return fail("bad host %q", host)
	}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 || port[0] == '+' || port[0] == '-' {
			return fail("port %q is not a number from 1 to 65535", port)
		}
		u.Port = p
	}
	u.Host = host
	if path != "" {
		db, err := strconv.Atoi(path)
		if err != nil || db < 0 || path[0] == '+' || path[0] == '-' || len(path) > 9 {
			return fail("database %q is not a number (expected /0, /1, …)", path)
		}
		u.DB = db
	}
	return u, nil
}

// Addr returns host:port, the form Redis uses in its replies and logs.
func (u *URL) Addr() string {
	return net.JoinHostPort(u.Host, strconv.Itoa(u.Port))
}

// String returns the URL with the password replaced by "***", safe for
// reports and logs. The port is always written, the database only when it
// is not 0.
func (u *URL) String() string {
	var b strings.Builder
	if u.TLS {
		b.WriteString("rediss://")
	} else {
		b.WriteString("redis://")
	}
	if u.Username != "" || u.HasPassword {
		b.WriteString(url.PathEscape(u.Username))
		b.WriteString(":***@")
	}
	b.WriteString(u.Addr())
	if u.DB != 0 {
		fmt.Fprintf(&b, "/%d", u.DB)
	}
	return b.String()
}

// WithAddr returns a copy of u pointing at another host:port with the same
// scheme, credentials and database: how cluster nodes discovered from a seed
// are reached.
func (u *URL) WithAddr(host string, port int) *URL {
	c := *u
	c.Host, c.Port = host, port
	return &c
}

// redactRaw hides the password of a URL that may not parse.
func redactRaw(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(authority[:at], ":")
	out := scheme + "://"
	if hasPass {
		out += user + ":***"
	} else {
		out += "***" // a lone userinfo is a password
	}
	out += authority[at:]
	if hasPath {
		out += "/" + path
	}
	return out
}
