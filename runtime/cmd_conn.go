package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/resp"
)

// Connection commands: HELLO, AUTH, SELECT, QUIT, RESET and CLIENT, as
// Redis 7.0's networking.c and server.c.

func cmdHello(s *Server, c *client, argv []string) {
	var ver int64
	next := 1
	if len(argv) >= 2 {
		v, ok := sds.ParseLongLong(argv[1])
		if !ok {
			c.writeError("Protocol version is not an integer or out of range")
			return
		}
		next = 2
		if v < 2 || v > 3 {
			c.writeError("-NOPROTO unsupported protocol version")
			return
		}
		ver = v
	}
	for j := next; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		switch {
		case strings.EqualFold(opt, "AUTH") && more >= 2:
			if !s.authenticate(c, argv[j+1], argv[j+2], argv[0]) {
				c.writeError("-WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			j += 2
		case strings.EqualFold(opt, "SETNAME") && more >= 1:
			if !c.setName(argv[j+1]) {
				return
			}
			j++
		default:
			c.writeError(fmt.Sprintf("Syntax error in HELLO option '%s'", opt))
			return
		}
	}
	if !c.authed {
		c.writeError("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if ver != 0 {
		c.setResp3(ver == 3)
	}
	proto := int64(2)
	if c.resp3 {
		proto = 3
	}
	c.writeValue(resp.Value{Kind: resp.Map, Elems: []resp.Value{
		resp.Bulk("server"), resp.Bulk("redis"),
		resp.Bulk("version"), resp.Bulk(Version),
		resp.Bulk("proto"), resp.Int(proto),
		resp.Bulk("id"), resp.Int(c.id),
		resp.Bulk("mode"), resp.Bulk("standalone"),
		resp.Bulk("role"), resp.Bulk("master"),
		resp.Bulk("modules"), resp.Arr(),
	}})
}

func cmdAuth(s *Server, c *client, argv []string) {
	if len(argv) > 3 {
		c.writeError("syntax error")
		return
	}
	user, pass := "default", ""
	if len(argv) == 2 {
		if s.defaultNoPass() {
			c.writeError("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return
		}
		pass = argv[1]
	} else {
		user, pass = argv[1], argv[2]
	}
	if s.authenticate(c, user, pass, argv[0]) {
		c.writeOK()
		return
	}
	c.writeError("-WRONGPASS invalid username-password pair or user is disabled.")
}

func cmdSelect(s *Server, c *client, argv []string) {
	id, ok := sds.ParseLongLong(argv[1])
	if !ok || id < -1<<31 || id > 1<<31-1 {
		c.writeError("value is not an integer or out of range")
		return
	}
	if id < 0 || id >= int64(s.ks.Databases()) {
		c.writeError("DB index is out of range")
		return
	}
	c.ks.Select(int(id))
	c.writeOK()
}

func cmdQuit(s *Server, c *client, argv []string) {
	c.writeOK()
	c.closing = true
}

func cmdReset(s *Server, c *client, argv []string) {
	c.multi = nil
	s.unwatchAll(c)
	c.ks.Select(0)
	c.setResp3(false)
	c.name = ""
	s.setDefaultAuth(c)
	c.writeStatus("RESET")
}

// setName is clientSetNameOrReply.
func (c *client) setName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			c.writeError("Client names cannot contain spaces, newlines or special characters.")
			return false
		}
	}
	c.name = name
	return true
}

func cmdClientID(s *Server, c *client, argv []string) { c.writeInt(c.id) }

func cmdClientSetName(s *Server, c *client, argv []string) {
	if c.setName(argv[2]) {
		c.writeOK()
	}
}

func cmdClientGetName(s *Server, c *client, argv []string) {
	if c.name == "" {
		c.writeNull()
		return
	}
	c.writeBulk(c.name)
}

