/*
** laza_json.c
** aza.core.json_decode: the core's JSON reader (aza_json.c) building Lua
** values, for aza.input.json (docs/internals/json.md).
*/
#include "laza_aux.h"

#include "aza_json.h"

/*
** json_decode(text, max_depth, null) -> value, deepest nesting (0 for a
** scalar) | nil, message, position:
** aza_json_parse building Lua values (null as the given sentinel); a key
** twice in one object stops it ("duplicate key"). aza.input.json reads
** with it and gives its own message for text it refuses.
*/

#define JSON_DEPTH_MAX 200

typedef struct jbuild {
  lua_State *L;
  int depth, max_depth; /* now, and the deepest reached */
  int dup;              /* stopped at a duplicate key */
  size_t dup_pos;
  unsigned char is_array[JSON_DEPTH_MAX + 1];
  lua_Integer n[JSON_DEPTH_MAX + 1];
} jbuild;

/* the value on top goes into its container (the root stays on the stack) */
static void jplace(jbuild *b) {
  if (b->depth == 0) {
    return;
  }
  if (b->is_array[b->depth]) {
    lua_rawseti(b->L, -2, ++b->n[b->depth]);
  } else {
    lua_rawset(b->L, -3); /* table, key, value */
  }
}

static int jbegin(void *ud, int is_array) {
  jbuild *b = (jbuild *)ud;
  luaL_checkstack(b->L, 4, "JSON nesting");
  lua_newtable(b->L);
  b->depth++;
  if (b->depth > b->max_depth) {
    b->max_depth = b->depth;
  }
  b->is_array[b->depth] = (unsigned char)is_array;
  b->n[b->depth] = 0;
  return 0;
}

static int jend(void *ud, int is_array) {
  jbuild *b = (jbuild *)ud;
  (void)is_array;
  b->depth--;
  jplace(b);
  return 0;
}

static int jkey(void *ud, const char *s, size_t n, size_t pos) {
  jbuild *b = (jbuild *)ud;
  lua_pushlstring(b->L, s, n);
  lua_pushvalue(b->L, -1);
  lua_rawget(b->L, -3);
  if (!lua_isnil(b->L, -1)) {
    b->dup = 1;
    b->dup_pos = pos;
    return 1;
  }
  lua_pop(b->L, 1);
  return 0;
}

static int jstring(void *ud, const char *s, size_t n) {
  jbuild *b = (jbuild *)ud;
  lua_pushlstring(b->L, s, n);
  jplace(b);
  return 0;
}

static int jnumber(void *ud, double v, int integral, long long iv) {
  jbuild *b = (jbuild *)ud;
#if LUA_VERSION_NUM >= 503
  if (integral) {
    lua_pushinteger(b->L, (lua_Integer)iv);
  } else {
    lua_pushnumber(b->L, v);
  }
#else
  (void)integral;
  (void)iv;
  lua_pushnumber(b->L, v);
#endif
  jplace(b);
  return 0;
}

static int jliteral(void *ud, int which) {
  jbuild *b = (jbuild *)ud;
  if (which == AZA_JSON_NULL) {
    lua_pushvalue(b->L, 3);
  } else {
    lua_pushboolean(b->L, which == AZA_JSON_TRUE);
  }
  jplace(b);
  return 0;
}

static int core_json_decode(lua_State *L) {
  static const aza_json_sink sink = {jbegin,  jend,    jkey,
                                     jstring, jnumber, jliteral};
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  lua_Integer depth = luaL_checkinteger(L, 2);
  jbuild *b;
  char *scratch;
  aza_err err;
  int top;
  luaL_argcheck(L, depth >= 1 && depth <= JSON_DEPTH_MAX, 2,
                "depth out of range");
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  b = (jbuild *)lua_newuserdatauv(L, sizeof *b, 0);             /* 4 */
  scratch = (char *)lua_newuserdatauv(L, len > 0 ? len : 1, 0); /* 5 */
  b->L = L;
  b->depth = 0;
  b->max_depth = 0;
  b->dup = 0;
  b->dup_pos = 0;
  top = lua_gettop(L);
  if (aza_json_parse(text, len, scratch, (int)depth, &sink, b, &err) !=
      AZA_OK) {
    lua_settop(L, top);
    lua_pushnil(L);
    if (b->dup) {
      lua_pushliteral(L, "duplicate key");
      lua_pushinteger(L, (lua_Integer)b->dup_pos);
    } else {
      lua_pushstring(L, err.msg);
      lua_pushinteger(L, (lua_Integer)err.pos);
    }
    return 3;
  }
  lua_pushinteger(L, b->max_depth);
  return 2; /* the root value and the deepest nesting of containers */
}

static const luaL_Reg json_funcs[] = {{"json_decode", core_json_decode},
                                      {NULL, NULL}};

void azaL_open_json(lua_State *L) {
  luaL_setfuncs(L, json_funcs, 0);
}
