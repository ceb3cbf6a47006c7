package main

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fnkit/fnkit/fixtures"
)

// serveProc is a running "fnkit serve".
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	port string
	log  *syncBuilder
	done chan struct{} // closed when the process exited
	err  error         // its exit error, once done is closed
}

// startServe runs the fnkit binary's serve command on a free port and
// waits until it listens.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, log: &syncBuilder{}, done: make(chan struct{})}
	addrCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.log.WriteString(line + "\n")
			if a, ok := strings.CutPrefix(line, "fnkit serve: listening on "); ok {
				addrCh <- a
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
			<-p.done
		}
	})
	select {
	case p.addr = <-addrCh:
	case <-p.done:
		t.Fatalf("fnkit serve exited: %v\n%s", p.err, p.log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("fnkit serve did not start:\n%s", p.log.String())
	}
	p.port = p.addr[strings.LastIndex(p.addr, ":")+1:]
	return p
}

func redisCLI(t *testing.T, port string, args ...string) string {
	t.Helper()
	cli := fixtures.RequireTool(t, "redis-cli")
	out, err := exec.Command(cli, append([]string{"-p", port}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// fnkit serve with the fixture libraries, driven by redis-cli and by
// go-redis; FUNCTION DUMP payloads travel to a real server and back;
// SHUTDOWN stops it.
func TestServeWithClients(t *testing.T) {
	p := startServe(t, fixtures.LibPath("inventory.lua"), fixtures.LibPath("ratelimit.lua"))
	if got := redisCLI(t, p.port, "PING"); got != "PONG" {
		t.Fatalf("PING: %q", got)
	}
	list := redisCLI(t, p.port, "FUNCTION", "LIST")
	for _, name := range []string{"inventory", "ratelimit", "inv_stock", "rl_fixed_window"} {
		if !strings.Contains(list, name) {
			t.Errorf("FUNCTION LIST via redis-cli lacks %s:\n%s", name, list)
		}
	}
	if got := redisCLI(t, p.port, "FCALL", "rl_fixed_window", "1", "rl:test", "5", "60"); !strings.HasPrefix(got, "1\n1\n") {
		t.Errorf("FCALL rl_fixed_window via redis-cli: %q", got)
	}
	if got := redisCLI(t, p.port, "-3", "FCALL_RO", "rl_remaining", "1", "rl:test", "5"); got != "(integer) 4" && got != "4" {
		t.Errorf("FCALL_RO via redis-cli (RESP3): %q", got)
	}
	lib := "#!lua name=cli\nredis.register_function('cli_hello', function(keys, args) return 'hello ' .. args[1] end)"
	if got := redisCLI(t, p.port, "FUNCTION", "LOAD", lib); got != "cli" {
		t.Errorf("FUNCTION LOAD via redis-cli: %q", got)
	}

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: p.addr})
	defer rdb.Close()
	if v, err := rdb.FCall(ctx, "cli_hello", nil, "go-redis").Result(); err != nil || v != "hello go-redis" {
		t.Errorf("go-redis FCall: %v %v", v, err)
	}
	if v, err := rdb.FCallRO(ctx, "inv_stock", []string{"sku:1"}).Result(); err != nil {
		t.Errorf("go-redis FCallRO: %v %v", v, err)
	}
	libs, err := rdb.FunctionList(ctx, redis.FunctionListQuery{LibraryNamePattern: "inv*", WithCode: true}).Result()
	if err != nil || len(libs) != 1 || libs[0].Name != "inventory" || len(libs[0].Functions) != 6 || libs[0].Code == "" {
		t.Errorf("go-redis FunctionList: %+v %v", libs, err)
	}
	if _, err := rdb.FCall(ctx, "nope", nil).Result(); err == nil || err.Error() != "ERR Function not found" {
		t.Errorf("go-redis FCall of a missing function: %v", err)
	}

	// DUMP here, RESTORE on a real server, DUMP there, RESTORE here
	payload, err := rdb.FunctionDump(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	real := fixtures.StartRedis(t)
	rr := redis.NewClient(&redis.Options{Addr: real.Addr})
	defer rr.Close()
	if err := rr.FunctionRestore(ctx, payload).Err(); err != nil {
		t.Fatalf("real server refuses fnkit's FUNCTION DUMP: %v", err)
	}
	if v, err := rr.FCall(ctx, "cli_hello", nil, "real").Result(); err != nil || v != "hello real" {
		t.Errorf("restored on the real server: %v %v", v, err)
	}
	if err := rr.FunctionLoad(ctx, "#!lua name=fromreal\nredis.register_function('from_real', function() return 'r' end)").Err(); err != nil {
		t.Fatal(err)
	}
	back, err := rr.FunctionDump(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.FunctionRestore(ctx, back).Err(); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("APPEND of the real server's payload: %v (want a conflict)", err)
	}
	if err := rdb.Do(ctx, "FUNCTION", "RESTORE", back, "FLUSH").Err(); err != nil {
		t.Fatalf("fnkit refuses the real server's FUNCTION DUMP: %v", err)
	}
	if v, err := rdb.FCall(ctx, "from_real", nil).Result(); err != nil || v != "r" {
		t.Errorf("restored on fnkit: %v %v", v, err)
	}

	// SHUTDOWN stops the command with exit status 0
	redisCLI(t, p.port, "SHUTDOWN")
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("fnkit serve exited with %v after SHUTDOWN\n%s", p.err, p.log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fnkit serve still runs after SHUTDOWN")
	}
}

func TestServeRequirePassAndData(t *testing.T) {
	rdbPath := fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")
	p := startServe(t, "--requirepass", "s3cret", "--with-data", rdbPath)
	if got := redisCLI(t, p.port, "DBSIZE"); !strings.Contains(got, "NOAUTH") {
		t.Errorf("DBSIZE without AUTH: %q", got)
	}
	real, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: rdbPath})
	if err != nil {
		t.Fatal(err)
	}
	want := real.Do(t, "DBSIZE").Int
	got := redisCLI(t, p.port, "--no-auth-warning", "-a", "s3cret", "DBSIZE")
	if got != strconv.FormatInt(want, 10) {
		t.Errorf("DBSIZE of db 0: fnkit %s, real server %d", got, want)
	}
	if !strings.Contains(p.log.String(), "keys loaded") {
		t.Errorf("the log does not say what was loaded:\n%s", p.log.String())
	}
}

