package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteAndVerify(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	data := []byte("hello, atomic world")
	var seen []byte
	err := WriteFile(path, data, Options{Verify: func(f *os.File) error {
		b, err := io.ReadAll(f)
		seen = b
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(seen, data) {
		t.Fatalf("verifier saw %q", seen)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, data) {
		t.Fatalf("file holds %q", got)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Fatalf("directory holds %v", names)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode())
	}
}

func TestReplaceKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(got) != "new" || st.Mode().Perm() != 0o600 {
		t.Fatalf("got %q mode %v", got, st.Mode())
	}
}

func TestVerifierFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := errors.New("bad bytes")
	// new target: nothing at all afterwards
	path := filepath.Join(dir, "new.bin")
	err := WriteFile(path, []byte("data"), Options{Verify: func(*os.File) error { return bad }})
	if !errors.Is(err, bad) {
		t.Fatalf("err = %v", err)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
	// existing target: untouched
	old := filepath.Join(dir, "old.bin")
	os.WriteFile(old, []byte("original"), 0o644)
	err = WriteFile(old, []byte("replacement"), Options{Verify: func(*os.File) error { return bad }})
	if !errors.Is(err, bad) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(old); string(got) != "original" {
		t.Fatalf("target changed to %q", got)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestFillFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	boom := errors.New("disk on fire")
	err := Write(path, Options{}, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.rdb")
	os.WriteFile(in, []byte("input"), 0o644)
	hard := filepath.Join(dir, "hard.rdb")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "sym.rdb")
	if err := os.Symlink(in, sym); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)
	for _, target := range []string{in, hard, sym, "in.rdb", "./in.rdb", filepath.Join(dir, "sub", "..", "in.rdb")} {
		err := WriteFile(target, []byte("x"), Options{Inputs: []string{"other", in}})
		if !errors.Is(err, ErrSameAsInput) {
			t.Errorf("%s: err = %v", target, err)
		}
	}
	if got, _ := os.ReadFile(in); string(got) != "input" {
		t.Fatalf("input changed: %q", got)
	}
	if names := listDir(t, dir); len(names) != 3 {
		t.Fatalf("directory holds %v", names)
	}
	// a different file is fine
	if err := WriteFile(filepath.Join(dir, "out.rdb"), []byte("x"), Options{Inputs: []string{in}}); err != nil {
		t.Fatal(err)
	}
}

func TestNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lib.lua")
	if err := WriteFile(path, []byte("one"), Options{NoOverwrite: true}); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, []byte("two"), Options{NoOverwrite: true})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "one" {
		t.Fatalf("overwritten: %q", got)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestMissingDirectory(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir", "f"), []byte("x"), Options{})
	if err == nil {
		t.Fatal("want an error")
	}
}

func TestTargetIsDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x"), Options{}); err == nil {
		t.Fatal("want an error")
	}
}
