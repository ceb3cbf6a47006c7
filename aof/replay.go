package aof

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/library"
)

// EventKind says what happened to a library.
type EventKind string

// The kinds of library events.
const (
	// EventLoaded: a library that did not exist was created (FUNCTION LOAD,
	// a FUNCTION2 record of an RDB part).
	EventLoaded EventKind = "loaded"
	// EventReplaced: a library's code was replaced (FUNCTION LOAD REPLACE,
	// FUNCTION RESTORE with REPLACE or FLUSH over a library of that name).
	EventReplaced EventKind = "replaced"
	// EventRestored: FUNCTION RESTORE created a library.
	EventRestored EventKind = "restored"
	// EventDeleted: FUNCTION DELETE removed a library.
	EventDeleted EventKind = "deleted"
	// EventFlushed: FUNCTION FLUSH (or FUNCTION RESTORE … FLUSH) removed a
	// library; with no library to remove, one event with an empty Library.
	EventFlushed EventKind = "flushed"
	// EventFailed: Redis refuses the command (its error in Error); a
	// failing command in an AOF is ignored, so nothing changed.
	EventFailed EventKind = "failed"
	// EventDiscarded: a function command of a MULTI block that has no EXEC
	// at the end of the AOF; Redis reverts the block, so nothing changed.
	EventDiscarded EventKind = "discarded"
)

// Event is one change of the library set, or one function command that
// changed nothing. Every function command of the AOF gives at least one
// event.
type Event struct {
	Kind EventKind `json:"event"`
	// Library is the library's name ("" for a command that touched none,
	// such as FUNCTION FLUSH of an empty set).
	Library string `json:"library"`
	// Command is the command as people name it ("FUNCTION LOAD REPLACE",
	// "FUNCTION RESTORE FLUSH", "FUNCTION FLUSH ASYNC"), or "RDB" for a
	// FUNCTION2 record of an RDB part.
	Command string `json:"command"`
	// File is the file's name, Offset the command's (or record's) byte
	// offset in it, Index the command's index over the whole AOF (0 for
	// RDB records).
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	Index  int64  `json:"index"`
	// Time is the #TS: time in force (unix seconds), 0 when unknown.
	Time int64 `json:"time,omitempty"`
	// DB is the database selected when the command ran.
	DB int64 `json:"db"`
	// Before and After are the SHA-1 of the library's code before and
	// after ("" when it did not exist).
	Before string `json:"sha1_before,omitempty"`
	After  string `json:"sha1_after,omitempty"`
	// InMulti is true when the command ran inside MULTI/EXEC (applied at
	// the EXEC).
	InMulti bool `json:"in_multi,omitempty"`
	// Error is Redis's error for a failed command, or why a command was
	// discarded.
	Error string `json:"error,omitempty"`
}

// Stop says where a replay stops. The zero Stop replays everything.
type Stop struct {
	kind stopKind
	n    int64
}

type stopKind uint8

const (
	stopEnd stopKind = iota
	stopCommand
	stopTime
)

// StopAtCommand stops after the command of index n (commands are numbered
// from 1 over the whole AOF; 0 keeps only the libraries of the base's RDB
// part). A MULTI block whose EXEC comes later is not applied.
func StopAtCommand(n int64) Stop { return Stop{kind: stopCommand, n: n} }

// StopAtTime stops before the first "#TS:" annotation later than t (unix
// seconds): the commands redis-check-aof --truncate-to-timestamp t keeps.
func StopAtTime(t int64) Stop { return Stop{kind: stopTime, n: t} }

// String describes the stop point.
func (s Stop) String() string {
	switch s.kind {
	case stopCommand:
		return "after command " + strconv.FormatInt(s.n, 10)
	case stopTime:
		return "at time " + strconv.FormatInt(s.n, 10) + " (" + time.Unix(s.n, 0).UTC().Format("2006-01-02T15:04:05Z") + ")"
	}
	return "at the end"
}

// IsEnd reports whether s replays everything.
func (s Stop) IsEnd() bool { return s.kind == stopEnd }

