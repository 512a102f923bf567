#!/bin/sh
# Run LuaRocks for Lua 5.4 with aza's configuration: LuaRocks' own server is
# unreachable here, so Debian's lua-lpeg (and friends) are declared provided.
# Usage: sh scripts/luarocks.sh [--tree DIR] make rockspec/aza-scm-1.rockspec
set -eu
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
sed "s|/usr/lib/x86_64-linux-gnu|/usr/lib/$multiarch|" scripts/luarocks-config.lua >"$cfg"
LUAROCKS_CONFIG="$cfg" luarocks --lua-version=5.4 "$@"
