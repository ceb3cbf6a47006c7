-- Keeps a scratch key out of replicas.
redis.set_repl(redis.REPL_AOF) -- want: warning set-repl
redis.call('SET', KEYS[1], ARGV[1])
redis.set_repl(redis.REPL_ALL) -- want: warning set-repl
return 1
