#!lua flags=allow-oom
-- Leaky bucket (as a meter): water leaks at a constant rate,
-- each request adds one unit if there is room.
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local leak_per_ms = tonumber(ARGV[2])
local now = tonumber(ARGV[3])

local level = tonumber(redis.call('HGET', key, 'level') or 0)
local last = tonumber(redis.call('HGET', key, 'last') or now)

level = math.max(0, level - (now - last) * leak_per_ms)
if level + 1 > capacity then
    local wait = math.ceil((level + 1 - capacity) / leak_per_ms)
    return {0, wait}
end
level = level + 1
redis.call('HSET', key, 'level', level, 'last', now)
redis.call('PEXPIRE', key, math.ceil(capacity / leak_per_ms))
return {1, 0}
