package atomicfile_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fnkit/fnkit/internal/atomicfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "atomicfile-example")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.txt")
	os.WriteFile(in, []byte("input"), 0o644)

	out := filepath.Join(dir, "out.txt")
	want := []byte("computed from in.txt\n")
	err := atomicfile.WriteFile(out, want, atomicfile.Options{
		Inputs: []string{in},
		Verify: func(f *os.File) error {
			got, err := io.ReadAll(f)
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("read back %d bytes, wrote %d", len(got), len(want))
			}
			return err
		},
	})
	fmt.Println(err)

	// Writing over an input is refused.
	err = atomicfile.WriteFile(in, want, atomicfile.Options{Inputs: []string{in}})
	fmt.Println(err != nil)
	// Output:
	// <nil>
	// true
}
