package remote

import (
	"errors"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/library"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		in   string
		want URL
		str  string
	}{
		{"redis://localhost", URL{Host: "localhost", Port: 6379}, "redis://localhost:6379"},
		{"redis://127.0.0.1:7000", URL{Host: "127.0.0.1", Port: 7000}, "redis://127.0.0.1:7000"},
		{"REDIS://h:1/3", URL{Host: "h", Port: 1, DB: 3}, "redis://h:1/3"},
		{"rediss://h:6380", URL{TLS: true, Host: "h", Port: 6380}, "rediss://h:6380"},
		{"redis://:secret@h:7000/2", URL{Host: "h", Port: 7000, DB: 2, Password: "secret", HasPassword: true}, "redis://:***@h:7000/2"},
		{"redis://secret@h", URL{Host: "h", Port: 6379, Password: "secret", HasPassword: true}, "redis://:***@h:6379"},
		{"redis://alice:p%40ss%3Aw@h:1", URL{Host: "h", Port: 1, Username: "alice", Password: "p@ss:w", HasPassword: true}, "redis://alice:***@h:1"},
		{"redis://alice:@h:1", URL{Host: "h", Port: 1, Username: "alice", HasPassword: true}, "redis://alice:***@h:1"},
		{"redis://u:p@ss@h:1", URL{Host: "h", Port: 1, Username: "u", Password: "p@ss", HasPassword: true}, "redis://u:***@h:1"},
		{"redis://[::1]:7000", URL{Host: "::1", Port: 7000}, "redis://[::1]:7000"},
		{"redis://[::1]", URL{Host: "::1", Port: 6379}, "redis://[::1]:6379"},
		{"redis://h:1/", URL{Host: "h", Port: 1}, "redis://h:1"},
	}
	for _, c := range good {
		u, err := ParseURL(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if *u != c.want {
			t.Errorf("%s: %+v, want %+v", c.in, *u, c.want)
		}
		if u.String() != c.str {
			t.Errorf("%s: String %q, want %q", c.in, u.String(), c.str)
		}
		if !IsURL(c.in) {
			t.Errorf("IsURL(%q) false", c.in)
		}
	}
	bad := []struct{ in, want string }{
		{"localhost:6379", "expected redis://host:port"},
		{"http://h", `unknown scheme "http"`},
		{"redis://", "no host"},
		{"redis://:pw@", "no host"},
		{"redis://h:", "empty port"},
		{"redis://h:0", `port "0"`},
		{"redis://h:65536", `port "65536"`},
		{"redis://h:x", `port "x"`},
		{"redis://h/x", `database "x"`},
		{"redis://h/-1", `database "-1"`},
		{"redis://h?db=1", "query parameters"},
		{"redis://::1:7000", "in brackets"},
		{"redis://[::1", "missing ']'"},
		{"redis://:p%zz@h", "percent-escape"},
	}
	for _, c := range bad {
		_, err := ParseURL(c.in)
		if err == nil || !errors.Is(err, ErrURL) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrURL mentioning %q", c.in, err, c.want)
		}
	}
	// The password never shows in an error.
	_, err := ParseURL("redis://user:hunter2@h:bad")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
	_, err = ParseURL("redis://hunter2@h:bad")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"redis://h", "rediss://u:p@h:1/2", "redis://[::1]:7000", "redis://:p%40@h", "redis://h:/", "redis://@", "redis://[]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrURL) {
				t.Fatalf("error does not wrap ErrURL: %v", err)
			}
			return
		}
		if u.Host == "" || u.Port < 1 || u.Port > 65535 || u.DB < 0 {
			t.Fatalf("%q parsed to %+v", s, *u)
		}
		other := *u
		other.Password = u.Password + "x"
		if other.String() != u.String() {
			t.Fatalf("String %q depends on the password", u.String())
		}
		// String round-trips everything but the password.
		back, err := ParseURL(u.String())
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", u.String(), s, err)
		}
		if back.Host != u.Host || back.Port != u.Port || back.DB != u.DB || back.TLS != u.TLS || back.Username != u.Username {
			t.Fatalf("%q → %q → %+v", s, u.String(), *back)
		}
	})
}

