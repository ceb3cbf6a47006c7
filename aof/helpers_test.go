package aof

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// aofFacts is the "aof" block of an AOF fixture's expected JSON.
type aofFacts struct {
	ManifestName string         `json:"manifest_name"`
	Files        []aofFileFacts `json:"files"`
}

type aofFileFacts = struct {
	Name   string `json:"name"`
	Seq    int64  `json:"seq"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	Format string `json:"format"`
	RDB    *struct {
		FunctionRecords []json.RawMessage `json:"function_records"`
	} `json:"rdb"`
	Commands *struct {
		Count                int      `json:"count"`
		Names                []string `json:"names"`
		TimestampAnnotations []struct {
			Offset int64 `json:"offset"`
			TS     int64 `json:"ts"`
		} `json:"timestamp_annotations"`
		RespStartOffset int64 `json:"resp_start_offset"`
		Truncated       *struct {
			LastCompleteCommandEnd int64  `json:"last_complete_command_end"`
			FileSize               int64  `json:"file_size"`
			PartialCommandName     string `json:"partial_command_name"`
		} `json:"truncated"`
	} `json:"commands"`
}

type aofFixture struct {
	server, name, dir string
	exp               *fixtures.Expected
	facts             aofFacts
}

// aofFixtures returns every AOF directory of every server, the damaged
// copies included.
func aofFixtures(t testing.TB) []aofFixture {
	t.Helper()
	var out []aofFixture
	for _, server := range fixtures.Servers {
		for _, art := range append(fixtures.Artifacts(server, "aof-"), fixtures.Artifacts(server, "corrupt-aof")...) {
			exp, err := fixtures.LoadExpected(server, art)
			if err != nil {
				t.Fatal(err)
			}
			f := aofFixture{server: server, name: art, dir: fixtures.Path(server, art), exp: exp}
			if err := json.Unmarshal(exp.AOF, &f.facts); err != nil {
				t.Fatalf("%s/%s: %v", server, art, err)
			}
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatal("no AOF fixtures")
	}
	return out
}

func (f aofFixture) manifestPath() string { return filepath.Join(f.dir, f.facts.ManifestName) }
