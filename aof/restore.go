package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/library"
)

// RestoreOptions configure RestoreInto.
type RestoreOptions struct {
	// Mode is the FUNCTION RESTORE policy: APPEND (Redis's default),
	// REPLACE or FLUSH.
	Mode library.RestoreMode
	// PayloadVersion is the RDB version written in the payload's footer
	// (0: dumpfmt.DefaultTargetVersion, 10, which every Redis 7 and Valkey
	// server accepts).
	PayloadVersion int
	// Validate, when set, checks every change of the replays of the input
	// and of the output (see Validator).
	Validate Validator
	// Check, when set, checks the restore itself: the library set it
	// produces (a Lua runtime finds the function-name collisions that make
	// Redis refuse FUNCTION RESTORE, which in an AOF would be silently
	// ignored).
	Check Validator
	// Now gives the time of the "#TS:" annotation written before the
	// command when the AOF has timestamps (default time.Now).
	Now func() time.Time
	// Wrap, when set, wraps the reader of each file the replays read (for
	// a progress display; see ScanOptions.Wrap).
	Wrap func(f *File, r io.Reader) io.Reader
}

// RestoreResult describes what RestoreInto wrote.
type RestoreResult struct {
	// Output is the path written; Layout its layout (that of the input).
	Output string
	Layout Layout
	// File is the file that carries the command: a new incr file of a
	// multi-part AOF, or the single file.
	File string
	// Command is "FUNCTION RESTORE <payload> <MODE>" as people name it,
	// PayloadSize the payload's size and Offset where the command starts in
	// File.
	Command     string
	PayloadSize int
	Offset      int64
	// Before is the library set the input loads, After the set the output
	// loads (checked by replaying the written output).
	Before, After *library.Set
	// DroppedHistory lists the history files not copied (Redis never
	// loads them).
	DroppedHistory []string
}

// ErrTruncatedInput is wrapped when an AOF to restore into has a truncated
// tail: adding to it would make Redis refuse the result ("the truncated
// file is not the last file"), so it must be repaired first.
var ErrTruncatedInput = errors.New("the AOF's last file is truncated")

