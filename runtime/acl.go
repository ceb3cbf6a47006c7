package runtime

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/internal/glob"
)

// ACL users as Redis 7.0's acl.c: users with flags and SHA-256 passwords,
// each with a root selector and optional extra selectors; a selector is a
// bitmap of allowed commands (indexed by cmdtable.Command.ID, plus the
// "future commands" bit +@all sets), allowed first arguments, key patterns
// with read/write permissions, and channel patterns.
//
// A user's rules are immutable once published: ACL SETUSER builds new
// rules on a copy and swaps the pointer, so clients check permissions
// without a lock (also commands that run while a function is busy).

// User flags, in the order ACL GETUSER and ACL LIST print them.
const (
	userEnabled uint32 = 1 << iota
	userDisabled
	userNoPass
	userSkipSanitize
	userSanitize
)

var userFlagNames = []struct {
	name string
	flag uint32
}{
	{"on", userEnabled}, {"off", userDisabled}, {"nopass", userNoPass},
	{"skip-sanitize-payload", userSkipSanitize}, {"sanitize-payload", userSanitize},
}

// Selector flags.
const (
	selRoot uint32 = 1 << iota
	selAllKeys
	selAllCommands
	selAllChannels
)

// Key pattern permissions.
const (
	aclRead  = 1
	aclWrite = 2
	aclAll   = aclRead | aclWrite
)

// Permission check results (ACL_OK, ACL_DENIED_*; the order matters: the
// highest denial of all selectors is reported).
const (
	aclOK = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedAuth
	aclDeniedChannel
)

// aclErr is the errno of ACLSetUser, with ACLSetUserStringError's words.
type aclErr int

const (
	aclErrFormat aclErr = iota
	aclErrNoEnt
	aclErrInval
	aclErrExist
	aclErrIsDir
	aclErrNoDev
	aclErrBadMsg
	aclErrChild
)

func (e aclErr) Error() string {
	switch e {
	case aclErrNoEnt:
		return "Unknown command or category name in ACL"
	case aclErrInval:
		return "Syntax error"
	case aclErrExist:
		return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	case aclErrIsDir:
		return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	case aclErrNoDev:
		return "The password you are trying to remove from the user does not exist"
	case aclErrBadMsg:
		return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	case aclErrChild:
		return "Allowing first-arg of a subcommand is not supported"
	}
	return "Wrong format"
}

type keyPattern struct {
	flags   int
	pattern string
}

// String is sdsCatPatternString.
func (p keyPattern) String() string {
	switch p.flags {
	case aclRead:
		return "%R~" + p.pattern
	case aclWrite:
		return "%W~" + p.pattern
	}
	return "~" + p.pattern
}

type aclSelector struct {
	flags     uint32
	bits      []uint64
	firstArgs map[int][]string
	patterns  []keyPattern
	channels  []string
}

// futureBit is the reserved bit only +@all (allcommands) sets: rules that
// started from +@all also allow commands added later.
func futureBit() int { return cmdtable.NumIDs() }

func newSelector(flags uint32) *aclSelector {
	return &aclSelector{flags: flags, bits: make([]uint64, (cmdtable.NumIDs()+1+63)/64)}
}

func (s *aclSelector) clone() *aclSelector {
	d := &aclSelector{flags: s.flags, bits: append([]uint64(nil), s.bits...)}
	d.patterns = append([]keyPattern(nil), s.patterns...)
	d.channels = append([]string(nil), s.channels...)
	if s.firstArgs != nil {
		d.firstArgs = make(map[int][]string, len(s.firstArgs))
		for id, a := range s.firstArgs {
			d.firstArgs[id] = append([]string(nil), a...)
		}
	}
	return d
}

func (s *aclSelector) bit(id int) bool { return s.bits[id/64]&(1<<(id%64)) != 0 }

// setBit is ACLSetSelectorCommandBit: clearing a bit also clears the
// all-commands flag.
func (s *aclSelector) setBit(id int, v bool) {
	if v {
		s.bits[id/64] |= 1 << (id % 64)
	} else {
		s.bits[id/64] &^= 1 << (id % 64)
		s.flags &^= selAllCommands
	}
}

