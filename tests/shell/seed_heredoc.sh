# The seed smoke: a here-document of commands run by a second shell
# prints the listing, then "done".
cd "$(mktemp -d)" || exit 1
touch alpha beta gamma
sh <<'CMDS'
ls; echo done
CMDS
cd / && rm -r "$OLDPWD"
