package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/internal/progress"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func restoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "restore",
		Usage:     "write a copy of an RDB file or AOF with its libraries changed as FUNCTION RESTORE would change them",
		ArgsUsage: "SOURCE...",
		UsageText: "fnkit restore --into IN.rdb SOURCE... [--mode append|replace|flush] -o OUT.rdb [--policy fail|replace|keep] [--json]",
		Description: "Takes the libraries of every SOURCE (RDB files, FUNCTION DUMP payloads, .lua files; merged\n" +
			"in order under --policy) and applies them to the libraries of IN.rdb with the policy of\n" +
			"FUNCTION RESTORE of the same name: append (the default, as in Redis) fails when a library\n" +
			"already exists, replace replaces libraries of the same name, flush drops every library\n" +
			"of IN.rdb first. The result is loaded in fnkit's runtime first, so that function-name\n" +
			"collisions (\"Function f already exists\") and libraries Redis would refuse stop the\n" +
			"restore as they would stop FUNCTION RESTORE (--no-function-check skips this). Every\n" +
			"other record of IN.rdb is copied byte for byte. OUT.rdb is written\n" +
			"beside its final name, re-read and verified, then renamed; it is never one of the inputs.\n\n" +
			"--into an AOF (appendonlydir/, its manifest or a single AOF file; restore_aof.go): OUT is a\n" +
			"new directory (a new file for a single AOF file) holding the AOF's files byte for byte plus\n" +
			"one FUNCTION RESTORE <payload> <MODE> after them, in a new incr file listed last in the\n" +
			"manifest, so Redis's own loader applies it last. The restore is checked first (APPEND\n" +
			"conflicts, and function-name collisions in fnkit's runtime: in an AOF Redis would skip a\n" +
			"failing command silently), and OUT is replayed before it is renamed into place.\n\n" +
			"Example:\n" +
			"   $ fnkit restore --into fixtures/redis-7.0.15/rdb-functions-keyspace.rdb \\\n" +
			"         fixtures/libs/ratelimit_v2.lua --mode replace -o restored.rdb\n" +
			"   wrote restored.rdb: FUNCTION RESTORE REPLACE, 8 libraries before, 8 after\n" +
			"   ...\n" +
			"   $ redis-check-rdb restored.rdb | grep 'looks OK'\n" +
			"   [offset 61144] \\o/ RDB looks OK! \\o/\n" +
			"   $ fnkit restore --into fixtures/redis-7.0.15/aof-preamble fixtures/redis-7.0.15/dump-wire.bin \\\n" +
			"         -o restored-appendonlydir/\n" +
			"   ...\n" +
			"     wire         added   3c96557805fe39460b2cd210e780834feba90217\n" +
			"   ...\n" +
			"   $ redis-check-aof restored-appendonlydir/appendonly.aof.manifest | tail -n 1\n" +
			"   All AOF files and manifest are valid",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "into", Usage: "the RDB file or AOF (appendonlydir/, its manifest, a single AOF file) whose libraries change (read, never written)"},
			&cli.StringFlag{Name: "mode", Value: "append", Usage: "FUNCTION RESTORE policy: append, replace or flush"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the RDB file to write"},
			&cli.StringFlag{Name: "policy", Value: "fail", Usage: "when two SOURCEs hold different code under one name: fail, replace or keep"},
			&cli.BoolFlag{Name: "no-compress", Usage: "store new library code uncompressed (as rdbcompression no)"},
			&cli.BoolFlag{Name: "no-function-check", Usage: "do not load the restored set in fnkit's runtime (Redis 7.0.15 rules) first; for libraries written for newer servers"},
			jsonFlag(),
		},
		Action: runRestore,
	}
}

// checkFunctionCollisions does FUNCTION RESTORE's function-name checks,
// which need the Lua engine: the libraries of result are loaded in fnkit's
// runtime (Redis 7.0.15 rules, no load timeout, as RESTORE has none), those
// kept from current first and the incoming ones last, so that a collision
// is reported on an incoming library as Redis reports it: "Function f
// already exists" (also when two incoming libraries register the same
// name), or the error of a library Redis would refuse.
func checkFunctionCollisions(current, incoming, result *library.Set) error {
	var kept, restored []*library.Library
	for _, l := range result.Libraries() {
		if in, ok := incoming.Get(l.Name); ok && in == l {
			restored = append(restored, l)
		} else {
			kept = append(kept, l)
		}
	}
	_, err := runtime.Check(append(kept, restored...), runtime.VerifyOptions{Timeout: -1})
	return err
}

