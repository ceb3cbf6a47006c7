package runtime

import (
	"strings"
	"sync"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// Keys and channels of a command with their access flags, for ACL checks:
// Redis's getKeysFromCommandWithSpecs (key specs first, the command's own
// getkeys procedure when a spec is incomplete, unknown or has variable
// flags) and getChannelsFromCommand.

type keyFlags uint16

const (
	keyRO keyFlags = 1 << iota
	keyRW
	keyOW
	keyRM
	keyAccess
	keyUpdate
	keyInsert
	keyDelete
	keyNotKey
	keyIncomplete
	keyVariableFlags
)

var keyFlagNames = map[string]keyFlags{
	"RO": keyRO, "RW": keyRW, "OW": keyOW, "RM": keyRM, "access": keyAccess,
	"update": keyUpdate, "insert": keyInsert, "delete": keyDelete,
	"not_key": keyNotKey, "incomplete": keyIncomplete, "variable_flags": keyVariableFlags,
}

type keyRef struct {
	pos   int
	flags keyFlags
}

type aclSpec struct {
	cmdtable.KeySpec
	flags keyFlags
}

// aclKeyInfo is what the ACL check needs of one command, computed once.
type aclKeyInfo struct {
	specs    []aclSpec
	useSpecs bool // a real key spec and no variable flags
	hasKeys  bool // doesCommandHaveKeys
	getkeys  func(argv []string) []keyRef
	channels *channelSpec
}

var (
	aclKeyOnce  sync.Once
	aclKeyTable []aclKeyInfo
)

// getkeysProcs are the commands with a getkeys procedure in 7.0.15.
var getkeysProcs = map[string]func(argv []string) []keyRef{
	"set": setGetKeys, "bitfield": bitfieldGetKeys, "sort": sortGetKeys,
	"sort_ro":   func([]string) []keyRef { return []keyRef{{1, keyRO | keyAccess}} },
	"migrate":   migrateGetKeys,
	"georadius": georadiusGetKeys, "georadiusbymember": georadiusGetKeys,
	"xread": xreadGetKeys, "xreadgroup": xreadGetKeys,
	"eval": genericKeys(0, 2, 3), "evalsha": genericKeys(0, 2, 3), "eval_ro": genericKeys(0, 2, 3), "evalsha_ro": genericKeys(0, 2, 3),
	"fcall": genericKeys(0, 2, 3), "fcall_ro": genericKeys(0, 2, 3),
	"sintercard": genericKeys(0, 1, 2), "lmpop": genericKeys(0, 1, 2), "zmpop": genericKeys(0, 1, 2),
	"blmpop": genericKeys(0, 2, 3), "bzmpop": genericKeys(0, 2, 3),
	"zunion": genericKeys(0, 1, 2), "zinter": genericKeys(0, 1, 2), "zdiff": genericKeys(0, 1, 2), "zintercard": genericKeys(0, 1, 2),
	"zunionstore": genericKeys(1, 2, 3), "zinterstore": genericKeys(1, 2, 3), "zdiffstore": genericKeys(1, 2, 3),
}

func aclKeyInfoFor(cmd *cmdtable.Command) *aclKeyInfo {
	aclKeyOnce.Do(func() {
		aclKeyTable = make([]aclKeyInfo, cmdtable.NumIDs())
		var fill func(cmds []*cmdtable.Command)
		fill = func(cmds []*cmdtable.Command) {
			for _, c := range cmds {
				in := &aclKeyTable[c.ID]
				var all, any keyFlags
				for _, ks := range c.KeySpecs {
					sp := aclSpec{KeySpec: ks}
					for _, f := range ks.Flags {
						sp.flags |= keyFlagNames[f]
					}
					in.specs = append(in.specs, sp)
					any |= sp.flags
					if sp.flags&keyNotKey == 0 {
						all |= keyNotKey // a spec that is a key
					}
				}
				in.useSpecs = all&keyNotKey != 0 && any&keyVariableFlags == 0
				in.getkeys = getkeysProcs[c.Name]
				in.hasKeys = in.getkeys != nil || all&keyNotKey != 0
				in.channels = channelSpecs[c.Name]
				fill(c.SubcommandList())
			}
		}
		fill(cmdtable.All())
	})
	return &aclKeyTable[cmd.ID]
}

func commandHasKeys(cmd *cmdtable.Command) bool { return aclKeyInfoFor(cmd).hasKeys }

// commandKeys is getKeysFromCommandWithSpecs with GET_KEYSPEC_DEFAULT.
func commandKeys(cmd *cmdtable.Command, argv []string) []keyRef {
	in := aclKeyInfoFor(cmd)
	if in.useSpecs {
		if keys, ok := keysFromSpecs(cmd, in.specs, argv); ok {
			return keys
		}
	}
	if in.getkeys != nil {
		return in.getkeys(argv)
	}
	return nil
}

// keysFromSpecs is getKeysUsingKeySpecs; ok is false for an invalid or
// incomplete spec.
func keysFromSpecs(cmd *cmdtable.Command, specs []aclSpec, argv []string) ([]keyRef, bool) {
	argc := len(argv)
	var out []keyRef
	for _, sp := range specs {
		if sp.flags&keyNotKey != 0 {
			continue
		}
		first := 0
		switch sp.BeginSearch {
		case "index":
			first = sp.Index
		case "keyword":
			start, end := sp.StartFrom, argc-1
			if sp.StartFrom <= 0 {
				start, end = argc+sp.StartFrom, 1
			}
			for i := start; i != end; {
				if i >= argc || i < 1 {
					break
				}
				if strings.EqualFold(argv[i], sp.Keyword) {
					first = i + 1
					break
				}
				if start <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue
			}
		default:
			return nil, false
		}
		var last, step int
		switch sp.FindKeys {
		case "range":
			step = sp.KeyStep
			switch {
			case sp.LastKey >= 0:
				last = first + sp.LastKey
			case sp.Limit == 0:
				last = argc + sp.LastKey
			default:
				last = first + ((argc-first)/sp.Limit + sp.LastKey)
			}
		case "keynum":
			step = sp.KeyStep
			if sp.KeyNumIdx >= argc || first+sp.KeyNumIdx >= argc {
				return nil, false
			}
			n, ok := sds.ParseLongLong(argv[first+sp.KeyNumIdx])
			if !ok || n < 0 || n > int64(argc) {
				return nil, false
			}
			first += sp.FirstKey
			last = first + int(n) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		if step <= 0 {
			step = 1
		}
		for i := first; i <= last; i += step {
			if i >= argc || i < first {
				if cmd.Arity < 0 {
					continue
				}
				break
			}
			out = append(out, keyRef{i, sp.flags})
		}
		if sp.flags&keyIncomplete != 0 {
			return nil, false
		}
	}
	return out, true
}

// genericKeys is genericGetKeys (atoi of the key count, no keys when it is
// out of range).
func genericKeys(storeOfs, countOfs, firstOfs int) func([]string) []keyRef {
	return func(argv []string) []keyRef {
		if countOfs >= len(argv) {
			return nil
		}
		n := atoi(argv[countOfs])
		if n < 1 || n > len(argv)-firstOfs {
			return nil
		}
		out := make([]keyRef, 0, n+1)
		for i := 0; i < n; i++ {
			out = append(out, keyRef{pos: firstOfs + i})
		}
		if storeOfs > 0 {
			out = append(out, keyRef{pos: storeOfs})
		}
		return out
	}
}

// atoi is C's atoi: leading spaces, a sign, digits, stop at the first
// other character.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
		}
	}
	if neg {
		return -n
	}
	return n
}

