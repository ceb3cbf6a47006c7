package functions

import "strings"

// Flags are the flags a function is registered with.
type Flags uint8

// The function flags, in the canonical order FUNCTION LIST reports them.
const (
	NoWrites Flags = 1 << iota
	AllowOOM
	AllowStale
	NoCluster
	AllowCrossSlotKeys
)

var flagOrder = []struct {
	f    Flags
	name string
}{
	{NoWrites, "no-writes"},
	{AllowOOM, "allow-oom"},
	{AllowStale, "allow-stale"},
	{NoCluster, "no-cluster"},
	{AllowCrossSlotKeys, "allow-cross-slot-keys"},
}

// ParseFlag returns the flag called name (case-insensitive, as Redis
// compares them).
func ParseFlag(name string) (Flags, bool) {
	for _, f := range flagOrder {
		if strings.EqualFold(f.name, name) {
			return f.f, true
		}
	}
	return 0, false
}

// Names returns the flag names in canonical order.
func (f Flags) Names() []string {
	out := []string{}
	for _, x := range flagOrder {
		if f&x.f != 0 {
			out = append(out, x.name)
		}
	}
	return out
}

// String joins the names with commas.
func (f Flags) String() string { return strings.Join(f.Names(), ",") }
