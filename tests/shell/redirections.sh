# Redirections of every kind: >, >>, <, 2>, 2>&1, >&2, <>, n>&m, n<&-,
# exec with redirections, and /dev/null.
cd "$(mktemp -d)" || exit 1
echo first > f
echo second >> f
cat < f
ls /nonexistent 2> err; echo "ls status $?"; wc -l < err
{ echo out; echo err >&2; } > both 2>&1
sort both
echo to-null > /dev/null
exec 3> fd3
echo via three >&3
exec 3>&-
cat fd3
exec 4< f
read -r line <&4
echo "read from 4: $line"
exec 4<&-
echo abc > rw
exec 5<> rw
read -r got <&5
echo "rw: $got"
exec 5>&-
echo "noclobber:"; set -C; (echo x > f) 2>/dev/null || echo "refused"; set +C
echo x >| f; cat f
cd / && rm -r "$OLDPWD"
