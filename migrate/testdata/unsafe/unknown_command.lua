-- A typo in a command name.
return redis.call('GETT', KEYS[1]) -- want: warning unknown-command