func runRestore(c *cli.Context) error {
	into := c.String("into")
	if into == "" {
		return usagef(c, "missing --into IN.rdb")
	}
	out := c.String("output")
	if out == "" {
		return usagef(c, "missing -o OUT.rdb")
	}
	if c.NArg() < 1 {
		return usagef(c, "restore needs at least one SOURCE (a payload, RDB or .lua file)")
	}
	mode, err := library.ParseRestoreMode(c.String("mode"))
	if err != nil {
		return usagef(c, "--mode %q: %v", c.String("mode"), err)
	}
	policy, err := library.ParsePolicy(c.String("policy"))
	if err != nil {
		return usagef(c, "--policy: %v", err)
	}
	sources := c.Args().Slice()
	if source.IsAOF(into) {
		return runRestoreAOF(c, into, out, sources, mode, policy) // restore_aof.go
	}
	inputs := append([]string{into}, sources...)
	if err := atomicfile.CheckNotInput(out, inputs...); err != nil {
		return err
	}
	incoming, srcs, err := source.Merge(policy, source.Options{Progress: true}, sources...)
	if err != nil {
		return err
	}
	// The libraries come right after the header: learn them (and that
	// --into is an RDB) before writing anything, so that a refusal is
	// immediate and names the conflict.
	head, err := source.Open(into, source.Options{NoVerify: true})
	if err != nil {
		return err
	}
	if head.Kind != source.KindRDB {
		return fmt.Errorf("%s: --into must be an RDB file, this is a %s source", into, head.Kind)
	}
	result, err := library.Restore(head.Libraries, incoming, mode)
	if err != nil {
		return fmt.Errorf("FUNCTION RESTORE %s into %s: %w", strings.ToUpper(mode.String()), into, restoreConflict(err, head.Libraries, incoming, into))
	}
	if !c.Bool("no-function-check") {
		if err := checkFunctionCollisions(head.Libraries, incoming, result); err != nil {
			return fmt.Errorf("FUNCTION RESTORE %s into %s: %w", strings.ToUpper(mode.String()), into, err)
		}
	}

	edit := func(current *library.Set) (*library.Set, error) {
		result, err := library.Restore(current, incoming, mode)
		if err != nil {
			return nil, restoreConflict(err, current, incoming, into)
		}
		return result, nil
	}

	var res *rdbfmt.RewriteResult
	var inSummary *rdbfmt.Summary
	err = atomicfile.Write(out, atomicfile.Options{Inputs: inputs, Verify: func(f *os.File) error {
		return verifyRestored(f, out, res, inSummary)
	}}, func(w io.Writer) error {
		in, err := os.Open(into)
		if err != nil {
			return err
		}
		defer in.Close()
		var size int64
		if st, err := in.Stat(); err == nil {
			size = st.Size()
		}
		pr := progress.NewReader(in, size, "restore "+into, progress.Options{})
		defer pr.Finish()
		res, inSummary, err = rewriteWithSummary(pr, w, edit, rdbfmt.RewriteOptions{File: into, NoCompress: c.Bool("no-compress")})
		return err
	})
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, restoreRDBReport(into, out, mode, srcs, incoming, res, inSummary)) // restore_json.go
	}
	printRestore(c.App.Writer, out, mode, res, inSummary)
	return nil
}

// restoreConflict gives library.Restore's APPEND error (Redis's words) the
// names of the two copies.
func restoreConflict(err error, current, incoming *library.Set, into string) error {
	var le *library.Error
	if errors.As(err, &le) {
		for _, l := range incoming.Libraries() {
			if _, ok := current.Get(l.Name); ok {
				return fmt.Errorf("%s (library %s is in %s and in %s; use --mode replace or --mode flush)", le.Msg, l.Name, into, l.Origin)
			}
		}
	}
	return err
}

// rewriteWithSummary runs rdbfmt.Rewrite and, on the second core, the
// keyspace summary of the same input bytes, so that verification can
// compare the output's keyspace with the input's without reading the input
// twice.
func rewriteWithSummary(in io.Reader, out io.Writer, edit func(*library.Set) (*library.Set, error), opts rdbfmt.RewriteOptions) (*rdbfmt.RewriteResult, *rdbfmt.Summary, error) {
	pr, pw := io.Pipe()
	type infoResult struct {
		info *rdbfmt.Info
		err  error
	}
	done := make(chan infoResult, 1)
	go func() {
		info, err := rdbfmt.ReadInfo(pr, rdbfmt.InfoOptions{File: opts.File, Summary: true})
		// drain whatever is left so the writer side never blocks
		_, _ = io.Copy(io.Discard, pr)
		done <- infoResult{info, err}
	}()
	res, err := rdbfmt.Rewrite(io.TeeReader(in, pw), out, edit, opts)
	if err == nil {
		// Rewrite stops at the checksum; pass on anything after it so the
		// summary reader sees the same end of file.
		_, err = io.Copy(pw, in)
	}
	pw.CloseWithError(err)
	ir := <-done
	if err != nil {
		return nil, nil, err
	}
	if ir.err != nil {
		return nil, nil, ir.err
	}
	ir.info.Summary.Finish()
	return res, ir.info.Summary, nil
}

