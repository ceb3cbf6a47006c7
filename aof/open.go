package aof

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
)

// Layout is how an AOF is stored.
type Layout string

// The layouts Open recognises.
const (
	// LayoutSingle is one file (Redis before 7.0, or a file named
	// directly): RESP commands, optionally after an RDB preamble.
	LayoutSingle Layout = "single"
	// LayoutMultiPart is a Redis 7 directory described by a manifest.
	LayoutMultiPart Layout = "multi-part"
)

// File is one file of an AOF.
type File struct {
	// Name is the file name as the manifest lists it (the base name of the
	// path for a single file).
	Name string
	// Path is where it is on disk.
	Path string
	// Type is base, incr or history (a single file is a base).
	Type FileType
	// Seq is the manifest's sequence number (1 for a single file).
	Seq int64
	// Size is the file's size, -1 for a history file that no longer exists.
	Size int64
	// Last is true for the last file Redis loads, the only one that may be
	// truncated.
	Last bool
}

// AOF describes an append-only file or directory: the files Redis loads,
// in order, and the history files it ignores.
type AOF struct {
	// Path is the input as given.
	Path string
	// Dir is the directory holding the files.
	Dir string
	// Layout is single or multi-part.
	Layout Layout
	// Manifest and ManifestPath are set for a multi-part AOF.
	Manifest     *Manifest
	ManifestPath string
	// Files are the files Redis loads, base first then the incr files in
	// manifest order.
	Files []*File
	// History are the history files: listed in the manifest, never loaded.
	History []*File
}

// ErrNotAOF is wrapped when a path is not an AOF file or directory.
var ErrNotAOF = errors.New("not an AOF")

// ManifestSuffix ends a manifest's name ("appendonly.aof.manifest").
const ManifestSuffix = ".manifest"

// Open describes the AOF at path: a single AOF file (with or without an RDB
// preamble), a multi-part directory (appendonlydir/) or its manifest. It
// reads the manifest and checks that every file Redis would load exists,
// as Redis does before loading; it does not read the files (see Scan and
// Replay).
func Open(path string) (*AOF, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		m, err := findManifest(path)
		if err != nil {
			return nil, err
		}
		return openManifest(path, m)
	}
	isManifest, err := IsManifestFile(path)
	if err != nil {
		return nil, err
	}
	if isManifest {
		return openManifest(path, path)
	}
	a := &AOF{Path: path, Dir: filepath.Dir(path), Layout: LayoutSingle}
	a.Files = []*File{{Name: filepath.Base(path), Path: path, Type: TypeBase, Seq: 1, Size: st.Size(), Last: true}}
	return a, nil
}

// findManifest returns the manifest of an AOF directory: its one
// "*.manifest" file (temporary "temp-*" manifests of an interrupted rewrite
// are not candidates).
func findManifest(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ManifestSuffix) && !strings.HasPrefix(n, "temp-") {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("aof: %s: %w: a directory without a manifest (*%s)", dir, ErrNotAOF, ManifestSuffix)
	case 1:
		return filepath.Join(dir, found[0]), nil
	}
	sort.Strings(found)
	return "", fmt.Errorf("aof: %s: %d manifests (%s): name the one to read", dir, len(found), strings.Join(found, ", "))
}

// IsManifestFile reports whether the file at path is a manifest: its first
// line that is not a comment starts with "file" (redis-check-aof 7.2's
// test; an AOF starts with "*", "#" or an RDB signature).
func IsManifestFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, ManifestMaxLine+1)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 && line[0] != '#' {
			return bytes.HasPrefix(line, []byte("file")), nil
		}
		if err == bufio.ErrBufferFull {
			// a comment longer than the buffer: skip the rest of it
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil {
			if err == io.EOF {
				return false, nil
			}
			return false, err
		}
	}
}

