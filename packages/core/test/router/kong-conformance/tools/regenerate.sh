#!/bin/sh
# Regenerates the case files from a Kong checkout (see ../README.md). Needs luajit and node.
set -eu
KONG=${1:?usage: regenerate.sh <kong checkout>}
HERE=$(cd "$(dirname "$0")" && pwd)
for spec in unit:spec/01-unit/08-router_spec.lua integration:spec/02-integration/05-proxy/02-router_spec.lua; do
  kind=${spec%%:*}
  path=${spec#*:}
  luajit "$HERE/extract.lua" "$KONG" "$path" "$kind" 2>/dev/null \
    | node "$HERE/build.mjs" "$path" "$kind" "$HERE/../differences.json" > "$HERE/../$kind-spec.json"
done
