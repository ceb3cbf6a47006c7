// Package cmdtable is the Redis command table fnkit's server and script
// engine consult: arity, flags (write, denyoom, noscript, may-replicate,
// allow-busy, …), key positions and key specs, ACL categories and
// subcommands, exactly as a real redis-server reports them.
//
// Nothing here is typed by hand. The data files next to this source are the
// raw RESP3 replies of COMMAND INFO and COMMAND DOCS of a real redis-server
// 7.0.15, plus the list of commands flagged may-replicate (which COMMAND
// hides; the generator finds them by asking the server). Regenerate with
//
//	go generate ./runtime/cmdtable
//
// which starts a throw-away redis-server from PATH.
package cmdtable

//go:generate go run ./internal/gen -out .

import (
	_ "embed"
	"sort"
	"strings"
	"sync"

	"github.com/fnkit/fnkit/resp"
)

//go:embed command_info.resp
var infoRaw string

//go:embed command_docs.resp
var docsRaw string

//go:embed may_replicate.txt
var mayReplicateRaw string

//go:embed server_version.txt
var versionRaw string

//go:embed acl_categories.txt
var aclCategoriesRaw string

// Flag is a bit set of command flags.
type Flag uint64

// Command flags, by their COMMAND INFO names. MayReplicate is not reported by
// COMMAND; it comes from may_replicate.txt.
const (
	Write Flag = 1 << iota
	ReadOnly
	DenyOOM
	Module
	Admin
	PubSub
	NoScript
	Blocking
	Loading
	Stale
	SkipMonitor
	SkipSlowlog
	Asking
	Fast
	NoAuth
	MayReplicate
	NoMandatoryKeys
	NoAsyncLoading
	NoMulti
	MovableKeys
	AllowBusy
)

var flagNames = map[string]Flag{
	"write": Write, "readonly": ReadOnly, "denyoom": DenyOOM, "module": Module,
	"admin": Admin, "pubsub": PubSub, "noscript": NoScript, "blocking": Blocking,
	"loading": Loading, "stale": Stale, "skip_monitor": SkipMonitor,
	"skip_slowlog": SkipSlowlog, "asking": Asking, "fast": Fast, "no_auth": NoAuth,
	"may_replicate": MayReplicate, "no_mandatory_keys": NoMandatoryKeys,
	"no_async_loading": NoAsyncLoading, "no_multi": NoMulti,
	"movablekeys": MovableKeys, "allow_busy": AllowBusy,
}

// KeySpec is one key specification of a command (COMMAND INFO's key specs):
// where to begin searching and how to find the keys from there.
type KeySpec struct {
	// BeginSearch is "index", "keyword" or "unknown".
	BeginSearch string
	// Index is the argument index for BeginSearch "index".
	Index int
	// Keyword and StartFrom are used for BeginSearch "keyword".
	Keyword   string
	StartFrom int
	// FindKeys is "range", "keynum" or "unknown".
	FindKeys string
	// LastKey, KeyStep and Limit describe a "range".
	LastKey, KeyStep, Limit int
	// KeyNumIdx and FirstKey describe a "keynum" (KeyStep is shared).
	KeyNumIdx, FirstKey int
	// Flags are the key spec's flags (RW, RO, OW, RM, access, update, …).
	Flags []string
}

// Command is one command or subcommand.
type Command struct {
	// Name is the lowercase name; a subcommand is "container|sub".
	Name string
	// Arity is Redis's arity: the exact argument count (name included) when
	// positive, the minimum when negative.
	Arity int
	// Flags is the set of flags.
	Flags Flag
	// FirstKey, LastKey and Step are the legacy key positions.
	FirstKey, LastKey, Step int
	// ACLCategories lists the categories, with their '@'.
	ACLCategories []string
	// KeySpecs are the key specifications.
	KeySpecs []KeySpec
	// Subcommands maps a lowercase subcommand name to its command.
	Subcommands map[string]*Command
	// Parent is the container command of a subcommand.
	Parent *Command
	// Info is the command's entry of the real server's COMMAND INFO reply.
	Info resp.Value
	// ID numbers every command and subcommand from 0 to NumIDs()-1 (ACL
	// bitmaps index by it).
	ID int
	// ACLMask has bit i set when the command is in ACLCategoryNames()[i].
	ACLMask uint64

	subs   []*Command          // subcommands in ID order
	byName map[string]*Command // subcommands by lower- and upper-case name
}

