-- Replaces KEYS wholesale.
if #KEYS == 0 then
  KEYS = {'default'} -- want: error keys-argv
end
return redis.call('GET', KEYS[1])