// changePerm is ACLChangeSelectorPerm: a container's subcommands follow it.
func (s *aclSelector) changePerm(cmd *cmdtable.Command, allow bool) {
	s.setBit(cmd.ID, allow)
	delete(s.firstArgs, cmd.ID)
	for _, sc := range cmd.SubcommandList() {
		s.setBit(sc.ID, allow)
	}
}

// setCategory is ACLSetSelectorCommandBitsForCategory.
func (s *aclSelector) setCategory(cat int, allow bool) {
	var walk func(cmds []*cmdtable.Command)
	walk = func(cmds []*cmdtable.Command) {
		for _, c := range cmds {
			if c.ACLMask&(1<<cat) != 0 {
				s.changePerm(c, allow)
			}
			if subs := c.SubcommandList(); subs != nil {
				walk(subs)
			}
		}
	}
	walk(cmdtable.All())
}

func (s *aclSelector) setAll(allow bool) {
	var w uint64
	if allow {
		w = ^uint64(0)
		s.flags |= selAllCommands
	} else {
		s.flags &^= selAllCommands
	}
	for i := range s.bits {
		s.bits[i] = w
	}
	s.firstArgs = nil
}

func (s *aclSelector) addFirstArg(id int, arg string) {
	if s.firstArgs == nil {
		s.firstArgs = map[int][]string{}
	}
	for _, a := range s.firstArgs[id] {
		if strings.EqualFold(a, arg) {
			return
		}
	}
	s.firstArgs[id] = append(s.firstArgs[id], arg)
}

func categoryIndex(name string) int {
	for i, n := range cmdtable.ACLCategoryNames() {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// aclLookupCommand is ACLLookupCommand: "name" or "container|sub", case
// insensitive.
func aclLookupCommand(name string) *cmdtable.Command {
	parts := strings.Split(name, "|")
	if name == "" || len(parts) > 2 {
		return nil
	}
	base := cmdtable.Lookup(parts[0])
	if len(parts) == 1 || base == nil {
		return base
	}
	if base.Subcommands == nil {
		return nil
	}
	return base.Subcommands[strings.ToLower(parts[1])]
}

func hasSpaces(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0:
			return true
		}
	}
	return false
}

