/*
** laza_facts.c
** program:evaluate's facts: the Lua values of a program's slots (made by
** lua/aza/protocol/evaluate.lua) converted into an aza_facts object.
*/
#include <string.h>

#include "laza_facts.h"

/* a string value: its index, or a negative code shared by equal strings
** the program does not hold (codes live in the table at `codes`) */
static int32_t string_code(lua_State *L, const aza_program *p, int idx,
                           int codes, int32_t *next) {
  size_t len;
  const char *s;
  uint32_t i;
  int32_t code;
  idx = lua_absindex(L, idx);
  s = lua_tolstring(L, idx, &len);
  i = aza_program_find_string(p, s, len);
  if (i != AZA_NONE) {
    return (int32_t)i;
  }
  lua_pushvalue(L, idx);
  if (lua_rawget(L, codes) == LUA_TNUMBER) {
    code = (int32_t)lua_tointeger(L, -1);
  } else {
    code = (*next)--;
    lua_pushvalue(L, idx);
    lua_pushinteger(L, code);
    lua_rawset(L, codes);
  }
  lua_pop(L, 1);
  return code;
}

static int slot_error(lua_State *L, const aza_program *p, uint32_t s,
                      const char *what) {
  uint32_t name = 0;
  aza_program_slot(p, s, NULL, &name);
  return luaL_error(L, "aza: fact '%s' (slot %d): %s expected, got %s",
                    aza_program_string(p, name, NULL), (int)s + 1, what,
                    luaL_typename(L, -1));
}

/* a censored number {v, "<"|"<="|">"|">="} at the top of the stack */
static aza_status set_bound(lua_State *L, const aza_program *p, aza_facts *f,
                            uint32_t s, aza_err *err) {
  static const char *const ops[] = {"<", "<=", ">", ">=", NULL};
  static const aza_cmp_op codes[] = {AZA_LT, AZA_LE, AZA_GT, AZA_GE};
  const char *op;
  int i;
  double v;
  if (lua_rawgeti(L, -1, 1) != LUA_TNUMBER ||
      lua_rawgeti(L, -2, 2) != LUA_TSTRING) {
    slot_error(L, p, s, "number or {number, comparator}");
  }
  v = lua_tonumber(L, -2);
  op = lua_tostring(L, -1);
  for (i = 0; ops[i] != NULL && strcmp(ops[i], op) != 0; i++) {
  }
  lua_pop(L, 2);
  if (ops[i] == NULL) {
    slot_error(L, p, s, "comparator <, <=, > or >=");
  }
  return aza_facts_set_bound(f, s, v, codes[i], err);
}

/* fill the facts from the table at index 2; AZA_OK or an error in err */
aza_status azaL_fill_facts(lua_State *L, const aza_program *p, aza_facts *f,
                           aza_err *err) {
  aza_program_info pi;
  uint32_t s;
  int32_t next = -1;
  int codes = 0;
  aza_status st = AZA_OK;
  aza_program_info_get(p, &pi);
  aza_facts_clear(f);
  if (!lua_isnoneornil(L, 3)) {
    st = aza_facts_set_as_of(f, luaL_checknumber(L, 3), err);
  }
  for (s = 0; s < pi.nslots && st == AZA_OK; s++) {
    aza_fact_type type;
    int t = lua_rawgeti(L, 2, (lua_Integer)s + 1);
    aza_program_slot(p, s, &type, NULL);
    if (t == LUA_TNIL) {
      lua_pop(L, 1);
      continue;
    }
    switch (type) {
    case AZA_FACT_NUM:
    case AZA_FACT_DATE:
      if (t == LUA_TTABLE && type == AZA_FACT_NUM) {
        st = set_bound(L, p, f, s, err);
        break;
      }
      if (t != LUA_TNUMBER) {
        slot_error(L, p, s, "number");
      }
      st = type == AZA_FACT_NUM
               ? aza_facts_set_num(f, s, lua_tonumber(L, -1), err)
               : aza_facts_set_date(f, s, lua_tonumber(L, -1), err);
      break;
    case AZA_FACT_STR:
      if (t != LUA_TSTRING) {
        slot_error(L, p, s, "string");
      }
      if (codes == 0) {
        lua_newtable(L);
        lua_insert(L, -2);
        codes = lua_gettop(L) - 1;
      }
      st = aza_facts_set_str(f, s, string_code(L, p, -1, codes, &next), err);
      break;
    case AZA_FACT_BOOL:
      if (t != LUA_TBOOLEAN) {
        slot_error(L, p, s, "boolean");
      }
      st = aza_facts_set_bool(f, s, lua_toboolean(L, -1), err);
      break;
    case AZA_FACT_SET: {
      lua_Integer i, n;
      if (t != LUA_TTABLE) {
        slot_error(L, p, s, "list of strings");
      }
      st = aza_facts_set_empty(f, s, err);
      n = luaL_len(L, -1);
      for (i = 1; i <= n && st == AZA_OK; i++) {
        size_t len;
        const char *str;
        uint32_t k;
        if (lua_rawgeti(L, -1, i) != LUA_TSTRING) {
          slot_error(L, p, s, "list of strings");
        }
        str = lua_tolstring(L, -1, &len);
        k = aza_program_find_string(p, str, len);
        if (k != AZA_NONE) { /* strings no rule tests do not matter */
          st = aza_facts_set_add(f, s, k, err);
        }
        lua_pop(L, 1);
      }
      break;
    }
    case AZA_FACT_SERIES: {
      lua_Integer i, n;
      if (t != LUA_TTABLE) {
        slot_error(L, p, s, "list of {day, value}");
      }
      n = luaL_len(L, -1);
      for (i = 1; i <= n && st == AZA_OK; i++) {
        double day, v;
        if (lua_rawgeti(L, -1, i) != LUA_TTABLE ||
            lua_rawgeti(L, -1, 1) != LUA_TNUMBER ||
            lua_rawgeti(L, -2, 2) != LUA_TNUMBER) {
          slot_error(L, p, s, "list of {day, value}");
        }
        day = lua_tonumber(L, -2);
        v = lua_tonumber(L, -1);
        lua_pop(L, 3);
        st = aza_facts_series_add(f, s, day, v, err);
      }
      break;
    }
    default:
      break;
    }
    lua_pop(L, 1);
  }
  if (codes != 0) {
    lua_remove(L, codes);
  }
  return st;
}
