-- Debugger helpers left in a script are no-ops outside SCRIPT DEBUG.
redis.breakpoint() -- want: warning eval-only-api
local v = redis.call('GET', KEYS[1])
redis.debug('value of', KEYS[1], v); -- want: warning eval-only-api
return v
