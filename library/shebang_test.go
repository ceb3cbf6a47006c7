package library_test

import (
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/resp"
)

const body = "\nredis.register_function('f', function() return 1 end)"

// shebangCases cover every branch of Redis's shebang parsing.
var shebangCases = []string{
	"",
	"lua name=x" + body,
	"-- comment\n#!lua name=x" + body,
	"#!lua name=x",
	"#!lua" + body,
	"#!" + body,
	"#!lua name=x name=y" + body,
	"#!lua name=x NAME=x" + body,
	"#!lua foo=bar" + body,
	"#!lua name=x description=y" + body,
	"#!lua flags=no-writes name=x" + body,
	"#!lua name=" + body,
	"#!lua name=a-b" + body,
	"#!lua name=a.b" + body,
	"#!lua name=é" + body,
	"#!js name=x" + body,
	"#! lua name=x" + body,
	"#! name=x" + body,
	"#!LUA NAME=upper" + body,
	"#!Lua Name=Mixed_09" + body,
	"#!lua name=\"quoted\"" + body,
	"#!lua \"name=spaced\"" + body,
	"#!lua \"name=two words\"" + body,
	"#!lua name=\"unterminated" + body,
	"#!lua name='single'" + body,
	"#!lua name='a'b" + body,
	"#!lua name=\"a\"b" + body,
	"#!lua name=\"\\x41bc\"" + body,
	"#!lua name=\"\\x4\"" + body,
	"#!lua name='it\\'s'" + body,
	"#!lua\tname=tabbed" + body,
	"#!lua name=crlf\r" + body,
	"#!lua name=x\x00y" + body,
	"#!lua name=x\x00" + "\n" + body,
	"#!lua   name=spaces   " + body,
	"#!lua name=a\vb" + body,
	"#!\"lua\" name=qengine" + body,
	"#!lua name=_" + body,
	"#!lua name=123" + body,
	"#!lua name=x y" + body,
	"#!lua x" + body,
	"#!lua name=x\"" + body,
}

func TestParseMetadataMatchesRedis(t *testing.T) {
	srv := fixtures.StartRedis(t)
	c := srv.Conn(t)
	for _, code := range shebangCases {
		if _, err := c.Do("FUNCTION", "FLUSH"); err != nil {
			t.Fatal(err)
		}
		got, err := c.Do("FUNCTION", "LOAD", code)
		if err != nil {
			t.Fatal(err)
		}
		md, perr := library.ParseMetadata(code)
		switch {
		case perr != nil:
			want := resp.Err("ERR " + perr.Error())
			if got.Kind != resp.Error || got.Str != want.Str {
				t.Errorf("code %q: we say %q, Redis says %v", code, perr, got)
			}
		default:
			if got.Kind != resp.BulkString || got.Str != md.Name {
				t.Errorf("code %q: we parse name %q, Redis says %v", code, md.Name, got)
			}
			if md.Body != code[len(code)-len(md.Body):] || md.Body[0] != '\n' {
				t.Errorf("code %q: body %q does not start at the shebang's newline", code, md.Body)
			}
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	for _, c := range shebangCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, code string) {
		md, err := library.ParseMetadata(code)
		if err != nil {
			if _, ok := err.(*library.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if !library.ValidName(md.Name) || md.Engine != library.EngineLua {
			t.Fatalf("accepted %q with name %q engine %q", code, md.Name, md.Engine)
		}
		if len(md.Body) == 0 || md.Body[0] != '\n' || len(md.Body) > len(code) || code[len(code)-len(md.Body):] != md.Body {
			t.Fatalf("body %q is not a suffix of %q starting at a newline", md.Body, code)
		}
	})
}
