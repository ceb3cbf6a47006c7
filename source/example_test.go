package source_test

import (
	"fmt"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/source"
)

// Open detects the format by content.
func ExampleOpen() {
	src, err := source.Open(fixtures.Path("redis-7.2.6", "dump-jobqueue.bin"), source.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(src.Kind, src.Dump.Version, src.Dump.Form)
	for _, l := range src.Libraries.Libraries() {
		fmt.Println(l.Name, l.Size(), l.SHA1())
	}
	// Output:
	// dump 11 raw
	// jobqueue 1752 e5ebcd2632903f124e441d2222b1c95594414f1b
}

// Merge combines sources in order; under PolicyReplace the later one wins.
func ExampleMerge() {
	set, _, err := source.Merge(library.PolicyReplace, source.Options{},
		fixtures.Path("redis-7.0.15", "dump-one.bin"), // ratelimit v1
		fixtures.LibPath("ratelimit_v2.lua"),
		fixtures.LibPath("wire.lua"),
	)
	if err != nil {
		panic(err)
	}
	for _, l := range set.Libraries() {
		fmt.Println(l.Name, l.SHA1()[:12], l.Origin.Format)
	}
	// Output:
	// ratelimit 2de235ce7f69 lua
	// wire 3c96557805fe lua
}
