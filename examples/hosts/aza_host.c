/*
** aza_host.c
** A host that embeds Lua and runs aza in it, as an integration engine
** (Iguana: Lua 5.1), a DICOM server (Orthanc: 5.3) or a web server
** (OpenResty: LuaJIT) does: its own lua_State, its own package paths,
** `require "aza"`, load a protocol once, evaluate patients, print results.
** Built for the Lua chosen at build time (make build LUA=...: aza_host in the
*build folder);
** `make test` runs it on each interpreter and compares its output with
** `bin/aza evaluate --format json`. docs/hosts.md says how each real host
** is set up.
**
**   aza_host ROOT BUILD PROTOCOL PATIENT.json [AS_OF]
*/
#include <stdio.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

/* the host's script: what a hospital's own Lua code would do with aza */
static const char *const SCRIPT =
    "local root, build, id, file, as_of = ...\n"
    "package.path = root .. '/lua/?.lua;' .. root .. '/lua/?/init.lua;' "
    "  .. package.path\n"
    "package.cpath = build .. '/?.so;' .. package.cpath\n"
    "local aza = require 'aza'\n"
    "local protocol, msg = aza.protocol.load(id)\n"
    "if not protocol then error(msg, 0) end\n"
    "local result, err = protocol:evaluate(file, { as_of = as_of })\n"
    "if not result then error(err, 0) end\n"
    "return require('aza.render.json').render(result)\n";

int main(int argc, char **argv) {
  lua_State *L;
  int i, status;
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: %s ROOT BUILD PROTOCOL PATIENT.json [AS_OF]\n",
            argv[0]);
    return 2;
  }
  L = luaL_newstate();
  if (L == NULL) {
    fprintf(stderr, "aza_host: cannot create a Lua state\n");
    return 1;
  }
  luaL_openlibs(L);
  status = luaL_loadbuffer(L, SCRIPT, strlen(SCRIPT), "=host");
  if (status == 0) {
    for (i = 1; i < argc; i++) {
      lua_pushstring(L, argv[i]);
    }
    status = lua_pcall(L, argc - 1, 1, 0);
  }
  if (status != 0) {
    fprintf(stderr, "aza_host: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return 2;
  }
  fputs(lua_tostring(L, -1), stdout);
  lua_close(L);
  return 0;
}
