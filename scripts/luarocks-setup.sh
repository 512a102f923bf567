#!/bin/sh
# Part of `make deps`: let a plain `luarocks --lua-version V make` build aza for
# Lua 5.1, 5.3 and 5.4 (and LuaJIT) on a machine where LuaRocks' own server is
# unreachable. Writes, only when absent:
#   ~/.luarocks/default-lua-version.lua   (Lua 5.4 as LuaRocks' default)
#   ~/.luarocks/config-5.4.lua, config-5.3.lua, config-5.1.lua
#   ~/.luarocks/config-luajit.lua         (for LUAROCKS_CONFIG=...: LuaJIT is a
#                                          5.1 to LuaRocks, with its own headers)
# each from scripts/luarocks-config.lua, with Debian's lua-lpeg and lua-cjson
# declared as provided. An existing config without rocks_provided gets the
# block appended; one that already declares rocks_provided is left alone.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir="${HOME:?}/.luarocks"
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
mkdir -p "$dir"
[ -f "$dir/default-lua-version.lua" ] || echo 'return "5.4"' >"$dir/default-lua-version.lua"

write() { # file version interpreter incdir
  cfg=$1
  body=$(sed -e "s|@VERSION@|$2|g" -e "s|@INTERPRETER@|$3|g" -e "s|@INCDIR@|$4|g" \
             -e "s|@LIBDIR@|/usr/lib/$multiarch|g" "$here/luarocks-config.lua")
  if [ ! -f "$cfg" ]; then
    printf '%s\n' "$body" >"$cfg"
    echo "luarocks: wrote $cfg (Debian's lua-lpeg and lua-cjson declared as provided)"
  elif ! grep -q rocks_provided "$cfg"; then
    { echo; echo "-- added by aza's scripts/luarocks-setup.sh"
      printf '%s\n' "$body" | sed -n '/^rocks_provided/,/^}/p'; } >>"$cfg"
    echo "luarocks: declared Debian's lua-lpeg and lua-cjson as provided in $cfg"
  fi
}
write "$dir/config-5.4.lua" 5.4 lua5.4 /usr/include/lua5.4
write "$dir/config-5.3.lua" 5.3 lua5.3 /usr/include/lua5.3
write "$dir/config-5.1.lua" 5.1 lua5.1 /usr/include/lua5.1
write "$dir/config-luajit.lua" 5.1 luajit /usr/include/luajit-2.1
