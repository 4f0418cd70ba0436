-- Small programs: a sieve, n-queens, a Lua quicksort against table.sort,
-- binary search, word frequencies, a recursive-descent calculator and a
-- serializer with sorted keys.
local function sieve(n)
  local is = {}
  for i = 2, n do is[i] = true end
  for i = 2, math.floor(math.sqrt(n)) do
    if is[i] then for j = i * i, n, i do is[j] = false end end
  end
  local primes = {}
  for i = 2, n do if is[i] then primes[#primes + 1] = i end end
  return primes
end
local p = sieve(10000)
print(#p, p[#p], p[100])
local function queens(n)
  local count, cols, d1, d2 = 0, {}, {}, {}
  local function place(r)
    if r > n then count = count + 1; return end
    for c = 1, n do
      if not cols[c] and not d1[r + c] and not d2[r - c + n] then
        cols[c], d1[r + c], d2[r - c + n] = true, true, true
        place(r + 1)
        cols[c], d1[r + c], d2[r - c + n] = nil, nil, nil
      end
    end
  end
  place(1)
  return count
end
print("queens", queens(6), queens(8))
local function qsort(a, lo, hi)
  lo, hi = lo or 1, hi or #a
  if lo >= hi then return a end
  local pivot, i = a[(lo + hi) // 2], lo
  local j = hi
  while i <= j do
    while a[i] < pivot do i = i + 1 end
    while a[j] > pivot do j = j - 1 end
    if i <= j then a[i], a[j] = a[j], a[i]; i = i + 1; j = j - 1 end
  end
  qsort(a, lo, j); qsort(a, i, hi)
  return a
end
math.randomseed(1)
local a, b = {}, {}
for i = 1, 2000 do a[i] = math.random(1, 1 << 30); b[i] = a[i] end
qsort(a); table.sort(b)
local same = true
for i = 1, #a do if a[i] ~= b[i] then same = false end end
print("qsort agrees", same, a[1] <= a[2000])
local function bsearch(t, v)
  local lo, hi = 1, #t
  while lo <= hi do
    local mid = (lo + hi) // 2
    if t[mid] == v then return mid elseif t[mid] < v then lo = mid + 1 else hi = mid - 1 end
  end
end
print(bsearch(p, 7919), bsearch(p, 7920), bsearch(p, 2))
local text = [[the quick brown fox jumps over the lazy dog the fox
and the dog sleep while the quick fox runs]]
local freq = {}
for w in text:gmatch("%a+") do freq[w] = (freq[w] or 0) + 1 end
local words = {}
for w, n in pairs(freq) do words[#words + 1] = w end
table.sort(words, function(x, y) if freq[x] ~= freq[y] then return freq[x] > freq[y] end return x < y end)
for i = 1, 4 do io.write(words[i], "=", freq[words[i]], " ") end print()
local function calc(src)
  local pos = 1
  local function skip() pos = src:find("%S", pos) or #src + 1 end
  local expr
  local function atom()
    skip()
    if src:sub(pos, pos) == "(" then pos = pos + 1; local v = expr(); skip(); pos = pos + 1; return v end
    if src:sub(pos, pos) == "-" then pos = pos + 1; return -atom() end
    local num = src:match("^%d+%.?%d*", pos)
    if not num then error("bad input at " .. pos, 0) end
    pos = pos + #num
    return tonumber(num)
  end
  local function term()
    local v = atom()
    while true do
      skip()
      local op = src:sub(pos, pos)
      if op == "*" then pos = pos + 1; v = v * atom()
      elseif op == "/" then pos = pos + 1; v = v / atom()
      else return v end
    end
  end
  function expr()
    local v = term()
    while true do
      skip()
      local op = src:sub(pos, pos)
      if op == "+" then pos = pos + 1; v = v + term()
      elseif op == "-" then pos = pos + 1; v = v - term()
      else return v end
    end
  end
  return expr()
end
print(calc("1 + 2 * 3"), calc("(1 + 2) * 3"), calc("10 / 4 - -1"), pcall(calc, "2 * x"))
local function serialize(v, indent)
  indent = indent or ""
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(x, y) return tostring(x) < tostring(y) end)
    local out = {"{\n"}
    for _, k in ipairs(keys) do
      out[#out + 1] = string.format("%s  [%q] = %s,\n", indent, k, serialize(v[k], indent .. "  "))
    end
    out[#out + 1] = indent .. "}"
    return table.concat(out)
  end
  return string.format("%q", v)
end
print(serialize({name = "capOS", version = 1, tags = {"os", "capabilities"}, ratio = 0.5, nested = {ok = true}}))