func openManifest(dir, mpath string) (*AOF, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	f, err := os.Open(mpath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ParseManifest(f, mpath)
	if err != nil {
		return nil, err
	}
	a := &AOF{Path: dir, Dir: dir, Layout: LayoutMultiPart, Manifest: m, ManifestPath: mpath}
	add := func(e ManifestEntry) (*File, error) {
		p := filepath.Join(dir, e.Name)
		file := &File{Name: e.Name, Path: p, Type: e.Type, Seq: e.Seq, Size: -1}
		st, err := os.Stat(p)
		switch {
		case err == nil && st.Mode().IsRegular():
			file.Size = st.Size()
		case e.Type == TypeHistory:
		case err == nil:
			return nil, fmt.Errorf("aof: %s: listed in %s but not a regular file", p, filepath.Base(mpath))
		case errors.Is(err, os.ErrNotExist):
			// Redis: "The append log file %s doesn't exist", then a fatal
			// load failure.
			return nil, fmt.Errorf("aof: %s: listed in %s (line %d) but missing: The append log file %s doesn't exist", p, filepath.Base(mpath), e.Line, e.Name)
		default:
			return nil, err
		}
		return file, nil
	}
	if b, ok := m.Base(); ok {
		f, err := add(b)
		if err != nil {
			return nil, err
		}
		a.Files = append(a.Files, f)
	}
	for _, e := range m.Incr() {
		f, err := add(e)
		if err != nil {
			return nil, err
		}
		a.Files = append(a.Files, f)
	}
	for _, e := range m.History() {
		f, err := add(e)
		if err != nil {
			return nil, err
		}
		a.History = append(a.History, f)
	}
	if len(a.Files) > 0 {
		a.Files[len(a.Files)-1].Last = true
	}
	return a, nil
}

// Size returns the total size of the files Redis loads.
func (a *AOF) Size() int64 {
	var n int64
	for _, f := range a.Files {
		n += f.Size
	}
	return n
}

// AppendFileName returns the appendfilename a server must be configured
// with to load this AOF: the manifest's name without ".manifest", or the
// single file's name.
func (a *AOF) AppendFileName() string {
	if a.Layout == LayoutMultiPart {
		return strings.TrimSuffix(filepath.Base(a.ManifestPath), ManifestSuffix)
	}
	return filepath.Base(a.Path)
}

// Format is what a file holds.
type Format string

// The formats of an AOF file.
const (
	FormatEmpty   Format = "empty"
	FormatRESP    Format = "resp"
	FormatRDB     Format = "rdb"      // an RDB and nothing after it
	FormatRDBRESP Format = "rdb+resp" // an RDB preamble followed by commands
)

// FileInfo is what Scan learned about one file.
type FileInfo struct {
	*File
	// Format says whether the file starts with an RDB.
	Format Format
	// RDBVersion and RDBEnd describe the RDB part: its version and the
	// offset just past its checksum, where the commands start.
	RDBVersion int
	RDBEnd     int64
	// RDBLibraries counts the FUNCTION2 records of the RDB part.
	RDBLibraries int
	// Commands counts the commands read (those of a truncated tail not
	// included); FirstIndex is the index of the first one.
	Commands   int64
	FirstIndex int64
	// Timestamps counts the #TS: annotations; FirstTime and LastTime are
	// the first and last of them (0 when none).
	Timestamps          int64
	FirstTime, LastTime int64
	// Truncated is set when the file ends inside a command or a MULTI
	// block (allowed for the last file only).
	Truncated *Error
}

// Item is one thing Scan found: a library of an RDB part (Library set) or a
// command (Command set).
type Item struct {
	// File is the file it is in.
	File *File
	// Library is a FUNCTION2 record's library, with its offset in Offset.
	Library *library.Library
	Offset  int64
	End     int64
	// Command is a RESP command (or annotation, with ScanOptions.Annotations).
	Command *Command
	// InMulti is true for commands between MULTI and EXEC.
	InMulti bool
}

// ScanOptions configure Scan.
type ScanOptions struct {
	// KeepAll keeps every command's arguments (see ReaderOptions).
	KeepAll bool
	// Annotations passes "#" lines to the callback.
	Annotations bool
	// Wrap, when set, wraps each file's reader (for a progress display).
	Wrap func(f *File, r io.Reader) io.Reader
}

// ErrStop can be returned by a Scan callback to end the scan early without
// an error.
var ErrStop = errors.New("stop scan")

// ScanResult is what Scan learned about the AOF.
type ScanResult struct {
	// Files describes each file Redis loads, in order.
	Files []*FileInfo
	// Commands counts all commands read.
	Commands int64
	// Truncated is the truncation of the last file, if any: Redis (with
	// aof-load-truncated yes, the default) loads everything before
	// Truncated.ValidUpTo and cuts the rest.
	Truncated *Error
	// Stopped is true when the callback returned ErrStop.
	Stopped bool
}

// Scan reads the files Redis loads, in order, and calls fn for every
// library of an RDB part and every command. It fails as Redis's loader
// does: on damage anywhere, on a truncated file that is not the last one
// ("the truncated file is not the last file"); a truncated last file is
// reported in ScanResult.Truncated, its complete commands having been
// passed to fn (those of an unfinished MULTI included: InMulti tells).
func (a *AOF) Scan(opts ScanOptions, fn func(*Item) error) (*ScanResult, error) {
	res := &ScanResult{}
	var (
		index int64 = 1
		ts    int64
	)
	for _, f := range a.Files {
		info := &FileInfo{File: f, FirstIndex: index}
		res.Files = append(res.Files, info)
		stop, err := a.scanFile(f, info, opts, &index, &ts, fn)
		res.Commands += info.Commands
		if err != nil {
			return res, err
		}
		if info.Truncated != nil {
			if !f.Last {
				return res, fmt.Errorf("%w (Fatal error: the truncated file is not the last file)", info.Truncated)
			}
			res.Truncated = info.Truncated
		}
		if stop {
			res.Stopped = true
			return res, nil
		}
	}
	return res, nil
}

func (a *AOF) scanFile(f *File, info *FileInfo, opts ScanOptions, index, ts *int64, fn func(*Item) error) (stop bool, err error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	var src io.Reader = fh
	if opts.Wrap != nil {
		src = opts.Wrap(f, src)
	}
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(6)
	if len(head) == 0 {
		info.Format = FormatEmpty
		return false, nil
	}
	var offset int64
	var rest io.Reader = br
	if bytes.HasPrefix(head, []byte("REDIS")) || bytes.HasPrefix(head, []byte("VALKEY")) {
		rr := rdbfmt.NewReader(br, rdbfmt.ReaderOptions{File: f.Path, AllowTrailing: true})
		_, version, err := rr.Header()
		if err != nil {
			return false, err
		}
		info.Format, info.RDBVersion = FormatRDB, version
		for {
			rec, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return false, err
			}
			if rec.Kind == rdbfmt.KindFunction {
				info.RDBLibraries++
				lib := *rec.Library
				lib.Origin = library.Origin{Path: f.Path, Format: "aof", Offset: rec.Offset}
				if err := fn(&Item{File: f, Library: &lib, Offset: rec.Offset, End: rec.End}); err != nil {
					if err == ErrStop {
						return true, nil
					}
					return false, err
				}
			}
			if rec.Kind == rdbfmt.KindEOF {
				offset = rec.End
			}
		}
		info.RDBEnd = offset
		rest = rr.Rest()
	}
	rd := NewReader(rest, ReaderOptions{Name: f.Path, Offset: offset, FirstIndex: *index, Time: *ts, KeepAll: opts.KeepAll, Annotations: true})
	item := &Item{File: f}
	for {
		c, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) && errors.Is(err, ErrTruncated) && e.Err == ErrTruncated {
				info.Truncated = e
				break
			}
			return false, err
		}
		if c.Annotation != nil {
			if t, ok := ParseTimestamp(c.Annotation); ok || IsTimestamp(c.Annotation) {
				info.Timestamps++
				if ok {
					if info.FirstTime == 0 {
						info.FirstTime = t
					}
					info.LastTime = t
				}
			}
			if !opts.Annotations {
				continue
			}
		} else {
			info.Commands++
			if info.Format == FormatRDB {
				info.Format = FormatRDBRESP
			}
		}
		if info.Format == "" {
			info.Format = FormatRESP
		}
		item.Command, item.InMulti = c, rd.InMulti() && !c.Is("multi")
		item.Offset, item.End = c.Offset, c.End
		if err := fn(item); err != nil {
			if err == ErrStop {
				if c.Annotation == nil {
					info.Commands-- // not read as far as the caller is concerned
				}
				return true, nil
			}
			return false, err
		}
	}
	if info.Format == "" {
		info.Format = FormatRESP
	}
	*index = rd.NextIndex()
	*ts = rd.Time()
	return false, nil
}
