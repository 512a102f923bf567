/*
** laza_eval.c
** The aza.Program userdata: core.program(description) builds a compiled
** rule program through the aza_eval builder; program:evaluate(values,
** as_of) fills the facts and runs the evaluator. No clinical logic here:
** the description comes from lua/aza/protocol/compile.lua, which documents
** its shape; this file only converts Lua values to C and back.
**
** Memory: every core object is allocated with the state's allocator
** (lua_getallocf) and owned by a userdata created "closed" first, whose
** idempotent __gc/__close frees it, so a raise never leaks.
*/
#include <stdio.h>
#include <string.h>

#include "laza_aux.h"
#include "laza_eval.h"
#include "laza_facts.h"

#include "aza_eval.h"

#define AZA_PROGRAM_T "aza.Program"
#define AZA_BUILDER_T "aza.ProgramBuilder"

typedef struct lprogram {
  aza_program *p;
  aza_facts *f;
  aza_eval_arena *a;
} lprogram;

typedef struct lbuilder {
  aza_builder *b;
} lbuilder;

/* {====================================================================
** Userdata life cycle
** ===================================================================== */

static int program_close(lua_State *L) {
  lprogram *lp = (lprogram *)luaL_checkudata(L, 1, AZA_PROGRAM_T);
  aza_eval_arena_destroy(lp->a);
  aza_facts_destroy(lp->f);
  aza_program_destroy(lp->p);
  lp->a = NULL;
  lp->f = NULL;
  lp->p = NULL;
  return 0;
}

static int builder_close(lua_State *L) {
  lbuilder *lb = (lbuilder *)luaL_checkudata(L, 1, AZA_BUILDER_T);
  aza_builder_destroy(lb->b);
  lb->b = NULL;
  return 0;
}

static lprogram *check_program(lua_State *L) {
  lprogram *lp = (lprogram *)luaL_checkudata(L, 1, AZA_PROGRAM_T);
  if (lp->p == NULL) {
    luaL_argerror(L, 1, "program is closed");
  }
  return lp;
}

/* }==================================================================== */

/* {====================================================================
** Reading the description
** ===================================================================== */

typedef struct ctx {
  lua_State *L;
  aza_builder *b;
  aza_err err;
  const char *where; /* "rules[3].code[2]" for messages, in a buffer */
  char buf[96];
} ctx;

/* raise for a malformed description (API misuse: compile.lua's bug) */
static int bad(ctx *c, const char *msg) {
  return luaL_error(c->L, "aza: bad program description at %s: %s", c->buf,
                    msg);
}

static uint32_t intern(ctx *c, int idx) {
  size_t len;
  const char *s;
  uint32_t i = AZA_NONE;
  if (lua_type(c->L, idx) != LUA_TSTRING) {
    bad(c, "string expected");
  }
  s = lua_tolstring(c->L, idx, &len);
  if (aza_builder_string(c->b, s, len, &i, &c->err) != AZA_OK) {
    bad(c, c->err.msg);
  }
  return i;
}

/* a string field of the table at idx, interned; AZA_NONE when nil */
static uint32_t field_string(ctx *c, int idx, const char *key) {
  uint32_t i = AZA_NONE;
  if (lua_getfield(c->L, idx, key) != LUA_TNIL) {
    i = intern(c, -1);
  }
  lua_pop(c->L, 1);
  return i;
}

/* a 1-based index (slot numbers) as a 0-based C index; out of range
** values become indices the validation rejects */
static uint32_t to_index(ctx *c, int idx) {
  lua_Integer v;
  int isnum;
  v = lua_tointegerx(c->L, idx, &isnum);
  if (!isnum) {
    bad(c, "integer expected");
  }
  if (v < 1 || v > (lua_Integer)0x7fffffff) {
    return AZA_NONE - 1;
  }
  return (uint32_t)(v - 1);
}

