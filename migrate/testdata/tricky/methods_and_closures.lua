local M = {}
function M.get(i) return redis.call('GET', KEYS[i]) end
function M:count() return #KEYS + self.extra end
M.extra = 100
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
local upper = ARGV[1]:upper()
local each = {}
for i, k in ipairs(KEYS) do
  each[#each + 1] = function() return k .. '=' .. tostring(M.get(i)) end
end
local out = {upper, M:count(), fact(#ARGV + 3), KEYS[1]:len()}
for _, f in ipairs(each) do out[#out + 1] = f() end
return out