func setGetKeys(argv []string) []keyRef {
	for _, a := range argv[3:] {
		if strings.EqualFold(a, "get") {
			return []keyRef{{1, keyRW | keyAccess | keyUpdate}}
		}
	}
	return []keyRef{{1, keyOW | keyUpdate}}
}

func bitfieldGetKeys(argv []string) []keyRef {
	readonly := true
	for i := 2; i < len(argv); i++ {
		rem := len(argv) - i - 1
		switch a := argv[i]; {
		case strings.EqualFold(a, "get") && rem >= 2:
			i += 2
		case (strings.EqualFold(a, "set") || strings.EqualFold(a, "incrby")) && rem >= 3:
			readonly = false
			i = len(argv)
		case strings.EqualFold(a, "overflow") && rem >= 1:
			i++
		default:
			readonly = false
			i = len(argv)
		}
	}
	if readonly {
		return []keyRef{{1, keyRO | keyAccess}}
	}
	return []keyRef{{1, keyRW | keyAccess | keyUpdate}}
}

func sortGetKeys(argv []string) []keyRef {
	keys := []keyRef{{1, keyRO | keyAccess}}
	store := -1
	for i := 2; i < len(argv); i++ {
		switch {
		case strings.EqualFold(argv[i], "limit"):
			i += 2
		case strings.EqualFold(argv[i], "store") && i+1 < len(argv):
			store = i + 1
		case strings.EqualFold(argv[i], "get"):
			i++
		case strings.EqualFold(argv[i], "by"):
			i++
		}
	}
	if store >= 0 {
		keys = append(keys, keyRef{store, keyOW | keyUpdate})
	}
	return keys
}

