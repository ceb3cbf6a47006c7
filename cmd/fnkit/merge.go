package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "merge the libraries of RDBs, AOFs, payloads, .lua files and live servers into one RDB, payload, AOF or .lua files",
		ArgsUsage: "SOURCE...",
		UsageText: "fnkit merge SOURCE... -o OUT [--policy fail|replace|keep] [--format rdb|dump|aof|lua] [--target-version N] [--json]",
		Description: "Merges the libraries of every SOURCE in order. A library name found in two sources with\n" +
			"different code is an error naming both (--policy fail, the default); --policy replace takes\n" +
			"the later source, keep the earlier; identical code is never a conflict.\n\n" +
			"The result is then loaded into a fresh Functions engine, as a Redis server loads an RDB:\n" +
			"two libraries that register the same function name, or a library Redis would refuse,\n" +
			"stop the merge with Redis's words and nothing is written.\n\n" +
			"The output's format is --format or comes from OUT's name: .rdb a functions-only RDB;\n" +
			".bin, .payload or .dump a FUNCTION DUMP payload; .aof or a directory named appendonlydir\n" +
			"an AOF; .lua one library's source; a directory (OUT ending in /, or existing) one\n" +
			"<library>.lua per library. --target-version is the RDB version of an RDB or payload:\n" +
			"10 (default; every Redis 7 loads it), 11 (Redis 7.2+) or 12 (Redis 7.4+). Outputs are\n" +
			"written atomically and never over an input.\n\n" +
			"Example:\n" +
			"   $ fnkit merge fixtures/redis-7.0.15/rdb-functions-only.rdb fixtures/libs/ratelimit_v2.lua \\\n" +
			"         --policy replace -o merged.rdb\n" +
			"   ...\n" +
			"   wrote merged.rdb: functions-only RDB, RDB version 10, 15694 bytes\n" +
			"   $ redis-check-rdb merged.rdb | grep 'looks OK'\n" +
			"   [offset 15694] \\o/ RDB looks OK! \\o/",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "file or directory to write"},
			&cli.StringFlag{Name: "policy", Value: "fail", Usage: "when two SOURCEs hold different code under one name: fail, replace or keep"},
			&cli.StringFlag{Name: "format", Usage: "rdb, dump, aof or lua (default: from OUT's name)"},
			&cli.IntFlag{Name: "target-version", Usage: "RDB version of an RDB or payload output: 10, 11 or 12 (default 10)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object instead of text"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite existing .lua files in an output directory"},
			&cli.BoolFlag{Name: "no-compress", Usage: "store library code uncompressed in an RDB or payload (as rdbcompression no)"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read RDB sources only as far as the libraries"},
		}, connFlags()...),
		Action: runMerge,
	}
}

// Output formats of merge.
const (
	formatRDB  = "rdb"
	formatDump = "dump"
	formatAOF  = "aof"
	formatLua  = "lua"
)

// mergeReport is the JSON document of "fnkit merge --json".
type mergeReport struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Policy string `json:"policy"`
	// Sources lists every SOURCE in order.
	Sources []mergeSource `json:"sources"`
	// Libraries is the merged set, by name, with the functions each
	// registers (from loading it in the engine).
	Libraries []mergeLibrary `json:"libraries"`
	// Dropped lists library copies that lost under --policy replace or
	// keep.
	Dropped []mergeDropped `json:"dropped"`
	// Output, Format, RDBVersion, Bytes and Files describe what was
	// written.
	Output     string   `json:"output"`
	Format     string   `json:"format"`
	RDBVersion int      `json:"rdb_version,omitempty"`
	Bytes      int64    `json:"bytes"`
	Files      []string `json:"files"`
}

type mergeSource struct {
	Source    string   `json:"source"`
	Format    string   `json:"format"`
	Libraries []string `json:"libraries"`
}

type mergeLibrary struct {
	Name      string          `json:"name"`
	SHA1      string          `json:"sha1"`
	Size      int             `json:"size"`
	Origin    string          `json:"origin"`
	Functions []mergeFunction `json:"functions"`
}

