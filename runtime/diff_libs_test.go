package runtime_test

import "testing"

// cjson, cmsgpack, bit and struct against Redis's bundled C libraries.
func TestDiffLibs(t *testing.T) {
	echo := load(lib("e", "redis.register_function('ret', function(keys, args) return loadstring(args[1])() end)"))
	codes := []struct{ name, code string }{
		{"cjson encode scalars", "return {cjson.encode(1), cjson.encode(1.5), cjson.encode('a\"b/c\\\\'), cjson.encode(true), cjson.encode(cjson.null), cjson.encode(nil)}"},
		{"cjson encode array", "return cjson.encode({1, 2, 'x', {3}})"},
		{"cjson encode object one key", "return cjson.encode({a = 1})"},
		{"cjson encode nested", "return cjson.encode({a = {b = {1, 2}}})"},
		{"cjson encode empty", "return cjson.encode({})"},
		{"cjson encode control chars", "return cjson.encode('\\1\\31\\127\\n\\t')"},
		{"cjson encode utf8", "return cjson.encode('héllo')"},
		{"cjson encode precision", "return cjson.encode({0.1, 1/3, 1e20, 123456789012345})"},
		{"cjson encode number key", "return cjson.encode({[1.5] = 'x'})"},
		{"cjson encode holes", "return cjson.encode({1, nil, 3})"},
		{"cjson encode sparse", "local t = {} t[20] = 1 return cjson.encode(t)"},
		{"cjson encode function", "return cjson.encode(function() end)"},
		{"cjson encode bad key", "return cjson.encode({[true] = 1})"},
		{"cjson encode nan", "return cjson.encode(0/0)"},
		{"cjson encode inf", "return cjson.encode(1/0)"},
		{"cjson encode deep", "local t = {} local c = t for i = 1, 1100 do c[1] = {} c = c[1] end return cjson.encode(t)"},
		{"cjson encode no args", "return cjson.encode()"},
		{"cjson decode", "local t = cjson.decode('{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\\\u00e9\\\\n\"}') return {t.a[1], t.a[2], tostring(t.a[3].b == cjson.null), t.c}"},
		{"cjson decode scalars", "return {cjson.decode('1'), cjson.decode('\"s\"'), tostring(cjson.decode('true')), cjson.decode('  -1.5e2 ')}"},
		{"cjson decode errors 1", "return cjson.decode('{')"},
		{"cjson decode errors 2", "return cjson.decode('[1,]')"},
		{"cjson decode errors 3", "return cjson.decode('{\"a\" 1}')"},
		{"cjson decode errors 4", "return cjson.decode('nul')"},
		{"cjson decode errors 5", "return cjson.decode('\"abc')"},
		{"cjson decode errors 6", "return cjson.decode('\"\\\\x\"')"},
		{"cjson decode errors 7", "return cjson.decode('[1] 2')"},
		{"cjson decode errors 8", "return cjson.decode('')"},
		{"cjson decode errors 9", "return cjson.decode('{1:2}')"},
		{"cjson decode hex", "return cjson.decode('0x10')"},
		{"cjson decode leading zero", "return cjson.decode('01')"},
		{"cjson decode surrogates", "return cjson.decode('\"\\\\ud83d\\\\ude00\"')"},
		{"cjson decode bad surrogate", "return cjson.decode('\"\\\\ude00\"')"},
		{"cjson decode deep", "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))"},
		{"cjson options", "return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision(), tostring(cjson.encode_keep_buffer()), tostring(cjson.encode_invalid_numbers()), tostring(cjson.decode_invalid_numbers())}"},
		{"cjson sparse option", "return {cjson.encode_sparse_array()}"},
		{"cjson precision option bad", "return cjson.encode_number_precision(20)"},
		{"cjson new", "local c = cjson.new() return c.encode({1})"},
		{"cjson version", "return {cjson._NAME, cjson._VERSION, type(cjson.null)}"},
		{"cmsgpack pack scalars", "return cmsgpack.pack(1, -1, 200, -200, 70000, -70000, 5000000000, 1.5, 0.1, 'str', true, false, nil)"},
		{"cmsgpack pack table", "return cmsgpack.pack({1, 2, 3}, {a = 1}, {})"},
		{"cmsgpack pack long string", "return cmsgpack.pack(string.rep('x', 40), string.rep('y', 300))"},
		{"cmsgpack pack nesting", "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)"},
		{"cmsgpack pack no args", "return cmsgpack.pack()"},
		{"cmsgpack roundtrip", "local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4})) return {a, b, c[1], c[2]}"},
		{"cmsgpack unpack_one", "local s = cmsgpack.pack(1, 2, 3) local off, v = cmsgpack.unpack_one(s) local off2, v2 = cmsgpack.unpack_one(s, off) return {off, v, off2, v2}"},
		{"cmsgpack unpack_limit", "local s = cmsgpack.pack(1, 2, 3) return {cmsgpack.unpack_limit(s, 2)}"},
		{"cmsgpack unpack missing", "return cmsgpack.unpack('\\205\\1')"},
		{"cmsgpack unpack bad", "return cmsgpack.unpack('\\193')"},
		{"cmsgpack info", "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}"},
		{"bit ops", "return {bit.tobit(0xffffffff), bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.rol(1, 33), bit.ror(1, 1), bit.bswap(0x12345678)}"},
		{"bit tohex", "return {bit.tohex(255), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(-1)}"},
		{"bit tobit rounding", "return {bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(2^32 + 5)}"},
		{"bit bad arg", "return bit.band('x')"},
		{"struct pack", "return struct.pack('>i4<h!4bd', 1, 2, 3, 1.5)"},
		{"struct unpack", "return {struct.unpack('>I2i4', '\\0\\1\\255\\255\\255\\254')}"},
		{"struct strings", "local s = struct.pack('sc3c0', 'ab', 'xyz', 'q') return {s, struct.unpack('s', s)}"},
		{"struct size", "return {struct.size('i4h'), struct.size('!8bd')}"},
		{"struct bad format", "return struct.pack('y', 1)"},
		{"struct size s", "return struct.size('s')"},
		{"struct short data", "return struct.unpack('i4', 'ab')"},
		{"struct big int", "return struct.pack('i33', 1)"},
	}
	var cases []dcase
	for _, c := range codes {
		cases = append(cases, dcase{name: c.name, setup: [][]string{echo}, cmds: [][]string{call("ret", c.code)}})
	}
	runCases(t, cases)
}
