# docs/config.md documents every config key: its generated reference section must equal
# what the binary's schemas print ('esuite info --config-doc'), so a key cannot go undocumented.
. "$(dirname "$0")/lib.bash"
doc="$ES_SOURCE_DIR/docs/config.md"
"$ESUITE" info --config-doc > "$TMP/generated.md"
sed -n '/<!-- BEGIN GENERATED KEYS -->/,/<!-- END GENERATED KEYS -->/p' "$doc" | sed '1d;$d' > "$TMP/doc.md"
if diff -u "$TMP/doc.md" "$TMP/generated.md" > "$TMP/diff"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL docs/config.md is out of date; regenerate with: scripts in docs/config.md (see its header)"
  head -40 "$TMP/diff"
fi
# Every key line in the reference has a non-empty meaning column.
expect_num undocumented-keys "$(grep -c '^| `[^`]*` |.*| *|$' "$TMP/generated.md" || true)" 0 0
finish