const sampleNodes = `07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,hostname4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002,hostname2 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003,hostname3 master - 0 1426238318243 3 connected 10923-16383
6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005,hostname5 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected
824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@31006,hostname6 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001,hostname1 myself,master - 0 0 1 connected 0-5460 [5461->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:30007@31007 master,fail - 1426238317239 1426238317239 7 disconnected
bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb :0@0 master,noaddr - 0 0 0 disconnected
`

func TestParseClusterNodes(t *testing.T) {
	nodes, err := ParseClusterNodes(sampleNodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 8 {
		t.Fatalf("%d nodes", len(nodes))
	}
	topo := &Topology{Nodes: nodes}
	var prim []string
	for _, p := range topo.Primaries() {
		prim = append(prim, p.Addr())
	}
	if strings.Join(prim, " ") != "127.0.0.1:30002 127.0.0.1:30003 127.0.0.1:30001 127.0.0.1:30007" {
		t.Errorf("primaries %v", prim)
	}
	if r := topo.Replicas("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"); len(r) != 1 || r[0].Port != 30004 {
		t.Errorf("replicas %+v", r)
	}
	me := nodes[5]
	if !me.Has("myself") || strings.Join(me.Slots, " ") != "0-5460" {
		t.Errorf("myself %+v", me)
	}
	if !nodes[6].Failing() || nodes[6].LinkState != "disconnected" {
		t.Errorf("failing node %+v", nodes[6])
	}
	for _, bad := range []string{"abc 127.0.0.1:1@2 master - 0 0", "id nohostport master - 0 0 1 connected", "id 1.2.3.4:99999@1 master - 0 0 1 connected"} {
		if _, err := ParseClusterNodes(bad); !errors.Is(err, ErrClusterNodes) || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseClusterNodes(f *testing.F) {
	f.Add(sampleNodes)
	f.Add("x :0@0 master - 0 0 0 connected\n")
	f.Add("x [::1]:7000@17000 myself,master - 0 0 0 connected 0-16383\n")
	f.Fuzz(func(t *testing.T, s string) {
		nodes, err := ParseClusterNodes(s)
		if err != nil {
			if !errors.Is(err, ErrClusterNodes) {
				t.Fatalf("error does not wrap ErrClusterNodes: %v", err)
			}
			return
		}
		topo := &Topology{Nodes: nodes}
		for _, p := range topo.Primaries() {
			_ = topo.Replicas(p.ID)
			_ = p.Addr()
		}
	})
}

func TestParseInfoAndVersions(t *testing.T) {
	si := ParseInfo("# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n# Replication\r\nrole:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:6380\r\n# Cluster\r\ncluster_enabled:0\r\n")
	if si.Product != "redis" || si.Version != "7.0.15" || si.RDBVersion != 10 || si.Role != "slave" || si.MasterAddr != "10.0.0.1:6380" || si.ClusterEnabled {
		t.Errorf("%+v", si)
	}
	vk := ParseInfo("redis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\nrole:master\r\ncluster_enabled:1\r\n")
	if vk.Product != "valkey" || vk.Version != "8.0.1" || vk.RDBVersion != 11 || !vk.ClusterEnabled {
		t.Errorf("%+v", vk)
	}
	for _, c := range []struct {
		product, version string
		want             int
	}{
		{"redis", "6.2.14", 9}, {"redis", "7.0.0", 10}, {"redis", "7.2.6", 11}, {"redis", "7.4.1", 12},
		{"redis", "8.0.2", 12}, {"redis", "255.255.255", 12}, {"valkey", "7.2.5", 11}, {"valkey", "8.1.0", 11},
		{"valkey", "9.0.0", 80}, {"valkey", "9.2.0", 81}, {"redis", "garbage", 0},
	} {
		if got := RDBVersionOf(c.product, c.version); got != c.want {
			t.Errorf("%s %s: %d, want %d", c.product, c.version, got, c.want)
		}
	}
	// formats.md §7.2: a server takes every version up to its own; Valkey 9
	// refuses the foreign range 12..79.
	v70 := ServerInfo{RDBVersion: 10}
	if !v70.AcceptsPayload(1) || !v70.AcceptsPayload(10) || v70.AcceptsPayload(11) || v70.AcceptsPayload(12) {
		t.Error("7.0 acceptance")
	}
	v9 := ServerInfo{Product: "valkey", RDBVersion: 80}
	if !v9.AcceptsPayload(11) || v9.AcceptsPayload(12) || !v9.AcceptsPayload(80) || v9.AcceptsPayload(81) {
		t.Error("valkey 9 acceptance")
	}
}

func TestPlanRestoreChanges(t *testing.T) {
	mk := func(name, fn string) *library.Library {
		l, err := library.New("#!lua name="+name+"\nredis.register_function('"+fn+"', function() return 1 end)\n", library.Origin{Offset: -1})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b, c := mk("a", "fa"), mk("b", "fb"), mk("c", "fc")
	b2 := mk("b", "fb2")
	current := library.NewSet(a, b)
	cur := map[string][]Function{"a": {{Name: "fa"}}, "b": {{Name: "fb"}}}
	in := library.NewSet(b2, c)
	inFns := map[string][]string{"b": {"fb2"}, "c": {"fc"}}
	// refusal is what a real server answers to FUNCTION RESTORE of in's
	// payload with mode over the libraries of current.
	s := startServer(t, "")
	refusal := func(current, in *library.Set, mode string) string {
		t.Helper()
		s.must(t, "FUNCTION", "FLUSH")
		for _, l := range current.Libraries() {
			s.load(t, l.Code)
		}
		payload, err := dumpfmt.Encode(in, 10)
		if err != nil {
			t.Fatal(err)
		}
		v := s.do(t, "FUNCTION", "RESTORE", string(payload), mode)
		if !v.IsError() {
			t.Fatalf("FUNCTION RESTORE %s of %v over %v: the server accepted it", mode, in.Names(), current.Names())
		}
		return v.Str
	}

	if _, _, err := PlanRestore(current, in, library.RestoreAppend, cur, inFns); err == nil || err.Error() != refusal(current, in, "APPEND") {
		t.Errorf("append: %v", err)
	}
	res, ch, err := PlanRestore(current, in, library.RestoreReplace, cur, inFns)
	if err != nil || strings.Join(res.Names(), ",") != "a,b,c" || strings.Join(ch.Replaced, ",") != "b" || strings.Join(ch.Added, ",") != "c" || len(ch.Removed) != 0 {
		t.Errorf("replace: %v %v %+v", err, res, ch)
	}
	res, ch, err = PlanRestore(current, in, library.RestoreFlush, cur, inFns)
	if err != nil || strings.Join(res.Names(), ",") != "b,c" || strings.Join(ch.Removed, ",") != "a" {
		t.Errorf("flush: %v %v %+v", err, res, ch)
	}
	// REPLACE frees the names of the library it replaces, not others'.
	if _, _, err := PlanRestore(current, library.NewSet(mk("b", "FA")), library.RestoreReplace, cur, map[string][]string{"b": {"FA"}}); err == nil || err.Error() != refusal(current, library.NewSet(mk("b", "FA")), "REPLACE") {
		t.Errorf("replace clash: %v", err)
	}
	if _, _, err := PlanRestore(current, library.NewSet(mk("b", "fb")), library.RestoreReplace, cur, map[string][]string{"b": {"fb"}}); err != nil {
		t.Errorf("replace own names: %v", err)
	}
	// Two incoming libraries sharing a name fail whatever the mode.
	if _, _, err := PlanRestore(current, library.NewSet(mk("x", "f"), mk("y", "F")), library.RestoreFlush, cur, map[string][]string{"x": {"f"}, "y": {"F"}}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("incoming clash: %v", err)
	}
	// REPLACE with identical code is no change.
	_, ch, err = PlanRestore(current, library.NewSet(a), library.RestoreReplace, cur, nil)
	if err != nil || !ch.Empty() || strings.Join(ch.Unchanged, ",") != "a" {
		t.Errorf("unchanged: %v %+v", err, ch)
	}
}

func FuzzParseInfo(f *testing.F) {
	f.Add("# Server\r\nredis_version:7.0.15\r\nrole:slave\r\nmaster_host:h\r\nmaster_port:1\r\n")
	f.Add("valkey_version:9.0.0\nserver_name:valkey\n")
	f.Fuzz(func(t *testing.T, s string) {
		si := ParseInfo(s)
		if si.RDBVersion != RDBVersionOf(si.Product, si.Version) {
			t.Fatalf("%+v", si)
		}
		_ = si.AcceptsPayload(10)
	})
}
