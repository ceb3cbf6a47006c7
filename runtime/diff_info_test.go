package runtime_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// INFO against a real redis-server 7.0.15: values differ between any two
// servers, so the test compares the shape — the reply type, the sections
// in order, every section's field names in order (as sets where Redis's
// order comes from a hash table: commandstats, errorstats, latencystats),
// and each value's format (integer, fixed decimals, percentage, human
// size, key=value lists of those) — never the values.

type infoSection struct {
	title  string
	fields []string // "name:shape"
}

var shapeRules = []struct {
	re   *regexp.Regexp
	name string
}{
	{regexp.MustCompile(`^-?\d+$`), "int"},
	{regexp.MustCompile(`^-?\d+\.\d{2}$`), "fixed2"},
	{regexp.MustCompile(`^-?\d+\.\d{3}$`), "fixed3"},
	{regexp.MustCompile(`^-?\d+\.\d{6}$`), "fixed6"},
	{regexp.MustCompile(`^\d+\.\d{2}%$`), "percent"},
	{regexp.MustCompile(`^\d+(\.\d{2}[KMGTPE]|B)$`), "human"},
}

func shape(v string) string {
	if strings.Contains(v, "=") && !strings.ContainsAny(v, " ") {
		var parts []string
		for _, kv := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(kv, "=")
			parts = append(parts, k+"="+shape(val))
		}
		return strings.Join(parts, ",")
	}
	for _, r := range shapeRules {
		if r.re.MatchString(v) {
			return r.name
		}
	}
	return "text"
}

var unorderedSections = map[string]bool{"# Commandstats": true, "# Errorstats": true, "# Latencystats": true}

func parseInfo(t *testing.T, v resp.Value) []infoSection {
	t.Helper()
	var out []infoSection
	for _, line := range strings.Split(v.Str, "\r\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			out = append(out, infoSection{title: line})
		default:
			if len(out) == 0 {
				t.Fatalf("field before any section: %q", line)
			}
			k, val, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("line without a colon: %q", line)
			}
			out[len(out)-1].fields = append(out[len(out)-1].fields, k+":"+shape(val))
		}
	}
	for i := range out {
		if unorderedSections[out[i].title] {
			sort.Strings(out[i].fields)
		}
	}
	return out
}

func TestDiffInfoShape(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	setup := [][]string{
		cmd("SET", "a", "1"), cmd("SET", "t", "v", "EX", "1000"), cmd("GET", "a"), cmd("NOSUCH"), cmd("GET"),
		load(fn1("f", "return 1")), call("f"), cmd("FCALL", "nope", "0"), cmd("SELECT", "2"), cmd("HSET", "h", "f", "v"),
		cmd("SELECT", "0"), cmd("WRONGTYPE-TRIGGER"), cmd("HSET", "a", "f", "v"),
	}
	queries := [][]string{
		cmd("INFO"), cmd("INFO", "all"), cmd("INFO", "everything"), cmd("INFO", "default"), cmd("INFO", "server"),
		cmd("INFO", "SERVER", "clients"), cmd("INFO", "memory"), cmd("INFO", "persistence"), cmd("INFO", "stats"),
		cmd("INFO", "replication"), cmd("INFO", "cpu"), cmd("INFO", "modules"), cmd("INFO", "commandstats"),
		cmd("INFO", "errorstats"), cmd("INFO", "latencystats"), cmd("INFO", "cluster"), cmd("INFO", "keyspace"),
		cmd("INFO", "nosuch"), cmd("INFO", "keyspace", "nosuch", "cpu"),
	}
	for _, resp3 := range []bool{false, true} {
		t.Run(fmt.Sprintf("resp3=%v", resp3), func(t *testing.T) {
			ours, theirs := dial(t, srv.Addr()), dial(t, real.Addr)
			for _, c := range []*rawConn{ours, theirs} {
				reset(t, c)
				if _, err := c.Do("CONFIG", "RESETSTAT"); err != nil {
					t.Fatal(err)
				}
				if resp3 {
					if v, err := c.Do("HELLO", "3"); err != nil || v.IsError() {
						t.Fatal(v, err)
					}
				}
				for _, a := range setup {
					if _, err := c.Do(a...); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, q := range queries {
				a, err := ours.Do(q...)
				if err != nil {
					t.Fatal(err)
				}
				b, err := theirs.Do(q...)
				if err != nil {
					t.Fatal(err)
				}
				if a.Kind != b.Kind || a.Format != b.Format {
					t.Errorf("%s: reply type %q/%q, redis %q/%q", show(q), a.Kind, a.Format, b.Kind, b.Format)
					continue
				}
				if d := diffLines(flatten(parseInfo(t, b)), flatten(parseInfo(t, a))); d != "" {
					t.Errorf("%s: shapes differ (- redis, + fnkit):\n%s", show(q), d)
				}
			}
		})
	}
}

func flatten(secs []infoSection) []string {
	var out []string
	for _, s := range secs {
		out = append(out, s.title)
		for _, f := range s.fields {
			out = append(out, "  "+f)
		}
	}
	return out
}

// diffLines lists the lines only in a (-) or only in b (+), and reports
// an order difference when both hold the same lines.
func diffLines(a, b []string) string {
	in := func(xs []string) map[string]int {
		m := map[string]int{}
		for _, x := range xs {
			m[x]++
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, x := range a {
		if mb[x] == 0 {
			out = append(out, "- "+x)
		}
	}
	for _, x := range b {
		if ma[x] == 0 {
			out = append(out, "+ "+x)
		}
	}
	if len(out) == 0 && strings.Join(a, "\n") != strings.Join(b, "\n") {
		out = append(out, "same lines, different order:\nredis: "+strings.Join(a, " ")+"\nfnkit: "+strings.Join(b, " "))
	}
	return strings.Join(out, "\n")
}
