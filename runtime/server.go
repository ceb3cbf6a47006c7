package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/runtime/cmdtable"
	"github.com/fnkit/fnkit/runtime/functions"
	"github.com/fnkit/fnkit/runtime/keyspace"
	"github.com/fnkit/fnkit/runtime/luaengine"
)

// Config configures a Server. The zero value is a server on a free port of
// 127.0.0.1 with Redis's defaults.
type Config struct {
	// Addr is the listen address (Start only); default "127.0.0.1:0", a
	// free port on the loopback interface.
	Addr string
	// RequirePass, when set, makes clients authenticate (AUTH).
	RequirePass string
	// Databases is the number of databases (default 16).
	Databases int
	// BusyReplyThreshold is Redis's busy-reply-threshold (lua-time-limit):
	// how long a function runs before other clients get BUSY. Zero means
	// Redis's default, 5 s; negative means never.
	BusyReplyThreshold time.Duration
	// ScriptTimeLimit is fnkit's hard limit for any load or call (Redis has
	// none). Zero means the default, 60 s; negative means none.
	ScriptTimeLimit time.Duration
	// ScriptMemoryLimit bounds the memory a load or call may add, in bytes.
	// Zero means the default, 1 GiB; negative means none.
	ScriptMemoryLimit int64
	// MaxMemory is Redis's maxmemory (0: none).
	MaxMemory int64
	// Log receives the server log (nil: discarded).
	Log io.Writer
	// LogLevel is Redis's loglevel: debug, verbose, notice (default) or
	// warning.
	LogLevel string
	// EnableDebugCommand is Redis's enable-debug-command: "no", "yes" or
	// "local" (DEBUG only from loopback connections and in-process). The
	// default is "local" (Redis's is "no"): fnkit serves tests.
	EnableDebugCommand string
}

// Defaults.
const (
	DefaultBusyReplyThreshold = 5 * time.Second
	DefaultScriptTimeLimit    = 60 * time.Second
	DefaultScriptMemoryLimit  = 1 << 30
	// LoadTimeout is Redis's FUNCTION LOAD timeout (LOAD_TIMEOUT_MS).
	LoadTimeout = 500 * time.Millisecond
	// Version is the Redis version the server reports.
	Version = "7.0.15"
)

// Server is a Redis-compatible Functions server.
type Server struct {
	eng *luaengine.Engine
	reg *functions.Registry
	ks  *keyspace.Keyspace

	// sem is the execution lock: a command runs while holding it.
	sem chan struct{}

	// floor is the server's hold on the GC floor (floor.go)
	floor floorHold

	// smu guards the script state other clients read without the lock.
	smu     sync.Mutex
	busy    bool
	changed chan struct{}
	running *scriptRun

	cfgMu sync.RWMutex
	conf  settings

	libCount, funcCount atomic.Int64

	clientsMu   sync.Mutex
	clients     map[int64]*client
	nextID      atomic.Int64
	totalConns  atomic.Int64
	totalCmds   atomic.Int64
	errTotal    atomic.Int64
	errSnap     atomic.Int64
	noReplicas  atomic.Bool // min-replicas-to-write refuses every write (fnkit has no replicas) // errTotal when the last command began or ended (incrCommandStatsOnError's prev_err_count)
	watchMu     sync.Mutex
	watched     map[watchKey][]*client
	nwatched    atomic.Int64
	statsMu     sync.Mutex // guards errStats
	stats       map[*cmdtable.Command]*cmdStat
	errStats    map[string]int64
	rejected    atomic.Int64
	failed      atomic.Int64
	scriptClnt  *client
	info        infoState  // INFO (cmd_info.go)
	debug       debugState // DEBUG (cmd_debug.go)
	acl         *acl
	preOOM      bool
	started     time.Time
	logMu       sync.Mutex
	logW        io.Writer
	ctx         context.Context
	cancel      context.CancelFunc
	lnMu        sync.Mutex
	listeners   []net.Listener
	wg          sync.WaitGroup
	closed      atomic.Bool
	port        int
	shutdownReq chan struct{}
	doMu        sync.Mutex
	doClient    *client
	// dispatch holds each command's implementation by command ID, statByID
	// its statistics (both read-only)
	dispatch []handler
	statByID []*cmdStat
	// cmdStart is when the command running under the execution lock began
	cmdStart time.Time
	// scripts is the EVAL scripts engine and cache (cmd_script.go)
	scripts scriptCache
}

