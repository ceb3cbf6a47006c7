package library

import (
	"fmt"
	"strings"
)

// Diff is the difference between two library sets.
type Diff struct {
	// Added holds libraries only in the second set, by name.
	Added []*Library
	// Removed holds libraries only in the first set, by name.
	Removed []*Library
	// Changed holds libraries in both sets whose code differs, by name.
	Changed []Change
	// Same holds the names of libraries with identical code in both sets.
	Same []string
}

// Change is one library whose code differs between two sets.
type Change struct {
	Name     string
	Old, New *Library
	// Unified is a unified diff (3 lines of context) from Old's code to
	// New's code, with ---/+++ headers naming the origins.
	Unified string
}

// Empty reports whether the two sets held the same libraries with the same
// code.
func (d Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// Compare returns the difference from a to b.
func Compare(a, b *Set) Diff {
	var d Diff
	for _, l := range a.Libraries() {
		m, ok := b.Get(l.Name)
		switch {
		case !ok:
			d.Removed = append(d.Removed, l)
		case m.Code == l.Code:
			d.Same = append(d.Same, l.Name)
		default:
			d.Changed = append(d.Changed, Change{
				Name: l.Name, Old: l, New: m,
				Unified: UnifiedDiff(l.Origin.String()+" ("+l.Name+")", m.Origin.String()+" ("+m.Name+")", l.Code, m.Code, 3),
			})
		}
	}
	for _, l := range b.Libraries() {
		if _, ok := a.Get(l.Name); !ok {
			d.Added = append(d.Added, l)
		}
	}
	return d
}

// UnifiedDiff returns a unified diff of the lines of a and b with context
// lines around each change, or "" when they are equal. Lines keep their
// terminators; a last line without one is marked as diff(1) does.
func UnifiedDiff(nameA, nameB, a, b string, context int) string {
	if a == b {
		return ""
	}
	la, lb := splitLines(a), splitLines(b)
	ops := myers(la, lb)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", nameA, nameB)
	// group ops into hunks
	type op struct {
		kind byte // ' ', '-', '+'
		line string
		ai   int // index into a (for ' ' and '-')
		bi   int // index into b (for ' ' and '+')
	}
	var all []op
	ai, bi := 0, 0
	for _, k := range ops {
		switch k {
		case ' ':
			all = append(all, op{' ', la[ai], ai, bi})
			ai++
			bi++
		case '-':
			all = append(all, op{'-', la[ai], ai, bi})
			ai++
		case '+':
			all = append(all, op{'+', lb[bi], ai, bi})
			bi++
		}
	}
	for i := 0; i < len(all); {
		if all[i].kind == ' ' {
			i++
			continue
		}
		start := i - context
		if start < 0 {
			start = 0
		}
		end := i
		for {
			// extend over the change run
			for end < len(all) && all[end].kind != ' ' {
				end++
			}
			// look ahead: is the next change within 2*context lines?
			j := end
			for j < len(all) && all[j].kind == ' ' && j-end < 2*context {
				j++
			}
			if j < len(all) && all[j].kind != ' ' {
				end = j
				continue
			}
			break
		}
		stop := end + context
		if stop > len(all) {
			stop = len(all)
		}
		h := all[start:stop]
		aStart, bStart, aLen, bLen := h[0].ai, h[0].bi, 0, 0
		for _, o := range h {
			if o.kind != '+' {
				aLen++
			}
			if o.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, o := range h {
			sb.WriteByte(o.kind)
			sb.WriteString(o.line)
			if !strings.HasSuffix(o.line, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = stop
	}
	return sb.String()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// myers returns the shortest edit script from a to b as a string of ' '
// (keep), '-' (delete from a) and '+' (insert from b), using Myers' O(ND)
// algorithm.
func myers(a, b []string) []byte {
	n, m := len(a), len(b)
	max := n + m
	off := max + 1
	v := make([]int, 2*max+3)
	var trace [][]int
	for d := 0; d <= max; d++ {
		// keep only the diagonals step d can read: -d-1 .. d+1
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m, d)
			}
		}
	}
	return nil
}

func backtrack(trace [][]int, n, m, dEnd int) []byte {
	var rev []byte
	x, y := n, m
	for d := dEnd; d > 0; d-- {
		snap := trace[d] // diagonals -d-1..d+1 before step d
		at := func(k int) int { return snap[k+d+1] }
		k := x - y
		var prevK int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, ' ')
			x--
			y--
		}
		if x == prevX {
			rev = append(rev, '+')
		} else {
			rev = append(rev, '-')
		}
		x, y = prevX, prevY
	}
	for x > 0 && y > 0 {
		rev = append(rev, ' ')
		x--
		y--
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
