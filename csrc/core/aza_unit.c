/*
** aza_unit.c
** UCUM units: dimension and factor by recursive resolution of the unit
** table, special-unit functions and the exact factor ratio of two units.
** The text side: aza_parse.c (parser, aliases, numbers) and aza_unit_text.c
** (building from terms, formatting, dimensions); conversion: aza_convert.c.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aza_unit_int.h"

/* {====================================================================
** Small helpers
** ===================================================================== */

/* 10^n, exact for |n| <= 22 */
static double pow10i(int n) {
  static const double tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (n >= 0 && n <= 22) {
    return tab[n];
  }
  return pow(10.0, (double)n);
}

/* m * 10^p10 with one rounding where possible */
static double scale10(double m, int p10) {
  while (p10 > 22) {
    m *= 1e22;
    p10 -= 22;
  }
  while (p10 < -22) {
    m /= 1e22;
    p10 += 22;
  }
  return p10 >= 0 ? m * pow10i(p10) : m / pow10i(-p10);
}

/* integer power by repeated multiplication (exact for small cases) */
double azai_powi(double x, int n) {
  double r = 1.0;
  int neg = n < 0;
  unsigned u = (unsigned)(neg ? -n : n);
  while (u) {
    if (u & 1u) {
      r *= x;
    }
    x *= x;
    u >>= 1;
  }
  return neg ? 1.0 / r : r;
}

static int is_digit(int c) {
  return c >= '0' && c <= '9';
}

/* FNV-1a of an annotation text; never 0 */
static uint32_t ann_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 16777619u;
  }
  return h ? h : 1u;
}

/* }==================================================================== */

/* {====================================================================
** Resolution: dimension and factor of atoms (recursively through their
** definitions) and of term lists. No caches: the table is the truth.
** ===================================================================== */

typedef struct res {
  int e[AZA_NDIM];
  int mm;     /* mass/mass pairs */
  double num; /* factor = num / den * 10^p10, exact integers */
  double den; /* as long as they fit a double's mantissa */
  int p10;
  int arb;  /* root arbitrary atom (atoms), -1 for none */
  int narb; /* distinct arbitrary roots (expressions) */
  int arb_atom[AZA_TERMS_MAX];
  int arb_exp[AZA_TERMS_MAX];
  int specials;   /* special atoms met (terms, or definitions) */
  int fn;         /* special function of a special atom */
  uint32_t annot; /* annotation hash (expressions) */
} res;

static aza_status expr_resolve(const aza_unit *u, double snum, double sden,
                               int depth, res *r, aza_err *err);

/*
** A decimal literal as an integer mantissa and a power of ten when it has
** at most 15 significant digits ("64.79891" is 6479891e-5), so products
** of table values stay exact; else its nearest double.
*/
static void dec_split(const char *s, double *m, int *p10) {
  double v = 0;
  int e = 0, nd = 0, frac = 0;
  const char *q = s;
  for (; *q != '\0' && *q != 'e' && *q != 'E'; q++) {
    if (*q == '.') {
      frac = 1;
    } else if (is_digit((unsigned char)*q)) {
      if (nd > 0 || *q != '0') {
        nd++;
      }
      v = v * 10 + (*q - '0');
      e -= frac;
    }
  }
  if (*q == 'e' || *q == 'E') {
    e += atoi(q + 1);
  }
  if (nd > 15) {
    azai_num_scan(s, strlen(s), m);
    *p10 = 0;
    return;
  }
  while (v != 0 && fmod(v, 10.0) == 0) {
    v /= 10;
    e++;
  }
  *m = v;
  *p10 = e;
}

/* num / den * 10^p10 with as few roundings as possible */
static double finish(double num, double den, int p10) {
  const double lim = 9007199254740992.0; /* 2^53 */
  if (p10 > 0 && p10 <= 22 && num == floor(num) &&
      fabs(num) * pow10i(p10) <= lim) {
    num *= pow10i(p10);
    p10 = 0;
  } else if (p10 < 0 && p10 >= -22 && den == floor(den) &&
             den * pow10i(-p10) <= lim) {
    den *= pow10i(-p10);
    p10 = 0;
  }
  return scale10(num / den, p10);
}

