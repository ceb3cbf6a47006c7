-- Tries to register a function at run time.
redis.register_function('late', function() return 1 end) -- want: error register
return 1