// RestoreInto writes a copy of the AOF a to the new path out that loads in
// Redis with the library set FUNCTION RESTORE <payload of incoming> <Mode>
// gives on top of what a loads, and with a's keyspace.
//
// The copy keeps every file Redis loads byte for byte and adds the
// FUNCTION RESTORE command after them, so Redis's own loader applies it
// last: a multi-part AOF gets a new incr file (the next sequence number)
// listed last in its manifest; a single file gets the command appended. A
// "#TS:" annotation precedes it when the AOF has timestamps. History files
// are not copied.
//
// The restore is checked first (an APPEND that would fail in Redis fails
// here with Redis's words, since a failing command in an AOF is silently
// ignored), and the written copy is replayed and must load the expected
// set before it is renamed into place. out must not exist.
func RestoreInto(a *AOF, incoming *library.Set, out string, opts RestoreOptions) (*RestoreResult, error) {
	before, err := a.Replay(ReplayOptions{Validate: opts.Validate, Scan: ScanOptions{Wrap: opts.Wrap}})
	if err != nil {
		return nil, err
	}
	if tr := before.Scan.Truncated; tr != nil {
		return nil, fmt.Errorf("aof: %s: %w at offset %d (%s): repair it first (fnkit repair)", tr.File, ErrTruncatedInput, tr.ValidUpTo, tr.What)
	}
	next, err := library.Restore(before.Libraries, incoming, opts.Mode)
	if err != nil {
		return nil, fmt.Errorf("aof: FUNCTION RESTORE into %s would fail: %w", a.Path, err)
	}
	for _, check := range []Validator{opts.Check, opts.Validate} {
		if check != nil {
			if err := check("FUNCTION RESTORE", before.Libraries, next, incoming.Libraries()); err != nil {
				return nil, fmt.Errorf("aof: FUNCTION RESTORE into %s would fail: %w", a.Path, err)
			}
		}
	}
	ver := opts.PayloadVersion
	if ver == 0 {
		ver = dumpfmt.DefaultTargetVersion
	}
	payload, err := dumpfmt.Encode(incoming, ver)
	if err != nil {
		return nil, err
	}
	mode := strings.ToUpper(opts.Mode.String())
	hasTS := false
	for _, f := range before.Scan.Files {
		if f.Timestamps > 0 {
			hasTS = true
		}
	}
	var cmd bytes.Buffer
	w := NewWriter(&cmd)
	if hasTS {
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		w.Timestamp(now().Unix())
	}
	w.Command([]byte("FUNCTION"), []byte("RESTORE"), payload, []byte(mode))
	if err := w.Flush(); err != nil {
		return nil, err
	}
	res := &RestoreResult{Output: out, Layout: a.Layout, Command: "FUNCTION RESTORE <payload> " + mode, PayloadSize: len(payload), Before: before.Libraries}
	verify := func(path string) error {
		libs, err := replayOutput(path, opts.Validate, opts.Wrap)
		if err != nil {
			return err
		}
		if !libs.Equal(next) {
			return fmt.Errorf("replaying the output gives libraries %s, want %s", libs, next)
		}
		res.After = libs
		return nil
	}
	switch a.Layout {
	case LayoutSingle:
		src := a.Files[0]
		res.File = out
		res.Offset = src.Size
		if hasTS {
			res.Offset += int64(bytes.IndexByte(cmd.Bytes(), '\n') + 1)
		}
		err = atomicfile.Write(out, atomicfile.Options{Inputs: []string{src.Path}, NoOverwrite: true, Verify: func(f *os.File) error { return verify(f.Name()) }}, func(wr io.Writer) error {
			if err := copyFileTo(wr, src.Path, src.Size); err != nil {
				return err
			}
			_, err := wr.Write(cmd.Bytes())
			return err
		})
		if errors.Is(err, atomicfile.ErrExists) {
			return nil, fmt.Errorf("aof: %s: %w (fnkit never writes over an existing path)", out, ErrOutputExists)
		}
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	// Multi-part: copy base and incr files, add one incr file.
	m := &Manifest{}
	var files []dirFile
	used := map[string]bool{}
	var maxSeq int64
	for _, e := range a.Manifest.Entries {
		used[e.Name] = true
	}
	for _, f := range a.Files {
		f := f
		m.Entries = append(m.Entries, ManifestEntry{Name: f.Name, Seq: f.Seq, Type: f.Type})
		files = append(files, dirFile{name: f.Name, fill: func(w io.Writer) error { return copyFileTo(w, f.Path, f.Size) }})
		if f.Type == TypeIncr && f.Seq > maxSeq {
			maxSeq = f.Seq
		}
	}
	for _, h := range a.History {
		res.DroppedHistory = append(res.DroppedHistory, h.Name)
	}
	seq := maxSeq + 1
	name := IncrFileName(a.AppendFileName(), seq)
	for used[name] {
		seq++
		name = IncrFileName(a.AppendFileName(), seq)
	}
	m.Entries = append(m.Entries, ManifestEntry{Name: name, Seq: seq, Type: TypeIncr})
	files = append(files,
		dirFile{name: name, fill: func(w io.Writer) error { _, err := w.Write(cmd.Bytes()); return err }},
		dirFile{name: a.AppendFileName() + ManifestSuffix, fill: func(w io.Writer) error { _, err := w.Write(AppendManifest(nil, m)); return err }},
	)
	res.File = name
	if hasTS {
		res.Offset = int64(bytes.IndexByte(cmd.Bytes(), '\n') + 1)
	}
	if err := writeDir(out, files, verify); err != nil {
		return nil, err
	}
	return res, nil
}

// IncrFileName is the name Redis gives the incr file of sequence seq:
// "<appendfilename>.<seq>.incr.aof".
func IncrFileName(appendFileName string, seq int64) string {
	return appendFileName + "." + strconv.FormatInt(seq, 10) + ".incr.aof"
}
