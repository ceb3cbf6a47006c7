-- Written for Redis 3.2, when scripts had to ask for effects replication.
redis.replicate_commands()
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], 'updated-' .. n)
return n
