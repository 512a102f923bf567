#!/bin/sh
# Part of `make deps`: let a plain `luarocks make` build aza for Lua 5.4 on a
# machine where LuaRocks' own server is unreachable. Writes, only when absent:
#   ~/.luarocks/default-lua-version.lua   (Lua 5.4 as LuaRocks' default)
#   ~/.luarocks/config-5.4.lua            (scripts/luarocks-config.lua: Debian's
#                                          lua-lpeg etc. declared as provided)
# An existing config-5.4.lua without rocks_provided gets the block appended;
# one that already declares rocks_provided is left alone.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir="${HOME:?}/.luarocks"
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
mkdir -p "$dir"
[ -f "$dir/default-lua-version.lua" ] || echo 'return "5.4"' >"$dir/default-lua-version.lua"
cfg="$dir/config-5.4.lua"
if [ ! -f "$cfg" ]; then
  sed "s|/usr/lib/x86_64-linux-gnu|/usr/lib/$multiarch|" "$here/luarocks-config.lua" >"$cfg"
  echo "luarocks: wrote $cfg (Debian's lua-lpeg declared as provided)"
elif ! grep -q rocks_provided "$cfg"; then
  { echo; echo "-- added by aza's scripts/luarocks-setup.sh"
    sed -n '/^rocks_provided/,/^}/p' "$here/luarocks-config.lua"; } >>"$cfg"
  echo "luarocks: declared Debian's lua-lpeg as provided in $cfg"
fi
