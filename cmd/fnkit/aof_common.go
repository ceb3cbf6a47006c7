package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/internal/progress"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

// aofStopFlags are the flags that pick a point in an AOF's history, shared
// by inspect, extract and timeline.
func aofStopFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "at", Usage: "AOF only: the libraries as of TIME (unix seconds, or a date such as 2024-10-18T12:00:00Z; UTC unless a zone is given): replay stops before the first #TS: annotation later than TIME"},
		&cli.Int64Flag{Name: "at-command", Value: -1, Usage: "AOF only: the libraries after command N (numbered from 1 over the files Redis loads; 0: the base's RDB libraries only)"},
		&cli.BoolFlag{Name: "check-functions", Usage: "AOF only: load every library change in fnkit's Lua runtime (Redis 7.0.15 rules) and treat what it refuses (compile errors, no function registered, a function name taken) as a failing command, as Redis would"},
	}
}

// aofStop reads --at and --at-command.
func aofStop(c *cli.Context) (aof.Stop, error) {
	at, atCmd := c.String("at"), c.Int64("at-command")
	switch {
	case at != "" && atCmd >= 0:
		return aof.Stop{}, usagef(c, "--at and --at-command exclude each other")
	case at != "":
		t, err := parseWhen(at)
		if err != nil {
			return aof.Stop{}, usagef(c, "--at %q: %v", at, err)
		}
		return aof.StopAtTime(t), nil
	case atCmd >= 0:
		return aof.StopAtCommand(atCmd), nil
	case c.IsSet("at-command"):
		return aof.Stop{}, usagef(c, "--at-command %d: want 0 or more", atCmd)
	}
	return aof.Stop{}, nil
}

// stopSet reports whether a stop flag was given.
func stopSet(c *cli.Context) bool { return c.String("at") != "" || c.IsSet("at-command") }

// requireAOF refuses a path that is not an AOF: an appendonlydir/, its
// manifest, or a file of RESP commands.
func requireAOF(path string) error {
	if !source.IsAOF(path) {
		return fmt.Errorf("%s: not an AOF file or directory (want an appendonlydir/, its manifest, or a file of RESP commands)", path)
	}
	return nil
}

// aofOutputErr is an error of an AOF operation that writes -o OUT, with a
// hint when OUT already exists.
func aofOutputErr(err error) error {
	if errors.Is(err, aof.ErrOutputExists) {
		return fmt.Errorf("%w; choose a new -o", err)
	}
	return err
}

// aofValidator returns the runtime validator when --check-functions is set.
func aofValidator(c *cli.Context) aof.Validator {
	if c.Bool("check-functions") {
		return runtimeValidator
	}
	return nil
}

var whenLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// parseWhen parses a time as unix seconds or as a date (UTC unless the text
// names a zone), the unit of #TS: annotations.
func parseWhen(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	for _, l := range whenLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Unix(), nil
		}
	}
	return 0, errors.New("want unix seconds or a date like 2024-10-18T12:00:00Z or 2024-10-18 12:00:00")
}

// formatWhen shows a #TS: time as people read it (UTC), "" when unknown.
func formatWhen(ts int64) string {
	if ts == 0 {
		return ""
	}
	return time.Unix(ts, 0).UTC().Format("2006-01-02T15:04:05Z")
}

// runtimeValidator loads the library set a function command would produce
// into a fresh Functions engine (fnkit's runtime, Redis 7.0.15 rules, no
// load timeout as when Redis loads an AOF), the changed libraries last so
// that a collision is reported on them as Redis reports it on the library
// being loaded, and returns the first refusal in Redis's words: "Error
// compiling function: …", "No functions registered", "Function f already
// exists". It is aof.Validator, plugged into replays by --check-functions.
func runtimeValidator(command string, current, next *library.Set, changed []*library.Library) error {
	isChanged := map[string]bool{}
	for _, l := range changed {
		isChanged[l.Name] = true
	}
	var order, last []*library.Library
	for _, l := range next.Libraries() {
		if isChanged[l.Name] {
			last = append(last, l)
		} else {
			order = append(order, l)
		}
	}
	_, err := runtime.Check(append(order, last...), runtime.VerifyOptions{Timeout: -1})
	var le *runtime.LoadError
	if errors.As(err, &le) {
		return &library.Error{Msg: le.Msg}
	}
	return err
}

// progressWrap returns an aof Wrap that draws a progress bar on standard
// error (internal/progress: files of 64 MiB or more, when standard error is
// a terminal) for each file an AOF operation reads, and done, which clears
// the last bar.
func progressWrap() (wrap func(*aof.File, io.Reader) io.Reader, done func()) {
	var bar *progress.Reader
	done = func() {
		if bar != nil {
			bar.Finish()
		}
	}
	wrap = func(f *aof.File, r io.Reader) io.Reader {
		done()
		bar = progress.NewReader(r, f.Size, f.Name, progress.Options{})
		return bar
	}
	return wrap, done
}
