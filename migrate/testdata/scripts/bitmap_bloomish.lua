-- A poor man's Bloom filter on a bitmap: K bit positions derived from the
-- SHA1 of the item. Returns 1 if the item was (probably) already present.
local bits = tonumber(ARGV[2])
local k = tonumber(ARGV[3])
local digest = redis.sha1hex(ARGV[1])
local present = 1
for i = 0, k - 1 do
    local chunk = string.sub(digest, i * 8 + 1, i * 8 + 8)
    local pos = tonumber(chunk, 16) % bits
    if redis.call("SETBIT", KEYS[1], pos, 1) == 0 then
        present = 0
    end
end
return present
