/*
** laza_qty.c
** The aza.Quantity userdata (an aza_qty copied in by value: no __gc, no
** heap, so raising is always safe) and the unit functions of aza.core:
** quantity(), is_quantity(), units_parse(), units_convert().
**
** Error lanes (style.md 7.3): wrong Lua types raise through luaL_*;
** operators raise "aza: <message> (E_CODE)"; named operations (to,
** value_in, quantity, units_parse, units_convert) return nil, msg, code.
*/
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "laza_aux.h"

#include "aza_ucache.h"

#define checkqty(L, i) ((const aza_qty *)luaL_checkudata(L, i, AZA_QTY_T))

/* room for any unit text, number or dimension the core formats */
#define TEXTSZ (AZA_EXPR_MAX + 64)

/* {====================================================================
** Helpers
** ===================================================================== */

/*
** A unit or quantity text argument: a Lua string without embedded zeros.
** Wrong Lua types raise (API misuse); a zero byte is an input error.
*/
static aza_status text_arg(lua_State *L, int idx, const char **text,
                           aza_err *err) {
  size_t len;
  *text = luaL_checklstring(L, idx, &len);
  if (strlen(*text) != len) {
    size_t pos = strlen(*text) + 1;
    return aza_err_set(err, AZA_ESYNTAX, pos, "embedded zero byte at %zu", pos);
  }
  return AZA_OK;
}

/*
** The state's cache of parsed units (aza_ucache.h): a userdata in the
** registry, made by azaL_open_qty; plain data, no __gc needed.
*/
#define UCACHE_KEY "aza.ucache"

static aza_ucache *unit_cache(lua_State *L) {
  aza_ucache *c;
  lua_getfield(L, LUA_REGISTRYINDEX, UCACHE_KEY);
  c = (aza_ucache *)lua_touserdata(L, -1);
  lua_pop(L, 1); /* the registry keeps it alive */
  return c;
}

static aza_status unit_arg(lua_State *L, int idx, aza_unit *u, int *aliased,
                           aza_err *err) {
  const char *text;
  aza_status st = text_arg(L, idx, &text, err);
  if (st != AZA_OK) {
    return st;
  }
  return aza_ucache_parse(unit_cache(L), text, u, aliased, err);
}

/* push a string that a core formatter wrote into a TEXTSZ buffer */
static void push_formatted(lua_State *L, const char *buf, size_t needed) {
  lua_pushlstring(L, buf, needed < TEXTSZ ? needed : TEXTSZ - 1);
}

static void push_unit_text(lua_State *L, const aza_unit *u) {
  char buf[TEXTSZ];
  push_formatted(L, buf, aza_unit_format(u, buf, sizeof buf));
}

static void push_dim_text(lua_State *L, const aza_dim *d) {
  char buf[TEXTSZ];
  push_formatted(L, buf, aza_dim_format(d, buf, sizeof buf));
}

/*
** Shortest "%.17g"-style text of x that reads back as x, with '.' as the
** decimal point whatever the C locale of the host.
*/
static void format_number(double x, char *buf, size_t size) {
  int prec;
  char dp = lua_getlocaledecpoint();
  for (prec = 15; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) {
      break;
    }
  }
  if (dp != '.') {
    char *p = strchr(buf, dp);
    if (p != NULL) {
      *p = '.';
    }
  }
}

/* {--------------------------------------------------------------------
** Canonical text: the unit's factor and its base units, such as
** "1.1574074074074074e-11 g/(g.s)" for mg/kg/d. Mass/mass pairs are kept
** (g/g); an arbitrary unit appears by its code; annotations are omitted
** (units_parse lists them separately).
** --------------------------------------------------------------------- */

/* base units in the order they are written: mass first ("g/(g.s)") */
static const struct {
  int dim;
  const char *code;
} base_units[AZA_NDIM] = {
    {AZA_DIM_M, "g"}, {AZA_DIM_L, "m"}, {AZA_DIM_T, "s"},  {AZA_DIM_A, "rad"},
    {AZA_DIM_K, "K"}, {AZA_DIM_Q, "C"}, {AZA_DIM_F, "cd"}, {AZA_DIM_N, "mol"}};

