package library

import (
	"fmt"
	"sort"
	"strings"
)

// Set is a collection of libraries keyed by name. Library names are
// case-sensitive, as in Redis. Iteration order is stable: by name, in byte
// order. The zero value is an empty set ready to use.
type Set struct {
	libs map[string]*Library
}

// NewSet returns a set holding libs. A later library replaces an earlier one
// of the same name.
func NewSet(libs ...*Library) *Set {
	s := &Set{}
	for _, l := range libs {
		s.Put(l)
	}
	return s
}

// Len returns the number of libraries in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.libs)
}

// Get returns the library called name.
func (s *Set) Get(name string) (*Library, bool) {
	if s == nil {
		return nil, false
	}
	l, ok := s.libs[name]
	return l, ok
}

// Add inserts l, failing with Redis's FUNCTION LOAD error when a library of
// the same name is already present.
func (s *Set) Add(l *Library) error {
	if _, ok := s.Get(l.Name); ok {
		return &Error{Msg: fmt.Sprintf("Library '%s' already exists", l.Name)}
	}
	s.Put(l)
	return nil
}

// Put inserts l, replacing any library of the same name.
func (s *Set) Put(l *Library) {
	if s.libs == nil {
		s.libs = make(map[string]*Library)
	}
	s.libs[l.Name] = l
}

// Delete removes the library called name and reports whether it was there.
func (s *Set) Delete(name string) bool {
	if _, ok := s.Get(name); !ok {
		return false
	}
	delete(s.libs, name)
	return true
}

// Names returns the library names in order.
func (s *Set) Names() []string {
	names := make([]string, 0, s.Len())
	if s != nil {
		for n := range s.libs {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Libraries returns the libraries ordered by name.
func (s *Set) Libraries() []*Library {
	out := make([]*Library, 0, s.Len())
	for _, n := range s.Names() {
		out = append(out, s.libs[n])
	}
	return out
}

// Clone returns a copy of the set that shares the (immutable) libraries.
func (s *Set) Clone() *Set {
	c := &Set{}
	if s != nil {
		for _, l := range s.libs {
			c.Put(l)
		}
	}
	return c
}

// Equal reports whether s and o hold the same library names with
// byte-identical code (origins are ignored).
func (s *Set) Equal(o *Set) bool {
	if s.Len() != o.Len() {
		return false
	}
	for _, l := range s.Libraries() {
		m, ok := o.Get(l.Name)
		if !ok || m.Code != l.Code {
			return false
		}
	}
	return true
}

// String lists the library names, for messages and debugging.
func (s *Set) String() string {
	return "[" + strings.Join(s.Names(), " ") + "]"
}