// verifyRestored re-reads the written file whole (structure to EOF and the
// checksum) and checks that it holds exactly the libraries Rewrite wrote and
// the input's keyspace.
func verifyRestored(f *os.File, name string, res *rdbfmt.RewriteResult, inSummary *rdbfmt.Summary) error {
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	pr := progress.NewReader(f, size, "verify "+name, progress.Options{})
	defer pr.Finish()
	info, err := rdbfmt.ReadInfo(pr, rdbfmt.InfoOptions{File: name, Summary: true})
	if err != nil {
		return err
	}
	if !info.Libraries.Equal(res.After) {
		return fmt.Errorf("the written file holds libraries %v, want %v", info.Libraries, res.After)
	}
	info.Summary.Finish()
	if d := summaryDiff(inSummary, info.Summary); d != "" {
		return fmt.Errorf("the written keyspace differs from the input's: %s", d)
	}
	return nil
}

// summaryDiff compares two keyspace summaries (counts and sizes per
// database and per type) and describes the first difference.
func summaryDiff(a, b *rdbfmt.Summary) string {
	if a.Keys != b.Keys || a.Expires != b.Expires || a.ValueBytes != b.ValueBytes {
		return fmt.Sprintf("%d keys, %d expires, %d value bytes; input %d, %d, %d", b.Keys, b.Expires, b.ValueBytes, a.Keys, a.Expires, a.ValueBytes)
	}
	if len(a.Databases) != len(b.Databases) || len(a.Types) != len(b.Types) {
		return "different databases or types"
	}
	for i := range a.Databases {
		x, y := a.Databases[i], b.Databases[i]
		if x.DB != y.DB || x.Keys != y.Keys || x.Expires != y.Expires || x.ValueBytes != y.ValueBytes {
			return fmt.Sprintf("database %d", x.DB)
		}
	}
	for i := range a.Types {
		x, y := a.Types[i], b.Types[i]
		if x.RDBType != y.RDBType || x.Encoding != y.Encoding || x.Keys != y.Keys || x.Bytes != y.Bytes {
			return fmt.Sprintf("type %s/%s", x.Type, x.Encoding)
		}
	}
	return ""
}

func printRestore(w io.Writer, out string, mode library.RestoreMode, res *rdbfmt.RewriteResult, ks *rdbfmt.Summary) {
	d := library.Compare(res.Before, res.After)
	fmt.Fprintf(w, "wrote %s: FUNCTION RESTORE %s, %d libraries before, %d after\n", out, strings.ToUpper(mode.String()), res.Before.Len(), res.After.Len())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  LIBRARY\tCHANGE\tSHA1\tFROM")
	for _, l := range res.After.Libraries() {
		old, ok := res.Before.Get(l.Name)
		switch {
		case !ok:
			fmt.Fprintf(tw, "  %s\tadded\t%s\t%s\n", l.Name, l.SHA1(), l.Origin)
		case old.Code != l.Code:
			fmt.Fprintf(tw, "  %s\treplaced\t%s\t%s\n", l.Name, l.SHA1(), l.Origin)
		default:
			fmt.Fprintf(tw, "  %s\tkept\t%s\t%s\n", l.Name, l.SHA1(), old.Origin)
		}
	}
	for _, l := range d.Removed {
		fmt.Fprintf(tw, "  %s\tremoved\t%s\t%s\n", l.Name, l.SHA1(), l.Origin)
	}
	tw.Flush()
	fmt.Fprintf(w, "keyspace copied byte for byte: %d keys in %d databases, %d bytes of values; checksum %s\n",
		ks.Keys, len(ks.Databases), ks.ValueBytes, checksumWord(res))
}

func checksumWord(res *rdbfmt.RewriteResult) string {
	switch res.Checksum.Status() {
	case "disabled":
		return "disabled, as in the input"
	case "absent":
		return "absent, as in the input"
	}
	return fmt.Sprintf("%016x", res.OutputChecksum)
}
