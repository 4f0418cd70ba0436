-- os.exit with a status: buffered output still reaches stdout, and the
-- status is the process's.
io.write("buffered ")
io.stdout:setvbuf("full")
io.write("until exit\n")
print(pcall(os.exit, "bad"))
os.exit(7)
