# Functions, loops, case, read, set -e, test, arithmetic.
greet() { echo "hello $1"; return $2; }
greet you 4; echo "returned $?"
for i in 1 2 3; do printf '%s ' "$i"; done; echo
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo "while: $i"
until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "until: $i"
for w in apple banana cherry date; do
  case $w in
    a*) echo "$w starts with a";;
    b*|c*) echo "$w starts with b or c";;
    *) echo "$w is something else";;
  esac
done
printf 'k1 v1\nk2 v2\n' | while read -r k v; do echo "$k=$v"; done
IFS=: read -r a b c <<EOF2
x:y:z
EOF2
echo "$c$b$a"
[ -d /bin ] && echo "bin is a directory"
test "abc" = "abc" && echo equal
[ 3 -gt 5 ] || echo "3 is not greater"
(set -e; false; echo "not reached") ; echo "set -e subshell: $?"
set -- a b c; echo "$# args: $*"; shift; echo "after shift: $1"
word=characters; echo "${unset_var:-default} ${#word} ${HOME:+home set}"
v=file.tar.gz; echo "${v%.gz} ${v%%.*} ${v#*.} ${v##*.}"
