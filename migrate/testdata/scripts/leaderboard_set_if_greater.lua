-- Keep a player's best score: only raise it.
-- KEYS[1] leaderboard, ARGV[1] player, ARGV[2] score
local score = tonumber(ARGV[2])
if not score then
  return redis.error_reply("ERR score is not a number")
end
local best = redis.call("ZSCORE", KEYS[1], ARGV[1])
if best and tonumber(best) >= score then
  return {0, best}
end
redis.call("ZADD", KEYS[1], score, ARGV[1])
return {1, redis.call("ZSCORE", KEYS[1], ARGV[1])}
