-- Checks the result of replicate_commands (Redis 3.2 style).
if not redis.replicate_commands() then -- want: error eval-only-api
  return redis.error_reply('ERR cannot replicate effects')
end
redis.call('SET', KEYS[1], tostring(math.random()))
return 1
