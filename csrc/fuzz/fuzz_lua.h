/*
** fuzz_lua.h
** The part the Lua-embedding fuzz targets share: one Lua state per
** harness, aza.core linked in (package.preload), aza's Lua modules from the
** source tree, and a check function made once by the target's SETUP
** script and called with each input. A finding is any Lua error raised
** instead of returned (the target's check asserts its own invariants).
** Include it after defining SETUP.
*/
#ifndef fuzz_lua_h
#define fuzz_lua_h

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
  if (size > FUZZ_MAX_LEN) {
    return 0;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "aza.fuzz");
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    fprintf(stderr, "raised: %s\n", lua_tostring(L, -1));
    abort(); /* raised, not returned */
  }
  lua_settop(L, top);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}

#endif
