package source

import (
	"io"

	"github.com/fnkit/fnkit/rdbfmt"
)

// readRDB reads an RDB with rdbfmt.ReadInfo: the whole file, structure and
// checksum, unless opts.NoVerify.
func (s *Source) readRDB(r io.Reader, opts Options) error {
	info, err := rdbfmt.ReadInfo(r, rdbfmt.InfoOptions{File: s.Path, NoVerify: opts.NoVerify, Summary: opts.Summary && !opts.NoVerify})
	if err != nil {
		return err
	}
	if info.Summary != nil {
		// ReadInfo does not order the summary (its Largest stays empty);
		// Finish is idempotent, so this stays right once it does.
		info.Summary.Finish()
	}
	s.Kind = KindRDB
	s.RDB = info
	s.Libraries = info.Libraries
	return nil
}
