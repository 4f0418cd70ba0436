# The seed smoke: cat foo | grep bar through a pipeline, and longer ones.
cd "$(mktemp -d)" || exit 1
printf 'foo\nbar one\nbaz\nbar two\n' > foo
cat foo | grep bar
cat foo | grep -c bar
cat foo | sort | uniq | wc -l
cat foo | tr a-z A-Z | grep -v BAZ | head -2 | tail -1
seq 1 100 | awk '{ s += $1 } END { print s }'
echo "status of a failing pipeline: $(false | true; echo $?)"
cd / && rm -r "$OLDPWD"