// info is the client's line of CLIENT LIST / CLIENT INFO.
func (c *client) info() string {
	flags := "N"
	if c.multi != nil {
		flags = "x"
	}
	multi := -1
	if c.multi != nil {
		multi = len(c.multi.queue)
	}
	proto := 2
	if c.resp3 {
		proto = 3
	}
	now := time.Now()
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=8 name=%s age=%d idle=0 flags=%s db=%d sub=0 psub=0 ssub=0 multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=%s redir=-1 resp=%d",
		c.id, c.addr, c.laddr, c.name, int(now.Sub(c.created).Seconds()), flags, c.db(), multi, c.lastCmd, c.userName(), proto)
}

func cmdClientInfo(s *Server, c *client, argv []string) {
	c.writeValue(resp.Value{Kind: resp.Verbatim, Format: "txt", Str: c.info() + "\n"})
}

func cmdClientList(s *Server, c *client, argv []string) {
	var ids map[int64]bool
	for i := 2; i < len(argv); i++ {
		switch {
		case strings.EqualFold(argv[i], "type") && i+1 < len(argv):
			t := strings.ToLower(argv[i+1])
			if t != "normal" && t != "master" && t != "replica" && t != "slave" && t != "pubsub" {
				c.writeError("Unknown client type '" + argv[i+1] + "'")
				return
			}
			i++
		case strings.EqualFold(argv[i], "id") && i+1 < len(argv):
			ids = map[int64]bool{}
			for j := i + 1; j < len(argv); j++ {
				id, ok := sds.ParseLongLong(argv[j])
				if !ok || id <= 0 {
					c.writeError("Invalid client ID")
					return
				}
				ids[id] = true
			}
			i = len(argv)
		default:
			c.writeError("syntax error")
			return
		}
	}
	var b strings.Builder
	for _, cl := range s.clientList() {
		if ids != nil && !ids[cl.id] {
			continue
		}
		b.WriteString(cl.info())
		b.WriteByte('\n')
	}
	c.writeValue(resp.Value{Kind: resp.Verbatim, Format: "txt", Str: b.String()})
}

func (s *Server) clientList() []*client {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	out := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].id < out[j-1].id; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func cmdClientKill(s *Server, c *client, argv []string) {
	if len(argv) == 3 {
		// old form: CLIENT KILL addr:port
		for _, cl := range s.clientList() {
			if cl.addr == argv[2] {
				cl.closing = true
				if cl.conn != nil {
					cl.conn.Close()
				}
				c.writeOK()
				return
			}
		}
		c.writeError("No such client")
		return
	}
	killed := 0
	var id int64 = -1
	addr, laddr := "", ""
	skipme := true
	for i := 2; i+1 < len(argv); i += 2 {
		v := argv[i+1]
		switch strings.ToLower(argv[i]) {
		case "id":
			n, ok := sds.ParseLongLong(v)
			if !ok || n <= 0 {
				c.writeError("client-id should be greater than 0")
				return
			}
			id = n
		case "addr":
			addr = v
		case "laddr":
			laddr = v
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				skipme = true
			case "no":
				skipme = false
			default:
				c.writeError("syntax error")
				return
			}
		case "type", "user", "maxage":
		default:
			c.writeError("syntax error")
			return
		}
	}
	if (len(argv)-2)%2 != 0 {
		c.writeError("syntax error")
		return
	}
	for _, cl := range s.clientList() {
		if id > 0 && cl.id != id || addr != "" && cl.addr != addr || laddr != "" && cl.laddr != laddr {
			continue
		}
		if cl == c && skipme {
			continue
		}
		killed++
		cl.closing = true
		if cl.conn != nil && cl != c {
			cl.conn.Close()
		}
	}
	c.writeInt(int64(killed))
}

func cmdClientNoEvict(s *Server, c *client, argv []string) {
	switch strings.ToLower(argv[2]) {
	case "on", "off":
		c.writeOK()
	default:
		c.writeError("syntax error")
	}
}

func cmdClientHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "CLIENT", []string{
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"LIST [options ...]",
		"    Return information about client connections.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