type mergeFunction struct {
	Name  string   `json:"name"`
	Flags []string `json:"flags"`
}

type mergeDropped struct {
	Name   string `json:"name"`
	SHA1   string `json:"sha1"`
	Origin string `json:"origin"`
	// Kept is the origin of the copy in the result.
	Kept string `json:"kept"`
}

func runMerge(c *cli.Context) error {
	if c.NArg() < 1 {
		return usagef(c, "merge needs at least one SOURCE")
	}
	out := c.String("output")
	if out == "" {
		return usagef(c, "missing -o OUT")
	}
	policy, err := library.ParsePolicy(c.String("policy"))
	if err != nil {
		return usagef(c, "--policy: %v", err)
	}
	format, err := mergeFormat(c.String("format"), out)
	if err != nil {
		return usagef(c, "%v", err)
	}
	version := c.Int("target-version")
	if c.IsSet("target-version") && format != formatRDB && format != formatDump {
		return usagef(c, "--target-version applies to rdb and dump outputs, not %s", format)
	}
	if version == 0 {
		version = dumpfmt.DefaultTargetVersion
	}
	if version < dumpfmt.MinVersion || version > dumpfmt.MaxVersion {
		return usagef(c, "--target-version %d: want 10, 11 or 12 (the RDB versions with FUNCTION2 records)", version)
	}
	remoteOpts, err := connOptions(c)
	if err != nil {
		return err
	}
	rep := &mergeReport{Policy: policy.String(), Output: out, Format: format, Sources: []mergeSource{}, Libraries: []mergeLibrary{}, Dropped: []mergeDropped{}, Files: []string{}}
	fail := func(err error) error {
		if c.Bool("json") {
			rep.OK, rep.Error = false, err.Error()
			_ = writeJSON(c.App.Writer, rep)
		}
		return err
	}

	inputs := c.Args().Slice()
	srcs, err := source.Load(source.Options{NoVerify: c.Bool("no-verify"), Remote: remoteOpts, Progress: true}, inputs...)
	if err != nil {
		return fail(err)
	}
	sets := make([]*library.Set, len(srcs))
	for i, s := range srcs {
		sets[i] = s.Libraries
		rep.Sources = append(rep.Sources, mergeSource{Source: s.Path, Format: string(s.Kind), Libraries: s.Libraries.Names()})
	}
	set, err := library.Merge(policy, sets...)
	if err != nil {
		return fail(err)
	}
	for _, s := range sets {
		for _, l := range s.Libraries() {
			if m, _ := set.Get(l.Name); m.Code != l.Code {
				rep.Dropped = append(rep.Dropped, mergeDropped{Name: l.Name, SHA1: l.SHA1(), Origin: l.Origin.String(), Kept: m.Origin.String()})
			}
		}
	}
	// Loaded as a server loads an RDB (no load timeout), in source order,
	// so that a collision is reported on the later source's library.
	reports, err := runtime.Check(loadOrder(set, sets), runtime.VerifyOptions{Timeout: -1})
	if err != nil {
		return fail(fmt.Errorf("merge stopped, nothing written: %w", err))
	}
	loaded := map[string][]mergeFunction{}
	for _, r := range reports {
		fns := []mergeFunction{}
		for _, f := range r.Functions {
			fns = append(fns, mergeFunction{Name: f.Name, Flags: f.Flags})
		}
		loaded[r.Library.Name] = fns
	}
	for _, l := range set.Libraries() {
		rep.Libraries = append(rep.Libraries, mergeLibrary{Name: l.Name, SHA1: l.SHA1(), Size: l.Size(), Origin: l.Origin.String(), Functions: loaded[l.Name]})
	}

	inputFiles := localInputs(srcs)
	switch format {
	case formatRDB:
		rep.RDBVersion = version
		err = writeMergedRDB(out, set, version, c.Bool("no-compress"), inputFiles)
	case formatDump:
		rep.RDBVersion = version
		err = writeMergedPayload(out, set, version, c.Bool("no-compress"), inputFiles)
	case formatAOF:
		err = writeMergedAOF(out, set, inputFiles)
	case formatLua:
		rep.Files, err = writeMergedLua(out, set, c.Bool("force"), inputFiles)
	}
	if err != nil {
		return fail(err)
	}
	if format != formatLua {
		rep.Files = []string{out}
	}
	for _, f := range rep.Files {
		if st, err := os.Stat(f); err == nil {
			if st.IsDir() {
				rep.Bytes += dirSize(f)
			} else {
				rep.Bytes += st.Size()
			}
		}
	}
	rep.OK = true
	if c.Bool("json") {
		return writeJSON(c.App.Writer, rep)
	}
	printMerge(c.App.Writer, rep)
	return nil
}

