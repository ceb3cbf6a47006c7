-- Builds code that reads KEYS.
local getter = loadstring('return KEYS[1]') -- want: error keys-argv -- want: warning dynamic-code
return redis.call('GET', getter())