// apply is ACLSetSelector.
func (s *aclSelector) apply(op string) error {
	if op == "" {
		return aclErrInval
	}
	switch {
	case strings.EqualFold(op, "allkeys") || op == "~*":
		s.flags |= selAllKeys
		s.patterns = nil
	case strings.EqualFold(op, "resetkeys"):
		s.flags &^= selAllKeys
		s.patterns = nil
	case strings.EqualFold(op, "allchannels") || op == "&*":
		s.flags |= selAllChannels
		s.channels = nil
	case strings.EqualFold(op, "resetchannels"):
		s.flags &^= selAllChannels
		s.channels = nil
	case strings.EqualFold(op, "allcommands") || strings.EqualFold(op, "+@all"):
		s.setAll(true)
	case strings.EqualFold(op, "nocommands") || strings.EqualFold(op, "-@all"):
		s.setAll(false)
	case op[0] == '~' || op[0] == '%':
		if s.flags&selAllKeys != 0 {
			return aclErrExist
		}
		flags, off := 0, 1
		if op[0] == '%' {
		scan:
			for ; off < len(op); off++ {
				switch {
				case (op[off] == 'R' || op[off] == 'r') && flags&aclRead == 0:
					flags |= aclRead
				case (op[off] == 'W' || op[off] == 'w') && flags&aclWrite == 0:
					flags |= aclWrite
				case op[off] == '~' && flags != 0:
					off++
					break scan
				default:
					return aclErrInval
				}
			}
			// the 7.0.15 server (with the CVE-2024-31227 fix) refuses a
			// '%' without R or W
			if flags == 0 {
				return aclErrInval
			}
		} else {
			flags = aclAll
		}
		pat := op[off:]
		if hasSpaces(pat) {
			return aclErrInval
		}
		for i := range s.patterns {
			if s.patterns[i].pattern == pat {
				s.patterns[i].flags |= flags
				s.flags &^= selAllKeys
				return nil
			}
		}
		s.patterns = append(s.patterns, keyPattern{flags: flags, pattern: pat})
		s.flags &^= selAllKeys
	case op[0] == '&':
		if s.flags&selAllChannels != 0 {
			return aclErrIsDir
		}
		pat := op[1:]
		if hasSpaces(pat) {
			return aclErrInval
		}
		for _, c := range s.channels {
			if c == pat {
				s.flags &^= selAllChannels
				return nil
			}
		}
		s.channels = append(s.channels, pat)
		s.flags &^= selAllChannels
	case op[0] == '+' && (len(op) < 2 || op[1] != '@'):
		name := op[1:]
		i := strings.LastIndexByte(name, '|')
		if i < 0 {
			cmd := aclLookupCommand(name)
			if cmd == nil {
				return aclErrNoEnt
			}
			s.changePerm(cmd, true)
			return nil
		}
		cmd := aclLookupCommand(name[:i])
		if cmd == nil {
			return aclErrNoEnt
		}
		if cmd.Parent != nil {
			return aclErrChild
		}
		sub := name[i+1:]
		if sub == "" {
			return aclErrInval
		}
		if cmd.Subcommands != nil {
			sc := aclLookupCommand(name)
			if sc == nil {
				return aclErrNoEnt
			}
			s.changePerm(sc, true)
			return nil
		}
		s.addFirstArg(cmd.ID, sub)
	case op[0] == '-' && (len(op) < 2 || op[1] != '@'):
		cmd := aclLookupCommand(op[1:])
		if cmd == nil {
			return aclErrNoEnt
		}
		s.changePerm(cmd, false)
	case (op[0] == '+' || op[0] == '-') && op[1] == '@':
		cat := categoryIndex(op[2:])
		if cat < 0 {
			return aclErrNoEnt
		}
		s.setCategory(cat, op[0] == '+')
	default:
		return aclErrInval
	}
	return nil
}

// aclRules is a user's state: flags, passwords (SHA-256, hex) and
// selectors, the root one first. Published rules are never modified.
type aclRules struct {
	flags     uint32
	passwords []string
	selectors []*aclSelector
	// open: one selector allows every command, key and channel (the
	// default user's usual rules), so checks can stop at once
	open bool
}

func newRules() *aclRules {
	return &aclRules{flags: userDisabled, selectors: []*aclSelector{newSelector(selRoot)}}
}

func (r *aclRules) clone() *aclRules {
	d := &aclRules{flags: r.flags, passwords: append([]string(nil), r.passwords...)}
	for _, s := range r.selectors {
		d.selectors = append(d.selectors, s.clone())
	}
	return d
}

func (r *aclRules) finish() *aclRules {
	r.open = false
	for _, s := range r.selectors {
		if s.flags&(selAllCommands|selAllKeys|selAllChannels) == selAllCommands|selAllKeys|selAllChannels {
			r.open = true
		}
	}
	return r
}

