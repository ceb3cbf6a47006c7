-- Reserve several SKUs atomically: all or nothing.
-- KEYS[i] = stock:<sku>, ARGV[i] = quantity wanted for KEYS[i]
local function want(i)
  local q = tonumber(ARGV[i])
  if q == nil or q <= 0 then
    error("bad quantity for " .. KEYS[i])
  end
  return q
end

for i = 1, #KEYS do
  local have = tonumber(redis.call('GET', KEYS[i]) or '0')
  if have < want(i) then
    return redis.error_reply('OUT_OF_STOCK ' .. KEYS[i])
  end
end
local left = {}
for i = 1, #KEYS do
  left[i] = redis.call('DECRBY', KEYS[i], want(i))
end
return left
