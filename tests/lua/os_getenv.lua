-- env: GREETING=hello EMPTY= PATHLIKE=/a:/b:/c WITH_EQ=a=b
-- os.getenv: set, empty and missing variables, and values with '='.
print(os.getenv("GREETING"), "[" .. os.getenv("EMPTY") .. "]", os.getenv("MISSING"))
print(os.getenv("PATHLIKE"), os.getenv("WITH_EQ"), os.getenv("greeting"))
for p in os.getenv("PATHLIKE"):gmatch("[^:]+") do io.write(p, " ") end print()
print(pcall(os.getenv), pcall(os.getenv, {}))
print(os.getenv(""), os.getenv("GREETING=hello"))
