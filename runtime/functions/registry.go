package functions

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fnkit/fnkit/library"
)

// Context is a set of libraries and the functions they register (Redis's
// functionsLibCtx). Library names are case-sensitive; function names are
// unique across the context, ignoring case.
type Context struct {
	libs   map[string]*Library
	funcs  map[string]*Function // by lowercase name
	nfuncs int
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{libs: map[string]*Library{}, funcs: map[string]*Function{}}
}

// Library returns the library called name (exact case).
func (c *Context) Library(name string) (*Library, bool) {
	l, ok := c.libs[name]
	return l, ok
}

// Function returns the function called name, ignoring case.
func (c *Context) Function(name string) (*Function, bool) {
	f, ok := c.funcs[name]
	if !ok {
		f, ok = c.funcs[strings.ToLower(name)]
	}
	return f, ok
}

// Libraries returns the libraries ordered by name.
func (c *Context) Libraries() []*Library {
	out := make([]*Library, 0, len(c.libs))
	for _, l := range c.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LibraryCount returns the number of libraries.
func (c *Context) LibraryCount() int { return len(c.libs) }

// FunctionCount returns the number of functions of all libraries (as
// FUNCTION STATS counts them: names differing only in case inside one
// library count twice).
func (c *Context) FunctionCount() int { return c.nfuncs }

// Set returns the context's libraries as a library.Set.
func (c *Context) Set() *library.Set {
	s := &library.Set{}
	for _, l := range c.libs {
		s.Put(&library.Library{Name: l.Name, Engine: l.Engine.Name(), Code: l.Code, Origin: library.Origin{Format: "server", Offset: -1}})
	}
	return s
}

func (c *Context) link(l *Library) {
	for _, f := range l.order {
		if key := strings.ToLower(f.Name); c.funcs[key] == nil {
			c.funcs[key] = f
		}
	}
	c.libs[l.Name] = l
	c.nfuncs += len(l.order)
}

func (c *Context) unlink(l *Library) {
	for _, f := range l.order {
		if key := strings.ToLower(f.Name); c.funcs[key] != nil && c.funcs[key].Library == l {
			delete(c.funcs, key)
		}
	}
	delete(c.libs, l.Name)
	c.nfuncs -= len(l.order)
}

func (c *Context) free() {
	for _, l := range c.libs {
		l.Engine.Free(l)
	}
	c.libs, c.funcs, c.nfuncs = map[string]*Library{}, map[string]*Function{}, 0
}

// Registry holds the engines and the current library context (Redis's
// engines dict and curr_functions_lib_ctx).
type Registry struct {
	engines map[string]Engine // by upper-case name
	cur     *Context
}

// NewRegistry returns a registry with the given engines and no libraries.
func NewRegistry(engines ...Engine) *Registry {
	r := &Registry{engines: map[string]Engine{}, cur: NewContext()}
	for _, e := range engines {
		r.engines[strings.ToUpper(e.Name())] = e
	}
	return r
}

// Current returns the current context.
func (r *Registry) Current() *Context { return r.cur }

// Engines returns the engines ordered by name.
func (r *Registry) Engines() []Engine {
	out := make([]Engine, 0, len(r.engines))
	for _, e := range r.engines {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// Create creates the library in code inside into, exactly as Redis's
// functionsCreateWithLibraryCtx: metadata, name and engine checks, the
// existing-library check (a same-name library is unlinked first when
// replace is set, and linked back on any failure), compile and run, at
// least one function, no function name used by another library. ctx and
// timeout bound the run of the top-level code (timeout 0: no Redis
// timeout).
func (r *Registry) Create(ctx context.Context, into *Context, code string, replace bool, timeout time.Duration) (*Library, error) {
	md, err := library.ParseMetadata(code)
	if err != nil {
		return nil, errorf(err.Error())
	}
	eng, ok := r.engines[md.Engine]
	if !ok {
		return nil, errorf(fmt.Sprintf("Engine '%s' not found", md.Engine))
	}
	old, exists := into.libs[md.Name]
	if exists && !replace {
		return nil, errorf(fmt.Sprintf("Library '%s' already exists", md.Name))
	}
	if exists {
		into.unlink(old)
	}
	lib := NewLibrary(md.Name, eng, code)
	fail := func(err error) (*Library, error) {
		eng.Free(lib)
		if exists {
			into.link(old)
		}
		return nil, err
	}
	if err := eng.Create(ctx, lib, md.Body, timeout); err != nil {
		return fail(err)
	}
	if len(lib.order) == 0 {
		return fail(errorf("No functions registered"))
	}
	for _, f := range lib.order {
		if _, ok := into.funcs[strings.ToLower(f.Name)]; ok {
			return fail(errorf(fmt.Sprintf("Function %s already exists", f.Name)))
		}
	}
	into.link(lib)
	if exists {
		eng.Free(old)
	}
	return lib, nil
}

// Load is FUNCTION LOAD [REPLACE] into the current context; it returns the
// library name.
func (r *Registry) Load(ctx context.Context, code string, replace bool, timeout time.Duration) (string, error) {
	lib, err := r.Create(ctx, r.cur, code, replace, timeout)
	if err != nil {
		return "", err
	}
	return lib.Name, nil
}

// Delete is FUNCTION DELETE.
func (r *Registry) Delete(name string) error {
	l, ok := r.cur.libs[name]
	if !ok {
		return errorf("Library not found")
	}
	r.cur.unlink(l)
	l.Engine.Free(l)
	return nil
}

// Flush is FUNCTION FLUSH: every library is removed.
func (r *Registry) Flush() { r.cur.free() }

// RestorePolicy is FUNCTION RESTORE's policy argument.
type RestorePolicy int

// The restore policies.
const (
	RestoreAppend RestorePolicy = iota
	RestoreReplace
	RestoreFlush
)

// ParseRestorePolicy parses FLUSH, APPEND or REPLACE, case-insensitively.
func ParseRestorePolicy(s string) (RestorePolicy, bool) {
	switch strings.ToUpper(s) {
	case "APPEND":
		return RestoreAppend, true
	case "REPLACE":
		return RestoreReplace, true
	case "FLUSH":
		return RestoreFlush, true
	}
	return 0, false
}

// Restore is FUNCTION RESTORE after the payload was decoded: every library
// is created in a temporary context (no library twice, no function twice),
// then joined into the current one under policy, all or nothing.
func (r *Registry) Restore(ctx context.Context, codes []string, policy RestorePolicy, timeout time.Duration) error {
	return r.RestoreThen(ctx, codes, policy, timeout, nil)
}

// RestoreThen is Restore for a payload that the caller found invalid after
// codes: the libraries in codes are created first (their errors win, as
// Redis creates each library as it reads the payload), then failure, when
// not nil, is returned and nothing changes.
func (r *Registry) RestoreThen(ctx context.Context, codes []string, policy RestorePolicy, timeout time.Duration, failure error) error {
	tmp := NewContext()
	for _, code := range codes {
		if _, err := r.Create(ctx, tmp, code, false, timeout); err != nil {
			tmp.free()
			return err
		}
	}
	if failure != nil {
		tmp.free()
		return failure
	}
	if policy == RestoreFlush {
		old := r.cur
		r.cur = tmp
		old.free()
		return nil
	}
	if err := r.join(tmp, policy == RestoreReplace); err != nil {
		tmp.free()
		return err
	}
	return nil
}

// join is Redis's libraryJoin: move src's libraries into the current
// context; with replace, same-name libraries are replaced.
func (r *Registry) join(src *Context, replace bool) error {
	dst := r.cur
	var replaced []*Library
	undo := func() {
		for _, l := range replaced {
			dst.link(l)
		}
	}
	for _, l := range src.Libraries() {
		old, ok := dst.libs[l.Name]
		if !ok {
			continue
		}
		if !replace {
			undo()
			return errorf(fmt.Sprintf("Library %s already exists", l.Name))
		}
		dst.unlink(old)
		replaced = append(replaced, old)
	}
	for _, l := range src.Libraries() {
		for _, f := range l.order {
			if _, ok := dst.funcs[strings.ToLower(f.Name)]; ok {
				undo()
				return errorf(fmt.Sprintf("Function %s already exists", f.Name))
			}
		}
	}
	for _, l := range src.Libraries() {
		dst.link(l)
	}
	src.libs, src.funcs, src.nfuncs = map[string]*Library{}, map[string]*Function{}, 0
	for _, l := range replaced {
		l.Engine.Free(l)
	}
	return nil
}
