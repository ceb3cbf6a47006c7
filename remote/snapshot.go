package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/fnkit/fnkit/library"
)

// Function is one function as FUNCTION LIST reports it.
type Function struct {
	Name string `json:"name"`
	// Description is nil when the library gave none.
	Description *string  `json:"description"`
	Flags       []string `json:"flags"`
}

// Snapshot is a server's libraries at one instant: FUNCTION DUMP and
// FUNCTION LIST WITHCODE run inside one MULTI/EXEC, so both describe the
// same state.
type Snapshot struct {
	// Addr is the server's host:port.
	Addr string
	// Payload is the FUNCTION DUMP reply, byte for byte.
	Payload []byte
	// Libraries is FUNCTION LIST WITHCODE as a set; each library's origin
	// is the server ("server" format).
	Libraries *library.Set
	// Functions lists each library's functions, by library name.
	Functions map[string][]Function
}

// Snapshot reads the server's FUNCTION DUMP and FUNCTION LIST WITHCODE
// atomically: inside one MULTI/EXEC, or, when the server refuses to queue
// them (a server over maxmemory rejects every command inside MULTI), as
// DUMP, LIST, DUMP until both dumps agree.
func (n *Node) Snapshot(ctx context.Context) (*Snapshot, error) {
	payload, raw, err := n.snapshotMulti(ctx)
	if err != nil && ReplyError(err) != "" {
		payload, raw, err = n.snapshotSeq(ctx)
	}
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Addr: n.Addr(), Payload: payload}
	s.Libraries, s.Functions, err = parseFunctionList(raw, library.Origin{Path: n.Addr(), Format: "server", Offset: -1})
	if err != nil {
		return nil, n.nodeErr("FUNCTION LIST", err)
	}
	return s, nil
}

func (n *Node) snapshotMulti(ctx context.Context) ([]byte, any, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	var dump, list *redis.Cmd
	_, err := n.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		dump = p.Do(ctx, "FUNCTION", "DUMP")
		list = p.Do(ctx, "FUNCTION", "LIST", "WITHCODE")
		return nil
	})
	if err != nil {
		if ReplyError(err) != "" {
			return nil, nil, err
		}
		return nil, nil, n.nodeErr("FUNCTION DUMP", err)
	}
	payload, err := dump.Text()
	if err != nil {
		return nil, nil, n.nodeErr("FUNCTION DUMP", err)
	}
	raw, err := list.Result()
	if err != nil {
		return nil, nil, n.nodeErr("FUNCTION LIST", err)
	}
	return []byte(payload), raw, nil
}

func (n *Node) snapshotSeq(ctx context.Context) ([]byte, any, error) {
	for attempt := 0; ; attempt++ {
		d1, err := n.Dump(ctx)
		if err != nil {
			return nil, nil, err
		}
		raw, err := n.do(ctx, "FUNCTION LIST", "FUNCTION", "LIST", "WITHCODE")
		if err != nil {
			return nil, nil, err
		}
		d2, err := n.Dump(ctx)
		if err != nil {
			return nil, nil, err
		}
		if string(d1) == string(d2) {
			return d2, raw, nil
		}
		if attempt == 4 {
			return nil, nil, n.nodeErr("FUNCTION DUMP", errors.New("the libraries kept changing while being read"))
		}
	}
}

// List reads FUNCTION LIST WITHCODE.
func (n *Node) List(ctx context.Context) (*library.Set, map[string][]Function, error) {
	raw, err := n.do(ctx, "FUNCTION LIST", "FUNCTION", "LIST", "WITHCODE")
	if err != nil {
		return nil, nil, err
	}
	set, fns, err := parseFunctionList(raw, library.Origin{Path: n.Addr(), Format: "server", Offset: -1})
	if err != nil {
		return nil, nil, n.nodeErr("FUNCTION LIST", err)
	}
	return set, fns, nil
}

// Dump runs FUNCTION DUMP.
func (n *Node) Dump(ctx context.Context) ([]byte, error) {
	v, err := n.do(ctx, "FUNCTION DUMP", "FUNCTION", "DUMP")
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, n.nodeErr("FUNCTION DUMP", fmt.Errorf("unexpected reply %T", v))
	}
	return []byte(s), nil
}

// Restore runs FUNCTION RESTORE payload with the mode's policy (APPEND,
// REPLACE or FLUSH). A refusal is a *NodeError wrapping ErrServer with
// Redis's message.
func (n *Node) Restore(ctx context.Context, payload []byte, mode library.RestoreMode) error {
	_, err := n.do(ctx, "FUNCTION RESTORE", "FUNCTION", "RESTORE", string(payload), policyWord(mode))
	return err
}

func policyWord(m library.RestoreMode) string {
	switch m {
	case library.RestoreReplace:
		return "REPLACE"
	case library.RestoreFlush:
		return "FLUSH"
	}
	return "APPEND"
}

var errListShape = errors.New("unexpected FUNCTION LIST reply")

// parseFunctionList reads a RESP2 FUNCTION LIST WITHCODE reply.
func parseFunctionList(raw any, origin library.Origin) (*library.Set, map[string][]Function, error) {
	libs, ok := raw.([]any)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %T", errListShape, raw)
	}
	set := &library.Set{}
	fns := map[string][]Function{}
	for i, l := range libs {
		fields, err := pairs(l)
		if err != nil {
			return nil, nil, fmt.Errorf("library %d: %w", i, err)
		}
		name, _ := fields["library_name"].(string)
		code, ok := fields["library_code"].(string)
		if !ok {
			return nil, nil, fmt.Errorf("%w: library %q has no library_code", errListShape, name)
		}
		lib, err := library.New(code, origin)
		if err != nil {
			return nil, nil, fmt.Errorf("library %q: %w", name, err)
		}
		if lib.Name != name {
			return nil, nil, fmt.Errorf("%w: library_name %q but the code declares %q", errListShape, name, lib.Name)
		}
		if err := set.Add(lib); err != nil {
			return nil, nil, err
		}
		list, _ := fields["functions"].([]any)
		out := make([]Function, 0, len(list))
		for _, f := range list {
			ff, err := pairs(f)
			if err != nil {
				return nil, nil, fmt.Errorf("library %q: %w", name, err)
			}
			fn := Function{Flags: []string{}}
			fn.Name, _ = ff["name"].(string)
			if d, ok := ff["description"].(string); ok {
				fn.Description = &d
			}
			flags, _ := ff["flags"].([]any)
			for _, fl := range flags {
				if s, ok := fl.(string); ok {
					fn.Flags = append(fn.Flags, s)
				}
			}
			out = append(out, fn)
		}
		fns[name] = out
	}
	return set, fns, nil
}

func pairs(v any) (map[string]any, error) {
	switch t := v.(type) {
	case []any:
		if len(t)%2 != 0 {
			return nil, fmt.Errorf("%w: odd-length map", errListShape)
		}
		m := make(map[string]any, len(t)/2)
		for i := 0; i < len(t); i += 2 {
			k, ok := t[i].(string)
			if !ok {
				return nil, fmt.Errorf("%w: map key %T", errListShape, t[i])
			}
			m[k] = t[i+1]
		}
		return m, nil
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("%w: map key %T", errListShape, k)
			}
			m[ks] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: %T where a map was expected", errListShape, v)
}
