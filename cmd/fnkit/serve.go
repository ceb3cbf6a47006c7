package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fnkit/fnkit/internal/progress"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "serve the libraries (and optionally the keyspace) of the sources over RESP with a Redis-compatible Functions runtime",
		ArgsUsage: "[SOURCE...]",
		UsageText: "fnkit serve [--addr 127.0.0.1:6399] [--with-data] [--requirepass P] [SOURCE...]",
		Description: "Starts a Redis-compatible server (RESP2 and RESP3) with the libraries of every source\n" +
			"loaded (none: an empty server, as a fresh redis-server), so that redis-cli, a client library or an application can call FCALL and\n" +
			"FCALL_RO against them; FUNCTION LOAD/LIST/DUMP/RESTORE and the usual keyspace commands\n" +
			"work too. --with-data also loads the keyspace of RDB and AOF sources. The server runs until\n" +
			"interrupted or until a client sends SHUTDOWN.\n\n" +
			"Example:\n" +
			"   $ fnkit serve --with-data fixtures/redis-7.0.15/rdb-functions-keyspace.rdb &\n" +
			"   $ redis-cli -p 6399 -n 9 --no-raw FCALL lb_top 1 lb:global 3\n" +
			"   1) \"alice\"\n" +
			"   2) \"300\"\n" +
			"   ...\n" +
			"   $ redis-cli -p 6399 FCALL_RO lb_zset_if_greater 1 zset:small alice 50\n" +
			"   ERR Can not execute a script with write flag using *_ro command.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:6399", Usage: "listen on `HOST:PORT` (port 0: any free port)"},
			&cli.BoolFlag{Name: "with-data", Usage: "also load the keyspace of RDB and AOF sources"},
			&cli.StringFlag{Name: "requirepass", Usage: "require clients to AUTH with `PASSWORD`"},
			&cli.StringFlag{Name: "policy", Value: "fail", Usage: "when two sources hold different code for a library: fail, replace (later wins) or keep (first wins)"},
			&cli.DurationFlag{Name: "busy-reply-threshold", Value: runtime.DefaultBusyReplyThreshold, Usage: "Redis's busy-reply-threshold: how long a function runs before other clients get BUSY"},
			&cli.DurationFlag{Name: "script-time-limit", Value: runtime.DefaultScriptTimeLimit, Usage: "stop any load or call that runs longer (0: no limit; Redis has none)"},
			&cli.Int64Flag{Name: "script-memory-limit", Value: runtime.DefaultScriptMemoryLimit, Usage: "stop any load or call that adds more `BYTES` of memory (0: no limit)"},
			&cli.BoolFlag{Name: "quiet", Usage: "do not print the server log"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read RDB sources only as far as the libraries (without --with-data); skip the checksum"},
			&cli.BoolFlag{Name: "json", Usage: "once listening, print one JSON line (documented in the README) of the address and what was loaded"},
		},
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	policy, err := library.ParsePolicy(c.String("policy"))
	if err != nil {
		return usagef(c, "%v", err)
	}
	logw := c.App.ErrWriter
	if c.Bool("quiet") {
		logw = nil
	}
	cfg := runtime.Config{
		RequirePass:        c.String("requirepass"),
		BusyReplyThreshold: nonZeroOrNegative(c.Duration("busy-reply-threshold")),
		ScriptTimeLimit:    nonZeroOrNegative(c.Duration("script-time-limit")),
		ScriptMemoryLimit:  nonZeroOrNegativeInt(c.Int64("script-memory-limit")),
		Log:                logw,
	}
	srv, err := runtime.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	set, sources, err := source.Merge(policy, source.Options{NoVerify: c.Bool("no-verify") && !c.Bool("with-data"), Progress: true}, c.Args().Slice()...)
	if err != nil {
		return err
	}
	if err := srv.LoadLibraries(set); err != nil {
		return err
	}
	out := c.App.ErrWriter
	rep := serveReport{Sources: []serveSource{}, Libraries: librariesOut(set)} // serve_json.go
	for _, s := range sources {
		fmt.Fprintf(out, "fnkit serve: %s (%s): %d libraries\n", s.Path, s.Kind, s.Libraries.Len())
		rep.Sources = append(rep.Sources, serveSource{Path: s.Path, Format: string(s.Kind), Libraries: s.Libraries.Len()})
		if !c.Bool("with-data") {
			continue
		}
		if err := loadKeyspace(srv, s, &rep.Sources[len(rep.Sources)-1], out); err != nil {
			return err
		}
	}
	for _, l := range set.Libraries() {
		fmt.Fprintf(out, "fnkit serve: library %s (sha1 %.12s) from %s\n", l.Name, l.SHA1(), l.Origin)
	}
	if err := srv.Listen(c.String("addr")); err != nil {
		return err
	}
	fmt.Fprintf(out, "fnkit serve: listening on %s\n", srv.Addr())
	if c.Bool("json") {
		rep.Addr = srv.Addr()
		if err := writeJSONLine(c.App.Writer, rep); err != nil {
			return err
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case s := <-sig:
		fmt.Fprintf(out, "fnkit serve: %v, shutting down\n", s)
	case <-srv.ShutdownRequested():
		fmt.Fprintln(out, "fnkit serve: SHUTDOWN received")
	}
	return nil
}

// nonZeroOrNegative maps a command-line 0 ("no limit") to the runtime's
// "none" (negative); the runtime's zero means its default.
func nonZeroOrNegative(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func nonZeroOrNegativeInt(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}

// loadKeyspace loads the keyspace of one source into srv (--with-data),
// fills in its report entry and logs what it loaded.
func loadKeyspace(srv *runtime.Server, s *source.Source, rs *serveSource, out io.Writer) error {
	var keys map[int]int
	var more string
	switch s.Kind {
	case source.KindRDB:
		f, err := os.Open(s.Path)
		if err != nil {
			return err
		}
		bar := progress.NewReader(f, s.Size, "load "+s.Path, progress.Options{})
		st, err := srv.LoadRDB(bar, s.Path)
		bar.Finish()
		f.Close()
		if err != nil {
			return err
		}
		keys, rs.Expired, rs.Skipped = st.Keys, st.Expired, st.Skipped
		if st.Expired > 0 {
			more = fmt.Sprintf(", %d expired keys skipped", st.Expired)
		}
	case source.KindAOF:
		wrap, done := progressWrap()
		st, err := srv.LoadAOF(s.Path, runtime.AOFLoadOptions{Wrap: wrap})
		done()
		if err != nil {
			return err
		}
		keys, rs.Truncated = st.Keys, st.Truncated
		if st.RDB != nil {
			rs.Skipped = append(rs.Skipped, st.RDB.Skipped...)
		}
		rs.Skipped = append(rs.Skipped, st.Skipped...)
		more = fmt.Sprintf(", %d commands replayed", st.Commands)
	default:
		fmt.Fprintf(out, "fnkit serve: %s: no keyspace loaded from a %s source\n", s.Path, s.Kind)
		return nil
	}
	total := 0
	for _, n := range keys {
		total += n
	}
	rs.Keys = &total
	fmt.Fprintf(out, "fnkit serve: %s: %d keys loaded%s\n", s.Path, total, more)
	if rs.Truncated != "" {
		fmt.Fprintf(out, "fnkit serve: %s: truncated, loaded up to the damage as Redis's aof-load-truncated: %s\n", s.Path, rs.Truncated)
	}
	for _, sk := range rs.Skipped {
		fmt.Fprintf(out, "fnkit serve: %s: not loaded: %s\n", s.Path, sk)
	}
	return nil
}
