package rdbfmt

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
	"github.com/hdt3213/rdb/core"
	"github.com/hdt3213/rdb/model"
)

// keyspaceCase is a key of the test keyspace and the text its value must
// read back as (see readBack).
type keyspaceCase struct {
	db   int
	key  Key
	want string
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// testKeyspace builds keys of every type around the encodings' edges:
// integer-looking strings, empty strings, binary data, compressible long
// strings, long lists, intset-able and mixed sets, hashes and sorted sets
// beyond the listpack thresholds, scores of every kind, and streams with
// several listpack nodes, differing fields, consumer groups, pending
// entries and consumers; TTLs; several databases.
func testKeyspace(t testing.TB) []keyspaceCase {
	t.Helper()
	var cases []keyspaceCase
	add := func(db int, k Key, want string) { cases = append(cases, keyspaceCase{db, k, want}) }
	str := func(db int, key, v string) {
		add(db, Key{Key: []byte(key), Type: TypeString, Value: AppendString(nil, []byte(v), true)}, "string "+strconv.Quote(v))
	}
	str(0, "s:empty", "")
	str(0, "s:int", "12345")
	str(0, "s:neg", "-9223372036854775808")
	str(0, "s:big", "18446744073709551616")
	str(0, "s:lead0", "007")
	str(0, "s:float", "3.14")
	str(0, "s:bin", "a\x00b\r\n\xff")
	str(0, "s:long", strings.Repeat("compressible ", 1000))
	str(0, "12", "integer key")
	str(3, "s:db3", "in db 3")

	// a key with a TTL in the future
	cases = append(cases, keyspaceCase{0, Key{Key: []byte("s:ttl"), Type: TypeString, Value: AppendString(nil, []byte("v"), true),
		HasExpire: true, ExpireAt: time.Now().Add(time.Hour).UnixMilli()}, "string \"v\" ttl"})

	list := func(db int, key string, elems []string) {
		add(db, Key{Key: []byte(key), Type: TypeList, Value: AppendListValue(nil, bs(elems...), true)}, "list "+fmt.Sprintf("%q", elems))
	}
	list(0, "l:small", []string{"a", "1", "", "-5"})
	var long []string
	for i := 0; i < 3000; i++ {
		long = append(long, fmt.Sprintf("element-%d-%s", i, strings.Repeat("x", i%70)))
	}
	list(0, "l:long", long)

	set := func(db int, key string, members []string) {
		sorted := append([]string(nil), members...)
		sort.Strings(sorted)
		add(db, Key{Key: []byte(key), Type: TypeSet, Value: AppendSetValue(nil, bs(members...), true)}, "set "+fmt.Sprintf("%q", sorted))
	}
	set(0, "set:ints", []string{"1", "-2", "300000", "9223372036854775807"})
	set(0, "set:mixed", []string{"1", "a", ""})
	var many []string
	for i := 0; i < 600; i++ {
		many = append(many, strconv.Itoa(i*7))
	}
	set(1, "set:manyints", many)

	hash := func(db int, key string, fv []string) {
		var pairs []string
		for i := 0; i+1 < len(fv); i += 2 {
			pairs = append(pairs, fv[i]+"="+fv[i+1])
		}
		sort.Strings(pairs)
		add(db, Key{Key: []byte(key), Type: TypeHash, Value: AppendHashValue(nil, bs(fv...), true)}, "hash "+fmt.Sprintf("%q", pairs))
	}
	hash(0, "h:small", []string{"a", "1", "b", "", "c", "-7"})
	hash(0, "h:longvalue", []string{"f", strings.Repeat("v", 100)})
	var fv []string
	for i := 0; i < 300; i++ {
		fv = append(fv, fmt.Sprintf("field:%d", i), strconv.Itoa(i*i))
	}
	hash(2, "h:big", fv)

	zset := func(db int, key string, ms []ZSetMember) {
		var pairs []string
		for _, m := range ms {
			pairs = append(pairs, string(m.Member)+"="+formatScore(m.Score))
		}
		sort.Strings(pairs)
		add(db, Key{Key: []byte(key), Type: TypeZSet2, Value: AppendZSet2Value(nil, ms, true)}, "zset "+fmt.Sprintf("%q", pairs))
	}
	zset(0, "z:small", []ZSetMember{{[]byte("a"), 1}, {[]byte("b"), -2.5}, {[]byte("c"), math.Inf(1)}, {[]byte("d"), math.Inf(-1)}, {[]byte("e"), 0.1}, {[]byte("f"), 1e300}, {[]byte(""), 0}})
	var zm []ZSetMember
	for i := 0; i < 200; i++ {
		zm = append(zm, ZSetMember{[]byte(fmt.Sprintf("m%d", i)), float64(i) / 3})
	}
	zset(0, "z:big", zm)

	stream := func(db int, key string, s *Stream) {
		v, err := AppendStreamValue(nil, s, true)
		if err != nil {
			t.Fatal(err)
		}
		add(db, Key{Key: []byte(key), Type: TypeStreamListpacks2, Value: v}, streamText(s))
	}
	// a stream whose entries span several nodes, with differing fields and
	// integer-looking values
	var entries []StreamEntry
	for i := 0; i < 250; i++ {
		id := StreamID{Ms: 1700000000000 + uint64(i/3), Seq: uint64(i % 3)}
		f := bs("temp", strconv.Itoa(20+i%10), "unit", "C")
		if i%17 == 0 {
			f = bs("other", strings.Repeat("y", i), "n", "-1")
		}
		entries = append(entries, StreamEntry{ID: id, Fields: f})
	}
	last := entries[len(entries)-1].ID
	stream(0, "x:big", &Stream{Entries: entries, LastID: last, FirstID: entries[0].ID, EntriesAdded: 260, MaxDeletedID: StreamID{1700000000000, 1},
		Groups: []StreamGroup{
			{Name: []byte("g2"), LastID: entries[10].ID, EntriesRead: 11,
				Pending:   []StreamPending{{ID: entries[3].ID, DeliveryTime: 1700000001000, DeliveryCount: 2}, {ID: entries[1].ID, DeliveryTime: 1700000000500, DeliveryCount: 1}},
				Consumers: []StreamConsumer{{Name: []byte("bob"), SeenTime: 1700000002000, Pending: []StreamID{entries[3].ID}}, {Name: []byte("alice"), SeenTime: 1700000001000, Pending: []StreamID{entries[1].ID}}, {Name: []byte("idle"), SeenTime: 1700000000000}}},
			{Name: []byte("g1"), LastID: StreamID{}, EntriesRead: 0},
		}})
	stream(0, "x:empty", &Stream{LastID: StreamID{5, 5}, MaxDeletedID: StreamID{5, 5}, EntriesAdded: 3})
	stream(4, "x:one", &Stream{Entries: []StreamEntry{{ID: StreamID{1, 1}, Fields: bs("", "")}}, LastID: StreamID{1, 1}, FirstID: StreamID{1, 1}, EntriesAdded: 1})
	return cases
}

func formatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

func streamText(s *Stream) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stream %d last %s first %s maxdel %s added %d", len(s.Entries), s.LastID, s.FirstID, s.MaxDeletedID, s.EntriesAdded)
	for _, e := range s.Entries {
		fmt.Fprintf(&b, " %s%q", e.ID, e.Fields)
	}
	groups := append([]StreamGroup(nil), s.Groups...)
	sort.Slice(groups, func(i, j int) bool { return string(groups[i].Name) < string(groups[j].Name) })
	for _, g := range groups {
		fmt.Fprintf(&b, " group %s last %s read %d", g.Name, g.LastID, g.EntriesRead)
		owner := map[StreamID]string{}
		cons := append([]StreamConsumer(nil), g.Consumers...)
		sort.Slice(cons, func(i, j int) bool { return string(cons[i].Name) < string(cons[j].Name) })
		for _, c := range cons {
			fmt.Fprintf(&b, " consumer %s seen %d pending %d", c.Name, c.SeenTime, len(c.Pending))
			for _, id := range c.Pending {
				owner[id] = string(c.Name)
			}
		}
		pel := append([]StreamPending(nil), g.Pending...)
		sort.Slice(pel, func(i, j int) bool { return pel[i].ID.Less(pel[j].ID) })
		for _, p := range pel {
			fmt.Fprintf(&b, " pel %s %s %d %d", p.ID, owner[p.ID], p.DeliveryTime, p.DeliveryCount)
		}
	}
	return b.String()
}

