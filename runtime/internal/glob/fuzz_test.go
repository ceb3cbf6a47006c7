package glob

import "testing"

// Match terminates without panicking on any pattern, and matches a
// pattern without special characters exactly.
func FuzzMatch(f *testing.F) {
	for _, p := range [][2]string{{"a*b?c", "axxbyc"}, {"[a-", "b"}, {"\\", "x"}, {"[^abc]", "d"}, {"*****a", "aaaaaaaaaaab"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		Match(pattern, s, false)
		Match(pattern, s, true)
		plain := true
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '*', '?', '[', '\\':
				plain = false
			}
		}
		if plain && !Match(s, s, false) {
			t.Fatalf("%q does not match itself", s)
		}
	})
}