func hashPassword(p string) string {
	h := sha256.Sum256([]byte(p))
	return hex.EncodeToString(h[:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !(h[i] >= '0' && h[i] <= '9' || h[i] >= 'a' && h[i] <= 'f') {
			return false
		}
	}
	return true
}

// apply is ACLSetUser.
func (r *aclRules) apply(op string) error {
	if op == "" {
		return nil
	}
	switch {
	case strings.EqualFold(op, "on"):
		r.flags = r.flags&^userDisabled | userEnabled
	case strings.EqualFold(op, "off"):
		r.flags = r.flags&^userEnabled | userDisabled
	case strings.EqualFold(op, "skip-sanitize-payload"):
		r.flags = r.flags&^userSanitize | userSkipSanitize
	case strings.EqualFold(op, "sanitize-payload"):
		r.flags = r.flags&^userSkipSanitize | userSanitize
	case strings.EqualFold(op, "nopass"):
		r.flags |= userNoPass
		r.passwords = nil
	case strings.EqualFold(op, "resetpass"):
		r.flags &^= userNoPass
		r.passwords = nil
	case op[0] == '>' || op[0] == '#':
		var h string
		if op[0] == '>' {
			h = hashPassword(op[1:])
		} else {
			if !validHash(op[1:]) {
				return aclErrBadMsg
			}
			h = op[1:]
		}
		found := false
		for _, p := range r.passwords {
			if p == h {
				found = true
			}
		}
		if !found {
			r.passwords = append(r.passwords, h)
		}
		r.flags &^= userNoPass
	case op[0] == '<' || op[0] == '!':
		var h string
		if op[0] == '<' {
			h = hashPassword(op[1:])
		} else {
			if !validHash(op[1:]) {
				return aclErrBadMsg
			}
			h = op[1:]
		}
		for i, p := range r.passwords {
			if p == h {
				r.passwords = append(r.passwords[:i:i], r.passwords[i+1:]...)
				return nil
			}
		}
		return aclErrNoDev
	case op[0] == '(' && op[len(op)-1] == ')':
		s := newSelector(0)
		// an unbalanced quote makes sdssplitargs fail: an empty selector
		args, _ := sds.SplitArgs(op[1 : len(op)-1])
		for _, a := range args {
			if err := s.apply(a); err != nil {
				return err
			}
		}
		r.selectors = append(r.selectors, s)
	case strings.EqualFold(op, "clearselectors"):
		r.selectors = r.selectors[:1]
	case strings.EqualFold(op, "reset"):
		for _, o := range []string{"resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload", "clearselectors", "-@all"} {
			r.apply(o)
		}
	default:
		return r.selectors[0].apply(op)
	}
	return nil
}

// aclUser is a user: its name and its current rules. Clients authenticated
// as the user keep a pointer to it, so that ACL SETUSER changes what they
// may do at once.
type aclUser struct {
	name    string
	rules   atomic.Pointer[aclRules]
	deleted atomic.Bool
}

// acl is the server's user table and ACL log.
type acl struct {
	mu    sync.Mutex
	users map[string]*aclUser
	def   *aclUser
	log   []*aclLogEntry
}

func newACL(requirepass string) *acl {
	a := &acl{users: map[string]*aclUser{}}
	r := newRules()
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		r.apply(op)
	}
	a.def = &aclUser{name: "default"}
	a.def.rules.Store(r.finish())
	a.users["default"] = a.def
	a.setDefaultPassword(requirepass)
	return a
}

// setDefaultPassword is ACLUpdateDefaultUserPassword (requirepass).
func (a *acl) setDefaultPassword(pass string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.def.rules.Load().clone()
	r.apply("resetpass")
	if pass != "" {
		r.apply(">" + pass)
	} else {
		r.apply("nopass")
	}
	a.def.rules.Store(r.finish())
}

func (a *acl) user(name string) *aclUser {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[name]
}

// mergeSelectorArgs is ACLMergeSelectorArguments: a selector spread over
// several arguments becomes one. It returns the index of an unmatched
// opening argument.
func mergeSelectorArgs(args []string) ([]string, int) {
	var out []string
	open := -1
	var cur string
	for j, op := range args {
		if len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			cur, open = op, j
			continue
		}
		if open >= 0 {
			cur += " " + op
			if len(op) > 0 && op[len(op)-1] == ')' {
				open = -1
				out = append(out, cur)
			}
			continue
		}
		out = append(out, op)
	}
	if open >= 0 {
		return nil, open
	}
	return out, -1
}

