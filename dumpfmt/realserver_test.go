package dumpfmt

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

// loadState flushes the server's functions and loads libs with FUNCTION LOAD.
func loadState(t *testing.T, r *fixtures.Redis, libs []string) {
	t.Helper()
	if v := do(t, r, "FUNCTION", "FLUSH"); v.IsError() {
		t.Fatal(v)
	}
	for _, code := range libs {
		if v := do(t, r, "FUNCTION", "LOAD", code); v.IsError() {
			t.Fatalf("FUNCTION LOAD: %v", v)
		}
	}
}

func setOf(t testing.TB, m map[string]string) *library.Set {
	s := &library.Set{}
	for _, code := range m {
		l, err := library.New(code, library.Origin{Path: "server", Format: "server", Offset: -1})
		if err != nil {
			t.Fatal(err)
		}
		s.Put(l)
	}
	return s
}

func serverDump(t *testing.T, r *fixtures.Redis) []byte {
	t.Helper()
	v := do(t, r, "FUNCTION", "DUMP")
	if v.IsError() {
		t.Fatal(v)
	}
	return []byte(v.Str)
}

// scenarios returns the library states the real-server tests put on the
// server: each hand-written library alone, none, and the 8 together.
func scenarios(t *testing.T) map[string][]string {
	libs := fixtureLibs(t)
	sc := map[string][]string{"empty": nil, "all8": eightLibs(t)}
	for name, code := range libs {
		sc[strings.TrimSuffix(name, ".lua")] = []string{code}
	}
	return sc
}

// Every payload the real server dumps, saved in every form a person gets from
// the real redis-cli and the usual tools, decodes to exactly its FUNCTION
// LIST WITHCODE, and Detect names the form.
func TestRealServerDumpsInEverySavedForm(t *testing.T) {
	cli := fixtures.RequireTool(t, "redis-cli")
	r := fixtures.StartRedis(t)
	port := strconv.Itoa(r.Port)
	dir := t.TempDir()
	type saved struct {
		name  string
		shell string // writes the file $F
		form  Form
	}
	c := cli + " -p " + port
	forms := []saved{
		{"redirect", c + " FUNCTION DUMP > $F", FormRawNewline},
		{"raw", c + " --raw FUNCTION DUMP > $F", FormRawNewline},
		{"raw-D", c + ` --raw -D "" FUNCTION DUMP > $F`, FormRaw},
		{"noraw", c + " --no-raw FUNCTION DUMP > $F", FormQuoted},
		{"noraw-unquoted", c + " --no-raw FUNCTION DUMP | sed -e 's/^\"//' -e 's/\"$//' > $F", FormQuoted},
		{"noraw-nonl", c + " --no-raw FUNCTION DUMP | head -c -1 > $F", FormQuoted},
		{"xxd", c + ` --raw -D "" FUNCTION DUMP | xxd -p > $F`, FormHex},
		{"xxd-upper", c + ` --raw -D "" FUNCTION DUMP | xxd -p -u | tr -d '\n' > $F`, FormHex},
		{"od-hex", c + ` --raw -D "" FUNCTION DUMP | od -An -tx1 -v > $F`, FormHex},
		{"base64", c + ` --raw -D "" FUNCTION DUMP | base64 > $F`, FormBase64},
		{"base64-w0", c + ` --raw -D "" FUNCTION DUMP | base64 -w0 > $F`, FormBase64},
		{"base64url", c + ` --raw -D "" FUNCTION DUMP | basenc --base64url > $F`, FormBase64},
		{"base64url-nopad", c + ` --raw -D "" FUNCTION DUMP | basenc --base64url -w0 | tr -d = > $F`, FormBase64},
	}
	everyForm := map[string]bool{"empty": true, "all8": true, "wire": true, "i18n": true}
	for _, compress := range []string{"yes", "no"} {
		if v := do(t, r, "CONFIG", "SET", "rdbcompression", compress); v.IsError() {
			t.Fatal(v)
		}
		sc := scenarios(t)
		for _, name := range sortedKeys(sc) {
			t.Run(name+"/compress-"+compress, func(t *testing.T) {
				loadState(t, r, sc[name])
				want := r.Libraries(t)
				if len(want) != len(sc[name]) {
					t.Fatalf("server lists %d libraries, loaded %d", len(want), len(sc[name]))
				}
				raw := serverDump(t, r)
				p, err := Decode(raw, "FUNCTION DUMP")
				if err != nil {
					t.Fatal(err)
				}
				if !p.Libraries.Equal(setOf(t, want)) {
					t.Fatalf("decoded %v, server lists %v", p.Libraries, setOf(t, want))
				}
				for _, s := range forms {
					// every form for the libraries that stress it (binary
					// bytes, CRLF, big, several, none); the two redis-cli
					// forms for the rest
					if !everyForm[name] && s.name != "redirect" && s.name != "noraw" {
						continue
					}
					f := filepath.Join(dir, name+"-"+compress+"-"+s.name)
					cmd := exec.Command("bash", "-c", "set -o pipefail; "+s.shell)
					cmd.Env = append(os.Environ(), "F="+f)
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("%s: %v\n%s", s.shell, err, out)
					}
					data, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					got, form, err := Detect(data, f)
					if err != nil {
						t.Fatalf("%s: %v", s.name, err)
					}
					if form != s.form || !bytes.Equal(got, raw) {
						t.Fatalf("%s: detected %v (%d bytes), want %v (%d bytes)", s.name, form, len(got), s.form, len(raw))
					}
					q, err := Parse(data, f)
					if err != nil {
						t.Fatalf("%s: %v", s.name, err)
					}
					if q.Form != s.form || !q.Libraries.Equal(p.Libraries) || q.Version != p.Version {
						t.Fatalf("%s: Parse gave form %v, %v", s.name, q.Form, q.Libraries)
					}
				}
			})
		}
	}
}

