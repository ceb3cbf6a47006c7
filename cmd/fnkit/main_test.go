package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

// binary is the fnkit built once for the whole test run.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fnkit-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "fnkit")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// fnkit runs the binary like a user would.
func fnkit(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run fnkit: %v", err)
	}
	return result{out.String(), errb.String(), code}
}

// want checks the exit code and returns the result.
func want(t *testing.T, code int, args ...string) result {
	t.Helper()
	r := fnkit(t, args...)
	if r.code != code {
		t.Fatalf("fnkit %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

// listWithCode returns FUNCTION LIST WITHCODE of a real server as
// library name → code.
func listWithCode(t *testing.T, r *fixtures.Redis) map[string]string {
	t.Helper()
	return r.Libraries(t)
}

// expectedLibs returns a fixture's producer_state libraries as name → code.
func expectedLibs(t *testing.T, server, name string) map[string]string {
	t.Helper()
	exp, err := fixtures.LoadExpected(server, name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range exp.Producer.Functions.Libraries {
		out[l.Name] = l.Source()
	}
	return out
}

func setCodes(s *library.Set) map[string]string {
	out := map[string]string{}
	for _, l := range s.Libraries() {
		out[l.Name] = l.Code
	}
	return out
}

func sameCodes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func names(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
