#!/bin/sh
# Install aza with a plain `luarocks make` (configured by `make deps`) for the
# interpreter $LUA (lua5.4 by default; lua5.3, lua5.1, luajit) into a temporary
# tree, then, from another directory: the installed CLI converts a unit and
# evaluates the demo patient, and the installed module is required from Lua.
# Proves the rockspec, the CMake install rules (module, Lua files, shipped
# protocols) and the bin wrapper for that interpreter.
set -eu
LUA=${LUA:-lua5.4}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
patient="$(pwd)/examples/patients/ibd-new-start.json"
case "$LUA" in
  lua5.4) rocks() { luarocks --lua-version 5.4 "$@"; } ;;
  lua5.3) rocks() { luarocks --lua-version 5.3 "$@"; } ;;
  lua5.1) rocks() { luarocks --lua-version 5.1 "$@"; } ;;
  luajit) rocks() { LUAROCKS_CONFIG="$HOME/.luarocks/config-luajit.lua" luarocks "$@"; } ;;
  *) echo "install-check: unknown LUA=$LUA"; exit 2 ;;
esac
rocks --tree "$tree" make rockspec/aza-scm-1.rockspec
rm -rf build.luarocks
paths=$(rocks --tree "$tree" path)
cd "$tree"
out=$("$tree/bin/aza" units convert 1 '[lb_av]' kg)
echo "installed aza ($LUA): 1 [lb_av] = $out kg"
[ "$out" = "0.45359237" ]
plan=$("$tree/bin/aza" evaluate --protocol ibd --as-of 2026-11-21 "$patient" | head -n 2)
echo "installed aza evaluate --protocol ibd:"
echo "$plan"
echo "$plan" | grep -q '^Target:   150 mg/day'
# the Lua API, with the paths `luarocks path` gives for the tree
api=$(eval "$paths" && AZA_PATIENT="$patient" "$LUA" -e '
  local aza = require "aza"
  local p = assert(aza.protocol.load("ibd"))
  local r = assert(p:evaluate(os.getenv("AZA_PATIENT"), { as_of = "2026-11-21" }))
  io.write(r.decision, " ", r.dose.target_mg_per_day, "\n")')
echo "require \"aza\" from $LUA: $api"
[ "$api" = "proceed 150" ]
