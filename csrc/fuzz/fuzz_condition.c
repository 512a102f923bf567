/*
** fuzz_condition.c
** libFuzzer target that embeds Lua (the build's Lua): bytes as a rule
** condition through aza's own Lua — the LPeg condition grammar, the
** checker (fact names, dimensions) and the compiler down to the binding's
** description -> aza.Program step, then one evaluation with no facts. The
** aza.core module is linked in (package.preload); LPeg comes from the
** system. A finding is any Lua error raised instead of returned, or a
** failure without a message.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#if !defined(AZA_SOURCE_DIR)
#define AZA_SOURCE_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int luaopen_aza_core(lua_State *L);

static const char *const SETUP =
    "local root = ...\n"
    "package.path = root .. '/lua/?.lua;' .. root .. '/lua/?/init.lua;' .. "
    "package.path\n"
    "local check = require 'aza.protocol.check'\n"
    "local compile = require 'aza.protocol.compile'\n"
    "local withhold = require('aza.protocol.dsl').names({}).withhold\n"
    "return function(text)\n"
    "  local info, problems = check.check_when(text)\n"
    "  if not info then\n"
    "    assert(type(problems) == 'table' and #problems > 0, 'no problems')\n"
    "    for _, p in ipairs(problems) do\n"
    "      assert(type(p.message) == 'string' and p.message ~= '', 'empty')\n"
    "    end\n"
    "    return\n"
    "  end\n"
    "  local prog, msg = compile.compile { id = 'f', version = '1', hash = "
    "'0',\n"
    "    rules = { { id = 'r', when = text, action = withhold, cite = 'x' } } "
    "}\n"
    "  if not prog then\n"
    "    assert(type(msg) == 'string' and msg ~= '', 'compile failed "
    "silently')\n"
    "    return\n"
    "  end\n"
    "end\n";

static lua_State *state(void) {
  static lua_State *L =
      NULL; /* the harness's one state, made at the first input */
  if (L == NULL) {
    L = luaL_newstate();
    if (L == NULL) {
      abort();
    }
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_aza_core);
    lua_setfield(L, -2, "aza.core");
    lua_pop(L, 1);
    if (luaL_loadstring(L, SETUP) != LUA_OK) {
      abort();
    }
    lua_pushstring(L, AZA_SOURCE_DIR);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
      abort();
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "aza.fuzz");
  }
  return L;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_State *L = state();
  int top = lua_gettop(L);
  if (size > 4096) {
    return 0;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "aza.fuzz");
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    abort(); /* raised, not returned */
  }
  lua_settop(L, top);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
