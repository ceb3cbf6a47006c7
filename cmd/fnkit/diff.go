package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare the libraries of two sources (RDB, AOF, payload, .lua, live server); exit 1 when they differ",
		ArgsUsage: "A B",
		UsageText: "fnkit diff A B [--json] [--unified N] [--new-file] [--quiet] [--no-verify] [--at-a TIME|--at-command-a N] [--at-b TIME|--at-command-b N]",
		Description: "A and B are anything fnkit reads: RDB files, FUNCTION DUMP payloads, .lua files and live\n" +
			"servers (redis://[user:password@]host:port[/db], rediss://…). Libraries are compared by name\n" +
			"and code: each is added (only in B), removed (only in A), changed or the same; changed\n" +
			"libraries get a unified diff of their code with headers a/<library>.lua and b/<library>.lua,\n" +
			"so the patch applies to directories written by fnkit extract (patch -p1). --new-file also\n" +
			"shows the code of added and removed libraries. --json prints one JSON object instead.\n\n" +
			"An AOF (file or directory) gives the libraries its replay ends with; --at-a/--at-b TIME\n" +
			"and --at-command-a/--at-command-b N compare it at a point of its history instead, as\n" +
			"inspect's --at and --at-command (fnkit timeline lists the points).\n\n" +
			"Exit status, as diff(1): 0 when A and B hold the same libraries, 1 when they differ,\n" +
			"2 on a usage error or when a source cannot be read.\n\n" +
			"Example:\n" +
			"   $ fnkit diff fixtures/redis-7.0.15/rdb-functions-only.rdb fixtures/redis-7.0.15/aof-multi-incr\n" +
			"   A fixtures/redis-7.0.15/rdb-functions-only.rdb (rdb, RDB version 10): 8 libraries\n" +
			"   B fixtures/redis-7.0.15/aof-multi-incr (aof): 6 libraries\n" +
			"     LIBRARY      CHANGE   A             B\n" +
			"     i18n         removed  56f2f49e1ea4  -\n" +
			"     ...\n" +
			"   0 added, 2 removed, 0 changed, 6 same\n" +
			"   $ fnkit diff fixtures/libs/ratelimit.lua fixtures/libs/ratelimit_v2.lua -U 0 | head -n 8\n" +
			"   ...\n" +
			"   --- a/ratelimit.lua\tfixtures/libs/ratelimit.lua\n" +
			"   +++ b/ratelimit.lua\tfixtures/libs/ratelimit_v2.lua\n" +
			"   $ fnkit diff fixtures/redis-7.0.15/rdb-functions-only.rdb redis://127.0.0.1:6379 --quiet || echo \"the server's libraries differ\"",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object instead of text"},
			&cli.IntFlag{Name: "unified", Aliases: []string{"U"}, Value: 3, Usage: "lines of context in the code diffs"},
			&cli.BoolFlag{Name: "new-file", Aliases: []string{"N"}, Usage: "show the code of added and removed libraries as whole-file diffs"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing; the exit status says whether A and B differ"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read RDB sources only as far as the libraries"},
			&cli.StringFlag{Name: "at-a", Usage: "A is an AOF: its libraries as of TIME (unix seconds or a date, as inspect --at)"},
			&cli.Int64Flag{Name: "at-command-a", Value: -1, Usage: "A is an AOF: its libraries after command N (as inspect --at-command)"},
			&cli.StringFlag{Name: "at-b", Usage: "B is an AOF: its libraries as of TIME"},
			&cli.Int64Flag{Name: "at-command-b", Value: -1, Usage: "B is an AOF: its libraries after command N"},
		}, connFlags()...),
		Action: runDiff,
	}
}

// diffReport is the JSON document of "fnkit diff --json".
type diffReport struct {
	A     diffSide `json:"a"`
	B     diffSide `json:"b"`
	Equal bool     `json:"equal"`
	// Added, Removed, Changed and Same list library names.
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
	Same    []string `json:"same"`
	// Libraries has one entry per library of A or B, by name.
	Libraries []diffLibrary `json:"libraries"`
}

