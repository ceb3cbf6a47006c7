package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/internal/glob"
)

// The FUNCTION family and FCALL, as Redis 7.0.15's functions.c.

func cmdFcall(s *Server, c *client, argv []string)   { s.fcall(c, argv, false) }
func cmdFcallRO(s *Server, c *client, argv []string) { s.fcall(c, argv, true) }

func registryError(err error) string {
	var fe *functions.Error
	if errors.As(err, &fe) {
		return fe.Msg
	}
	return err.Error()
}

// subcommandSyntaxError is addReplySubcommandSyntaxError.
func subcommandSyntaxError(argv []string) string {
	return fmt.Sprintf("unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.", trunc(argv[1], 128), strings.ToUpper(argv[0]))
}

func cmdFunctionLoad(s *Server, c *client, argv []string) {
	replace := false
	pos := 2
	for pos < len(argv)-1 {
		a := argv[pos]
		pos++
		if strings.EqualFold(a, "replace") {
			replace = true
			continue
		}
		c.writeError("Unknown option given: " + a)
		return
	}
	if pos >= len(argv) {
		c.writeError("Function code is missing")
		return
	}
	name, err := s.reg.Load(s.ctx, argv[pos], replace, LoadTimeout)
	s.updateCounts()
	if err != nil {
		c.writeError(registryError(err))
		return
	}
	c.writeBulk(name)
}

func cmdFunctionDelete(s *Server, c *client, argv []string) {
	err := s.reg.Delete(argv[2])
	s.updateCounts()
	if err != nil {
		c.writeError(registryError(err))
		return
	}
	c.writeOK()
}