// Has reports whether c carries every flag in f.
func (c *Command) Has(f Flag) bool { return c.Flags&f == f }

// FullName returns the name as Redis prints it in errors: "get", or
// "client|setname" for a subcommand.
func (c *Command) FullName() string { return c.Name }

// ArityOK reports whether argc arguments (the command name included) satisfy
// the command's arity.
func (c *Command) ArityOK(argc int) bool {
	if c.Arity > 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}

var (
	loadOnce sync.Once
	table    map[string]*Command
	byName   map[string]*Command // table plus upper-case names
	order    []*Command
	numIDs   int
	catNames []string
	docsOnce sync.Once
	docs     map[string]resp.Value
	docOrder []string
)

func load() {
	loadOnce.Do(func() {
		v, err := resp.NewReader(strings.NewReader(infoRaw)).ReadValue()
		if err != nil {
			panic("cmdtable: embedded command_info.resp does not parse: " + err.Error())
		}
		may := map[string]bool{}
		for _, l := range strings.Fields(mayReplicateRaw) {
			may[l] = true
		}
		catNames = strings.Fields(aclCategoriesRaw)
		table = make(map[string]*Command, len(v.Elems))
		for _, e := range v.Elems {
			c := parseCommand(e, nil, may)
			table[c.Name] = c
			order = append(order, c)
		}
		// IDs in table order, each container followed by its subcommands
		// in name order
		byName = make(map[string]*Command, 2*len(order))
		for _, c := range order {
			byName[c.Name] = c
			byName[strings.ToUpper(c.Name)] = c
			if c.Subcommands != nil {
				c.byName = make(map[string]*Command, 2*len(c.Subcommands))
				for n, sc := range c.Subcommands {
					c.byName[n] = sc
					c.byName[strings.ToUpper(n)] = sc
				}
			}
			c.ID = numIDs
			numIDs++
			c.ACLMask = categoryMask(c.ACLCategories)
			c.subs = sortedSubcommands(c)
			for _, sc := range c.subs {
				sc.ID = numIDs
				numIDs++
				sc.ACLMask = categoryMask(sc.ACLCategories)
			}
		}
	})
}

func categoryMask(cats []string) uint64 {
	var m uint64
	for _, a := range cats {
		for i, n := range catNames {
			if "@"+n == a {
				m |= 1 << i
			}
		}
	}
	return m
}

