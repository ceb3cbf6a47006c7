-- Run one read command (given by the caller) on every key and collect the
-- results: the command name comes from ARGV, so it cannot be known before
-- the script runs.
local cmd = ARGV[1]
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call(cmd, key)
end
return out
