package migrate_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/migrate"
)

// want annotations in testdata/unsafe: "-- want: error code" expects a
// finding on its own line, "-- want@N: warning code" on line N.
var wantRe = regexp.MustCompile(`--\s*want(?:@(\d+))?:\s*(error|warning)\s+([a-z-]+)`)

func expectations(src string) []string {
	var out []string
	for i, line := range strings.Split(src, "\n") {
		for _, m := range wantRe.FindAllStringSubmatch(line, -1) {
			n := i + 1
			if m[1] != "" {
				n, _ = strconv.Atoi(m[1])
			}
			out = append(out, fmt.Sprintf("%d %s %s", n, m[2], m[3]))
		}
	}
	sort.Strings(out)
	return out
}

// TestUnsafe checks that every script of testdata/unsafe gets exactly the
// findings its annotations name, at their lines; that scripts with an error
// produce no library; and that the others migrate to a library a real
// redis-server loads.
func TestUnsafe(t *testing.T) {
	paths, _ := filepath.Glob("testdata/unsafe/*.lua")
	if len(paths) < 15 {
		t.Fatalf("only %d unsafe scripts", len(paths))
	}
	srv := fixtures.StartRedis(t)
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(p), func(t *testing.T) {
			want := expectations(string(src))
			if len(want) == 0 {
				t.Fatal("no want annotation")
			}
			res, err := migrate.Migrate("unsafe", []migrate.Script{{Path: p, Source: string(src)}})
			var got []string
			hasErr := false
			for _, f := range res.Findings {
				if f.File != p {
					t.Errorf("finding names %q, want %q", f.File, p)
				}
				got = append(got, fmt.Sprintf("%d %s %s", f.Line, f.Severity, f.Code))
				hasErr = hasErr || f.Severity == migrate.SeverityError
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s\nreport:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), findingsText(res))
			}
			if hasErr {
				if !errors.Is(err, migrate.ErrUnsafe) || res.Code != "" {
					t.Errorf("script with errors: err %v, code %q", err, res.Code)
				}
				return
			}
			if err != nil {
				t.Fatalf("migrate: %v", err)
			}
			if v := srv.Do(t, "FUNCTION", "LOAD", "REPLACE", res.Code); v.IsError() {
				t.Errorf("the real server refuses the migrated library: %v\n%s", v, res.Code)
			}
		})
	}
}

func findingsText(res *migrate.Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

// TestUnsafeLinesOnRealServer shows on a real redis-server that the run-time
// errors the analysis predicts happen, at the line it names: each script is
// wrapped naively (KEYS and ARGV as the callback's parameter names, nothing
// else changed) and called; the function fails on the line of the first
// error finding.
func TestUnsafeLinesOnRealServer(t *testing.T) {
	srv := fixtures.StartRedis(t)
	runtimeErrors := map[string]bool{
		migrate.CodeGlobalWrite: true, migrate.CodeGlobalRead: true, migrate.CodeErrHandler: true,
		migrate.CodeEvalOnlyAPI: true, migrate.CodeRegister: true,
	}
	suffix := regexp.MustCompile(`script: naive, on @user_function:(\d+)\.$`)
	checked := 0
	paths, _ := filepath.Glob("testdata/unsafe/*.lua")
	for _, p := range paths {
		src, _ := os.ReadFile(p)
		a := migrate.Analyze(p, string(src))
		var first *migrate.Finding
		for i, f := range a.Findings {
			if f.Severity == migrate.SeverityError && runtimeErrors[f.Code] {
				first = &a.Findings[i]
				break
			}
		}
		if first == nil {
			continue
		}
		naive := "#!lua name=naive\nredis.register_function('naive', function(KEYS, ARGV) " + string(src) + "\nend)\n"
		if v := srv.Do(t, "FUNCTION", "LOAD", "REPLACE", naive); v.IsError() {
			t.Errorf("%s: naive library refused: %v", p, v)
			continue
		}
		v := srv.Do(t, "FCALL", "naive", "1", "k", "a")
		m := suffix.FindStringSubmatch(v.Str)
		if !v.IsError() || m == nil {
			t.Errorf("%s: FCALL of the naive migration: %v, want an error at line %d", p, v, first.Line+1)
			continue
		}
		if line, _ := strconv.Atoi(m[1]); line != first.Line+1 {
			t.Errorf("%s: real server fails at script line %d (%s), analysis says %d (%s)", p, line-1, v.Str, first.Line, first.Message)
		}
		checked++
	}
	if checked < 6 {
		t.Errorf("only %d scripts checked against the real server", checked)
	}
}
