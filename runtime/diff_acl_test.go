package runtime_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// Differential tests of ACL users (ACL SETUSER/GETUSER/LIST/…, AUTH,
// HELLO AUTH, requirepass), NOPERM for commands run by clients and by
// EXEC, and the ACL checks of redis.call/pcall and redis.acl_check_cmd
// inside functions. Each case drives two connections per server: an
// admin connection (the default user) and a user connection that
// authenticates as a restricted user.

// aclMode says how a step's replies are compared.
type aclMode int

const (
	aclExact     aclMode = iota
	aclUnordered         // aggregates as multisets (Redis's dict order)
	aclTokens            // every bulk string as a multiset of words (single-command rules come in dict order)
	aclNoAge             // ACL LOG: without age-seconds and client-info
	aclClosed            // the server closes the connection
	aclIgnore            // only that both succeed (HELLO's client id differs)
)

type aclStep struct {
	user bool // on the user connection
	argv []string
	mode aclMode
}

func adm(args ...string) aclStep { return aclStep{argv: args} }
func usr(args ...string) aclStep { return aclStep{user: true, argv: args} }
func (s aclStep) as(m aclMode) aclStep {
	s.mode = m
	return s
}

type aclCase struct {
	name  string
	steps []aclStep
	// restoreDefault puts the default user back (the case changes it).
	restoreDefault bool
}

func runACLCases(t *testing.T, cases []aclCase) {
	srv, real := startPair(t)
	runACLCasesOn(t, srv, real, cases)
}

func runACLCasesOn(t *testing.T, srv *runtime.Server, real *fixtures.Redis, cases []aclCase) {
	for _, resp3 := range []bool{false, true} {
		for _, tc := range cases {
			name := "resp2 " + tc.name
			if resp3 {
				name = "resp3 " + tc.name
			}
			t.Run(name, func(t *testing.T) {
				var admins, users [2]*rawConn
				for i, addr := range []string{srv.Addr(), real.Addr} {
					admins[i], users[i] = dial(t, addr), dial(t, addr)
					aclReset(t, admins[i])
					if resp3 {
						for _, c := range []*rawConn{admins[i], users[i]} {
							if v, err := c.Do("HELLO", "3"); err != nil || v.IsError() {
								t.Fatalf("HELLO 3: %v %v", v, err)
							}
						}
					}
				}
				if tc.restoreDefault {
					t.Cleanup(func() {
						for i, addr := range []string{srv.Addr(), real.Addr} {
							c := dial(t, addr)
							if admins[i] != nil {
								c = admins[i]
							}
							for _, a := range [][]string{{"CONFIG", "SET", "requirepass", ""}, {"ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all"}} {
								c.Do(a...)
							}
						}
					})
				}
				var diffs []string
				for i, st := range tc.steps {
					var got [2][]byte
					var errs [2]error
					for k := range got {
						c := admins[k]
						if st.user {
							c = users[k]
						}
						got[k], errs[k] = c.DoRaw(st.argv...)
					}
					if st.mode == aclIgnore {
						if errs[0] != nil || errs[1] != nil || bytes.HasPrefix(got[0], []byte("-")) != bytes.HasPrefix(got[1], []byte("-")) {
							diffs = append(diffs, fmt.Sprintf("step %d %s: redis %q %v, fnkit %q %v", i, show(st.argv), got[1], errs[1], got[0], errs[0]))
						}
						continue
					}
					if st.mode == aclClosed {
						if errs[0] == nil || errs[1] == nil {
							diffs = append(diffs, fmt.Sprintf("step %d %s: want a closed connection: redis %q %v, fnkit %q %v", i, show(st.argv), got[1], errs[1], got[0], errs[0]))
						}
						continue
					}
					if errs[0] != nil || errs[1] != nil {
						t.Fatalf("step %d %s: fnkit %v, redis %v", i, show(st.argv), errs[0], errs[1])
					}
					if !aclSame(t, got[0], got[1], st.mode) {
						diffs = append(diffs, fmt.Sprintf("step %d %s\n  redis: %q\n  fnkit: %q", i, show(st.argv), got[1], got[0]))
					}
				}
				if len(diffs) > 0 {
					t.Error(strings.Join(diffs, "\n"))
				}
			})
		}
	}
}

