-- Large strings and buffers: building megabytes with table.concat and
-- string.rep, long pattern scans, many distinct short strings, and a
-- simple checksum of the results.
local function checksum(s)
  local h = 0
  for i = 1, #s, 97 do h = (h * 31 + s:byte(i)) % 4294967296 end
  return h
end
local parts = {}
for i = 1, 100000 do parts[i] = tostring(i) end
local joined = table.concat(parts, ",")
print(#joined, checksum(joined))
local rep = string.rep("abc", 1000000)
print(#rep, checksum(rep), select(2, rep:gsub("abc", "")))
local count = 0
for _ in joined:gmatch("%d+") do count = count + 1 end
print("numbers", count)
local up = rep:upper()
print(#up, up:sub(1, 6), up:find("abc"))
local set = {}
for i = 1, 50000 do set["key" .. i] = i end
local total = 0
for i = 1, 50000 do total = total + set["key" .. i] end
print(total)
local buf = {}
for i = 1, 1000 do buf[#buf + 1] = string.format("%05d:%s;", i, ("x"):rep(i % 10)) end
local s = table.concat(buf)
print(#s, checksum(s), s:sub(1, 30))
local rev = joined:reverse()
print(rev:sub(1, 20), #rev == #joined)
local long = string.rep("a", 10000) .. "b"
print(long:find("a*b"), long:match("(a+)b"):len())
local packed = string.pack(">I4", 0xdeadbeef):rep(10000)
local sum = 0
for i = 1, #packed, 4 do sum = sum + string.unpack(">I4", packed, i) end
print(sum)
