-- Sliding window log: one sorted-set member per request.
-- KEYS[1] = log key
-- ARGV = now_ms, window_ms, limit, request_id
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local id = ARGV[4]

redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local count = redis.call("ZCARD", KEYS[1])
if count >= limit then
  -- tell the caller when the oldest entry leaves the window
  local oldest = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
  return {0, count, tonumber(oldest[2]) + window - now}
end
redis.call("ZADD", KEYS[1], now, id)
redis.call("PEXPIRE", KEYS[1], window)
return {1, count + 1, 0}