static aza_status atom_resolve(int idx, int depth, res *r, aza_err *err) {
  const azai_atom *a = azai_atom_at((size_t)idx);
  aza_unit def;
  aza_status st;
  int k;
  double snum, sden, m;
  memset(r, 0, sizeof *r);
  r->num = r->den = 1.0;
  r->arb = -1;
  if (a == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no atom %d in the unit table", idx);
  }
  if (a->flags & AZAI_BASE) {
    r->e[(int)a->dim] = 1;
    return AZA_OK;
  }
  if (depth >= AZA_DEPTH_MAX) {
    return aza_err_set(err, AZA_ETOOBIG, 0,
                       "definition of '%s' nested too deep", a->code);
  }
  st = azai_parse_terms(a->def_unit, strlen(a->def_unit), 0, &def, &snum, &sden,
                        err);
  if (st == AZA_OK) {
    st = expr_resolve(&def, snum, sden, depth + 1, r, err);
  }
  if (st != AZA_OK) {
    return aza_err_set(err, st, 0, "bad definition of '%s' in the unit table",
                       a->code);
  }
  dec_split(a->def_text, &m, &k);
  r->num *= m;
  r->p10 += k;
  r->arb = -1;
  if (r->narb == 1 && r->arb_exp[0] == 1) {
    r->arb = r->arb_atom[0]; /* [IU] is [iU] */
  }
  if (a->flags & AZAI_ARBITRARY) {
    if (r->arb < 0) {
      r->arb = idx;
    }
  }
  r->fn = a->fn;
  if (a->fn != AZAI_FN_NONE) {
    r->specials++;
  }
  return AZA_OK;
}

static aza_status expr_resolve(const aza_unit *u, double snum, double sden,
                               int depth, res *r, aza_err *err) {
  int i, k, pos = 0, neg = 0;
  aza_status st;
  memset(r, 0, sizeof *r);
  r->num = snum;
  r->den = sden;
  r->arb = -1;
  for (i = 0; i < u->nterms; i++) {
    const aza_term *t = &u->terms[i];
    res a;
    int m, j;
    if (t->ann != 0xFF) {
      r->annot +=
          (uint32_t)(int32_t)t->exp * ann_hash(u->annot + t->ann, t->annlen);
    }
    if (t->atom == AZA_ATOM_NONE) {
      continue;
    }
    if ((st = atom_resolve(t->atom, depth, &a, err)) != AZA_OK) {
      return st;
    }
    for (k = 0; k < AZA_NDIM; k++) {
      r->e[k] += a.e[k] * t->exp;
    }
    m = a.e[AZA_DIM_M] * t->exp;
    if (m > 0) {
      pos += m;
    } else {
      neg -= m;
    }
    r->mm += a.mm * (t->exp < 0 ? -t->exp : t->exp);
    if (t->prefix >= 0) {
      const azai_prefix *px = azai_prefix_at((size_t)t->prefix);
      r->p10 += px->p10 * t->exp;
      r->num = ldexp(r->num, px->p2 * t->exp);
    }
    r->p10 += a.p10 * t->exp;
    if (t->exp > 0) {
      r->num *= azai_powi(a.num, t->exp);
      r->den *= azai_powi(a.den, t->exp);
    } else {
      r->num *= azai_powi(a.den, -t->exp);
      r->den *= azai_powi(a.num, -t->exp);
    }
    if (!(fabs(r->num) < 1e150 && r->den < 1e150 && r->den > 1e-150)) {
      r->num = (r->num / r->den); /* exactness is gone anyway */
      r->den = 1.0;
    }
    r->specials += a.specials;
    if (a.arb >= 0) {
      for (j = 0; j < r->narb && r->arb_atom[j] != a.arb; j++) {
      }
      if (j == r->narb) {
        r->arb_atom[j] = a.arb;
        r->arb_exp[j] = 0;
        r->narb++;
      }
      r->arb_exp[j] += t->exp;
    }
  }
  /*
  ** Mass/mass pairs are kept only when they would cancel completely, so
  ** that mg/kg/d (one mass up, one down) is never /d; when mass remains on
  ** one side they cancel, as the product of quantities does: mg/kg/d.kg
  ** and mg/kg/d.[lb_av] are mg/d (mass/time).
  */
  r->mm += pos == neg ? pos : 0;
  /* drop arbitrary units that cancelled */
  for (i = k = 0; i < r->narb; i++) {
    if (r->arb_exp[i] != 0) {
      r->arb_atom[k] = r->arb_atom[i];
      r->arb_exp[k] = r->arb_exp[i];
      k++;
    }
  }
  r->narb = k;
  return AZA_OK;
}

