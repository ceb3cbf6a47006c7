package runtime_test

import "testing"

// FUNCTION LIST, STATS, DELETE, FLUSH, DUMP and RESTORE.
func TestDiffAdmin(t *testing.T) {
	a := lib("liba", "redis.register_function('fa', function() return 'a' end)")
	b := lib("libb", "redis.register_function{function_name='fb', callback=function() return 'b' end, description='the b function', flags={'no-writes', 'allow-stale'}}")
	c := lib("Cee", "redis.register_function{function_name='fc', callback=function() return 'c' end, description=''}")
	loadAll := [][]string{cmd("FUNCTION", "LOAD", a), cmd("FUNCTION", "LOAD", b), cmd("FUNCTION", "LOAD", c)}
	var cases []dcase
	cases = append(cases, inBothProtocols(
		dcase{name: "list empty", cmds: [][]string{cmd("FUNCTION", "LIST")}},
		dcase{name: "list one", cmds: [][]string{cmd("FUNCTION", "LOAD", b), cmd("FUNCTION", "LIST"), cmd("FUNCTION", "LIST", "WITHCODE")}},
		dcase{name: "list all", setup: loadAll, unordered: true, cmds: [][]string{cmd("FUNCTION", "LIST"), cmd("FUNCTION", "LIST", "withcode")}},
		dcase{name: "list pattern", setup: loadAll, cmds: [][]string{
			cmd("FUNCTION", "LIST", "LIBRARYNAME", "liba"), cmd("FUNCTION", "LIST", "libraryname", "c*"),
			cmd("FUNCTION", "LIST", "LIBRARYNAME", "LIBB", "WITHCODE"), cmd("FUNCTION", "LIST", "LIBRARYNAME", "nomatch"), cmd("FUNCTION", "LIST", "LIBRARYNAME", "[a-c]ee"),
		}},
		dcase{name: "list pattern two", setup: loadAll, unordered: true, cmds: [][]string{cmd("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "lib?")}},
		dcase{name: "stats", setup: loadAll, cmds: [][]string{cmd("FUNCTION", "STATS")}},
	)...)
	cases = append(cases,
		dcase{name: "list errors", cmds: [][]string{
			cmd("FUNCTION", "LIST", "LIBRARYNAME"), cmd("FUNCTION", "LIST", "WITHCODE", "WITHCODE"),
			cmd("FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"), cmd("FUNCTION", "LIST", "foo"),
		}},
		dcase{name: "delete", setup: loadAll, unordered: true, cmds: [][]string{
			cmd("FUNCTION", "DELETE", "liba"), cmd("FUNCTION", "DELETE", "liba"), cmd("FUNCTION", "DELETE", "cee"),
			cmd("FCALL", "fa", "0"), cmd("FUNCTION", "LIST"), cmd("FUNCTION", "DELETE"), cmd("FUNCTION", "DELETE", "a", "b"),
		}},
		dcase{name: "flush", setup: loadAll, cmds: [][]string{
			cmd("FUNCTION", "FLUSH", "NOPE"), cmd("FUNCTION", "FLUSH", "SYNC", "x"), cmd("FUNCTION", "FLUSH", "async"),
			cmd("FUNCTION", "LIST"), cmd("FUNCTION", "LOAD", a), cmd("FUNCTION", "FLUSH", "sync"), cmd("FUNCTION", "FLUSH"), cmd("FUNCTION", "STATS"),
		}},
		dcase{name: "flushall keeps functions", setup: loadAll, cmds: [][]string{cmd("SET", "k", "v"), cmd("FLUSHALL"), cmd("FLUSHDB"), cmd("FCALL", "fa", "0"), cmd("DBSIZE")}},
		dcase{name: "dump empty", cmds: [][]string{cmd("FUNCTION", "DUMP")}},
		dcase{name: "dump one", cmds: [][]string{cmd("FUNCTION", "LOAD", a), cmd("FUNCTION", "DUMP")}},
		dcase{name: "dump long library", cmds: [][]string{cmd("FUNCTION", "LOAD", lib("big", "-- "+repeat("padding ", 200)+"\nredis.register_function('big', function() return 1 end)")), cmd("FUNCTION", "DUMP")}},
		dcase{name: "restore errors", cmds: [][]string{
			cmd("FUNCTION", "RESTORE", "short"), cmd("FUNCTION", "RESTORE", "0123456789abc"),
			cmd("FUNCTION", "RESTORE", "x", "NOPE"), cmd("FUNCTION", "RESTORE", "x", "FLUSH", "extra"),
			cmd("FUNCTION", "RESTORE"),
		}},
	)
	runCases(t, cases)
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