// mergeFormat decides the output format from --format or from OUT's name.
func mergeFormat(flag, out string) (string, error) {
	switch strings.ToLower(flag) {
	case formatRDB, formatDump, formatAOF, formatLua:
		return strings.ToLower(flag), nil
	case "payload":
		return formatDump, nil
	case "":
	default:
		return "", fmt.Errorf("--format %q: want rdb, dump, aof or lua", flag)
	}
	base := filepath.Base(strings.TrimRight(out, string(filepath.Separator)))
	switch ext := strings.ToLower(filepath.Ext(out)); {
	case ext == ".rdb":
		return formatRDB, nil
	case ext == ".bin" || ext == ".payload" || ext == ".dump":
		return formatDump, nil
	case ext == ".aof" || base == "appendonlydir":
		return formatAOF, nil
	case ext == ".lua":
		return formatLua, nil
	case strings.HasSuffix(out, string(filepath.Separator)):
		return formatLua, nil
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return formatLua, nil
	}
	return "", fmt.Errorf("-o %s: cannot tell the format from the name (want .rdb, .bin/.payload/.dump, .aof or appendonlydir, .lua, or a directory ending in /); give --format", out)
}

// localInputs are the files the sources were read from, which no output
// may replace.
func localInputs(srcs []*source.Source) []string {
	var out []string
	for _, s := range srcs {
		if s.Kind != source.KindServer {
			out = append(out, s.Path)
		}
	}
	return out
}

// loadOrder lists the libraries of the merged set in the order of the
// sources that gave them (by name within one source), so that a collision
// is reported on the later source's library.
func loadOrder(set *library.Set, sets []*library.Set) []*library.Library {
	var out []*library.Library
	seen := map[string]bool{}
	for _, s := range sets {
		for _, l := range s.Libraries() {
			if m, _ := set.Get(l.Name); m == l && !seen[l.Name] {
				seen[l.Name] = true
				out = append(out, l)
			}
		}
	}
	for _, l := range set.Libraries() {
		if !seen[l.Name] {
			out = append(out, l)
		}
	}
	return out
}

func writeMergedRDB(out string, set *library.Set, version int, noCompress bool, inputs []string) error {
	var buf bytes.Buffer
	opts := rdbfmt.FunctionsRDBOptions{WriterOptions: rdbfmt.WriterOptions{Version: version, NoCompress: noCompress}}
	if err := rdbfmt.WriteFunctionsRDB(&buf, set, opts); err != nil {
		return err
	}
	return atomicfile.WriteFile(out, buf.Bytes(), atomicfile.Options{Inputs: inputs, Verify: func(f *os.File) error {
		info, err := rdbfmt.ReadInfo(f, rdbfmt.InfoOptions{File: out})
		if err != nil {
			return err
		}
		if info.Version != version || !info.Libraries.Equal(set) {
			return fmt.Errorf("the written RDB holds %v at version %d, want %v at %d", info.Libraries, info.Version, set, version)
		}
		return nil
	}})
}