// Validator checks a change of the library set before it is applied. It
// is where the Lua runtime plugs in what replay alone cannot know: whether
// a library compiles, registers at least one function, and whether two
// libraries register the same function name (Redis: "Function f already
// exists"). A non-nil error makes the command fail as Redis would (the
// error's text is Redis's reply without "ERR "); for an RDB record it makes
// the replay fail, as Redis refuses to load such a file.
type Validator func(command string, current, next *library.Set, changed []*library.Library) error

// ReplayOptions configure Replay.
type ReplayOptions struct {
	// Stop ends the replay early.
	Stop Stop
	// Validate, when set, checks every change (see Validator).
	Validate Validator
	// Scan passes options to Scan (a progress wrapper, for example).
	Scan ScanOptions
}

// Result is the outcome of a replay.
type Result struct {
	// Libraries is the library set at the stop point (at the end: what a
	// server loading the AOF holds).
	Libraries *library.Set
	// Events is the timeline, in order.
	Events []Event
	// Scan describes the files read.
	Scan *ScanResult
	// LastIndex is the index of the last command read before the stop
	// point (0 when none).
	LastIndex int64
	// Time is the #TS: time in force at the stop point.
	Time int64
	// Stopped is true when the replay ended at opts.Stop before the end.
	Stopped bool
}

// pendingCmd is a function command queued in a MULTI block.
type pendingCmd struct {
	isSelect bool // a SELECT queued in a MULTI block (db holds its argument)
	args     [][]byte
	file     string
	offset   int64
	index    int64
	time     int64
	db       int64
	command  string
}

// Replay applies the AOF as Redis's loader does, as far as libraries go:
// the FUNCTION2 records of RDB parts, then every FUNCTION LOAD, DELETE,
// FLUSH and RESTORE in order, with MULTI/EXEC applied as a unit at its EXEC
// (a block without EXEC at the end of the AOF is discarded) and failing
// commands ignored. It fails where Redis refuses to load (damage, a
// truncated file that is not the last, a bad RDB part); a truncated last
// file is loaded up to its last complete command, as with
// aof-load-truncated yes (see Result.Scan.Truncated).
func (a *AOF) Replay(opts ReplayOptions) (*Result, error) {
	res := &Result{Libraries: &library.Set{}}
	var (
		db      int64
		pending []pendingCmd
		inMulti bool
		ts      int64
	)
	stopAt := opts.Stop
	apply := func(p pendingCmd, inTx bool) {
		evs := a.applyCommand(res, p, opts.Validate)
		for i := range evs {
			evs[i].InMulti = inTx
		}
		res.Events = append(res.Events, evs...)
	}
	scan, err := a.Scan(ScanOptions{KeepAll: opts.Scan.KeepAll, Annotations: true, Wrap: opts.Scan.Wrap}, func(it *Item) error {
		if it.Library != nil {
			return a.applyRDBLibrary(res, it, opts.Validate)
		}
		c := it.Command
		if c.Annotation != nil {
			if t, ok := ParseTimestamp(c.Annotation); ok {
				if stopAt.kind == stopTime && t > stopAt.n {
					res.Stopped = true
					return ErrStop
				}
				ts = t
			}
			return nil
		}
		if stopAt.kind == stopCommand && c.Index > stopAt.n {
			res.Stopped = true
			return ErrStop
		}
		switch {
		case c.Is("multi"):
			inMulti, pending = true, pending[:0]
		case c.Is("exec"):
			if inMulti {
				for _, p := range pending {
					if p.isSelect {
						db = p.db
						continue
					}
					p.db = db
					apply(p, true)
				}
			}
			inMulti, pending = false, pending[:0]
		case c.Is("select"):
			if len(c.Args) >= 2 {
				n, err := strconv.ParseInt(string(c.Args[1]), 10, 64)
				if err == nil {
					if inMulti {
						pending = append(pending, pendingCmd{isSelect: true, db: n})
					} else {
						db = n
					}
				}
			}
		case c.Is("function"):
			p := pendingCmd{args: cloneArgs(c.Args), file: it.File.Name, offset: c.Offset, index: c.Index, time: c.Time, db: db, command: c.Title()}
			if inMulti {
				pending = append(pending, p)
			} else {
				apply(p, false)
			}
		}
		res.LastIndex = c.Index
		return nil
	})
	res.Scan = scan
	if err != nil {
		return res, err
	}
	res.Time = ts
	if inMulti {
		// A MULTI without EXEC: at the end of the AOF, Redis reverts it
		// ("Revert incomplete MULTI/EXEC transaction"); at a stop point it
		// has not been applied yet.
		why := "MULTI without EXEC at the end of the AOF: Redis reverts the transaction"
		if res.Stopped {
			why = "its EXEC comes after the stop point"
		}
		for _, p := range pending {
			if p.isSelect {
				continue
			}
			res.Events = append(res.Events, Event{Kind: EventDiscarded, Library: libraryNameOf(p.args), Command: p.command, File: p.file, Offset: p.offset, Index: p.index, Time: p.time, DB: p.db, InMulti: true, Error: why})
		}
	}
	return res, nil
}

