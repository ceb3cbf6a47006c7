-- Uses EVAL's global error handler to format errors itself.
local ok, err = xpcall(function() return redis.call('INCR', KEYS[1]) end, __redis__err__handler) -- want: error err-handler
return {tostring(ok), tostring(err)}
