package rdbfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

// TestWriterReproducesFixtures writes every functions-only fixture again
// from what the Reader found in it (AUX fields, libraries in file order,
// compression as in the file, checksum on or off) and expects the real
// server's bytes exactly.
func TestWriterReproducesFixtures(t *testing.T) {
	n := 0
	for _, fx := range rdbFixtures(t) {
		if strings.HasPrefix(fx.name, "corrupt-") || fx.facts.FirstOpcodeAfterFunctions != OpEOF {
			continue
		}
		data, err := os.ReadFile(fx.path)
		if err != nil {
			t.Fatal(err)
		}
		rd := NewReader(bytes.NewReader(data), ReaderOptions{})
		magic, version, err := rd.Header()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		compress := !strings.Contains(fx.name, "nocompress")
		w, err := NewWriter(&buf, WriterOptions{Version: version, Magic: magic, NoCompress: !compress})
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch rec.Kind {
			case KindAux:
				err = w.WriteAux(rec.AuxKey, rec.AuxValue)
			case KindFunction:
				err = w.WriteFunction(rec.Library)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), data) {
			t.Errorf("%s/%s: written %d bytes differ from the server's %d at %d", fx.server, fx.name, buf.Len(), len(data), firstDiff(buf.Bytes(), data))
		}
		n++
	}
	if n == 0 {
		t.Fatal("no functions-only fixture")
	}
}

// fixtureLibs returns the 8 fixture libraries.
func fixtureLibs(t testing.TB) *library.Set {
	s := &library.Set{}
	for _, f := range []string{"i18n.lua", "inventory.lua", "jobqueue.lua", "kvtools.lua", "leaderboard.lua", "ratelimit.lua", "sessions.lua", "wire.lua"} {
		s.Put(loadLib(t, f))
	}
	return s
}

// TestFunctionsRDBRealServer writes functions-only RDBs (compressed or
// not, checksum on or off, versions the installed server loads) and checks
// them with redis-check-rdb and a real redis-server, which must list
// exactly the libraries written, with an empty keyspace.
func TestFunctionsRDBRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	libs := fixtureLibs(t)
	for _, c := range []FunctionsRDBOptions{
		{},
		{WriterOptions: WriterOptions{NoCompress: true}},
		{WriterOptions: WriterOptions{NoChecksum: true, Version: 9}},
		{WriterOptions: WriterOptions{Version: 10}, Aux: []AuxField{}},
	} {
		var buf bytes.Buffer
		if err := WriteFunctionsRDB(&buf, libs, c); err != nil {
			t.Fatal(err)
		}
		info, err := ReadInfo(bytes.NewReader(buf.Bytes()), InfoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !info.Libraries.Equal(libs) || info.Checksum.Disabled != c.NoChecksum || info.FirstAfterFunctions != OpEOF {
			t.Fatalf("%+v: read back %v, checksum %+v", c, info.Libraries, info.Checksum)
		}
		path := filepath.Join(t.TempDir(), "functions.rdb")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		checkRDB(t, path)
		srv, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: path})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := serverLibraries(t, srv), setCodes(libs); !equalMaps(got, want) {
			t.Errorf("%+v: server lists %v, want %v", c, keysOf(got), keysOf(want))
		}
		if got := dbSizes(t, srv); len(got) != 0 {
			t.Errorf("keyspace %v, want empty", got)
		}
		srv.Stop()
	}
}

func equalMaps(a, b map[string]string) bool {
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

// TestWriteFunctionsRDBDefaults checks the default AUX fields and the
// writer's refusals.
func TestWriteFunctionsRDBDefaults(t *testing.T) {
	var buf bytes.Buffer
	when := time.Unix(1795642508, 0)
	if err := WriteFunctionsRDB(&buf, fixtureLibs(t), FunctionsRDBOptions{Time: when}); err != nil {
		t.Fatal(err)
	}
	info, err := ReadInfo(bytes.NewReader(buf.Bytes()), InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(info.Aux)
	if !strings.Contains(string(got), `"key":"redis-bits","value":"64","encoding":"int8"`) ||
		!strings.Contains(string(got), `"key":"ctime","value":"1795642508","encoding":"int32"`) ||
		!strings.Contains(string(got), `"key":"aof-base","value":"0","encoding":"int8"`) || info.Version != DefaultVersion {
		t.Errorf("aux %s version %d", got, info.Version)
	}
	for _, o := range []WriterOptions{{Version: 13}, {Version: 80, Magic: "REDIS"}, {Version: 12, Magic: "VALKEY"}, {Magic: "KEYDB"}} {
		if _, err := NewWriter(io.Discard, o); !errors.Is(err, ErrUnsupportedVersion) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	w, _ := NewWriter(io.Discard, WriterOptions{})
	w.Close()
	if err := w.WriteAux("a", "b"); err == nil {
		t.Error("write after Close succeeded")
	}
}
