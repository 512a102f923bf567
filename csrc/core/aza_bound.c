/*
** aza_bound.c
** Censored numbers in conditions: a value known only as a bound
** ("< 0.5", ">= 90", as laboratories report results beyond their
** measuring range). A comparison is true or false only when every value
** the bound allows gives that answer; otherwise it is unknown. Arithmetic
** keeps a bound when one operand is exact (scaling), and is unknown when
** both are bounds or a bound divides.
*/

#include <math.h>

#include "aza_eval_int.h"

/* the interval a (bounded) value allows */
typedef struct span {
  double lo, hi;
  int lo_open, hi_open;
} span;

static span span_of(double v, unsigned bound) {
  span s;
  s.lo = -HUGE_VAL;
  s.hi = HUGE_VAL;
  s.lo_open = s.hi_open = 0;
  switch (bound) {
  case AZAI_BOUND_LT:
    s.hi = v;
    s.hi_open = 1;
    break;
  case AZAI_BOUND_LE:
    s.hi = v;
    break;
  case AZAI_BOUND_GT:
    s.lo = v;
    s.lo_open = 1;
    break;
  case AZAI_BOUND_GE:
    s.lo = v;
    break;
  default:
    s.lo = s.hi = v;
    break;
  }
  return s;
}

/* every value of s below c / at most c / above c / at least c */
static int all_lt(span s, double c) {
  return s.hi < c || (s.hi == c && s.hi_open);
}
static int all_le(span s, double c) {
  return s.hi <= c;
}
static int all_gt(span s, double c) {
  return s.lo > c || (s.lo == c && s.lo_open);
}
static int all_ge(span s, double c) {
  return s.lo >= c;
}

/* the operator seen from the other side: a < b is b > a */
static unsigned mirror_op(unsigned op) {
  switch (op) {
  case AZA_LT:
    return AZA_GT;
  case AZA_LE:
    return AZA_GE;
  case AZA_GT:
    return AZA_LT;
  case AZA_GE:
    return AZA_LE;
  default:
    return op;
  }
}

/* the bound of -x (or of x / k, x * k for k < 0): the bound's operator
   mirrored (AZAI_BOUND_* is 1 + the aza_cmp_op of the bound) */
static unsigned mirror_bound(unsigned bound) {
  return bound == AZAI_BOUND_EXACT ? bound : 1u + mirror_op(bound - 1u);
}

uint8_t azai_bound_cmp(unsigned op, double x, unsigned xb, double y,
                       unsigned yb) {
  span s;
  int t = 0, f = 0;
  if (xb != AZAI_BOUND_EXACT && yb != AZAI_BOUND_EXACT) {
    return AZA_UNKNOWN;
  }
  if (xb == AZAI_BOUND_EXACT) { /* the bound on the left: y op' x */
    double v = x;
    x = y;
    y = v;
    xb = yb;
    op = mirror_op(op);
  }
  s = span_of(x, xb);
  switch (op) {
  case AZA_LT:
    t = all_lt(s, y);
    f = all_ge(s, y);
    break;
  case AZA_LE:
    t = all_le(s, y);
    f = all_gt(s, y);
    break;
  case AZA_GT:
    t = all_gt(s, y);
    f = all_le(s, y);
    break;
  case AZA_GE:
    t = all_ge(s, y);
    f = all_lt(s, y);
    break;
  case AZA_EQ:
    f = all_lt(s, y) || all_gt(s, y);
    break;
  default: /* NE */
    t = all_lt(s, y) || all_gt(s, y);
    break;
  }
  return t ? AZA_TRUE : (f ? AZA_FALSE : AZA_UNKNOWN);
}

int azai_bound_arith(int divide, double x, unsigned xb, double y, unsigned yb,
                     double *out, unsigned *outb) {
  double v;
  unsigned b;
  if (xb != AZAI_BOUND_EXACT && yb != AZAI_BOUND_EXACT) {
    return 0;
  }
  if (divide) {
    if (yb != AZAI_BOUND_EXACT || y == 0) {
      return 0; /* k / bound: the reciprocal of an open range is not kept */
    }
    v = x / y;
    b = y < 0 ? mirror_bound(xb) : xb;
  } else {
    double k = xb == AZAI_BOUND_EXACT ? x : y;
    b = xb == AZAI_BOUND_EXACT ? yb : xb;
    v = x * y;
    if (k == 0) {
      b = AZAI_BOUND_EXACT; /* 0 times anything finite */
    } else if (k < 0) {
      b = mirror_bound(b);
    }
  }
  if (!isfinite(v)) {
    return 0;
  }
  *out = v;
  *outb = b;
  return 1;
}
