-- Commands no script may run.
local r = redis.pcall('MULTI') -- want: warning noscript
return r
