package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/remote"
	"github.com/urfave/cli/v2"
)

// connFlags are the connection flags of pull and push.
func connFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "tls-ca", Usage: "PEM file of the certificate authorities to trust for rediss:// (default: the system's)"},
		&cli.StringFlag{Name: "tls-cert", Usage: "client certificate (PEM) for servers with tls-auth-clients yes"},
		&cli.StringFlag{Name: "tls-key", Usage: "key of the client certificate (PEM)"},
		&cli.StringFlag{Name: "tls-server-name", Usage: "name to check the server's certificate against (default: the URL's host)"},
		&cli.BoolFlag{Name: "tls-insecure", Usage: "do not verify the server's certificate"},
		&cli.DurationFlag{Name: "timeout", Value: remote.DefaultTimeout, Usage: "bound on connecting and on each command"},
	}
}

func connOptions(c *cli.Context) (remote.Options, error) {
	o := remote.Options{
		TLS: remote.TLSOptions{
			CAFile: c.String("tls-ca"), CertFile: c.String("tls-cert"), KeyFile: c.String("tls-key"),
			ServerName: c.String("tls-server-name"), Insecure: c.Bool("tls-insecure"),
		},
		Timeout: c.Duration("timeout"),
	}
	if (o.TLS.CertFile == "") != (o.TLS.KeyFile == "") {
		return o, usagef(c, "--tls-cert and --tls-key go together")
	}
	if o.Timeout <= 0 {
		return o, usagef(c, "--timeout %v: want a positive duration such as 5s", o.Timeout)
	}
	return o, nil
}

func parseServerURL(c *cli.Context, flag, raw string) (*remote.URL, error) {
	if !remote.IsURL(raw) {
		return nil, usagef(c, "--%s %q: want redis://[user:password@]host:port[/db] or rediss://…", flag, raw)
	}
	u, err := remote.ParseURL(raw)
	if err != nil {
		return nil, usagef(c, "--%s: %v", flag, err)
	}
	return u, nil
}

func pullCommand() *cli.Command {
	return &cli.Command{
		Name:      "pull",
		Usage:     "save the libraries of a live server (FUNCTION DUMP), or of every primary of a cluster",
		UsageText: "fnkit pull --from redis://[user:password@]host:port -o FILE|DIR/ [--format raw|hex|base64|lua] [--cluster] [--json]",
		Description: "Reads FUNCTION DUMP and FUNCTION LIST WITHCODE in one MULTI, checks that they agree, and\n" +
			"writes the payload as FUNCTION RESTORE takes it (--format raw, the default; hex or base64 for\n" +
			"text), or each library as DIR/NAME.lua (--format lua, or -o ending in /). -o - writes the\n" +
			"payload to standard output. --cluster reads every primary of the cluster the server belongs\n" +
			"to and fails, listing the differences, unless they all hold the same libraries.\n" +
			"rediss:// connects with TLS (--tls-ca, --tls-cert/--tls-key, --tls-insecure).\n\n" +
			"Example:\n" +
			"   $ fnkit pull --from redis://:secret@127.0.0.1:6379 -o functions.payload\n" +
			"   $ fnkit pull --from redis://:secret@127.0.0.1:6379 -o libs/\n" +
			"   $ fnkit pull --from redis://127.0.0.1:7000 --cluster -o libs/",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "the server: redis://[user:password@]host:port[/db] or rediss://…"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "payload file, DIR/ for .lua files, or - for standard output"},
			&cli.StringFlag{Name: "format", Usage: "raw, hex, base64 or lua (default: lua when -o ends in /, raw otherwise)"},
			&cli.BoolFlag{Name: "cluster", Usage: "read every primary of the cluster and require them to agree"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite existing .lua files (--format lua)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object instead of text"},
		}, connFlags()...),
		Action: runPull,
	}
}

