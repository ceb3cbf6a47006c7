-- Release a lock only if we still own it (the classic pattern from the SET docs).
if redis.call("get",KEYS[1]) == ARGV[1] then
    return redis.call("del",KEYS[1])
else
    return 0
end
