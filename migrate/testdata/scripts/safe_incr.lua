-- Increment with a friendly error instead of Redis's.
local r = redis.pcall('INCRBY', KEYS[1], ARGV[1] or 1)
if type(r) == 'table' and r.err then
    return redis.error_reply('NOT_A_COUNTER ' .. KEYS[1] .. ': ' .. r.err)
end
return r
