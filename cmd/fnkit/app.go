package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// commands lists every fnkit command, in the order help shows them. Add a
// command by writing its file (one per command) and adding one line here.
func commands() []*cli.Command {
	return []*cli.Command{
		inspectCommand(),
		extractCommand(),
		dumpCommand(),
		migrateCommand(),
		pullCommand(),
		pushCommand(),
		restoreCommand(),
		timelineCommand(),
		repairCommand(),
		mergeCommand(),
		diffCommand(),
		verifyCommand(),
		serveCommand(),
		completionCommand(),
	}
}

// usageError is a command line that fnkit cannot run: exit status 2.
type usageError struct {
	cmd string // the command, for the --help hint; "" for the app
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitError ends fnkit with its own exit status, for commands whose statuses
// mean something else than 0/1/2 (diff: 0 same, 1 different, 2 trouble). A
// nil err prints nothing.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitWith returns an error that makes fnkit exit with code, printing err
// when it is not nil.
func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// usagef returns a usage error of the command that c runs.
func usagef(c *cli.Context, format string, args ...any) error {
	return &usageError{cmd: commandName(c), err: fmt.Errorf(format, args...)}
}

func commandName(c *cli.Context) string {
	if c == nil || c.Command == nil {
		return ""
	}
	return c.Command.Name
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "fnkit",
		Usage: "offline toolkit for Redis Functions libraries in RDB files, AOF logs and FUNCTION DUMP payloads",
		UsageText: "fnkit COMMAND [options] ARGS...\n\n" +
			"Examples:\n" +
			"   fnkit inspect dump.rdb\n" +
			"   fnkit extract dump.rdb -o libs/\n" +
			"   fnkit dump libs/*.lua -o functions.payload\n" +
			"   fnkit restore --into dump.rdb functions.payload --mode replace -o restored.rdb",
		Commands:       commands(),
		Writer:         stdout,
		ErrWriter:      stderr,
		HideVersion:    true,
		ExitErrHandler: func(*cli.Context, error) {}, // run() decides the exit status
		OnUsageError:   onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return &usageError{err: fmt.Errorf("unknown command %q", c.Args().First())}
			}
			w := c.App.Writer
			c.App.Writer = c.App.ErrWriter
			_ = cli.ShowAppHelp(c)
			c.App.Writer = w
			return &usageError{err: errors.New("no command given")}
		},
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = onUsageError
	}
	return app
}

func onUsageError(c *cli.Context, err error, _ bool) error {
	return &usageError{cmd: commandName(c), err: err}
}

// run runs fnkit with args (args[0] is the program name) and returns the exit
// status. Errors go to stderr as "fnkit: <error>".
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(reorderArgs(app.Commands, args))
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "fnkit: %v\n", ee.err)
		}
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "fnkit: %v\n", err)
		if ue.cmd != "" {
			fmt.Fprintf(stderr, "Run 'fnkit %s --help' for usage.\n", ue.cmd)
		} else {
			fmt.Fprintln(stderr, "Run 'fnkit --help' for usage.")
		}
		return exitUsage
	}
	fmt.Fprintf(stderr, "fnkit: %v\n", err)
	return exitFailure
}

// reorderArgs moves a command's flags in front of its positional arguments,
// so that "fnkit extract dump.rdb -o dir" works: urfave/cli (like Go's flag
// package) stops parsing flags at the first positional argument. A "--"
// ends the flags; everything after it stays positional.
func reorderArgs(cmds []*cli.Command, args []string) []string {
	if len(args) < 2 {
		return args
	}
	var cmd *cli.Command
	i := 1
	for ; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			for _, c := range cmds {
				if c.HasName(args[i]) {
					cmd = c
				}
			}
			break
		}
	}
	if cmd == nil || cmd.SkipFlagParsing {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	out := append([]string{}, args[:i+1]...)
	var flags, pos []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			pos = append(pos, rest[j:]...)
			j = len(rest)
		case len(a) > 1 && strings.HasPrefix(a, "-"):
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && j+1 < len(rest) {
				j++
				flags = append(flags, rest[j])
			}
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) > 0 && pos[0] != "--" {
		pos = append([]string{"--"}, pos...)
	}
	out = append(out, flags...)
	return append(out, pos...)
}
