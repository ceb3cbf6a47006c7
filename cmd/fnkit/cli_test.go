package main

import (
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"inspect"}, "inspect takes one PATH"},
		{[]string{"inspect", "a", "b"}, "inspect takes one PATH"},
		{[]string{"inspect", "--bogus", "x"}, "flag provided but not defined: -bogus"},
		{[]string{"extract", "x"}, "missing -o DIR"},
		{[]string{"extract", "-o"}, "flag needs an argument"},
		{[]string{"dump", "-o", "out"}, "at least one SOURCE"},
		{[]string{"dump", "x.lua"}, "missing -o FILE"},
		{[]string{"dump", "x.lua", "-o", "out", "--policy", "newest"}, `unknown merge policy "newest"`},
		{[]string{"dump", "x.lua", "-o", "out", "--target-version", "abc"}, "invalid value"},
		{[]string{"dump", "x.lua", "-o", "out", "--target-version", "13"}, "--target-version 13"},
		{[]string{"dump", "x.lua", "-o", "out", "--format", "quoted"}, `--format "quoted"`},
	}
	for _, c := range cases {
		r := want(t, 2, c.args...)
		if !hasErrorLine(r.stderr, c.msg) || !strings.Contains(r.stderr, "--help' for usage.") {
			t.Errorf("fnkit %v: stderr %q, want it to contain %q", c.args, r.stderr, c.msg)
		}
	}
}

func TestHelpHasExamples(t *testing.T) {
	r := want(t, 0, "--help")
	for _, cmd := range commands() {
		if !strings.Contains(r.stdout, cmd.Name) {
			t.Errorf("app help does not list %s", cmd.Name)
		}
		h := want(t, 0, cmd.Name, "--help")
		if !strings.Contains(h.stdout, "Example:") || !strings.Contains(h.stdout, "fnkit "+cmd.Name) {
			t.Errorf("fnkit %s --help has no example:\n%s", cmd.Name, h.stdout)
		}
	}
}

// Flags may come after positional arguments, as in the README.
func TestReorderArgs(t *testing.T) {
	app := newApp(nil, nil)
	got := strings.Join(reorderArgs(app.Commands, []string{"fnkit", "extract", "in.rdb", "-o", "dir", "--force", "--", "-odd"}), " ")
	if got != "fnkit extract -o dir --force -- in.rdb -- -odd" && got != "fnkit extract -o dir --force -- in.rdb -odd" {
		t.Fatalf("got %q", got)
	}
	got = strings.Join(reorderArgs(app.Commands, []string{"fnkit", "dump", "a", "--policy=keep", "b", "-o", "f"}), " ")
	if got != "fnkit dump --policy=keep -o f -- a b" {
		t.Fatalf("got %q", got)
	}
}

// hasErrorLine reports whether stderr has a line "fnkit: ..." containing msg.
func hasErrorLine(stderr, msg string) bool {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "fnkit: ") && strings.Contains(line, msg) {
			return true
		}
	}
	return false
}
