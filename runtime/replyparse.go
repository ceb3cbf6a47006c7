package runtime

import (
	"errors"
	"strconv"

	"github.com/fnkit/fnkit/resp"
)

var errReply = errors.New("runtime: malformed reply")

// parseReply decodes one RESP2/RESP3 value at the start of b (a reply
// produced in-process) and returns it with the number of bytes it used.
func parseReply(b []byte) (resp.Value, int, error) {
	return parseAt(b, 0, 0)
}

// lineString returns a status line's text; the commonest ("OK", "QUEUED")
// without allocating.
func lineString(line []byte) string {
	switch string(line) {
	case "OK":
		return "OK"
	case "QUEUED":
		return "QUEUED"
	}
	return string(line)
}

func lineEnd(b []byte, i int) (int, error) {
	for j := i; j+1 < len(b); j++ {
		if b[j] == '\r' && b[j+1] == '\n' {
			return j, nil
		}
	}
	return 0, errReply
}

func parseAt(b []byte, i, depth int) (resp.Value, int, error) {
	if i >= len(b) || depth > 1000 {
		return resp.Value{}, 0, errReply
	}
	e, err := lineEnd(b, i+1)
	if err != nil {
		return resp.Value{}, 0, err
	}
	kind := resp.Kind(b[i])
	line := b[i+1 : e]
	next := e + 2
	switch kind {
	case resp.SimpleString, resp.Error, resp.BigNumber, resp.Double:
		return resp.Value{Kind: kind, Str: lineString(line)}, next, nil
	case resp.Integer:
		n, err := strconv.ParseInt(string(line), 10, 64)
		if err != nil {
			return resp.Value{}, 0, errReply
		}
		return resp.Int(n), next, nil
	case resp.Null:
		return resp.Value{Kind: resp.Null}, next, nil
	case resp.Boolean:
		return resp.Value{Kind: resp.Boolean, Bool: string(line) == "t"}, next, nil
	case resp.BulkString, resp.BlobError, resp.Verbatim:
		n, err := strconv.Atoi(string(line))
		if err != nil {
			return resp.Value{}, 0, errReply
		}
		if n < 0 {
			return resp.NullBulk(), next, nil
		}
		if next+n+2 > len(b) {
			return resp.Value{}, 0, errReply
		}
		s := string(b[next : next+n])
		if kind == resp.Verbatim && len(s) >= 4 {
			return resp.Value{Kind: kind, Format: s[:3], Str: s[4:]}, next + n + 2, nil
		}
		if kind == resp.BlobError {
			kind = resp.Error
		}
		return resp.Value{Kind: kind, Str: s}, next + n + 2, nil
	case resp.Array, resp.Set, resp.Map, resp.Push, resp.Attribute:
		n, err := strconv.Atoi(string(line))
		if err != nil {
			return resp.Value{}, 0, errReply
		}
		if n < 0 {
			return resp.NullArray(), next, nil
		}
		if kind == resp.Map || kind == resp.Attribute {
			n *= 2
		}
		v := resp.Value{Kind: kind, Elems: make([]resp.Value, 0, n)}
		for k := 0; k < n; k++ {
			el, nx, err := parseAt(b, next, depth+1)
			if err != nil {
				return resp.Value{}, 0, err
			}
			v.Elems = append(v.Elems, el)
			next = nx
		}
		if kind == resp.Attribute {
			return parseAt(b, next, depth+1)
		}
		return v, next, nil
	}
	return resp.Value{}, 0, errReply
}
