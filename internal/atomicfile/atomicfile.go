// Package atomicfile writes files that never exist half-written: the data
// goes to a temporary file in the target's directory, is synced to disk,
// re-read and checked by the caller's verifier, and only then renamed over
// the target (and the directory synced). On any failure the temporary file
// is removed and the target is untouched. A target that is one of the
// command's inputs is refused before anything is written.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrSameAsInput is wrapped by the error Write returns when the target is one
// of the inputs.
var ErrSameAsInput = errors.New("output would overwrite an input")

// ErrExists is wrapped by the error Write returns when the target exists and
// Options.NoOverwrite is set.
var ErrExists = errors.New("file exists")

// Verifier checks the written file before it is renamed into place. It gets
// the temporary file opened for reading at offset 0; an error aborts the
// write.
type Verifier func(f *os.File) error

// Options control Write.
type Options struct {
	// Inputs are the files the output is computed from; Write refuses to
	// replace any of them (compared with os.SameFile, so links and other
	// spellings of the same path are caught).
	Inputs []string
	// Verify, when set, re-reads the synced temporary file.
	Verify Verifier
	// Perm is the mode of a new file (default 0o644). When the target
	// exists its mode is kept.
	Perm os.FileMode
	// NoOverwrite refuses an existing target (ErrExists).
	NoOverwrite bool
}

// WriteFile writes data to path atomically; see Write.
func WriteFile(path string, data []byte, opts Options) error {
	return Write(path, opts, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write creates path atomically with the bytes fill writes: fill writes to a
// temporary file in path's directory, which is synced, verified with
// opts.Verify, renamed to path, and the directory synced. Nothing is left
// behind when any step fails, and path is never replaced when it is one of
// opts.Inputs.
func Write(path string, opts Options, fill func(w io.Writer) error) (err error) {
	if err := CheckNotInput(path, opts.Inputs...); err != nil {
		return err
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	if st, err := os.Stat(path); err == nil {
		if opts.NoOverwrite {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", path)
		}
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := fill(tmp); err != nil {
		// name the target, not the temporary file
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == tmpName {
			return fmt.Errorf("%s %s: %w", pe.Op, path, pe.Err)
		}
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: sync: %w", tmpName, err)
	}
	if opts.Verify != nil {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := opts.Verify(tmp); err != nil {
			return fmt.Errorf("%s: verifying the written file: %w", path, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// The inputs may have been checked before path existed; check again
	// right before the rename.
	if err := CheckNotInput(path, opts.Inputs...); err != nil {
		return err
	}
	if opts.NoOverwrite {
		// Link fails if path appeared meanwhile; then drop the temp name.
		if err := os.Link(tmpName, path); err != nil {
			if os.IsExist(err) {
				return fmt.Errorf("%s: %w", path, ErrExists)
			}
			return err
		}
		if err := os.Remove(tmpName); err != nil {
			return err
		}
	} else if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// CheckNotInput returns an error wrapping ErrSameAsInput when path names the
// same file as one of inputs (os.SameFile), or the same path.
func CheckNotInput(path string, inputs ...string) error {
	st, statErr := os.Stat(path)
	abs, _ := filepath.Abs(path)
	for _, in := range inputs {
		if inAbs, _ := filepath.Abs(in); inAbs == abs {
			return fmt.Errorf("%s: %w %s", path, ErrSameAsInput, in)
		}
		if statErr != nil {
			continue
		}
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			return fmt.Errorf("%s: %w %s", path, ErrSameAsInput, in)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%s: sync directory: %w", dir, err)
	}
	return nil
}
