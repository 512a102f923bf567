/*
** laza_compat.h
** The one place where the binding meets the differences between Lua 5.1,
** LuaJIT 2.1, 5.3 and 5.4. The binding is written against the 5.4 API;
** for older headers this file supplies what they lack, as static inline
** functions named azaC_* with macros that map the 5.4 names onto them.
** Also the few operations every version spells differently: a text-only
** load, setting a function's environment, turning the JIT off.
** docs/internals/compat.md tells the story and lists each difference.
*/
#ifndef laza_compat_h
#define laza_compat_h

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"

#if defined(AZA_LUAJIT)
#include "luajit.h"
#endif

#if !defined(LUA_VERSION_NUM) || LUA_VERSION_NUM < 501 || LUA_VERSION_NUM > 504
#error "aza.core supports Lua 5.1, LuaJIT 2.1, 5.3 and 5.4"
#endif

#if !defined(LUA_OK)
#define LUA_OK 0
#endif

/* {=== 5.1 and LuaJIT: the 5.2/5.3 API they lack ===*/
#if LUA_VERSION_NUM == 501

static inline int azaC_absindex(lua_State *L, int idx) {
  return (idx > 0 || idx <= LUA_REGISTRYINDEX) ? idx : lua_gettop(L) + idx + 1;
}

/* lua_getfield and lua_rawgeti return the type of the value from 5.3 on */
static inline int azaC_getfield(lua_State *L, int idx, const char *k) {
  (lua_getfield)(L, idx, k);
  return lua_type(L, -1);
}

static inline int azaC_rawgeti(lua_State *L, int idx, lua_Integer n) {
  (lua_rawgeti)(L, idx, (int)n);
  return lua_type(L, -1);
}

static inline int azaC_rawget(lua_State *L, int idx) {
  (lua_rawget)(L, idx);
  return lua_type(L, -1);
}

static inline int azaC_gettable(lua_State *L, int idx) {
  (lua_gettable)(L, idx);
  return lua_type(L, -1);
}

static inline void azaC_rawseti(lua_State *L, int idx, lua_Integer n) {
  (lua_rawseti)(L, idx, (int)n);
}

static inline void azaC_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
  luaL_checkstack(L, nup, "too many upvalues");
  for (; l->name != NULL; l++) {
    int i;
    for (i = 0; i < nup; i++) {
      lua_pushvalue(L, -nup);
    }
    lua_pushcclosure(L, l->func, nup);
    lua_setfield(L, -(nup + 2), l->name);
  }
  lua_pop(L, nup);
}

static inline void *azaC_testudata(lua_State *L, int idx, const char *tname) {
  void *p = lua_touserdata(L, idx);
  if (p != NULL && lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, tname);
    if (!lua_rawequal(L, -1, -2)) {
      p = NULL;
    }
    lua_pop(L, 2);
    return p;
  }
  return NULL;
}

static inline void azaC_setmetatable(lua_State *L, const char *tname) {
  luaL_getmetatable(L, tname);
  lua_setmetatable(L, -2);
}

/* an integral number (or numeric string) that fits lua_Integer */
static inline lua_Integer azaC_tointegerx(lua_State *L, int idx, int *isnum) {
  int ok = 0;
  lua_Integer v = 0;
  if (lua_isnumber(L, idx)) {
    lua_Number n = lua_tonumber(L, idx);
    if (n == n && n >= -9007199254740992.0 && n <= 9007199254740992.0 &&
        (lua_Number)(lua_Integer)n == n) {
      v = (lua_Integer)n;
      ok = 1;
    }
  }
  if (isnum != NULL) {
    *isnum = ok;
  }
  return v;
}

static inline lua_Number azaC_tonumberx(lua_State *L, int idx, int *isnum) {
  int ok = lua_isnumber(L, idx);
  if (isnum != NULL) {
    *isnum = ok;
  }
  return ok ? lua_tonumber(L, idx) : 0;
}

/* 5.1 truncates 2.5 to 2; 5.3+ refuses it: refuse it everywhere */
static inline lua_Integer azaC_checkinteger(lua_State *L, int arg) {
  int ok;
  lua_Integer v = azaC_tointegerx(L, arg, &ok);
  if (!ok) {
    if (lua_isnumber(L, arg)) {
      luaL_argerror(L, arg, "number has no integer representation");
    } else {
      luaL_typerror(L, arg, lua_typename(L, LUA_TNUMBER));
    }
  }
  return v;
}

static inline lua_Integer azaC_optinteger(lua_State *L, int arg,
                                          lua_Integer def) {
  return lua_isnoneornil(L, arg) ? def : azaC_checkinteger(L, arg);
}

