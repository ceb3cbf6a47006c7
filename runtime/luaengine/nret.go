package luaengine

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// Results a Go function's caller keeps.
//
// A statement such as `redis.call('SET', k, v)` discards what the call
// returns: gopher-lua copies back as many results as the calling
// instruction asks for (its call frame's NRet), none here. Converting a
// reply that is thrown away costs more than the rest of a short command
// (a status reply is a fresh {ok=...} table: a table, two Go maps and a
// slice), so redis.call and redis.pcall skip it when the caller keeps no
// result. gopher-lua exports neither the current frame nor NRet; they are
// reached through field offsets checked by name and type at start-up, and
// without them (another gopher-lua version) every reply is converted.

var (
	offCurFrame uintptr
	offNRet     uintptr
	nretActive  bool
)

func init() {
	cf, ok := reflect.TypeOf(lua.LState{}).FieldByName("currentFrame")
	if !ok || cf.Type.Kind() != reflect.Pointer || cf.Type.Elem().Kind() != reflect.Struct {
		return
	}
	nr, ok := cf.Type.Elem().FieldByName("NRet")
	if !ok || nr.Type.Kind() != reflect.Int {
		return
	}
	offCurFrame, offNRet, nretActive = cf.Offset, nr.Offset, true
}

// resultsDiscarded reports whether the caller of the Go function running
// on L keeps none of its results (false when unknown).
func resultsDiscarded(L *lua.LState) bool {
	if !nretActive {
		return false
	}
	frame := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), offCurFrame))
	return frame != nil && *(*int)(unsafe.Add(frame, offNRet)) == 0
}