/* a list of strings at idx → a list of the program; *n its length */
static uint32_t string_list(ctx *c, int idx, uint32_t *n) {
  uint32_t first = 0, items[64], k = 0, count = 0;
  lua_Integer i, len;
  int have_first = 0;
  if (!lua_istable(c->L, idx)) {
    bad(c, "list of strings expected");
  }
  len = luaL_len(c->L, idx);
  for (i = 1; i <= len; i++) {
    lua_rawgeti(c->L, idx, i);
    items[k++] = intern(c, -1);
    lua_pop(c->L, 1);
    if (k == 64 || i == len) {
      uint32_t f;
      if (aza_builder_list(c->b, items, k, &f, &c->err) != AZA_OK) {
        bad(c, c->err.msg);
      }
      if (!have_first) {
        first = f;
        have_first = 1;
      }
      count += k;
      k = 0;
    }
  }
  if (!have_first &&
      aza_builder_list(c->b, items, 0, &first, &c->err) != AZA_OK) {
    bad(c, c->err.msg);
  }
  *n = count;
  return first;
}

/* the index of the name at idx among name(0) .. name(count - 1) (the
** core's own tables), or an error */
static int option(ctx *c, int idx, const char *(*name)(int), int count) {
  const char *s = lua_tostring(c->L, idx);
  int i;
  if (lua_type(c->L, idx) == LUA_TSTRING) {
    for (i = 0; i < count; i++) {
      if (strcmp(name(i), s) == 0) {
        return i;
      }
    }
  }
  bad(c, "unknown name");
  return 0;
}

static aza_opcode opcode_of(ctx *c, int idx) {
  const char *s = lua_tostring(c->L, idx);
  int i;
  if (s != NULL) {
    for (i = 0; i < AZA_OP_COUNT; i++) {
      if (strcmp(aza_opcode_name((aza_opcode)i), s) == 0) {
        return (aza_opcode)i;
      }
    }
  }
  bad(c, "unknown opcode");
  return AZA_OP_COUNT;
}

/* one instruction {op, x, y} at the top of the stack */
static void read_insn(ctx *c) {
  lua_State *L = c->L;
  int t = lua_gettop(L);
  aza_opcode op;
  unsigned aux = 0;
  uint32_t a = 0, b = 0;
  lua_rawgeti(L, t, 1);
  op = opcode_of(c, -1);
  lua_rawgeti(L, t, 2); /* x at t + 2 */
  lua_rawgeti(L, t, 3); /* y at t + 3 */
  switch (op) {
  case AZA_OP_CONST:
    if (!lua_isnumber(L, t + 2)) {
      bad(c, "number expected");
    }
    if (aza_builder_const(c->b, lua_tonumber(L, t + 2), &a, &c->err) !=
        AZA_OK) {
      bad(c, c->err.msg);
    }
    break;
  case AZA_OP_SCONST:
    a = intern(c, t + 2);
    break;
  case AZA_OP_TRUTH:
    if (lua_isboolean(L, t + 2)) {
      aux = lua_toboolean(L, t + 2) ? AZA_TRUE : AZA_FALSE;
    } else if (lua_type(L, t + 2) == LUA_TSTRING &&
               strcmp(lua_tostring(L, t + 2), "unknown") == 0) {
      aux = AZA_UNKNOWN;
    } else {
      bad(c, "true, false or \"unknown\" expected");
    }
    break;
  case AZA_OP_CMP:
  case AZA_OP_SCMP:
  case AZA_OP_TCMP:
    aux = (unsigned)option(c, t + 2, aza_cmp_name, AZA_CMP_COUNT);
    break;
  case AZA_OP_IN:
    a = string_list(c, t + 2, &b);
    break;
  case AZA_OP_SET_HAS:
    a = to_index(c, t + 2);
    b = intern(c, t + 3);
    break;
  case AZA_OP_AND:
  case AZA_OP_OR:
  case AZA_OP_NOT:
  case AZA_OP_MUL:
  case AZA_OP_DIV:
  case AZA_OP_RATIO:
    break;
  default: /* the slot operations */
    a = to_index(c, t + 2);
    break;
  }
  if (aza_builder_insn(c->b, op, aux, a, b, &c->err) != AZA_OK) {
    bad(c, c->err.msg);
  }
  lua_settop(L, t);
}

