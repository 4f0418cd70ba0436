# Background jobs with wait, $!, traps on EXIT and on a signal.
trap 'echo "exit trap ran"' EXIT
sleep 0.2 & p=$!
echo "started a job"
wait $p; echo "waited: $?"
(sleep 0.1; exit 5) &
wait $!; echo "job status $?"
for n in 1 2 3; do (echo "job $n" > /dev/null; exit $n) & done
wait; echo "all waited"
trap 'echo "caught USR1"' USR1
kill -USR1 $$
trap - USR1
sh -c 'kill -TERM $$; echo not reached'; echo "killed child: $?"
echo end
