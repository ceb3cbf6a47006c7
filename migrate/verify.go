package migrate

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime"
)

// ErrLoad is wrapped by Verify when the library would not load; the message
// is the error reply FUNCTION LOAD gives.
var ErrLoad = errors.New("FUNCTION LOAD fails")

// Verify loads the library in a fresh fnkit runtime (Redis 7.0.15's rules
// and load timeout) and checks that it registers exactly the functions of
// the result, with their flags. When the runtime refuses the library the
// error wraps ErrLoad and quotes the reply Redis would send to FUNCTION
// LOAD.
func (r *Result) Verify() error {
	if r.Code == "" {
		return errors.New("no library to verify")
	}
	srv, err := runtime.New(runtime.Config{Log: io.Discard})
	if err != nil {
		return err
	}
	defer srv.Close()
	if v := srv.Do("FUNCTION", "LOAD", r.Code); v.IsError() {
		return fmt.Errorf("%w: -%s", ErrLoad, v.Str)
	}
	list := srv.Do("FUNCTION", "LIST", "LIBRARYNAME", r.Library)
	if list.IsError() || len(list.Elems) != 1 {
		return fmt.Errorf("FUNCTION LIST after loading: %v", list)
	}
	got := map[string]string{}
	for _, f := range field(list.Elems[0], "functions").Elems {
		var flags []string
		for _, fl := range field(f, "flags").Elems {
			flags = append(flags, fl.Str)
		}
		got[field(f, "name").Str] = strings.Join(flags, ",")
	}
	if len(got) != len(r.Functions) {
		return fmt.Errorf("the runtime registered %d functions, the migration made %d", len(got), len(r.Functions))
	}
	for _, f := range r.Functions {
		flags, ok := got[f.Name]
		if !ok || flags != strings.Join(f.Flags, ",") {
			return fmt.Errorf("the runtime registered %s with flags [%s], the migration made it with [%s]", f.Name, flags, strings.Join(f.Flags, ","))
		}
	}
	return nil
}

// field returns the value of key in a RESP2 map reply (a flat array).
func field(m resp.Value, key string) resp.Value {
	for i := 0; i+1 < len(m.Elems); i += 2 {
		if m.Elems[i].Str == key {
			return m.Elems[i+1]
		}
	}
	return resp.Value{}
}