static double num_field(ctx *c, int idx, const char *key, int bit,
                        uint8_t *has) {
  double v = 0;
  if (lua_getfield(c->L, idx, key) != LUA_TNIL) {
    if (!lua_isnumber(c->L, -1)) {
      bad(c, "number expected");
    }
    v = lua_tonumber(c->L, -1);
    *has |= (uint8_t)(1u << bit);
  }
  lua_pop(c->L, 1);
  return v;
}

/* one action table at the top of the stack */
static void read_action(ctx *c) {
  lua_State *L = c->L;
  int t = lua_gettop(L);
  aza_action act;
  memset(&act, 0, sizeof act);
  act.str = act.str2 = AZA_NONE;
  if (!lua_istable(L, t)) {
    bad(c, "action table expected");
  }
  lua_getfield(L, t, "type");
  act.type = (uint8_t)option(c, -1, aza_action_type_name, AZA_ACT_TYPE_COUNT);
  lua_pop(L, 1);
  switch ((aza_action_type)act.type) {
  case AZA_ACT_NEED_DATA:
    if (lua_getfield(L, t, "facts") != LUA_TNIL) {
      act.list = string_list(c, lua_gettop(L), &act.nlist);
    }
    lua_pop(L, 1);
    break;
  case AZA_ACT_REDUCE:
    lua_getfield(L, t, "fraction");
    act.sub = lua_isnil(L, -1) ? AZA_REDUCE_PERCENT : AZA_REDUCE_FRACTION;
    lua_pop(L, 1);
    if (act.sub == AZA_REDUCE_FRACTION) {
      act.p[0] = num_field(c, t, "fraction", 0, &act.has);
    } else {
      act.p[0] = num_field(c, t, "percent", 0, &act.has);
      act.p[1] = num_field(c, t, "low", 1, &act.has);
      act.p[2] = num_field(c, t, "high", 2, &act.has);
    }
    break;
  case AZA_ACT_CAP:
  case AZA_ACT_SET_DOSE:
    lua_getfield(L, t, "mg_per_day");
    act.sub = lua_isnil(L, -1) ? AZA_CAP_MG_PER_KG_DAY : AZA_CAP_MG_PER_DAY;
    lua_pop(L, 1);
    act.p[0] = num_field(c, t,
                         act.sub == AZA_CAP_MG_PER_DAY ? "mg_per_day"
                                                       : "mg_per_kg_per_day",
                         0, &act.has);
    act.p[1] = num_field(c, t, "weeks", 1, &act.has);
    break;
  case AZA_ACT_ALERT:
    lua_getfield(L, t, "severity");
    act.sub = lua_isnil(L, -1) ? AZA_SEVERITY_WARNING
                               : (uint8_t)option(c, -1, aza_severity_name,
                                                 AZA_SEVERITY_COUNT);
    lua_pop(L, 1);
    act.str = field_string(c, t, "kind");
    act.str2 = field_string(c, t, "message");
    break;
  case AZA_ACT_MONITOR:
    if (lua_getfield(L, t, "tests") != LUA_TNIL) {
      act.list = string_list(c, lua_gettop(L), &act.nlist);
    }
    lua_pop(L, 1);
    act.p[0] = num_field(c, t, "every_days", 0, &act.has);
    act.p[1] = num_field(c, t, "weeks", 1, &act.has);
    break;
  case AZA_ACT_COUNSEL:
    act.str = field_string(c, t, "text");
    break;
  default:
    break;
  }
  if (aza_builder_action(c->b, &act, &c->err) != AZA_OK) {
    bad(c, c->err.msg);
  }
  lua_settop(L, t);
}