typedef struct textbuf {
  char s[TEXTSZ];
  size_t n;
} textbuf;

static void tb_add(textbuf *b, const char *s) {
  size_t len = strlen(s);
  if (b->n + len < sizeof b->s) {
    memcpy(b->s + b->n, s, len + 1);
    b->n += len;
  }
}

/* append "code" or "code<e>" to one side, with '.' between terms */
static void side_add(textbuf *side, int *count, const char *code, int e) {
  char exp[16];
  if (e <= 0) {
    return;
  }
  if ((*count)++ > 0) {
    tb_add(side, ".");
  }
  tb_add(side, code);
  if (e != 1) {
    snprintf(exp, sizeof exp, "%d", e);
    tb_add(side, exp);
  }
}

static void canonical_units(const aza_dim *d, textbuf *out) {
  textbuf num = {{0}, 0}, den = {{0}, 0};
  int nn = 0, nd = 0, i;
  for (i = 0; i < AZA_NDIM; i++) {
    int e = d->e[base_units[i].dim];
    int pos = e > 0 ? e : 0, neg = e < 0 ? -e : 0;
    if (base_units[i].dim == AZA_DIM_M) {
      pos += d->mm;
      neg += d->mm;
    }
    side_add(&num, &nn, base_units[i].code, pos);
    side_add(&den, &nd, base_units[i].code, neg);
  }
  if (d->arb_exp != 0) {
    aza_atom_info info;
    const char *code = "{arbitrary}";
    if (d->arb != 0xFFFF && aza_atom_get(d->arb, &info) == AZA_OK) {
      code = info.code;
    }
    side_add(&num, &nn, code, d->arb_exp);
    side_add(&den, &nd, code, -d->arb_exp);
  }
  out->n = 0;
  out->s[0] = '\0';
  tb_add(out, nn > 0 ? num.s : (nd > 0 ? "" : "1"));
  if (nd > 0) {
    tb_add(out, "/");
    tb_add(out, nd > 1 ? "(" : "");
    tb_add(out, den.s);
    tb_add(out, nd > 1 ? ")" : "");
  }
}

/* }-------------------------------------------------------------------- */

/* }==================================================================== */

/* {====================================================================
** Operators: raise on failure
** ===================================================================== */

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

static const char *const op_verb[] = {"add", "subtract", "multiply", "divide"};

/* an operand of +, -, <, <=: a Quantity or a quantity text, never a number */
static void operand(lua_State *L, int idx, const char *verb, aza_qty *out) {
  aza_err err;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    aza_err_set(&err, AZA_EARG, 0,
                "cannot %s a plain number and a quantity: give the "
                "number a unit",
                verb);
    azaL_raise(L, &err);
  }
  if (azaL_toqty(L, idx, out, &err) != AZA_OK) {
    azaL_raise(L, &err);
  }
}

/* an operand of * and /: a number becomes a dimensionless quantity */
static void factor_operand(lua_State *L, int idx, aza_qty *out) {
  aza_err err;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    if (aza_qty_make(lua_tonumber(L, idx), "1", out, &err) != AZA_OK) {
      azaL_raise(L, &err);
    }
    return;
  }
  operand(L, idx, "multiply", out);
}

