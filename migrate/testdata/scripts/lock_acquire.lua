-- Acquire a lock with an owner token.
-- Returns 1 when acquired (or re-acquired by the same owner), 0 otherwise.
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
    return 1
end
if redis.call("GET", KEYS[1]) == ARGV[1] then
    -- re-entrant: same owner refreshes its lease
    redis.call("PEXPIRE", KEYS[1], ARGV[2])
    return 1
end
return 0
