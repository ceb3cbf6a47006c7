package rdbfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/fnkit/fnkit/fixtures"
)

// rdbFixture is one RDB file written by a real server, with its ground
// truth.
type rdbFixture struct {
	server, name, path string
	facts              *fixtures.RDBFacts
	exp                *fixtures.Expected
}

// rdbFixtures lists every RDB fixture of every server: the rdb-* files,
// corrupt-rdb-flipped.rdb and the RDB bases inside aof-* directories.
func rdbFixtures(t testing.TB) []rdbFixture {
	t.Helper()
	var out []rdbFixture
	for _, srv := range fixtures.Servers {
		names := append(fixtures.Artifacts(srv, "rdb-"), fixtures.Artifacts(srv, "corrupt-rdb-")...)
		for _, name := range names {
			exp, err := fixtures.LoadExpected(srv, name)
			if err != nil {
				t.Fatal(err)
			}
			if exp.RDB == nil {
				t.Fatalf("%s/%s: no rdb facts", srv, name)
			}
			out = append(out, rdbFixture{srv, name, fixtures.Path(srv, name), exp.RDB, exp})
		}
		for _, dir := range append(fixtures.Artifacts(srv, "aof-"), fixtures.Artifacts(srv, "corrupt-aof-")...) {
			exp, err := fixtures.LoadExpected(srv, dir)
			if err != nil {
				t.Fatal(err)
			}
			var aof struct {
				Files []struct {
					Name   string             `json:"name"`
					Format string             `json:"format"`
					RDB    *fixtures.RDBFacts `json:"rdb"`
				} `json:"files"`
			}
			if err := jsonUnmarshal(exp.AOF, &aof); err != nil {
				t.Fatal(err)
			}
			for _, f := range aof.Files {
				if f.Format != "rdb" {
					continue
				}
				out = append(out, rdbFixture{srv, dir + "/" + f.Name, filepath.Join(fixtures.Path(srv, dir), f.Name), f.RDB, nil})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no RDB fixtures")
	}
	return out
}

func hex16(v uint64) string { return fmt.Sprintf("%016x", v) }

// TestReaderFixtures reads every RDB fixture record by record and compares
// with its ground truth.
func TestReaderFixtures(t *testing.T) {
	for _, fx := range rdbFixtures(t) {
		t.Run(fx.server+"/"+fx.name, func(t *testing.T) {
			data, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			checkFixtureRecords(t, fx, data)
		})
	}
}

func checkFixtureRecords(t *testing.T, fx rdbFixture, data []byte) {
	corrupt := strings.HasPrefix(fx.name, "corrupt-rdb")
	rd := NewReader(bytes.NewReader(data), ReaderOptions{File: fx.path})
	var aux []fixtures.AuxField
	var funcs []fixtures.FunctionRecord
	first, firstOff := -1, int64(-1)
	dbKeys := map[string]int64{}
	var keyNames []string
	var prevEnd int64 = 9
	var gotErr error
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			gotErr = err
			break
		}
		if rec.Offset != prevEnd {
			t.Fatalf("record at %d does not start where the previous ended (%d)", rec.Offset, prevEnd)
		}
		prevEnd = rec.End
		switch rec.Kind {
		case KindAux:
			aux = append(aux, fixtures.AuxField{Key: rec.AuxKey, Value: rec.AuxValue, ValueEncoding: rec.AuxEncoding.String()})
			continue
		case KindFunction:
			l := rec.Library
			if !bytes.Equal(rec.Raw, data[rec.Offset:rec.End]) {
				t.Errorf("record at %d: Raw differs from the file bytes", rec.Offset)
			}
			funcs = append(funcs, fixtures.FunctionRecord{Offset: rec.Offset, End: rec.End, Opcode: int(rec.Type),
				Encoding: rec.CodeEncoding.String(), StoredBytes: int(rec.End - rec.Offset - 1),
				LibraryName: l.Name, CodeBytes: l.Size(), CodeSHA1: l.SHA1()})
			if l.Origin.Offset != rec.Offset || l.Origin.Path != fx.path || l.Origin.Format != "rdb" {
				t.Errorf("origin %+v", l.Origin)
			}
			continue
		case KindKey:
			dbKeys[strconv.FormatUint(rec.DB, 10)]++
			keyNames = append(keyNames, fmt.Sprintf("%d/%q/%s", rec.DB, rec.Key, TypeName(rec.Type)))
		}
		if first < 0 {
			first, firstOff = int(rec.Type), rec.Offset
		}
	}
	if corrupt {
		var e *Error
		if gotErr == nil || !errors.As(gotErr, &e) || !(errors.Is(gotErr, ErrChecksum) || errors.Is(gotErr, ErrCorrupt)) {
			t.Fatalf("corrupt file: got %v, want a checksum or corruption *Error", gotErr)
		}
		if e.File != fx.path || e.Offset <= 0 {
			t.Errorf("error does not name the file and an offset: %+v", e)
		}
		t.Logf("corrupt file: %v", gotErr)
		return
	}
	if gotErr != nil {
		t.Fatal(gotErr)
	}
	if prevEnd != int64(len(data)) {
		t.Errorf("EOF record ends at %d, file is %d bytes", prevEnd, len(data))
	}
	magic, version, _ := rd.Header()
	if magic != fx.facts.Magic || version != fx.facts.Version {
		t.Errorf("header %s %d, want %s %d", magic, version, fx.facts.Magic, fx.facts.Version)
	}
	if fmt.Sprint(aux) != fmt.Sprint(fx.facts.Aux) {
		t.Errorf("aux\n got %v\nwant %v", aux, fx.facts.Aux)
	}
	if fmt.Sprint(funcs) != fmt.Sprint(fx.facts.FunctionRecords) && !(len(funcs) == 0 && len(fx.facts.FunctionRecords) == 0) {
		t.Errorf("function records\n got %v\nwant %v", funcs, fx.facts.FunctionRecords)
	}
	if first != fx.facts.FirstOpcodeAfterFunctions || firstOff != fx.facts.FirstOpcodeAfterFunctionsOffset {
		t.Errorf("first opcode after functions %d@%d, want %d@%d", first, firstOff, fx.facts.FirstOpcodeAfterFunctions, fx.facts.FirstOpcodeAfterFunctionsOffset)
	}
	c := rd.Checksum()
	want := fx.facts.Checksum
	if hex16(c.Stored) != want.Stored || hex16(c.Computed) != want.Computed || c.Disabled != want.Disabled || c.Valid != want.Valid || !c.Present || !c.Verified {
		t.Errorf("checksum %+v, want %+v", c, want)
	}
	if fx.exp != nil {
		// The libraries are exactly those the producing server listed.
		var names []string
		for _, f := range funcs {
			names = append(names, f.LibraryName+"="+f.CodeSHA1)
		}
		sort.Strings(names)
		var wantNames []string
		for _, l := range fx.exp.Producer.Functions.LibrarySet {
			wantNames = append(wantNames, l.Name+"="+l.SHA1)
		}
		if strings.Join(names, ",") != strings.Join(wantNames, ",") {
			t.Errorf("libraries %v, want %v", names, wantNames)
		}
		if len(fx.exp.Keys) > 0 {
			var want []string
			for _, k := range fixtureKeys(t, fx.exp) {
				want = append(want, fmt.Sprintf("%s/%q/%s", k[0], k[1], k[2]))
			}
			sort.Strings(want)
			sort.Strings(keyNames)
			if strings.Join(keyNames, " ") != strings.Join(want, " ") {
				t.Errorf("keys\n got %v\nwant %v", keyNames, want)
			}
		}
		if len(fx.exp.Keys) > 0 || len(fx.exp.Producer.DBSize) > 0 {
			if fmt.Sprint(dbKeys) != fmt.Sprint(fx.exp.Producer.DBSize) {
				t.Errorf("keys per db %v, want %v", dbKeys, fx.exp.Producer.DBSize)
			}
		}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestReaderOddReads reads and rewrites every fixture through readers that
// return one byte at a time, half of what is asked, or the data with
// io.EOF: the records, checksum and rewritten bytes must not change.
func TestReaderOddReads(t *testing.T) {
	wraps := map[string]func(io.Reader) io.Reader{
		"one-byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data-err": iotest.DataErrReader,
	}
	for _, fx := range rdbFixtures(t) {
		data, err := os.ReadFile(fx.path)
		if err != nil {
			t.Fatal(err)
		}
		want := recordsDigest(t, bytes.NewReader(data))
		for name, wrap := range wraps {
			if got := recordsDigest(t, wrap(bytes.NewReader(data))); got != want {
				t.Errorf("%s/%s through %s:\n got %s\nwant %s", fx.server, fx.name, name, got, want)
			}
			if strings.HasPrefix(fx.name, "corrupt-") {
				continue
			}
			var out bytes.Buffer
			if _, err := Rewrite(wrap(bytes.NewReader(data)), &out, identity, RewriteOptions{}); err != nil || !bytes.Equal(out.Bytes(), data) {
				t.Errorf("%s/%s through %s: identity rewrite: %v", fx.server, fx.name, name, err)
			}
		}
	}
	// An I/O error is reported as such, with the offset.
	boom := errors.New("disk on fire")
	_, err := ReadInfo(io.MultiReader(bytes.NewReader([]byte("REDIS0010\xfa")), iotest.ErrReader(boom)), InfoOptions{File: "f.rdb"})
	var e *Error
	if !errors.Is(err, boom) || !errors.As(err, &e) || e.Offset != 10 || e.File != "f.rdb" {
		t.Errorf("I/O error: %v", err)
	}
}

// recordsDigest describes every record a Reader returns, and its error.
func recordsDigest(t *testing.T, r io.Reader) string {
	rd := NewReader(r, ReaderOptions{})
	var b strings.Builder
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error %v", err)
			break
		}
		fmt.Fprintf(&b, "%v %d-%d %q %q %d %d %d %q %v|", rec.Kind, rec.Offset, rec.End, rec.AuxKey, rec.AuxValue, rec.DB, rec.ExpireAt, rec.ValueOffset, rec.Key, rec.Library != nil && rec.Library.Code != "")
	}
	fmt.Fprintf(&b, "%+v", rd.Checksum())
	return b.String()
}
