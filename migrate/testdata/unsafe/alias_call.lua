-- redis.call kept in a local: its commands cannot be known.
local call = redis.call -- want: warning dynamic-command
return call('GET', KEYS[1])
