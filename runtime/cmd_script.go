package runtime

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"time"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/luaengine"
)

// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT, as Redis 7.0.15's eval.c:
// scripts run in a Lua state of their own (a luaengine scripts engine,
// created on first use and replaced by SCRIPT FLUSH), cached by the SHA1
// of their text, with KEYS and ARGV globals and the shebang flags of
// Redis 7 ("#!lua flags=no-writes,…"; without a shebang a script runs in
// compatibility mode).

// Redis's shared error replies for scripts.
const (
	noScriptErr = "-NOSCRIPT No matching script. Please use EVAL."
	// slowEvalErr is the reply to most commands while an EVAL script is
	// busy (busyErr is the one for functions).
	slowEvalErr = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
)

// scriptCache is Redis's lctx: the EVAL Lua state and its scripts by SHA1.
// Like everything else it is used under the execution lock.
type scriptCache struct {
	eng     *luaengine.Engine
	scripts map[string]*evalScript
	// mem is lua_scripts_mem: the SHA1s and bodies held
	mem int64
}

// evalScript is one cached script (Redis's luaScript).
type evalScript struct {
	sha  string
	body string
	// compat: no shebang (SCRIPT_FLAG_EVAL_COMPAT_MODE); flags are the
	// shebang's otherwise
	compat   bool
	flags    functions.Flags
	compiled *luaengine.Script
}

// engine returns the scripts engine, creating it on first use.
func (s *Server) scriptEngine() *luaengine.Engine {
	sc := &s.scripts
	if sc.eng == nil {
		s.cfgMu.RLock()
		tl, ml := s.conf.scriptTimeLimit, s.conf.scriptMemoryLimit
		s.cfgMu.RUnlock()
		sc.eng = luaengine.NewScripts(luaengine.Options{
			TimeLimit:   tl,
			MemoryLimit: ml,
			Version:     Version,
			Log:         s.scriptLog,
		}, s.eng)
		sc.scripts = map[string]*evalScript{}
	}
	return sc.eng
}

// close releases the scripts engine.
func (sc *scriptCache) close() {
	if sc.eng != nil {
		sc.eng.Close()
		sc.eng = nil
	}
	sc.scripts = nil
	sc.mem = 0
}

// count is number_of_cached_scripts.
func (sc *scriptCache) count() int { return len(sc.scripts) }

// memory is used_memory_scripts_eval (evalScriptsMemory), estimated with
// 64-bit sizes of Redis's structures: the SHA1s and bodies, a dict entry
// and a luaScript per script, and the dict's bucket array.
func (sc *scriptCache) memory() int64 {
	n := int64(len(sc.scripts))
	if n == 0 {
		return 0
	}
	slots := int64(4)
	for slots < n {
		slots *= 2
	}
	return sc.mem + n*(24+16) + slots*8
}

