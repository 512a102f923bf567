#!/bin/sh
# Install aza with a plain `luarocks make` (configured by `make deps`) into a
# temporary tree and run the installed CLI: proves the rockspec, the CMake
# install rules and the bin wrapper.
set -eu
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
luarocks --tree "$tree" make rockspec/aza-scm-1.rockspec
out=$("$tree/bin/aza" units convert 1 '[lb_av]' kg)
echo "installed aza: 1 [lb_av] = $out kg"
[ "$out" = "0.45359237" ]