// restoreAndList restores payload with policy and returns the server's
// library set, or the error reply.
func restore(t *testing.T, r *fixtures.Redis, payload []byte, policy ...string) (string, map[string]string) {
	t.Helper()
	args := append([]string{"FUNCTION", "RESTORE", string(payload)}, policy...)
	v := do(t, r, args...)
	if v.IsError() {
		return v.Str, nil
	}
	return "", r.Libraries(t)
}

// Every payload fnkit writes is accepted by FUNCTION RESTORE with each
// policy, and FUNCTION LIST WITHCODE equals what went in. Where the server's
// own dump of the same set has its records in the same order, the bytes are
// identical; otherwise every record is.
func TestEncodeRestoresOnRealServer(t *testing.T) {
	r := fixtures.StartRedis(t)
	type tc struct {
		name string
		set  *library.Set
	}
	var cases []tc
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "dump-") {
			data, err := os.ReadFile(fixtures.Path(server, name))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Decode(data, name)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, tc{server + "/" + name, p.Libraries})
		}
	}
	sc := scenarios(t)
	for _, name := range sortedKeys(sc) {
		s := &library.Set{}
		for _, code := range sc[name] {
			l, err := library.New(code, library.Origin{Path: name, Format: "lua", Offset: -1})
			if err != nil {
				t.Fatal(err)
			}
			s.Put(l)
		}
		cases = append(cases, tc{"libs/" + name, s})
	}
	byteEqual := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc, err := Encode(c.set, 0)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Decode(enc, "encoded")
			if err != nil || !p.Libraries.Equal(c.set) || p.Version != DefaultTargetVersion {
				t.Fatalf("own payload does not decode: %v", err)
			}
			for _, policy := range []string{"FLUSH", "APPEND", "REPLACE"} {
				do(t, r, "FUNCTION", "FLUSH")
				if policy == "REPLACE" && c.set.Len() > 0 {
					// same names already present with other code
					for _, l := range c.set.Libraries() {
						other := "#!lua name=" + l.Name + "\nredis.register_function('zz_" + l.Name + "_old', function() return 0 end)"
						if v := do(t, r, "FUNCTION", "LOAD", other); v.IsError() {
							t.Fatal(v)
						}
					}
				}
				errText, got := restore(t, r, enc, policy)
				if errText != "" {
					t.Fatalf("FUNCTION RESTORE %s: %s", policy, errText)
				}
				if !setOf(t, got).Equal(c.set) {
					t.Fatalf("%s: server lists %v, want %v", policy, setOf(t, got), c.set)
				}
			}
			// compare with the server's own payload of the same set
			theirs := serverDump(t, r)
			tp, err := Decode(theirs, "server")
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(theirs, enc) {
				byteEqual++
				return
			}
			for _, rec := range tp.Records {
				var mine *Record
				for i := range p.Records {
					if p.Records[i].Library == rec.Library {
						mine = &p.Records[i]
					}
				}
				if !bytes.Equal(theirs[rec.Offset:rec.End], enc[mine.Offset:mine.End]) {
					t.Fatalf("record of %s differs from the server's", rec.Library)
				}
			}
			if len(tp.Records) < 2 {
				t.Fatalf("payload differs from the server's although order cannot")
			}
		})
	}
	t.Logf("%d of %d payloads byte-identical to the server's own dump", byteEqual, len(cases))
}

