package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

func TestOpenLua(t *testing.T) {
	files, _ := filepath.Glob(fixtures.LibPath("*.lua"))
	if len(files) < 9 {
		t.Fatalf("libs: %v", files)
	}
	for _, f := range files {
		s, err := Open(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		code, _ := os.ReadFile(f)
		libs := s.Libraries.Libraries()
		if s.Kind != KindLua || len(libs) != 1 || libs[0].Code != string(code) {
			t.Fatalf("%s: kind %v, %v", f, s.Kind, s.Libraries)
		}
		if o := libs[0].Origin; o.Path != f || o.Format != "lua" || o.Offset != -1 {
			t.Fatalf("origin %+v", o)
		}
	}
}

func TestOpenLuaErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.lua")
	os.WriteFile(bad, []byte("return 1\n"), 0o644)
	_, err := Open(bad, Options{})
	var le *library.Error
	if !errors.As(err, &le) || le.Msg != library.MsgMissingMetadata || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v", err)
	}
	// a shebang without the .lua extension is still a library
	noext := filepath.Join(dir, "mylib")
	os.WriteFile(noext, []byte("#!lua name=x-y\nredis.register_function('f', function() return 1 end)\n"), 0o644)
	_, err = Open(noext, Options{})
	if !errors.As(err, &le) || le.Msg != library.MsgInvalidName {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenDumpInEveryForm(t *testing.T) {
	dir := t.TempDir()
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "dump-") {
			raw, err := os.ReadFile(fixtures.Path(server, name))
			if err != nil {
				t.Fatal(err)
			}
			want, err := dumpfmt.Decode(raw, name)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []dumpfmt.Form{dumpfmt.FormRaw, dumpfmt.FormRawNewline, dumpfmt.FormQuoted, dumpfmt.FormHex, dumpfmt.FormBase64} {
				data, _ := dumpfmt.Format(raw, form)
				path := filepath.Join(dir, server+"-"+name+"."+form.String())
				os.WriteFile(path, data, 0o644)
				s, err := Open(path, Options{})
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if s.Kind != KindDump || s.Dump.Form != form || s.Dump.Version != want.Version || !s.Libraries.Equal(want.Libraries) {
					t.Fatalf("%s: %v %+v", path, s.Kind, s.Dump)
				}
				for _, l := range s.Libraries.Libraries() {
					if l.Origin.Path != path || l.Origin.Format != "dump" {
						t.Fatalf("origin %+v", l.Origin)
					}
				}
			}
		}
	}
}

func TestOpenUnknown(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"empty":    "",
		"text.txt": "hello world\n",
		"bin":      "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		_, err := Open(p, Options{})
		if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("directory: err = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: err = %v", err)
	}
}

func TestCorruptDumpIsNotUnknown(t *testing.T) {
	raw, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "dump-one.bin"))
	raw[50] ^= 0x20
	p := filepath.Join(t.TempDir(), "dump.bin")
	os.WriteFile(p, raw, 0o644)
	_, err := Open(p, Options{})
	if !errors.Is(err, dumpfmt.ErrVersionOrChecksum) {
		t.Fatalf("err = %v", err)
	}
}

func TestMergeConflictNamesBothSources(t *testing.T) {
	v1 := fixtures.LibPath("ratelimit.lua")
	v2 := fixtures.LibPath("ratelimit_v2.lua")
	dump := fixtures.Path("redis-7.0.15", "dump-one.bin") // ratelimit v1
	set, _, err := Merge(library.PolicyFail, Options{}, v1, dump)
	if err != nil || set.Len() != 1 {
		t.Fatalf("identical code must not conflict: %v", err)
	}
	_, _, err = Merge(library.PolicyFail, Options{}, dump, v2)
	if !errors.Is(err, library.ErrConflict) || !strings.Contains(err.Error(), dump+"@0") || !strings.Contains(err.Error(), v2) {
		t.Fatalf("err = %v", err)
	}
	set, _, err = Merge(library.PolicyReplace, Options{}, dump, v2)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := set.Get("ratelimit"); l.Origin.Path != v2 {
		t.Fatalf("replace kept %v", l.Origin)
	}
	set, _, err = Merge(library.PolicyKeep, Options{}, dump, v2)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := set.Get("ratelimit"); l.Origin.Path != dump {
		t.Fatalf("keep kept %v", l.Origin)
	}
}
