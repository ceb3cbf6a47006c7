-- Reaches KEYS through _G: the rewrite cannot follow it.
local k = _G.KEYS[1] -- want: error keys-argv
local a = _G["ARGV"][1] -- want: error keys-argv
return {k, a}
