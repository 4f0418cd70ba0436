-- require: a module found through "./?.lua", loaded once and cached in
-- package.loaded, the arguments it gets, package.searchpath, preloads,
-- and the error for a module that is nowhere.
local shapes = require("lib.shapes")
print(shapes.loaded_as, shapes.file, shapes.area(3, 4))
local again, where = require("lib.shapes")
print(again == shapes, where, package.loaded["lib.shapes"] == shapes)
print(package.searchpath("lib.shapes", "./?.lua"), package.searchpath("lib/shapes", "./?.lua", "/", "/"))
print(package.searchpath("nope", "./?.lua;./?/x.lua"))
package.preload["virtual"] = function(name, extra) return {name = name, extra = extra} end
local v = require("virtual")
print(v.name, v.extra)
local ok, err = pcall(require, "no.such.module")
print(ok, err:match("^module 'no.such.module' not found:") ~= nil, err:find("no/such/module.lua", 1, true) ~= nil)
print(package.config:sub(1, 1), type(package.path), type(package.cpath), type(package.searchers), #package.searchers)
package.loaded["lib.shapes"] = nil
local fresh = require("lib.shapes")
print(fresh ~= shapes, fresh.count, shapes.count)
