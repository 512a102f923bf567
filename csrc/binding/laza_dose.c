/*
** laza_dose.c
** The dose functions of aza.core: conversions between Lua tables and the
** structs of aza_dose.h, nothing more (the maths is in the core).
**
**   dose_formulary(f)                    -> list {mg, scored}
**   dose_deliverable(mg, f)              -> boolean
**   dose_round(mode, target, lo, hi, f)  -> {mg, target_mg, error_percent,
**                                            in_band}
**   dose_target(opts)                    -> plan
**   dose_current(mg, weight, f)          -> plan
**   dose_modify(plan, mods)              -> plan (with .trace)
**   dose_regimen(mg, f, opts)            -> regimen
**   dose_titration(opts)                 -> list of steps
**
** f is nil (the default formulary), a string "25,50s" or a list of
** {mg = 25, scored = true} tables or plain numbers (unscored). Data errors
** return the fail triple nil, message, code; only a non-table where a
** table is required raises (API misuse).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "laza_aux.h"

#include "aza_dose.h"

/* {====================================================================
** Reading arguments
** ===================================================================== */

/* err->msg = "<prefix>: <err->msg>" */
static void prefix_err(aza_err *err, const char *prefix) {
  size_t pl = strlen(prefix), ml = strlen(err->msg);
  if (pl + 3 >= sizeof err->msg) {
    return;
  }
  if (pl + 2 + ml >= sizeof err->msg) {
    ml = sizeof err->msg - pl - 3;
  }
  memmove(err->msg + pl + 2, err->msg, ml);
  err->msg[pl + 2 + ml] = '\0';
  memcpy(err->msg, prefix, pl);
  err->msg[pl] = ':';
  err->msg[pl + 1] = ' ';
}

static aza_status read_formulary(lua_State *L, int idx, aza_formulary *f,
                                 aza_err *err) {
  lua_Integer i, n;
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
  case LUA_TNONE:
  case LUA_TNIL:
    aza_formulary_default(f);
    return AZA_OK;
  case LUA_TSTRING:
    return aza_formulary_parse(lua_tostring(L, idx), f, err);
  case LUA_TTABLE:
    break;
  default:
    return aza_err_set(err, AZA_EFORMULARY, 0,
                       "formulary expected (a string such as \"25,50s\" or a "
                       "list of {mg = 25, scored = true}), got %s",
                       luaL_typename(L, idx));
  }
  memset(f, 0, sizeof *f);
  n = (lua_Integer)lua_rawlen(L, idx);
  if (n > AZA_FORMULARY_MAX) {
    return aza_err_set(err, AZA_EFORMULARY, 0,
                       "the formulary has %d tablet strengths; at most %d",
                       (int)n, AZA_FORMULARY_MAX);
  }
  for (i = 1; i <= n; i++) {
    aza_tablet *t = &f->tab[f->n++];
    int isnum;
    lua_rawgeti(L, idx, i);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      t->mg = lua_tonumber(L, -1);
      t->scored = 0;
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      lua_getfield(L, -1, "mg");
      t->mg = (double)lua_tonumberx(L, -1, &isnum);
      if (!isnum || lua_type(L, -1) != LUA_TNUMBER) {
        lua_pop(L, 2);
        return aza_err_set(err, AZA_EFORMULARY, 0,
                           "formulary entry %d: 'mg' must be a number", (int)i);
      }
      lua_getfield(L, -2, "scored");
      t->scored = lua_toboolean(L, -1);
      lua_pop(L, 2);
    } else {
      lua_pop(L, 1);
      return aza_err_set(err, AZA_EFORMULARY, 0,
                         "formulary entry %d: a table {mg = 25, scored = "
                         "true} or a number expected",
                         (int)i);
    }
    lua_pop(L, 1);
  }
  return aza_formulary_check(f, err);
}

/*
** The quantity in field `name` of the table at idx. Absent: *present = 0,
** and AZA_EARG when required.
*/
static aza_status field_qty(lua_State *L, int idx, const char *name,
                            int required, aza_qty *q, int *present,
                            aza_err *err) {
  aza_status st = AZA_OK;
  lua_getfield(L, idx, name);
  *present = !lua_isnil(L, -1);
  if (!*present) {
    if (required) {
      st = aza_err_set(err, AZA_EARG, 0, "'%s' is required", name);
    }
  } else {
    st = azaL_toqty(L, -1, q, err);
    if (st != AZA_OK) {
      prefix_err(err, name);
    }
  }
  lua_pop(L, 1);
  return st;
}

