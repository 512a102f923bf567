#!/bin/sh
# Install the benchmark's peers (pinned) from the npm registry into a cache folder, once:
#   sh bench/peers/install.sh CACHE_DIR
# Exit 0 when they are there (already or now); 1 with a message on stderr when npm or the
# registry is not reachable (the bench then prints aza's figures alone).
set -u
cache=$1
peers="@lhncbc/ucum-lhc@7.1.10 json-rules-engine@7.3.1"
if [ -f "$cache/node_modules/json-rules-engine/package.json" ] \
  && [ -f "$cache/node_modules/@lhncbc/ucum-lhc/package.json" ]; then
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "bench: node/npm not found: the peers are not measured" >&2
  exit 1
fi
mkdir -p "$cache"
echo "bench: installing $peers into $cache (npm)" >&2
if ! npm install --prefix "$cache" --no-audit --no-fund --no-save --silent $peers \
  >"$cache/npm.log" 2>&1; then
  echo "bench: npm install failed (registry unreachable?): the peers are not measured;" \
    "see $cache/npm.log" >&2
  exit 1
fi
