package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
)

type pushJSON struct {
	Sources        []string `json:"sources"`
	Mode           string   `json:"mode"`
	DryRun         bool     `json:"dry_run"`
	Phase          string   `json:"phase"`
	OK             bool     `json:"ok"`
	Error          string   `json:"error"`
	PayloadVersion int      `json:"payload_rdb_version"`
	Nodes          []struct {
		Addr      string   `json:"addr"`
		Role      string   `json:"role"`
		Result    string   `json:"result"`
		Error     string   `json:"error"`
		Added     []string `json:"added"`
		Replaced  []string `json:"replaced"`
		Removed   []string `json:"removed"`
		Libraries []string `json:"libraries"`
	} `json:"nodes"`
}

func parsePush(t *testing.T, out string) pushJSON {
	t.Helper()
	var p pushJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return p
}

func lib(f string) string { return fixtures.LibPath(f) }

func TestPushCLI(t *testing.T) {
	a := startRemote(t, "secret")
	b := startRemote(t, "")
	a.loadFixtures(t, eightLibs...)
	dir := t.TempDir()

	// Round trip: pull to a file, push the file into an empty server.
	payload := filepath.Join(dir, "all.payload")
	want(t, 0, "pull", "--from", a.url(), "-o", payload)
	r := want(t, 0, "push", payload, "--to", b.url())
	if !sameCodes(a.libs(t), b.libs(t)) {
		t.Fatalf("b holds %v", names(b.libs(t)))
	}
	sameRecords(t, a.dump(t), b.dump(t))
	if !strings.Contains(r.stdout, "ok: 1 restored, 0 unchanged, every node verified") {
		t.Errorf("stdout %q", r.stdout)
	}

	// Append again: Redis's refusal, nothing changed, exit 1.
	before := b.dump(t)
	r = want(t, 1, "push", lib("ratelimit_v2.lua"), "--to", b.url())
	if !strings.Contains(r.stdout, b.Addr+": ERR Library ratelimit already exists") || !hasErrorLine(r.stderr, "push plan failed") {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	if b.dump(t) != before {
		t.Fatal("a failed plan changed the server")
	}

	// Dry run of a replace, as JSON.
	r = want(t, 0, "push", lib("ratelimit_v2.lua"), "--to", b.url(), "--to", a.url(), "--mode", "replace", "--dry-run", "--json")
	p := parsePush(t, r.stdout)
	if !p.OK || !p.DryRun || p.Mode != "replace" || len(p.Nodes) != 2 || p.Sources[0] != lib("ratelimit_v2.lua") {
		t.Fatalf("%+v", p)
	}
	for _, n := range p.Nodes {
		if n.Result != "would change" || strings.Join(n.Replaced, ",") != "ratelimit" {
			t.Errorf("%+v", n)
		}
	}
	if b.dump(t) != before {
		t.Fatal("dry run changed the server")
	}

	// A live server as the source, flush into another.
	c := startRemote(t, "")
	c.loadFixtures(t, "sessions.lua")
	r = want(t, 0, "push", a.url(), "--to", c.url(), "--mode", "flush", "--json")
	p = parsePush(t, r.stdout)
	if p.Sources[0] != "redis://:***@"+a.Addr || strings.Contains(r.stdout, "secret") {
		t.Errorf("sources %v", p.Sources)
	}
	if !sameCodes(a.libs(t), c.libs(t)) {
		t.Fatalf("c holds %v", names(c.libs(t)))
	}

	// A down target: reported, the other untouched.
	d := startRemote(t, "")
	dAddr := d.Addr
	d.Stop()
	before = b.dump(t)
	r = want(t, 1, "push", lib("ratelimit_v2.lua"), "--to", b.url(), "--to", "redis://"+dAddr, "--mode", "replace")
	if !strings.Contains(r.stdout, dAddr+": connection refused") || !strings.Contains(r.stdout, "untouched") {
		t.Errorf("stdout %q", r.stdout)
	}
	if b.dump(t) != before {
		t.Fatal("the live target changed")
	}

	// Wrong password.
	r = want(t, 1, "push", lib("wire.lua"), "--to", "redis://:bad@"+a.Addr)
	if !strings.Contains(r.stdout, "WRONGPASS invalid username-password pair or user is disabled.") {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestPushCLIUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"push", "--to", "redis://h"}, "at least one SOURCE"},
		{[]string{"push", "x.lua"}, "missing --to"},
		{[]string{"push", "x.lua", "--to", "h:6379"}, "want redis://"},
		{[]string{"push", "x.lua", "--to", "redis://h", "--mode", "merge"}, `--mode "merge"`},
		{[]string{"push", "x.lua", "--to", "redis://h", "--payload-version", "9"}, "--payload-version 9"},
		{[]string{"push", "x.lua", "--to", "redis://h/2", "--cluster"}, "only database 0"},
	} {
		r := want(t, 2, c.args...)
		if !hasErrorLine(r.stderr, c.msg) {
			t.Errorf("%v: stderr %q, want %q", c.args, r.stderr, c.msg)
		}
	}
}

