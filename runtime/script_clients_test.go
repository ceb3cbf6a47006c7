package runtime_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/fnkit/fnkit/fixtures"
)

// Clients' script helpers work against the runtime as against a real
// server: go-redis's Script (EVALSHA, falling back to EVAL on NOSCRIPT),
// EvalRO, ScriptLoad/Exists/Flush, and redis-cli --eval.
func TestScriptClients(t *testing.T) {
	srv, real := startPair(t)
	ctx := context.Background()
	src := "redis.call('INCRBY', KEYS[1], ARGV[1]) return {KEYS[1], tonumber(redis.call('GET', KEYS[1]))}"
	results := map[string][]string{}
	for _, target := range []struct{ name, addr string }{{"fnkit", srv.Addr()}, {"redis", real.Addr}} {
		rdb := redis.NewClient(&redis.Options{Addr: target.addr})
		defer rdb.Close()
		var out []string
		add := func(v any, err error) { out = append(out, fmt.Sprintf("%v %v", v, err)) }
		add(rdb.ScriptFlush(ctx).Result())
		script := redis.NewScript(src)
		add(script.Run(ctx, rdb, []string{"n"}, 5).Result()) // NOSCRIPT, then EVAL
		add(script.Run(ctx, rdb, []string{"n"}, 2).Result()) // EVALSHA
		add(rdb.ScriptExists(ctx, script.Hash(), "0000000000000000000000000000000000000000").Result())
		add(rdb.EvalRO(ctx, "return redis.call('GET', KEYS[1])", []string{"n"}).Result())
		add(rdb.EvalRO(ctx, "return redis.call('DEL', KEYS[1])", []string{"n"}).Result())
		add(rdb.ScriptLoad(ctx, "#!lua flags=no-writes\nreturn ARGV[1]").Result())
		add(rdb.EvalShaRO(ctx, shaOf("#!lua flags=no-writes\nreturn ARGV[1]"), nil, "x").Result())
		ro := redis.NewScript("#!lua flags=no-writes\nreturn ARGV[1]")
		add(ro.RunRO(ctx, rdb, nil, "read-only").Result())
		add(rdb.Eval(ctx, "return redis.call('NOSUCH')", nil).Result())
		results[target.name] = out
	}
	if a, b := strings.Join(results["fnkit"], "\n"), strings.Join(results["redis"], "\n"); a != b {
		t.Errorf("go-redis results differ\nredis:\n%s\nfnkit:\n%s", b, a)
	}

	cli := fixtures.RequireTool(t, "redis-cli")
	file := filepath.Join(t.TempDir(), "bump.lua")
	if err := os.WriteFile(file, []byte("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, r := range []*fixtures.Redis{nil, real} {
		port := strings.TrimPrefix(srv.Addr()[strings.LastIndex(srv.Addr(), ":"):], ":")
		if r != nil {
			port = fmt.Sprint(r.Port)
		}
		out, err := exec.Command(cli, "-p", port, "--eval", file, "cli:key", ",", "arg1").CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli --eval: %v\n%s", err, out)
		}
		outs = append(outs, string(out))
	}
	if outs[0] != outs[1] {
		t.Errorf("redis-cli --eval\n  redis: %q\n  fnkit: %q", outs[1], outs[0])
	}
}
