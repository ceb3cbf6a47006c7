-- Players around a given player (rank window), highest score first.
-- KEYS[1]: leaderboard zset; ARGV[1]: player; ARGV[2]: how many on each side
local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
if not rank then
    return {}
end
local around = tonumber(ARGV[2]) or 2
local start = rank - around
if start < 0 then start = 0 end
local rows = redis.call('ZREVRANGE', KEYS[1], start, rank + around, 'WITHSCORES')
local out = {}
for i = 1, #rows, 2 do
    out[#out + 1] = {start + (i - 1) / 2 + 1, rows[i], rows[i + 1]}
end
return out
