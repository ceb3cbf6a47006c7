#!lua flags=no-writes,read-only
-- want@1: error shebang
return redis.call('GET', KEYS[1])