// aclReset deletes every user but default and empties the ACL log, with
// the rest of reset.
func aclReset(t *testing.T, c *rawConn) {
	t.Helper()
	reset(t, c)
	v, err := c.Do("ACL", "USERS")
	if err != nil || v.IsError() {
		t.Fatalf("ACL USERS: %v %v", v, err)
	}
	for _, u := range v.Elems {
		if u.Str != "default" {
			c.Do("ACL", "DELUSER", u.Str)
		}
	}
	c.Do("ACL", "LOG", "RESET")
}

func aclSame(t *testing.T, ours, theirs []byte, mode aclMode) bool {
	if bytes.Equal(ours, theirs) {
		return true
	}
	parse := func(b []byte) resp.Value {
		v, err := resp.NewReader(bytes.NewReader(b)).ReadValue()
		if err != nil {
			t.Fatalf("reply does not parse: %v", err)
		}
		return v
	}
	switch mode {
	case aclUnordered:
		return canonical(t, ours) == canonical(t, theirs)
	case aclTokens:
		return canon(sortWords(parse(ours))) == canon(sortWords(parse(theirs)))
	case aclNoAge:
		return canon(dropLogVolatile(parse(ours))) == canon(dropLogVolatile(parse(theirs)))
	}
	return false
}

func sortWords(v resp.Value) resp.Value {
	if v.Kind == resp.BulkString {
		w := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(v.Str))
		sort.Strings(w)
		v.Str = strings.Join(w, " ")
	}
	for i := range v.Elems {
		v.Elems[i] = sortWords(v.Elems[i])
	}
	return v
}

// dropLogVolatile removes age-seconds and client-info from ACL LOG
// entries (time and connection details differ between the servers).
func dropLogVolatile(v resp.Value) resp.Value {
	for i, e := range v.Elems {
		var keep []resp.Value
		for j := 0; j+1 < len(e.Elems); j += 2 {
			if k := e.Elems[j].Str; k == "age-seconds" || k == "client-info" {
				continue
			}
			keep = append(keep, e.Elems[j], e.Elems[j+1])
		}
		v.Elems[i].Elems = keep
	}
	return v
}

