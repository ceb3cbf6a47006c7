package source

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/internal/progress"
)

// KindAOF is an append-only file: a single AOF file (RESP, or an RDB
// preamble followed by RESP), a Redis 7 multi-part directory
// (appendonlydir/) or its manifest.
const KindAOF Kind = "aof"

// AOFInfo describes an AOF source: its files and the replay that gave the
// libraries.
type AOFInfo struct {
	// AOF is the layout: files in load order, history files, manifest.
	AOF *aof.AOF
	// Replay is the replay up to Options.AOFStop: libraries, timeline,
	// per-file facts (Replay.Scan), truncation.
	Replay *aof.Result
	// Stop is where the replay stopped (Options.AOFStop).
	Stop aof.Stop
}

// IsAOF reports whether path is an AOF by its layout and first bytes: a
// directory holding a manifest, a manifest, a file that starts with a RESP
// command ("*") or an annotation ("#" not followed by "!"), or a file named
// *.aof that starts with an RDB preamble.
func IsAOF(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if st.IsDir() {
		_, err := aof.Open(path)
		return err == nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 9)
	n, _ := io.ReadFull(f, head)
	return detectAOF(path, head[:n])
}

// detectAOF recognises an AOF file from its first bytes and its name.
func detectAOF(path string, head []byte) bool {
	switch {
	case len(head) > 0 && head[0] == '*':
		return true
	case len(head) > 1 && head[0] == '#' && head[1] != '!':
		return true
	case bytes.HasPrefix(head, []byte("file")):
		ok, _ := aof.IsManifestFile(path)
		return ok
	case bytes.HasPrefix(head, []byte("REDIS")):
		// An RDB preamble followed by commands: Redis names such files
		// appendonly.aof (an RDB base of a directory, *.base.rdb, is an RDB).
		return strings.EqualFold(filepath.Ext(path), ".aof")
	}
	return false
}

// openAOF opens and replays the AOF file or manifest at path.
func openAOF(path string, opts Options) (*Source, error) {
	a, err := aof.Open(path)
	if err != nil {
		return nil, err
	}
	return replayAOF(path, a, opts)
}

// replayAOF replays a, opened from path, up to opts.AOFStop.
func replayAOF(path string, a *aof.AOF, opts Options) (*Source, error) {
	var bars []*progress.Reader
	defer func() {
		for _, b := range bars {
			b.Finish()
		}
	}()
	ropts := aof.ReplayOptions{Stop: opts.AOFStop, Validate: opts.AOFValidate}
	if opts.Progress {
		ropts.Scan.Wrap = func(f *aof.File, r io.Reader) io.Reader {
			for _, b := range bars {
				b.Finish()
			}
			pr := progress.NewReader(r, f.Size, f.Name, progress.Options{})
			bars = append(bars, pr)
			return pr
		}
	}
	res, err := a.Replay(ropts)
	if err != nil {
		return nil, err
	}
	return &Source{Path: path, Kind: KindAOF, Size: a.Size(), Libraries: res.Libraries, AOF: &AOFInfo{AOF: a, Replay: res, Stop: opts.AOFStop}}, nil
}
