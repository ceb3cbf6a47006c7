-- Read a hash in RESP3 mode and return it sorted by field as an array of
-- "field=value" strings (read-only).
redis.setresp(3)
local reply = redis.call('HGETALL', KEYS[1])
local fields = {}
for f, _ in pairs(reply.map) do
  fields[#fields + 1] = f
end
table.sort(fields)
local out = {}
for _, f in ipairs(fields) do
  out[#out + 1] = f .. '=' .. reply.map[f]
end
local score = redis.call('ZSCORE', KEYS[2], 'x')
if score ~= nil then
  out[#out + 1] = score
end
return out