#define luaL_checkinteger(L, a)  azaC_checkinteger(L, a)
#define luaL_optinteger(L, a, d) azaC_optinteger(L, a, d)
#define lua_absindex(L, i)       azaC_absindex(L, i)
#define lua_tonumberx(L, i, p)   azaC_tonumberx(L, i, p)
#define lua_getlocaledecpoint()  (localeconv()->decimal_point[0])
#define lua_getfield(L, i, k)    azaC_getfield(L, i, k)
#define lua_rawgeti(L, i, n)     azaC_rawgeti(L, i, n)
#define lua_rawseti(L, i, n)     azaC_rawseti(L, i, n)
#define lua_rawget(L, i)         azaC_rawget(L, i)
#define lua_gettable(L, i)       azaC_gettable(L, i)
#define lua_rawlen(L, i)         lua_objlen(L, i)
#define luaL_len(L, i)           ((lua_Integer)lua_objlen(L, i))
#define luaL_setfuncs(L, l, n)   azaC_setfuncs(L, l, n)
#define luaL_testudata(L, i, t)  azaC_testudata(L, i, t)
#define luaL_setmetatable(L, t)  azaC_setmetatable(L, t)
#define lua_tointegerx(L, i, p)  azaC_tointegerx(L, i, p)
#undef luaL_newlib
#define luaL_newlib(L, l)                                                      \
  (lua_createtable(L, 0, (int)(sizeof(l) / sizeof((l)[0]) - 1)),               \
   luaL_setfuncs(L, l, 0))

#endif
/* }=== */

/* {=== 5.1 and LuaJIT: luaL_newmetatable sets __name from 5.3 on ===*/
#if LUA_VERSION_NUM < 503

static inline int azaC_newmetatable(lua_State *L, const char *tname) {
  if (!(luaL_newmetatable)(L, tname)) {
    return 0;
  }
  lua_pushstring(L, tname);
  lua_setfield(L, -2, "__name");
  return 1;
}
#define luaL_newmetatable(L, t) azaC_newmetatable(L, t)

#endif
/* }=== */

/* {=== 5.1, LuaJIT and 5.3: the 5.4 API they lack ===*/
#if LUA_VERSION_NUM < 504

#define luaL_pushfail(L)              lua_pushnil(L)
#define lua_newuserdatauv(L, sz, nuv) ((void)(nuv), lua_newuserdata(L, sz))

static inline int azaC_typeerror(lua_State *L, int arg, const char *tname) {
  const char *msg =
      lua_pushfstring(L, "%s expected, got %s", tname, luaL_typename(L, arg));
  return luaL_argerror(L, arg, msg);
}
#define luaL_typeerror(L, a, t) azaC_typeerror(L, a, t)

#endif
/* }=== */

/* {=== what every version spells differently ===*/

/*
** Push an integer as decimal text (lua_pushfstring has "%I" only from 5.3
** on, and "%d" takes an int).
*/
static inline const char *azaC_pushinteger_text(lua_State *L, lua_Integer v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  lua_pushstring(L, buf);
  return lua_tostring(L, -1);
}

/*
** Load a text chunk; a binary chunk (first byte ESC, as in LUA_SIGNATURE
** and LuaJIT's "\x1bLJ") is refused on every version with the same
** message, so 5.1, which has no mode argument, refuses it too.
*/
#define AZAC_BINARY_REFUSED "attempt to load a binary chunk (mode is 't')"

static inline int azaC_loadtext(lua_State *L, const char *s, size_t len,
                                const char *name) {
  if (len > 0 && s[0] == '\033') {
    lua_pushfstring(L, "%s: %s",
                    name[0] == '@' || name[0] == '=' ? name + 1 : name,
                    AZAC_BINARY_REFUSED);
    return LUA_ERRSYNTAX;
  }
#if LUA_VERSION_NUM == 501 && !defined(AZA_LUAJIT)
  return luaL_loadbuffer(L, s, len, name);
#else
  return luaL_loadbufferx(L, s, len, name, "t");
#endif
}

/*
** Make the table on the top of the stack the environment of the Lua
** function at idx (its first upvalue _ENV from 5.2 on, its fenv in 5.1);
** pops the table.
*/
static inline void azaC_setenv(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
#if LUA_VERSION_NUM == 501
  lua_setfenv(L, idx);
#else
  if (lua_setupvalue(L, idx, 1) == NULL) {
    lua_pop(L, 1);
  }
#endif
}

/*
** Compiled traces do not call the count hook: the sandbox's instruction
** budget only holds for code that runs in LuaJIT's interpreter. Turn the
** JIT off for the function at idx and every function it defines.
*/
static inline void azaC_nojit(lua_State *L, int idx) {
#if defined(AZA_LUAJIT)
  luaJIT_setmode(L, lua_absindex(L, idx),
                 LUAJIT_MODE_ALLFUNC | LUAJIT_MODE_OFF);
#else
  (void)L;
  (void)idx;
#endif
}

/* }=== */

#endif