func TestDiffACLCommands(t *testing.T) {
	setuser := func(name string, rules ...string) aclStep {
		return adm(append([]string{"ACL", "SETUSER", name}, rules...)...)
	}
	get := func(name string) aclStep { return adm("ACL", "GETUSER", name) }
	list := adm("ACL", "LIST").as(aclTokens) // single-command rules come in dict order
	runACLCases(t, []aclCase{
		{name: "introspection", steps: []aclStep{
			adm("ACL", "WHOAMI"), adm("ACL", "USERS"), list, get("default"), get("nosuch"),
			adm("ACL", "CAT"), adm("ACL", "CAT", "nosuch"), adm("ACL", "CAT", "a", "b"), adm("ACL", "HELP"),
			adm("ACL", "LOAD"), adm("ACL", "SAVE"), adm("ACL", "GENPASS", "0"), adm("ACL", "GENPASS", "x"),
			adm("ACL", "GENPASS", "5000"), adm("ACL", "GENPASS", "1", "2"), adm("ACL", "NOSUCH"), adm("ACL"),
			adm("ACL", "GETUSER"), adm("ACL", "LIST", "x"), adm("ACL", "LOG", "x"), adm("ACL", "LOG", "1", "2"),
			adm("ACL", "CAT", "scripting").as(aclUnordered), adm("ACL", "CAT", "KEYSPACE").as(aclUnordered),
			adm("ACL", "CAT", "dangerous").as(aclUnordered), adm("ACL", "CAT", "connection").as(aclUnordered),
		}},
		{name: "new users", steps: []aclStep{
			setuser("alice"), get("alice"), list, adm("ACL", "USERS"),
			setuser("bob", "on", ">p1", ">p2", "<p1", "~k*", "%R~r*", "%W~w*", "%RW~rw*", "&ch", "&ch2", "-@all", "+@string", "-incr"), get("bob"), list,
			setuser("bob", "resetkeys", "resetchannels", "nopass", "+@all", "-@dangerous"), get("bob"), list,
			setuser("carol", "on", "nopass", "allkeys", "allchannels", "allcommands"), get("carol"),
			setuser("carol", "nocommands", "+get"), get("carol"), setuser("carol", "+@read", "-@write"), get("carol"),
			setuser("dave", "+select|0", "+select|1", "~*", "&*"), get("dave"), list,
			setuser("dave", "reset"), get("dave"), list,
			setuser("erin", "+@all", "-@keyspace", "+del"), get("erin").as(aclTokens),
			setuser("erin", "+config|get"), get("erin").as(aclTokens), setuser("erin", "-config"), get("erin").as(aclTokens),
			setuser("erin", "-config|set", "-config|get"), get("erin").as(aclTokens), setuser("erin", "+@all", "-config|set"), get("erin"),
			setuser("fred", "#"+strings.Repeat("ab", 32), "!"+strings.Repeat("ab", 32)), get("fred"),
			setuser("gina", "on", ">x", "skip-sanitize-payload"), get("gina"), setuser("gina", "sanitize-payload"), get("gina"),
			setuser("hank", "off", "on", "off"), get("hank"), setuser("ivy", "~a", "~a", "%R~a", "&c", "&c"), get("ivy"), list,
			setuser("ivy", "%W~a"), get("ivy"), setuser("ivy", "%r~b", "%w~c"), get("ivy"),
			setuser("jack", "(~x +hget)", "(%R~y* &z +@read -@hash)"), get("jack").as(aclTokens), list,
			setuser("jack", "(~x", "+hget", ")"), get("jack").as(aclTokens), setuser("jack", "clearselectors"), get("jack"),
			setuser("kate", "+@all", "-@all", "+@list", "+@hash", "+@set"), get("kate"), list,
			setuser("kate", "+@all", "-@admin", "-@dangerous", "-@slow"), get("kate").as(aclTokens),
			setuser("Mixed.Case_user"), adm("ACL", "USERS"), list,
			setuser("lee", "ON", "NOPASS", "ALLKEYS", "AllChannels", "+@ALL", "-GET"), get("lee"),
			setuser("lee", ""), get("lee"),
			adm("ACL", "DELUSER", "alice", "nosuch", "bob"), adm("ACL", "USERS"), adm("ACL", "DELUSER", "default"),
			adm("ACL", "DELUSER", "carol", "default"), adm("ACL", "USERS"),
		}},
		{name: "rules described", steps: []aclStep{
			setuser("m", "-@all", "+get", "+set", "+hget", "+config|get", "+client|id", "+debug|x", "+debug|y"), get("m").as(aclTokens), list,
			setuser("n", "+@all", "-get", "-set", "-config|set", "-client"), get("n").as(aclTokens), list,
			setuser("o", "+@read", "+@write", "-@string", "+incr", "+@admin", "-acl"), get("o").as(aclTokens),
			setuser("p", "+client", "-client|kill", "+config|get", "+config|set"), get("p").as(aclTokens),
		}},
		{name: "setuser errors", steps: []aclStep{
			setuser("e", "bogus"), setuser("e", "+nosuch"), setuser("e", "-nosuch"), setuser("e", "+@nosuch"), setuser("e", "-@nosuch"),
			setuser("e", "+"), setuser("e", "-"), setuser("e", "+@"), setuser("e", "+get|"), setuser("e", "+config|get|x"),
			setuser("e", "-get|x"), setuser("e", "+|x"), setuser("e", "+config|nosuch"), setuser("e", "~*", "~a"), setuser("e", "allkeys", "%R~a"),
			setuser("e", "&*", "&a"), setuser("e", "#abc"), setuser("e", "#"+strings.Repeat("AB", 32)), setuser("e", "!abc"),
			setuser("e", "<nope"), setuser("e", "!"+strings.Repeat("0", 64)), setuser("e", "(~a", "+get"), setuser("e", "(~a +get", "on"),
			setuser("e", "(on)"), setuser("e", "(~a \"\")"), setuser("e", "(~a \"b)"), setuser("a b"), setuser("a\x00b"), setuser("e", "%"), setuser("e", "%R"),
			setuser("e", "%~a"), setuser("e", "%x~a"), setuser("e", "%RR~a"), setuser("e", "~a b"), setuser("e", "&a\tb"),
			setuser("e", "on", ">pw", "~k", "bogus"), adm("ACL", "USERS"), get("e"), setuser("e", "%R"), get("e"),
			setuser("e", "+select|0", "-select"), get("e"), setuser("e", "+acl|cat|x"), setuser("e", "(", ")"), get("e"),
			setuser("e", "clearselectors", "()"), get("e"), setuser("e", "((~x))"),
		}},
		{name: "dryrun", steps: []aclStep{
			setuser("d", "on", "nopass", "-@all", "+get", "+set", "+config|get", "+publish", "+select|0", "~k*", "%R~r*", "&ch*", "(~x +hget)"),
			adm("ACL", "DRYRUN", "d", "get", "k1"), adm("ACL", "DRYRUN", "d", "get", "x"), adm("ACL", "DRYRUN", "d", "set", "r1", "v"),
			adm("ACL", "DRYRUN", "d", "get", "r1"), adm("ACL", "DRYRUN", "d", "incr", "k1"), adm("ACL", "DRYRUN", "d", "config", "get", "x"),
			adm("ACL", "DRYRUN", "d", "config", "set", "x", "y"), adm("ACL", "DRYRUN", "d", "config"), adm("ACL", "DRYRUN", "d", "config", "nosuch"),
			adm("ACL", "DRYRUN", "d", "publish", "ch1", "m"), adm("ACL", "DRYRUN", "d", "publish", "other", "m"), adm("ACL", "DRYRUN", "d", "select", "0"),
			adm("ACL", "DRYRUN", "d", "select", "1"), adm("ACL", "DRYRUN", "d", "hget", "x", "f"), adm("ACL", "DRYRUN", "d", "hget", "k1", "f"),
			adm("ACL", "DRYRUN", "d", "get"), adm("ACL", "DRYRUN", "d", "nosuch"), adm("ACL", "DRYRUN", "nosuch", "get", "k"),
			adm("ACL", "DRYRUN", "d"), adm("ACL", "DRYRUN", "default", "flushall"), adm("ACL", "DRYRUN", "d", "auth", "a", "b"),
			adm("ACL", "DRYRUN", "d", "mset", "k1", "v", "x", "v"), adm("ACL", "DRYRUN", "d", "set", "k1", "v", "GET"),
		}},
	})
}

