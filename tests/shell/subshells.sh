# Subshells and command substitution: state changed inside stays inside.
x=outer
(x=inner; echo "in: $x"; cd /; pwd)
echo "out: $x"
y=$(echo "sub $x"; exit 3)
echo "got '$y' status $?"
z=`echo back ticks`
echo "$z"
nested=$(echo $(echo $(echo deep)))
echo "$nested"
n=$(seq 5 | wc -l)
echo "lines: $n"
( exit 7 ); echo "subshell status $?"
{ echo grouped; echo twice; } | wc -l
