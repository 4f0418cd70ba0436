-- The file service through the objects: lists of structs and enums in
-- results, capabilities typed by their field, facets.
package.path = "/caplua/lib/?.lua"
local expect = require "expect"

local page = caps.root:list{max = 64}
local kinds = {}
for _, e in ipairs(page.entries) do kinds[e.name] = e.kind end
assert(kinds.bin == "directory" and kinds.etc == "directory" and kinds.tmp == "directory")
assert(type(page["end"]) == "boolean" and math.type(page.next) == "integer")

-- Directory.open's results name File and Directory: the objects are typed.
local etc = caps.root:open{name = "etc", directory = true}.directory
assert(etc.interface == "Directory")
local r = etc:open{name = "passwd"}
assert(r.file.interface == "File" and r.directory == nil and r.symlink == false)
local st = r.file:stat().stat
assert(st.kind == "file" and st.size > 0 and st.readOnly == false)
local data = r.file:read{offset = 0, count = 4096}.data
assert(#data == st.size and data:find("root:", 1, true) == 1)

-- A read-only facet refuses writes; the system says so.
local ro = caps.root:readOnly().directory
expect("Directory.open: notPermitted", ro.open, ro, {name = "new", create = true})
expect("Directory.open: invalidArgument (params.name)", ro.open, ro, {name = "tmp/new"})
local tmp = caps.root:open{name = "tmp", directory = true}.directory
local f = tmp:open{name = "caplua-directory", create = true, mode = 420}.file
assert(f:write{offset = 0, data = "abc"}.count == 3)
assert(f:size().size == 3)
tmp:remove{name = "caplua-directory"}
expect("Directory.open: notFound", tmp.open, tmp, {name = "caplua-directory"})
print("directory: ok")
