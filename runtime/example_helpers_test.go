package runtime_test

import "github.com/fnkit/fnkit/library"

func libraryFromCode(code string) (*library.Set, error) {
	l, err := library.New(code, library.Origin{Path: "example.lua", Format: "lua", Offset: -1})
	if err != nil {
		return nil, err
	}
	return library.NewSet(l), nil
}
