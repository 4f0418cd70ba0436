-- os.time reads the wall clock, os.clock the processor time this
-- process used: both are plausible and move forward.
local t = os.time()
print("os.time", t)
assert(math.type(t) == "integer" and t > 1600000000, "os.time is not a plausible date")
local c0 = os.clock()
local x = 0
for i = 1, 3000000 do x = x + i % 7 end
local c1 = os.clock()
print("os.clock advanced", c1 > c0, x)
assert(c0 >= 0 and c1 > c0, "os.clock did not advance over busy work")
assert(os.difftime(os.time(), t) >= 0)
local d = os.date("*t")
assert(d.year >= 2020 and d.month >= 1 and d.month <= 12)
print("os.date year", d.year >= 2020)
