package runtime

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/keyspace"
)

// scriptRun is one FCALL in progress: Redis's scriptRunCtx. It is the
// engine's Host: redis.call comes here.
type scriptRun struct {
	s        *Server
	caller   *client
	sc       *client
	fn       *functions.Function
	argv     []string
	ro       bool
	allowOOM bool
	dirty    atomic.Bool // a write command ran (SCRIPT_WRITE_DIRTY)
	start    time.Time
	frun     *functions.Run
	frunv    functions.Run // storage for frun
	eval     bool          // an EVAL script (fn.Name is its SHA1)
}

// Call is scriptCall: redis.call's checks, in Redis's order, then the
// command on the script client.
func (r *scriptRun) Call(argv []string, resp3 bool) resp.Value {
	s := r.s
	cmd := cmdtable.LookupArgv(argv)
	if cmd == nil {
		return r.reject(nil, "ERR Unknown Redis command called from script")
	}
	if !cmd.ArityOK(len(argv)) {
		return r.reject(cmd, "ERR Wrong number of args calling Redis command from script")
	}
	if cmd.Has(cmdtable.NoScript) && !s.debug.denyScriptsOff.Load() { // DEBUG SET-DISABLE-DENY-SCRIPTS
		return r.reject(cmd, "ERR This Redis command is not allowed from script")
	}
	if msg := s.aclScriptDenied(r.caller, cmd, argv); msg != "" {
		return r.reject(cmd, msg)
	}
	if r.ro && cmd.Flags&(cmdtable.Write|cmdtable.MayReplicate) != 0 {
		return r.reject(cmd, "ERR Write commands are not allowed from read-only scripts.")
	}
	if cmd.Has(cmdtable.Write) && !r.dirty.Load() && s.noGoodReplicas() { // scriptVerifyWriteCommandAllow
		return r.reject(cmd, noReplicasErr[1:])
	}
	if !r.allowOOM && s.preOOM && !r.dirty.Load() && cmd.Has(cmdtable.DenyOOM) && s.maxMemory() > 0 {
		return r.reject(cmd, "OOM command not allowed when used memory > 'maxmemory'.")
	}
	if cmd.Has(cmdtable.Write) {
		r.dirty.Store(true)
	}
	sc := r.sc
	sc.setResp3(resp3)
	sc.out = sc.out[:0]
	// the command's own time (TIME, stream IDs, idle times); keys' expiry
	// still stands at the time the script began
	if keyspace.ReadsClock(cmd.Name, len(argv)) {
		s.ks.SetClock(time.Now())
	}
	s.run(sc, cmd, argv)
	v, _, err := parseReply(sc.out)
	if err != nil {
		return resp.Err(fmt.Sprintf("ERR fnkit: cannot read the reply of '%s'", cmd.Name))
	}
	return v
}

// ACLCheck answers redis.acl_check_cmd for the caller's user.
func (r *scriptRun) ACLCheck(argv []string) (bool, error) {
	return r.s.aclScriptCheck(r.caller, argv)
}

// Log is redis.log.
func (r *scriptRun) Log(level int, msg string) { r.s.scriptLog(level, msg) }

// splitKeys reads argv[2] as numkeys and splits argv[3:] into keys and
// args, with the checks EVAL and FCALL share; notInt is the error for a
// numkeys that is not an integer, which the two word differently
// ("value is not an integer or out of range", "Bad number of keys
// provided"). On a bad numkeys it writes the error and returns false.
func splitKeys(c *client, argv []string, notInt string) (keys, args []string, ok bool) {
	numkeys, ok := sds.ParseLongLong(argv[2])
	if !ok {
		c.writeError(notInt)
		return nil, nil, false
	}
	if numkeys > int64(len(argv)-3) {
		c.writeError("Number of keys can't be greater than number of args")
		return nil, nil, false
	}
	if numkeys < 0 {
		c.writeError("Number of keys can't be negative")
		return nil, nil, false
	}
	return argv[3 : 3+numkeys], argv[3+numkeys:], true
}

