-- Extend the lease of a lock we own.
--   KEYS[1]  lock key
--   ARGV[1]  owner token
--   ARGV[2]  additional milliseconds
local token = redis.call('GET', KEYS[1])
if not token then
  return redis.error_reply('NOLOCK lock ' .. KEYS[1] .. ' is not held')
end
if token ~= ARGV[1] then
  return 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[2]))
