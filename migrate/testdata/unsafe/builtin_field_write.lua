-- Monkey-patches built-in tables.
string.trim = function(s) return (s:gsub('^%s+', '')) end -- want: error global-write
redis.last_key = KEYS[1] -- want: error global-write
return string.trim(ARGV[1])
