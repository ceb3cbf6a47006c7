-- Does not compile.
local x = redis.call('GET', KEYS[1])
if x == then -- want: error parse
  return 1
end
