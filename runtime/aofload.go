package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// AOFLoadStats says what LoadAOF loaded.
type AOFLoadStats struct {
	// Keys is the number of keys of each database after loading.
	Keys map[int]int
	// Commands is the number of commands replayed (MULTI and EXEC, and the
	// FUNCTION commands, which LoadAOF leaves to LoadLibraries, not
	// counted).
	Commands int64
	// RDB is the RDB part's load (a base file or a preamble), nil when the
	// AOF has none.
	RDB *RDBLoadStats
	// Truncated describes a truncated last file ("" when none): like Redis
	// with aof-load-truncated yes, everything before the damage is loaded,
	// an unfinished MULTI block reverted.
	Truncated string
	// Skipped lists commands the runtime answered with an error (a command
	// fnkit does not implement, for instance), one line each, at most 20.
	Skipped []string
}

// AOFLoadOptions configure LoadAOF.
type AOFLoadOptions struct {
	// Wrap, when set, wraps the reader of each file (a progress display).
	Wrap func(f *aof.File, r io.Reader) io.Reader
}

// LoadAOF adds the keyspace of an append-only file — a single file (RESP,
// or an RDB preamble followed by RESP) or a multi-part directory or its
// manifest — to the server's keyspace, as Redis's loader does: the RDB part
// through the RDB loader (LoadRDB), then every command replayed in order on
// the keyspace, a MULTI block applied at its EXEC (an unfinished one at the
// end of a truncated last file reverted). The FUNCTION commands and the
// RDB part's libraries are not applied: libraries come from LoadLibraries
// (package aof's Replay or package source give the set Redis would have).
func (s *Server) LoadAOF(path string, opts AOFLoadOptions) (*AOFLoadStats, error) {
	a, err := aof.Open(path)
	if err != nil {
		return nil, err
	}
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	st := &AOFLoadStats{Keys: map[int]int{}}
	// no key expires while loading, as in Redis: a later command may
	// extend the TTL of a key whose expiry time has passed
	resume := s.ks.SuspendExpiry()
	resumed := false
	defer func() {
		if !resumed {
			resume()
		}
	}()
	if len(a.Files) > 0 {
		rst, err := s.loadAOFPreamble(a.Files[0], opts)
		if err != nil {
			return st, err
		}
		st.RDB = rst
	}
	c := s.newClient(nil)
	c.authed = true
	c.locked = true
	var multi [][]string
	inMulti := false
	skipped := 0
	apply := func(argv []string, where string) error {
		cmd := cmdtable.LookupArgv(argv)
		if cmd == nil {
			return fmt.Errorf("%s: Unknown command '%s' reading the append only file", where, trunc(argv[0], 128))
		}
		if !cmd.ArityOK(len(argv)) {
			return fmt.Errorf("%s: wrong number of arguments for '%s' command in the append only file", where, cmd.Name)
		}
		c.out = c.out[:0]
		s.dispatchFor(cmd)(s, c, argv)
		st.Commands++
		if len(c.out) > 0 && c.out[0] == '-' {
			skipped++
			if len(st.Skipped) < 20 {
				msg := strings.TrimSpace(string(c.out[1:]))
				if i := strings.IndexByte(msg, '\r'); i >= 0 {
					msg = msg[:i]
				}
				st.Skipped = append(st.Skipped, fmt.Sprintf("%s: %s: %s", where, strings.ToUpper(cmd.Name), msg))
			}
		}
		return nil
	}
	res, err := a.Scan(aof.ScanOptions{KeepAll: true, Wrap: opts.Wrap}, func(it *aof.Item) error {
		cm := it.Command
		if cm == nil || cm.Annotation != nil || cm.Argc == 0 {
			return nil
		}
		where := fmt.Sprintf("%s@%d", cm.File, cm.Offset)
		switch {
		case cm.Is("multi"):
			inMulti, multi = true, multi[:0]
			return nil
		case cm.Is("exec"):
			inMulti = false
			for _, argv := range multi {
				if err := apply(argv, where); err != nil {
					return err
				}
			}
			multi = multi[:0]
			return nil
		case cm.Is("function"):
			return nil
		}
		argv := make([]string, len(cm.Args))
		for i, x := range cm.Args {
			argv[i] = string(x)
		}
		if inMulti {
			multi = append(multi, argv)
			return nil
		}
		return apply(argv, where)
	})
	if err != nil {
		return st, err
	}
	if res.Truncated != nil {
		st.Truncated = res.Truncated.Error()
		if inMulti {
			st.Truncated += " (an unfinished MULTI block was reverted)"
		}
	}
	if skipped > len(st.Skipped) {
		st.Skipped = append(st.Skipped, fmt.Sprintf("%d more commands answered with an error", skipped-len(st.Skipped)))
	}
	c.locked = false
	resume()
	resumed = true
	for db := 0; db < s.ks.Databases(); db++ {
		if n, _, _ := s.ks.TTLStats(db); n > 0 {
			st.Keys[db] = n
		}
	}
	return st, nil
}

// loadAOFPreamble loads the RDB part of an AOF's first file (an RDB base,
// or the RDB preamble of a RESP file), if it has one.
func (s *Server) loadAOFPreamble(f *aof.File, opts AOFLoadOptions) (*RDBLoadStats, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, 64<<10)
	magic, _ := br.Peek(6)
	if !strings.HasPrefix(string(magic), "REDIS") && !strings.HasPrefix(string(magic), "VALKEY") {
		return nil, nil
	}
	// find where the RDB ends (its EOF record and checksum)
	end := int64(-1)
	rd := rdbfmt.NewReader(br, rdbfmt.ReaderOptions{File: f.Path, AllowTrailing: true, NoChecksum: true})
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if rec.Kind == rdbfmt.KindEOF {
			end = rec.End
			break
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("%s: %w: the RDB part has no EOF record", f.Path, rdbfmt.ErrTruncated)
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var r io.Reader = io.LimitReader(fh, end)
	if opts.Wrap != nil {
		r = opts.Wrap(f, r)
	}
	return s.loadRDB(r, f.Path, true, true)
}
