-- A module for require_module.lua: loaded once, with the name and file
-- require passes.
local name, file = ...
local M = {loaded_as = name, file = file, count = 0}
function M.area(w, h) M.count = M.count + 1; return w * h end
return M
