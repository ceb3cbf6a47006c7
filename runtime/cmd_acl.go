package runtime

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// ACL commands and the permission checks of commands run by clients, by
// EXEC and by functions, as Redis 7.0.15's acl.c, server.c, multi.c and
// script.c.

// setDefaultAuth is clientSetDefaultAuth: a new (or RESET) connection is
// the default user, authenticated when that user needs no password.
func (s *Server) setDefaultAuth(c *client) {
	c.user = s.acl.def
	r := c.user.rules.Load()
	c.authed = r.flags&userNoPass != 0 && r.flags&userDisabled == 0
}

// authRequired is Redis's authRequired: the client has not authenticated
// and the default user needs a password (or is disabled).
func (s *Server) authRequired(c *client) bool {
	if c.authed {
		return false
	}
	r := s.acl.def.rules.Load()
	return r.flags&userNoPass == 0 || r.flags&userDisabled != 0
}

// authenticate is ACLAuthenticateUser: on success the connection becomes
// the user; a failure is logged in the ACL log.
func (s *Server) authenticate(c *client, user, pass string, argv0 string) bool {
	if u := s.acl.checkCredentials(user, pass); u != nil {
		c.user = u
		c.authed = true
		return true
	}
	ctx := "toplevel"
	if c.multi != nil {
		ctx = "multi"
	}
	s.acl.addLog(c, aclDeniedAuth, ctx, argv0, user)
	return false
}

// defaultNoPass reports whether the default user has the nopass flag.
func (s *Server) defaultNoPass() bool {
	return s.acl.def.rules.Load().flags&userNoPass != 0
}

// aclDenied is processCommand's ACL check: "" when c may run the command,
// otherwise the error reply (the denial is logged).
func (s *Server) aclDenied(c *client, cmd *cmdtable.Command, argv []string) string {
	u := c.user
	if u == nil {
		return ""
	}
	r := u.rules.Load()
	if r.open && !u.deleted.Load() {
		return ""
	}
	if u.deleted.Load() {
		// ACL DELUSER closed the connection; commands it had already
		// sent do not run
		c.closing = true
		return "-NOPERM this user has no permissions to run the '" + cmd.Name + "' command"
	}
	res, idx := r.check(cmd, argv)
	if res == aclOK {
		return ""
	}
	ctx := "toplevel"
	if c.multi != nil {
		ctx = "multi"
	}
	s.acl.addLog(c, res, ctx, aclLogObject(res, cmd, argv, idx), u.name)
	switch res {
	case aclDeniedCmd:
		return "-NOPERM this user has no permissions to run the '" + cmd.Name + "' command"
	case aclDeniedKey:
		return "-NOPERM this user has no permissions to access one of the keys used as arguments"
	case aclDeniedChannel:
		return "-NOPERM this user has no permissions to access one of the channels used as arguments"
	}
	return "no permission"
}

// aclExecDenied is EXEC's check of a queued command (the rules may have
// changed since it was queued).
func (s *Server) aclExecDenied(c *client, cmd *cmdtable.Command, argv []string) string {
	u := c.user
	if u == nil {
		return ""
	}
	r := u.rules.Load()
	if r.open {
		return ""
	}
	res, idx := r.check(cmd, argv)
	if res == aclOK {
		return ""
	}
	s.acl.addLog(c, res, "multi", aclLogObject(res, cmd, argv, idx), u.name)
	reason := "no permission"
	switch res {
	case aclDeniedCmd:
		reason = "no permission to execute the command or subcommand"
	case aclDeniedKey:
		reason = "no permission to touch the specified keys"
	case aclDeniedChannel:
		reason = "no permission to access one of the channels used as arguments"
	}
	return "-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason
}

// aclScriptDenied is scriptVerifyACL: redis.call and redis.pcall run with
// the permissions of the client that called the function.
func (s *Server) aclScriptDenied(caller *client, cmd *cmdtable.Command, argv []string) string {
	if caller == nil || caller.user == nil {
		return ""
	}
	u := caller.user
	r := u.rules.Load()
	if r.open {
		return ""
	}
	res, idx := r.check(cmd, argv)
	if res == aclOK {
		return ""
	}
	s.acl.addLog(caller, res, "lua", aclLogObject(res, cmd, argv, idx), u.name)
	return "ERR The user executing the script " + aclErrorMessage(res)
}

// aclScriptCheck answers redis.acl_check_cmd for the function's caller.
func (s *Server) aclScriptCheck(caller *client, argv []string) (bool, error) {
	cmd := cmdtable.LookupArgv(argv)
	if cmd == nil {
		return false, fmt.Errorf("Invalid command passed to redis.acl_check_cmd()")
	}
	if caller == nil || caller.user == nil {
		return true, nil
	}
	res, _ := caller.user.rules.Load().check(cmd, argv)
	return res == aclOK, nil
}

// aclErrorMessage is getAclErrorMessage.
func aclErrorMessage(res int) string {
	switch res {
	case aclDeniedCmd:
		return "can't run this command or subcommand"
	case aclDeniedKey:
		return "can't access at least one of the keys mentioned in the command arguments"
	case aclDeniedChannel:
		return "can't publish to the channel mentioned in the command"
	}
	return "lacking the permissions for the command"
}

