-- env: TZ=EST5EDT,M3.2.0,M11.1.0
-- os.date and os.time at fixed times: UTC and a POSIX TZ rule with
-- daylight saving time, every strftime conversion Lua allows, "*t"
-- tables, and os.time normalizing out-of-range fields.
local t0 = 1700000000
print(os.date("!%Y-%m-%d %H:%M:%S", t0), os.date("!%c", t0))
print(os.date("!%a %A %b %B %d %e %j %U %W %w %u %y %C %G %g %V", t0))
print(os.date("!%D %F %R %T %I %p %M %S %h %n|%t|%%", t0))
print(os.date("!%x %X", 0), os.date("!%H", 3600 * 23 + 59))
print(os.date("%Y-%m-%d %H:%M:%S %Z", t0), os.date("%H %Z", 1690000000))
local function show(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  return table.concat(out, " ")
end
print(show(os.date("!*t", t0)))
print(show(os.date("*t", t0)))
print(show(os.date("*t", 1690000000)))
print(os.time({year = 2023, month = 11, day = 14, hour = 17, min = 13, sec = 20}))
print(os.time({year = 2023, month = 7, day = 22, hour = 0}))
print(os.time({year = 2000, month = 1, day = 1}), os.time({year = 1970, month = 1, day = 1, hour = 0}))
local norm = {year = 2023, month = 13, day = 0, hour = 25, min = -1, sec = 61}
local tn = os.time(norm)
print(tn, show(norm))
print(os.time({year = 2024, month = 2, day = 29, hour = 12}) - os.time({year = 2024, month = 2, day = 28, hour = 12}))
print(os.difftime(t0, 0), os.difftime(10, 20), math.type(os.difftime(1, 0)))
print(pcall(os.date, "%Ez", t0))
print(pcall(os.date, "%Q", t0))
print(pcall(os.time, {year = 2023}))
print(pcall(os.time, {year = 2023, month = "x", day = 1}))
print(pcall(os.time, {year = 1e20, month = 1, day = 1}))
print(os.date("!%Y", 0), os.date("!%Y", -86400), os.date("!%Y-%m-%d", 253402300799))
print(math.type(os.time()), os.time() > t0, type(os.date()), type(os.clock()))