// diffSide describes one of the two sources.
type diffSide struct {
	Source     string `json:"source"`
	Format     string `json:"format"`
	RDBVersion int    `json:"rdb_version,omitempty"`
	Server     string `json:"server,omitempty"`
	// At is where an AOF's replay stopped (--at-a, --at-command-a, …).
	At        string `json:"at,omitempty"`
	Libraries int    `json:"libraries"`
}

// diffLibrary is one library in the comparison.
type diffLibrary struct {
	Name   string      `json:"name"`
	Status string      `json:"status"` // added, removed, changed or same
	A      *diffLibRef `json:"a"`
	B      *diffLibRef `json:"b"`
	// Unified is the unified diff of the code: for changed libraries, and
	// for added and removed ones with --new-file.
	Unified string `json:"unified,omitempty"`
}

// diffLibRef identifies one copy of a library.
type diffLibRef struct {
	SHA1   string `json:"sha1"`
	Size   int    `json:"size"`
	Origin string `json:"origin"`
}

func libRef(l *library.Library) *diffLibRef {
	if l == nil {
		return nil
	}
	return &diffLibRef{SHA1: l.SHA1(), Size: l.Size(), Origin: l.Origin.String()}
}

func runDiff(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef(c, "diff takes two sources A and B, got %d arguments", c.NArg())
	}
	ctxLines := c.Int("unified")
	if ctxLines < 0 {
		return usagef(c, "--unified %d: want 0 or more lines of context", ctxLines)
	}
	remoteOpts, err := connOptions(c)
	if err != nil {
		return err
	}
	var sides [2]*source.Source
	for i, p := range c.Args().Slice() {
		side := []string{"a", "b"}[i]
		stop, stopped, err := diffStop(c, side)
		if err != nil {
			return err
		}
		opts := source.Options{NoVerify: c.Bool("no-verify"), Remote: remoteOpts, Progress: true, AOFStop: stop}
		s, err := source.Open(p, opts)
		if err != nil {
			return exitWith(exitUsage, err)
		}
		if stopped && s.Kind != source.KindAOF {
			return usagef(c, "--at-%s/--at-command-%s: %s is %s, not an AOF", side, side, p, s.Kind)
		}
		sides[i] = s
	}
	rep := buildDiff(sides[0], sides[1], ctxLines, c.Bool("new-file"))
	switch {
	case c.Bool("quiet"):
	case c.Bool("json"):
		if err := writeJSON(c.App.Writer, rep); err != nil {
			return exitWith(exitUsage, err)
		}
	default:
		printDiff(c.App.Writer, rep)
	}
	if !rep.Equal {
		return exitWith(exitFailure, nil)
	}
	return nil
}

// diffStop reads --at-SIDE and --at-command-SIDE.
func diffStop(c *cli.Context, side string) (aof.Stop, bool, error) {
	at, cmdFlag := c.String("at-"+side), "at-command-"+side
	switch {
	case at != "" && c.IsSet(cmdFlag):
		return aof.Stop{}, false, usagef(c, "--at-%s and --%s exclude each other", side, cmdFlag)
	case at != "":
		t, err := parseWhen(at)
		if err != nil {
			return aof.Stop{}, false, usagef(c, "--at-%s %q: %v", side, at, err)
		}
		return aof.StopAtTime(t), true, nil
	case c.IsSet(cmdFlag):
		n := c.Int64(cmdFlag)
		if n < 0 {
			return aof.Stop{}, false, usagef(c, "--%s %d: want 0 or more", cmdFlag, n)
		}
		return aof.StopAtCommand(n), true, nil
	}
	return aof.Stop{}, false, nil
}

func describeSide(s *source.Source) diffSide {
	d := diffSide{Source: s.Path, Format: string(s.Kind), Libraries: s.Libraries.Len()}
	switch {
	case s.RDB != nil:
		d.RDBVersion = s.RDB.Version
	case s.Server != nil:
		d.Server = strings.TrimSpace(s.Server.Info.Product + " " + s.Server.Info.Version)
	case s.Dump != nil:
		d.RDBVersion = s.Dump.Version
	case s.AOF != nil && !s.AOF.Stop.IsEnd():
		d.At = s.AOF.Stop.String()
	}
	return d
}

