package runtime

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/resp"
)

// SORT and SORT_RO over the keyspace, as Redis 7.0's sort.c: BY (a
// pattern with '*', a hash field after "->", or a constant that means "do
// not sort"), LIMIT, GET (also "#" and hash fields), ASC/DESC, ALPHA,
// STORE (SORT only), with its option parsing, errors and orderings.

// sortItem is redisSortObject: an element and what it sorts by.
type sortItem struct {
	elem  string
	score float64
	cmp   *string // ALPHA BY: the pattern's value (nil: none)
}

func cmdSort(s *Server, c *client, argv []string)   { sortGeneric(s, c, argv, false) }
func cmdSortRO(s *Server, c *client, argv []string) { sortGeneric(s, c, argv, true) }

// fullKeyAccess is ACLUserCheckKeyPerm(user, "*", CMD_KEY_ACCESS): whether
// some selector of the user may read every key.
func (c *client) fullKeyAccess() bool {
	if c.user == nil {
		return true
	}
	r := c.user.rules.Load()
	if r == nil || r.open {
		return true
	}
	for _, sel := range r.selectors {
		if sel.keyAllowed("*", keyAccess) {
			return true
		}
	}
	return false
}

func sortGeneric(s *Server, c *client, argv []string, readonly bool) {
	desc, alpha, dontsort := false, false, false
	limitStart, limitCount := int64(0), int64(-1)
	var sortBy, store *string
	var gets []string
	for j := 2; j < len(argv); j++ {
		left := len(argv) - j - 1
		switch opt := strings.ToLower(argv[j]); {
		case opt == "asc":
			desc = false
		case opt == "desc":
			desc = true
		case opt == "alpha":
			alpha = true
		case opt == "limit" && left >= 2:
			a, ok1 := sds.ParseLongLong(argv[j+1])
			b, ok2 := sds.ParseLongLong(argv[j+2])
			if !ok1 || !ok2 {
				c.writeError(errNotInteger)
				return
			}
			limitStart, limitCount = a, b
			j += 2
		case !readonly && opt == "store" && left >= 1:
			store = &argv[j+1]
			j++
		case opt == "by" && left >= 1:
			sortBy = &argv[j+1]
			if !strings.Contains(argv[j+1], "*") {
				dontsort = true
			} else if !c.fullKeyAccess() {
				c.writeError("BY option of SORT denied due to insufficient ACL permissions.")
				return
			}
			j++
		case opt == "get" && left >= 1:
			if !c.fullKeyAccess() {
				c.writeError("GET option of SORT denied due to insufficient ACL permissions.")
				return
			}
			gets = append(gets, argv[j+1])
			j++
		default:
			c.writeError("syntax error")
			return
		}
	}

	db := c.db()
	typ := s.ks.Type(db, argv[1])
	switch typ {
	case "", "list", "set", "zset":
	default:
		c.writeError("-WRONGTYPE Operation against a key holding the wrong kind of value")
		return
	}
	var elems []string
	isSet := typ == "set"
	if typ != "" {
		v, _, err := s.ks.Value(db, argv[1])
		if err != nil {
			c.writeError(err.Error())
			return
		}
		switch typ {
		case "list", "set":
			elems = append([]string(nil), v.Elems...) // the keyspace's own slice
			if isSet && encodingOf(v, s.encodingLimits()) == "intset" {
				// an intset iterates in numeric order
				sort.Slice(elems, func(i, j int) bool {
					a, _ := strconv.ParseInt(elems[i], 10, 64)
					b, _ := strconv.ParseInt(elems[j], 10, 64)
					return a < b
				})
			}
		case "zset":
			for _, m := range v.ZSet {
				elems = append(elems, m.Member)
			}
		}
	}
	// a set's iteration order is not stable: without a real BY, a script
	// or STORE sorts it as ALPHA
	if dontsort && isSet && (store != nil || c.isScript) {
		dontsort, alpha, sortBy = false, true, nil
	}

	n := int64(len(elems))
	start := limitStart
	if start < 0 {
		start = 0
	}
	end := n - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	if end >= n {
		end = n - 1
	}

	var items []sortItem
	if dontsort && !isSet {
		// lists and sorted sets keep their order (reversed for DESC), and
		// LIMIT takes the range directly
		if desc {
			for i, j := 0, len(elems)-1; i < j; i, j = i+1, j-1 {
				elems[i], elems[j] = elems[j], elems[i]
			}
		}
		if end >= start {
			for _, e := range elems[start : end+1] {
				items = append(items, sortItem{elem: e})
			}
		}
		end -= start
		start = 0
	} else {
		items = make([]sortItem, len(elems))
		for i, e := range elems {
			items[i] = sortItem{elem: e}
		}
	}

	badScore := false
	if !dontsort {
		for i := range items {
			by := &items[i].elem
			if sortBy != nil {
				v, ok := s.sortLookup(c, *sortBy, items[i].elem)
				if !ok {
					continue
				}
				by = &v
			}
			if alpha {
				if sortBy != nil {
					items[i].cmp = by
				}
				continue
			}
			f, ok := sortStrtod(*by)
			if !ok {
				badScore = true
			}
			items[i].score = f
		}
		cmp := func(a, b *sortItem) int {
			switch {
			case !alpha:
				switch {
				case a.score > b.score:
					return 1
				case a.score < b.score:
					return -1
				}
				return strings.Compare(a.elem, b.elem)
			case sortBy != nil:
				switch {
				case a.cmp == nil && b.cmp == nil:
					return 0
				case a.cmp == nil:
					return -1
				case b.cmp == nil:
					return 1
				}
				return strings.Compare(*a.cmp, *b.cmp)
			}
			return strings.Compare(a.elem, b.elem)
		}
		sort.SliceStable(items, func(i, j int) bool {
			r := cmp(&items[i], &items[j])
			if desc {
				r = -r
			}
			return r < 0
		})
	}

	count := end - start + 1
	if count < 0 {
		count = 0
	}
	outLen := count
	if len(gets) > 0 {
		outLen *= int64(len(gets))
	}
	if badScore {
		c.writeError("One or more scores can't be converted into double")
		return
	}
	var out []*string
	for j := start; j <= end; j++ {
		if len(gets) == 0 {
			e := items[j].elem
			out = append(out, &e)
			continue
		}
		for _, g := range gets {
			if v, ok := s.sortLookup(c, g, items[j].elem); ok {
				out = append(out, &v)
			} else {
				out = append(out, nil)
			}
		}
	}
	if store == nil {
		vals := make([]resp.Value, len(out))
		for i, v := range out {
			if v == nil {
				vals[i] = resp.NullBulk()
			} else {
				vals[i] = resp.Bulk(*v)
			}
		}
		c.writeValue(resp.Arr(vals...))
		return
	}
	c.ks.Do([]string{"DEL", *store})
	if outLen > 0 {
		list := make([]string, len(out))
		for i, v := range out {
			if v != nil {
				list[i] = *v
			}
		}
		var failed []byte
		batch(func(a ...string) bool {
			if r := c.ks.Do(a); len(r) > 0 && r[0] == '-' {
				failed = r
				return false
			}
			return true
		}, []string{"RPUSH", *store}, list, 1)
		if failed != nil {
			c.writeRaw(failed)
			return
		}
	}
	c.writeInt(outLen)
}