/* a number field; absent: *v unchanged, *present = 0 */
static aza_status field_num(lua_State *L, int idx, const char *name, double *v,
                            int *present, aza_err *err) {
  aza_status st = AZA_OK;
  lua_getfield(L, idx, name);
  *present = !lua_isnil(L, -1);
  if (*present) {
    if (lua_type(L, -1) != LUA_TNUMBER) {
      st = aza_err_set(err, AZA_EARG, 0, "'%s' must be a number, got %s", name,
                       luaL_typename(L, -1));
    } else {
      *v = (double)lua_tonumber(L, -1);
    }
  }
  lua_pop(L, 1);
  return st;
}

static int field_bool(lua_State *L, int idx, const char *name) {
  int b;
  lua_getfield(L, idx, name);
  b = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return b;
}

/* a string field; absent: NULL. The string stays in the table. */
static aza_status field_str(lua_State *L, int idx, const char *name,
                            const char **s, aza_err *err) {
  aza_status st = AZA_OK;
  *s = NULL;
  lua_getfield(L, idx, name);
  if (lua_type(L, -1) == LUA_TSTRING) {
    *s = lua_tostring(L, -1);
  } else if (!lua_isnil(L, -1)) {
    st = aza_err_set(err, AZA_EARG, 0, "'%s' must be a string, got %s", name,
                     luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  return st;
}

static aza_status field_formulary(lua_State *L, int idx, aza_formulary *f,
                                  aza_err *err) {
  aza_status st;
  lua_getfield(L, idx, "formulary");
  st = read_formulary(L, -1, f, err);
  lua_pop(L, 1);
  return st;
}

/* a number argument (mg/day); other types are API misuse */
static double num_arg(lua_State *L, int idx) {
  return (double)luaL_checknumber(L, idx);
}

/* }==================================================================== */

/* {====================================================================
** Pushing results
** ===================================================================== */

static void set_num(lua_State *L, const char *key, double v) {
  lua_pushnumber(L, (lua_Number)v);
  lua_setfield(L, -2, key);
}

static void set_int(lua_State *L, const char *key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

static void set_bool(lua_State *L, const char *key, int v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, key);
}

static void set_str(lua_State *L, const char *key, const char *v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, key);
}

/* t[key] = {lo, hi} */
static void set_pair(lua_State *L, const char *key, double lo, double hi) {
  lua_createtable(L, 2, 0);
  lua_pushnumber(L, (lua_Number)lo);
  lua_rawseti(L, -2, 1);
  lua_pushnumber(L, (lua_Number)hi);
  lua_rawseti(L, -2, 2);
  lua_setfield(L, -2, key);
}

/* t[key] = Quantity(v unit); skipped if the unit cannot be made */
static void set_qty(lua_State *L, const char *key, double v, const char *unit) {
  aza_qty q;
  if (aza_qty_make(v, unit, &q, NULL) == AZA_OK) {
    azaL_pushqty(L, &q);
    lua_setfield(L, -2, key);
  }
}

static void push_formulary(lua_State *L, const aza_formulary *f) {
  size_t i;
  lua_createtable(L, (int)f->n, 0);
  for (i = 0; i < f->n; i++) {
    lua_createtable(L, 0, 2);
    set_num(L, "mg", f->tab[i].mg);
    set_bool(L, "scored", f->tab[i].scored != 0);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static void push_plan(lua_State *L, const aza_plan *p) {
  lua_createtable(L, 0, 20);
  set_num(L, "target_mg_per_day", p->dose_mg);
  set_qty(L, "target", p->dose_mg, "mg/d");
  set_num(L, "exact_mg_per_day", p->exact_mg);
  set_qty(L, "exact", p->exact_mg, "mg/d");
  set_num(L, "standard_mg_per_day", p->standard_mg);
  set_num(L, "rounding_error_percent", p->error_pct);
  set_str(L, "rounding", aza_rounding_name(p->rounding));
  set_bool(L, "in_band", p->in_band);
  set_int(L, "modified", p->modified);
  if (p->has_band) {
    set_pair(L, "band_mg_per_day", p->band_lo_mg, p->band_hi_mg);
    lua_createtable(L, 2, 0);
    {
      aza_qty q;
      if (aza_qty_make(p->band_lo_mg, "mg/d", &q, NULL) == AZA_OK) {
        azaL_pushqty(L, &q);
        lua_rawseti(L, -2, 1);
      }
      if (aza_qty_make(p->band_hi_mg, "mg/d", &q, NULL) == AZA_OK) {
        azaL_pushqty(L, &q);
        lua_rawseti(L, -2, 2);
      }
    }
    lua_setfield(L, -2, "band");
  }
  if (p->weight_kg > 0) {
    set_num(L, "weight_kg", p->weight_kg);
    set_qty(L, "weight", p->weight_kg, "kg");
    set_num(L, "target_mg_per_kg_per_day", p->dose_mg / p->weight_kg);
  }
  if (p->rate > 0) {
    set_num(L, "rate_mg_per_kg_per_day", p->rate);
  }
  push_formulary(L, &p->formulary);
  lua_setfield(L, -2, "formulary");
}

static aza_status need_num(lua_State *L, int idx, const char *name, double *v,
                           aza_err *err) {
  int present;
  aza_status st = field_num(L, idx, name, v, &present, err);
  if (st == AZA_OK && !present) {
    st = aza_err_set(err, AZA_EARG, 0, "plan field '%s' is missing", name);
  }
  return st;
}

/* a plan table (as push_plan makes) back into a struct */
static aza_status read_plan(lua_State *L, int idx, aza_plan *p, aza_err *err) {
  aza_status st;
  int present;
  memset(p, 0, sizeof *p);
  st = need_num(L, idx, "target_mg_per_day", &p->dose_mg, err);
  if (st == AZA_OK) {
    st = need_num(L, idx, "standard_mg_per_day", &p->standard_mg, err);
  }
  p->exact_mg = p->dose_mg;
  if (st == AZA_OK) {
    st = field_num(L, idx, "exact_mg_per_day", &p->exact_mg, &present, err);
  }
  if (st == AZA_OK) {
    st = field_num(L, idx, "weight_kg", &p->weight_kg, &present, err);
  }
  if (st == AZA_OK) {
    st = field_num(L, idx, "rate_mg_per_kg_per_day", &p->rate, &present, err);
  }
  if (st == AZA_OK) {
    st = field_formulary(L, idx, &p->formulary, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  lua_getfield(L, idx, "band_mg_per_day");
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    if (lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TNUMBER) {
      p->has_band = 1;
      p->band_lo_mg = (double)lua_tonumber(L, -2);
      p->band_hi_mg = (double)lua_tonumber(L, -1);
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  p->in_band = field_bool(L, idx, "in_band");
  lua_getfield(L, idx, "rounding");
  if (lua_type(L, -1) != LUA_TSTRING ||
      aza_rounding_parse(lua_tostring(L, -1), &p->rounding, NULL) != AZA_OK) {
    p->rounding = AZA_ROUND_DOWN;
  }
  lua_pop(L, 1);
  {
    double m = 0;
    field_num(L, idx, "modified", &m, &present, NULL);
    p->modified = m > 0 && m < 1000 ? (int)m : 0;
  }
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** The functions
** ===================================================================== */

/* dose_formulary(f) -> normalized list, or nil, msg, code */
static int dose_formulary(lua_State *L) {
  aza_formulary f;
  aza_err err;
  if (read_formulary(L, 1, &f, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  push_formulary(L, &f);
  return 1;
}

/* dose_deliverable(mg, f) -> boolean, or nil, msg, code */
static int dose_deliverable(lua_State *L) {
  aza_formulary f;
  aza_err err;
  int yes;
  double mg = num_arg(L, 1);
  if (read_formulary(L, 2, &f, &err) != AZA_OK ||
      aza_dose_deliverable(&f, mg, &yes, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_pushboolean(L, yes);
  return 1;
}

/* dose_round(mode, target, lo, hi, f) */
static int dose_round(lua_State *L) {
  aza_formulary f;
  aza_rounding mode;
  aza_rounded r;
  aza_err err;
  const char *name = luaL_checkstring(L, 1);
  double t = num_arg(L, 2);
  double lo = (double)luaL_optnumber(L, 3, 0);
  double hi = (double)luaL_optnumber(L, 4, 0);
  if (aza_rounding_parse(name, &mode, &err) != AZA_OK ||
      read_formulary(L, 5, &f, &err) != AZA_OK ||
      aza_dose_round(&f, mode, t, lo, hi, &r, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_createtable(L, 0, 4);
  set_num(L, "mg", r.mg);
  set_num(L, "target_mg", r.target_mg);
  set_num(L, "error_percent", r.error_pct);
  set_bool(L, "in_band", r.in_band);
  return 1;
}

/*
** dose_target{weight, rate, band_low, band_high, formulary, rounding}
** -> plan, or nil, msg, code
*/
static int dose_target(lua_State *L) {
  aza_qty w, r, lo, hi;
  aza_formulary f;
  aza_target_in in;
  aza_plan p;
  aza_err err;
  aza_status st;
  int has_lo = 0, has_hi = 0, present;
  const char *rounding;
  luaL_checktype(L, 1, LUA_TTABLE);
  memset(&in, 0, sizeof in);
  st = field_qty(L, 1, "weight", 1, &w, &present, &err);
  if (st == AZA_OK) {
    st = field_qty(L, 1, "rate", 1, &r, &present, &err);
  }
  if (st == AZA_OK) {
    st = field_qty(L, 1, "band_low", 0, &lo, &has_lo, &err);
  }
  if (st == AZA_OK) {
    st = field_qty(L, 1, "band_high", 0, &hi, &has_hi, &err);
  }
  if (st == AZA_OK) {
    st = field_formulary(L, 1, &f, &err);
  }
  if (st == AZA_OK) {
    st = field_str(L, 1, "rounding", &rounding, &err);
  }
  in.rounding = AZA_ROUND_NEAREST_IN_BAND;
  if (st == AZA_OK && rounding != NULL) {
    st = aza_rounding_parse(rounding, &in.rounding, &err);
  }
  if (st == AZA_OK) {
    in.weight = &w;
    in.rate = &r;
    in.band_lo = has_lo ? &lo : NULL;
    in.band_hi = has_hi ? &hi : NULL;
    in.formulary = &f;
    st = aza_dose_target(&in, &p, &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  push_plan(L, &p);
  return 1;
}

/* dose_current(mg, weight|nil, f) -> plan */
static int dose_current(lua_State *L) {
  aza_qty w;
  aza_formulary f;
  aza_plan p;
  aza_err err;
  aza_status st = AZA_OK;
  double mg = num_arg(L, 1);
  int has_w = !lua_isnoneornil(L, 2);
  if (has_w) {
    st = azaL_toqty(L, 2, &w, &err);
    if (st != AZA_OK) {
      prefix_err(&err, "weight");
    }
  }
  if (st == AZA_OK) {
    st = read_formulary(L, 3, &f, &err);
  }
  if (st == AZA_OK) {
    st = aza_dose_current(mg, has_w ? &w : NULL, &f, &p, &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  push_plan(L, &p);
  return 1;
}

/*
** A modifier field: a number (the value) or a table {value=..., why=...,
** low=..., high=...}. Leaves nothing on the stack; strings it returns
** live in `mods` (index idx).
*/
static aza_status read_mod(lua_State *L, int idx, const char *name,
                           int *present, double *value, const char **why,
                           int *has_band, double *lo, double *hi,
                           aza_err *err) {
  aza_status st = AZA_OK;
  int top = lua_gettop(L);
  lua_getfield(L, idx, name);
  *present = !lua_isnil(L, -1);
  if (*present) {
    if (lua_type(L, -1) == LUA_TNUMBER) {
      *value = (double)lua_tonumber(L, -1);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      int t = lua_gettop(L), p1, p2, pv;
      st = field_num(L, t, "value", value, &pv, err);
      if (st == AZA_OK && !pv) {
        st = aza_err_set(err, AZA_EARG, 0, "'%s' needs a 'value'", name);
      }
      if (st == AZA_OK) {
        st = field_str(L, t, "why", why, err);
      }
      if (st == AZA_OK && has_band != NULL) {
        st = field_num(L, t, "low", lo, &p1, err);
        if (st == AZA_OK) {
          st = field_num(L, t, "high", hi, &p2, err);
        }
        if (st == AZA_OK && p1 != p2) {
          st = aza_err_set(err, AZA_EARG, 0,
                           "'%s' band needs both low and high", name);
        }
        *has_band = p1 && p2;
      }
    } else {
      st = aza_err_set(err, AZA_EARG, 0, "'%s' must be a number or a table",
                       name);
    }
  }
  lua_settop(L, top);
  return st;
}

static void push_trace(lua_State *L, const aza_trace_entry *e, size_t n) {
  size_t i;
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_createtable(L, 0, 10);
    set_str(L, "modifier", aza_mod_name(e[i].kind));
    set_str(L, "why", e[i].why);
    set_num(L, "before_mg_per_day", e[i].before_mg);
    set_num(L, "exact_mg_per_day", e[i].exact_mg);
    set_num(L, "after_mg_per_day", e[i].after_mg);
    if (e[i].kind == AZA_MOD_PERCENT) {
      set_pair(L, "band_mg_per_day", e[i].lo_mg, e[i].hi_mg);
    } else {
      set_num(L, "limit_mg_per_day", e[i].hi_mg);
    }
    set_str(L, "rounding", aza_rounding_name(e[i].rounding));
    set_num(L, "rounding_error_percent", e[i].error_pct);
    set_bool(L, "changed", e[i].changed);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/*
** dose_modify(plan, mods) -> plan with .trace (this call's entries)
** mods: percent = P | {value, low, high, why}, reduce = P | {value, why},
**       fraction = F | {value, why}, cap = QTY | {value = QTY, why}
*/
static int dose_modify(lua_State *L) {
  aza_plan in, out;
  aza_modifiers m;
  aza_trace_entry tr[AZA_MOD_COUNT];
  size_t n = 0;
  aza_qty cap;
  aza_err err;
  aza_status st;
  int present;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  memset(&m, 0, sizeof m);
  st = read_plan(L, 1, &in, &err);
  if (st == AZA_OK) {
    st = read_mod(L, 2, "percent", &m.use_percent, &m.percent, &m.percent_why,
                  &m.percent_band, &m.percent_lo, &m.percent_hi, &err);
  }
  if (st == AZA_OK) {
    st = read_mod(L, 2, "reduce", &m.use_reduce, &m.reduce_percent,
                  &m.reduce_why, NULL, NULL, NULL, &err);
  }
  if (st == AZA_OK) {
    st = read_mod(L, 2, "fraction", &m.use_fraction, &m.fraction,
                  &m.fraction_why, NULL, NULL, NULL, &err);
  }
  if (st == AZA_OK) {
    lua_getfield(L, 2, "cap");
    if (lua_type(L, -1) == LUA_TTABLE) {
      int t = lua_gettop(L);
      st = field_qty(L, t, "value", 1, &cap, &present, &err);
      if (st == AZA_OK) {
        st = field_str(L, t, "why", &m.cap_why, &err);
      }
      if (st == AZA_OK) {
        m.cap = &cap;
      }
    } else if (!lua_isnil(L, -1)) {
      st = azaL_toqty(L, -1, &cap, &err);
      if (st == AZA_OK) {
        m.cap = &cap;
      } else {
        prefix_err(&err, "cap");
      }
    }
    lua_pop(L, 1); /* cap_why stays alive in mods */
  }
  if (st == AZA_OK) {
    st = aza_dose_modify(&in, &m, &out, tr, AZA_MOD_COUNT, &n, &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  push_plan(L, &out);
  push_trace(L, tr, n);
  lua_setfield(L, -2, "trace");
  return 1;
}

static void push_admin(lua_State *L, const aza_admin *a) {
  size_t i;
  lua_createtable(L, 0, 3);
  set_num(L, "mg", a->mg);
  set_int(L, "pieces", a->pieces);
  lua_createtable(L, (int)a->nitems, 0);
  for (i = 0; i < a->nitems; i++) {
    lua_createtable(L, 0, 4);
    set_num(L, "mg", a->item[i].strength_mg);
    set_bool(L, "scored", a->item[i].scored);
    set_int(L, "halves", a->item[i].halves);
    set_num(L, "count", a->item[i].halves / 2.0);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "tablets");
}

/* dose_regimen(mg, f, {split_above_mg, twice_daily, allow_alternate,
**                     days_per_week}) */
static int dose_regimen(lua_State *L) {
  aza_formulary f;
  aza_regimen_opts o;
  aza_regimen r;
  aza_err err;
  aza_status st;
  size_t d, a;
  int present;
  double mg = num_arg(L, 1);
  memset(&o, 0, sizeof o);
  st = read_formulary(L, 2, &f, &err);
  if (st == AZA_OK && !lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    st = field_num(L, 3, "split_above_mg", &o.split_above_mg, &present, &err);
    o.twice_daily = field_bool(L, 3, "twice_daily");
    o.allow_alternate = field_bool(L, 3, "allow_alternate");
    if (st == AZA_OK) {
      double days = 0;
      st = field_num(L, 3, "days_per_week", &days, &present, &err);
      if (st == AZA_OK && present &&
          (days != floor(days) || days < 1 || days > AZA_WEEK_DAYS)) {
        st = aza_err_set(&err, AZA_EVALUE, 0,
                         "days_per_week %g is not a whole number of days "
                         "in 1-7",
                         days);
      }
      o.days_per_week = present && st == AZA_OK ? (int)days : 0;
    }
  }
  if (st == AZA_OK) {
    st = aza_dose_regimen(mg, &f, &o, &r, &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_createtable(L, 0, 5);
  set_num(L, "mg_per_day", r.mean_mg_per_day);
  set_bool(L, "alternating", r.alternating);
  set_num(L, "weekly_mg", r.weekly_mg);
  set_int(L, "days_per_week", r.days_per_week);
  lua_createtable(L, r.days_per_week, 0);
  for (d = 0, a = 0; d < AZA_WEEK_DAYS; d++) {
    if (r.dosing_day[d]) {
      lua_pushinteger(L, (lua_Integer)d + 1);
      lua_rawseti(L, -2, (lua_Integer)++a);
    }
  }
  lua_setfield(L, -2, "dosing_days");
  lua_createtable(L, (int)r.ndays, 0);
  for (d = 0; d < r.ndays; d++) {
    lua_createtable(L, 0, 2);
    set_num(L, "mg", r.day[d].mg);
    lua_createtable(L, (int)r.day[d].nadmin, 0);
    for (a = 0; a < r.day[d].nadmin; a++) {
      push_admin(L, &r.day[d].admin[a]);
      lua_rawseti(L, -2, (lua_Integer)a + 1);
    }
    lua_setfield(L, -2, "administrations");
    lua_rawseti(L, -2, (lua_Integer)d + 1);
  }
  lua_setfield(L, -2, "days");
  return 1;
}

#define STEPS_MAX 64

/*
** dose_titration{start, step, every, target, weight, start_date, formulary}
** -> list of {mg_per_day, week, date}
*/
static int dose_titration(lua_State *L) {
  aza_qty start, step, target, weight;
  aza_titration_in in;
  aza_titration_step s[STEPS_MAX];
  aza_formulary f;
  aza_err err;
  aza_status st;
  size_t i, n = 0;
  int has_step = 0, has_w = 0, present, isint;
  lua_Integer every = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  memset(&in, 0, sizeof in);
  st = field_qty(L, 1, "start", 1, &start, &present, &err);
  if (st == AZA_OK) {
    st = field_qty(L, 1, "target", 1, &target, &present, &err);
  }
  if (st == AZA_OK) {
    st = field_qty(L, 1, "step", 0, &step, &has_step, &err);
  }
  if (st == AZA_OK) {
    st = field_qty(L, 1, "weight", 0, &weight, &has_w, &err);
  }
  if (st == AZA_OK) {
    st = field_str(L, 1, "start_date", &in.start_date, &err);
  }
  if (st == AZA_OK) {
    st = field_formulary(L, 1, &f, &err);
  }
  if (st == AZA_OK) {
    lua_getfield(L, 1, "every");
    every = lua_tointegerx(L, -1, &isint);
    if (!isint || lua_type(L, -1) != LUA_TNUMBER) {
      st = aza_err_set(&err, AZA_EVALUE, 0,
                       "'every' must be a whole number of weeks");
    } else if (every < 1 || every > 52) {
      st = aza_err_set(&err, AZA_EVALUE, 0,
                       "interval %d weeks is outside 1–52 weeks", (int)every);
    }
    lua_pop(L, 1);
  }
  if (st == AZA_OK) {
    in.start = &start;
    in.target = &target;
    in.step = has_step ? &step : NULL;
    in.weight = has_w ? &weight : NULL;
    in.every_weeks = (int)every;
    in.formulary = &f;
    st = aza_dose_titration(&in, s, STEPS_MAX, &n, &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_createtable(L, 0, 4);
    set_num(L, "mg_per_day", s[i].mg);
    set_qty(L, "dose", s[i].mg, "mg/d");
    set_int(L, "week", s[i].week);
    if (s[i].date[0] != '\0') {
      set_str(L, "date", s[i].date);
    }
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* }==================================================================== */

static const luaL_Reg dose_funcs[] = {{"dose_formulary", dose_formulary},
                                      {"dose_deliverable", dose_deliverable},
                                      {"dose_round", dose_round},
                                      {"dose_target", dose_target},
                                      {"dose_current", dose_current},
                                      {"dose_modify", dose_modify},
                                      {"dose_regimen", dose_regimen},
                                      {"dose_titration", dose_titration},
                                      {NULL, NULL}};

void azaL_open_dose(lua_State *L) {
  luaL_setfuncs(L, dose_funcs, 0);
}
