package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fnkit/fnkit/internal/atomicfile"
	"github.com/fnkit/fnkit/source"
	"github.com/urfave/cli/v2"
)

func extractCommand() *cli.Command {
	return &cli.Command{
		Name:      "extract",
		Usage:     "write each library of an RDB file, AOF, FUNCTION DUMP payload or .lua file to DIR/<library>.lua",
		ArgsUsage: "PATH",
		UsageText: "fnkit extract PATH -o DIR [--force] [--no-verify] [--at TIME | --at-command N] [--json]",
		Description: "Writes one <library>.lua per library with the code byte for byte as the server stored it\n" +
			"(the file can be loaded again with redis-cli -x FUNCTION LOAD < DIR/<library>.lua).\n" +
			"DIR is created when missing. Existing files are not overwritten unless --force is given;\n" +
			"every file is written atomically. For an AOF (appendonlydir/, its manifest or a single\n" +
			"file), --at TIME or --at-command N extract the libraries of that point of its history.\n\n" +
			"Example:\n" +
			"   $ fnkit extract fixtures/redis-7.0.15/rdb-functions-keyspace.rdb -o libs/\n" +
			"   libs/i18n.lua  44780 bytes  sha1 56f2f49e1ea49c0e16f05a0b327fdd10a885e47d\n" +
			"   ...",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "directory to write the .lua files to (created when missing)"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite existing files"},
			&cli.BoolFlag{Name: "no-verify", Usage: "read only as far as the libraries; skip the keyspace and the checksum"},
			jsonFlag(),
		}, aofStopFlags()...),
		Action: runExtract,
	}
}

// extractReport is the JSON document of "fnkit extract --json".
type extractReport struct {
	Source string        `json:"source"`
	Format string        `json:"format"`
	Output string        `json:"output"`
	Files  []extractFile `json:"files"`
}

// extractFile is one written file.
type extractFile struct {
	Path    string `json:"path"`
	Library string `json:"library"`
	Size    int    `json:"size"`
	SHA1    string `json:"sha1"`
}

func runExtract(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef(c, "extract takes one PATH, got %d arguments", c.NArg())
	}
	dir := c.String("output")
	if dir == "" {
		return usagef(c, "missing -o DIR")
	}
	in := c.Args().First()
	stop, err := aofStop(c)
	if err != nil {
		return err
	}
	src, err := source.Open(in, source.Options{NoVerify: c.Bool("no-verify"), Progress: true, AOFStop: stop, AOFValidate: aofValidator(c)})
	if err != nil {
		return err
	}
	if stopSet(c) && src.Kind != source.KindAOF {
		return usagef(c, "%v; %s is a %s source", errNotAOF, src.Path, src.Kind)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	libs := src.Libraries.Libraries()
	force := c.Bool("force")
	// Refuse before writing anything, so a refusal never leaves half a set.
	for _, l := range libs {
		path := filepath.Join(dir, l.Name+".lua")
		if err := atomicfile.CheckNotInput(path, in); err != nil {
			return err
		}
		if _, err := os.Lstat(path); err == nil && !force {
			return fmt.Errorf("%s: %w (use --force to overwrite)", path, atomicfile.ErrExists)
		}
	}
	rep := extractReport{Source: in, Format: string(src.Kind), Output: dir, Files: []extractFile{}}
	for _, l := range libs {
		path := filepath.Join(dir, l.Name+".lua")
		code := []byte(l.Code)
		err := atomicfile.WriteFile(path, code, atomicfile.Options{
			Inputs:      []string{in},
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
			return err
		}
		rep.Files = append(rep.Files, extractFile{Path: path, Library: l.Name, Size: l.Size(), SHA1: l.SHA1()})
		if !c.Bool("json") {
			fmt.Fprintf(c.App.Writer, "%s\t%d bytes\tsha1 %s\n", path, l.Size(), l.SHA1())
		}
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, rep)
	}
	if len(libs) == 0 {
		fmt.Fprintf(c.App.ErrWriter, "fnkit: %s holds no libraries; nothing written\n", in)
	}
	return nil
}