func writeKeyspaceRDB(t testing.TB, cases []keyspaceCase, opts WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAux("redis-bits", "64"); err != nil {
		t.Fatal(err)
	}
	byDB := map[int][]keyspaceCase{}
	var dbs []int
	for _, c := range cases {
		if _, ok := byDB[c.db]; !ok {
			dbs = append(dbs, c.db)
		}
		byDB[c.db] = append(byDB[c.db], c)
	}
	sort.Ints(dbs)
	for _, db := range dbs {
		expires := 0
		for _, c := range byDB[db] {
			if c.key.HasExpire {
				expires++
			}
		}
		if err := w.WriteSelectDB(uint64(db)); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteResizeDB(uint64(len(byDB[db])), uint64(expires)); err != nil {
			t.Fatal(err)
		}
		for _, c := range byDB[db] {
			if err := w.WriteKey(c.key); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readBack reads a key's value from a real server in the form of
// keyspaceCase.want.
func readBack(t testing.TB, c *resp.Conn, key string) string {
	t.Helper()
	do := func(args ...string) resp.Value {
		v, err := c.Do(args...)
		if err != nil || v.IsError() {
			t.Fatalf("%v: %v %v", args, v, err)
		}
		return v
	}
	strs := func(v resp.Value) []string {
		var out []string
		for _, e := range v.Elems {
			out = append(out, e.Str)
		}
		return out
	}
	typ := do("TYPE", key).Str
	ttl := ""
	if do("PTTL", key).Int > 0 {
		ttl = " ttl"
	}
	switch typ {
	case "string":
		return "string " + strconv.Quote(do("GET", key).Str) + ttl
	case "list":
		return fmt.Sprintf("list %q", strs(do("LRANGE", key, "0", "-1")))
	case "set":
		m := strs(do("SMEMBERS", key))
		sort.Strings(m)
		return fmt.Sprintf("set %q", m)
	case "hash":
		kv := strs(do("HGETALL", key))
		var pairs []string
		for i := 0; i+1 < len(kv); i += 2 {
			pairs = append(pairs, kv[i]+"="+kv[i+1])
		}
		sort.Strings(pairs)
		return fmt.Sprintf("hash %q", pairs)
	case "zset":
		kv := strs(do("ZRANGE", key, "0", "-1", "WITHSCORES"))
		var pairs []string
		for i := 0; i+1 < len(kv); i += 2 {
			f, err := strconv.ParseFloat(kv[i+1], 64)
			if err != nil {
				t.Fatalf("score %q: %v", kv[i+1], err)
			}
			pairs = append(pairs, kv[i]+"="+formatScore(f))
		}
		sort.Strings(pairs)
		return fmt.Sprintf("zset %q", pairs)
	case "stream":
		return streamFromServer(t, do, key)
	}
	return "type " + typ
}

// streamFromServer rebuilds a Stream from XINFO STREAM FULL and prints it
// with streamText.
func streamFromServer(t testing.TB, do func(...string) resp.Value, key string) string {
	t.Helper()
	field := func(v resp.Value, name string) resp.Value {
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if v.Elems[i].Str == name {
				return v.Elems[i+1]
			}
		}
		t.Fatalf("XINFO: no field %q in %v", name, v)
		return resp.Value{}
	}
	id := func(v resp.Value) StreamID {
		x, err := ParseStreamID(v.Str)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	info := do("XINFO", "STREAM", key, "FULL", "COUNT", "0")
	s := &Stream{LastID: id(field(info, "last-generated-id")), MaxDeletedID: id(field(info, "max-deleted-entry-id")), EntriesAdded: uint64(field(info, "entries-added").Int)}
	for _, e := range field(info, "entries").Elems {
		var f [][]byte
		for _, x := range e.Elems[1].Elems {
			f = append(f, []byte(x.Str))
		}
		s.Entries = append(s.Entries, StreamEntry{ID: id(e.Elems[0]), Fields: f})
	}
	if len(s.Entries) > 0 {
		s.FirstID = s.Entries[0].ID
	}
	for _, g := range field(info, "groups").Elems {
		sg := StreamGroup{Name: []byte(field(g, "name").Str), LastID: id(field(g, "last-delivered-id")), EntriesRead: uint64(field(g, "entries-read").Int)}
		for _, p := range field(g, "pending").Elems {
			sg.Pending = append(sg.Pending, StreamPending{ID: id(p.Elems[0]), DeliveryTime: p.Elems[2].Int, DeliveryCount: uint64(p.Elems[3].Int)})
		}
		for _, c := range field(g, "consumers").Elems {
			sc := StreamConsumer{Name: []byte(field(c, "name").Str), SeenTime: field(c, "seen-time").Int}
			for _, p := range field(c, "pending").Elems {
				sc.Pending = append(sc.Pending, id(p.Elems[0]))
			}
			sg.Consumers = append(sg.Consumers, sc)
		}
		s.Groups = append(s.Groups, sg)
	}
	return streamText(s)
}

// TestKeyspaceRDBRealServer writes a keyspace of every type with the value
// encoders and checks the file with redis-check-rdb (which validates every
// listpack deeply) and a real redis-server 7.0.15, which must hold the
// same DBSIZE per database and the same value, TTL presence and stream
// metadata, groups, pending entries and consumers for every key.
func TestKeyspaceRDBRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	cases := testKeyspace(t)
	for _, opts := range []WriterOptions{{}, {NoCompress: true}} {
		data := writeKeyspaceRDB(t, cases, opts)
		path := filepath.Join(t.TempDir(), "keyspace.rdb")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		checkRDB(t, path)
		srv, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: path})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]int64{}
		for _, c := range cases {
			want[c.db]++
		}
		if got := dbSizes(t, srv); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%+v: DBSIZE per db %v, want %v", opts, got, want)
		}
		conn := srv.Conn(t)
		for _, c := range cases {
			if v, err := conn.Do("SELECT", strconv.Itoa(c.db)); err != nil || v.IsError() {
				t.Fatal(v, err)
			}
			if got := readBack(t, conn, string(c.key.Key)); got != c.want {
				t.Errorf("%+v: db %d key %q:\n got %.400s\nwant %.400s", opts, c.db, c.key.Key, got, c.want)
			}
		}
		srv.Stop()
	}
}

