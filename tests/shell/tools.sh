# Everyday tools on files: cp, mv, rm, ln, mkdir, find, xargs, sed, cut,
# od, cmp, diff, tar, gzip, sha256sum, base64, basename, dirname, expr.
cd "$(mktemp -d)" || exit 1
mkdir -p a/b/c
printf 'line one\nline two\nline three\n' > a/b/c/f.txt
cp a/b/c/f.txt copy.txt
mv copy.txt moved.txt
ln -s moved.txt link.txt
cat link.txt | sed -n '2p'
find a -type f | sort
find . -name '*.txt' | sort | xargs wc -l | tail -1
sed 's/line/LINE/g' moved.txt | cut -d' ' -f2
printf 'AB' | od -An -tx1
cmp moved.txt a/b/c/f.txt && echo same
echo extra >> moved.txt
diff a/b/c/f.txt moved.txt; echo "diff status $?"
tar cf t.tar a && rm -r a && tar xf t.tar && cat a/b/c/f.txt | wc -l
gzip -c moved.txt > m.gz && gunzip -c m.gz | tail -1
printf 'abc' | sha256sum
printf 'hello' | base64
basename /x/y/z.c .c; dirname /x/y/z.c
expr 6 \* 7
rm -r a t.tar m.gz moved.txt link.txt
ls | wc -l
cd / && rm -r "$OLDPWD"
