-- Fixed-window rate limiter.
-- KEYS[1]: counter key for the current window
-- ARGV[1]: max requests per window, ARGV[2]: window length in seconds
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])

local current = redis.call('INCR', key)
if current == 1 then
    redis.call('EXPIRE', key, window)
end

if current > limit then
    return {0, current, redis.call('TTL', key)}
end
return {1, current, redis.call('TTL', key)}