func cmdFunctionFlush(s *Server, c *client, argv []string) {
	if len(argv) > 3 {
		c.writeError(subcommandSyntaxError(argv))
		return
	}
	if len(argv) == 3 && !strings.EqualFold(argv[2], "sync") && !strings.EqualFold(argv[2], "async") {
		c.writeError("FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	s.reg.Flush()
	s.updateCounts()
	c.writeOK()
}

func cmdFunctionList(s *Server, c *client, argv []string) {
	withCode := false
	pattern, hasPattern := "", false
	for i := 2; i < len(argv); i++ {
		a := argv[i]
		if !withCode && strings.EqualFold(a, "withcode") {
			withCode = true
			continue
		}
		if !hasPattern && strings.EqualFold(a, "libraryname") {
			if i >= len(argv)-1 {
				c.writeError("library name argument was not given")
				return
			}
			i++
			pattern, hasPattern = argv[i], true
			continue
		}
		c.writeError("Unknown argument " + a)
		return
	}
	out := resp.Value{Kind: resp.Array, Elems: []resp.Value{}}
	for _, l := range s.reg.Current().Libraries() {
		if hasPattern && !glob.Match(pattern, l.Name, true) {
			continue
		}
		fns := resp.Value{Kind: resp.Array, Elems: []resp.Value{}}
		for _, f := range l.SortedFunctions() {
			desc := resp.NullBulk()
			if f.HasDescription {
				desc = resp.Bulk(f.Description)
			}
			flags := resp.Value{Kind: resp.Set, Elems: []resp.Value{}}
			for _, n := range f.Flags.Names() {
				flags.Elems = append(flags.Elems, resp.Status(n))
			}
			fns.Elems = append(fns.Elems, resp.Value{Kind: resp.Map, Elems: []resp.Value{
				resp.Bulk("name"), resp.Bulk(f.Name),
				resp.Bulk("description"), desc,
				resp.Bulk("flags"), flags,
			}})
		}
		lib := resp.Value{Kind: resp.Map, Elems: []resp.Value{
			resp.Bulk("library_name"), resp.Bulk(l.Name),
			resp.Bulk("engine"), resp.Bulk(l.Engine.Name()),
			resp.Bulk("functions"), fns,
		}}
		if withCode {
			lib.Elems = append(lib.Elems, resp.Bulk("library_code"), resp.Bulk(l.Code))
		}
		out.Elems = append(out.Elems, lib)
	}
	c.writeValue(out)
}

// cmdFunctionStats runs without the execution lock while a function is
// busy; it reads only the script state and the counters.
func cmdFunctionStats(s *Server, c *client, argv []string) {
	running := resp.NullBulk()
	s.smu.Lock()
	if r := s.running; r != nil && r.eval {
		s.smu.Unlock()
		c.writeError(slowEvalErr)
		return
	}
	if r := s.running; r != nil {
		cmd := resp.Value{Kind: resp.Array}
		for _, a := range r.argv {
			cmd.Elems = append(cmd.Elems, resp.Bulk(a))
		}
		running = resp.Value{Kind: resp.Map, Elems: []resp.Value{
			resp.Bulk("name"), resp.Bulk(r.fn.Name),
			resp.Bulk("command"), cmd,
			resp.Bulk("duration_ms"), resp.Int(timeSinceMs(r.start)),
		}}
	}
	s.smu.Unlock()
	c.writeValue(resp.Value{Kind: resp.Map, Elems: []resp.Value{
		resp.Bulk("running_script"), running,
		resp.Bulk("engines"), {Kind: resp.Map, Elems: []resp.Value{
			resp.Bulk("LUA"), {Kind: resp.Map, Elems: []resp.Value{
				resp.Bulk("libraries_count"), resp.Int(s.libCount.Load()),
				resp.Bulk("functions_count"), resp.Int(s.funcCount.Load()),
			}},
		}},
	}})
}

func cmdFunctionKill(s *Server, c *client, argv []string) { s.functionKill(c, false) }

func cmdFunctionDump(s *Server, c *client, argv []string) {
	payload, err := dumpfmt.Encode(s.reg.Current().Set(), dumpfmt.DefaultTargetVersion)
	if err != nil {
		c.writeError(err.Error())
		return
	}
	c.writeBulk(string(payload))
}

func cmdFunctionRestore(s *Server, c *client, argv []string) {
	if len(argv) > 4 {
		c.writeError(subcommandSyntaxError(argv))
		return
	}
	policy := functions.RestoreAppend
	if len(argv) == 4 {
		p, ok := functions.ParseRestorePolicy(argv[3])
		if !ok {
			c.writeError("Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
		policy = p
	}
	codes, failure := restoreCodes([]byte(argv[2]))
	if err := s.reg.RestoreThen(s.ctx, codes, policy, 0, failure); err != nil {
		c.writeError(registryError(err))
		s.updateCounts()
		return
	}
	s.updateCounts()
	c.writeOK()
}

// restoreCodes reads the libraries of a FUNCTION RESTORE payload in
// payload order. When the payload is refused, failure is the error Redis
// gives once the libraries before the failing record were created (their
// own creation errors come first, as Redis creates each library as it
// reads it).
func restoreCodes(payload []byte) (codes []string, failure error) {
	p, err := dumpfmt.Decode(payload, "payload")
	if err == nil {
		for _, r := range p.Records {
			l, _ := p.Libraries.Get(r.Library)
			codes = append(codes, l.Code)
		}
		return codes, nil
	}
	var de *dumpfmt.Error
	if !errors.As(err, &de) {
		return nil, &functions.Error{Msg: "failed loading the given functions payload"}
	}
	failure = &functions.Error{Msg: de.Msg}
	if errors.Is(err, dumpfmt.ErrVersionOrChecksum) || errors.Is(err, dumpfmt.ErrTooShort) || errors.Is(err, dumpfmt.ErrVersion) || errors.Is(err, dumpfmt.ErrChecksum) {
		return nil, failure
	}
	// walk the records before the failing one
	body := len(payload) - dumpfmt.FooterSize
	pos := 0
	for int64(pos) < de.Offset && pos < body && payload[pos] == dumpfmt.OpFunction2 {
		code, _, size, err := rdbfmt.ParseString(payload[pos+1 : body])
		if err != nil {
			break
		}
		codes = append(codes, string(code))
		pos += 1 + size
	}
	return codes, failure
}

func cmdFunctionHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "FUNCTION", functionHelp)
}

var functionHelp = []string{
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
}

// writeHelp is addReplyHelp: a header line, the lines, and HELP.
func writeHelp(c *client, name string, lines []string) {
	out := resp.Value{Kind: resp.Array}
	out.Elems = append(out.Elems, resp.Status(name+" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))
	for _, l := range lines {
		out.Elems = append(out.Elems, resp.Status(l))
	}
	out.Elems = append(out.Elems, resp.Status("HELP"), resp.Status("    Prints this help."))
	c.writeValue(out)
}