static int arith(lua_State *L, int op) {
  aza_qty a, b, r;
  aza_err err;
  aza_status st;
  if (op == OP_MUL || op == OP_DIV) {
    /* scaling by a plain number keeps the unit exactly as it is */
    if (op == OP_MUL && lua_type(L, 1) == LUA_TNUMBER) {
      operand(L, 2, op_verb[op], &a);
      st = aza_qty_scale(&a, lua_tonumber(L, 1), &r, &err);
    } else if (lua_type(L, 2) == LUA_TNUMBER && lua_type(L, 1) != LUA_TNUMBER) {
      double k = lua_tonumber(L, 2);
      operand(L, 1, op_verb[op], &a);
      if (op == OP_DIV && k == 0) {
        aza_err_set(&err, AZA_EVALUE, 0, "division of a quantity by zero");
        return azaL_raise(L, &err);
      }
      if (op == OP_MUL) {
        st = aza_qty_scale(&a, k, &r, &err);
      } else {
        factor_operand(L, 2, &b);
        st = aza_qty_div(&a, &b, &r, &err);
      }
    } else {
      factor_operand(L, 1, &a);
      factor_operand(L, 2, &b);
      st = op == OP_MUL ? aza_qty_mul(&a, &b, &r, &err)
                        : aza_qty_div(&a, &b, &r, &err);
    }
  } else {
    operand(L, 1, op_verb[op], &a);
    operand(L, 2, op_verb[op], &b);
    st = op == OP_ADD ? aza_qty_add(&a, &b, &r, &err)
                      : aza_qty_sub(&a, &b, &r, &err);
  }
  if (st != AZA_OK) {
    return azaL_raise(L, &err);
  }
  azaL_pushqty(L, &r);
  return 1;
}

static int qty_add(lua_State *L) {
  return arith(L, OP_ADD);
}

static int qty_sub(lua_State *L) {
  return arith(L, OP_SUB);
}

static int qty_mul(lua_State *L) {
  return arith(L, OP_MUL);
}

static int qty_div(lua_State *L) {
  return arith(L, OP_DIV);
}

static int qty_unm(lua_State *L) {
  const aza_qty *q = checkqty(L, 1);
  aza_qty r;
  aza_err err;
  if (aza_qty_scale(q, -1.0, &r, &err) != AZA_OK) {
    return azaL_raise(L, &err);
  }
  azaL_pushqty(L, &r);
  return 1;
}

