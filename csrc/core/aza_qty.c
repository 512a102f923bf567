/*
** aza_qty.c
** Quantities: a finite value with a unit. Parsing "70 kg", conversion,
** arithmetic with term merging (2.5 mg/kg/d * 70 kg = 175 mg/d),
** comparison and formatting.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aza_unit_int.h"

/* {====================================================================
** Making and parsing
** ===================================================================== */

aza_status aza_qty_make(double value, const char *unit, aza_qty *out,
                        aza_err *err) {
  aza_status st;
  if (unit == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "unit and result needed");
  }
  if (!isfinite(value)) {
    return aza_err_set(err, AZA_EVALUE, 0, "value is not finite");
  }
  st = aza_unit_parse(unit, &out->unit, NULL, err);
  if (st == AZA_OK) {
    out->value = value;
  }
  return st;
}

aza_status aza_qty_parse(const char *text, aza_qty *out, aza_err *err) {
  size_t n, i = 0, used, ustart;
  double v = 0;
  aza_status st;
  if (text == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantity text and result needed");
  }
  n = strlen(text);
  while (i < n && text[i] == ' ') {
    i++;
  }
  while (n > i && text[n - 1] == ' ') {
    n--;
  }
  used = azai_num_scan(text + i, n - i, &v);
  if (used == 0) {
    return aza_err_set(err, AZA_ESYNTAX, i + 1, "expected a number at %zu",
                       i + 1);
  }
  i += used;
  if (i == n) {
    st = aza_unit_parse("1", &out->unit, NULL, err);
  } else if (text[i] != ' ') {
    return aza_err_set(err, AZA_ESYNTAX, i + 1,
                       "expected a space between the number and the unit "
                       "at %zu",
                       i + 1);
  } else {
    while (i < n && text[i] == ' ') {
      i++;
    }
    ustart = i;
    st = azai_unit_parse(text + ustart, n - ustart, ustart, &out->unit, NULL,
                         err);
  }
  if (st != AZA_OK) {
    return st;
  }
  if (!isfinite(v)) {
    return aza_err_set(err, AZA_EVALUE, 1, "number out of range at 1");
  }
  out->value = v;
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Conversion
** ===================================================================== */

aza_status aza_qty_to(const aza_qty *q, const aza_unit *unit, aza_qty *out,
                      aza_err *err) {
  double v;
  aza_status st;
  if (q == NULL || unit == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantity, unit and result needed");
  }
  st = aza_unit_convert(q->value, &q->unit, unit, &v, err);
  if (st == AZA_OK) {
    if (out != q) {
      out->unit = *unit;
    } else {
      aza_unit copy = *unit;
      out->unit = copy;
    }
    out->value = v;
  }
  return st;
}

aza_status aza_qty_value_in(const aza_qty *q, const char *unit, double *out,
                            aza_err *err) {
  aza_unit u;
  aza_status st;
  if (q == NULL || unit == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantity, unit and result needed");
  }
  st = aza_unit_parse(unit, &u, NULL, err);
  if (st == AZA_OK) {
    st = aza_unit_convert(q->value, &q->unit, &u, out, err);
  }
  return st;
}

/* }==================================================================== */

/* {====================================================================
** Arithmetic
** ===================================================================== */

static aza_status check_args(const aza_qty *a, const aza_qty *b,
                             const aza_qty *out, aza_err *err) {
  if (a == NULL || b == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantities and result needed");
  }
  return AZA_OK;
}

static aza_status affine(const char *verb, const aza_qty *q, aza_err *err) {
  return aza_err_set(err, AZA_EAFFINE, 0,
                     "cannot %s %.60s: special units take no part in "
                     "arithmetic",
                     verb, q->unit.text);
}

static aza_status finite_result(double v, const char *verb, aza_err *err) {
  if (!isfinite(v)) {
    return aza_err_set(err, AZA_EVALUE, 0, "cannot %s: result not finite",
                       verb);
  }
  return AZA_OK;
}

static aza_status addsub(const aza_qty *a, const aza_qty *b, int sign,
                         aza_qty *out, aza_err *err) {
  char what[AZA_MSGSZ];
  const char *verb = sign > 0 ? "add" : "subtract";
  double bv, r;
  aza_status st;
  if ((st = check_args(a, b, out, err)) != AZA_OK) {
    return st;
  }
  if (azai_unit_is_special(&a->unit)) {
    return affine(verb, a, err);
  }
  if (azai_unit_is_special(&b->unit)) {
    return affine(verb, b, err);
  }
  if (sign > 0) {
    snprintf(what, sizeof what, "cannot add %.60s to %.60s", a->unit.text,
             b->unit.text);
  } else {
    snprintf(what, sizeof what, "cannot subtract %.60s from %.60s",
             b->unit.text, a->unit.text);
  }
  if ((st = azai_dims_check(what, &a->unit, &b->unit, err)) != AZA_OK ||
      (st = aza_unit_convert(b->value, &b->unit, &a->unit, &bv, err)) !=
          AZA_OK) {
    return st;
  }
  r = sign > 0 ? a->value + bv : a->value - bv;
  if ((st = finite_result(r, verb, err)) != AZA_OK) {
    return st;
  }
  if (out != a) {
    out->unit = a->unit;
  }
  out->value = r;
  return AZA_OK;
}

aza_status aza_qty_add(const aza_qty *a, const aza_qty *b, aza_qty *out,
                       aza_err *err) {
  return addsub(a, b, 1, out, err);
}

aza_status aza_qty_sub(const aza_qty *a, const aza_qty *b, aza_qty *out,
                       aza_err *err) {
  return addsub(a, b, -1, out, err);
}

/* {--------------------------------------------------------------------
** Term merging
** --------------------------------------------------------------------- */

static int same_ann(const aza_unit *ua, const aza_term *ta, const aza_unit *ub,
                    const aza_term *tb) {
  if (ta->ann == 0xFF || tb->ann == 0xFF) {
    return ta->ann == tb->ann;
  }
  return ta->annlen == tb->annlen &&
         memcmp(ua->annot + ta->ann, ub->annot + tb->ann, ta->annlen) == 0;
}

static void remove_term(aza_unit *u, int i) {
  memmove(&u->terms[i], &u->terms[i + 1],
          (size_t)(u->nterms - i - 1) * sizeof u->terms[0]);
  u->nterms--;
}

/* append term t of unit src (exponent e) to r, copying its annotation */
static aza_status append_term(aza_unit *r, size_t *annused, const aza_unit *src,
                              const aza_term *t, int e, aza_err *err) {
  aza_term *n;
  if (r->nterms >= AZA_TERMS_MAX) {
    return aza_err_set(err, AZA_ETOOBIG, 0,
                       "resulting unit has too many terms (at most %d)",
                       AZA_TERMS_MAX);
  }
  n = &r->terms[r->nterms];
  *n = *t;
  n->exp = (int8_t)e;
  if (t->ann != 0xFF) {
    if (*annused + t->annlen + 1 > AZA_ANNOT_MAX) {
      return aza_err_set(err, AZA_ETOOBIG, 0,
                         "resulting annotations too long (at most %d bytes)",
                         AZA_ANNOT_MAX - 1);
    }
    memcpy(r->annot + *annused, src->annot + t->ann, t->annlen);
    r->annot[*annused + t->annlen] = '\0';
    n->ann = (uint8_t)*annused;
    *annused += (size_t)t->annlen + 1;
  }
  r->nterms++;
  return AZA_OK;
}

static aza_status exp_range(int e, aza_err *err) {
  if (e > 127 || e < -127) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "exponent too large");
  }
  return AZA_OK;
}

