#!lua flags=no-writes
-- Top N players with their scores, as {name, score} pairs.
local n = tonumber(ARGV[1])
if n == nil or n < 1 then
  return redis.error_reply('ERR N must be a positive integer')
end
local flat = redis.call('ZREVRANGE', KEYS[1], 0, n - 1, 'WITHSCORES')
local result = {}
for i = 1, #flat, 2 do
  table.insert(result, {flat[i], flat[i+1]})
end
return result
