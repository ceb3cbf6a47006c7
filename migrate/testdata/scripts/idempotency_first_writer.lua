-- Idempotency key: the first writer wins and stores its request fingerprint.
-- Later callers learn whether they sent the same request.
-- KEYS[1] = idem:<key>   ARGV[1] = fingerprint   ARGV[2] = ttl seconds
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
if ok then
    return {'created', ARGV[1]}
end
local existing = redis.call('GET', KEYS[1])
if existing == ARGV[1] then
    return {'replay', existing}
end
return {'conflict', existing}
