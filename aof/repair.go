package aof

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/library"
)

// RepairOptions configure Repair.
type RepairOptions struct {
	// ToTimestamp, with ByTimestamp, cuts the AOF at the first "#TS:"
	// annotation later than ToTimestamp, as redis-check-aof
	// --truncate-to-timestamp does (the annotation line and everything
	// after it go).
	ToTimestamp int64
	ByTimestamp bool
	// DropAfterDamage allows cutting at damage that Redis refuses to load
	// (a bad byte, or a truncated file that is not the last one), dropping
	// everything after it, later files included. Without it only a
	// truncated last file (what aof-load-truncated forgives) is cut.
	DropAfterDamage bool
	// Validate, when set, is used by the replays (see Validator).
	Validate Validator
	// Wrap, when set, wraps the reader of each file every pass reads (for
	// a progress display; see ScanOptions.Wrap).
	Wrap func(f *File, r io.Reader) io.Reader
}

// Cut is where Repair cuts a file.
type Cut struct {
	// File is the file's name, Path its path, Size its size.
	File string `json:"file"`
	Path string `json:"-"`
	Size int64  `json:"size"`
	// At is the new size: everything from At on is dropped.
	At int64 `json:"at"`
	// Reason says why: "truncated", "damaged" or "timestamp".
	Reason string `json:"reason"`
	// Damage is the problem found, for "truncated" and "damaged" (nil for
	// a timestamp cut).
	Damage *Error `json:"-"`
}

// RepairResult describes what Repair wrote and dropped.
type RepairResult struct {
	// Output is the path written; Layout its layout (that of the input).
	Output string
	Layout Layout
	// Cut is where the AOF was cut, nil when there was nothing to cut
	// (then the output is a copy).
	Cut *Cut
	// DroppedFiles are the files after the cut, left out of the output
	// (with their sizes).
	DroppedFiles []*File
	// DroppedBytes counts every byte dropped, cut tail and dropped files.
	DroppedBytes int64
	// DroppedCommands counts the complete commands dropped, by title in
	// DroppedByName (commands of dropped files after damage are not
	// counted: they were never read).
	DroppedCommands int64
	DroppedByName   map[string]int64
	// Partial is the incomplete or damaged command at the end of what was
	// read, if any.
	Partial *Error
	// LostEvents are the library events of the dropped part, and the
	// function commands of a MULTI block without EXEC.
	LostEvents []Event
	// Before is the library set the input loads in Redis (nil when Redis
	// refuses to load it); After the set the output loads.
	Before, After *library.Set
	// DroppedHistory lists the history files not copied.
	DroppedHistory []string
}

