-- Reads a global nobody defined (a config value someone forgot to pass).
local key = KEYS[1]
local limit = default_limit or 10 -- want: error global-read
return limit
