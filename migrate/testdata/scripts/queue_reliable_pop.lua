-- Reliable queue: move the next job to the processing list and remember
-- when it was taken, so a reaper can requeue jobs whose worker died.
-- KEYS: queue, processing list, started-at hash
-- ARGV: now (ms)
local job = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
if job == false then
  return nil
end
redis.call('HSET', KEYS[3], job, ARGV[1])
return job
