-- Touch a session: slide its expiry and record the last activity.
-- Returns the new TTL in seconds, or -2 when the session does not exist.
-- KEYS[1] session hash; ARGV[1] idle timeout (s); ARGV[2] now (unix s)
if redis.call('EXISTS', KEYS[1]) == 0 then
	return -2
end
redis.call('HSET', KEYS[1], 'last_seen', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'touches', 1)
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('TTL', KEYS[1])
