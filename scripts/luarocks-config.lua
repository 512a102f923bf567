-- LuaRocks configuration for aza, installed by `make deps` (scripts/luarocks-setup.sh)
-- as ~/.luarocks/config-5.4.lua so that a plain `luarocks make` works.
-- LuaRocks' own server is not reachable from the machines aza is built on, so the
-- Debian packages that provide the rock dependencies are declared here as provided.
lua_version = "5.4"
lua_interpreter = "lua5.4"
variables = {
  LUA_INCDIR = "/usr/include/lua5.4",
  LUA_LIBDIR = "/usr/lib/x86_64-linux-gnu",
}
rocks_provided = {
  lua = "5.4-1",
  lpeg = "1.0.2-1",       -- Debian lua-lpeg
  ["lua-cjson"] = "2.1.0-1", -- Debian lua-cjson
  busted = "2.1.1-1",     -- Debian lua-busted
}
rocks_servers = {}
rocks_trees = {
  { name = "user", root = home .. "/.luarocks" },
  { name = "system", root = "/usr/local" },
}
