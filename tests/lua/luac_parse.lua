-- luac: -p luac_parse.lua lib/syntax_error.lua
-- luac -p on a file with a syntax error: the message on stderr names
-- the file and line, and the status is 1.
return 1