// sortLookup is lookupKeyByPattern: "#" is the element itself; otherwise
// the first '*' of the pattern is replaced by the element, and the key's
// string value, or with "->field" after the '*' the hash field's value,
// is returned (ok is false when there is none).
func (s *Server) sortLookup(c *client, pattern, elem string) (string, bool) {
	if pattern == "#" {
		return elem, true
	}
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return "", false
	}
	key, field := pattern, ""
	if f := strings.Index(pattern[star+1:], "->"); f >= 0 && star+1+f+2 < len(pattern) {
		key, field = pattern[:star+1+f], pattern[star+1+f+2:]
	}
	key = key[:star] + elem + key[star+1:]
	var reply []byte
	if field != "" {
		if s.ks.Type(c.db(), key) != "hash" {
			return "", false
		}
		reply = c.ks.Do([]string{"HGET", key, field})
	} else {
		if s.ks.Type(c.db(), key) != "string" {
			return "", false
		}
		reply = c.ks.Do([]string{"GET", key})
	}
	v, err := resp.NewReader(strings.NewReader(string(reply))).ReadValue()
	if err != nil || v.Kind != resp.BulkString {
		return "", false
	}
	return v.Str, true
}

// sortStrtod is C's strtod as SORT uses it: leading white space, then a
// number that must take the rest of the text (an empty rest is 0); NaN,
// overflow and underflow are errors.
func sortStrtod(s string) (float64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" {
		return 0, true
	}
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 {
		return 0, false
	}
	lower := strings.ToLower(body)
	if strings.HasPrefix(lower, "0x") && !strings.ContainsAny(lower, "p") {
		t += "p0"
	}
	if strings.ContainsAny(t, "_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 || math.Abs(f) < 0x1p-1022 {
		// underflow: a non-zero mantissa that came out zero or subnormal
		mant, exp := lower, "e"
		if strings.HasPrefix(mant, "0x") {
			mant, exp = mant[2:], "p"
		}
		if i := strings.Index(mant, exp); i >= 0 {
			mant = mant[:i]
		}
		if strings.Trim(mant, "0.") != "" {
			return 0, false
		}
	}
	return f, true
}