// flagsAllowRun is scriptPrepareForRun's checks of a script's or
// function's flags: a write script through a *_RO command, without enough
// good replicas, or over maxmemory without allow-oom is refused (the
// error written, false returned).
func (s *Server) flagsAllowRun(c *client, flags functions.Flags, ro bool) bool {
	if flags&functions.NoWrites != 0 {
		return true
	}
	if ro {
		c.writeError("Can not execute a script with write flag using *_ro command.")
		return false
	}
	if s.noGoodReplicas() {
		c.writeError(noReplicasErr)
		return false
	}
	if flags&functions.AllowOOM == 0 && s.preOOM && s.maxMemory() > 0 {
		c.writeError("-OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'")
		return false
	}
	return true
}

// fcall is FCALL and FCALL_RO (fcallCommandGeneric).
func (s *Server) fcall(c *client, argv []string, ro bool) {
	fn, ok := s.reg.Current().Function(argv[1])
	if !ok {
		c.writeError("Function not found")
		return
	}
	keys, args, ok := splitKeys(c, argv, "Bad number of keys provided")
	if !ok {
		return
	}
	if !s.flagsAllowRun(c, fn.Flags, ro) {
		return
	}
	start := s.cmdStart
	if start.IsZero() {
		start = time.Now()
	}
	run := &scriptRun{
		s: s, caller: c, sc: s.scriptClnt, fn: fn, argv: argv,
		ro:       ro || fn.Flags&functions.NoWrites != 0,
		allowOOM: fn.Flags&functions.AllowOOM != 0,
		start:    start,
	}
	run.frunv = functions.Run{Host: run, ReadOnly: run.ro, Start: run.start}
	run.frun = &run.frunv
	sc := s.scriptClnt
	sc.ks.Select(c.db())
	sc.setResp3(false)

	s.smu.Lock()
	s.running = run
	s.smu.Unlock()
	reply := s.eng.Call(run.frun, fn, keys, args)
	s.smu.Lock()
	s.running = nil
	s.setBusyLocked(false)
	s.smu.Unlock()
	s.writeScriptReply(c, reply, run.frun)
}

// writeScriptReply writes what a function or script returned and counts
// its error replies as Redis does: an error carrying the
// ignore_error_stats_update mark (one a command gave redis.call or
// redis.pcall, counted when the command failed) is written without being
// counted again and makes this call a failed one; any other error reply,
// at the top or nested, is counted in errorstats.
func (s *Server) writeScriptReply(c *client, reply resp.Value, run *functions.Run) {
	marks := run.ErrorsNoStats
	run.ErrorsNoStats = nil
	i := 0
	var count func(v resp.Value)
	count = func(v resp.Value) {
		switch v.Kind {
		case resp.Error, resp.BlobError:
			if i < len(marks) && marks[i] {
				c.failedNoStats++
			} else {
				s.countError("-" + v.Str)
			}
			i++
		default:
			for _, el := range v.Elems {
				count(el)
			}
		}
	}
	if reply.IsError() {
		c.writeErrorText("-" + reply.Str)
	} else {
		c.writeValue(reply)
	}
	count(reply)
}

// functionKill is FUNCTION KILL (scriptKill).
func (s *Server) functionKill(c *client, eval bool) {
	s.smu.Lock()
	run := s.running
	s.smu.Unlock()
	if run == nil {
		c.writeError("-NOTBUSY No scripts in execution right now.")
		return
	}
	if run.dirty.Load() {
		c.writeError("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
		return
	}
	if eval != run.eval {
		// each kind is killed by its own command
		if eval {
			c.writeError(busyErr)
		} else {
			c.writeError(slowEvalErr)
		}
		return
	}
	run.frun.Stop(functions.ErrKilled)
	c.writeOK()
}
