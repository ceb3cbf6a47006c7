-- redis.debug with an argument that runs a command: cannot just be dropped.
redis.debug('value', redis.call('GET', KEYS[1])) -- want: error eval-only-api
return 1