func cloneArgs(args [][]byte) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = append([]byte(nil), a...)
	}
	return out
}

// libraryNameOf guesses the library a function command is about, for
// events of commands that did not run.
func libraryNameOf(args [][]byte) string {
	if len(args) < 3 {
		return ""
	}
	switch strings.ToLower(string(args[1])) {
	case "delete":
		return string(args[2])
	case "load":
		if md, err := library.ParseMetadata(string(args[len(args)-1])); err == nil {
			return md.Name
		}
	}
	return ""
}

func (a *AOF) applyRDBLibrary(res *Result, it *Item, validate Validator) error {
	lib := it.Library
	cur := res.Libraries
	if _, ok := cur.Get(lib.Name); ok {
		return fmt.Errorf("aof: %s: offset %d: Failed loading library, Library '%s' already exists (Redis refuses to load this RDB)", it.File.Path, it.Offset, lib.Name)
	}
	next := cur.Clone()
	next.Put(lib)
	if validate != nil {
		if err := validate("RDB", cur, next, []*library.Library{lib}); err != nil {
			return fmt.Errorf("aof: %s: offset %d: Failed loading library, %v (Redis refuses to load this RDB)", it.File.Path, it.Offset, err)
		}
	}
	res.Libraries = next
	res.Events = append(res.Events, Event{Kind: EventLoaded, Library: lib.Name, Command: "RDB", File: it.File.Name, Offset: it.Offset, After: lib.SHA1()})
	return nil
}