// syncBuilder is a strings.Builder safe for one writer and one reader.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) WriteString(x string) {
	s.mu.Lock()
	s.b.WriteString(x)
	s.mu.Unlock()
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeWithDataAOF: serve --with-data on a multi-part AOF directory
// holds the same keys in every database as a real redis-server loading it.
func TestServeWithDataAOF(t *testing.T) {
	dir := fixtures.Path("redis-7.0.15", "aof-multi-incr")
	p := startServe(t, "--with-data", dir)
	real, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{"0", "3"} {
		want := redisCLI(t, strconv.Itoa(real.Port), "-n", db, "DBSIZE")
		if want == "0" {
			t.Fatalf("the real server has no keys in db %s: nothing is tested", db)
		}
		if got := redisCLI(t, p.port, "-n", db, "DBSIZE"); got != want {
			t.Errorf("DBSIZE of db %s: fnkit %s, real server %s", db, got, want)
		}
	}
	if !strings.Contains(p.log.String(), "commands replayed") {
		t.Errorf("the log does not say what was loaded:\n%s", p.log.String())
	}
}

// TestServeNoSources: serve with no SOURCE is an empty server, as a fresh
// redis-server (what Redis's own test suite runs against, see
// bench/redis-tests.sh).
func TestServeNoSources(t *testing.T) {
	p := startServe(t, "--quiet")
	if got := redisCLI(t, p.port, "FUNCTION", "LIST"); got != "" {
		t.Errorf("FUNCTION LIST on an empty server: %q", got)
	}
	if got := redisCLI(t, p.port, "DBSIZE"); got != "0" {
		t.Errorf("DBSIZE: %q", got)
	}
	if got := redisCLI(t, p.port, "FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('f', function() return 7 end)"); got != "l" {
		t.Errorf("FUNCTION LOAD: %q", got)
	}
	if got := redisCLI(t, p.port, "FCALL", "f", "0"); got != "7" {
		t.Errorf("FCALL: %q", got)
	}
}
