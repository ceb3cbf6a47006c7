package cmdtable_test

import (
	"fmt"

	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// What a script may run, and where the keys are, as a real server says.
func Example() {
	set := cmdtable.Lookup("SET")
	fmt.Println(set.Arity, set.Has(cmdtable.Write), set.Has(cmdtable.DenyOOM))
	fmt.Println(cmdtable.LookupArgv([]string{"config", "get", "x"}).Has(cmdtable.NoScript))
	fmt.Println(cmdtable.Lookup("publish").Has(cmdtable.MayReplicate))
	fmt.Println(cmdtable.Lookup("fcall").KeyPositions([]string{"fcall", "f", "2", "k1", "k2", "arg"}))
	// Output:
	// -3 true true
	// true
	// true
	// [3 4]
}