func TestPushPullClusterCLI(t *testing.T) {
	c := fixtures.StartCluster(t, fixtures.ClusterOptions{Primaries: 3, ReplicasPer: 1, Password: "secret"})
	seed := "redis://:secret@" + c.Primaries[0].Addr
	r := want(t, 0, "push", lib("ratelimit.lua"), lib("leaderboard.lua"), "--to", seed, "--cluster", "--json")
	p := parsePush(t, r.stdout)
	if len(p.Nodes) != 6 {
		t.Fatalf("%d nodes", len(p.Nodes))
	}
	for _, n := range p.Nodes {
		if (n.Role == "primary" && n.Result != "restored") || (n.Role == "replica" && n.Result != "in sync") {
			t.Errorf("%+v", n)
		}
	}
	nodeLibs := func(n *fixtures.Redis) map[string]string {
		s := &remoteServer{Redis: n, pw: c.Password}
		return s.libs(t)
	}
	first := nodeLibs(c.Primaries[0])
	for _, n := range c.Nodes() {
		if got := nodeLibs(n); !sameCodes(got, first) || len(got) != 2 {
			t.Errorf("%s holds %v", n.Addr, names(got))
		}
	}
	// Pull the cluster into .lua files.
	dir := t.TempDir() + "/libs/"
	r = want(t, 0, "pull", "--from", seed, "--cluster", "-o", dir)
	if !strings.Contains(r.stdout, "cluster: 3 primaries read") || !strings.Contains(r.stdout, "identical libraries") {
		t.Errorf("stdout %q", r.stdout)
	}
	if files := dirFiles(t, dir); len(files) != 2 {
		t.Errorf("files %v", files)
	}
	// One primary differs: pull --cluster says where, push refuses.
	odd := &remoteServer{Redis: c.Primaries[2], pw: c.Password}
	odd.loadFixtures(t, "sessions.lua")
	r = want(t, 1, "pull", "--from", seed, "--cluster", "-o", t.TempDir()+"/x.payload")
	if !strings.Contains(r.stderr, "  library sessions: ") || !strings.Contains(r.stderr, "sha1 35a6549d4bbe on "+odd.Addr) ||
		!strings.Contains(r.stderr, "absent on ") || !hasErrorLine(r.stderr, "hold different libraries (sessions)") {
		t.Errorf("stderr %q", r.stderr)
	}
	before := odd.dump(t)
	r = want(t, 1, "push", lib("sessions.lua"), "--to", seed, "--cluster")
	if !strings.Contains(r.stdout, odd.Addr+": ERR Library sessions already exists") {
		t.Errorf("stdout %q", r.stdout)
	}
	if odd.dump(t) != before {
		t.Error("a refused plan changed a node")
	}
	// Flush makes them identical again.
	want(t, 0, "push", lib("sessions.lua"), lib("wire.lua"), "--to", seed, "--cluster", "--mode", "flush")
	for _, n := range c.Nodes() {
		if got := nodeLibs(n); strings.Join(names(got), ",") != "sessions,wire" {
			t.Errorf("%s holds %v", n.Addr, names(got))
		}
	}
}

