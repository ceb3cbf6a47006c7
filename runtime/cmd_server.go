package runtime

import (
	"sort"
	"strings"
	"time"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/internal/glob"
)

// Server commands: COMMAND, FLUSHALL/FLUSHDB, SHUTDOWN, SCRIPT KILL (INFO
// is in cmd_info.go, DEBUG in cmd_debug.go, CONFIG in config.go).

func timeSinceMs(t time.Time) int64 { return time.Since(t).Milliseconds() }

func cmdFlushAll(s *Server, c *client, argv []string) {
	if len(argv) > 2 || len(argv) == 2 && !strings.EqualFold(argv[1], "sync") && !strings.EqualFold(argv[1], "async") {
		c.writeError("syntax error")
		return
	}
	s.ks.FlushAll()
	s.touchDB(-1)
	c.writeOK()
}

func cmdFlushDB(s *Server, c *client, argv []string) {
	if len(argv) > 2 || len(argv) == 2 && !strings.EqualFold(argv[1], "sync") && !strings.EqualFold(argv[1], "async") {
		c.writeError("syntax error")
		return
	}
	c.writeRaw(c.ks.Do([]string{"FLUSHDB"}))
	s.touchDB(c.db())
}

func cmdShutdown(s *Server, c *client, argv []string) {
	s.smu.Lock()
	if r := s.running; r != nil {
		r.frun.Stop(functions.ErrShutdown)
	}
	s.smu.Unlock()
	select {
	case <-s.shutdownReq:
	default:
		close(s.shutdownReq)
	}
	c.closing = true
}

func cmdScriptKill(s *Server, c *client, argv []string) {
	s.smu.Lock()
	run := s.running
	s.smu.Unlock()
	if run == nil {
		c.writeError("-NOTBUSY No scripts in execution right now.")
		return
	}
	s.functionKill(c, true)
}

// COMMAND.

func cmdCommand(s *Server, c *client, argv []string) {
	out := resp.Value{Kind: resp.Array}
	for _, cmd := range cmdtable.All() {
		out.Elems = append(out.Elems, cmd.Info)
	}
	c.writeValue(out)
}

func cmdCommandCount(s *Server, c *client, argv []string) {
	c.writeInt(int64(len(cmdtable.All())))
}

func lookupFullName(name string) *cmdtable.Command {
	top, sub, hasSub := strings.Cut(strings.ToLower(name), "|")
	cmd := cmdtable.Lookup(top)
	if cmd == nil || !hasSub {
		return cmd
	}
	if cmd.Subcommands == nil {
		return nil
	}
	return cmd.Subcommands[sub]
}

func cmdCommandInfo(s *Server, c *client, argv []string) {
	if len(argv) == 2 {
		cmdCommand(s, c, argv)
		return
	}
	out := resp.Value{Kind: resp.Array}
	for _, n := range argv[2:] {
		if cmd := lookupFullName(n); cmd != nil {
			out.Elems = append(out.Elems, cmd.Info)
		} else {
			out.Elems = append(out.Elems, resp.NullBulk())
		}
	}
	c.writeValue(out)
}

func cmdCommandDocs(s *Server, c *client, argv []string) {
	docs, order := cmdtable.Docs()
	out := resp.Value{Kind: resp.Map}
	if len(argv) == 2 {
		for _, n := range order {
			out.Elems = append(out.Elems, resp.Bulk(n), docs[n])
		}
	} else {
		for _, n := range argv[2:] {
			name := strings.ToLower(n)
			if d, ok := docs[name]; ok {
				out.Elems = append(out.Elems, resp.Bulk(name), d)
			}
		}
	}
	c.writeValue(out)
}

func cmdCommandList(s *Server, c *client, argv []string) {
	filter := func(*cmdtable.Command) bool { return true }
	if len(argv) > 2 {
		if len(argv) != 5 || !strings.EqualFold(argv[2], "filterby") {
			c.writeError("syntax error")
			return
		}
		arg := argv[4]
		switch strings.ToLower(argv[3]) {
		case "module":
			filter = func(*cmdtable.Command) bool { return false }
		case "aclcat":
			filter = func(cmd *cmdtable.Command) bool {
				for _, a := range cmd.ACLCategories {
					if strings.EqualFold(strings.TrimPrefix(a, "@"), arg) {
						return true
					}
				}
				return false
			}
		case "pattern":
			filter = func(cmd *cmdtable.Command) bool { return glob.Match(arg, cmd.Name, true) }
		default:
			c.writeError("syntax error")
			return
		}
	}
	out := resp.Value{Kind: resp.Array}
	for _, cmd := range cmdtable.All() {
		if filter(cmd) {
			out.Elems = append(out.Elems, resp.Bulk(cmd.Name))
		}
		names := make([]string, 0, len(cmd.Subcommands))
		for n := range cmd.Subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if sc := cmd.Subcommands[n]; filter(sc) {
				out.Elems = append(out.Elems, resp.Bulk(sc.Name))
			}
		}
	}
	c.writeValue(out)
}

func getKeys(c *client, argv []string) ([]int, *cmdtable.Command, bool) {
	cmd := cmdtable.LookupArgv(argv[2:])
	if cmd == nil {
		c.writeError("Invalid command specified")
		return nil, nil, false
	}
	if !cmd.ArityOK(len(argv) - 2) {
		c.writeError("Invalid number of arguments specified for command")
		return nil, nil, false
	}
	keys := cmd.KeyPositions(argv[2:])
	if len(keys) == 0 {
		if len(cmd.KeySpecs) == 0 {
			c.writeError("The command has no key arguments")
		} else if cmd.Has(cmdtable.NoMandatoryKeys) {
			// EVAL s 0, FCALL f 0: no keys is a valid answer
			return keys, cmd, true
		} else {
			c.writeError("Invalid arguments specified for command")
		}
		return nil, nil, false
	}
	return keys, cmd, true
}

func cmdCommandGetKeys(s *Server, c *client, argv []string) {
	keys, _, ok := getKeys(c, argv)
	if !ok {
		return
	}
	out := resp.Value{Kind: resp.Array}
	for _, i := range keys {
		out.Elems = append(out.Elems, resp.Bulk(argv[2+i]))
	}
	c.writeValue(out)
}

func cmdCommandHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}

// cmdTTL is TTL with Redis's rounding ((ms+500)/1000), from the keyspace's
// PTTL.
func cmdTTL(s *Server, c *client, argv []string) {
	out := c.ks.Do([]string{"PTTL", argv[1]})
	v, _, err := parseReply(out)
	if err != nil || v.Kind != resp.Integer || v.Int < 0 {
		c.writeRaw(out)
		return
	}
	c.writeInt((v.Int + 500) / 1000)
}
