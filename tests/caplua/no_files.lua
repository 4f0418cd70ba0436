-- without: root
-- Without a Directory the script has no file access at all; the rest of
-- the curated library is there.
assert(caps.root == nil)
assert(io.open == nil and io.lines == nil and io.input == nil and io.output == nil)
assert(io.popen == nil and io.tmpfile == nil)
assert(os.remove == nil and os.rename == nil and os.tmpname == nil and os.execute == nil)
assert(loadfile == nil and dofile == nil and require == nil and package == nil)
assert(debug == nil)
assert(type(os.time()) == "number" and type(os.clock()) == "number")
assert(string.format("%d", 42) == "42" and math.max(1, 2) == 2 and utf8.char(72) == "H")
io.write("no_files: io.write works\n")
caps.stdout:writeLine{text = "no_files: ok"}
