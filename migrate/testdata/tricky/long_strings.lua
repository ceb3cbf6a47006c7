--[==[
  A long comment with KEYS[1] and ]] inside,
  spanning lines.
]==]
local doc = [[
KEYS[1] = ARGV[1]
]]
local key = KEYS[1] local val = ARGV[1] --[[ two statements on one line ]] local n = #ARGV
if n == 0 then error("need a value") end
redis.call('SET', key, val .. doc)
return {n, redis.call('STRLEN', key)}
