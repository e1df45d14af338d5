#!/bin/sh
# Trunk post-build hook: writes demo/manifest.json, the list of the demo
# tenant's files (relative to demo/), which "Try the demo" fetches and reads
# as inputs. Not inputs, so not listed: README*, hidden files, and the
# generator's settings.json (the demo tenant's settings, which the app
# fetches by name and applies) and labels.json (what is planted; for people).
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk}/demo"
[ -d "$dir" ] || exit 0
cd "$dir"
{
  printf '['
  first=1
  find . -type f ! -name manifest.json ! -name 'README*' ! -name '.*' ! -path ./settings.json ! -path ./labels.json | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do
    esc=$(printf '%s' "$f" | sed 's/\\/\\\\/g; s/"/\\"/g')
    if [ $first = 1 ]; then first=0; else printf ','; fi
    printf '"%s"' "$esc"
  done
  printf ']\n'
} > manifest.json
