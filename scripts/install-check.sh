#!/bin/sh
# Install aza with a plain `luarocks make` (configured by `make deps`) into a
# temporary tree and run the installed CLI from another directory: proves the
# rockspec, the CMake install rules (module, Lua files, shipped protocols)
# and the bin wrapper.
set -eu
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
patient="$(pwd)/examples/patients/ibd-new-start.json"
luarocks --tree "$tree" make rockspec/aza-scm-1.rockspec
cd "$tree"
out=$("$tree/bin/aza" units convert 1 '[lb_av]' kg)
echo "installed aza: 1 [lb_av] = $out kg"
[ "$out" = "0.45359237" ]
plan=$("$tree/bin/aza" evaluate --protocol ibd --as-of 2026-11-21 "$patient" | head -n 2)
echo "installed aza evaluate --protocol ibd:"
echo "$plan"
echo "$plan" | grep -q '^Target:   150 mg/day'
