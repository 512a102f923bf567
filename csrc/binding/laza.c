/*
** laza.c
** luaopen_aza_core: the aza.core module table. The unit table lives once
** in C; Lua reads it through units(), prefixes() and aliases().
** Each binding file adds its own functions through its opener
** (azaL_open_qty, azaL_open_dose, azaL_open_eval, azaL_open_sandbox).
*/
#include <math.h>
#include <string.h>

#include "laza_aux.h"
#include "laza_compat.h"
#include "laza_eval.h"
#include "laza_sandbox.h"

#include "aza_dose.h"
#include "aza_eval.h"
#include "aza_hash.h"
#include "aza_unit_int.h"

#if !defined(LAZA_VERSION)
#define LAZA_VERSION "0.1.0-dev"
#endif

/* the only symbol the binding exports (azaL_* stay hidden) */
#if defined(__GNUC__)
#define LAZA_EXPORT __attribute__((visibility("default")))
#else
#define LAZA_EXPORT LUAMOD_API
#endif

LAZA_EXPORT int luaopen_aza_core(lua_State *L);

static void set_string(lua_State *L, const char *key, const char *value) {
  lua_pushstring(L, value != NULL ? value : "");
  lua_setfield(L, -2, key);
}

static void set_bool(lua_State *L, const char *key, int value) {
  lua_pushboolean(L, value);
  lua_setfield(L, -2, key);
}

