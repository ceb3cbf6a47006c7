#!lua
-- Move due jobs from the delayed zset to the ready list.
-- KEYS[1] delayed zset (score = due time), KEYS[2] ready list
-- ARGV[1] now, ARGV[2] max jobs to move
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #due do
  redis.call('LPUSH', KEYS[2], due[i])
  redis.call('ZREM', KEYS[1], due[i])
end
return #due
