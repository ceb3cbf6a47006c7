package runtime

import (
	"fmt"
	"strings"
	"time"

	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// handler runs one command for c and writes its reply to c.out.
type handler func(s *Server, c *client, argv []string)

// handlers maps a command's full name ("get", "function|load") to its
// implementation. Commands without a handler that the keyspace implements
// go to the keyspace.
var handlers map[string]handler

// notKeyspace lists commands the keyspace implements but the server must
// answer itself (or refuse): they are about connections, the server or
// scripting, not data.
var notKeyspace = map[string]bool{
	"auth": true, "hello": true, "quit": true, "select": true, "client": true,
	"eval": true, "eval_ro": true, "evalsha": true, "evalsha_ro": true, "script": true,
	"multi": true, "exec": true, "discard": true, "watch": true, "unwatch": true,
	"command": true, "info": true, "config": true, "cluster": true, "wait": true,
	"subscribe": true, "unsubscribe": true, "psubscribe": true, "punsubscribe": true,
	"swapdb": true, "memory": true,
}

// busyErr is the reply to most commands while a function is busy.
const busyErr = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."

// exec runs one command for a connection, checking as Redis's
// processCommand does: existence, arity, authentication, the busy script,
// memory, MULTI queueing; then the command.
func (s *Server) exec(c *client, argv []string) {
	s.totalCmds.Add(1)
	cmd := cmdtable.LookupArgv(argv)
	if cmd == nil {
		c.writeError(unknownCommandError(argv))
		s.flagTransaction(c)
		s.reject(nil)
		return
	}
	c.lastCmd = cmd.Name
	if !cmd.ArityOK(len(argv)) {
		c.writeError(fmt.Sprintf("wrong number of arguments for '%s' command", cmd.Name))
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if cmd.Name == "debug" && !s.debugAllowed(c) {
		c.writeError(debugNotAllowed)
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if !c.authed && s.authRequired(c) && !cmd.Has(cmdtable.NoAuth) {
		c.writeError("-NOAUTH Authentication required.")
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if c.multi != nil && cmd.Has(cmdtable.NoMulti) {
		c.writeError("Command not allowed inside a transaction")
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if msg := s.aclDenied(c, cmd, argv); msg != "" {
		c.writeError(msg)
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if !c.locked {
		if !s.acquire() {
			// a function is busy: only allow-busy commands run, without
			// the lock
			if !cmd.Has(cmdtable.AllowBusy) {
				s.rejectError(c, cmd, s.busyError())
				s.flagTransaction(c)
				s.reject(cmd)
				return
			}
			s.run(c, cmd, argv)
			return
		}
		// the caller releases the lock (unlock) once the commands already
		// in the client's buffer have run, as Redis runs a client's whole
		// query buffer
		c.locked = true
	}
	now := time.Now()
	s.ks.SetClock(now)
	if cmd.Name != "debug" { // DEBUG sees keys as they are, as Redis's dictFind
		s.ks.TickAt(now)
	}
	if oom, denied := s.checkOOM(c, cmd, argv); oom && denied {
		s.rejectError(c, cmd, "-OOM command not allowed when used memory > 'maxmemory'.")
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if s.noGoodReplicas() && s.isWriteCommand(c, cmd, s.commandFlags(cmd, argv)) {
		s.rejectError(c, cmd, noReplicasErr)
		s.flagTransaction(c)
		s.reject(cmd)
		return
	}
	if c.multi != nil && !multiControl[cmd.Name] {
		c.multi.queue = append(c.multi.queue, queued{cmd: cmd, argv: argv})
		flags := s.commandFlags(cmd, argv)
		if flags&cmdtable.Write != 0 {
			c.multi.write = true
		}
		if flags&cmdtable.DenyOOM != 0 {
			c.multi.denyOOM = true
		}
		c.writeStatus("QUEUED")
		return
	}
	s.runAt(c, cmd, argv, now)
}

// run calls the command and keeps its statistics.
func (s *Server) run(c *client, cmd *cmdtable.Command, argv []string) {
	var start time.Time
	if !c.isScript {
		start = time.Now()
	}
	s.runAt(c, cmd, argv, start)
}

// runAt is run of a command that began at start. Commands a function runs
// (start is zero) are counted but not timed: a clock read costs more than
// most of them (and the microseconds Redis reports are mostly 0 for them).
func (s *Server) runAt(c *client, cmd *cmdtable.Command, argv []string, start time.Time) {
	// incrCommandStatsOnError(NULL, 0): a command failed when an error was
	// counted since it began or since the last command it ran ended
	s.errSnap.Store(s.errorCount())
	db := c.db()
	if c.locked {
		s.cmdStart = start
	}
	s.call(c, cmd, argv)
	if c.locked {
		s.cmdStart = time.Time{}
	}
	var d time.Duration
	if !start.IsZero() {
		d = time.Since(start)
	}
	failed := c.failedNoStats
	c.failedNoStats = 0
	if n := s.errorCount(); n != s.errSnap.Load() {
		failed++
		s.errSnap.Store(n)
	}
	s.record(cmd, d, failed)
	if s.nwatched.Load() > 0 && cmd.Has(cmdtable.Write) {
		s.touchWrite(db, cmd, argv)
	}
}

// call runs a command that passed every check.
func (s *Server) call(c *client, cmd *cmdtable.Command, argv []string) {
	s.dispatchFor(cmd)(s, c, argv)
}

// dispatchFor returns the implementation of a command: its handler, the
// keyspace, or a refusal (computed for every command by buildDispatch).
func (s *Server) dispatchFor(cmd *cmdtable.Command) handler {
	if cmd.ID < len(s.dispatch) {
		if h := s.dispatch[cmd.ID]; h != nil {
			return h
		}
	}
	return s.chooseHandler(cmd)
}

// buildDispatch fills the dispatch table; it is read-only afterwards.
func (s *Server) buildDispatch() {
	s.dispatch = make([]handler, cmdtable.NumIDs())
	s.statByID = make([]*cmdStat, cmdtable.NumIDs())
	for _, c := range cmdtable.All() {
		s.dispatch[c.ID] = s.chooseHandler(c)
		s.stats[c] = &cmdStat{}
		s.statByID[c.ID] = s.stats[c]
		for _, sc := range c.Subcommands {
			s.dispatch[sc.ID] = s.chooseHandler(sc)
			s.stats[sc] = &cmdStat{}
			s.statByID[sc.ID] = s.stats[sc]
		}
	}
}

func (s *Server) chooseHandler(cmd *cmdtable.Command) handler {
	h := handlers[cmd.Name]
	top := cmd
	if top.Parent != nil {
		top = top.Parent
	}
	if h == nil {
		h = handlers[top.Name]
	}
	if h == nil && !notKeyspace[top.Name] && s.ks.Implements(top.Name) {
		h = keyspaceHandler
		if cmd.Has(cmdtable.Blocking) {
			h = nonBlockingHandler // blocking.go
		}
	}
	if h == nil {
		msg := fmt.Sprintf("fnkit does not implement the '%s' command", cmd.Name)
		h = func(s *Server, c *client, argv []string) { c.writeError(msg) }
	}
	return h
}

// keyspaceHandler passes a command to the keyspace.
func keyspaceHandler(s *Server, c *client, argv []string) { s.writeKeyspaceReply(c, c.ks.Do(argv)) }

// unknownCommandError is commandCheckExistence's message.
func unknownCommandError(argv []string) string {
	if c := cmdtable.Lookup(argv[0]); c != nil && c.Subcommands != nil && len(argv) >= 2 {
		return fmt.Sprintf("unknown subcommand '%s'. Try %s HELP.", trunc(argv[1], 128), strings.ToUpper(argv[0]))
	}
	var args strings.Builder
	for i := 1; i < len(argv) && args.Len() < 128; i++ {
		a := argv[i]
		if room := 128 - args.Len(); len(a) > room {
			a = a[:room]
		}
		args.WriteString("'" + a + "' ")
	}
	return fmt.Sprintf("unknown command '%s', with args beginning with: %s", trunc(argv[0], 128), args.String())
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// acquire takes the execution lock. It returns false, without the lock,
// when a function has been running longer than busy-reply-threshold. No
// timer runs for an uncontended function: a client that waits for the lock
// while a function runs watches the threshold itself and marks the server
// busy when it passes (logging Redis's "Slow script detected").
func (s *Server) acquire() bool {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		s.smu.Lock()
		busy, ch, run := s.busy, s.changed, s.running
		s.smu.Unlock()
		if busy {
			return false
		}
		select {
		case s.sem <- struct{}{}:
			return true
		default:
		}
		var deadline <-chan time.Time
		if run != nil {
			s.cfgMu.RLock()
			threshold := s.conf.busyReplyThreshold
			s.cfgMu.RUnlock()
			if threshold > 0 {
				remaining := time.Until(run.start.Add(threshold))
				if remaining <= 0 {
					s.markBusy(run)
					continue
				}
				if timer == nil {
					timer = time.NewTimer(remaining)
				} else {
					timer.Reset(remaining)
				}
				deadline = timer.C
			}
		}
		select {
		case s.sem <- struct{}{}:
			return true
		case <-ch:
		case <-deadline:
			s.markBusy(run)
		}
	}
}

// markBusy marks the server busy if run is still the running function.
func (s *Server) markBusy(run *scriptRun) {
	s.smu.Lock()
	if s.running != run || s.busy {
		s.smu.Unlock()
		return
	}
	s.setBusyLocked(true)
	s.smu.Unlock()
	s.logf(levelWarning, "Slow script detected: still in execution after %d milliseconds. You can try killing the script using the %s command. Script name is: %s.", time.Since(run.start).Milliseconds(), run.killCommand(), run.fn.Name)
}

func (s *Server) release() { <-s.sem }

// unlock releases the execution lock if c holds it.
func (s *Server) unlock(c *client) {
	if c.locked {
		c.locked = false
		s.release()
	}
}

// setBusy changes the busy state and wakes every waiting client.
func (s *Server) setBusyLocked(b bool) {
	if s.busy == b {
		return
	}
	s.busy = b
	close(s.changed)
	s.changed = make(chan struct{})
}

// checkOOM is processCommand's maxmemory check: it records whether the
// server is over maxmemory (for scripts) and whether this command is denied.
func (s *Server) checkOOM(c *client, cmd *cmdtable.Command, argv []string) (oom, denied bool) {
	max := s.maxMemory()
	if max <= 0 {
		s.preOOM = false
		return false, false
	}
	oom = s.usedMemory() > max
	s.preOOM = oom
	if !oom {
		return false, false
	}
	deny := s.commandFlags(cmd, argv)&cmdtable.DenyOOM != 0
	if cmd.Name == "exec" && c.multi != nil && c.multi.denyOOM {
		deny = true
	}
	if c.multi != nil && !oomInMulti[cmd.Name] {
		deny = true
	}
	return true, deny
}

// oomInMulti are the commands processCommand does not refuse inside MULTI
// when over maxmemory (EXEC only unless it queued a denyoom command).
var oomInMulti = map[string]bool{"exec": true, "discard": true, "quit": true, "reset": true}

// maxMemory returns the maxmemory setting (0: none).
func (s *Server) maxMemory() int64 {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.conf.maxmemory
}

// Statistics: per-command counters, allocated once (see buildDispatch)
// and updated with atomics, so that no lock is taken per command.

// record counts a call of cmd that took d, and its failures: one when an
// error reply was counted during it, one for each error reply written
// without being counted (afterErrorReply's ERR_REPLY_FLAG_NO_STATS_UPDATE
// branch).
func (s *Server) record(cmd *cmdtable.Command, d time.Duration, failed int64) {
	if cmd.ID >= len(s.statByID) || s.statByID[cmd.ID] == nil {
		return
	}
	st := s.statByID[cmd.ID]
	st.calls.Add(1)
	st.usec.Add(d.Microseconds())
	if failed > 0 {
		st.failed.Add(failed)
		s.failed.Add(failed)
	}
}

func (s *Server) reject(cmd *cmdtable.Command) {
	if st := s.stats[cmd]; st != nil {
		st.rejected.Add(1)
	}
	s.rejected.Add(1)
}

func (s *Server) countError(msg string) {
	code := "ERR"
	if strings.HasPrefix(msg, "-") {
		code = msg[1:]
		if i := strings.IndexByte(code, ' '); i >= 0 {
			code = code[:i]
		}
	}
	s.statsMu.Lock()
	s.errStats[code]++
	s.statsMu.Unlock()
	s.errTotal.Add(1)
}

func (s *Server) errorCount() int64 { return s.errTotal.Load() }