/*
** Would r with t^e appended hold mass on some side after one mass/mass
** pair cancels? (70 [lb_av] * mg/kg/d: yes, the pair goes; mg/d / kg:
** no, mg/kg is what the caller asked for.)
*/
static int mass_redundant(const aza_unit *r, const aza_term *t, int e) {
  int i, pos = 0, neg = 0, m;
  double f;
  aza_dim d;
  for (i = 0; i <= r->nterms; i++) {
    const aza_term *x = i < r->nterms ? &r->terms[i] : t;
    int xe = i < r->nterms ? x->exp : e;
    if (x->atom == AZA_ATOM_NONE || azai_term_info(x, &f, &d) != AZA_OK) {
      continue;
    }
    m = d.e[AZA_DIM_M] * xe;
    if (m > 0) {
      pos += m;
    } else {
      neg -= m;
    }
  }
  return pos + neg > 2;
}

/*
** Merge term t (of unit src, exponent e) into r: same atom, prefix and
** annotation add exponents; an atom of the same dimension with the
** opposite sign is converted into r's atom (value scaled) and cancels;
** anything else is appended. Standalone annotations cancel their
** opposite or are appended.
*/
static aza_status merge_term(aza_unit *r, size_t *annused, double *value,
                             const aza_unit *src, const aza_term *t, int e,
                             aza_err *err) {
  int i;
  aza_status st;
  if (t->atom == AZA_ATOM_NONE) {
    for (i = 0; i < r->nterms; i++) {
      const aza_term *x = &r->terms[i];
      if (x->atom == AZA_ATOM_NONE && x->exp == -e && same_ann(r, x, src, t)) {
        remove_term(r, i);
        return AZA_OK;
      }
    }
    return append_term(r, annused, src, t, e, err);
  }
  for (i = 0; i < r->nterms; i++) {
    aza_term *x = &r->terms[i];
    if (x->atom == t->atom && x->prefix == t->prefix &&
        same_ann(r, x, src, t)) {
      int s = x->exp + e;
      if ((st = exp_range(s, err)) != AZA_OK) {
        return st;
      }
      if (s == 0) {
        remove_term(r, i);
      } else {
        x->exp = (int8_t)s;
      }
      return AZA_OK;
    }
  }
  for (i = 0; i < r->nterms; i++) {
    aza_term *x = &r->terms[i];
    double fx, ft, num, den;
    aza_dim dx, dt;
    int s;
    if (x->atom == AZA_ATOM_NONE || (x->exp > 0) == (e > 0) ||
        !same_ann(r, x, src, t)) {
      continue;
    }
    if (azai_term_info(x, &fx, &dx) != AZA_OK ||
        azai_term_info(t, &ft, &dt) != AZA_OK || !aza_dim_eq(&dx, &dt)) {
      continue;
    }
    if (dt.e[AZA_DIM_M] != 0 && !mass_redundant(r, t, e)) {
      break; /* keep the mass/mass pair: mg/d / kg is mg/d/kg */
    }
    if (azai_term_ratio(t, x, &num, &den) != AZA_OK) {
      continue;
    }
    s = x->exp + e;
    /* t^e = (ft/fx)^e * x^e */
    if (e == 1) {
      *value = *value * num / den;
    } else if (e == -1) {
      *value = *value * den / num;
    } else {
      *value *= pow(num / den, (double)e);
    }
    if (s == 0) {
      remove_term(r, i);
    } else {
      x->exp = (int8_t)s;
    }
    return AZA_OK;
  }
  return append_term(r, annused, src, t, e, err);
}

