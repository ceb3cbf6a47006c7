package migrate

import (
	"errors"
	"fmt"

	"github.com/fnkit/fnkit/library"
)

// ErrLoad is wrapped by Verify when the library would not load; the message
// carries Redis's words for the failure.
var ErrLoad = errors.New("FUNCTION LOAD fails")

// Verify checks that the library would load: its shebang as Redis parses it
// and its Lua text. (Loading it in fnkit's runtime replaces this once the
// runtime package lands.)
func (r *Result) Verify() error {
	if r.Code == "" {
		return errors.New("no library to verify")
	}
	md, err := library.ParseMetadata(r.Code)
	if err != nil {
		return fmt.Errorf("%w: -ERR %v", ErrLoad, err)
	}
	if _, err := parseLua(md.Body); err != nil {
		return fmt.Errorf("%w: -ERR Error compiling function: %v", ErrLoad, err)
	}
	return nil
}