// TestPushTLSFlags checks that the --tls-* flags reach the connection: a
// server with tls-auth-clients yes, a throwaway CA and a client certificate.
func TestPushTLSFlags(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t)
	writePEM(t, dir, "ca.crt", "CERTIFICATE", ca.Raw)
	issue(t, dir, "server", ca, caKey, x509.ExtKeyUsageServerAuth)
	issue(t, dir, "client", ca, caKey, x509.ExtKeyUsageClientAuth)
	port := freeTCPPort(t)
	s := startRemote(t, "", "tls-port "+strconv.Itoa(port),
		"tls-cert-file "+filepath.Join(dir, "server.crt"), "tls-key-file "+filepath.Join(dir, "server.key"),
		"tls-ca-cert-file "+filepath.Join(dir, "ca.crt"), "tls-auth-clients yes")
	u := "rediss://127.0.0.1:" + strconv.Itoa(port)
	want(t, 0, "push", lib("inventory.lua"), "--to", u, "--tls-ca", filepath.Join(dir, "ca.crt"),
		"--tls-cert", filepath.Join(dir, "client.crt"), "--tls-key", filepath.Join(dir, "client.key"))
	if got := s.libs(t); len(got) != 1 || got["inventory"] == "" {
		t.Fatalf("server holds %v", names(got))
	}
	r := want(t, 1, "pull", "--from", u, "-o", filepath.Join(dir, "p"), "--tls-cert", filepath.Join(dir, "client.crt"), "--tls-key", filepath.Join(dir, "client.key"))
	if !hasErrorLine(r.stderr, "127.0.0.1:"+strconv.Itoa(port)+": ") || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("untrusted server certificate: %q", r.stderr)
	}
	want(t, 0, "pull", "--from", u, "-o", filepath.Join(dir, "p"), "--tls-insecure", "--tls-cert", filepath.Join(dir, "client.crt"), "--tls-key", filepath.Join(dir, "client.key"))
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fnkit CLI test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return ca, key
}

func issue(t *testing.T, dir, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, usage x509.ExtKeyUsage) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	writePEM(t, dir, name+".crt", "CERTIFICATE", der)
	writePEM(t, dir, name+".key", "EC PRIVATE KEY", kb)
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// The plan loads the libraries in fnkit's runtime first: a function-name
// clash with the server, or a library Redis would refuse, stops the push
// before any node changes — in the real server's words.
func TestPushCLIFunctionChecks(t *testing.T) {
	s := startRemote(t, "")
	s.loadFixtures(t, "ratelimit.lua")
	dir := t.TempDir()
	clash := "#!lua name=clash\nredis.register_function('RL_FIXED_WINDOW', function() return 1 end)\n"
	broken := "#!lua name=broken\nredis.register_function('b', function() return 1 end\n"
	clashFile := filepath.Join(dir, "clash.lua")
	brokenFile := filepath.Join(dir, "broken.lua")
	os.WriteFile(clashFile, []byte(clash), 0o644)
	os.WriteFile(brokenFile, []byte(broken), 0o644)
	before := s.dump(t)

	oracle := s.do(t, "FUNCTION", "LOAD", clash)
	if !oracle.IsError() {
		t.Fatal("the server loaded the clashing library")
	}
	r := want(t, 1, "push", clashFile, "--to", s.url(), "--json")
	p := parsePush(t, r.stdout)
	if p.Phase != "plan" || p.Nodes[0].Error != oracle.Str {
		t.Errorf("plan: phase %s, node error %q, server says %q", p.Phase, p.Nodes[0].Error, oracle.Str)
	}
	// Without the check, FUNCTION RESTORE finds it itself.
	r = want(t, 1, "push", clashFile, "--to", s.url(), "--json", "--no-function-check")
	p = parsePush(t, r.stdout)
	if p.Phase != "restore" || p.Nodes[0].Error != "FUNCTION RESTORE: "+oracle.Str {
		t.Errorf("restore: phase %s, node error %q", p.Phase, p.Nodes[0].Error)
	}

	oracle = s.do(t, "FUNCTION", "LOAD", broken)
	if !oracle.IsError() {
		t.Fatal("the server loaded the broken library")
	}
	r = want(t, 1, "push", brokenFile, "--to", s.url())
	// The Lua parser's own message is the runtime's business (gopher-lua
	// words it differently from Lua 5.1); the error up to it is Redis's.
	prefix, _, _ := strings.Cut(oracle.Str, "user_function:")
	if !hasErrorLine(r.stderr, "library broken (from "+brokenFile+") does not load: "+strings.TrimPrefix(prefix, "ERR ")+"user_function:3:") {
		t.Errorf("stderr %q, server says %q", r.stderr, oracle.Str)
	}
	if !strings.Contains(r.stderr, oracle.Str) {
		t.Logf("runtime and server word the Lua error differently:\n  fnkit:  %s  server: %s", r.stderr, oracle.Str)
	}
	if s.dump(t) != before {
		t.Fatal("a refused push changed the server")
	}
}