// pullReport is the JSON document of "fnkit pull --json".
type pullReport struct {
	From           string              `json:"from"`
	Addr           string              `json:"addr"`
	Server         remote.ServerInfo   `json:"server"`
	PayloadVersion int                 `json:"payload_rdb_version"`
	PayloadBytes   int                 `json:"payload_bytes"`
	Output         string              `json:"output"`
	Format         string              `json:"format"`
	Files          []string            `json:"files,omitempty"`
	Libraries      []pullLibrary       `json:"libraries"`
	Cluster        *remote.ClusterPull `json:"cluster,omitempty"`
	OK             bool                `json:"ok"`
	Error          string              `json:"error,omitempty"`
	functions      map[string][]remote.Function
}

type pullLibrary struct {
	Name      string            `json:"name"`
	SHA1      string            `json:"sha1"`
	Size      int               `json:"size"`
	Functions []remote.Function `json:"functions"`
}

func runPull(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef(c, "pull takes no arguments (got %q); the server is --from URL", c.Args().First())
	}
	if c.String("from") == "" {
		return usagef(c, "missing --from redis://host:port")
	}
	u, err := parseServerURL(c, "from", c.String("from"))
	if err != nil {
		return err
	}
	out := c.String("output")
	if out == "" {
		return usagef(c, "missing -o FILE (or -o DIR/ for .lua files, -o - for standard output)")
	}
	format := strings.ToLower(c.String("format"))
	if format == "" {
		format = "raw"
		if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
			format = "lua"
		} else if st, err := os.Stat(out); err == nil && st.IsDir() {
			format = "lua"
		}
	}
	var form dumpfmt.Form
	switch format {
	case "raw":
		form = dumpfmt.FormRaw
	case "hex":
		form = dumpfmt.FormHex
	case "base64":
		form = dumpfmt.FormBase64
	case "lua":
		if out == "-" {
			return usagef(c, "--format lua writes files into a directory; -o - takes a payload format")
		}
	default:
		return usagef(c, "--format %q: want raw, hex, base64 or lua", format)
	}
	opts, err := connOptions(c)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rep := &pullReport{From: u.String(), Addr: u.Addr(), Output: out, Format: format}
	var p *remote.Pulled
	if c.Bool("cluster") {
		cp, err := remote.PullCluster(ctx, u, opts)
		rep.Cluster = cp
		if err != nil {
			return pullFailed(c, rep, err)
		}
		p = cp.Nodes[0]
	} else {
		p, err = remote.Pull(ctx, u, opts)
		if err != nil {
			return pullFailed(c, rep, err)
		}
	}
	rep.Server, rep.PayloadVersion, rep.PayloadBytes = p.Server, p.PayloadVersion, len(p.Payload)
	rep.functions = p.Functions
	for _, l := range p.Libraries.Libraries() {
		rep.Libraries = append(rep.Libraries, pullLibrary{Name: l.Name, SHA1: l.SHA1(), Size: l.Size(), Functions: p.Functions[l.Name]})
	}
	if format == "lua" {
		files, err := writeLuaFiles(out, p.Libraries, c.Bool("force"))
		rep.Files = files
		if err != nil {
			return pullFailed(c, rep, err)
		}
	} else {
		data, err := dumpfmt.Format(p.Payload, form)
		if err != nil {
			return err
		}
		if out == "-" {
			if _, err := c.App.Writer.Write(data); err != nil {
				return err
			}
		} else if err := atomicfile.WriteFile(out, data, atomicfile.Options{Verify: verifyPayload(out, form, p.Payload)}); err != nil {
			return pullFailed(c, rep, err)
		}
	}
	rep.OK = true
	return printPull(c, rep)
}

func verifyPayload(name string, form dumpfmt.Form, payload []byte) atomicfile.Verifier {
	return func(f *os.File) error {
		b, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		got, gotForm, err := dumpfmt.Detect(b, name)
		if err != nil {
			return err
		}
		if gotForm != form || !bytes.Equal(got, payload) {
			return errors.New("the written file does not read back as the payload")
		}
		return nil
	}
}