// buildDiff compares the libraries of a and b.
func buildDiff(a, b *source.Source, ctxLines int, newFile bool) *diffReport {
	d := library.Compare(a.Libraries, b.Libraries)
	rep := &diffReport{
		A: describeSide(a), B: describeSide(b), Equal: d.Empty(),
		Added: []string{}, Removed: []string{}, Changed: []string{}, Same: d.Same,
	}
	if rep.Same == nil {
		rep.Same = []string{}
	}
	byName := map[string]diffLibrary{}
	for _, l := range d.Added {
		rep.Added = append(rep.Added, l.Name)
		e := diffLibrary{Name: l.Name, Status: "added", B: libRef(l)}
		if newFile {
			e.Unified = library.UnifiedDiff("/dev/null", "b/"+l.Name+".lua\t"+l.Origin.String(), "", l.Code, ctxLines)
		}
		byName[l.Name] = e
	}
	for _, l := range d.Removed {
		rep.Removed = append(rep.Removed, l.Name)
		e := diffLibrary{Name: l.Name, Status: "removed", A: libRef(l)}
		if newFile {
			e.Unified = library.UnifiedDiff("a/"+l.Name+".lua\t"+l.Origin.String(), "/dev/null", l.Code, "", ctxLines)
		}
		byName[l.Name] = e
	}
	for _, ch := range d.Changed {
		rep.Changed = append(rep.Changed, ch.Name)
		byName[ch.Name] = diffLibrary{
			Name: ch.Name, Status: "changed", A: libRef(ch.Old), B: libRef(ch.New),
			Unified: library.UnifiedDiff("a/"+ch.Name+".lua\t"+ch.Old.Origin.String(), "b/"+ch.Name+".lua\t"+ch.New.Origin.String(), ch.Old.Code, ch.New.Code, ctxLines),
		}
	}
	for _, n := range d.Same {
		la, _ := a.Libraries.Get(n)
		lb, _ := b.Libraries.Get(n)
		byName[n] = diffLibrary{Name: n, Status: "same", A: libRef(la), B: libRef(lb)}
	}
	names := append(append([]string{}, a.Libraries.Names()...), rep.Added...)
	sort.Strings(names)
	for _, n := range names {
		rep.Libraries = append(rep.Libraries, byName[n])
	}
	if rep.Libraries == nil {
		rep.Libraries = []diffLibrary{}
	}
	return rep
}

func printDiff(w io.Writer, rep *diffReport) {
	side := func(s diffSide) string {
		what := s.Format
		switch {
		case s.Server != "":
			what += ", " + s.Server
		case s.RDBVersion != 0:
			what += fmt.Sprintf(", RDB version %d", s.RDBVersion)
		case s.At != "":
			what += ", " + s.At
		}
		return fmt.Sprintf("%s (%s): %s", s.Source, what, plural(s.Libraries, "library", "libraries"))
	}
	fmt.Fprintf(w, "A %s\nB %s\n", side(rep.A), side(rep.B))
	if len(rep.Libraries) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  LIBRARY\tCHANGE\tA\tB")
		short := func(r *diffLibRef) string {
			if r == nil {
				return "-"
			}
			return r.SHA1[:12]
		}
		for _, l := range rep.Libraries {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Name, l.Status, short(l.A), short(l.B))
		}
		tw.Flush()
	}
	if rep.Equal {
		fmt.Fprintln(w, "same libraries, same code")
		return
	}
	fmt.Fprintf(w, "%d added, %d removed, %d changed, %d same\n", len(rep.Added), len(rep.Removed), len(rep.Changed), len(rep.Same))
	for _, l := range rep.Libraries {
		if l.Unified != "" {
			fmt.Fprintln(w)
			io.WriteString(w, l.Unified)
		}
	}
}
