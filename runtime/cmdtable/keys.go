package cmdtable

import (
	"strconv"
	"strings"
)

// KeyPositions returns the argv indexes of the keys of a command, found
// with its key specs as Redis's getKeysUsingKeySpecs does (COMMAND GETKEYS,
// WATCH bookkeeping). Specs that cannot be resolved are skipped.
func (c *Command) KeyPositions(argv []string) []int {
	var out []int
	argc := len(argv)
	for _, ks := range c.KeySpecs {
		first := 0
		switch ks.BeginSearch {
		case "index":
			first = ks.Index
		case "keyword":
			start, end, step := ks.StartFrom, argc-1, 1
			if ks.StartFrom < 0 {
				start, end, step = argc+ks.StartFrom, 0, -1
			}
			found := -1
			for i := start; (step > 0 && i <= end) || (step < 0 && i >= end); i += step {
				if i <= 0 || i >= argc {
					break
				}
				if strings.EqualFold(argv[i], ks.Keyword) {
					found = i
					break
				}
			}
			if found < 0 {
				continue
			}
			first = found + 1
		default:
			continue
		}
		var last, step int
		switch ks.FindKeys {
		case "range":
			step = ks.KeyStep
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0 || ks.Limit == 1:
				last = argc + ks.LastKey
			default:
				last = first + ((argc-first)/ks.Limit + ks.LastKey)
			}
		case "keynum":
			step = ks.KeyStep
			idx := first + ks.KeyNumIdx
			if idx >= argc {
				continue
			}
			n, err := strconv.Atoi(argv[idx])
			if err != nil || n < 0 {
				continue
			}
			first += ks.FirstKey
			last = first + (n-1)*step
		default:
			continue
		}
		if step <= 0 {
			step = 1
		}
		for i := first; i <= last; i += step {
			if i >= argc || i < first {
				break
			}
			out = append(out, i)
		}
	}
	return out
}