/* q ^ n with an integer n (2.0 counts as 2; 0.5 is a type error) */
static int qty_pow(lua_State *L) {
  const aza_qty *q = checkqty(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  aza_qty r;
  aza_err err;
  luaL_argcheck(L, n >= INT_MIN && n <= INT_MAX, 2, "exponent out of range");
  if (aza_qty_pow(q, (int)n, &r, &err) != AZA_OK) {
    return azaL_raise(L, &err);
  }
  azaL_pushqty(L, &r);
  return 1;
}

/*
** Exact: same dimension and canonical values exactly equal. Lua calls
** __eq only when both operands are userdata (q == 5 is false without a
** call), so a Quantity never equals a number or a string.
*/
static int qty_eq(lua_State *L) {
  const aza_qty *a = azaL_testqty(L, 1);
  const aza_qty *b = azaL_testqty(L, 2);
  lua_pushboolean(L, a != NULL && b != NULL && aza_qty_eq(a, b));
  return 1;
}

static int compare(lua_State *L, int orequal) {
  aza_qty a, b;
  aza_err err;
  int cmp;
  operand(L, 1, "compare", &a);
  operand(L, 2, "compare", &b);
  if (aza_qty_cmp(&a, &b, &cmp, &err) != AZA_OK) {
    return azaL_raise(L, &err);
  }
  lua_pushboolean(L, orequal ? cmp <= 0 : cmp < 0);
  return 1;
}

static int qty_lt(lua_State *L) {
  return compare(L, 0);
}

static int qty_le(lua_State *L) {
  return compare(L, 1);
}

static int qty_tostring(lua_State *L) {
  const aza_qty *q = checkqty(L, 1);
  char buf[TEXTSZ];
  push_formatted(L, buf, aza_qty_format(q, buf, sizeof buf));
  return 1;
}

/* }==================================================================== */

/* {====================================================================
** Methods
** ===================================================================== */

/* the target unit of to() and value_in(): a unit text or a Quantity */
static aza_status target_unit(lua_State *L, int idx, aza_unit *u,
                              aza_err *err) {
  const aza_qty *q = azaL_testqty(L, idx);
  if (q != NULL) {
    memcpy(u, &q->unit, sizeof *u);
    return AZA_OK;
  }
  return unit_arg(L, idx, u, NULL, err);
}

/* q:to(unit) -> Quantity | nil, msg, code */
static int qty_to(lua_State *L) {
  const aza_qty *q = checkqty(L, 1);
  aza_unit u;
  aza_qty r;
  aza_err err;
  if (target_unit(L, 2, &u, &err) != AZA_OK ||
      aza_qty_to(q, &u, &r, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  azaL_pushqty(L, &r);
  return 1;
}

/* q:value_in(unit) -> number | nil, msg, code */
static int qty_value_in(lua_State *L) {
  const aza_qty *q = checkqty(L, 1);
  aza_unit u;
  aza_qty r;
  aza_err err;
  if (target_unit(L, 2, &u, &err) != AZA_OK ||
      aza_qty_to(q, &u, &r, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_pushnumber(L, r.value);
  return 1;
}

static int qty_value(lua_State *L) {
  lua_pushnumber(L, checkqty(L, 1)->value);
  return 1;
}

static int qty_unit(lua_State *L) {
  push_unit_text(L, &checkqty(L, 1)->unit);
  return 1;
}

static int qty_dimension(lua_State *L) {
  push_dim_text(L, &checkqty(L, 1)->unit.dim);
  return 1;
}

/*
** No base dimension, no mass/mass pair and no arbitrary unit (an
** annotation such as {tbl} does not count): "1", "%", "10*3" are
** dimensionless; "mg/kg" is not (aza keeps mass ratios distinct).
*/
static int qty_is_dimensionless(lua_State *L) {
  const aza_dim *d = &checkqty(L, 1)->unit.dim;
  int i, none = d->mm == 0 && d->arb_exp == 0;
  for (i = 0; i < AZA_NDIM; i++) {
    none = none && d->e[i] == 0;
  }
  lua_pushboolean(L, none);
  return 1;
}

/*
** q:approx(other [, rtol]) -> boolean: other converted to q's unit lies
** within rtol (default 1e-9) of q, relative to the larger magnitude.
** Quantities that do not convert are not approximately equal (false);
** a quantity text that does not parse gives nil, msg, code.
*/
static int qty_approx(lua_State *L) {
  const aza_qty *q = checkqty(L, 1);
  double rtol = luaL_optnumber(L, 3, 1e-9);
  aza_qty other, conv;
  aza_err err;
  double x, y, scale;
  luaL_argcheck(L, rtol >= 0 && rtol < HUGE_VAL, 3, "tolerance out of range");
  if (azaL_testqty(L, 2) == NULL && lua_type(L, 2) != LUA_TSTRING) {
    return luaL_typeerror(L, 2, AZA_QTY_T);
  }
  if (azaL_toqty(L, 2, &other, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  if (aza_qty_to(&other, &q->unit, &conv, &err) != AZA_OK) {
    lua_pushboolean(L, 0);
    return 1;
  }
  x = q->value;
  y = conv.value;
  scale = fabs(x) > fabs(y) ? fabs(x) : fabs(y);
  lua_pushboolean(L, x == y || fabs(x - y) <= rtol * scale);
  return 1;
}

/* }==================================================================== */

/* {====================================================================
** Module functions
** ===================================================================== */

/*
** quantity(text) | quantity(number, unit) | quantity(Quantity)
**   -> Quantity | nil, msg, code
*/
static int core_quantity(lua_State *L) {
  aza_qty q;
  aza_err err;
  aza_status st;
  if (azaL_testqty(L, 1) != NULL) {
    lua_settop(L, 1);
    return 1;
  }
  if (lua_type(L, 1) == LUA_TNUMBER) {
    const char *unit;
    st = text_arg(L, 2, &unit, &err);
    if (st == AZA_OK) {
      st = aza_qty_make(lua_tonumber(L, 1), unit, &q, &err);
    }
  } else if (lua_type(L, 1) == LUA_TSTRING) {
    const char *text;
    st = text_arg(L, 1, &text, &err);
    if (st == AZA_OK) {
      st = aza_qty_parse(text, &q, &err);
    }
  } else {
    return luaL_typeerror(L, 1, "string or number");
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  azaL_pushqty(L, &q);
  return 1;
}

static int core_is_quantity(lua_State *L) {
  lua_pushboolean(L, azaL_testqty(L, 1) != NULL);
  return 1;
}

static void push_annotations(lua_State *L, const aza_unit *u) {
  int i, n = 0;
  lua_createtable(L, u->nterms, 0);
  for (i = 0; i < u->nterms && i < AZA_TERMS_MAX; i++) {
    const aza_term *t = &u->terms[i];
    if (t->ann != 0xFF && (size_t)t->ann + t->annlen <= AZA_ANNOT_MAX) {
      lua_pushlstring(L, u->annot + t->ann, t->annlen);
      lua_rawseti(L, -2, ++n);
    }
  }
}

/*
** units_parse(unit) -> info | nil, msg, code. info fields:
**   ucum       UCUM form (after alias mapping)
**   canonical  "FACTOR BASE-UNITS" (ratio units), such as
**              "1.1574074074074074e-11 g/(g.s)" for mg/kg/d; for special
**              units only the base units ("K" for Cel)
**   dimension  aza_dim_format text ("mass/(mass.time)")
**   factor     number to canonical units; nil for special units
**   aliased    true when a lab spelling was mapped to UCUM
**   special    true for a special unit, alone or inside an expression
**   arbitrary  true when an arbitrary unit ([iU]) is involved
**   annotations list of annotation texts without braces
*/
static int core_units_parse(lua_State *L) {
  aza_unit u;
  aza_err err;
  int aliased = 0;
  int special;
  textbuf units;
  if (unit_arg(L, 1, &u, &aliased, &err) != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  special = u.kind == AZA_UNIT_SPECIAL || u.has_special;
  canonical_units(&u.dim, &units);
  lua_createtable(L, 0, 9);
  push_unit_text(L, &u);
  lua_setfield(L, -2, "ucum");
  if (special) {
    lua_pushstring(L, units.s);
  } else {
    char num[40];
    format_number(u.factor, num, sizeof num);
    lua_pushfstring(L, "%s %s", num, units.s);
    lua_pushnumber(L, u.factor);
    lua_setfield(L, -3, "factor");
  }
  lua_setfield(L, -2, "canonical");
  push_dim_text(L, &u.dim);
  lua_setfield(L, -2, "dimension");
  lua_pushboolean(L, aliased);
  lua_setfield(L, -2, "aliased");
  lua_pushboolean(L, special);
  lua_setfield(L, -2, "special");
  lua_pushboolean(L, u.dim.arb_exp != 0);
  lua_setfield(L, -2, "arbitrary");
  push_annotations(L, &u);
  lua_setfield(L, -2, "annotations");
  return 1;
}

/* units_convert(value, from, to [, substance]) -> number | nil, msg, code */
static int core_units_convert(lua_State *L) {
  double value = luaL_checknumber(L, 1);
  const char *substance = NULL;
  aza_unit from, to;
  aza_err err;
  double out;
  aza_status st;
  if (!lua_isnoneornil(L, 4)) {
    st = text_arg(L, 4, &substance, &err);
    if (st != AZA_OK) {
      return azaL_pushfail(L, &err);
    }
  }
  st = unit_arg(L, 2, &from, NULL, &err);
  if (st == AZA_OK) {
    st = unit_arg(L, 3, &to, NULL, &err);
  }
  if (st == AZA_OK) {
    st = substance != NULL ? aza_unit_convert_substance(value, &from, &to,
                                                        substance, &out, &err)
                           : aza_unit_convert(value, &from, &to, &out, &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_pushnumber(L, out);
  return 1;
}

/*
** units_converter(from, to [, substance]) -> function(value) | nil, msg, code
** The units are parsed (and checked against each other) once; the function
** converts a number with them: number, or nil, msg, code. Its upvalue is a
** plain userdata with both units and the substance's molar mass.
*/
typedef struct converter {
  aza_unit from, to;
  char substance[32];
} converter;

static int converter_call(lua_State *L) {
  const converter *c =
      (const converter *)lua_touserdata(L, lua_upvalueindex(1));
  double value = luaL_checknumber(L, 1), out;
  aza_err err;
  aza_status st = aza_unit_convert_substance(
      value, &c->from, &c->to, c->substance[0] ? c->substance : NULL, &out,
      &err);
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_pushnumber(L, out);
  return 1;
}

static int core_units_converter(lua_State *L) {
  converter *c;
  const char *substance = NULL;
  aza_err err;
  aza_status st;
  double probe;
  luaL_checkstring(L, 1);
  luaL_checkstring(L, 2);
  c = (converter *)lua_newuserdatauv(L, sizeof *c, 0);
  memset(c, 0, sizeof *c);
  if (!lua_isnoneornil(L, 3)) {
    st = text_arg(L, 3, &substance, &err);
    if (st != AZA_OK) {
      return azaL_pushfail(L, &err);
    }
    if (strlen(substance) >= sizeof c->substance) {
      aza_err_set(&err, AZA_ESUBSTANCE, 0, "unknown substance '%.40s'",
                  substance);
      return azaL_pushfail(L, &err);
    }
    strcpy(c->substance, substance);
  }
  st = unit_arg(L, 1, &c->from, NULL, &err);
  if (st == AZA_OK) {
    st = unit_arg(L, 2, &c->to, NULL, &err);
  }
  if (st == AZA_OK) { /* the same errors now as a conversion would give */
    st = aza_unit_convert_substance(1.0, &c->from, &c->to, substance, &probe,
                                    &err);
  }
  if (st != AZA_OK) {
    return azaL_pushfail(L, &err);
  }
  lua_pushcclosure(L, converter_call, 1);
  return 1;
}

/* }==================================================================== */

static const luaL_Reg qty_meta[] = {
    {"__index", NULL}, /* placeholder: the methods table */
    {"__add", qty_add}, {"__sub", qty_sub},
    {"__mul", qty_mul}, {"__div", qty_div},
    {"__unm", qty_unm}, {"__pow", qty_pow},
    {"__eq", qty_eq},   {"__lt", qty_lt},
    {"__le", qty_le},   {"__tostring", qty_tostring},
    {NULL, NULL}};

static const luaL_Reg qty_methods[] = {
    {"to", qty_to},
    {"value_in", qty_value_in},
    {"value", qty_value},
    {"unit", qty_unit},
    {"dimension", qty_dimension},
    {"is_dimensionless", qty_is_dimensionless},
    {"approx", qty_approx},
    {NULL, NULL}};

static const luaL_Reg qty_funcs[] = {{"quantity", core_quantity},
                                     {"is_quantity", core_is_quantity},
                                     {"units_parse", core_units_parse},
                                     {"units_convert", core_units_convert},
                                     {"units_converter", core_units_converter},
                                     {NULL, NULL}};

void azaL_open_qty(lua_State *L) {
  aza_ucache *c = (aza_ucache *)lua_newuserdatauv(L, sizeof *c, 0);
  aza_ucache_init(c);
  lua_setfield(L, LUA_REGISTRYINDEX, UCACHE_KEY);
  if (luaL_newmetatable(L, AZA_QTY_T)) { /* also sets __name */
    luaL_setfuncs(L, qty_meta, 0);
    luaL_newlib(L, qty_methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  luaL_setfuncs(L, qty_funcs, 0);
}
