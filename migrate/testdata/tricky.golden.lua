#!lua name=corpus
redis.register_function('crlf', function(keys, args) -- Windows line endings.
local v = tonumber(args[1])
if v > 10 then
  return redis.call("SET", keys[1], v)
end
return v + args[2]
end) -- crlf.lua

redis.register_function('debug_leftovers', function(keys, args) --[[redis.replicate_commands();]]
--[[redis.debug "starting"]]
local v = redis.call('INCR', keys[1])
if v > 1 then --[[redis.breakpoint()]] end
--[[redis.debug('v is', v, KEYS[1], {ARGV[1]})]]
if v > 2 then
  error('too many: ' .. v)
end
return v
end) -- debug_leftovers.lua

redis.register_function('long_strings', function(keys, args) --[==[
  A long comment with KEYS[1] and ]] inside,
  spanning lines.
]==]
local doc = [[
KEYS[1] = ARGV[1]
]]
local key = keys[1] local val = args[1] --[[ two statements on one line ]] local n = #args
if n == 0 then error("need a value") end
redis.call('SET', key, val .. doc)
return {n, redis.call('STRLEN', key)}
end) -- long_strings.lua

redis.register_function{function_name='methods_and_closures', flags={'no-writes'}, callback=function(keys, args) local M = {}
function M.get(i) return redis.call('GET', keys[i]) end
function M:count() return #keys + self.extra end
M.extra = 100
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
local upper = args[1]:upper()
local each = {}
for i, k in ipairs(keys) do
  each[#each + 1] = function() return k .. '=' .. tostring(M.get(i)) end
end
local out = {upper, M:count(), fact(#args + 3), keys[1]:len()}
for _, f in ipairs(each) do out[#out + 1] = f() end
return out
end} -- methods_and_closures.lua

redis.register_function{function_name='shadowing', flags={'no-writes'}, callback=function(keys_, args_) -- Names that look like KEYS/ARGV but are not the globals.
local t = {KEYS = 'field', ARGV = 'f2'}
local function first(KEYS) return KEYS[1] end
local s = "KEYS[1] and ARGV[1] in a string" -- and KEYS[1] in a comment
local keys = redis.call('KEYS', 'x*')
local out = {t.KEYS, t['ARGV'], first({'p'}), first(keys_), s, #keys}
do
  local KEYS = {'inner'}
  out[#out + 1] = KEYS[1]
end
out[#out + 1] = keys_[1]
local args = args_
out[#out + 1] = #args
local KEYS = keys_
out[#out + 1] = KEYS[2] or 'none'
return out
end} -- shadowing.lua

redis.register_function{function_name='vararg', flags={'no-writes'}, callback=function(keys, args, ...) -- EVAL compiles the script as a vararg chunk (called with no arguments).
local n = select('#', ...)
local t = {...}
return {n, #t, #keys + #args}
end} -- vararg.lua
