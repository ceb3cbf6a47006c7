#!lua flags=no-writes
-- Declares no-writes but writes.
redis.call('SET', KEYS[1], 'x') -- want: warning write-in-no-writes
return 1
