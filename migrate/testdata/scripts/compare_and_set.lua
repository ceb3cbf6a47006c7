-- CAS: set KEYS[1] to ARGV[2] only if it currently holds ARGV[1].
-- An empty expected value means "must not exist".
local current = redis.call("GET", KEYS[1])
local expected = ARGV[1]
if (expected == "" and current == false) or current == expected then
  redis.call("SET", KEYS[1], ARGV[2])
  return 1
end
return 0
