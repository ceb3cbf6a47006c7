-- Reads an undefined global through _G.
local limit = _G.rate_limit_default -- want: error global-read
return limit or 10
