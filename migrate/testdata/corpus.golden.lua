#!lua name=corpus
redis.register_function('batch_hset', function(keys, args) -- HSET many field/value pairs at once and return how many fields exist now.
-- Called as: EVAL batch_hset 1 key f1 v1 f2 v2 ...
if #args == 0 or #args % 2 ~= 0 then
    return redis.error_reply("ERR expected field/value pairs, got " .. #args .. " arguments")
end
redis.call("HSET", keys[1], unpack(args))
return redis.call("HLEN", keys[1])
end) -- batch_hset.lua

redis.register_function('bitmap_bloomish', function(keys, args) -- A poor man's Bloom filter on a bitmap: K bit positions derived from the
-- SHA1 of the item. Returns 1 if the item was (probably) already present.
local bits = tonumber(args[2])
local k = tonumber(args[3])
local digest = redis.sha1hex(args[1])
local present = 1
for i = 0, k - 1 do
    local chunk = string.sub(digest, i * 8 + 1, i * 8 + 8)
    local pos = tonumber(chunk, 16) % bits
    if redis.call("SETBIT", keys[1], pos, 1) == 0 then
        present = 0
    end
end
return present
end) -- bitmap_bloomish.lua

redis.register_function('compare_and_set', function(keys, args) -- CAS: set KEYS[1] to ARGV[2] only if it currently holds ARGV[1].
-- An empty expected value means "must not exist".
local current = redis.call("GET", keys[1])
local expected = args[1]
if (expected == "" and current == false) or current == expected then
  redis.call("SET", keys[1], args[2])
  return 1
end
return 0
end) -- compare_and_set.lua

redis.register_function('counter_with_cap', function(keys, args) -- Increment a counter but never beyond a cap.
local cap = tonumber(args[1])
local by = tonumber(args[2]) or 1
local current = tonumber(redis.call('GET', keys[1]) or '0')
if current + by > cap then
    return redis.error_reply('CAPPED counter ' .. keys[1] .. ' is at ' .. current .. ' of ' .. cap)
end
return redis.call('INCRBY', keys[1], by)
end) -- counter_with_cap.lua

redis.register_function('hash_field_bump_expiry', function(keys, args) -- Bump a field of a stats hash and make sure the hash expires eventually:
-- the TTL is set only when the hash has none, so it is not extended forever.
local n = redis.call("HINCRBY", keys[1], args[1], args[2] or 1)
if redis.call("TTL", keys[1]) == -1 then
    redis.call("EXPIRE", keys[1], args[3] or 86400)
end
return n
end) -- hash_field_bump_expiry.lua

redis.register_function('idempotency_first_writer', function(keys, args) -- Idempotency key: the first writer wins and stores its request fingerprint.
-- Later callers learn whether they sent the same request.
-- KEYS[1] = idem:<key>   ARGV[1] = fingerprint   ARGV[2] = ttl seconds
local ok = redis.call('SET', keys[1], args[1], 'NX', 'EX', args[2])
if ok then
    return {'created', args[1]}
end
local existing = redis.call('GET', keys[1])
if existing == args[1] then
    return {'replay', existing}
end
return {'conflict', existing}
end) -- idempotency_first_writer.lua

redis.register_function('idempotency_result_cache', function(keys, args) -- Result cache for idempotent requests.
--   mode "begin":  reserve the key; returns {"hit", result} or {"miss"} or {"busy"}
--   mode "finish": store the result and keep it for ttl seconds
local key = keys[1]
local mode = args[1]

if mode == "begin" then
  local cur = redis.call("HGETALL", key)
  if #cur == 0 then
    redis.call("HSET", key, "state", "running")
    redis.call("EXPIRE", key, 30)
    return {"miss"}
  end
  local h = {}
  for i = 1, #cur, 2 do h[cur[i]] = cur[i + 1] end
  if h.state == "done" then
    return {"hit", h.result}
  end
  return {"busy"}
elseif mode == "finish" then
  redis.call("HSET", key, "state", "done", "result", args[2])
  redis.call("EXPIRE", key, tonumber(args[3]))
  return redis.status_reply("OK")
end
error("unknown mode " .. tostring(mode))
end) -- idempotency_result_cache.lua

redis.register_function('inventory_reserve', function(keys, args) -- Reserve several SKUs atomically: all or nothing.
-- KEYS[i] = stock:<sku>, ARGV[i] = quantity wanted for KEYS[i]
local function want(i)
  local q = tonumber(args[i])
  if q == nil or q <= 0 then
    error("bad quantity for " .. keys[i])
  end
  return q
end

for i = 1, #keys do
  local have = tonumber(redis.call('GET', keys[i]) or '0')
  if have < want(i) then
    return redis.error_reply('OUT_OF_STOCK ' .. keys[i])
  end
end
local left = {}
for i = 1, #keys do
  left[i] = redis.call('DECRBY', keys[i], want(i))
end
return left
end) -- inventory_reserve.lua

redis.register_function{function_name='leaderboard_rank_window', flags={'no-writes'}, callback=function(keys, args) -- Players around a given player (rank window), highest score first.
-- KEYS[1]: leaderboard zset; ARGV[1]: player; ARGV[2]: how many on each side
local rank = redis.call('ZREVRANK', keys[1], args[1])
if not rank then
    return {}
end
local around = tonumber(args[2]) or 2
local start = rank - around
if start < 0 then start = 0 end
local rows = redis.call('ZREVRANGE', keys[1], start, rank + around, 'WITHSCORES')
local out = {}
for i = 1, #rows, 2 do
    out[#out + 1] = {start + (i - 1) / 2 + 1, rows[i], rows[i + 1]}
end
return out
end} -- leaderboard_rank_window.lua

redis.register_function('leaderboard_set_if_greater', function(keys, args) -- Keep a player's best score: only raise it.
-- KEYS[1] leaderboard, ARGV[1] player, ARGV[2] score
local score = tonumber(args[2])
if not score then
  return redis.error_reply("ERR score is not a number")
end
local best = redis.call("ZSCORE", keys[1], args[1])
if best and tonumber(best) >= score then
  return {0, best}
end
redis.call("ZADD", keys[1], score, args[1])
return {1, redis.call("ZSCORE", keys[1], args[1])}
end) -- leaderboard_set_if_greater.lua

redis.register_function{function_name='leaderboard_top_n', flags={'no-writes'}, callback=function(keys, args) -- Top N players with their scores, as {name, score} pairs.
local n = tonumber(args[1])
if n == nil or n < 1 then
  return redis.error_reply('ERR N must be a positive integer')
end
local flat = redis.call('ZREVRANGE', keys[1], 0, n - 1, 'WITHSCORES')
local result = {}
for i = 1, #flat, 2 do
  table.insert(result, {flat[i], flat[i+1]})
end
return result
end} -- leaderboard_top_n.lua

redis.register_function('legacy_counter', function(keys, args) -- Written for Redis 3.2, when scripts had to ask for effects replication.
--[[redis.replicate_commands()]]
local n = redis.call('INCR', keys[1])
redis.call('SET', keys[2], 'updated-' .. n)
return n
end) -- legacy_counter.lua

redis.register_function('lock_acquire', function(keys, args) -- Acquire a lock with an owner token.
-- Returns 1 when acquired (or re-acquired by the same owner), 0 otherwise.
if redis.call("SET", keys[1], args[1], "NX", "PX", args[2]) then
    return 1
end
if redis.call("GET", keys[1]) == args[1] then
    -- re-entrant: same owner refreshes its lease
    redis.call("PEXPIRE", keys[1], args[2])
    return 1
end
return 0
end) -- lock_acquire.lua

redis.register_function('lock_extend', function(keys, args) -- Extend the lease of a lock we own.
--   KEYS[1]  lock key
--   ARGV[1]  owner token
--   ARGV[2]  additional milliseconds
local token = redis.call('GET', keys[1])
if not token then
  return redis.error_reply('NOLOCK lock ' .. keys[1] .. ' is not held')
end
if token ~= args[1] then
  return 0
end
local ttl = redis.call('PTTL', keys[1])
if ttl < 0 then ttl = 0 end
return redis.call('PEXPIRE', keys[1], ttl + tonumber(args[2]))
end) -- lock_extend.lua

redis.register_function('lock_release', function(keys, args) -- Release a lock only if we still own it (the classic pattern from the SET docs).
if redis.call("get",keys[1]) == args[1] then
    return redis.call("del",keys[1])
else
    return 0
end
end) -- lock_release.lua

redis.register_function('multi_get_dynamic', function(keys, args) -- Run one read command (given by the caller) on every key and collect the
-- results: the command name comes from ARGV, so it cannot be known before
-- the script runs.
local cmd = args[1]
local out = {}
for i, key in ipairs(keys) do
  out[i] = redis.call(cmd, key)
end
return out
end) -- multi_get_dynamic.lua

redis.register_function{function_name='profile_read', flags={'no-writes'}, callback=function(keys, args) -- Read a user profile and its groups as one JSON document (read-only).
local profile = redis.call('HGETALL', keys[1])
if #profile == 0 then
  return nil
end
local doc = {}
for i = 1, #profile, 2 do
  doc[profile[i]] = profile[i + 1]
end
local groups = redis.call('SMEMBERS', keys[2])
table.sort(groups)
doc.groups = groups
doc.visits = tonumber(redis.call('GET', keys[3]) or 0)
return cjson.encode(doc)
end} -- profile_read.lua

redis.register_function('queue_dedup_enqueue', function(keys, args) -- Enqueue a job once: the id set remembers what was ever enqueued.
local added = redis.call('SADD', keys[2], args[1])
if added == 0 then
    return {0, redis.call('LLEN', keys[1])}
end
local len = redis.call('RPUSH', keys[1], args[2])
return {1, len}
end) -- queue_dedup_enqueue.lua

redis.register_function('queue_delayed_promote', function(keys, args) -- Move due jobs from the delayed zset to the ready list.
-- KEYS[1] delayed zset (score = due time), KEYS[2] ready list
-- ARGV[1] now, ARGV[2] max jobs to move
local due = redis.call('ZRANGEBYSCORE', keys[1], '-inf', args[1], 'LIMIT', 0, tonumber(args[2]))
for i = 1, #due do
  redis.call('LPUSH', keys[2], due[i])
  redis.call('ZREM', keys[1], due[i])
end
return #due
end) -- queue_delayed_promote.lua

redis.register_function('queue_reliable_pop', function(keys, args) -- Reliable queue: move the next job to the processing list and remember
-- when it was taken, so a reaper can requeue jobs whose worker died.
-- KEYS: queue, processing list, started-at hash
-- ARGV: now (ms)
local job = redis.call('RPOPLPUSH', keys[1], keys[2])
if job == false then
  return nil
end
redis.call('HSET', keys[3], job, args[1])
return job
end) -- queue_reliable_pop.lua

redis.register_function('ratelimit_fixed_window', function(keys, args) -- Fixed-window rate limiter.
-- KEYS[1]: counter key for the current window
-- ARGV[1]: max requests per window, ARGV[2]: window length in seconds
local key = keys[1]
local limit = tonumber(args[1])
local window = tonumber(args[2])

local current = redis.call('INCR', key)
if current == 1 then
    redis.call('EXPIRE', key, window)
end

if current > limit then
    return {0, current, redis.call('TTL', key)}
end
return {1, current, redis.call('TTL', key)}
end) -- ratelimit_fixed_window.lua

redis.register_function{function_name='ratelimit_leaky_bucket', flags={'allow-oom'}, callback=function(keys, args) -- Leaky bucket (as a meter): water leaks at a constant rate,
-- each request adds one unit if there is room.
local key = keys[1]
local capacity = tonumber(args[1])
local leak_per_ms = tonumber(args[2])
local now = tonumber(args[3])

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
end} -- ratelimit_leaky_bucket.lua

redis.register_function('ratelimit_sliding_log', function(keys, args) -- Sliding window log: one sorted-set member per request.
-- KEYS[1] = log key
-- ARGV = now_ms, window_ms, limit, request_id
local now = tonumber(args[1])
local window = tonumber(args[2])
local limit = tonumber(args[3])
local id = args[4]

redis.call("ZREMRANGEBYSCORE", keys[1], "-inf", now - window)
local count = redis.call("ZCARD", keys[1])
if count >= limit then
  -- tell the caller when the oldest entry leaves the window
  local oldest = redis.call("ZRANGE", keys[1], 0, 0, "WITHSCORES")
  return {0, count, tonumber(oldest[2]) + window - now}
end
redis.call("ZADD", keys[1], now, id)
redis.call("PEXPIRE", keys[1], window)
return {1, count + 1, 0}
end) -- ratelimit_sliding_log.lua

redis.register_function('ratelimit_token_bucket', function(keys, args) --[[
  Token bucket.
  KEYS[1]  bucket hash {tokens, ts}
  ARGV[1]  capacity
  ARGV[2]  refill rate (tokens per second)
  ARGV[3]  now (seconds, may be fractional)
  ARGV[4]  tokens requested (default 1)
]]
local capacity = tonumber(args[1])
local rate = tonumber(args[2])
local now = tonumber(args[3])
local requested = tonumber(args[4] or "1")

local state = redis.call("HMGET", keys[1], "tokens", "ts")
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

redis.call("HSET", keys[1], "tokens", tostring(tokens), "ts", tostring(now))
redis.call("EXPIRE", keys[1], math.ceil(capacity / rate) * 2)
return {allowed, tostring(tokens)}
end) -- ratelimit_token_bucket.lua

redis.register_function{function_name='resp3_hgetall', flags={'no-writes'}, callback=function(keys, args) -- Read a hash in RESP3 mode and return it sorted by field as an array of
-- "field=value" strings (read-only).
redis.setresp(3)
local reply = redis.call('HGETALL', keys[1])
local fields = {}
for f, _ in pairs(reply.map) do
  fields[#fields + 1] = f
end
table.sort(fields)
local out = {}
for _, f in ipairs(fields) do
  out[#out + 1] = f .. '=' .. reply.map[f]
end
local score = redis.call('ZSCORE', keys[2], 'x')
if score ~= nil then
  out[#out + 1] = score
end
return out
end} -- resp3_hgetall.lua

redis.register_function('safe_incr', function(keys, args) -- Increment with a friendly error instead of Redis's.
local r = redis.pcall('INCRBY', keys[1], args[1] or 1)
if type(r) == 'table' and r.err then
    return redis.error_reply('NOT_A_COUNTER ' .. keys[1] .. ': ' .. r.err)
end
return r
end) -- safe_incr.lua

redis.register_function('session_touch', function(keys, args) -- Touch a session: slide its expiry and record the last activity.
-- Returns the new TTL in seconds, or -2 when the session does not exist.
-- KEYS[1] session hash; ARGV[1] idle timeout (s); ARGV[2] now (unix s)
if redis.call('EXISTS', keys[1]) == 0 then
	return -2
end
redis.call('HSET', keys[1], 'last_seen', args[2])
redis.call('HINCRBY', keys[1], 'touches', 1)
redis.call('EXPIRE', keys[1], args[1])
return redis.call('TTL', keys[1])
end) -- session_touch.lua

redis.register_function{function_name='stats_overview', flags={'no-writes', 'allow-stale', 'no-cluster'}, callback=function(keys, args) -- Sizes of the structures of a small app, for a dashboard.
local out = {}
out[1] = redis.call("LLEN", keys[1])
out[2] = redis.call("SCARD", keys[2])
out[3] = redis.call("ZCARD", keys[3])
out[4] = redis.call("HLEN", keys[4])
out[5] = redis.call("EXISTS", unpack(keys))
return out
end} -- stats_overview.lua