// Repair writes a repaired copy of a to the new path out: cut where
// redis-check-aof --fix cuts (a truncated tail at its last complete
// command, a MULTI block without EXEC at its MULTI) and, with ByTimestamp,
// where redis-check-aof --truncate-to-timestamp cuts. Unlike
// redis-check-aof, which refuses to cut any file but the last, a cut in an
// earlier file drops the files after it from the output's manifest (and
// says so). The input is never changed; the output is replayed before it is
// renamed into place and must read cleanly. out must not exist.
func Repair(a *AOF, out string, opts RepairOptions) (*RepairResult, error) {
	res := &RepairResult{Output: out, Layout: a.Layout, DroppedByName: map[string]int64{}}
	index := map[string]int{}
	for i, f := range a.Files {
		index[f.Path] = i
	}
	var (
		cutFile = -1
		cut     *Cut
		multi   map[string]int64 // titles since an open MULTI
		multiN  int64
		tsErr   error
	)
	scan, scanErr := a.Scan(ScanOptions{Annotations: true, Wrap: opts.Wrap}, func(it *Item) error {
		fi := index[it.File.Path]
		if it.Library != nil {
			return nil
		}
		c := it.Command
		if c.Annotation != nil {
			if opts.ByTimestamp && cut == nil && IsTimestamp(c.Annotation) {
				ts, ok := ParseTimestamp(c.Annotation)
				if !ok {
					tsErr = fmt.Errorf("aof: %s: offset %d: Invalid timestamp annotation %q", it.File.Path, c.Offset, c.Annotation)
					return tsErr
				}
				if ts > opts.ToTimestamp {
					if c.Offset == 0 {
						tsErr = fmt.Errorf("aof: AOF %s has nothing before timestamp %d, aborting...", it.File.Path, opts.ToTimestamp)
						return tsErr
					}
					cutFile = fi
					cut = &Cut{File: it.File.Name, Path: it.File.Path, Size: it.File.Size, At: c.Offset, Reason: "timestamp"}
				}
			}
			return nil
		}
		title := c.Title()
		if cut != nil {
			res.DroppedCommands++
			res.DroppedByName[title]++
			return nil
		}
		switch {
		case c.Is("multi"):
			multi, multiN = map[string]int64{title: 1}, 1
		case c.Is("exec"):
			multi, multiN = nil, 0
		case multi != nil:
			multi[title]++
			multiN++
		}
		return nil
	})
	if tsErr != nil {
		return nil, tsErr
	}
	var damage *Error
	if scanErr != nil {
		if !errors.As(scanErr, &damage) || !(errors.Is(scanErr, ErrTruncated) || errors.Is(scanErr, ErrCorrupt)) {
			return nil, scanErr
		}
	} else if scan.Truncated != nil {
		damage = scan.Truncated
	}
	if damage != nil {
		fi, ok := index[damage.File]
		if !ok {
			return nil, scanErr
		}
		res.Partial = damage
		if cut == nil {
			f := a.Files[fi]
			reason := "truncated"
			if errors.Is(damage, ErrCorrupt) {
				reason = "damaged"
			}
			if (reason == "damaged" || !f.Last) && !opts.DropAfterDamage {
				return nil, fmt.Errorf("%w\n(Redis refuses to load this AOF; cutting it here would drop everything after offset %d: allow it with DropAfterDamage / --drop-after-damage)", scanErr, damage.ValidUpTo)
			}
			cutFile = fi
			cut = &Cut{File: f.Name, Path: f.Path, Size: f.Size, At: damage.ValidUpTo, Reason: reason, Damage: damage}
			if multi != nil && damage.ValidUpTo < damage.Offset {
				for k, v := range multi {
					res.DroppedByName[k] += v
				}
				res.DroppedCommands += multiN
			}
		}
	}
	res.Cut = cut
	// What the input loads, and the library events that the cut loses.
	full, fullErr := a.Replay(ReplayOptions{Validate: opts.Validate, Scan: ScanOptions{Wrap: opts.Wrap}})
	if fullErr == nil {
		res.Before = full.Libraries
	}
	if full != nil && cut != nil {
		for _, e := range full.Events {
			fi := -1
			for i, f := range a.Files {
				if f.Name == e.File {
					fi = i
				}
			}
			if e.Kind == EventDiscarded || fi > cutFile || (fi == cutFile && e.Offset >= cut.At) {
				res.LostEvents = append(res.LostEvents, e)
			}
		}
	}
	if p := res.Partial; p != nil && strings.HasPrefix(p.Command, "FUNCTION") {
		// The incomplete command at the end: a library event that never
		// happened. A FUNCTION LOAD's shebang line names the library.
		e := Event{Kind: EventDiscarded, Command: p.Command, File: filepath.Base(p.File), Offset: p.CommandOffset, Index: p.Index, Error: "incomplete command: " + p.What}
		line, _, _ := strings.Cut(string(p.Partial), "\n")
		if md, err := library.ParseMetadata(line + "\n"); err == nil {
			e.Library = md.Name
		}
		res.LostEvents = append(res.LostEvents, e)
	}
	for _, h := range a.History {
		res.DroppedHistory = append(res.DroppedHistory, h.Name)
	}
	keep := len(a.Files)
	if cut != nil {
		keep = cutFile + 1
		res.DroppedBytes = cut.Size - cut.At
		for _, f := range a.Files[keep:] {
			res.DroppedFiles = append(res.DroppedFiles, f)
			res.DroppedBytes += f.Size
		}
	}
	sizeOf := func(i int) int64 {
		if cut != nil && i == cutFile {
			return cut.At
		}
		return a.Files[i].Size
	}
	verify := func(path string) error {
		libs, err := replayOutput(path, opts.Validate, opts.Wrap)
		res.After = libs
		return err
	}
	if a.Layout == LayoutSingle {
		src := a.Files[0]
		err := atomicfile.Write(out, atomicfile.Options{Inputs: []string{src.Path}, NoOverwrite: true, Verify: func(f *os.File) error { return verify(f.Name()) }}, func(w io.Writer) error {
			return copyFileTo(w, src.Path, sizeOf(0))
		})
		if errors.Is(err, atomicfile.ErrExists) {
			return nil, fmt.Errorf("aof: %s: %w (fnkit never writes over an existing path)", out, ErrOutputExists)
		}
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	m := &Manifest{}
	var files []dirFile
	for i, f := range a.Files[:keep] {
		f, n := f, sizeOf(i)
		m.Entries = append(m.Entries, ManifestEntry{Name: f.Name, Seq: f.Seq, Type: f.Type})
		files = append(files, dirFile{name: f.Name, fill: func(w io.Writer) error { return copyFileTo(w, f.Path, n) }})
	}
	files = append(files, dirFile{name: a.AppendFileName() + ManifestSuffix, fill: func(w io.Writer) error { _, err := w.Write(AppendManifest(nil, m)); return err }})
	if err := writeDir(out, files, verify); err != nil {
		return nil, err
	}
	return res, nil
}

// DroppedNames returns the titles of the dropped commands with their
// counts, most frequent first.
func (r *RepairResult) DroppedNames() []NameCount {
	var out []NameCount
	for k, v := range r.DroppedByName {
		out = append(out, NameCount{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// NameCount is a command title and how many times it occurs.
type NameCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}
