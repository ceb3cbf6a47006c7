package runtime

import (
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/functions"
)

// min-replicas-to-write: fnkit has no replicas, so with
// min-replicas-to-write above 0 (and min-replicas-max-lag not 0) every
// write is refused, as a Redis primary without enough good replicas
// refuses it (checkGoodReplicasStatus).

// noReplicasErr is shared.noreplicaserr.
const noReplicasErr = "-NOREPLICAS Not enough good replicas to write."

// noGoodReplicas reports whether writes are refused for want of replicas.
// (CONFIG SET keeps it in an atomic: it is read for every command.)
func (s *Server) noGoodReplicas() bool { return s.noReplicas.Load() }

// scriptFlagsOf is what fcallGetCommandFlags and evalGetCommandFlags read:
// the flags a function or an EVAL script declares. ok is false for a
// command that runs none, for an unknown function or script, and for an
// EVAL script without a shebang (compatibility mode: its commands decide).
func (s *Server) scriptFlagsOf(cmd *cmdtable.Command, argv []string) (flags functions.Flags, ok bool) {
	switch {
	case isEvalCommand(cmd):
		return s.evalFlags(cmd, argv)
	case cmd.Name == "fcall" || cmd.Name == "fcall_ro":
		f, ok := s.reg.Current().Function(argv[1])
		if !ok {
			return 0, false
		}
		return f.Flags, true
	}
	return 0, false
}

// commandFlags is getCommandFlags: the command's flags, where a function
// or a flagged EVAL script decides write and denyoom by what it declares
// (scriptFlagsToCmdFlags: write unless no-writes, denyoom unless no-writes
// or allow-oom).
func (s *Server) commandFlags(cmd *cmdtable.Command, argv []string) cmdtable.Flag {
	flags := cmd.Flags
	if sf, ok := s.scriptFlagsOf(cmd, argv); ok {
		flags &^= cmdtable.Write | cmdtable.DenyOOM
		if sf&functions.NoWrites == 0 {
			flags |= cmdtable.Write
			if sf&functions.AllowOOM == 0 {
				flags |= cmdtable.DenyOOM
			}
		}
	}
	return flags
}

// isWriteCommand is processCommand's is_write_command: the command's
// flags (commandFlags) say write, or it is EXEC of a transaction that
// queued a write.
func (s *Server) isWriteCommand(c *client, cmd *cmdtable.Command, flags cmdtable.Flag) bool {
	return flags&cmdtable.Write != 0 || cmd.Name == "exec" && c.multi != nil && c.multi.write
}
