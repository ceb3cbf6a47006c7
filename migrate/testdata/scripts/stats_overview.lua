#!lua flags=no-writes,allow-stale,no-cluster
-- Sizes of the structures of a small app, for a dashboard.
local out = {}
out[1] = redis.call("LLEN", KEYS[1])
out[2] = redis.call("SCARD", KEYS[2])
out[3] = redis.call("ZCARD", KEYS[3])
out[4] = redis.call("HLEN", KEYS[4])
out[5] = redis.call("EXISTS", unpack(KEYS))
return out