static aza_status atom_factor(int idx, double *f) {
  res r;
  aza_status st = atom_resolve(idx, 0, &r, NULL);
  *f = finish(r.num, r.den, r.p10);
  return st;
}

double azai_atom_factor(int idx) {
  double f = 0;
  if (atom_factor(idx, &f) != AZA_OK) {
    return NAN;
  }
  return f;
}

/* fill the dimension of a resolved expression; ETOOBIG when out of range */
static aza_status res_to_dim(const res *r, aza_dim *d, aza_err *err) {
  int k;
  memset(d, 0, sizeof *d);
  for (k = 0; k < AZA_NDIM; k++) {
    if (r->e[k] > 127 || r->e[k] < -127) {
      return aza_err_set(err, AZA_ETOOBIG, 0, "dimension exponent too large");
    }
    d->e[k] = (int8_t)r->e[k];
  }
  if (r->mm > 127) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "dimension exponent too large");
  }
  d->mm = (int8_t)r->mm;
  if (r->narb == 1) {
    if (r->arb_exp[0] > 127 || r->arb_exp[0] < -127) {
      return aza_err_set(err, AZA_ETOOBIG, 0, "dimension exponent too large");
    }
    d->arb = (uint16_t)r->arb_atom[0];
    d->arb_exp = (int8_t)r->arb_exp[0];
  } else if (r->narb > 1) {
    int i, s = 0;
    for (i = 0; i < r->narb; i++) {
      s += r->arb_exp[i] < 0 ? -r->arb_exp[i] : r->arb_exp[i];
    }
    d->arb = 0xFFFF;
    d->arb_exp = (int8_t)(s > 127 ? 127 : s);
  }
  d->annot = r->annot;
  return AZA_OK;
}

aza_status azai_term_info(const aza_term *t, double *factor, aza_dim *dim) {
  res r;
  aza_status st;
  aza_unit one;
  memset(&one, 0, sizeof one);
  one.scale = 1.0;
  one.nterms = 1;
  one.terms[0] = *t;
  one.terms[0].exp = 1;
  one.terms[0].ann = 0xFF;
  st = expr_resolve(&one, 1.0, 1.0, 0, &r, NULL);
  if (st == AZA_OK) {
    st = res_to_dim(&r, dim, NULL);
  }
  *factor = finish(r.num, r.den, r.p10);
  return st;
}

aza_status azai_term_ratio(const aza_term *t, const aza_term *x, double *num,
                           double *den) {
  aza_unit one;
  res a, b;
  aza_status st;
  const double lim = 9007199254740992.0; /* 2^53 */
  double n, d;
  int p;
  memset(&one, 0, sizeof one);
  one.scale = 1.0;
  one.nterms = 1;
  one.terms[0] = *t;
  one.terms[0].exp = 1;
  one.terms[0].ann = 0xFF;
  if ((st = expr_resolve(&one, 1.0, 1.0, 0, &a, NULL)) != AZA_OK) {
    return st;
  }
  one.terms[0] = *x;
  one.terms[0].exp = 1;
  one.terms[0].ann = 0xFF;
  if ((st = expr_resolve(&one, 1.0, 1.0, 0, &b, NULL)) != AZA_OK) {
    return st;
  }
  n = a.num * b.den;
  d = a.den * b.num;
  p = a.p10 - b.p10;
  if (!isfinite(n) || !isfinite(d) || n == 0 || d == 0) {
    n = scale10((a.num / b.num) * (b.den / a.den), p);
    d = 1;
  } else if (p > 0 && p <= 22 && n == floor(n) && fabs(n) * pow10i(p) <= lim) {
    n *= pow10i(p);
  } else if (p < 0 && p >= -22 && d == floor(d) && d * pow10i(-p) <= lim) {
    d *= pow10i(-p);
  } else {
    n = scale10(n, p);
  }
  *num = n;
  *den = d;
  return AZA_OK;
}

