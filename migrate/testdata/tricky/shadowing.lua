-- Names that look like KEYS/ARGV but are not the globals.
local t = {KEYS = 'field', ARGV = 'f2'}
local function first(KEYS) return KEYS[1] end
local s = "KEYS[1] and ARGV[1] in a string" -- and KEYS[1] in a comment
local keys = redis.call('KEYS', 'x*')
local out = {t.KEYS, t['ARGV'], first({'p'}), first(KEYS), s, #keys}
do
  local KEYS = {'inner'}
  out[#out + 1] = KEYS[1]
end
out[#out + 1] = KEYS[1]
local args = ARGV
out[#out + 1] = #args
local KEYS = KEYS
out[#out + 1] = KEYS[2] or 'none'
return out
