-- Result cache for idempotent requests.
--   mode "begin":  reserve the key; returns {"hit", result} or {"miss"} or {"busy"}
--   mode "finish": store the result and keep it for ttl seconds
local key = KEYS[1]
local mode = ARGV[1]

if mode == "begin" then
  local cur = redis.call("HGETALL", key)
  if #cur == 0 then
    redis.call("HSET", key, "state", "running")
    redis.call("EXPIRE", key, 30)
    return {"miss"}
  end
  local h = {}
  for i = 1, #cur, 2 do h[cur[i]] = cur[i + 1] end
  if h.state == "done" then
    return {"hit", h.result}
  end
  return {"busy"}
elseif mode == "finish" then
  redis.call("HSET", key, "state", "done", "result", ARGV[2])
  redis.call("EXPIRE", key, tonumber(ARGV[3]))
  return redis.status_reply("OK")
end
error("unknown mode " .. tostring(mode))