// applyCommand runs one queued or direct command against res.Libraries
// and returns its events.
func (a *AOF) applyCommand(res *Result, p pendingCmd, validate Validator) []Event {
	ev := Event{Command: p.command, File: p.file, Offset: p.offset, Index: p.index, Time: p.time, DB: p.db}
	args := p.args
	fail := func(msg string) []Event {
		ev.Kind, ev.Error, ev.Library = EventFailed, msg, libraryNameOf(args)
		if l, ok := res.Libraries.Get(ev.Library); ok {
			ev.Before, ev.After = l.SHA1(), l.SHA1()
		}
		return []Event{ev}
	}
	if len(args) < 2 {
		return fail("wrong number of arguments for 'function' command")
	}
	cur := res.Libraries
	commit := func(next *library.Set, changed []*library.Library, evs []Event) []Event {
		if validate != nil {
			if err := validate(ev.Command, cur, next, changed); err != nil {
				return fail(err.Error())
			}
		}
		res.Libraries = next
		return evs
	}
	sub := strings.ToLower(string(args[1]))
	switch sub {
	case "load":
		replace := false
		pos := 2
		for pos < len(args)-1 {
			opt := string(args[pos])
			pos++
			if strings.EqualFold(opt, "replace") {
				replace = true
				continue
			}
			return fail("Unknown option given: " + cString(opt))
		}
		if pos >= len(args) {
			return fail("Function code is missing")
		}
		if replace {
			ev.Command = "FUNCTION LOAD REPLACE"
		}
		lib, err := library.New(string(args[pos]), library.Origin{Path: a.originPath(p.file), Format: "aof", Offset: p.offset})
		if err != nil {
			return fail(err.Error())
		}
		ev.Library = lib.Name
		old, exists := cur.Get(lib.Name)
		if exists && !replace {
			return fail(fmt.Sprintf("Library '%s' already exists", lib.Name))
		}
		next := cur.Clone()
		next.Put(lib)
		ev.Kind, ev.After = EventLoaded, lib.SHA1()
		if exists {
			ev.Kind, ev.Before = EventReplaced, old.SHA1()
		}
		return commit(next, []*library.Library{lib}, []Event{ev})
	case "delete":
		if len(args) < 3 {
			return fail("wrong number of arguments for 'function|delete' command")
		}
		name := string(args[2])
		ev.Library = name
		old, ok := cur.Get(name)
		if !ok {
			return fail("Library not found")
		}
		next := cur.Clone()
		next.Delete(name)
		ev.Kind, ev.Before = EventDeleted, old.SHA1()
		return commit(next, nil, []Event{ev})
	case "flush":
		if len(args) > 3 {
			return fail("unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.")
		}
		if len(args) == 3 {
			mode := string(args[2])
			if !strings.EqualFold(mode, "sync") && !strings.EqualFold(mode, "async") {
				return fail("FUNCTION FLUSH only supports SYNC|ASYNC option")
			}
			ev.Command = "FUNCTION FLUSH " + strings.ToUpper(mode)
		}
		var evs []Event
		for _, l := range cur.Libraries() {
			e := ev
			e.Kind, e.Library, e.Before = EventFlushed, l.Name, l.SHA1()
			evs = append(evs, e)
		}
		if len(evs) == 0 {
			ev.Kind = EventFlushed
			evs = []Event{ev}
		}
		return commit(&library.Set{}, nil, evs)
	case "restore":
		if len(args) > 4 {
			return fail("unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.")
		}
		if len(args) < 3 {
			return fail("wrong number of arguments for 'function|restore' command")
		}
		mode := library.RestoreAppend
		if len(args) == 4 {
			m, err := library.ParseRestoreMode(cString(string(args[3])))
			if err != nil {
				return fail(err.Error())
			}
			mode = m
			ev.Command = "FUNCTION RESTORE " + strings.ToUpper(mode.String())
		}
		payload, err := dumpfmt.Decode(args[2], fmt.Sprintf("%s@%d", p.file, p.offset))
		if err != nil {
			var de *dumpfmt.Error
			if errors.As(err, &de) {
				return fail(de.RedisError())
			}
			return fail(err.Error())
		}
		incoming := &library.Set{}
		for _, l := range payload.Libraries.Libraries() {
			c := *l
			c.Origin = library.Origin{Path: a.originPath(p.file), Format: "aof", Offset: p.offset}
			incoming.Put(&c)
		}
		next, err := library.Restore(cur, incoming, mode)
		if err != nil {
			return fail(err.Error())
		}
		var evs []Event
		for _, l := range incoming.Libraries() {
			e := ev
			e.Library, e.Kind, e.After = l.Name, EventRestored, l.SHA1()
			if old, ok := cur.Get(l.Name); ok {
				e.Kind, e.Before = EventReplaced, old.SHA1()
			}
			evs = append(evs, e)
		}
		if mode == library.RestoreFlush {
			for _, l := range cur.Libraries() {
				if _, ok := incoming.Get(l.Name); !ok {
					e := ev
					e.Kind, e.Library, e.Before = EventFlushed, l.Name, l.SHA1()
					evs = append(evs, e)
				}
			}
		}
		if len(evs) == 0 {
			ev.Kind = EventRestored
			evs = []Event{ev}
		}
		return commit(next, incoming.Libraries(), evs)
	case "list", "stats", "dump", "kill", "help":
		return nil // read-only; never written to an AOF, harmless if there
	}
	return fail(fmt.Sprintf("unknown subcommand '%s'. Try FUNCTION HELP.", cString(string(args[1]))))
}

func (a *AOF) originPath(name string) string {
	for _, f := range a.Files {
		if f.Name == name {
			return f.Path
		}
	}
	return name
}

// replayOutput replays an AOF that repair or restore has just written, as
// the check before it replaces the target: the libraries it gives, or an
// error when it does not replay whole (a truncated tail included).
func replayOutput(path string, validate Validator, wrap func(*File, io.Reader) io.Reader) (*library.Set, error) {
	a, err := Open(path)
	if err != nil {
		return nil, err
	}
	got, err := a.Replay(ReplayOptions{Validate: validate, Scan: ScanOptions{Wrap: wrap}})
	if err != nil {
		return nil, err
	}
	if got.Scan.Truncated != nil {
		return nil, got.Scan.Truncated
	}
	return got.Libraries, nil
}