/* copy u's terms (exponents times k) into a fresh unit r */
static aza_status copy_terms(aza_unit *r, size_t *annused, const aza_unit *u,
                             int k, aza_err *err) {
  int i;
  aza_status st;
  memset(r, 0, sizeof *r);
  r->scale = 1.0;
  *annused = 0;
  for (i = 0; i < u->nterms; i++) {
    const aza_term *t = &u->terms[i];
    int e = t->exp * k, rep = 1, j;
    if ((st = exp_range(e, err)) != AZA_OK) {
      return st;
    }
    if (t->atom == AZA_ATOM_NONE) { /* {a}^2 is {a}.{a} */
      rep = e < 0 ? -e : e;
      e = e < 0 ? -1 : 1;
    }
    for (j = 0; j < rep; j++) {
      if ((st = append_term(r, annused, u, t, e, err)) != AZA_OK) {
        return st;
      }
    }
  }
  return AZA_OK;
}

static aza_status muldiv(const aza_qty *a, const aza_qty *b, int sign,
                         aza_qty *out, aza_err *err) {
  const char *verb = sign > 0 ? "multiply" : "divide";
  aza_unit r;
  size_t annused;
  double v;
  int i;
  aza_status st;
  if ((st = check_args(a, b, out, err)) != AZA_OK) {
    return st;
  }
  if (azai_unit_is_special(&a->unit)) {
    return affine(verb, a, err);
  }
  if (azai_unit_is_special(&b->unit)) {
    return affine(verb, b, err);
  }
  if (sign < 0 && b->value == 0) {
    return aza_err_set(err, AZA_EVALUE, 0, "cannot divide by zero");
  }
  if (sign < 0 && aza_dim_eq(&a->unit.dim, &b->unit.dim)) {
    /* commensurable: a pure number ([lb_av]/h / (kg/s)) */
    if ((st = aza_unit_convert(b->value, &b->unit, &a->unit, &v, err)) !=
        AZA_OK) {
      return st;
    }
    if (v == 0) {
      return aza_err_set(err, AZA_EVALUE, 0, "cannot divide by zero");
    }
    v = a->value / v;
    memset(&r, 0, sizeof r);
    if ((st = azai_unit_build(&r, err)) != AZA_OK ||
        (st = finite_result(v, verb, err)) != AZA_OK) {
      return st;
    }
    out->unit = r;
    out->value = v;
    return AZA_OK;
  }
  v = a->value * a->unit.scale;
  if (sign > 0) {
    v *= b->value * b->unit.scale;
  } else {
    v /= b->value * b->unit.scale;
  }
  if ((st = copy_terms(&r, &annused, &a->unit, 1, err)) != AZA_OK) {
    return st;
  }
  for (i = 0; i < b->unit.nterms; i++) {
    const aza_term *t = &b->unit.terms[i];
    st = merge_term(&r, &annused, &v, &b->unit, t, t->exp * sign, err);
    if (st != AZA_OK) {
      return st;
    }
  }
  if ((st = azai_unit_build(&r, err)) != AZA_OK ||
      (st = finite_result(v, verb, err)) != AZA_OK) {
    return st;
  }
  out->unit = r;
  out->value = v;
  return AZA_OK;
}