// The real server's RDB version decides which target versions it restores;
// CheckRestorable agrees.
func TestTargetVersionsOnRealServer(t *testing.T) {
	r := fixtures.StartRedis(t)
	info := do(t, r, "INFO", "server").Str
	release := ""
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			release = v
		}
	}
	set := &library.Set{}
	l, _ := library.New(eightLibs(t)[0], library.Origin{})
	set.Put(l)
	for v := MinVersion; v <= MaxVersion; v++ {
		enc, err := Encode(set, v)
		if err != nil {
			t.Fatal(err)
		}
		do(t, r, "FUNCTION", "FLUSH")
		errText, _ := restore(t, r, enc)
		ours := CheckRestorable(v, release)
		if (errText == "") != (ours == nil) {
			t.Errorf("version %d on %s: server %q, CheckRestorable %v", v, release, errText, ours)
		}
		if errText != "" && errText != "ERR "+MsgVersionOrChecksum {
			t.Errorf("version %d: server says %q", v, errText)
		}
	}
	if _, err := Encode(set, 9); err == nil {
		t.Error("Encode accepted version 9")
	}
	if _, err := Encode(set, 13); err == nil {
		t.Error("Encode accepted version 13")
	}
}

// smallDumps are the dump fixtures used by the exhaustive corruption tests.
func smallDumps(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for _, server := range fixtures.Servers {
		for _, name := range []string{"dump-one.bin", "dump-wire.bin", "dump-jobqueue.bin", "dump-empty.bin"} {
			data, err := os.ReadFile(fixtures.Path(server, name))
			if err != nil {
				t.Fatal(err)
			}
			out[server+"/"+name] = data
		}
	}
	return out
}

// Every truncated prefix and every single-byte change of the small dump
// fixtures is an error: never a panic, never a success.
func TestCorruptPayloads(t *testing.T) {
	for name, data := range smallDumps(t) {
		for i := 0; i < len(data); i++ {
			if p, err := Decode(data[:i], name); err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded to %v", name, i, p.Libraries)
			}
			if p, err := Parse(data[:i], name); err == nil {
				t.Fatalf("%s: prefix of %d bytes parsed to %v", name, i, p.Libraries)
			}
		}
		mut := append([]byte(nil), data...)
		for i := range mut {
			orig := mut[i]
			for v := 0; v < 256; v++ {
				if byte(v) == orig {
					continue
				}
				mut[i] = byte(v)
				p, err := Decode(mut, name)
				if err == nil {
					t.Fatalf("%s: byte %d = %#x decoded to %v", name, i, v, p.Libraries)
				}
				if !errors.Is(err, ErrVersionOrChecksum) {
					t.Fatalf("%s: byte %d = %#x: %v", name, i, v, err)
				}
			}
			mut[i] = orig
		}
	}
}

// fixCRC rewrites the footer's CRC-64 so that only the structure is wrong.
func fixCRC(p []byte) []byte {
	out := append([]byte(nil), p...)
	n := len(out)
	c := crc(out[:n-8])
	for i := 0; i < 8; i++ {
		out[n-8+i] = byte(c >> (8 * i))
	}
	return out
}

