-- Windows line endings.
local v = tonumber(ARGV[1])
if v > 10 then
  return redis.call("SET", KEYS[1], v)
end
return v + ARGV[2]
