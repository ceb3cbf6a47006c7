-- HSET many field/value pairs at once and return how many fields exist now.
-- Called as: EVAL batch_hset 1 key f1 v1 f2 v2 ...
if #ARGV == 0 or #ARGV % 2 ~= 0 then
    return redis.error_reply("ERR expected field/value pairs, got " .. #ARGV .. " arguments")
end
redis.call("HSET", KEYS[1], unpack(ARGV))
return redis.call("HLEN", KEYS[1])