func TestDiffACLAuth(t *testing.T) {
	runACLCases(t, []aclCase{
		{name: "auth", steps: []aclStep{
			adm("ACL", "SETUSER", "alice", "on", ">pw", ">pw2", "~*", "&*", "+@all"),
			usr("AUTH", "alice", "wrong"), usr("ACL", "WHOAMI"), usr("AUTH", "alice", "pw"), usr("ACL", "WHOAMI"),
			usr("AUTH", "nosuch", "x"), usr("ACL", "WHOAMI"), usr("AUTH", "alice", "pw2"), usr("AUTH", "x"),
			usr("AUTH", "default", "anything"), usr("ACL", "WHOAMI"),
			adm("ACL", "SETUSER", "alice", "off"), usr("AUTH", "alice", "pw"), adm("ACL", "SETUSER", "alice", "on", "nopass"),
			usr("AUTH", "alice", "whatever"), usr("ACL", "WHOAMI"), usr("RESET"), usr("ACL", "WHOAMI"),
			adm("ACL", "SETUSER", "alice", "resetpass", ">pw"), usr("HELLO", "3", "AUTH", "alice", "bad"), usr("HELLO", "3", "AUTH", "nosuch", "bad"),
			usr("ACL", "WHOAMI"), usr("HELLO", "2", "AUTH", "alice", "pw").as(aclIgnore), usr("ACL", "WHOAMI"), usr("HELLO", "AUTH", "default", "x").as(aclIgnore),
			usr("ACL", "WHOAMI"), usr("CLIENT", "INFO").as(aclIgnore),
			adm("ACL", "LOG").as(aclNoAge), adm("ACL", "LOG", "1").as(aclNoAge), adm("ACL", "LOG", "-1"), adm("ACL", "LOG", "RESET"), adm("ACL", "LOG"),
		}},
		{name: "requirepass", restoreDefault: true, steps: []aclStep{
			adm("CONFIG", "SET", "requirepass", "secret"), adm("PING"), usr("PING"), usr("GET", "k"), usr("AUTH", "wrong"),
			usr("AUTH", "secret"), usr("PING"), adm("ACL", "GETUSER", "default"), adm("ACL", "LIST"),
			adm("CONFIG", "SET", "requirepass", ""), adm("ACL", "LIST"), usr("AUTH", "x"),
		}},
		{name: "default user off", restoreDefault: true, steps: []aclStep{
			adm("ACL", "SETUSER", "default", ">pw"), usr("PING"), usr("AUTH", "pw"), usr("PING"),
			adm("ACL", "SETUSER", "default", "nopass"), adm("ACL", "GETUSER", "default"),
		}},
		{name: "deluser", steps: []aclStep{
			adm("ACL", "SETUSER", "bob", "on", "nopass", "~*", "&*", "+@all"), usr("AUTH", "bob", "x"), usr("ACL", "WHOAMI"),
			adm("ACL", "DELUSER", "bob"), usr("PING").as(aclClosed),
			adm("ACL", "SETUSER", "carl", "on", "nopass", "~*", "&*", "+@all"), adm("AUTH", "carl", "x"), adm("ACL", "DELUSER", "carl"),
			adm("PING").as(aclClosed),
		}},
	})
}