// lookup finds a cached script by SHA1, ignoring case as Redis's dict does
// (strcasecmp, up to a NUL byte).
func (sc *scriptCache) lookup(sha string) *evalScript {
	if sc.scripts == nil {
		return nil
	}
	if i := strings.IndexByte(sha, 0); i >= 0 {
		sha = sha[:i]
	}
	return sc.scripts[lowerASCII(sha)]
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// scriptShebang is evalExtractShebangFlags (library.ParseScriptShebang):
// the flags of an EVAL script's shebang, or compat when it has none; n is
// the shebang's length without its newline (the body handed to Lua starts
// at the newline, so line numbers match). msg is Redis's error for a bad
// shebang.
func scriptShebang(body string) (flags functions.Flags, compat bool, n int, msg string) {
	sb, err := library.ParseScriptShebang(body)
	if err != nil {
		return 0, false, 0, err.Error()
	}
	if !sb.Present {
		return 0, true, 0, ""
	}
	for _, name := range sb.Flags {
		f, _ := functions.ParseFlag(name)
		flags |= f
	}
	return flags, false, sb.Len, ""
}

// scriptCreate is luaCreateFunction: the cached script with this text, or
// a new one (shebang checked, then compiled; neither failure is cached).
// msg is the error reply.
func (s *Server) scriptCreate(body string) (es *evalScript, msg string) {
	sha := sha1hex(body)
	eng := s.scriptEngine()
	if es := s.scripts.scripts[sha]; es != nil {
		return es, ""
	}
	flags, compat, n, msg := scriptShebang(body)
	if msg != "" {
		return nil, msg
	}
	compiled, err := eng.CompileScript(body[n:])
	if err != nil {
		return nil, "Error compiling script (new function): " + err.Error()
	}
	es = &evalScript{sha: sha, body: body, compat: compat, flags: flags, compiled: compiled}
	s.scripts.scripts[sha] = es
	s.scripts.mem += int64(len(sha) + len(body))
	return es, ""
}

func cmdEval(s *Server, c *client, argv []string)      { s.eval(c, argv, false, false) }
func cmdEvalRO(s *Server, c *client, argv []string)    { s.eval(c, argv, false, true) }
func cmdEvalSha(s *Server, c *client, argv []string)   { s.eval(c, argv, true, false) }
func cmdEvalShaRO(s *Server, c *client, argv []string) { s.eval(c, argv, true, true) }

// scriptRunning reports whether a script or function is running: EVAL
// and SCRIPT FLUSH then refuse to run. They can only be reached from a
// script after DEBUG SET-DISABLE-DENY-SCRIPTS 1, where Redis asserts (a
// nested run) or frees the Lua state under the running script.
func (s *Server) scriptRunning(c *client, what string) bool {
	s.smu.Lock()
	r := s.running
	s.smu.Unlock()
	if r != nil {
		c.writeError("fnkit: " + what + " cannot run inside a script or function")
		return true
	}
	return false
}

// eval is evalGenericCommand (with evalShaCommand's length check first).
func (s *Server) eval(c *client, argv []string, evalsha, ro bool) {
	if c.isScript && s.scriptRunning(c, strings.ToUpper(argv[0])) {
		return
	}
	if evalsha && len(argv[1]) != 40 {
		c.writeError(noScriptErr)
		return
	}
	keys, args, ok := splitKeys(c, argv, "value is not an integer or out of range")
	if !ok {
		return
	}
	var es *evalScript
	if evalsha {
		if es = s.scripts.lookup(argv[1]); es == nil {
			c.writeError(noScriptErr)
			return
		}
	} else {
		var msg string
		if es, msg = s.scriptCreate(argv[1]); es == nil {
			c.writeError(msg)
			return
		}
	}
	// scriptPrepareForRun: the shebang's flags; compatibility mode
	// decides per command
	if !es.compat && !s.flagsAllowRun(c, es.flags, ro) {
		return
	}
	run := &scriptRun{
		s: s, caller: c, sc: s.scriptClnt, argv: argv,
		fn:       &functions.Function{Name: es.sha},
		eval:     true,
		ro:       ro || !es.compat && es.flags&functions.NoWrites != 0,
		allowOOM: !es.compat && es.flags&functions.AllowOOM != 0,
		start:    time.Now(),
	}
	run.frun = &functions.Run{Host: run, ReadOnly: run.ro, Start: run.start}
	sc := s.scriptClnt
	sc.ks.Select(c.db())
	sc.setResp3(false)
	eng := s.scripts.eng
	s.cfgMu.RLock()
	eng.SetLimits(s.conf.scriptTimeLimit, s.conf.scriptMemoryLimit)
	s.cfgMu.RUnlock()

	s.smu.Lock()
	s.running = run
	s.smu.Unlock()
	reply := eng.RunScript(run.frun, es.compiled, es.sha, keys, args)
	s.smu.Lock()
	s.running = nil
	s.setBusyLocked(false)
	s.smu.Unlock()
	s.writeScriptReply(c, reply, run.frun)
}

// evalFlags is evalGetCommandFlags: the flags of the script an EVAL
// command runs, ok false when it has no shebang (compatibility mode), is
// not cached (EVALSHA) or its shebang is refused.
func (s *Server) evalFlags(cmd *cmdtable.Command, argv []string) (flags functions.Flags, ok bool) {
	evalsha := cmd.Name == "evalsha" || cmd.Name == "evalsha_ro"
	if evalsha && len(argv[1]) != 40 {
		return 0, false
	}
	if evalsha {
		es := s.scripts.lookup(argv[1])
		if es == nil || es.compat {
			return 0, false
		}
		return es.flags, true
	}
	if es := s.scripts.lookup(sha1hex(argv[1])); es != nil {
		if es.compat {
			return 0, false
		}
		return es.flags, true
	}
	f, compat, _, msg := scriptShebang(argv[1])
	if msg != "" || compat {
		return 0, false
	}
	return f, true
}

// isEvalCommand reports whether cmd is one of the four EVAL commands.
func isEvalCommand(cmd *cmdtable.Command) bool {
	switch cmd.Name {
	case "eval", "eval_ro", "evalsha", "evalsha_ro":
		return true
	}
	return false
}

// busyError is the reply to a command refused while a script is busy:
// Redis names SCRIPT KILL for an EVAL script, FUNCTION KILL for a
// function.
func (s *Server) busyError() string {
	s.smu.Lock()
	r := s.running
	s.smu.Unlock()
	if r != nil && r.eval {
		return slowEvalErr
	}
	return busyErr
}

// killCommand is the command that kills run, as the slow script log
// names it.
func (r *scriptRun) killCommand() string {
	if r.eval {
		return "SCRIPT KILL"
	}
	return "FUNCTION KILL"
}

func cmdScriptLoad(s *Server, c *client, argv []string) {
	es, msg := s.scriptCreate(argv[2])
	if es == nil {
		c.writeError(msg)
		return
	}
	c.writeBulk(es.sha)
}

func cmdScriptExists(s *Server, c *client, argv []string) {
	out := resp.Value{Kind: resp.Array, Elems: make([]resp.Value, 0, len(argv)-2)}
	for _, sha := range argv[2:] {
		n := int64(0)
		if s.scripts.lookup(sha) != nil {
			n = 1
		}
		out.Elems = append(out.Elems, resp.Int(n))
	}
	c.writeValue(out)
}

// cmdScriptFlush is SCRIPT FLUSH: the scripts engine and its cache are
// dropped (scriptingReset); the next script gets a fresh Lua state.
func cmdScriptFlush(s *Server, c *client, argv []string) {
	if len(argv) != 2 && !(len(argv) == 3 && (strings.EqualFold(argv[2], "sync") || strings.EqualFold(argv[2], "async"))) {
		c.writeError("SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	if c.isScript && s.scriptRunning(c, "SCRIPT FLUSH") {
		return
	}
	s.scripts.close()
	c.writeOK()
}

// cmdScriptDebug is SCRIPT DEBUG. fnkit has no Lua debugger: NO is
// accepted (debugging is never on), YES and SYNC are refused; the other
// errors are Redis's.
func cmdScriptDebug(s *Server, c *client, argv []string) {
	if len(c.out) > 0 {
		c.writeError("SCRIPT DEBUG must be called outside a pipeline")
		return
	}
	switch strings.ToLower(argv[2]) {
	case "no":
		c.writeOK()
	case "yes", "sync":
		c.writeError("fnkit does not implement the Lua debugger (SCRIPT DEBUG YES|SYNC)")
	default:
		c.writeError("Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

func cmdScriptHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "SCRIPT", []string{
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	})
}

// reject is the error path of scriptCall: the command refused by a check
// of redis.call counts as a rejected call of that command
// (incrCommandStatsOnError), as INFO commandstats shows.
func (r *scriptRun) reject(cmd *cmdtable.Command, msg string) resp.Value {
	s := r.s
	s.countError("-" + msg) // afterErrorReply
	if cmd != nil {
		if st := s.stats[cmd]; st != nil {
			st.rejected.Add(1)
		}
	}
	s.errSnap.Store(s.errorCount())
	return resp.Err(msg)
}

// rejectError writes the error of a command refused before it ran, as
// Redis's rejectCommand does: EXEC refused (while a script is busy, or over
// maxmemory) discards its transaction and answers EXECABORT with the
// reason.
func (s *Server) rejectError(c *client, cmd *cmdtable.Command, msg string) {
	if cmd.Name == "exec" && c.multi != nil {
		c.multi = nil
		s.unwatchAll(c)
		c.writeError("-EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "-"))
		return
	}
	c.writeError(msg)
}