/* special unit alone: one term, special atom, exponent 1, no number */
aza_status azai_unit_finish(aza_unit *u, aza_err *err) {
  res r;
  aza_status st = expr_resolve(u, u->scale, 1.0, 0, &r, err);
  int i, nreal = 0;
  if (st != AZA_OK || (st = res_to_dim(&r, &u->dim, err)) != AZA_OK) {
    return st;
  }
  u->factor = finish(r.num, r.den, r.p10);
  if (!isfinite(u->factor) || u->factor == 0) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "unit factor out of range");
  }
  u->exact = r.p10 >= INT16_MIN && r.p10 <= INT16_MAX;
  u->xnum = r.num;
  u->xden = r.den;
  u->xp10 = (int16_t)(u->exact ? r.p10 : 0);
  u->kind = AZA_UNIT_RATIO;
  u->special = 0;
  u->has_special = 0;
  for (i = 0; i < u->nterms; i++) {
    if (u->terms[i].atom != AZA_ATOM_NONE) {
      nreal++;
    }
  }
  if (r.specials > 0) {
    const aza_term *t = NULL;
    for (i = 0; i < u->nterms; i++) {
      if (u->terms[i].atom != AZA_ATOM_NONE) {
        t = &u->terms[i];
      }
    }
    if (nreal == 1 && t->exp == 1 && u->scale == 1.0 &&
        azai_atom_at(t->atom)->fn != AZAI_FN_NONE) {
      /* alone: factor is that of the function's reference unit */
      res a;
      if ((st = atom_resolve(t->atom, 0, &a, err)) != AZA_OK) {
        return st;
      }
      u->kind = AZA_UNIT_SPECIAL;
      u->special = (uint8_t)a.fn;
      u->factor = finish(a.num, a.den, a.p10);
    } else {
      u->has_special = 1;
    }
  }
  return AZA_OK;
}

int azai_unit_is_special(const aza_unit *u) {
  return u->kind == AZA_UNIT_SPECIAL || u->has_special;
}

/* }==================================================================== */

/* {====================================================================
** Conversion
** ===================================================================== */

/* {--------------------------------------------------------------------
** Temperatures: Cel, [degF] and [degRe] convert among themselves through
** Celsius, so 100.4 [degF] is 38 Cel without a detour through 311.15 K.
** --------------------------------------------------------------------- */

int azai_is_temp(const aza_unit *u) {
  return u->kind == AZA_UNIT_SPECIAL &&
         (u->special == AZAI_FN_CEL || u->special == AZAI_FN_DEGF ||
          u->special == AZAI_FN_DEGRE);
}

/* the special atom's term, its prefix value and its reference num/den */
static void special_ref(const aza_unit *u, double *pv, double *num,
                        double *den) {
  int i;
  *pv = 1.0;
  *num = *den = 1.0;
  for (i = 0; i < u->nterms; i++) {
    const aza_term *t = &u->terms[i];
    res a;
    if (t->atom == AZA_ATOM_NONE) {
      continue;
    }
    if (t->prefix >= 0) {
      *pv = azai_prefix_at((size_t)t->prefix)->value;
    }
    if (atom_resolve(t->atom, 0, &a, NULL) == AZA_OK) {
      *num = scale10(a.num, a.p10);
      *den = a.den;
    }
  }
}

double azai_to_celsius(const aza_unit *u, double v) {
  double pv, num, den;
  special_ref(u, &pv, &num, &den);
  v *= pv;
  if (u->special == AZAI_FN_DEGF) {
    return (v - 32) * num / den;
  }
  return v * num / den; /* Cel (1 K), [degRe] (5 K/4) */
}

double azai_from_celsius(const aza_unit *u, double c) {
  double pv, num, den, v;
  special_ref(u, &pv, &num, &den);
  v = c * den / num;
  if (u->special == AZAI_FN_DEGF) {
    v += 32;
  }
  return v / pv;
}

/* }-------------------------------------------------------------------- */

/* canonical value of v in the special unit u alone */
double azai_special_in(const aza_unit *u, double v) {
  double pv, num, den, ref = u->factor;
  if (azai_is_temp(u)) {
    return azai_to_celsius(u, v) + 273.15;
  }
  special_ref(u, &pv, &num, &den);
  v *= pv;
  switch (u->special) {
  case AZAI_FN_PH:
  case AZAI_FN_HPX:
    return ref * pow(10.0, -v);
  case AZAI_FN_LN:
    return ref * exp(v);
  case AZAI_FN_LG:
    return ref * pow(10.0, v);
  case AZAI_FN_LG2:
    return ref * pow(10.0, v / 2);
  case AZAI_FN_TAN100:
    return ref * atan(v / 100);
  case AZAI_FN_HPC:
    return ref * pow(100.0, -v);
  case AZAI_FN_HPM:
    return ref * pow(1000.0, -v);
  case AZAI_FN_HPQ:
    return ref * pow(50000.0, -v);
  case AZAI_FN_LD:
    return ref * pow(2.0, v);
  case AZAI_FN_SQRT:
    return ref * v * v;
  default:
    return NAN;
  }
}

