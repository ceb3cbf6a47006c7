redis.replicate_commands();
redis.debug "starting"
local v = redis.call('INCR', KEYS[1])
if v > 1 then redis.breakpoint() end
redis.debug('v is', v, KEYS[1], {ARGV[1]})
if v > 2 then
  error('too many: ' .. v)
end
return v