aza_status aza_qty_mul(const aza_qty *a, const aza_qty *b, aza_qty *out,
                       aza_err *err) {
  return muldiv(a, b, 1, out, err);
}

aza_status aza_qty_div(const aza_qty *a, const aza_qty *b, aza_qty *out,
                       aza_err *err) {
  return muldiv(a, b, -1, out, err);
}

aza_status aza_qty_scale(const aza_qty *a, double k, aza_qty *out,
                         aza_err *err) {
  double v;
  aza_status st;
  if (a == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantity and result needed");
  }
  if (!isfinite(k)) {
    return aza_err_set(err, AZA_EVALUE, 0, "scale factor is not finite");
  }
  if (azai_unit_is_special(&a->unit)) {
    return affine("scale", a, err);
  }
  v = a->value * k;
  if ((st = finite_result(v, "scale", err)) != AZA_OK) {
    return st;
  }
  if (out != a) {
    out->unit = a->unit;
  }
  out->value = v;
  return AZA_OK;
}

aza_status aza_qty_pow(const aza_qty *a, int n, aza_qty *out, aza_err *err) {
  aza_unit r;
  size_t annused;
  double v;
  aza_status st;
  if (a == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantity and result needed");
  }
  if (azai_unit_is_special(&a->unit)) {
    return affine("raise", a, err);
  }
  if (n > 127 || n < -127) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "exponent %d too large", n);
  }
  if (n < 0 && a->value == 0) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "cannot raise 0 to a negative "
                       "power");
  }
  v = pow(a->value * a->unit.scale, (double)n);
  if (n == 0) {
    memset(&r, 0, sizeof r);
    r.scale = 1.0;
  } else if ((st = copy_terms(&r, &annused, &a->unit, n, err)) != AZA_OK) {
    return st;
  }
  if ((st = azai_unit_build(&r, err)) != AZA_OK ||
      (st = finite_result(v, "raise", err)) != AZA_OK) {
    return st;
  }
  out->unit = r;
  out->value = v;
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Comparison and formatting
** ===================================================================== */

aza_status aza_qty_cmp(const aza_qty *a, const aza_qty *b, int *cmp,
                       aza_err *err) {
  char what[AZA_MSGSZ];
  double bv;
  aza_status st;
  if (a == NULL || b == NULL || cmp == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "quantities and result needed");
  }
  snprintf(what, sizeof what, "cannot compare %.60s with %.60s", a->unit.text,
           b->unit.text);
  if (!a->unit.has_special && !b->unit.has_special &&
      (st = azai_dims_check(what, &a->unit, &b->unit, err)) != AZA_OK) {
    return st;
  }
  if ((st = aza_unit_convert(b->value, &b->unit, &a->unit, &bv, err)) !=
      AZA_OK) {
    return st;
  }
  *cmp = a->value < bv ? -1 : (a->value > bv ? 1 : 0);
  return AZA_OK;
}

int aza_qty_eq(const aza_qty *a, const aza_qty *b) {
  double bv;
  if (a == NULL || b == NULL || !aza_dim_eq(&a->unit.dim, &b->unit.dim)) {
    return 0;
  }
  if (aza_unit_convert(b->value, &b->unit, &a->unit, &bv, NULL) != AZA_OK) {
    return 0;
  }
  if (a->unit.kind == AZA_UNIT_RATIO && b->unit.kind == AZA_UNIT_RATIO) {
    return a->value * a->unit.factor == b->value * b->unit.factor;
  }
  return a->value == bv;
}

size_t aza_qty_format(const aza_qty *q, char *buf, size_t size) {
  char num[40];
  if (q == NULL) {
    if (buf != NULL && size > 0) {
      buf[0] = '\0';
    }
    return 0;
  }
  azai_num_format(q->value, num, sizeof num);
  if (strcmp(q->unit.text, "1") == 0) {
    return (size_t)snprintf(buf, buf != NULL ? size : 0, "%s", num);
  }
  return (size_t)snprintf(buf, buf != NULL ? size : 0, "%s %s", num,
                          q->unit.text);
}

/* }==================================================================== */