/* value in the special unit u alone of canonical value c */
double azai_special_out(const aza_unit *u, double c) {
  double pv, num, den, x = c / u->factor, v;
  if (azai_is_temp(u)) {
    return azai_from_celsius(u, c - 273.15);
  }
  special_ref(u, &pv, &num, &den);
  switch (u->special) {
  case AZAI_FN_PH:
  case AZAI_FN_HPX:
    v = -log10(x);
    break;
  case AZAI_FN_LN:
    v = log(x);
    break;
  case AZAI_FN_LG:
    v = log10(x);
    break;
  case AZAI_FN_LG2:
    v = 2 * log10(x);
    break;
  case AZAI_FN_TAN100:
    v = 100 * tan(x);
    break;
  case AZAI_FN_HPC:
    v = -log(x) / log(100.0);
    break;
  case AZAI_FN_HPM:
    v = -log(x) / log(1000.0);
    break;
  case AZAI_FN_HPQ:
    v = -log(x) / log(50000.0);
    break;
  case AZAI_FN_LD:
    v = log2(x);
    break;
  case AZAI_FN_SQRT:
    v = x >= 0 ? sqrt(x) : NAN;
    break;
  default:
    v = NAN;
  }
  return v / pv;
}

/*
** factor(a) / factor(b) of two resolved expressions, exact where the
** integer parts allow; `fallback` when the parts overflow
*/
static double exact_ratio(const res *a, const res *b, double fallback) {
  double n = a->num * b->den, d = a->den * b->num, r;
  if (isfinite(n) && isfinite(d) && n != 0 && d != 0) {
    r = finish(n, d, a->p10 - b->p10);
  } else {
    r = scale10((a->num / b->num) * (b->den / a->den), a->p10 - b->p10);
  }
  return isfinite(r) && r != 0 ? r : fallback;
}

/* factor of `from` over factor of `to`, from their exact parts */
double azai_unit_ratio(const aza_unit *from, const aza_unit *to) {
  res a, b;
  if (from->exact && to->exact) {
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.num = from->xnum;
    a.den = from->xden;
    a.p10 = from->xp10;
    b.num = to->xnum;
    b.den = to->xden;
    b.p10 = to->xp10;
    return exact_ratio(&a, &b, from->factor / to->factor);
  }
  if (expr_resolve(from, from->scale, 1.0, 0, &a, NULL) != AZA_OK ||
      expr_resolve(to, to->scale, 1.0, 0, &b, NULL) != AZA_OK) {
    return from->factor / to->factor;
  }
  return exact_ratio(&a, &b, from->factor / to->factor);
}

/* the arbitrary atoms of u with their exponents, to compare mixed units */
static int arb_list(const aza_unit *u, int *atoms, int *exps) {
  res r;
  int i;
  if (expr_resolve(u, u->scale, 1.0, 0, &r, NULL) != AZA_OK) {
    return -1;
  }
  for (i = 0; i < r.narb; i++) {
    atoms[i] = r.arb_atom[i];
    exps[i] = r.arb_exp[i];
  }
  return r.narb;
}

int azai_same_arbitrary(const aza_unit *a, const aza_unit *b) {
  int aa[AZA_TERMS_MAX], ae[AZA_TERMS_MAX], ba[AZA_TERMS_MAX],
      be[AZA_TERMS_MAX];
  int na, nb, i, j;
  if (a->dim.arb != 0xFFFF && b->dim.arb != 0xFFFF) {
    return 1; /* aza_dim_eq decided */
  }
  na = arb_list(a, aa, ae);
  nb = arb_list(b, ba, be);
  if (na != nb || na < 0) {
    return 0;
  }
  for (i = 0; i < na; i++) {
    for (j = 0; j < nb && !(ba[j] == aa[i] && be[j] == ae[i]); j++) {
    }
    if (j == nb) {
      return 0;
    }
  }
  return 1;
}
