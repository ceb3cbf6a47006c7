-- Sloppy globals: both would fail in a function.
counter = redis.call('INCR', KEYS[1]) -- want: error global-write
function bump(k) -- want: error global-write
  return redis.call('INCR', k)
end
return counter -- want: error global-read
