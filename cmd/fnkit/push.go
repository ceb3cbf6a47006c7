package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/remote"
	"github.com/fnkit/fnkit/runtime"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func pushCommand() *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "load libraries into live servers or every primary of a cluster (plan, FUNCTION RESTORE, verify, roll back)",
		ArgsUsage: "SOURCE...",
		UsageText: "fnkit push SOURCE... --to redis://… [--to …] [--cluster] [--mode append|replace|flush] [--dry-run] [--json]",
		Description: "Merges the libraries of every SOURCE (RDB, AOF, payload, .lua file or another redis:// server;\n" +
			"--policy decides between two sources) and restores them on every --to server, or with\n" +
			"--cluster on every primary of the cluster each --to belongs to:\n" +
			"  1. plan, on every node: connect and authenticate, check the role (primaries only), the\n" +
			"     payload version the server restores, and what --mode would change per library, with the\n" +
			"     error FUNCTION RESTORE would give (\"ERR Library x already exists\" under append);\n" +
			"  2. only if every plan is clean, FUNCTION RESTORE on each node in turn; if one refuses, the\n" +
			"     nodes already restored get their saved FUNCTION DUMP back (RESTORE … FLUSH);\n" +
			"  3. verify: every node holds exactly the planned libraries; replicas catch up.\n" +
			"--dry-run stops after the plan. A node that is down fails the plan; no node is touched.\n" +
			"Modes are FUNCTION RESTORE's: append (default) adds and fails on an existing name, replace\n" +
			"replaces same-name libraries, flush makes the libraries exactly the SOURCEs'.\n" +
			"Exit status 0 when every node ended as planned, 1 otherwise (the report says which), 2 on\n" +
			"a usage error.\n\n" +
			"Example:\n" +
			"   $ fnkit push fixtures/libs/ratelimit.lua fixtures/libs/sessions.lua \\\n" +
			"         --to redis://:secret@127.0.0.1:6379 --mode replace --dry-run\n" +
			"   $ fnkit push fixtures/libs/ratelimit.lua --to redis://:secret@127.0.0.1:6379 --mode replace\n" +
			"   $ fnkit push fixtures/libs/ratelimit.lua --to redis://10.0.0.5:6379 --to redis://10.0.0.6:6379 --cluster\n" +
			"   $ fnkit push functions.payload --to redis://127.0.0.1:7000 --cluster --mode flush --json",
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "to", Usage: "a target server (repeat for several); with --cluster, a seed node"},
			&cli.BoolFlag{Name: "cluster", Usage: "push to every primary of the cluster and verify every node"},
			&cli.StringFlag{Name: "mode", Value: "append", Usage: "FUNCTION RESTORE policy: append, replace or flush"},
			&cli.BoolFlag{Name: "dry-run", Usage: "plan on every node and report; change nothing"},
			&cli.StringFlag{Name: "policy", Value: "fail", Usage: "when two SOURCEs hold different code under one name: fail, replace or keep"},
			&cli.IntFlag{Name: "payload-version", Usage: "RDB version of the payload (default: the lowest the targets write)"},
			&cli.DurationFlag{Name: "replica-wait", Value: remote.DefaultTimeout, Usage: "how long replicas may take to catch up"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read RDB sources only as far as the libraries"},
			&cli.BoolFlag{Name: "no-function-check", Usage: "do not load the libraries in fnkit's runtime first (function-name conflicts are then found by FUNCTION RESTORE itself, and rolled back)"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as one JSON object"},
		}, connFlags()...),
		Action: runPush,
	}
}