// settings are the CONFIG parameters.
type settings struct {
	requirepass        string
	databases          int
	busyReplyThreshold time.Duration // 0: never
	scriptTimeLimit    time.Duration // 0: none
	scriptMemoryLimit  int64         // 0: none
	maxmemory          int64
	maxmemoryPolicy    string
	loglevel           string
	lazyfreeUserFlush  bool
	minReplicasToWrite int64
	minReplicasMaxLag  int64
	extra              map[string]string
}

type cmdStat struct {
	calls, usec, rejected, failed atomic.Int64
}

// New returns a server that is not listening yet (see Serve, Listen and
// Start). It can run commands in-process with Do.
func New(cfg Config) (*Server, error) {
	st := settings{
		requirepass:        cfg.RequirePass,
		databases:          cfg.Databases,
		busyReplyThreshold: cfg.BusyReplyThreshold,
		scriptTimeLimit:    cfg.ScriptTimeLimit,
		scriptMemoryLimit:  cfg.ScriptMemoryLimit,
		maxmemory:          cfg.MaxMemory,
		maxmemoryPolicy:    "noeviction",
		minReplicasMaxLag:  10,
		loglevel:           cfg.LogLevel,
		extra:              map[string]string{},
	}
	if st.databases <= 0 {
		st.databases = 16
	}
	switch {
	case st.busyReplyThreshold == 0:
		st.busyReplyThreshold = DefaultBusyReplyThreshold
	case st.busyReplyThreshold < 0:
		st.busyReplyThreshold = 0
	}
	switch {
	case st.scriptTimeLimit == 0:
		st.scriptTimeLimit = DefaultScriptTimeLimit
	case st.scriptTimeLimit < 0:
		st.scriptTimeLimit = 0
	}
	switch {
	case st.scriptMemoryLimit == 0:
		st.scriptMemoryLimit = DefaultScriptMemoryLimit
	case st.scriptMemoryLimit < 0:
		st.scriptMemoryLimit = 0
	}
	if st.loglevel == "" {
		st.loglevel = "notice"
	}
	if err := setDebugCommand(&st, cfg.EnableDebugCommand); err != nil {
		return nil, err
	}
	ks, err := keyspace.New(st.databases)
	if err != nil {
		return nil, err
	}
	s := &Server{
		ks:          ks,
		sem:         make(chan struct{}, 1),
		changed:     make(chan struct{}),
		conf:        st,
		clients:     map[int64]*client{},
		stats:       map[*cmdtable.Command]*cmdStat{},
		errStats:    map[string]int64{},
		watched:     map[watchKey][]*client{},
		started:     time.Now(),
		logW:        cfg.Log,
		shutdownReq: make(chan struct{}),
		acl:         newACL(cfg.RequirePass),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.eng = luaengine.New(luaengine.Options{
		TimeLimit:   st.scriptTimeLimit,
		MemoryLimit: st.scriptMemoryLimit,
		Version:     Version,
		Log:         s.scriptLog,
	})
	s.reg = functions.NewRegistry(s.eng)
	s.buildDispatch()
	s.scriptClnt = s.newClient(nil)
	s.scriptClnt.isScript = true
	s.scriptClnt.authed = true
	s.floor.set(st.maxmemory == 0)
	return s, nil
}

// Start returns a server listening on cfg.Addr (default: a free port of
// 127.0.0.1).
func Start(cfg Config) (*Server, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := s.Listen(addr); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Listen starts serving on a new TCP listener at addr.
func (s *Server) Listen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if err := s.addListener(l); err != nil {
		return err
	}
	go s.serve(l)
	return nil
}

func (s *Server) addListener(l net.Listener) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.closed.Load() {
		l.Close()
		return errors.New("runtime: server closed")
	}
	s.listeners = append(s.listeners, l)
	if ta, ok := l.Addr().(*net.TCPAddr); ok && s.port == 0 {
		s.port = ta.Port
	}
	s.wg.Add(1)
	return nil
}

