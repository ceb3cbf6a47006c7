package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Writer writes an AOF file in RESP as Redis writes it: each command a
// multibulk of bulk strings, "#TS:" annotations on their own lines. Call
// Flush at the end.
type Writer struct {
	w   *bufio.Writer
	n   int64
	err error
	num []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Offset returns the number of bytes written so far.
func (w *Writer) Offset() int64 { return w.n }

func (w *Writer) write(p []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	w.err = err
}

func (w *Writer) header(prefix byte, n int) {
	w.num = append(w.num[:0], prefix)
	w.num = strconv.AppendInt(w.num, int64(n), 10)
	w.num = append(w.num, '\r', '\n')
	w.write(w.num)
}

// Command writes one command.
func (w *Writer) Command(args ...[]byte) error {
	if len(args) == 0 {
		return errors.New("aof: a command needs at least one argument")
	}
	w.header('*', len(args))
	for _, a := range args {
		w.header('$', len(a))
		w.write(a)
		w.write([]byte("\r\n"))
	}
	return w.err
}

// CommandStrings writes one command given as strings.
func (w *Writer) CommandStrings(args ...string) error {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return w.Command(b...)
}

// Timestamp writes a "#TS:<unix seconds>" annotation.
func (w *Writer) Timestamp(ts int64) error {
	w.num = append(w.num[:0], "#TS:"...)
	w.num = strconv.AppendInt(w.num, ts, 10)
	w.num = append(w.num, '\r', '\n')
	w.write(w.num)
	return w.err
}

// Raw writes bytes as they are (an annotation line or commands copied from
// another file).
func (w *Writer) Raw(p []byte) error {
	w.write(p)
	return w.err
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

// ErrOutputExists is wrapped when an output path already exists: fnkit
// writes AOFs to new paths only.
var ErrOutputExists = errors.New("output already exists")

// dirFile is one file of a directory being written.
type dirFile struct {
	name string
	fill func(w io.Writer) error
}

// writeDir creates the directory out with files, atomically: everything is
// written and synced in a temporary directory beside out, checked with
// verify, and renamed to out only if out does not exist (RENAME_NOREPLACE
// where the kernel has it). On failure nothing is left behind.
func writeDir(out string, files []dirFile, verify func(dir string) error) (err error) {
	out = filepath.Clean(out)
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("aof: %s: %w (fnkit never writes over an existing path)", out, ErrOutputExists)
	}
	parent := filepath.Dir(out)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, f.name), f.fill); err != nil {
			return fmt.Errorf("aof: writing %s: %w", filepath.Join(out, f.name), err)
		}
	}
	if err := syncPath(tmp); err != nil {
		return err
	}
	if verify != nil {
		if err := verify(tmp); err != nil {
			return fmt.Errorf("aof: %s: the written copy failed verification, nothing written: %w", out, err)
		}
	}
	if err := renameNoReplace(tmp, out); err != nil {
		return err
	}
	return syncPath(parent)
}

func writeSynced(path string, fill func(w io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	return f.Sync()
}

func syncPath(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, unix.EINVAL) {
		return err
	}
	return nil
}

func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EEXIST):
		return fmt.Errorf("aof: %s: %w (fnkit never writes over an existing path)", to, ErrOutputExists)
	case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL):
		if _, err := os.Lstat(to); err == nil {
			return fmt.Errorf("aof: %s: %w (fnkit never writes over an existing path)", to, ErrOutputExists)
		}
		return os.Rename(from, to)
	}
	return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
}

// copyFileTo copies the first n bytes of the file at path to w (all of it
// when n < 0).
func copyFileTo(w io.Writer, path string, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if n >= 0 {
		r = io.LimitReader(f, n)
	}
	got, err := io.Copy(w, r)
	if err != nil {
		return err
	}
	if n >= 0 && got != n {
		return fmt.Errorf("%s: %w: copied %d bytes of %d", path, io.ErrUnexpectedEOF, got, n)
	}
	return nil
}
