# Here-documents: expansion, quoting, tabs stripped, into a command.
name=world
cat <<EOT
hello $name
the sum: $((2 + 3))
EOT
cat <<'EOT'
not expanded: $name $((1+1))
EOT
cat <<-EOT
	tabs stripped for $name
	EOT
tr a-z A-Z <<EOT
shout $name
EOT
while read -r a b; do echo "[$a|$b]"; done <<EOT
one two
three four five
EOT