func aclLogObject(res int, cmd *cmdtable.Command, argv []string, idx int) string {
	switch res {
	case aclDeniedCmd:
		return cmd.Name
	case aclDeniedKey, aclDeniedChannel:
		if idx < len(argv) {
			return argv[idx]
		}
	}
	return ""
}

// The ACL log.

// aclLogMaxLen is acllog-max-len's default.
const aclLogMaxLen = 128

type aclLogEntry struct {
	count    int64
	reason   int
	context  string
	object   string
	username string
	ctime    time.Time
	cinfo    string
}

// addLog is addACLLogEntry: a denial like one of the last ten (same
// reason, context, object and user, within a minute) bumps its count.
func (a *acl) addLog(c *client, reason int, context, object, username string) {
	cinfo := ""
	if c != nil {
		cinfo = c.info()
	}
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := 0; i < len(a.log) && i < 10; i++ {
		e := a.log[i]
		d := now.Sub(e.ctime)
		if d < 0 {
			d = -d
		}
		if e.reason == reason && e.context == context && d <= time.Minute && e.object == object && e.username == username {
			e.cinfo, e.ctime = cinfo, now
			e.count++
			copy(a.log[1:i+1], a.log[:i])
			a.log[0] = e
			return
		}
	}
	e := &aclLogEntry{count: 1, reason: reason, context: context, object: object, username: username, ctime: now, cinfo: cinfo}
	a.log = append([]*aclLogEntry{e}, a.log...)
	if len(a.log) > aclLogMaxLen {
		a.log = a.log[:aclLogMaxLen]
	}
}

// Commands.

func cmdACLSetUser(s *Server, c *client, argv []string) {
	name := argv[2]
	if hasSpaces(name) {
		c.writeError("Usernames can't contain spaces or null characters")
		return
	}
	if err := s.acl.setUser(name, argv[3:]); err != "" {
		c.writeError(err)
		return
	}
	c.writeOK()
}

func cmdACLDelUser(s *Server, c *client, argv []string) {
	for _, n := range argv[2:] {
		if n == "default" {
			c.writeError("The 'default' user cannot be removed")
			return
		}
	}
	var gone []*aclUser
	s.acl.mu.Lock()
	for _, n := range argv[2:] {
		if u, ok := s.acl.users[n]; ok {
			delete(s.acl.users, n)
			u.deleted.Store(true)
			gone = append(gone, u)
		}
	}
	s.acl.mu.Unlock()
	// ACLFreeUserAndKillClients: connections of a deleted user are closed
	// (the current one after this reply)
	for _, u := range gone {
		for _, cl := range s.clientList() {
			if cl.user != u {
				continue
			}
			if cl == c {
				c.closing = true
			} else if cl.conn != nil {
				cl.conn.Close()
			}
		}
	}
	c.writeInt(int64(len(gone)))
}

func selectorReply(sel *aclSelector) []resp.Value {
	return []resp.Value{
		resp.Bulk("commands"), resp.Bulk(sel.commandRules()),
		resp.Bulk("keys"), resp.Bulk(sel.keysString()),
		resp.Bulk("channels"), resp.Bulk(sel.channelsString()),
	}
}

func cmdACLGetUser(s *Server, c *client, argv []string) {
	u := s.acl.user(argv[2])
	if u == nil {
		c.writeNull()
		return
	}
	r := u.rules.Load()
	flags := resp.Value{Kind: resp.Set, Elems: []resp.Value{}}
	for _, f := range userFlagNames {
		if r.flags&f.flag != 0 {
			flags.Elems = append(flags.Elems, resp.Bulk(f.name))
		}
	}
	pw := resp.Arr()
	for _, p := range r.passwords {
		pw.Elems = append(pw.Elems, resp.Bulk(p))
	}
	out := []resp.Value{resp.Bulk("flags"), flags, resp.Bulk("passwords"), pw}
	out = append(out, selectorReply(r.selectors[0])...)
	sels := resp.Arr()
	for _, sel := range r.selectors[1:] {
		sels.Elems = append(sels.Elems, resp.Value{Kind: resp.Map, Elems: selectorReply(sel)})
	}
	out = append(out, resp.Bulk("selectors"), sels)
	c.writeValue(resp.Value{Kind: resp.Map, Elems: out})
}

func cmdACLList(s *Server, c *client, argv []string) {
	out := resp.Arr()
	for _, n := range s.acl.names() {
		if u := s.acl.user(n); u != nil {
			out.Elems = append(out.Elems, resp.Bulk("user "+n+" "+u.rules.Load().describe()))
		}
	}
	c.writeValue(out)
}

func cmdACLUsers(s *Server, c *client, argv []string) {
	out := resp.Arr()
	for _, n := range s.acl.names() {
		out.Elems = append(out.Elems, resp.Bulk(n))
	}
	c.writeValue(out)
}

func cmdACLWhoami(s *Server, c *client, argv []string) {
	if c.user == nil {
		c.writeNull()
		return
	}
	c.writeBulk(c.user.name)
}

