-- Read a user profile and its groups as one JSON document (read-only).
local profile = redis.call('HGETALL', KEYS[1])
if #profile == 0 then
  return nil
end
local doc = {}
for i = 1, #profile, 2 do
  doc[profile[i]] = profile[i + 1]
end
local groups = redis.call('SMEMBERS', KEYS[2])
table.sort(groups)
doc.groups = groups
doc.visits = tonumber(redis.call('GET', KEYS[3]) or 0)
return cjson.encode(doc)
