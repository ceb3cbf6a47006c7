package luaengine

import "github.com/fnkit/fnkit/runtime/internal/luaaux"

// Short names for the auxiliary library (see package luaaux).
var (
	typeName      = luaaux.TypeName
	luaType       = luaaux.LuaType
	argError      = luaaux.ArgError
	typeError     = luaaux.TypeError
	toNumber      = luaaux.ToNumber
	checkNumber   = luaaux.CheckNumber
	optNumber     = luaaux.OptNumber
	toInteger     = luaaux.ToInteger
	checkInt      = luaaux.CheckInt
	checkInteger  = luaaux.CheckInteger
	optInt        = luaaux.OptInt
	optInteger    = luaaux.OptInteger
	toString      = luaaux.ToString
	checkString   = luaaux.CheckString
	optString     = luaaux.OptString
	checkTable    = luaaux.CheckTable
	checkAny      = luaaux.CheckAny
	isString      = luaaux.IsString
	fmtNumber     = luaaux.FmtNumber
	fmtG          = luaaux.FmtG
	str2d         = luaaux.Str2d
	isCSpace      = luaaux.IsCSpace
	tostringValue = luaaux.TostringValue
)
