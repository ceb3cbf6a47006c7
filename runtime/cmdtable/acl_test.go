package cmdtable

import (
	"math/bits"
	"testing"
)

func TestIDsAndCategories(t *testing.T) {
	seen := make([]bool, NumIDs())
	cats := ACLCategoryNames()
	if len(cats) != 21 || cats[0] != "keyspace" || cats[len(cats)-1] != "scripting" {
		t.Fatalf("ACL categories %v", cats)
	}
	check := func(c *Command) {
		if c.ID < 0 || c.ID >= len(seen) || seen[c.ID] {
			t.Fatalf("%s: bad or duplicate ID %d", c.Name, c.ID)
		}
		seen[c.ID] = true
		if bits.OnesCount64(c.ACLMask) != len(c.ACLCategories) {
			t.Errorf("%s: mask %b for %v", c.Name, c.ACLMask, c.ACLCategories)
		}
	}
	for _, c := range All() {
		check(c)
		prev := c.ID
		for _, sc := range c.SubcommandList() {
			check(sc)
			if sc.ID != prev+1 || sc.Parent != c {
				t.Errorf("%s: ID %d after %d", sc.Name, sc.ID, prev)
			}
			prev = sc.ID
		}
		if len(c.SubcommandList()) != len(c.Subcommands) {
			t.Errorf("%s: subcommand list", c.Name)
		}
	}
	for id, ok := range seen {
		if !ok {
			t.Errorf("ID %d unused", id)
		}
	}
	if g := Lookup("get"); g.ACLMask&(1<<1) == 0 || g.ACLMask&(1<<14) == 0 {
		t.Errorf("get is @read @fast: mask %b", g.ACLMask)
	}
}
