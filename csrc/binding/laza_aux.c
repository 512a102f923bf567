/*
** laza_aux.c
** Shared helpers of the Lua binding: the error lanes (fail triple, raise)
** and the aza.Quantity userdata primitives used by every binding file.
** Quantities are plain values copied into their userdata: nothing here
** owns heap memory, so raising is always safe.
*/
#include <string.h>

#include "laza_aux.h"

int azaL_pushfail(lua_State *L, const aza_err *err) {
  luaL_pushfail(L);
  lua_pushstring(L, err->msg);
  lua_pushstring(L, aza_status_name(err->code));
  return 3;
}

/*
** The message carries the position of the Lua code that used the
** operator (level 1: the caller of the running C metamethod).
*/
int azaL_raise(lua_State *L, const aza_err *err) {
  luaL_where(L, 1);
  lua_pushfstring(L, "aza: %s (%s)", err->msg, aza_status_name(err->code));
  lua_concat(L, 2);
  return lua_error(L);
}

void azaL_pushqty(lua_State *L, const aza_qty *q) {
  aza_qty *ud = (aza_qty *)lua_newuserdatauv(L, sizeof(aza_qty), 0);
  memcpy(ud, q, sizeof *ud);
  luaL_setmetatable(L, AZA_QTY_T);
}

const aza_qty *azaL_testqty(lua_State *L, int idx) {
  return (const aza_qty *)luaL_testudata(L, idx, AZA_QTY_T);
}

aza_status azaL_toqty(lua_State *L, int idx, aza_qty *out, aza_err *err) {
  const aza_qty *q = azaL_testqty(L, idx);
  if (q != NULL) {
    memcpy(out, q, sizeof *out);
    return AZA_OK;
  }
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t len;
    const char *text = lua_tolstring(L, idx, &len);
    if (strlen(text) != len) {
      return aza_err_set(err, AZA_ESYNTAX, strlen(text) + 1,
                         "embedded zero byte at %zu", strlen(text) + 1);
    }
    return aza_qty_parse(text, out, err);
  }
  return aza_err_set(err, AZA_EARG, 0, "quantity expected, got %s",
                     luaL_typename(L, idx));
}
