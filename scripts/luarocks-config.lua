-- LuaRocks configuration for aza, written by `make deps` (scripts/luarocks-setup.sh)
-- for each supported Lua, as ~/.luarocks/config-<version>.lua (LuaJIT:
-- ~/.luarocks/config-luajit.lua, used with LUAROCKS_CONFIG), so that a plain
-- `luarocks --lua-version <version> make` works. LuaRocks' own server is not
-- reachable from the machines aza is built on, so the Debian packages that
-- provide the rock dependencies are declared here as provided.
-- @VERSION@, @INTERPRETER@, @INCDIR@ and @LIBDIR@ are filled in by the set-up.
lua_version = "@VERSION@"
lua_interpreter = "@INTERPRETER@"
variables = {
  LUA_INCDIR = "@INCDIR@",
  LUA_LIBDIR = "@LIBDIR@",
  LUA_BINDIR = "/usr/bin",
}
rocks_provided = {
  lua = "@VERSION@-1",
  lpeg = "1.0.2-1",          -- Debian lua-lpeg
  ["lua-cjson"] = "2.1.0-1", -- Debian lua-cjson
  busted = "2.1.1-1",        -- Debian lua-busted
}
rocks_servers = {}
rocks_trees = {
  { name = "user", root = home .. "/.luarocks" },
  { name = "system", root = "/usr/local" },
}
