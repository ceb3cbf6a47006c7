-- Globals only some Redis builds have.
local t = os.clock() -- want: warning version
local env = getfenv(1) -- want: warning version -- want: warning dynamic-code
return redis.call('GET', KEYS[1])