func TestDiffACLNoPerm(t *testing.T) {
	u := func(rules ...string) aclStep {
		return adm(append([]string{"ACL", "SETUSER", "u", "on", ">pw"}, rules...)...)
	}
	login := usr("AUTH", "u", "pw")
	fns := lib("aclf", `
redis.register_function('set', function(keys, args) return redis.call('set', keys[1], args[1]) end)
redis.register_function{function_name='get', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}
redis.register_function('pset', function(keys, args) return redis.pcall('set', keys[1], args[1]) end)
redis.register_function('cmd', function(keys, args) return redis.pcall(unpack(args)) end)
redis.register_function('raw', function(keys, args) return redis.call(unpack(args)) end)
redis.register_function('check', function(keys, args) return redis.acl_check_cmd(unpack(args)) end)
redis.register_function('checkp', function(keys, args)
  local ok, err = pcall(redis.acl_check_cmd, unpack(args))
  if ok then return tostring(err) end
  return err
end)
redis.register_function('checks', function(keys, args)
  return {redis.acl_check_cmd('get', 'k1'), redis.acl_check_cmd('get', 'x'), redis.acl_check_cmd('set', 'k1', 'v'), redis.acl_check_cmd('ping'), redis.acl_check_cmd('config', 'get', 'x'), redis.acl_check_cmd('config')}
end)
redis.register_function('checknone', function(keys, args) return redis.acl_check_cmd() end)
redis.register_function('checkbad', function(keys, args) return redis.acl_check_cmd({}) end)
`)
	runACLCases(t, []aclCase{
		{name: "commands keys channels", steps: []aclStep{
			u("-@all", "+get", "+set", "+config|get", "+publish", "+select|0", "+mset", "+auth", "~k*", "%R~r*", "%W~w*", "&ch*", "(~x +hget)"),
			login, usr("GET", "k1"), usr("GET", "x"), usr("SET", "k1", "v"), usr("INCR", "k1"), usr("CONFIG", "GET", "maxmemory"),
			usr("CONFIG", "SET", "maxmemory", "0"), usr("CONFIG", "RESETSTAT"), usr("CONFIG", "NOSUCH"), usr("NOSUCH"), usr("GET"),
			usr("GET", "r1"), usr("SET", "r1", "v"), usr("GET", "w1"), usr("SET", "w1", "v"), usr("SET", "w1", "v", "GET"),
			usr("SET", "k1", "v", "GET"), usr("MSET", "k1", "a", "x", "b"), usr("MSET", "x", "a", "k1", "b"),
			usr("PUBLISH", "ch1", "m"), usr("PUBLISH", "other", "m"), usr("SELECT", "0"), usr("SELECT", "1"),
			usr("HGET", "x", "f"), usr("HGET", "k1", "f"), usr("PING"), usr("ACL", "WHOAMI"),
			adm("ACL", "LOG").as(aclNoAge),
		}},
		{name: "multi exec", steps: []aclStep{
			u("-@all", "+multi", "+exec", "+discard", "+get", "+set", "~k*"), login,
			usr("MULTI"), usr("GET", "k1"), usr("INCR", "k1"), usr("GET", "x"), usr("EXEC"),
			usr("MULTI"), usr("SET", "k1", "1"), usr("GET", "k1"), adm("ACL", "SETUSER", "u", "-set", "resetkeys", "~k1"), usr("GET", "k2"), usr("EXEC"),
			adm("ACL", "SETUSER", "u", "+set", "+ping", "resetkeys"), usr("MULTI"), usr("PING"), usr("GET", "k1"), adm("ACL", "SETUSER", "u", "-ping"), usr("EXEC"),
			adm("ACL", "LOG").as(aclNoAge),
		}},
		{name: "function calls", steps: []aclStep{
			adm("FUNCTION", "LOAD", fns), u("-@all", "+fcall", "+fcall_ro", "+get", "~k*", "%R~r*", "&*"), login,
			usr("FCALL", "set", "1", "k1", "v"), usr("FCALL", "set", "1", "x", "v"), usr("FCALL_RO", "get", "1", "k1"), usr("FCALL_RO", "get", "1", "r1"),
			usr("FCALL", "pset", "1", "k1", "v"), usr("FCALL", "cmd", "0", "get", "x"), usr("FCALL", "cmd", "0", "get", "k1"),
			usr("FCALL", "raw", "0", "get", "zz"), usr("FCALL", "raw", "0", "set", "k1", "v"), usr("FCALL", "raw", "0", "publish", "c", "m"),
			usr("FCALL", "cmd", "0", "nosuch"), usr("FCALL", "cmd", "0", "acl", "whoami"),
			usr("FCALL", "checks", "0"), usr("FCALL", "check", "0", "get", "k9"), usr("FCALL", "check", "0", "nosuch"),
			usr("FCALL", "checkp", "0", "nosuch"), usr("FCALL", "checknone", "0"), usr("FCALL", "checkbad", "0"),
			usr("FCALL", "check", "0", "config", "nosuch"), usr("FCALL", "check", "0", "get"),
			adm("ACL", "SETUSER", "u", "+set", "+publish", "resetchannels", "&c*"), usr("FCALL", "raw", "0", "set", "k1", "v"),
			usr("FCALL", "raw", "0", "publish", "d", "m"), usr("FCALL", "cmd", "0", "publish", "c1", "m"), usr("FCALL", "set", "1", "r1", "v"),
			usr("FCALL", "checks", "0"), adm("FCALL", "checks", "0"), adm("FCALL", "raw", "0", "set", "x", "1"),
			adm("ACL", "LOG").as(aclNoAge),
		}},
		{name: "selectors in functions", steps: []aclStep{
			adm("FUNCTION", "LOAD", fns), u("-@all", "+fcall", "~k*", "(+get ~g*)", "(+set %W~s*)"), login,
			usr("FCALL", "cmd", "0", "get", "g1"), usr("FCALL", "cmd", "0", "get", "s1"), usr("FCALL", "cmd", "0", "set", "s1", "v"),
			usr("FCALL", "cmd", "0", "set", "g1", "v"), usr("FCALL", "cmd", "0", "hget", "k1", "f"),
			usr("FCALL", "check", "0", "set", "s1", "v"), usr("FCALL", "check", "0", "get", "s1"),
		}},
	})
}
