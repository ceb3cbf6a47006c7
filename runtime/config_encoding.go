package runtime

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// CONFIG parameters of OBJECT ENCODING, DEBUG and persistence: the
// encoding thresholds (with their 7.0 "ziplist" aliases), validated as
// Redis 7.0.15 validates numeric parameters; enable-debug-command
// (immutable); appendonly, which fnkit cannot turn on.

// registerConfig adds p, replacing a parameter of the same name.
func registerConfig(p *configParam) {
	for i, q := range configParams {
		if q.name == p.name {
			configParams[i] = p
			return
		}
	}
	configParams = append(configParams, p)
}

// numericConfig is a numeric parameter as config.c's numeric configs:
// memory parameters accept units (memtoull), the others plain integers
// (string2ll); then the bounds.
func numericConfig(name, alias string, def, min, max int64, memory, unsigned bool) *configParam {
	return &configParam{name: name, alias: alias, kind: "int",
		get: func(st *settings) string {
			if v, ok := st.extra[name]; ok {
				return v
			}
			return strconv.FormatInt(def, 10)
		},
		set: func(s *Server, st *settings, v string) error {
			var n int64
			if memory {
				m, ok := memtoull(v)
				if !ok {
					return fmt.Errorf("argument must be a memory value")
				}
				n = int64(m)
				if m > math.MaxInt64 {
					return fmt.Errorf("argument must be between %d and %d inclusive", min, max)
				}
			} else {
				var err error
				if n, err = strconv.ParseInt(v, 10, 64); err != nil || !isLongLong(v) {
					return fmt.Errorf("argument couldn't be parsed into an integer")
				}
			}
			if n < min || n > max {
				if unsigned {
					return fmt.Errorf("argument must be between %d and %d inclusive", uint64(min), uint64(max))
				}
				return fmt.Errorf("argument must be between %d and %d inclusive", min, max)
			}
			st.extra[name] = strconv.FormatInt(n, 10)
			return nil
		}}
}

// memtoull is Redis's memtoull: digits and an optional unit (b, k, kb,
// m, mb, g, gb, any case); no sign.
func memtoull(v string) (uint64, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if strings.HasPrefix(v, "-") {
		return 0, false
	}
	mul := uint64(1)
	switch strings.ToLower(v[i:]) {
	case "", "b":
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1 << 30
	default:
		return 0, false
	}
	if i == 0 {
		return 0, true
	}
	n, err := strconv.ParseUint(v[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	return n * mul, true
}

// debugModes are enable-debug-command's values.
var debugModes = []string{"no", "yes", "local"}

func init() {
	const longMax = math.MaxInt64
	for _, p := range []*configParam{
		numericConfig("hash-max-listpack-entries", "hash-max-ziplist-entries", 512, 0, longMax, false, true),
		numericConfig("hash-max-listpack-value", "hash-max-ziplist-value", 64, 0, longMax, true, true),
		numericConfig("zset-max-listpack-entries", "zset-max-ziplist-entries", 128, 0, longMax, false, true),
		numericConfig("zset-max-listpack-value", "zset-max-ziplist-value", 64, 0, longMax, true, true),
		numericConfig("set-max-intset-entries", "", 512, 0, longMax, false, true),
		numericConfig("list-max-listpack-size", "list-max-ziplist-size", -2, math.MinInt32, math.MaxInt32, false, false),
		numericConfig("list-compress-depth", "", 0, 0, math.MaxInt32, false, false),
		numericConfig("stream-node-max-bytes", "", 4096, 0, longMax, true, true),
		numericConfig("stream-node-max-entries", "", 100, 0, longMax, false, false),
		numericConfig("lfu-log-factor", "", 10, 0, math.MaxInt32, false, false),
		numericConfig("lfu-decay-time", "", 1, 0, math.MaxInt32, false, false),
		{name: "enable-debug-command", kind: "enum", enum: debugModes, immutable: true,
			get: func(st *settings) string {
				if v, ok := st.extra["enable-debug-command"]; ok {
					return v
				}
				return "local"
			}},
		{name: "appendonly", kind: "bool",
			get: func(st *settings) string { return "no" },
			set: func(s *Server, st *settings, v string) error {
				if strings.EqualFold(v, "yes") {
					return fmt.Errorf("fnkit does not write an append-only file")
				}
				return nil
			}},
	} {
		registerConfig(p)
	}
	sort.Slice(configParams, func(i, j int) bool { return configParams[i].name < configParams[j].name })
}

// setDebugCommand validates Config.EnableDebugCommand and stores it.
func setDebugCommand(st *settings, v string) error {
	if v == "" {
		return nil
	}
	for _, m := range debugModes {
		if strings.EqualFold(m, v) {
			st.extra["enable-debug-command"] = m
			return nil
		}
	}
	return fmt.Errorf("runtime: enable-debug-command must be one of no, yes, local, not %q", v)
}
