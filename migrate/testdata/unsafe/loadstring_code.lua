-- Compiles code at run time.
local f = loadstring('return 1 + 1') -- want: warning dynamic-code
return f()
