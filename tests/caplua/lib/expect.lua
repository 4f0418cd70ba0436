-- expect_error(pattern, f, ...): f(...) must raise an error whose message
-- contains `pattern` (a plain string); returns the message.
return function(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error containing: " .. pattern)
  err = tostring(err)
  assert(err:find(pattern, 1, true), "error '" .. err .. "' lacks '" .. pattern .. "'")
  return err
end