/*
** units() -> list of atoms in table order, each
** {code, name, property, metric, special, arbitrary, base, definition,
**  definition_value}
*/
static int core_units(lua_State *L) {
  size_t i, n = aza_atom_count();
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    aza_atom_info a;
    if (aza_atom_get(i, &a) != AZA_OK) {
      continue;
    }
    lua_createtable(L, 0, 9);
    set_string(L, "code", a.code);
    set_string(L, "name", a.name);
    set_string(L, "property", a.property);
    set_bool(L, "metric", a.is_metric);
    set_bool(L, "special", a.is_special);
    set_bool(L, "arbitrary", a.is_arbitrary);
    set_bool(L, "base", a.is_base);
    set_string(L, "definition", a.def_unit);
    lua_pushnumber(L, a.def_value);
    lua_setfield(L, -2, "definition_value");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* prefixes() -> list of {code, name, value} */
static int core_prefixes(lua_State *L) {
  size_t i, n = aza_prefix_count();
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    aza_prefix_info p;
    if (aza_prefix_get(i, &p) != AZA_OK) {
      continue;
    }
    lua_createtable(L, 0, 3);
    set_string(L, "code", p.code);
    set_string(L, "name", p.name);
    lua_pushnumber(L, p.value);
    lua_setfield(L, -2, "value");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* aliases() -> list of {spelling, ucum} */
static int core_aliases(lua_State *L) {
  size_t i, n = aza_alias_count();
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    aza_alias_info a;
    if (aza_alias_get(i, &a) != AZA_OK) {
      continue;
    }
    lua_createtable(L, 0, 2);
    set_string(L, "spelling", a.spelling);
    set_string(L, "ucum", a.ucum);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/*
** status_names() -> list of the status names in code order:
** [1] = "OK" (code 0), [2] = "E_SYNTAX" (code 1), ...
*/
static int core_status_names(lua_State *L) {
  int i;
  lua_createtable(L, AZA_STATUS_COUNT, 0);
  for (i = 0; i < AZA_STATUS_COUNT; i++) {
    lua_pushstring(L, aza_status_name((aza_status)i));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/*
** fnv1a64(s1, s2, ...) -> the FNV-1a 64 hash of the strings fed in order,
** as 16 lowercase hex digits (the protocol content hash; in C so that it
** is the same on every Lua, whatever its number type).
*/
static int core_fnv1a64(lua_State *L) {
  int i, n = lua_gettop(L);
  uint64_t h = AZA_FNV1A64_INIT;
  char out[17];
  for (i = 1; i <= n; i++) {
    size_t len;
    const char *s = luaL_checklstring(L, i, &len);
    h = aza_fnv1a64(h, s, len);
  }
  aza_fnv1a64_hex(h, out);
  lua_pushstring(L, out);
  return 1;
}

/* a list of name(0) .. name(count - 1) */
static void push_list(lua_State *L, const char *(*name)(int), int count) {
  int i;
  lua_createtable(L, count, 0);
  for (i = 0; i < count; i++) {
    lua_pushstring(L, name(i));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static const char *decision_name(int i) {
  return aza_decision_name((aza_decision)i);
}
static const char *mod_name(int i) {
  return aza_mod_name((aza_mod_kind)i);
}
static const char *rounding_name(int i) {
  return aza_rounding_name((aza_rounding)i);
}

/*
** names: the core's enum names, each list in its enum's order, so that
** the Lua side spells them from the one table beside each enum:
** decisions (least to most severe), actions, severities, fact_types,
** comparisons, truths, modifiers (in the order they apply), roundings.
*/
static void push_names(lua_State *L) {
  lua_createtable(L, 0, 8);
  push_list(L, decision_name, AZA_DECISION_COUNT);
  lua_setfield(L, -2, "decisions");
  push_list(L, aza_action_type_name, AZA_ACT_TYPE_COUNT);
  lua_setfield(L, -2, "actions");
  push_list(L, aza_severity_name, AZA_SEVERITY_COUNT);
  lua_setfield(L, -2, "severities");
  push_list(L, aza_fact_type_name, AZA_FACT_TYPE_COUNT);
  lua_setfield(L, -2, "fact_types");
  push_list(L, aza_cmp_name, AZA_CMP_COUNT);
  lua_setfield(L, -2, "comparisons");
  push_list(L, aza_truth_name, AZA_TRUTH_COUNT);
  lua_setfield(L, -2, "truths");
  push_list(L, mod_name, AZA_MOD_COUNT);
  lua_setfield(L, -2, "modifiers");
  push_list(L, rounding_name, AZA_ROUND_COUNT);
  lua_setfield(L, -2, "roundings");
}

/*
** rise_percent(readings, as_of, window) -> number | nil: aza_rise_percent
** over a list of {day =, value =} (day numbers, values in one unit), at
** most AZA_SERIES_MAX of them (the latest ones are the caller's to keep)
*/
static int core_rise_percent(lua_State *L) {
  double day[AZA_SERIES_MAX], val[AZA_SERIES_MAX], out;
  double as_of = luaL_checknumber(L, 2), window = luaL_checknumber(L, 3);
  lua_Integer i, n;
  luaL_checktype(L, 1, LUA_TTABLE);
  n = (lua_Integer)lua_rawlen(L, 1);
  luaL_argcheck(L, n <= AZA_SERIES_MAX, 1, "too many readings");
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, 1, i + 1);
    luaL_checktype(L, -1, LUA_TTABLE);
    lua_getfield(L, -1, "day");
    lua_getfield(L, -2, "value");
    if (!lua_isnumber(L, -2) || !lua_isnumber(L, -1)) {
      return luaL_error(L, "rise_percent: reading %d needs a day and a value",
                        (int)i + 1);
    }
    day[i] = lua_tonumber(L, -2);
    val[i] = lua_tonumber(L, -1);
    lua_pop(L, 3);
  }
  if (!aza_rise_percent(day, val, (size_t)n, as_of, window, &out)) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushnumber(L, out);
  return 1;
}

/* days_from_civil(y, m, d) -> day number (aza_days_from_civil) */
static int core_days_from_civil(lua_State *L) {
  lua_Integer y = luaL_checkinteger(L, 1), m = luaL_checkinteger(L, 2),
              d = luaL_checkinteger(L, 3);
  luaL_argcheck(L, y > -1000000 && y < 1000000, 1, "year out of range");
  luaL_argcheck(L, m >= 1 && m <= 12, 2, "month out of range");
  luaL_argcheck(L, d >= 1 && d <= 31, 3, "day out of range");
  lua_pushinteger(L,
                  (lua_Integer)aza_days_from_civil((long)y, (long)m, (long)d));
  return 1;
}

/* civil_from_days(n) -> y, m, d (aza_civil_from_days) */
static int core_civil_from_days(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  long y, m, d;
  luaL_argcheck(L, n > -365000000 && n < 365000000, 1,
                "day number out of range");
  aza_civil_from_days((long)n, &y, &m, &d);
  lua_pushinteger(L, (lua_Integer)y);
  lua_pushinteger(L, (lua_Integer)m);
  lua_pushinteger(L, (lua_Integer)d);
  return 3;
}

/* is_leap(y) -> boolean (aza_is_leap) */
static int core_is_leap(lua_State *L) {
  lua_Integer y = luaL_checkinteger(L, 1);
  luaL_argcheck(L, y > -1000000 && y < 1000000, 1, "year out of range");
  lua_pushboolean(L, aza_is_leap((long)y));
  return 1;
}

/*
** number(text) -> number | nil: a plain decimal number ("3.2", "-1e3",
** "+70") read by the core's locale-free reader (azai_num_scan, the one
** that reads the numbers of quantity texts), blanks around it allowed;
** nil for anything else (hex, inf, nan, "1.", ".5", "1,5", a second number)
*/
static int core_number(lua_State *L) {
  size_t n, a = 0, used;
  const char *s = luaL_checklstring(L, 1, &n);
  double v;
  while (a < n && (s[a] == ' ' || s[a] == '\t')) {
    a++;
  }
  while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
    n--;
  }
  used = n > a ? azai_num_scan(s + a, n - a, &v) : 0;
  if (used == 0 || used != n - a || !isfinite(v)) {
    lua_pushnil(L);
    return 1;
  }
  /* as Lua's tonumber: digits alone make an integer (on 5.3+) */
  if (memchr(s + a, '.', n - a) == NULL && memchr(s + a, 'e', n - a) == NULL &&
      memchr(s + a, 'E', n - a) == NULL && fabs(v) < 9007199254740992.0) {
    lua_pushinteger(L, (lua_Integer)v);
  } else {
    lua_pushnumber(L, v);
  }
  return 1;
}

static const luaL_Reg core_funcs[] = {{"fnv1a64", core_fnv1a64},
                                      {"units", core_units},
                                      {"prefixes", core_prefixes},
                                      {"aliases", core_aliases},
                                      {"status_names", core_status_names},
                                      {"rise_percent", core_rise_percent},
                                      {"number", core_number},
                                      {"days_from_civil", core_days_from_civil},
                                      {"civil_from_days", core_civil_from_days},
                                      {"is_leap", core_is_leap},
                                      {NULL, NULL}};

LAZA_EXPORT int luaopen_aza_core(lua_State *L) {
  luaL_newlib(L, core_funcs);
  azaL_open_qty(L);
  azaL_open_dose(L);
  azaL_open_eval(L);
  azaL_open_sandbox(L);
  azaL_open_json(L);
  lua_pushliteral(L, LAZA_VERSION);
  lua_setfield(L, -2, "version");
  /* the dose maths' own limits, so that the patient reader checks the same */
  lua_createtable(L, 0, 4);
  lua_pushnumber(L, AZA_WEIGHT_MIN_KG);
  lua_setfield(L, -2, "weight_min_kg");
  lua_pushnumber(L, AZA_WEIGHT_MAX_KG);
  lua_setfield(L, -2, "weight_max_kg");
  lua_pushnumber(L, AZA_DOSE_MAX_MG);
  lua_setfield(L, -2, "dose_max_mg");
  lua_pushinteger(L, AZA_SERIES_MAX);
  lua_setfield(L, -2, "series_max");
  lua_setfield(L, -2, "limits");
  push_names(L);
  lua_setfield(L, -2, "names");
  return 1;
}