// pushFunctionNames gives the plan the names of the functions each incoming
// library registers, so that function-name conflicts are predicted before
// anything is restored: the libraries are loaded, one by one, into fnkit's
// runtime, which answers FUNCTION LOAD and FUNCTION LIST as Redis does. A
// library Redis would refuse stops the push there, with Redis's words.
func pushFunctionNames(set *library.Set) (map[string][]string, error) {
	reports, err := runtime.Check(set.Libraries(), runtime.VerifyOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range reports {
		for _, f := range r.Functions {
			out[r.Library.Name] = append(out[r.Library.Name], f.Name)
		}
	}
	return out, nil
}

// pushReport is the JSON document of "fnkit push --json": the remote report
// and where the libraries came from.
type pushReport struct {
	Sources []string `json:"sources"`
	*remote.Report
}

func runPush(c *cli.Context) error {
	if c.NArg() < 1 {
		return usagef(c, "push needs at least one SOURCE")
	}
	rawTargets := c.StringSlice("to")
	if len(rawTargets) == 0 {
		return usagef(c, "missing --to redis://host:port")
	}
	var targets []*remote.URL
	for _, raw := range rawTargets {
		u, err := parseServerURL(c, "to", raw)
		if err != nil {
			return err
		}
		if c.Bool("cluster") && u.DB != 0 {
			return usagef(c, "--to %s: a Redis Cluster has only database 0", u)
		}
		targets = append(targets, u)
	}
	mode, err := library.ParseRestoreMode(c.String("mode"))
	if err != nil {
		return usagef(c, "--mode %q: want append, replace or flush", c.String("mode"))
	}
	policy, err := library.ParsePolicy(c.String("policy"))
	if err != nil {
		return usagef(c, "--policy: %v", err)
	}
	if v := c.Int("payload-version"); v != 0 && (v < 10 || v > 12) {
		return usagef(c, "--payload-version %d: want 10, 11 or 12", v)
	}
	opts, err := connOptions(c)
	if err != nil {
		return err
	}
	inputs := c.Args().Slice()
	set, srcs, err := source.Merge(policy, source.Options{NoVerify: c.Bool("no-verify"), Remote: opts, Progress: true}, inputs...)
	if err != nil {
		return err
	}
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Path
	}
	po := remote.PushOptions{
		Options: opts, Mode: mode, DryRun: c.Bool("dry-run"), Cluster: c.Bool("cluster"),
		PayloadVersion: c.Int("payload-version"), FunctionNames: pushFunctionNames,
		ReplicaWait: c.Duration("replica-wait"),
	}
	if c.Bool("no-function-check") {
		po.FunctionNames = nil
	}
	rep, pushErr := remote.Push(context.Background(), set, targets, po)
	if c.Bool("json") {
		if err := writeJSON(c.App.Writer, pushReport{Sources: names, Report: rep}); err != nil {
			return err
		}
	} else {
		printPush(c.App.Writer, rep, names)
	}
	return pushErr
}

func printPush(w io.Writer, rep *remote.Report, sources []string) {
	what := "push"
	if rep.DryRun {
		what = "dry run:"
	}
	fmt.Fprintf(w, "%s %s (%s) from %s, mode %s", what, plural(len(rep.Libraries), "library", "libraries"), strings.Join(rep.Libraries, ", "), strings.Join(sources, ", "), rep.Mode)
	if rep.PayloadBytes > 0 {
		fmt.Fprintf(w, ", payload %d bytes RDB version %d", rep.PayloadBytes, rep.PayloadVersion)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tSERVER\tRESULT\tADDED\tREPLACED\tREMOVED\tUNCHANGED")
	for _, n := range rep.Nodes {
		role := n.Role
		if role == "" {
			role = "?"
		}
		if n.Role == "replica" && n.Primary != "" {
			role = "replica of " + n.Primary
		}
		server := n.Server
		if server == "" {
			server = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Addr, role, server, n.Result,
			joinOrDash(n.Added), joinOrDash(n.Replaced), joinOrDash(n.Removed), joinOrDash(n.Unchanged))
	}
	tw.Flush()
	for _, n := range rep.Nodes {
		if n.Error != "" {
			fmt.Fprintf(w, "  %s: %s\n", n.Addr, n.Error)
		}
		for _, note := range n.Notes {
			fmt.Fprintf(w, "  %s: note: %s\n", n.Addr, note)
		}
	}
	for _, note := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	switch {
	case !rep.OK:
		fmt.Fprintf(w, "FAILED (%s): %s\n", rep.Phase, rep.Error)
	case rep.DryRun:
		fmt.Fprintf(w, "plan ok on %d nodes; nothing changed (dry run)\n", len(rep.Nodes))
	default:
		restored, unchanged := 0, 0
		for _, n := range rep.Nodes {
			switch n.Result {
			case remote.ResultRestored:
				restored++
			case remote.ResultUnchanged:
				unchanged++
			}
		}
		fmt.Fprintf(w, "ok: %d restored, %d unchanged, every node verified\n", restored, unchanged)
	}
}

func joinOrDash(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, ",")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