func writeMergedPayload(out string, set *library.Set, version int, noCompress bool, inputs []string) error {
	if noCompress {
		return errors.New("--no-compress: FUNCTION DUMP payloads are written as a Redis server writes them (compressed when it saves space); use --format rdb for an uncompressed file")
	}
	payload, err := dumpfmt.Encode(set, version)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(out, payload, atomicfile.Options{Inputs: inputs, Verify: func(f *os.File) error {
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		p, err := dumpfmt.Decode(b, out)
		if err != nil {
			return err
		}
		if p.Version != version || !p.Libraries.Equal(set) {
			return errors.New("the written payload does not hold the libraries that went in")
		}
		return nil
	}})
}

// writeMergedLua writes one library to OUT.lua, or every library to
// OUT/<library>.lua.
func writeMergedLua(out string, set *library.Set, force bool, inputs []string) ([]string, error) {
	if strings.EqualFold(filepath.Ext(out), ".lua") {
		if set.Len() != 1 {
			return nil, fmt.Errorf("-o %s: a .lua file holds one library, the merge has %d (%s); write a directory instead (-o DIR/)", out, set.Len(), strings.Join(set.Names(), ", "))
		}
		code := []byte(set.Libraries()[0].Code)
		err := atomicfile.WriteFile(out, code, atomicfile.Options{Inputs: inputs, NoOverwrite: !force, Verify: sameBytes(code)})
		if errors.Is(err, atomicfile.ErrExists) {
			err = fmt.Errorf("%w (use --force to overwrite)", err)
		}
		return []string{out}, err
	}
	for _, l := range set.Libraries() {
		if err := atomicfile.CheckNotInput(filepath.Join(out, l.Name+".lua"), inputs...); err != nil {
			return nil, err
		}
	}
	return writeLuaFiles(out, set, force)
}

