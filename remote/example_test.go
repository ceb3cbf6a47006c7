package remote_test

import (
	"fmt"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/remote"
)

func ExampleParseURL() {
	u, err := remote.ParseURL("rediss://deployer:s3cr%40t@cache.internal:6380/2")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Addr(), u.TLS, u.Username, u.Password, u.DB)
	fmt.Println(u) // the password never shows
	_, err = remote.ParseURL("redis://cache.internal:637900")
	fmt.Println(err)
	// Output:
	// cache.internal:6380 true deployer s3cr@t 2
	// rediss://deployer:***@cache.internal:6380/2
	// invalid server URL "redis://cache.internal:637900": port "637900" is not a number from 1 to 65535
}

func ExamplePlanRestore() {
	lib := func(code string) *library.Library {
		l, _ := library.New(code, library.Origin{Offset: -1})
		return l
	}
	onServer := library.NewSet(lib("#!lua name=rl\nredis.register_function('hit', function() return 1 end)\n"))
	incoming := library.NewSet(
		lib("#!lua name=rl\nredis.register_function('hit', function() return 2 end)\n"),
		lib("#!lua name=lb\nredis.register_function('top', function() return 3 end)\n"),
	)
	_, _, err := remote.PlanRestore(onServer, incoming, library.RestoreAppend, nil, nil)
	fmt.Println(err)
	after, change, _ := remote.PlanRestore(onServer, incoming, library.RestoreReplace, nil, nil)
	fmt.Println(after, "added", change.Added, "replaced", change.Replaced)
	// Output:
	// ERR Library rl already exists
	// [lb rl] added [lb] replaced [rl]
}

func ExampleParseClusterNodes() {
	nodes, _ := remote.ParseClusterNodes(
		"e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-16383\n" +
			"07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n")
	topo := &remote.Topology{Nodes: nodes}
	for _, p := range topo.Primaries() {
		fmt.Println("primary", p.Addr(), p.Slots)
		for _, r := range topo.Replicas(p.ID) {
			fmt.Println("  replica", r.Addr())
		}
	}
	// Output:
	// primary 127.0.0.1:30001 [0-16383]
	//   replica 127.0.0.1:30004
}
