package library_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

func lib(t *testing.T, name, fn, path string) *library.Library {
	t.Helper()
	l, err := library.New("#!lua name="+name+"\nredis.register_function('"+fn+"', function() return 1 end)\n",
		library.Origin{Path: path, Format: "lua", Offset: -1})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSetOrderAndAdd(t *testing.T) {
	s := library.NewSet(lib(t, "b", "f", "x"), lib(t, "a", "g", "x"), lib(t, "B", "h", "x"))
	if got := strings.Join(s.Names(), ","); got != "B,a,b" {
		t.Fatalf("names %s", got)
	}
	if err := s.Add(lib(t, "a", "z", "y")); err == nil || err.Error() != "Library 'a' already exists" {
		t.Fatalf("Add duplicate: %v", err)
	}
	if !s.Delete("a") || s.Delete("a") || s.Len() != 2 {
		t.Fatal("Delete")
	}
}

func TestMergePolicies(t *testing.T) {
	a1 := lib(t, "a", "f1", "one.rdb")
	a2 := lib(t, "a", "f2", "two.lua")
	b := lib(t, "b", "g", "two.lua")
	one, two := library.NewSet(a1), library.NewSet(a2, b)

	_, err := library.Merge(library.PolicyFail, one, two)
	var ce *library.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, library.ErrConflict) {
		t.Fatalf("fail policy: %v", err)
	}
	if !strings.Contains(err.Error(), "one.rdb") || !strings.Contains(err.Error(), "two.lua") {
		t.Fatalf("conflict error does not name both sources: %v", err)
	}
	r, err := library.Merge(library.PolicyReplace, one, two)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := r.Get("a"); l != a2 || r.Len() != 2 {
		t.Fatalf("replace kept %v", l.Origin)
	}
	k, err := library.Merge(library.PolicyKeep, one, two)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := k.Get("a"); l != a1 || k.Len() != 2 {
		t.Fatalf("keep kept %v", l.Origin)
	}
	// identical code is never a conflict
	same := lib(t, "a", "f1", "three.aof")
	if _, err := library.Merge(library.PolicyFail, one, library.NewSet(same)); err != nil {
		t.Fatalf("identical code conflicted: %v", err)
	}
	for _, p := range []string{"fail", "REPLACE", "keep"} {
		if _, err := library.ParsePolicy(p); err != nil {
			t.Error(err)
		}
	}
	if _, err := library.ParsePolicy("merge"); err == nil {
		t.Error("ParsePolicy accepted merge")
	}
}

func TestRestoreModes(t *testing.T) {
	cur := library.NewSet(lib(t, "a", "f1", "cur"), lib(t, "b", "g", "cur"))
	in := library.NewSet(lib(t, "a", "f2", "in"), lib(t, "c", "h", "in"))
	if _, err := library.Restore(cur, in, library.RestoreAppend); err == nil || err.Error() != "Library a already exists" {
		t.Fatalf("append: %v", err)
	}
	r, _ := library.Restore(cur, in, library.RestoreReplace)
	if got := strings.Join(r.Names(), ","); got != "a,b,c" {
		t.Fatalf("replace: %s", got)
	}
	if l, _ := r.Get("a"); l.Origin.Path != "in" {
		t.Fatal("replace did not replace")
	}
	f, _ := library.Restore(cur, in, library.RestoreFlush)
	if got := strings.Join(f.Names(), ","); got != "a,c" {
		t.Fatalf("flush: %s", got)
	}
	if cur.Len() != 2 {
		t.Fatal("Restore modified its input")
	}
	if _, err := library.ParseRestoreMode("merge"); err == nil || !strings.HasPrefix(err.Error(), "Wrong restore policy given") {
		t.Fatal(err)
	}
}

func TestCompareAndUnifiedDiff(t *testing.T) {
	old := library.NewSet(lib(t, "a", "f1", "old"), lib(t, "b", "g", "old"))
	nu := library.NewSet(lib(t, "a", "f2", "new"), lib(t, "c", "h", "new"))
	d := library.Compare(old, nu)
	if len(d.Added) != 1 || d.Added[0].Name != "c" || len(d.Removed) != 1 || d.Removed[0].Name != "b" || len(d.Changed) != 1 || d.Empty() {
		t.Fatalf("diff %+v", d)
	}
	if !library.Compare(old, old).Empty() {
		t.Fatal("a set differs from itself")
	}
	if !strings.Contains(d.Changed[0].Unified, "-redis.register_function('f1'") ||
		!strings.Contains(d.Changed[0].Unified, "+redis.register_function('f2'") {
		t.Fatalf("unified diff:\n%s", d.Changed[0].Unified)
	}
}

// TestUnifiedDiffMatchesPatch applies our diffs with patch(1): the result
// must equal the new text.
func TestUnifiedDiffMatchesPatch(t *testing.T) {
	patch := fixtures.RequireTool(t, "patch")
	texts := []string{
		"",
		"one\n",
		"one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n",
		"one\ntwo\n3\nfour\nfive\nsix\nseven\neight\n9\nten\neleven\n",
		"zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten",
		"a\nb\na\nb\na\nb\n",
		"b\na\nb\na\n",
	}
	dir := t.TempDir()
	for i, a := range texts {
		for j, b := range texts {
			if a == b {
				continue
			}
			f := filepath.Join(dir, "f")
			if err := os.WriteFile(f, []byte(a), 0o644); err != nil {
				t.Fatal(err)
			}
			d := library.UnifiedDiff("f", "f", a, b, 3)
			cmd := exec.Command(patch, "-s", "-u", f)
			cmd.Stdin = strings.NewReader(d)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%d->%d: patch: %v %s\n%s", i, j, err, out, d)
			}
			got, _ := os.ReadFile(f)
			if string(got) != b {
				t.Fatalf("%d->%d: patched %q want %q\n%s", i, j, got, b, d)
			}
		}
	}
}