// aofCommands is the RESP a Redis AOF rewrite writes for the libraries of
// set when it does not use an RDB preamble: one FUNCTION LOAD per library,
// written with the aof package's Writer.
func aofCommands(set *library.Set) ([]byte, error) {
	var buf bytes.Buffer
	w := aof.NewWriter(&buf)
	for _, l := range set.Libraries() {
		if err := w.CommandStrings("FUNCTION", "LOAD", l.Code); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AOF file names, as a Redis 7 server with the default appendfilename
// names them.
const (
	aofBaseName     = "appendonly.aof.1.base.aof"
	aofIncrName     = "appendonly.aof.1.incr.aof"
	aofManifestName = "appendonly.aof.manifest"
)

// writeMergedAOF writes the libraries as an AOF: OUT.aof is one RESP file of
// FUNCTION LOAD commands (the file Redis 7 upgrades from when a single
// appendonly.aof is found); any other OUT (a directory such as
// appendonlydir) becomes a Redis 7 multi-part AOF directory whose base file
// holds the FUNCTION LOAD commands, with an empty incremental file and the
// manifest. A RESP base loads on every Redis 7, whatever its RDB version.
// The directory is built beside OUT, synced, re-read, and renamed into
// place; an existing OUT is refused.
func writeMergedAOF(out string, set *library.Set, inputs []string) error {
	cmds, err := aofCommands(set)
	if err != nil {
		return err
	}
	verifyCmds := func(f io.Reader, name string) error {
		r := aof.NewReader(f, aof.ReaderOptions{Name: name})
		got := &library.Set{}
		for {
			cmd, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if !cmd.Is("FUNCTION") || len(cmd.Args) != 3 || !strings.EqualFold(string(cmd.Args[1]), "LOAD") {
				return fmt.Errorf("%s: unexpected command %s at offset %d", name, cmd.Title(), cmd.Offset)
			}
			l, err := library.New(string(cmd.Args[2]), library.Origin{})
			if err != nil {
				return err
			}
			got.Put(l)
		}
		if !got.Equal(set) {
			return fmt.Errorf("%s holds %v, want %v", name, got, set)
		}
		return nil
	}
	if strings.EqualFold(filepath.Ext(out), ".aof") {
		return atomicfile.WriteFile(out, cmds, atomicfile.Options{Inputs: inputs, Verify: func(f *os.File) error {
			return verifyCmds(f, out)
		}})
	}
	if err := atomicfile.CheckNotInput(out, inputs...); err != nil {
		return err
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s: %w (an AOF directory is written whole; remove it or choose another name)", out, atomicfile.ErrExists)
	}
	parent := filepath.Dir(filepath.Clean(out))
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(out))+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone after the rename; cleans up on failure
	m := &aof.Manifest{Entries: []aof.ManifestEntry{
		{Name: aofBaseName, Seq: 1, Type: aof.TypeBase},
		{Name: aofIncrName, Seq: 1, Type: aof.TypeIncr},
	}}
	files := []struct {
		name string
		data []byte
	}{
		{aofBaseName, cmds},
		{aofIncrName, nil},
		{aofManifestName, aof.AppendManifest(nil, m)},
	}
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, f.name), f.data); err != nil {
			return err
		}
	}
	// Re-read what is on disk: the manifest, then the base's commands.
	mf, err := os.Open(filepath.Join(tmp, aofManifestName))
	if err != nil {
		return err
	}
	got, err := aof.ParseManifest(mf, filepath.Join(out, aofManifestName))
	mf.Close()
	if err != nil {
		return err
	}
	if b, ok := got.Base(); !ok || b.Name != aofBaseName || len(got.Incr()) != 1 {
		return errors.New("the written AOF manifest does not read back as written")
	}
	bf, err := os.Open(filepath.Join(tmp, aofBaseName))
	if err != nil {
		return err
	}
	err = verifyCmds(bf, filepath.Join(out, aofBaseName))
	bf.Close()
	if err != nil {
		return err
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	return syncDir(parent)
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func sameBytes(want []byte) atomicfile.Verifier {
	return func(f *os.File) error {
		got, err := io.ReadAll(f)
		if err == nil && !bytes.Equal(got, want) {
			err = errors.New("read back different bytes")
		}
		return err
	}
}

func dirSize(dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n
}

func printMerge(w io.Writer, rep *mergeReport) {
	nfn := 0
	for _, l := range rep.Libraries {
		nfn += len(l.Functions)
	}
	fmt.Fprintf(w, "merged %s (policy %s): %s, %s, loaded in the Functions engine\n",
		plural(len(rep.Sources), "source", "sources"), rep.Policy, plural(len(rep.Libraries), "library", "libraries"), plural(nfn, "function", "functions"))
	if len(rep.Libraries) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  LIBRARY\tFUNCTIONS\tBYTES\tSHA1\tFROM")
		for _, l := range rep.Libraries {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%.12s\t%s\n", l.Name, len(l.Functions), l.Size, l.SHA1, l.Origin)
		}
		tw.Flush()
	}
	for _, d := range rep.Dropped {
		fmt.Fprintf(w, "  dropped %s from %s (sha1 %.12s): kept the copy from %s\n", d.Name, d.Origin, d.SHA1, d.Kept)
	}
	switch rep.Format {
	case formatRDB:
		fmt.Fprintf(w, "wrote %s: functions-only RDB, RDB version %d, %d bytes\n", rep.Output, rep.RDBVersion, rep.Bytes)
	case formatDump:
		fmt.Fprintf(w, "wrote %s: FUNCTION DUMP payload, RDB version %d, %d bytes\n", rep.Output, rep.RDBVersion, rep.Bytes)
	case formatAOF:
		fmt.Fprintf(w, "wrote %s: AOF, %d bytes\n", rep.Output, rep.Bytes)
	case formatLua:
		if len(rep.Files) == 1 && rep.Files[0] == rep.Output {
			fmt.Fprintf(w, "wrote %s: %d bytes\n", rep.Output, rep.Bytes)
		} else {
			fmt.Fprintf(w, "wrote %s into %s\n", plural(len(rep.Files), "file", "files"), rep.Output)
		}
	}
}
