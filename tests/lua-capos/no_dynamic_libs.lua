-- capOS programs are static: package.loadlib and C modules through
-- require report that dynamic libraries are not enabled.
local f, msg, where = package.loadlib("lib.so", "luaopen_lib")
print("package.loadlib:", f, msg, where)
assert(f == nil and where == "absent" and msg:find("dynamic libraries not enabled", 1, true))
package.cpath = "/lib/?.so"
local ok, err = pcall(require, "no_c_module")
assert(not ok and err:find("no file '/lib/no_c_module.so'", 1, true), err)
print("require of a C module fails as expected")
