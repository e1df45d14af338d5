#!/bin/sh
# Trunk post-build hook: writes demo/manifest.json, the list of the demo
# tenant's files (relative to demo/), which "Try the demo" fetches.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk}/demo"
[ -d "$dir" ] || exit 0
cd "$dir"
{
  printf '['
  first=1
  find . -type f ! -name manifest.json ! -name 'README*' ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r f; do
    esc=$(printf '%s' "$f" | sed 's/\\/\\\\/g; s/"/\\"/g')
    if [ $first = 1 ]; then first=0; else printf ','; fi
    printf '"%s"' "$esc"
  done
  printf ']\n'
} > manifest.json
