package migrate

import (
	"testing"

	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// TestCommandTableAgreesWithRuntime cross-checks the table probed from a
// real server (commands_gen.go) with the runtime's command table (COMMAND
// INFO plus the may-replicate list): a command a no-writes function may not
// call must be flagged write or may-replicate there, a noscript one
// noscript, and both tables must know the same commands.
func TestCommandTableAgreesWithRuntime(t *testing.T) {
	if v := cmdtable.ServerVersion(); v != commandsVersion {
		t.Skipf("tables from different servers: %s and %s", v, commandsVersion)
	}
	seen := 0
	for _, c := range cmdtable.All() {
		list := []*cmdtable.Command{c}
		if c.Subcommands != nil {
			if !containerCommands[c.Name] {
				t.Errorf("%s has subcommands in the runtime's table only", c.Name)
			}
			list = list[:0]
			for _, s := range c.Subcommands {
				list = append(list, s)
			}
		}
		for _, x := range list {
			seen++
			class, ok := commandClasses[x.Name]
			if !ok {
				t.Errorf("%s: missing from commands_gen.go", x.Name)
				continue
			}
			want := cmdRead
			switch {
			case x.Has(cmdtable.NoScript):
				want = cmdNoScript
			case x.Has(cmdtable.Write), x.Has(cmdtable.MayReplicate):
				want = cmdWrite
			}
			if class != want {
				t.Errorf("%s: probed class %d, runtime flags say %d", x.Name, class, want)
			}
		}
	}
	if seen != len(commandClasses) {
		t.Errorf("runtime table has %d commands, commands_gen.go %d", seen, len(commandClasses))
	}
}