func cmdACLCat(s *Server, c *client, argv []string) {
	switch len(argv) {
	case 2:
		out := resp.Arr()
		for _, n := range cmdtable.ACLCategoryNames() {
			out.Elems = append(out.Elems, resp.Bulk(n))
		}
		c.writeValue(out)
	case 3:
		cat := categoryIndex(argv[2])
		if cat < 0 {
			c.writeError("Unknown category '" + trunc(argv[2], 128) + "'")
			return
		}
		out := resp.Arr()
		var walk func(cmds []*cmdtable.Command)
		walk = func(cmds []*cmdtable.Command) {
			for _, cmd := range cmds {
				if cmd.ACLMask&(1<<cat) != 0 {
					out.Elems = append(out.Elems, resp.Bulk(cmd.Name))
				}
				walk(cmd.SubcommandList())
			}
		}
		walk(cmdtable.All())
		c.writeValue(out)
	default:
		c.writeError(subcommandSyntaxError(argv))
	}
}

func cmdACLDryRun(s *Server, c *client, argv []string) {
	u := s.acl.user(argv[2])
	if u == nil {
		c.writeError("User '" + argv[2] + "' not found")
		return
	}
	args := argv[3:]
	cmd := cmdtable.LookupArgv(args)
	if cmd == nil {
		c.writeError("Command '" + args[0] + "' not found")
		return
	}
	if !cmd.ArityOK(len(args)) {
		c.writeError("wrong number of arguments for '" + cmd.Name + "' command")
		return
	}
	res, idx := u.rules.Load().check(cmd, args)
	switch res {
	case aclOK:
		c.writeOK()
	case aclDeniedCmd:
		c.writeBulk("This user has no permissions to run the '" + cmd.Name + "' command")
	case aclDeniedKey:
		c.writeBulk("This user has no permissions to access the '" + args[idx] + "' key")
	case aclDeniedChannel:
		c.writeBulk("This user has no permissions to access the '" + args[idx] + "' channel")
	}
}

func cmdACLLog(s *Server, c *client, argv []string) {
	if len(argv) > 3 {
		c.writeError(subcommandSyntaxError(argv))
		return
	}
	count := int64(10)
	if len(argv) == 3 {
		if strings.EqualFold(argv[2], "reset") {
			s.acl.mu.Lock()
			s.acl.log = nil
			s.acl.mu.Unlock()
			c.writeOK()
			return
		}
		n, ok := sds.ParseLongLong(argv[2])
		if !ok {
			c.writeError("value is not an integer or out of range")
			return
		}
		count = n
		if count < 0 {
			count = 0
		}
	}
	s.acl.mu.Lock()
	if count > int64(len(s.acl.log)) {
		count = int64(len(s.acl.log))
	}
	entries := append([]*aclLogEntry(nil), s.acl.log[:count]...)
	copies := make([]aclLogEntry, len(entries))
	for i, e := range entries {
		copies[i] = *e
	}
	s.acl.mu.Unlock()
	now := time.Now()
	out := resp.Arr()
	reasons := map[int]string{aclDeniedCmd: "command", aclDeniedKey: "key", aclDeniedChannel: "channel", aclDeniedAuth: "auth"}
	for _, e := range copies {
		age := float64(now.Sub(e.ctime).Milliseconds()) / 1000
		out.Elems = append(out.Elems, resp.Value{Kind: resp.Map, Elems: []resp.Value{
			resp.Bulk("count"), resp.Int(e.count),
			resp.Bulk("reason"), resp.Bulk(reasons[e.reason]),
			resp.Bulk("context"), resp.Bulk(e.context),
			resp.Bulk("object"), resp.Bulk(e.object),
			resp.Bulk("username"), resp.Bulk(e.username),
			resp.Bulk("age-seconds"), {Kind: resp.Double, Str: strconv.FormatFloat(age, 'g', 17, 64)},
			resp.Bulk("client-info"), resp.Bulk(e.cinfo),
		}})
	}
	c.writeValue(out)
}

func cmdACLGenPass(s *Server, c *client, argv []string) {
	if len(argv) > 3 {
		c.writeError(subcommandSyntaxError(argv))
		return
	}
	bits := int64(256)
	if len(argv) == 3 {
		n, ok := sds.ParseLongLong(argv[2])
		if !ok {
			c.writeError("value is not an integer or out of range")
			return
		}
		bits = n
	}
	if bits <= 0 || bits > 4096 {
		c.writeError("ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
		return
	}
	chars := (bits + 3) / 4
	buf := make([]byte, (chars+1)/2)
	rand.Read(buf)
	c.writeBulk(hex.EncodeToString(buf)[:chars])
}

func cmdACLLoadSave(s *Server, c *client, argv []string) {
	c.writeError("This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
}

func cmdACLHelp(s *Server, c *client, argv []string) {
	writeHelp(c, "ACL", []string{
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.",
	})
}

// userName is the client's user for CLIENT LIST.
func (c *client) userName() string {
	if c.user == nil {
		return "default"
	}
	return c.user.name
}