func migrateGetKeys(argv []string) []keyRef {
	first, num := 3, 1
	if len(argv) > 6 {
	scan:
		for i := 6; i < len(argv); i++ {
			switch {
			case strings.EqualFold(argv[i], "keys"):
				if argv[3] != "" {
					num = 0
				} else {
					first, num = i+1, len(argv)-i-1
				}
				break scan
			case strings.EqualFold(argv[i], "auth"):
				i++
			case strings.EqualFold(argv[i], "auth2"):
				i += 2
			}
		}
	}
	out := make([]keyRef, 0, num)
	for i := 0; i < num; i++ {
		out = append(out, keyRef{first + i, keyRW | keyAccess | keyDelete})
	}
	return out
}

func georadiusGetKeys(argv []string) []keyRef {
	stored := -1
	for i := 5; i < len(argv); i++ {
		if (strings.EqualFold(argv[i], "store") || strings.EqualFold(argv[i], "storedist")) && i+1 < len(argv) {
			stored = i + 1
			i++
		}
	}
	keys := []keyRef{{pos: 1}}
	if stored >= 0 {
		keys = append(keys, keyRef{pos: stored})
	}
	return keys
}

func xreadGetKeys(argv []string) []keyRef {
	streams := -1
scan:
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case strings.EqualFold(a, "block"), strings.EqualFold(a, "count"):
			i++
		case strings.EqualFold(a, "group"):
			i += 2
		case strings.EqualFold(a, "noack"):
		case strings.EqualFold(a, "streams"):
			streams = i
			break scan
		default:
			break scan
		}
	}
	if streams < 0 {
		return nil
	}
	num := len(argv) - streams - 1
	if num == 0 || num%2 != 0 {
		return nil
	}
	num /= 2
	out := make([]keyRef, 0, num)
	for i := streams + 1; i < len(argv)-num; i++ {
		out = append(out, keyRef{pos: i})
	}
	return out
}

// Channels (db.c's commands_with_channels).

type chanFlags int

const (
	chanPattern chanFlags = 1 << iota
	chanSubscribe
	chanUnsubscribe
	chanPublish
)

type channelSpec struct {
	flags        chanFlags
	start, count int // count -1: every remaining argument
}

type chanRef struct {
	pos   int
	flags chanFlags
}

var channelSpecs = map[string]*channelSpec{
	"subscribe":    {chanSubscribe, 1, -1},
	"ssubscribe":   {chanSubscribe, 1, -1},
	"unsubscribe":  {chanUnsubscribe, 1, -1},
	"sunsubscribe": {chanUnsubscribe, 1, -1},
	"psubscribe":   {chanPattern | chanSubscribe, 1, -1},
	"punsubscribe": {chanPattern | chanUnsubscribe, 1, -1},
	"publish":      {chanPublish, 1, 1},
	"spublish":     {chanPublish, 1, 1},
}

// commandChannels is getChannelsFromCommand.
func commandChannels(cmd *cmdtable.Command, argv []string) []chanRef {
	sp := aclKeyInfoFor(cmd).channels
	if sp == nil {
		return nil
	}
	stop := len(argv)
	if sp.count >= 0 && sp.start+sp.count < stop {
		stop = sp.start + sp.count
	}
	var out []chanRef
	for i := sp.start; i < stop; i++ {
		out = append(out, chanRef{i, sp.flags})
	}
	return out
}
