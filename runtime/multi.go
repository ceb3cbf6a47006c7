package runtime

import (
	"strconv"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// MULTI/EXEC/DISCARD and WATCH, as Redis's multi.c: commands are queued
// (errors found before queueing abort the transaction with EXECABORT),
// EXEC runs them back to back under the execution lock, and a write to a
// watched key by anyone (a client, a function, FLUSHALL) makes EXEC reply
// a null array.

type queued struct {
	cmd  *cmdtable.Command
	argv []string
}

type multiState struct {
	queue   []queued
	dirty   bool // an error while queueing: EXECABORT
	denyOOM bool
	write   bool // a write command was queued (mstate.cmd_flags & CMD_WRITE)
}

type watchKey struct {
	db  int
	key string
}

// per-client watch state lives in the server map; a client remembers its
// keys so that UNWATCH and disconnection can remove them.
type watchState struct {
	keys  []watchKey
	dirty bool
}

// multiControl are the commands executed at once inside MULTI.
var multiControl = map[string]bool{"exec": true, "discard": true, "multi": true, "watch": true, "quit": true, "reset": true}

func (s *Server) flagTransaction(c *client) {
	if c.multi != nil {
		c.multi.dirty = true
	}
}

func cmdMulti(s *Server, c *client, argv []string) {
	if c.multi != nil {
		c.writeError("MULTI calls can not be nested")
		return
	}
	c.multi = &multiState{}
	c.writeOK()
}

func cmdDiscard(s *Server, c *client, argv []string) {
	if c.multi == nil {
		c.writeError("DISCARD without MULTI")
		return
	}
	c.multi = nil
	s.unwatchAll(c)
	c.writeOK()
}

func cmdExec(s *Server, c *client, argv []string) {
	if c.multi == nil {
		c.writeError("EXEC without MULTI")
		return
	}
	m := c.multi
	c.multi = nil
	if m.dirty {
		s.unwatchAll(c)
		c.writeError("-EXECABORT Transaction discarded because of previous errors.")
		return
	}
	s.watchMu.Lock()
	dirty := c.watch != nil && c.watch.dirty
	s.watchMu.Unlock()
	if dirty {
		s.unwatchAll(c)
		c.writeValue(resp.NullArray())
		return
	}
	s.unwatchAll(c)
	c.out = append(c.out, '*')
	c.out = strconv.AppendInt(c.out, int64(len(m.queue)), 10)
	c.out = append(c.out, '\r', '\n')
	for _, q := range m.queue {
		if msg := s.aclExecDenied(c, q.cmd, q.argv); msg != "" {
			c.writeError(msg)
			continue
		}
		s.run(c, q.cmd, q.argv)
	}
}

func cmdWatch(s *Server, c *client, argv []string) {
	if c.multi != nil {
		c.writeError("WATCH inside MULTI is not allowed")
		return
	}
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if c.watch == nil {
		c.watch = &watchState{}
	}
	for _, k := range argv[1:] {
		wk := watchKey{db: c.db(), key: k}
		seen := false
		for _, x := range c.watch.keys {
			if x == wk {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		c.watch.keys = append(c.watch.keys, wk)
		s.watched[wk] = append(s.watched[wk], c)
		s.nwatched.Add(1)
	}
	c.writeOK()
}

func cmdUnwatch(s *Server, c *client, argv []string) {
	s.unwatchAll(c)
	c.writeOK()
}

func (s *Server) unwatchAll(c *client) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if c.watch == nil {
		return
	}
	for _, wk := range c.watch.keys {
		list := s.watched[wk]
		for i, x := range list {
			if x == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.watched, wk)
		} else {
			s.watched[wk] = list
		}
		s.nwatched.Add(-1)
	}
	c.watch = nil
}

// touch marks the clients watching key in db (touchWatchedKey).
func (s *Server) touch(db int, key string) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for _, c := range s.watched[watchKey{db, key}] {
		c.watch.dirty = true
	}
}

// touchDB marks every client watching a key of db (db < 0: all dbs).
func (s *Server) touchDB(db int) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for wk, list := range s.watched {
		if db < 0 || wk.db == db {
			for _, c := range list {
				c.watch.dirty = true
			}
		}
	}
}

// touchWrite marks the watchers of the keys a write command names.
func (s *Server) touchWrite(db int, cmd *cmdtable.Command, argv []string) {
	if s.nwatched.Load() == 0 || !cmd.Has(cmdtable.Write) {
		return
	}
	for _, i := range cmd.KeyPositions(argv) {
		s.touch(db, argv[i])
	}
}
