#!/bin/sh
# Regenerates the demo tenant's generated files in web/demo/ with
# entrascope-gen's `demo` preset: the admin-center bundle (sign-in tabs as
# CSV and JSON, the audit log as JSON), settings.json (loaded by "Try the
# demo" as the tenant's settings) and labels.json (what is planted; not
# loaded). ConnectSync-Production/ and README.md are kept as they are.
#
# crates/entrascope-gen/tests/demo_bundle.rs runs the same command and fails
# when a committed file differs, so change SEED here and there together.
# Usage: web/demo-regen.sh
set -eu
cd "$(dirname "$0")/.."

SEED=4

demo=web/demo
# Only the generator's own files: top-level .csv and .json.
find "$demo" -maxdepth 1 -type f \( -name '*.csv' -o -name '*.json' \) -exec rm -f {} +
cargo run --quiet -p entrascope-gen -- demo --out "$demo" --seed "$SEED"
