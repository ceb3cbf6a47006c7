package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/urfave/cli/v2"
)

func TestCompleteCandidates(t *testing.T) {
	cmds := newApp(nil, nil).Commands
	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{""}, append(commandNames(cmds), "help")},
		{[]string{"m"}, []string{"migrate", "merge"}},
		{[]string{"me"}, []string{"merge"}},
		{[]string{"di"}, []string{"diff"}},
		{[]string{"-"}, []string{"--help", "-h"}},
		{[]string{"help", "pu"}, []string{"pull", "push"}},
		{[]string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}},
		{[]string{"completion", "p"}, []string{"powershell"}},
		{[]string{"completion", "bash", ""}, nil},
		{[]string{"merge", "--po"}, []string{"--policy"}},
		{[]string{"merge", "a.rdb", "--target"}, []string{"--target-version"}},
		{[]string{"merge", "--policy", ""}, []string{"fail", "replace", "keep"}},
		{[]string{"merge", "--policy", "r"}, []string{"replace"}},
		{[]string{"merge", "--format", ""}, []string{"rdb", "dump", "aof", "lua"}},
		{[]string{"dump", "--format", ""}, []string{"raw", "hex", "base64"}},
		{[]string{"restore", "--mode", "f"}, []string{"flush"}},
		{[]string{"push", "x.lua", "--mode", ""}, []string{"append", "replace", "flush"}},
		{[]string{"merge", "--target-version", "1"}, []string{"10", "11", "12"}},
		{[]string{"merge", "--policy=k"}, []string{"--policy=keep"}},
		{[]string{"merge", "--policy", "=", "k"}, []string{"keep"}}, // bash splits at '='
		{[]string{"merge", "--policy", "="}, []string{"fail", "replace", "keep"}},
		{[]string{"merge", "-o", ""}, []string{":files"}},
		{[]string{"merge", "--output", "=", "x"}, []string{":files"}},
		{[]string{"merge", "a.rdb", ""}, []string{":files"}},
		{[]string{"merge", "--json", ""}, []string{":files"}},
		{[]string{"diff", "a.rdb", "-"}, nil}, // checked below: every flag of diff
	}
	for _, c := range cases {
		got := complete(cmds, c.words)
		if c.want == nil && len(c.words) == 3 && c.words[0] == "diff" {
			if len(got) < 5 || !contains(got, "--unified") || !contains(got, "--json") || !contains(got, "--tls-ca") {
				t.Errorf("complete(%q) = %q", c.words, got)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("complete(%q) = %q, want %q", c.words, got, c.want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The bash script is sourced by a real bash, registers itself for fnkit and
// completes through the built binary, driven the way bash's programmable
// completion drives it (COMP_WORDS, COMP_CWORD).
func TestBashCompletionScript(t *testing.T) {
	bash := fixtures.RequireTool(t, "bash")
	dir := t.TempDir()
	for _, f := range []string{"dump.rdb", "dump.payload", "notes.txt"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	os.Mkdir(filepath.Join(dir, "libs"), 0o755)
	complete := func(words ...string) []string {
		t.Helper()
		script := `source <(fnkit completion bash) || exit 3
complete -p fnkit >/dev/null || exit 4
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
_fnkit_complete
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, append([]string{"-c", script, "bash", "fnkit"}, words...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
			if l != "" {
				got = append(got, l)
			}
		}
		return got
	}
	check := func(got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	check(complete("mer"), []string{"merge"})
	check(complete("merge", "--pol"), []string{"--policy"})
	check(complete("merge", "--policy", "re"), []string{"replace"})
	check(complete("merge", "--policy", "=", "ke"), []string{"keep"})
	check(complete("diff", "--un"), []string{"--unified"})
	check(complete("completion", "z"), []string{"zsh"})
	check(complete("merge", "dump."), []string{"dump.payload", "dump.rdb"})
	check(complete("merge", "dump.rdb", "-o", "li"), []string{"libs"})
	check(complete("extract", "no"), []string{"notes.txt"})

	// Every command, and every long flag of every command, through bash.
	var names []string
	for _, cmd := range commands() {
		names = append(names, cmd.Name)
	}
	if got := complete(""); !reflect.DeepEqual(got, append(names, "help")) {
		t.Errorf("commands: got %q, want %q", got, append(names, "help"))
	}
	for _, cmd := range commands() {
		if cmd.Name == "completion" {
			continue // its argument is a shell, checked above
		}
		offered := map[string]bool{}
		for _, c := range complete(cmd.Name, "--") {
			offered[c] = true
		}
		for _, f := range append(cmd.Flags, cli.HelpFlag) {
			for _, n := range f.Names() {
				if len(n) > 1 && !offered["--"+n] {
					t.Errorf("fnkit %s --<TAB> does not offer --%s (offers %v)", cmd.Name, n, offered)
				}
			}
		}
	}

	// The other scripts at least print and name the completer.
	for shell, marker := range map[string]string{"zsh": "compdef _fnkit fnkit", "fish": "complete -c fnkit", "powershell": "Register-ArgumentCompleter -Native -CommandName fnkit"} {
		r := want(t, 0, "completion", shell)
		if !strings.Contains(r.stdout, marker) || !strings.Contains(r.stdout, "completion __complete") {
			t.Errorf("%s script:\n%s", shell, r.stdout)
		}
	}
	r := want(t, 2, "completion", "ksh")
	if !hasErrorLine(r.stderr, `completion "ksh": want bash, zsh, fish, powershell`) {
		t.Errorf("%s", r.stderr)
	}
}

// zsh and fish, when installed, at least parse their scripts.
func TestOtherShellScriptsParse(t *testing.T) {
	for _, tc := range []struct{ shell, flag string }{{"zsh", "-n"}, {"fish", "--no-execute"}} {
		bin, err := exec.LookPath(tc.shell)
		if err != nil {
			t.Logf("%s is not installed; its script is not checked", tc.shell)
			continue
		}
		f := filepath.Join(t.TempDir(), "script")
		os.WriteFile(f, []byte(want(t, 0, "completion", tc.shell).stdout), 0o644)
		if out, err := exec.Command(bin, tc.flag, f).CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v\n%s", tc.shell, tc.flag, err, out)
		}
	}
}

// fish, when installed, completes through the script too (complete -C asks
// fish for the completions of a command line).
func TestFishCompletionScript(t *testing.T) {
	fish := fixtures.RequireTool(t, "fish")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), nil, 0o644)
	complete := func(line string) []string {
		t.Helper()
		cmd := exec.Command(fish, "--no-config", "-c", "fnkit completion fish | source; complete -C '"+line+"'")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				got = append(got, strings.SplitN(l, "\t", 2)[0])
			}
		}
		return got
	}
	for line, want := range map[string][]string{
		"fnkit mer":               {"merge"},
		"fnkit merge --policy r":  {"replace"},
		"fnkit merge --format=a":  {"--format=aof"},
		"fnkit merge dump":        {"dump.rdb"},
		"fnkit completion powers": {"powershell"},
	} {
		if got := complete(line); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", line, got, want)
		}
	}
}