// setUser is ACLStringSetUser: every rule is applied to a copy, and the
// user changes (or is created) only if all are valid.
func (a *acl) setUser(name string, ops []string) string {
	merged, bad := mergeSelectorArgs(ops)
	if merged == nil && bad >= 0 {
		return "Unmatched parenthesis in acl selector starting at '" + ops[bad] + "'."
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[name]
	var r *aclRules
	if u != nil {
		r = u.rules.Load().clone()
	} else {
		r = newRules()
	}
	for _, op := range merged {
		if err := r.apply(op); err != nil {
			return "Error in ACL SETUSER modifier '" + op + "': " + err.Error()
		}
	}
	if u == nil {
		u = &aclUser{name: name}
		a.users[name] = u
	}
	u.rules.Store(r.finish())
	return ""
}

// names returns the user names in Redis's (rax) order.
func (a *acl) names() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.users))
	for n := range a.users {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// checkCredentials is ACLCheckUserCredentials.
func (a *acl) checkCredentials(name, pass string) *aclUser {
	u := a.user(name)
	if u == nil {
		return nil
	}
	r := u.rules.Load()
	if r.flags&userDisabled != 0 {
		return nil
	}
	if r.flags&userNoPass != 0 {
		return u
	}
	h := hashPassword(pass)
	for _, p := range r.passwords {
		if subtle.ConstantTimeCompare([]byte(h), []byte(p)) == 1 {
			return u
		}
	}
	return nil
}

// Permission checks.

// check is ACLCheckAllUserCommandPerm: ACL_OK if one selector allows the
// command, else the most relevant denial and the argument it is about.
func (r *aclRules) check(cmd *cmdtable.Command, argv []string) (int, int) {
	if r.open {
		return aclOK, 0
	}
	relevant, lastIdx := aclDeniedCmd, 0
	var keys []keyRef
	keysDone := false
	for _, s := range r.selectors {
		res, idx := s.checkCmd(cmd, argv, &keys, &keysDone)
		if res == aclOK {
			return aclOK, 0
		}
		if res > relevant || res == relevant && idx > lastIdx {
			relevant, lastIdx = res, idx
		}
	}
	return relevant, lastIdx
}

// checkCmd is ACLSelectorCheckCmd; the keys are computed once for all the
// selectors of a user.
func (s *aclSelector) checkCmd(cmd *cmdtable.Command, argv []string, keys *[]keyRef, keysDone *bool) (int, int) {
	if s.flags&selAllCommands == 0 && !cmd.Has(cmdtable.NoAuth) && !s.bit(cmd.ID) {
		allowed := s.firstArgs[cmd.ID]
		if len(argv) < 2 || allowed == nil {
			return aclDeniedCmd, 0
		}
		idx := 1
		if cmd.Parent != nil {
			idx = 2
		}
		ok := false
		for _, a := range allowed {
			if idx < len(argv) && strings.EqualFold(argv[idx], a) {
				ok = true
				break
			}
		}
		if !ok {
			return aclDeniedCmd, 0
		}
	}
	if s.flags&selAllKeys == 0 && commandHasKeys(cmd) {
		if !*keysDone {
			*keys = commandKeys(cmd, argv)
			*keysDone = true
		}
		for _, k := range *keys {
			if !s.keyAllowed(argv[k.pos], k.flags) {
				return aclDeniedKey, k.pos
			}
		}
	}
	if s.flags&selAllChannels == 0 {
		for _, ch := range commandChannels(cmd, argv) {
			if ch.flags&(chanPublish|chanSubscribe) == 0 {
				continue
			}
			if !channelAllowed(s.channels, argv[ch.pos], ch.flags&chanPattern != 0) {
				return aclDeniedChannel, ch.pos
			}
		}
	}
	return aclOK, 0
}

// keyAllowed is ACLSelectorCheckKey.
func (s *aclSelector) keyAllowed(key string, spec keyFlags) bool {
	if s.flags&selAllKeys != 0 {
		return true
	}
	need := 0
	if spec&keyAccess != 0 {
		need |= aclRead
	}
	if spec&(keyInsert|keyDelete|keyUpdate) != 0 {
		need |= aclWrite
	}
	for _, p := range s.patterns {
		if p.flags&need != need {
			continue
		}
		if glob.Match(p.pattern, key, false) {
			return true
		}
	}
	return false
}

// channelAllowed is ACLCheckChannelAgainstList: a channel pattern (as
// PSUBSCRIBE's) must equal an ACL pattern; a channel must match one.
func channelAllowed(list []string, ch string, isPattern bool) bool {
	for _, p := range list {
		if isPattern && p == ch || !isPattern && glob.Match(p, ch, false) {
			return true
		}
	}
	return false
}

// Descriptions (ACL LIST, ACL GETUSER).

// commandRules is ACLDescribeSelectorCommandRules: +@all or -@all, then
// the categories that best fit the bitmap, then single commands.
func (s *aclSelector) commandRules() string {
	var b strings.Builder
	fake := newSelector(0)
	additive := !s.bit(futureBit())
	if additive {
		b.WriteString("-@all ")
		fake.setAll(false)
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	temp := newSelector(0)
	copy(temp.bits, s.bits)
	cats := cmdtable.ACLCategoryNames()
	applied := make([]bool, len(cats))
	for {
		best, minDiff, maxSame := -1, int(^uint(0)>>1), 0
		for j := range cats {
			if applied[j] {
				continue
			}
			on, off := temp.countCategory(j)
			diff, same := on, off
			if additive {
				diff, same = off, on
			}
			if same > diff && (diff < minDiff || diff == minDiff && same > maxSame) {
				best, minDiff, maxSame = j, diff, same
			}
		}
		if best < 0 {
			break
		}
		fake.setCategory(best, additive)
		temp.setCategory(best, !additive)
		if additive {
			b.WriteString("+@")
		} else {
			b.WriteString("-@")
		}
		b.WriteString(cats[best])
		b.WriteByte(' ')
		applied[best] = true
	}
	s.singleCommandRules(fake, cmdtable.All(), &b)
	return strings.TrimSuffix(b.String(), " ")
}

func (s *aclSelector) countCategory(cat int) (on, off int) {
	var walk func(cmds []*cmdtable.Command)
	walk = func(cmds []*cmdtable.Command) {
		for _, c := range cmds {
			if c.ACLMask&(1<<cat) != 0 {
				if s.bit(c.ID) {
					on++
				} else {
					off++
				}
			}
			if subs := c.SubcommandList(); subs != nil {
				walk(subs)
			}
		}
	}
	walk(cmdtable.All())
	return on, off
}

// singleCommandRules is ACLDescribeSelectorCommandRulesSingleCommands.
func (s *aclSelector) singleCommandRules(fake *aclSelector, cmds []*cmdtable.Command, b *strings.Builder) {
	for _, c := range cmds {
		user, f := s.bit(c.ID), fake.bit(c.ID)
		if user != f {
			if user {
				b.WriteByte('+')
			} else {
				b.WriteByte('-')
			}
			b.WriteString(c.Name)
			b.WriteByte(' ')
			fake.changePerm(c, user)
		}
		if subs := c.SubcommandList(); subs != nil {
			s.singleCommandRules(fake, subs, b)
		}
		if !user {
			for _, a := range s.firstArgs[c.ID] {
				b.WriteString("+" + c.Name + "|" + a + " ")
			}
		}
	}
}

// describe is ACLDescribeSelector.
func (s *aclSelector) describe() string {
	var b strings.Builder
	if s.flags&selAllKeys != 0 {
		b.WriteString("~* ")
	} else {
		for _, p := range s.patterns {
			b.WriteString(p.String() + " ")
		}
	}
	if s.flags&selAllChannels != 0 {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.channels {
			b.WriteString("&" + c + " ")
		}
	}
	b.WriteString(s.commandRules())
	return b.String()
}

func (s *aclSelector) keysString() string {
	if s.flags&selAllKeys != 0 {
		return "~*"
	}
	parts := make([]string, len(s.patterns))
	for i, p := range s.patterns {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}

func (s *aclSelector) channelsString() string {
	if s.flags&selAllChannels != 0 {
		return "&*"
	}
	parts := make([]string, len(s.channels))
	for i, c := range s.channels {
		parts[i] = "&" + c
	}
	return strings.Join(parts, " ")
}

// describe is ACLDescribeUser.
func (r *aclRules) describe() string {
	var b strings.Builder
	for _, f := range userFlagNames {
		if r.flags&f.flag != 0 {
			b.WriteString(f.name + " ")
		}
	}
	for _, p := range r.passwords {
		b.WriteString("#" + p + " ")
	}
	for i, s := range r.selectors {
		if i == 0 {
			b.WriteString(s.describe())
		} else {
			b.WriteString(" (" + s.describe() + ")")
		}
	}
	return b.String()
}
