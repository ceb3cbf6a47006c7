-- Bump a field of a stats hash and make sure the hash expires eventually:
-- the TTL is set only when the hash has none, so it is not extended forever.
local n = redis.call("HINCRBY", KEYS[1], ARGV[1], ARGV[2] or 1)
if redis.call("TTL", KEYS[1]) == -1 then
    redis.call("EXPIRE", KEYS[1], ARGV[3] or 86400)
end
return n
