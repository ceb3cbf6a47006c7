-- EVAL compiles the script as a vararg chunk (called with no arguments).
local n = select('#', ...)
local t = {...}
return {n, #t, #KEYS + #ARGV}
