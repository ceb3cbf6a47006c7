-- Increment a counter but never beyond a cap.
local cap = tonumber(ARGV[1])
local by = tonumber(ARGV[2]) or 1
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current + by > cap then
    return redis.error_reply('CAPPED counter ' .. KEYS[1] .. ' is at ' .. current .. ' of ' .. cap)
end
return redis.call('INCRBY', KEYS[1], by)
