-- Parses Redis's error text.
local ok, err = pcall(function() error('boom') end)
if string.find(err, 'user_script') then -- want: warning error-text
  return 1
end
return 0