/* rules[i] at the top of the stack */
static void read_rule(ctx *c, lua_Integer ri) {
  lua_State *L = c->L;
  int t = lua_gettop(L);
  uint32_t id, cite;
  unsigned flags = 0;
  lua_Integer k, n;
  snprintf(c->buf, sizeof c->buf, "rules[%lld]", (long long)ri);
  if (!lua_istable(L, t)) {
    bad(c, "rule table expected");
  }
  id = field_string(c, t, "id");
  if (id == AZA_NONE) {
    bad(c, "rule id missing");
  }
  cite = field_string(c, t, "cite");
  lua_getfield(L, t, "require");
  if (lua_toboolean(L, -1)) {
    flags |= AZA_RULE_REQUIRE;
  }
  lua_pop(L, 1);
  if (aza_builder_rule_begin(c->b, id, cite, flags, &c->err) != AZA_OK) {
    bad(c, c->err.msg);
  }
  if (lua_getfield(L, t, "code") != LUA_TTABLE) {
    bad(c, "code list expected");
  }
  n = luaL_len(L, -1);
  for (k = 1; k <= n; k++) {
    snprintf(c->buf, sizeof c->buf, "rules[%lld].code[%lld]", (long long)ri,
             (long long)k);
    if (lua_rawgeti(L, t + 1, k) != LUA_TTABLE) {
      bad(c, "instruction table expected");
    }
    read_insn(c);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (lua_getfield(L, t, "actions") == LUA_TTABLE) {
    n = luaL_len(L, -1);
    for (k = 1; k <= n; k++) {
      snprintf(c->buf, sizeof c->buf, "rules[%lld].actions[%lld]",
               (long long)ri, (long long)k);
      lua_rawgeti(L, t + 1, k);
      read_action(c);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (aza_builder_rule_end(c->b, &c->err) != AZA_OK) {
    bad(c, c->err.msg);
  }
}

/* }==================================================================== */

/* {====================================================================
** core.program(description) -> aza.Program | nil, message, code
** ===================================================================== */

static int core_program(lua_State *L) {
  ctx c;
  lbuilder *lb;
  lprogram *lp;
  void *ud;
  aza_alloc_fn alloc = (aza_alloc_fn)lua_getallocf(L, &ud);
  lua_Integer i, n;
  const char *id, *version, *hash;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  memset(&c, 0, sizeof c);
  c.L = L;
  strcpy(c.buf, "top");
  lp = (lprogram *)lua_newuserdatauv(L, sizeof *lp, 0); /* 2: closed */
  memset(lp, 0, sizeof *lp);
  luaL_setmetatable(L, AZA_PROGRAM_T);
  lb = (lbuilder *)lua_newuserdatauv(L, sizeof *lb, 0); /* 3: closed */
  lb->b = NULL;
  luaL_setmetatable(L, AZA_BUILDER_T);
  if (aza_builder_create(alloc, ud, &lb->b, &c.err) != AZA_OK) {
    return azaL_pushfail(L, &c.err);
  }
  c.b = lb->b;
  lua_getfield(L, 1, "id");
  lua_getfield(L, 1, "version");
  lua_getfield(L, 1, "hash");
  id = lua_tostring(L, -3);
  version = lua_tostring(L, -2);
  hash = lua_tostring(L, -1);
  if (aza_builder_meta(c.b, id != NULL ? id : "",
                       version != NULL ? version : "", hash != NULL ? hash : "",
                       &c.err) != AZA_OK) {
    return azaL_pushfail(L, &c.err);
  }
  lua_settop(L, 3);
  /* slots: {type = "num"|..., name = "wbc"} */
  if (lua_getfield(L, 1, "slots") == LUA_TTABLE) {
    n = luaL_len(L, 4);
    for (i = 1; i <= n; i++) {
      uint32_t name, idx;
      int type;
      snprintf(c.buf, sizeof c.buf, "slots[%lld]", (long long)i);
      if (lua_rawgeti(L, 4, i) != LUA_TTABLE) {
        bad(&c, "slot table expected");
      }
      lua_getfield(L, 5, "type");
      type = option(&c, -1, aza_fact_type_name, AZA_FACT_TYPE_COUNT);
      name = field_string(&c, 5, "name");
      if (name == AZA_NONE) {
        bad(&c, "slot name missing");
      }
      if (aza_builder_slot(c.b, (aza_fact_type)type, name, &idx, &c.err) !=
          AZA_OK) {
        bad(&c, c.err.msg);
      }
      lua_settop(L, 4);
    }
  }
  lua_settop(L, 3);
  /* required: {slot, ...} */
  if (lua_getfield(L, 1, "required") == LUA_TTABLE) {
    n = luaL_len(L, 4);
    for (i = 1; i <= n; i++) {
      snprintf(c.buf, sizeof c.buf, "required[%lld]", (long long)i);
      lua_rawgeti(L, 4, i);
      if (aza_builder_require(c.b, to_index(&c, 5), &c.err) != AZA_OK) {
        bad(&c, c.err.msg);
      }
      lua_settop(L, 4);
    }
  }
  lua_settop(L, 3);
  if (lua_getfield(L, 1, "rules") == LUA_TTABLE) {
    n = luaL_len(L, 4);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, 4, i);
      read_rule(&c, i);
      lua_settop(L, 4);
    }
  }
  lua_settop(L, 3);
  if (aza_builder_finish(c.b, &lp->p, &c.err) != AZA_OK ||
      aza_facts_create(lp->p, alloc, ud, &lp->f, &c.err) != AZA_OK ||
      aza_eval_arena_create(lp->p, alloc, ud, &lp->a, &c.err) != AZA_OK) {
    return azaL_pushfail(L, &c.err); /* lp and lb free what they hold */
  }
  aza_builder_destroy(lb->b);
  lb->b = NULL;
  lua_settop(L, 2);
  return 1;
}

/* }==================================================================== */

/* {====================================================================
** program:evaluate(values, as_of) -> result | nil, message, code
** values[slot] (1-based) as laza_facts.h describes; as_of: a day
** number or nil.
** ===================================================================== */

static int program_evaluate(lua_State *L) {
  lprogram *lp = check_program(L);
  aza_eval_result r;
  aza_err err;
  uint32_t i;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 3);
  if (azaL_fill_facts(L, lp->p, lp->f, &err) != AZA_OK ||
      aza_eval_run(lp->p, lp->f, lp->a, &r, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_createtable(L, 0, 5);
  lua_pushstring(L, aza_decision_name(r.decision));
  lua_setfield(L, -2, "decision");
  if (r.decision_rule != AZA_NONE) {
    lua_pushinteger(L, (lua_Integer)r.decision_rule + 1);
    lua_setfield(L, -2, "decision_rule");
  }
  lua_createtable(L, (int)r.nrules, 0);
  for (i = 0; i < r.nrules; i++) {
    lua_pushstring(L,
                   aza_truth_name(r.outcome[i] <= AZA_UNKNOWN ? r.outcome[i]
                                                              : AZA_UNKNOWN));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "outcomes");
  lua_createtable(L, (int)r.nfired, 0);
  for (i = 0; i < r.nfired; i++) {
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)r.fired[i].rule + 1);
    lua_setfield(L, -2, "rule");
    lua_pushinteger(L, (lua_Integer)r.fired[i].action + 1);
    lua_setfield(L, -2, "action");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "fired");
  lua_createtable(L, (int)r.nneed, 0);
  for (i = 0; i < r.nneed; i++) {
    size_t len;
    const char *s = aza_program_string(lp->p, r.need[i], &len);
    lua_pushlstring(L, s, len);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "need_data");
  return 1;
}