// TestKeyspaceRDBReaders reads the written keyspace back with this
// package's Reader (every record, checksum verified) and with
// github.com/hdt3213/rdb, fnkit's keyspace loader, which must decode the
// same values.
func TestKeyspaceRDBReaders(t *testing.T) {
	cases := testKeyspace(t)
	data := writeKeyspaceRDB(t, cases, WriterOptions{})
	r := NewReader(bytes.NewReader(data), ReaderOptions{File: "keyspace.rdb"})
	keys := 0
	for {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind == KindEOF {
			break
		}
		if rec.Kind == KindKey {
			keys++
		}
	}
	if keys != len(cases) {
		t.Fatalf("Reader saw %d keys, want %d", keys, len(cases))
	}
	byKey := map[string]keyspaceCase{}
	for _, c := range cases {
		byKey[fmt.Sprintf("%d/%s", c.db, c.key.Key)] = c
	}
	seen := 0
	err := core.NewDecoder(bytes.NewReader(data)).Parse(func(o model.RedisObject) bool {
		c, ok := byKey[fmt.Sprintf("%d/%s", o.GetDBIndex(), o.GetKey())]
		if !ok {
			return true
		}
		seen++
		switch x := o.(type) {
		case *model.StringObject:
			got := "string " + strconv.Quote(string(x.Value))
			if o.GetExpiration() != nil {
				got += " ttl"
			}
			if got != c.want {
				t.Errorf("hdt3213 %s: %q, want %q", c.key.Key, got, c.want)
			}
		case *model.StreamObject:
			n := 0
			for _, e := range x.Entries {
				for _, m := range e.Msgs {
					if !m.Deleted {
						n++
					}
				}
			}
			if !strings.HasPrefix(c.want, fmt.Sprintf("stream %d ", n)) {
				t.Errorf("hdt3213 %s: %d entries, want %.40s", c.key.Key, n, c.want)
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(cases) {
		t.Fatalf("hdt3213 saw %d keys, want %d", seen, len(cases))
	}
}

// TestAppendStreamValueRefuses checks the streams Redis would refuse.
func TestAppendStreamValueRefuses(t *testing.T) {
	e := func(ms uint64) StreamEntry { return StreamEntry{ID: StreamID{ms, 0}, Fields: bs("f", "v")} }
	for name, s := range map[string]*Stream{
		"unordered":         {Entries: []StreamEntry{e(2), e(1)}, LastID: StreamID{2, 0}},
		"duplicate":         {Entries: []StreamEntry{e(1), e(1)}, LastID: StreamID{1, 0}},
		"no fields":         {Entries: []StreamEntry{{ID: StreamID{1, 0}}}, LastID: StreamID{1, 0}},
		"odd fields":        {Entries: []StreamEntry{{ID: StreamID{1, 0}, Fields: bs("f")}}, LastID: StreamID{1, 0}},
		"last before entry": {Entries: []StreamEntry{e(5)}, LastID: StreamID{4, 0}},
		"orphan pending": {Entries: []StreamEntry{e(1)}, LastID: StreamID{1, 0}, Groups: []StreamGroup{
			{Name: []byte("g"), Pending: []StreamPending{{ID: StreamID{1, 0}}}}}},
		"unknown owned": {Entries: []StreamEntry{e(1)}, LastID: StreamID{1, 0}, Groups: []StreamGroup{
			{Name: []byte("g"), Consumers: []StreamConsumer{{Name: []byte("c"), Pending: []StreamID{{1, 0}}}}}}},
		"two owners": {Entries: []StreamEntry{e(1)}, LastID: StreamID{1, 0}, Groups: []StreamGroup{
			{Name: []byte("g"), Pending: []StreamPending{{ID: StreamID{1, 0}}}, Consumers: []StreamConsumer{
				{Name: []byte("a"), Pending: []StreamID{{1, 0}}}, {Name: []byte("b"), Pending: []StreamID{{1, 0}}}}}}},
		"duplicate group": {LastID: StreamID{1, 0}, Groups: []StreamGroup{{Name: []byte("g")}, {Name: []byte("g")}}},
	} {
		if _, err := AppendStreamValue(nil, s, true); !errors.Is(err, ErrBadStream) {
			t.Errorf("%s: %v, want ErrBadStream", name, err)
		}
	}
}

// TestAppendListpack checks the listpack encoder's element encodings and
// back-lengths against hand-computed layouts from listpack.c.
func TestAppendListpack(t *testing.T) {
	for _, c := range []struct {
		elems []string
		want  string // hex of the elements, without header and terminator
	}{
		{[]string{"0"}, "0001"},
		{[]string{"127"}, "7f01"},
		{[]string{"128"}, "c08002"},
		{[]string{"-1"}, "dfff02"},
		{[]string{"-4096"}, "d00002"},
		{[]string{"4096"}, "f1001003"},
		{[]string{"-32769"}, "f2ff7fff04"},
		{[]string{"8388608"}, "f30000800005"},
		{[]string{"2147483648"}, "f4000000800000000009"},
		{[]string{"a"}, "816102"},
		{[]string{""}, "8001"},
		{[]string{"007"}, "8330303704"},
		{[]string{strings.Repeat("z", 64)}, "e040" + strings.Repeat("7a", 64) + "42"},
	} {
		got := AppendListpack(nil, bs(c.elems...))
		if n := int(got[0]) | int(got[1])<<8 | int(got[2])<<16 | int(got[3])<<24; n != len(got) {
			t.Errorf("%q: header size %d, len %d", c.elems, n, len(got))
		}
		if got[len(got)-1] != 0xFF || int(got[4]) != len(c.elems) {
			t.Errorf("%q: bad terminator or count: %x", c.elems, got)
		}
		if h := fmt.Sprintf("%x", got[6:len(got)-1]); h != c.want {
			t.Errorf("%q: %s, want %s", c.elems, h, c.want)
		}
	}
	// a 200-byte element needs a two-byte back-length
	got := AppendListpack(nil, bs(strings.Repeat("q", 200)))
	body := got[6 : len(got)-1]
	if l := len(body); body[l-2] != 1 || body[l-1] != 0x80|(202-128) {
		t.Errorf("back-length of a 202-byte element: % x", body[l-2:])
	}
}
