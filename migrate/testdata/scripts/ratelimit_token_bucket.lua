#!lua
--[[
  Token bucket.
  KEYS[1]  bucket hash {tokens, ts}
  ARGV[1]  capacity
  ARGV[2]  refill rate (tokens per second)
  ARGV[3]  now (seconds, may be fractional)
  ARGV[4]  tokens requested (default 1)
]]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local requested = tonumber(ARGV[4] or "1")

local state = redis.call("HMGET", KEYS[1], "tokens", "ts")
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  ts = now
end

local elapsed = math.max(0, now - ts)
tokens = math.min(capacity, tokens + elapsed * rate)

local allowed = 0
if tokens >= requested then
  tokens = tokens - requested
  allowed = 1
end

redis.call("HSET", KEYS[1], "tokens", tostring(tokens), "ts", tostring(now))
redis.call("EXPIRE", KEYS[1], math.ceil(capacity / rate) * 2)
return {allowed, tostring(tokens)}
