// Command gen asks a real redis-server for its command table and writes what
// package cmdtable embeds:
//
//   - command_info.resp: the exact RESP3 reply of COMMAND INFO (every command
//     with arity, flags, key positions, ACL categories, tips, key specs and
//     subcommands);
//   - command_docs.resp: the exact RESP3 reply of COMMAND DOCS;
//   - may_replicate.txt: the commands Redis flags may-replicate. COMMAND
//     hides that flag on purpose, so gen finds them by asking: it calls every
//     command that is neither write nor noscript from a no-writes function and
//     lists those the server refuses with "Write commands are not allowed
//     from read-only scripts.";
//   - server_version.txt: the redis_version of the server asked;
//   - acl_categories.txt: the ACL categories in the order ACL CAT lists
//     them (ACL SETUSER describes rules and ACL CAT answers in that order).
//
// By default it starts a throw-away redis-server (from PATH or /usr/bin) on a
// free loopback port; -addr uses a running server instead.
//
//	go run ./runtime/cmdtable/internal/gen -out runtime/cmdtable
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fnkit/fnkit/resp"
)

func main() {
	addr := flag.String("addr", "", "address of a running redis-server (default: start one)")
	out := flag.String("out", ".", "output directory")
	bin := flag.String("server", "redis-server", "redis-server binary to start when -addr is empty")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("cmdtable gen: ")

	if *addr == "" {
		a, stop, err := startServer(*bin)
		if err != nil {
			log.Fatal(err)
		}
		defer stop()
		*addr = a
	}
	if err := run(*addr, *out); err != nil {
		log.Fatal(err)
	}
}

func run(addr, out string) error {
	c, err := resp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if v, err := c.Do("HELLO", "3"); err != nil || v.IsError() {
		return fmt.Errorf("HELLO 3: %v %v", v, err)
	}
	info, err := c.DoRaw("COMMAND", "INFO")
	if err != nil {
		return fmt.Errorf("COMMAND INFO: %w", err)
	}
	docs, err := c.DoRaw("COMMAND", "DOCS")
	if err != nil {
		return fmt.Errorf("COMMAND DOCS: %w", err)
	}
	ver, err := c.Do("INFO", "server")
	if err != nil {
		return err
	}
	version := ""
	for _, line := range strings.Split(ver.Str, "\r\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			version = v
		}
	}
	mr, err := mayReplicate(c, info)
	if err != nil {
		return err
	}
	cats, err := c.Do("ACL", "CAT")
	if err != nil || cats.Kind != resp.Array || len(cats.Elems) == 0 {
		return fmt.Errorf("ACL CAT: %v %v", cats, err)
	}
	var catNames []string
	for _, e := range cats.Elems {
		catNames = append(catNames, e.Str)
	}
	files := map[string][]byte{
		"command_info.resp":  info,
		"command_docs.resp":  docs,
		"may_replicate.txt":  []byte(strings.Join(mr, "\n") + "\n"),
		"server_version.txt": []byte(version + "\n"),
		"acl_categories.txt": []byte(strings.Join(catNames, "\n") + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	log.Printf("redis %s: %d bytes of COMMAND INFO, %d bytes of COMMAND DOCS, %d may-replicate commands, %d ACL categories", version, len(info), len(docs), len(mr), len(catNames))
	return nil
}

// mayReplicate probes every command (and subcommand) that is neither write
// nor noscript from inside a no-writes function.
func mayReplicate(c *resp.Conn, raw []byte) ([]string, error) {
	v, err := resp.NewReader(strings.NewReader(string(raw))).ReadValue()
	if err != nil {
		return nil, err
	}
	lib := "#!lua name=cmdtable_probe\n" +
		"redis.register_function{function_name='probe', flags={'no-writes'}, callback=function(keys, args)\n" +
		"  local r = redis.pcall(unpack(args))\n" +
		"  if type(r) == 'table' and r.err then return r.err end\n" +
		"  return 'ok'\n" +
		"end}\n"
	if r, err := c.Do("FUNCTION", "LOAD", "REPLACE", lib); err != nil || r.IsError() {
		return nil, fmt.Errorf("FUNCTION LOAD probe: %v %v", r, err)
	}
	var out []string
	var probe func(e resp.Value, parent string) error
	probe = func(e resp.Value, parent string) error {
		if e.Kind != resp.Array || len(e.Elems) < 10 {
			return fmt.Errorf("unexpected COMMAND INFO entry %v", e)
		}
		name := e.Elems[0].Str
		arity := int(e.Elems[1].Int)
		flags := map[string]bool{}
		for _, f := range e.Elems[2].Elems {
			flags[f.Str] = true
		}
		if len(e.Elems[9].Elems) > 0 {
			for _, sub := range e.Elems[9].Elems {
				if err := probe(sub, name); err != nil {
					return err
				}
			}
		}
		if flags["write"] || flags["noscript"] {
			return nil
		}
		n := arity
		if n < 0 {
			n = -n
		}
		argv := []string{"FCALL", "probe", "0"}
		if parent != "" {
			_, sub, _ := strings.Cut(name, "|")
			argv = append(argv, parent, sub)
		} else {
			argv = append(argv, name)
		}
		for len(argv)-3 < n {
			argv = append(argv, "x")
		}
		r, err := c.Do(argv...)
		if err != nil {
			return err
		}
		if r.Kind == resp.BulkString && strings.Contains(r.Str, "Write commands are not allowed from read-only scripts") {
			out = append(out, name)
		}
		return nil
	}
	for _, e := range v.Elems {
		if err := probe(e, ""); err != nil {
			return nil, err
		}
	}
	if r, err := c.Do("FUNCTION", "DELETE", "cmdtable_probe"); err != nil || r.IsError() {
		return nil, fmt.Errorf("FUNCTION DELETE probe: %v %v", r, err)
	}
	sort.Strings(out)
	return out, nil
}

func startServer(bin string) (string, func(), error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		path = "/usr/bin/redis-server"
	}
	dir, err := os.MkdirTemp("", "cmdtable-gen-")
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--daemonize", "no", "--logfile", filepath.Join(dir, "server.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_, _ = cmd.Process.Wait()
		os.RemoveAll(dir)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 200; i++ {
		if c, err := resp.Dial(addr); err == nil {
			v, err := c.Do("PING")
			c.Close()
			if err == nil && !v.IsError() {
				return addr, stop, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("redis-server on %s did not start", addr)
}
