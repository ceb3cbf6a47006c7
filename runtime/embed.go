package runtime

import (
	"github.com/fnkit/fnkit/resp"
)

// Do runs one command in-process, as a client connected to the server
// would (its own connection state persists across calls: SELECT, HELLO,
// MULTI), and returns the reply. Errors come back as error values.
func (s *Server) Do(args ...string) resp.Value {
	if len(args) == 0 {
		return resp.Err("ERR empty command")
	}
	s.doMu.Lock()
	defer s.doMu.Unlock()
	if s.doClient == nil {
		s.doClient = s.newClient(nil)
		s.doClient.authed = true
	}
	c := s.doClient
	c.out = c.out[:0]
	s.exec(c, args)
	s.unlock(c)
	v, _, err := parseReply(c.out)
	if err != nil {
		return resp.Err("ERR fnkit: malformed reply")
	}
	return v
}