// Our verdict on a damaged payload agrees with the real FUNCTION RESTORE: when
// Decode fails, the server fails with the same words; when Decode succeeds,
// the server either restores exactly those libraries or fails in Lua (which
// Decode does not run).
func TestVerdictAgreesWithRealServer(t *testing.T) {
	r := fixtures.StartRedis(t)
	info := do(t, r, "INFO", "server").Str
	is70 := strings.Contains(info, "redis_version:7.0.")
	rng := rand.New(rand.NewSource(2))
	type mutation struct {
		what string
		data []byte
	}
	var ms []mutation
	dumps := smallDumps(t)
	base := dumps["redis-7.0.15/dump-one.bin"]
	wire := dumps["redis-7.0.15/dump-wire.bin"]
	// raw mutations: the CRC catches them
	for k := 0; k < 30; k++ {
		m := append([]byte(nil), base...)
		i := rng.Intn(len(m))
		m[i] ^= byte(1 + rng.Intn(255))
		ms = append(ms, mutation{fmt.Sprintf("byte %d changed", i), m})
	}
	for _, n := range []int{0, 1, 9, 10, 11, 500, len(base) - 1} {
		ms = append(ms, mutation{fmt.Sprintf("first %d bytes", n), base[:n]})
	}
	// structural mutations with a correct CRC
	for k := 0; k < 150; k++ {
		m := append([]byte(nil), base...)
		i := rng.Intn(len(m) - 8)
		m[i] ^= byte(1 + rng.Intn(255))
		ms = append(ms, mutation{fmt.Sprintf("byte %d changed, CRC fixed", i), fixCRC(m)})
	}
	for i := 0; i < 12; i++ { // every byte of the record header
		m := append([]byte(nil), base...)
		m[i] ^= 0xFF
		ms = append(ms, mutation{fmt.Sprintf("header byte %d inverted, CRC fixed", i), fixCRC(m)})
	}
	for _, v := range []int{0, 1, 9, 10, 11, 12, 13, 80, 0xFFFF} {
		m := append([]byte(nil), base...)
		m[len(m)-10], m[len(m)-9] = byte(v), byte(v>>8)
		ms = append(ms, mutation{fmt.Sprintf("version %d, CRC fixed", v), fixCRC(m)})
	}
	body := func(p []byte) []byte { return p[:len(p)-10] }
	footer := func(p []byte) []byte { return p[len(p)-10:] }
	join := func(parts ...[]byte) []byte { return fixCRC(bytes.Join(parts, nil)) }
	ms = append(ms,
		mutation{"same library twice", join(body(base), body(base), footer(base))},
		mutation{"two libraries", join(body(base), body(wire), footer(base))},
		mutation{"record cut short", join(body(base)[:100], footer(base))},
		mutation{"type byte 0", join([]byte{0}, body(base)[1:], footer(base))},
		mutation{"type byte 246", join([]byte{0xF6}, body(base)[1:], footer(base))},
		mutation{"trailing garbage", join(body(base), []byte{0xF5}, footer(base))},
		mutation{"no shebang", join(Encoded(t, "redis.register_function('f', function() return 1 end)"), footer(base))},
		mutation{"bad engine", join(Encoded(t, "#!python name=x\nredis.register_function('f', function() return 1 end)"), footer(base))},
		mutation{"no name", join(Encoded(t, "#!lua\nredis.register_function('f', function() return 1 end)"), footer(base))},
		mutation{"bad name", join(Encoded(t, "#!lua name=a-b\nredis.register_function('f', function() return 1 end)"), footer(base))},
		mutation{"unknown parameter", join(Encoded(t, "#!lua name=a foo=bar\nredis.register_function('f', function() return 1 end)"), footer(base))},
		mutation{"integer string", join([]byte{0xF5, 0xC0, 0x05}, footer(base))},
	)
	luaErrors := []string{"ERR Error compiling function", "ERR Error registering functions", "ERR No functions registered", "ERR Function ", "ERR Missing library metadata"}
	agreed := 0
	for _, m := range ms {
		do(t, r, "FUNCTION", "FLUSH")
		serverErr, got := restore(t, r, m.data, "FLUSH")
		p, err := Decode(m.data, "mutated")
		switch {
		case err != nil:
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("%s: error is not *Error: %v", m.what, err)
			}
			if is70 && bytes.HasPrefix(m.data, []byte{0xF6}) {
				// Redis 7.0 still reads the pre-GA format; fnkit answers as 7.2+.
				if serverErr == "" {
					t.Logf("%s: 7.0 accepts the pre-GA record; fnkit refuses it like 7.2+", m.what)
				}
				continue
			}
			if serverErr != de.RedisError() {
				t.Errorf("%s: server %q, fnkit %q (%v)", m.what, serverErr, de.RedisError(), err)
				continue
			}
		default:
			if serverErr == "" {
				if !setOf(t, got).Equal(p.Libraries) {
					t.Errorf("%s: server restored %v, fnkit decoded %v", m.what, setOf(t, got), p.Libraries)
				}
				break
			}
			if restErr := CheckRestorable(p.Version, "7.0"); is70 && restErr != nil && serverErr == "ERR "+MsgVersionOrChecksum {
				break
			}
			lua := false
			for _, pre := range luaErrors {
				lua = lua || strings.HasPrefix(serverErr, pre)
			}
			if !lua {
				t.Errorf("%s: fnkit decoded %v, server says %q", m.what, p.Libraries, serverErr)
				continue
			}
		}
		agreed++
	}
	t.Logf("%d of %d mutations: same verdict as the real server", agreed, len(ms))
}

// Encoded returns one FUNCTION2 record holding code.
func Encoded(t *testing.T, code string) []byte {
	return append([]byte{OpFunction2}, appendString(code)...)
}