func sortedSubcommands(c *Command) []*Command {
	out := make([]*Command, 0, len(c.Subcommands))
	for _, sc := range c.Subcommands {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SubcommandList returns the subcommands of c ordered by ID (nil when c
// has none).
func (c *Command) SubcommandList() []*Command {
	load()
	return c.subs
}

// NumIDs returns the number of commands and subcommands (one more than the
// largest ID).
func NumIDs() int {
	load()
	return numIDs
}

// ACLCategoryNames returns the ACL categories, without '@', in the order
// the real server's ACL CAT lists them (bit i of Command.ACLMask is
// ACLCategoryNames()[i]).
func ACLCategoryNames() []string {
	load()
	return catNames
}

func parseCommand(e resp.Value, parent *Command, may map[string]bool) *Command {
	c := &Command{Info: e, Parent: parent}
	c.Name = strings.ToLower(e.Elems[0].Str)
	c.Arity = int(e.Elems[1].Int)
	for _, f := range e.Elems[2].Elems {
		c.Flags |= flagNames[f.Str]
	}
	if may[c.Name] {
		c.Flags |= MayReplicate
	}
	c.FirstKey, c.LastKey, c.Step = int(e.Elems[3].Int), int(e.Elems[4].Int), int(e.Elems[5].Int)
	for _, a := range e.Elems[6].Elems {
		c.ACLCategories = append(c.ACLCategories, a.Str)
	}
	for _, ks := range e.Elems[8].Elems {
		c.KeySpecs = append(c.KeySpecs, parseKeySpec(ks))
	}
	if len(e.Elems[9].Elems) > 0 {
		c.Subcommands = make(map[string]*Command, len(e.Elems[9].Elems))
		for _, s := range e.Elems[9].Elems {
			sc := parseCommand(s, c, may)
			_, sub, _ := strings.Cut(sc.Name, "|")
			c.Subcommands[sub] = sc
		}
	}
	return c
}

func mapGet(m resp.Value, key string) (resp.Value, bool) {
	for i := 0; i+1 < len(m.Elems); i += 2 {
		if m.Elems[i].Str == key {
			return m.Elems[i+1], true
		}
	}
	return resp.Value{}, false
}

func mapInt(m resp.Value, key string) int {
	v, _ := mapGet(m, key)
	return int(v.Int)
}

func parseKeySpec(m resp.Value) KeySpec {
	var ks KeySpec
	if f, ok := mapGet(m, "flags"); ok {
		for _, x := range f.Elems {
			ks.Flags = append(ks.Flags, x.Str)
		}
	}
	if bs, ok := mapGet(m, "begin_search"); ok {
		t, _ := mapGet(bs, "type")
		ks.BeginSearch = t.Str
		spec, _ := mapGet(bs, "spec")
		switch t.Str {
		case "index":
			ks.Index = mapInt(spec, "index")
		case "keyword":
			kw, _ := mapGet(spec, "keyword")
			ks.Keyword = kw.Str
			ks.StartFrom = mapInt(spec, "startfrom")
		}
	}
	if fk, ok := mapGet(m, "find_keys"); ok {
		t, _ := mapGet(fk, "type")
		ks.FindKeys = t.Str
		spec, _ := mapGet(fk, "spec")
		switch t.Str {
		case "range":
			ks.LastKey = mapInt(spec, "lastkey")
			ks.KeyStep = mapInt(spec, "keystep")
			ks.Limit = mapInt(spec, "limit")
		case "keynum":
			ks.KeyNumIdx = mapInt(spec, "keynumidx")
			ks.FirstKey = mapInt(spec, "firstkey")
			ks.KeyStep = mapInt(spec, "keystep")
		}
	}
	return ks
}

// Lookup returns the top-level command called name (case-insensitive).
func Lookup(name string) *Command {
	load()
	if c, ok := byName[name]; ok {
		return c
	}
	if len(name) <= 64 {
		// lower-case into a stack buffer: the map lookup does not allocate
		var buf [64]byte
		b := buf[:len(name)]
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		return table[string(b)]
	}
	return table[strings.ToLower(name)]
}

// LookupArgv resolves argv as Redis's lookupCommand does: the command, or
// for a container command with at least two arguments its subcommand. It
// returns nil when the command (or subcommand) does not exist.
func LookupArgv(argv []string) *Command {
	if len(argv) == 0 {
		return nil
	}
	c := Lookup(argv[0])
	if c == nil || c.Subcommands == nil || len(argv) < 2 {
		return c
	}
	if sc, ok := c.byName[argv[1]]; ok {
		return sc
	}
	return c.Subcommands[strings.ToLower(argv[1])]
}

// All returns every top-level command in the order the real server listed
// them.
func All() []*Command {
	load()
	return order
}

// Docs returns the COMMAND DOCS entry of a top-level command (lowercase
// name), and the names in the order the server listed them.
func Docs() (map[string]resp.Value, []string) {
	docsOnce.Do(func() {
		v, err := resp.NewReader(strings.NewReader(docsRaw)).ReadValue()
		if err != nil {
			panic("cmdtable: embedded command_docs.resp does not parse: " + err.Error())
		}
		docs = make(map[string]resp.Value, len(v.Elems)/2)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			docs[v.Elems[i].Str] = v.Elems[i+1]
			docOrder = append(docOrder, v.Elems[i].Str)
		}
	})
	return docs, docOrder
}

// ServerVersion is the redis_version of the server the table was taken from.
func ServerVersion() string { return strings.TrimSpace(versionRaw) }
