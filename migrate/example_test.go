package migrate_test

import (
	"fmt"

	"github.com/fnkit/fnkit/migrate"
)

func ExampleMigrate() {
	release := `-- release a lock we own
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
`
	owner := `#!lua flags=no-writes
return redis.call("get", KEYS[1])
`
	res, err := migrate.Migrate("locks", []migrate.Script{
		{Path: "scripts/lock_release.lua", Source: release},
		{Path: "scripts/lock_owner.lua", Source: owner},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(res.Code)
	for _, f := range res.Functions {
		fmt.Printf("%s: flags %v (%s), script line N is library line N+%d\n", f.Name, f.Flags, f.FlagsFrom, f.LineOffset)
	}
	// Output:
	// #!lua name=locks
	// redis.register_function('lock_release', function(keys, args) -- release a lock we own
	// if redis.call("get", keys[1]) == args[1] then
	//     return redis.call("del", keys[1])
	// end
	// return 0
	// end) -- lock_release.lua
	//
	// redis.register_function{function_name='lock_owner', flags={'no-writes'}, callback=function(keys, args) return redis.call("get", keys[1])
	// end} -- lock_owner.lua
	// lock_release: flags [] (none), script line N is library line N+1
	// lock_owner: flags [no-writes] (shebang), script line N is library line N+7
}

func ExampleAnalyze() {
	src := `local n = redis.call('INCR', KEYS[1])
last = n
redis.replicate_commands()
return redis.call(ARGV[1], KEYS[1])
`
	a := migrate.Analyze("counter.lua", src)
	for _, f := range a.Findings {
		fmt.Println(f)
	}
	fmt.Println("read-only:", a.ReadOnly)
	// Output:
	// counter.lua:2:1: error: assignment to global variable 'last': functions cannot create or change globals ("Attempt to modify a readonly table"); declare it local [global-write]
	// counter.lua:3:1: warning: redis.replicate_commands has done nothing since Redis 7.0 (effects are always replicated) and does not exist in functions: commented out [eval-only-api]
	// read-only: false
}
