package source

import (
	"context"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/remote"
)

// ServerInfo describes a live server source.
type ServerInfo struct {
	// URL is the address with the password hidden.
	URL string
	// Addr is host:port.
	Addr string
	// Info is what INFO said (product, version, role).
	Info remote.ServerInfo
	// Functions lists each library's functions as FUNCTION LIST reports
	// them, by library name.
	Functions map[string][]remote.Function
	// DBSize is the number of keys in the database the URL selects.
	DBSize int64
}

// openServer reads a live server's libraries: FUNCTION DUMP and FUNCTION
// LIST WITHCODE, taken atomically and cross-checked (remote.Pull). The
// libraries' origins are the server's address. Functions are server-wide;
// the database in the URL only selects what DBSize counts.
func openServer(raw string, opts Options) (*Source, error) {
	u, err := remote.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	n, err := remote.Dial(ctx, u, opts.Remote)
	if err != nil {
		return nil, err
	}
	defer n.Close()
	p, err := n.Pull(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := n.DBSize(ctx)
	if err != nil {
		return nil, err
	}
	src := &Source{
		Path: u.String(), Kind: KindServer, Size: int64(len(p.Payload)), Libraries: p.Libraries,
		Server: &ServerInfo{URL: u.String(), Addr: u.Addr(), Info: p.Server, Functions: p.Functions, DBSize: keys},
	}
	if d, err := dumpfmt.Decode(p.Payload, u.String()); err == nil {
		src.Dump = &DumpInfo{Version: d.Version, Form: dumpfmt.FormRaw, PayloadSize: d.Size, Checksum: d.Checksum, Records: d.Records}
	}
	return src, nil
}