/* }==================================================================== */

/* {====================================================================
** Introspection
** ===================================================================== */

/* program:info() -> {id, version, hash, rules, slots, strings, stack_max} */
static int program_info(lua_State *L) {
  lprogram *lp = check_program(L);
  aza_program_info pi;
  aza_program_info_get(lp->p, &pi);
  lua_createtable(L, 0, 7);
  lua_pushstring(L, pi.id);
  lua_setfield(L, -2, "id");
  lua_pushstring(L, pi.version);
  lua_setfield(L, -2, "version");
  lua_pushstring(L, pi.hash);
  lua_setfield(L, -2, "hash");
  lua_pushinteger(L, pi.nrules);
  lua_setfield(L, -2, "rules");
  lua_pushinteger(L, pi.nslots);
  lua_setfield(L, -2, "slots");
  lua_pushinteger(L, pi.nstrings);
  lua_setfield(L, -2, "strings");
  lua_pushinteger(L, pi.stack_max);
  lua_setfield(L, -2, "stack_max");
  return 1;
}

/* program:rule(i) -> {id, cite, require, slots = {slot, ...}} | nil */
static int program_rule(lua_State *L) {
  lprogram *lp = check_program(L);
  lua_Integer i = luaL_checkinteger(L, 2);
  aza_rule_info ri;
  uint32_t k;
  if (i < 1 || i > 0x7fffffff ||
      aza_program_rule(lp->p, (uint32_t)(i - 1), &ri) != AZA_OK) {
    luaL_pushfail(L);
    return 1;
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, aza_program_string(lp->p, ri.id, NULL));
  lua_setfield(L, -2, "id");
  if (ri.cite != AZA_NONE) {
    lua_pushstring(L, aza_program_string(lp->p, ri.cite, NULL));
    lua_setfield(L, -2, "cite");
  }
  lua_pushboolean(L, (ri.flags & AZA_RULE_REQUIRE) != 0);
  lua_setfield(L, -2, "require");
  lua_createtable(L, (int)ri.nslots, 0);
  for (k = 0; k < ri.nslots; k++) {
    lua_pushinteger(L, (lua_Integer)ri.slots[k] + 1);
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  lua_setfield(L, -2, "slots");
  return 1;
}

static int program_tostring(lua_State *L) {
  lprogram *lp = (lprogram *)luaL_checkudata(L, 1, AZA_PROGRAM_T);
  if (lp->p == NULL) {
    lua_pushliteral(L, "aza.Program (closed)");
  } else {
    aza_program_info pi;
    aza_program_info_get(lp->p, &pi);
    lua_pushfstring(L, "aza.Program: %s %s (%d rules)", pi.id, pi.version,
                    (int)pi.nrules);
  }
  return 1;
}

/* }==================================================================== */

static const luaL_Reg program_meta[] = {{"__index", NULL},
                                        {"__gc", program_close},
                                        {"__close", program_close},
                                        {"__tostring", program_tostring},
                                        {NULL, NULL}};

static const luaL_Reg program_methods[] = {{"evaluate", program_evaluate},
                                           {"info", program_info},
                                           {"rule", program_rule},
                                           {"close", program_close},
                                           {NULL, NULL}};

static const luaL_Reg builder_meta[] = {
    {"__gc", builder_close}, {"__close", builder_close}, {NULL, NULL}};

static const luaL_Reg eval_funcs[] = {{"program", core_program}, {NULL, NULL}};

void azaL_open_eval(lua_State *L) {
  if (luaL_newmetatable(L, AZA_PROGRAM_T)) {
    luaL_setfuncs(L, program_meta, 0);
    luaL_newlib(L, program_methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, AZA_BUILDER_T)) {
    luaL_setfuncs(L, builder_meta, 0);
  }
  lua_pop(L, 1);
  luaL_setfuncs(L, eval_funcs, 0);
}