// Serve accepts connections on l until the server is closed.
func (s *Server) Serve(l net.Listener) error {
	if err := s.addListener(l); err != nil {
		return err
	}
	return s.serve(l)
}

func (s *Server) serve(l net.Listener) error {
	defer s.wg.Done()
	s.logf(levelNotice, "Ready to accept connections on %s", l.Addr())
	for {
		conn, err := l.Accept()
		if err != nil {
			if s.closed.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(conn)
		}()
	}
}

// Addr returns the address of the first listener ("" when not listening).
func (s *Server) Addr() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if len(s.listeners) == 0 {
		return ""
	}
	return s.listeners[0].Addr().String()
}

// Close stops the listeners, kills a running function, closes every
// connection and releases the engine and the keyspace.
func (s *Server) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel()
	s.smu.Lock()
	if r := s.running; r != nil && r.frun != nil {
		r.frun.Stop(functions.ErrShutdown)
	}
	s.smu.Unlock()
	s.lnMu.Lock()
	for _, l := range s.listeners {
		l.Close()
	}
	s.lnMu.Unlock()
	s.clientsMu.Lock()
	for _, c := range s.clients {
		if c.conn != nil {
			c.conn.Close()
		}
	}
	s.clientsMu.Unlock()
	s.wg.Wait()
	// wait for an in-process command to finish before freeing
	s.sem <- struct{}{}
	s.eng.Close()
	s.scripts.close()
	s.ks.Close()
	s.floor.set(false)
	return nil
}

// ShutdownRequested is closed when a client sent SHUTDOWN; the owner of
// the server (fnkit serve) then closes it.
func (s *Server) ShutdownRequested() <-chan struct{} { return s.shutdownReq }

// LoadLibraries loads every library of set as a server loading an RDB does
// (no load timeout beyond fnkit's limits); libraries already present with
// the same name are replaced. The first error names the library.
func (s *Server) LoadLibraries(set *library.Set) error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	for _, l := range set.Libraries() {
		if _, err := s.reg.Load(s.ctx, l.Code, true, 0); err != nil {
			return fmt.Errorf("library %s (%s): %w", l.Name, l.Origin, err)
		}
	}
	s.updateCounts()
	return nil
}

// Libraries returns the loaded libraries.
func (s *Server) Libraries() *library.Set {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	return s.reg.Current().Set()
}

func (s *Server) updateCounts() {
	s.libCount.Store(int64(s.reg.Current().LibraryCount()))
	s.funcCount.Store(int64(s.reg.Current().FunctionCount()))
}

// Log levels.
const (
	levelDebug = iota
	levelVerbose
	levelNotice
	levelWarning
)

var levelNames = []string{"debug", "verbose", "notice", "warning"}
var levelMarks = []string{".", "-", "*", "#"}

func (s *Server) logLevel() int {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	for i, n := range levelNames {
		if n == s.conf.loglevel {
			return i
		}
	}
	return levelNotice
}

// logf writes a line to the server log in Redis's format.
func (s *Server) logf(level int, format string, args ...any) {
	if s.logW == nil || level < s.logLevel() {
		return
	}
	msg := fmt.Sprintf(format, args...)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.logW, "%d:M %s %s %s\n", os.Getpid(), time.Now().Format("02 Jan 2006 15:04:05.000"), levelMarks[level], strings.TrimRight(msg, "\n"))
}

// scriptLog is redis.log's destination.
func (s *Server) scriptLog(level int, msg string) {
	s.logf(level, "%s", msg)
}
