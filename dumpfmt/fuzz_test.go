package dumpfmt

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

func addSeeds(f *testing.F, text bool) {
	for _, server := range fixtures.Servers {
		for _, name := range []string{"dump-one.bin", "dump-wire.bin", "dump-jobqueue.bin", "dump-empty.bin"} {
			data, err := os.ReadFile(fixtures.Path(server, name))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
			if text {
				for _, form := range []Form{FormRawNewline, FormQuoted, FormHex, FormBase64} {
					b, _ := Format(data, form)
					f.Add(b)
				}
			}
		}
	}
	f.Add([]byte{})
	f.Add([]byte("\"\\xf5\""))
	f.Add(fixCRC([]byte{0xF5, 0xC3, 0x05, 0x40, 0x80, 0x1f, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
}

// FuzzDecode: Decode never panics; what it accepts re-encodes to a payload
// that decodes to the same libraries, and what it refuses is an *Error.
func FuzzDecode(f *testing.F) {
	addSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data, "fuzz")
		if err != nil {
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("not an *Error: %v", err)
			}
			return
		}
		if len(p.Records) != p.Libraries.Len() {
			t.Fatalf("%d records, %d libraries", len(p.Records), p.Libraries.Len())
		}
		v := p.Version
		if v < MinVersion {
			v = MinVersion
		}
		enc, err := Encode(p.Libraries, v)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Decode(enc, "re-encoded")
		if err != nil || !q.Libraries.Equal(p.Libraries) {
			t.Fatalf("re-encoded payload: %v", err)
		}
	})
}

// FuzzParse: detection never panics, and a detected payload written back in
// every form is detected again as the same payload.
func FuzzParse(f *testing.F) {
	addSeeds(f, true)
	f.Fuzz(func(t *testing.T, data []byte) {
		payload, form, err := Detect(data, "fuzz")
		if err != nil {
			if !errors.Is(err, ErrNotPayload) {
				t.Fatalf("error does not wrap ErrNotPayload: %v", err)
			}
			return
		}
		if !verifyFooter(payload) {
			t.Fatalf("detected %v payload does not verify", form)
		}
		_, _ = Parse(data, "fuzz")
		for _, to := range []Form{FormRaw, FormRawNewline, FormQuoted, FormHex, FormBase64} {
			b, err := Format(payload, to)
			if err != nil {
				t.Fatal(err)
			}
			again, _, err := Detect(b, "again")
			if err != nil || !bytes.Equal(again, payload) {
				t.Fatalf("%v form not detected back: %v", to, err)
			}
		}
	})
}
