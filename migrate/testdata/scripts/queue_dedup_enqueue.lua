-- Enqueue a job once: the id set remembers what was ever enqueued.
local added = redis.call('SADD', KEYS[2], ARGV[1])
if added == 0 then
    return {0, redis.call('LLEN', KEYS[1])}
end
local len = redis.call('RPUSH', KEYS[1], ARGV[2])
return {1, len}