// writeLuaFiles writes each library as dir/NAME.lua, refusing existing
// files unless force, before writing any.
func writeLuaFiles(dir string, set *library.Set, force bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, l := range set.Libraries() {
		path := filepath.Join(dir, l.Name+".lua")
		if _, err := os.Lstat(path); err == nil && !force {
			return nil, fmt.Errorf("%s: %w (use --force to overwrite)", path, atomicfile.ErrExists)
		}
	}
	var files []string
	for _, l := range set.Libraries() {
		path := filepath.Join(dir, l.Name+".lua")
		code := []byte(l.Code)
		err := atomicfile.WriteFile(path, code, atomicfile.Options{
			NoOverwrite: !force,
			Verify: func(f *os.File) error {
				got, err := io.ReadAll(f)
				if err == nil && !bytes.Equal(got, code) {
					err = errors.New("read back different bytes")
				}
				return err
			},
		})
		if err != nil {
			return files, err
		}
		files = append(files, path)
	}
	return files, nil
}

func pullFailed(c *cli.Context, rep *pullReport, err error) error {
	rep.OK, rep.Error = false, err.Error()
	if c.Bool("json") {
		_ = writeJSON(c.App.Writer, rep)
	} else if rep.Cluster != nil {
		printClusterPull(c.App.ErrWriter, rep.Cluster)
	}
	return err
}

func printPull(c *cli.Context, rep *pullReport) error {
	if c.Bool("json") {
		if rep.Output == "-" {
			return writeJSON(c.App.ErrWriter, rep)
		}
		return writeJSON(c.App.Writer, rep)
	}
	w := c.App.Writer
	if rep.Output == "-" {
		w = c.App.ErrWriter
	}
	nfn := 0
	for _, l := range rep.Libraries {
		nfn += len(l.Functions)
	}
	role := "primary"
	if rep.Server.Role == "slave" {
		role = "replica"
	}
	fmt.Fprintf(w, "pulled %s (%s) from %s (%s %s, %s)\n", plural(len(rep.Libraries), "library", "libraries"), plural(nfn, "function", "functions"), rep.From, rep.Server.Product, rep.Server.Version, role)
	if rep.Cluster != nil {
		printClusterPull(w, rep.Cluster)
	}
	switch {
	case rep.Format == "lua":
		fmt.Fprintf(w, "wrote %d files into %s\n", len(rep.Files), rep.Output)
	case rep.Output == "-":
		fmt.Fprintf(w, "payload: %d bytes, RDB version %d, %s, to standard output\n", rep.PayloadBytes, rep.PayloadVersion, rep.Format)
	default:
		fmt.Fprintf(w, "wrote %s: %d bytes, RDB version %d, %s\n", rep.Output, rep.PayloadBytes, rep.PayloadVersion, rep.Format)
	}
	for _, l := range rep.Libraries {
		fmt.Fprintf(w, "  %-14s %3d functions %7d bytes  sha1 %.12s\n", l.Name, len(l.Functions), l.Size, l.SHA1)
	}
	return nil
}

func printClusterPull(w io.Writer, cp *remote.ClusterPull) {
	var addrs []string
	for _, n := range cp.Nodes {
		addrs = append(addrs, n.Addr)
	}
	if len(cp.Nodes) > 0 {
		fmt.Fprintf(w, "cluster: %d primaries read (%s)", len(cp.Nodes), strings.Join(addrs, ", "))
		if cp.Agree {
			fmt.Fprint(w, ", identical libraries")
		}
		fmt.Fprintln(w)
	}
	for _, f := range cp.Failed {
		fmt.Fprintf(w, "  %s: %s\n", f.Addr, f.Error)
	}
	for _, d := range cp.Differences {
		fmt.Fprintf(w, "  %s\n", d)
	}
}
