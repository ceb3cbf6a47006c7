package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
)

// helpExample is one "$ command" line of a --help example, with the output
// the help shows for it ("..." lines stand for lines left out).
type helpExample struct {
	line string
	want []string
}

// helpExamples reads the examples of a command's --help text.
func helpExamples(help string) []helpExample {
	_, ex, ok := strings.Cut(help, "Example:\n")
	if !ok {
		return nil
	}
	ex, _, _ = strings.Cut(ex, "\nOPTIONS:")
	var out []helpExample
	lines := strings.Split(ex, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "$ "):
			cmd := strings.TrimPrefix(l, "$ ")
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
			}
			out = append(out, helpExample{line: cmd})
		case l == "" || strings.HasPrefix(l, "PS>"):
			if len(out) > 0 && l == "" {
				out = append(out, helpExample{}) // ends the output block
			}
		case len(out) > 0 && out[len(out)-1].line != "":
			out[len(out)-1].want = append(out[len(out)-1].want, l)
		}
	}
	var ret []helpExample
	for _, e := range out {
		if e.line != "" {
			ret = append(ret, e)
		}
	}
	return ret
}

var (
	redisURL     = regexp.MustCompile(`rediss?://[^ ]+`)
	redirectAway = regexp.MustCompile(`>\s*("?\$|/|~)`)
	spaces       = regexp.MustCompile(`\s+`)
)

// Every command's --help has an example, and every example line runs: in
// a directory where fixtures/ is the shipped fixtures and scripts/ the
// migrate corpus, with the fnkit under test first in PATH, redis:// URLs
// and redis-cli pointed at a real redis-server started by the test
// (password "secret"), and "fnkit serve … &" started on a free port that
// "redis-cli -p 6399" then reaches. It must succeed (diff: 0 or 1) and print
// the output the help shows. Only lines that need a Redis Cluster
// (--cluster) or write outside the directory (an installed completion
// script) are not run.
func TestHelpExamplesRun(t *testing.T) {
	fixtures.RequireTool(t, "redis-cli")
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var server *remoteServer
	for _, cmd := range commands() {
		help := want(t, 0, cmd.Name, "--help").stdout
		examples := helpExamples(help)
		if len(examples) == 0 {
			t.Errorf("fnkit %s --help has no example", cmd.Name)
			continue
		}
		dir := t.TempDir()
		os.Symlink(filepath.Join(root, "fixtures"), filepath.Join(dir, "fixtures"))
		os.Symlink(filepath.Join(root, "migrate", "testdata", "scripts"), filepath.Join(dir, "scripts"))
		var serve *exec.Cmd
		servePort := ""
		ran := 0
		for _, ex := range examples {
			line := ex.line
			if strings.Contains(line, "--cluster") || redirectAway.MatchString(line) {
				continue
			}
			if redisURL.MatchString(line) || (strings.Contains(line, "redis-cli") && !strings.Contains(line, "-p 6399")) {
				if server == nil {
					server = startRemote(t, "secret")
				}
				line = redisURL.ReplaceAllString(line, server.url())
				line = strings.ReplaceAll(line, "redis-cli ", fmt.Sprintf("redis-cli -p %d -a secret --no-auth-warning ", server.Port))
			}
			if strings.HasPrefix(line, "fnkit serve ") && strings.HasSuffix(line, "&") {
				servePort = freePort(t)
				line = strings.TrimSuffix(strings.Replace(line, "fnkit serve ", "fnkit serve --addr 127.0.0.1:"+servePort+" ", 1), "&")
				serve = exec.Command(bash, "-c", "exec "+line)
				serve.Dir, serve.Env = dir, exampleEnv()
				serve.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
				if err := serve.Start(); err != nil {
					t.Fatal(err)
				}
				defer func(c *exec.Cmd) { syscall.Kill(-c.Process.Pid, syscall.SIGTERM); c.Wait() }(serve)
				waitListening(t, "127.0.0.1:"+servePort)
				ran++
				continue
			}
			if servePort != "" {
				line = strings.ReplaceAll(line, "-p 6399", "-p "+servePort)
			}
			c := exec.Command(bash, "-o", "pipefail", "-c", line)
			c.Dir, c.Env = dir, exampleEnv()
			var out bytes.Buffer
			c.Stdout, c.Stderr = &out, &out
			err := c.Run()
			ran++
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != 0 && !(code == 1 && strings.HasPrefix(line, "fnkit diff ")) {
				t.Errorf("fnkit %s --help: example %q: exit %d\n%s", cmd.Name, ex.line, code, out.String())
				continue
			}
			if missing := missingLines(ex.want, out.String()); missing != "" {
				t.Errorf("fnkit %s --help: example %q: the help shows %q, the real output is:\n%s", cmd.Name, ex.line, missing, out.String())
			}
		}
		if ran == 0 {
			t.Errorf("fnkit %s --help: no example line can be run here", cmd.Name)
		}
	}
}

// missingLines checks that want's lines appear in got, in order ("..."
// stands for any lines; runs of spaces compare equal), and returns the
// first that does not.
func missingLines(want []string, got string) string {
	norm := func(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }
	lines := strings.Split(got, "\n")
	i := 0
	for _, w := range want {
		if w == "..." || w == "…" {
			continue
		}
		w = norm(w)
		for i < len(lines) && norm(lines[i]) != w {
			i++
		}
		if i == len(lines) {
			return w
		}
		i++
	}
	return ""
}

// exampleEnv puts the fnkit under test first in PATH.
func exampleEnv() []string {
	return append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}
