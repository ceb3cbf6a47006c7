-- The command comes from the caller: not flagged no-writes.
return redis.call(ARGV[1], KEYS[1]) -- want: warning dynamic-command
