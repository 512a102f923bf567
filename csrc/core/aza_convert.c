/*
** aza_convert.c
** Conversion between units: the kinds checked (dimension, arbitrary
** units, annotations) with the errors that say why not, temperatures by
** their functions, mass <-> amount through a substance's molar mass, and
** the factor ratio from the units' exact parts (aza_unit.c).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aza_unit_int.h"

static int base_eq(const aza_dim *a, const aza_dim *b) {
  int k;
  for (k = 0; k < AZA_NDIM; k++) {
    if (a->e[k] != b->e[k]) {
      return 0;
    }
  }
  return a->mm == b->mm;
}

static int arb_eq(const aza_dim *a, const aza_dim *b) {
  return a->arb_exp == b->arb_exp && (a->arb_exp == 0 || a->arb == b->arb);
}

/* does converting a to b only need a substance (mass <-> amount)? */
static int substance_step(const aza_dim *a, const aza_dim *b, int *kout);

/*
** EDIM / EARBITRARY / EANNOT with "cannot <verb> A to B: da vs db".
** verb "convert" reads "to"; others as given in full by the caller.
*/
static aza_status dims_error(aza_status code, const char *what,
                             const aza_unit *a, const aza_unit *b,
                             aza_err *err) {
  char da[64], db[64];
  aza_dim_format(&a->dim, da, sizeof da);
  aza_dim_format(&b->dim, db, sizeof db);
  if (code == AZA_EANNOT) {
    return aza_err_set(err, code, 0, "%s: annotations differ", what);
  }
  if (code == AZA_EARBITRARY) {
    return aza_err_set(err, code, 0,
                       "%s: an arbitrary unit converts only to itself (%s vs "
                       "%s)",
                       what, da, db);
  }
  return aza_err_set(err, code, 0, "%s: %s vs %s", what, da, db);
}

/* compare the kinds of a and b; fills err with "what" as its head */
static aza_status kinds_check(const char *what, const aza_unit *a,
                              const aza_unit *b, aza_err *err) {
  if (!arb_eq(&a->dim, &b->dim) || !azai_same_arbitrary(a, b)) {
    if (a->dim.arb_exp != 0 || b->dim.arb_exp != 0) {
      return dims_error(AZA_EARBITRARY, what, a, b, err);
    }
  }
  if (!base_eq(&a->dim, &b->dim)) {
    return dims_error(AZA_EDIM, what, a, b, err);
  }
  if (a->dim.annot != b->dim.annot) {
    return dims_error(AZA_EANNOT, what, a, b, err);
  }
  return AZA_OK;
}

aza_status azai_dims_check(const char *what, const aza_unit *a,
                           const aza_unit *b, aza_err *err) {
  return kinds_check(what, a, b, err);
}

/* "cannot convert A to B", the head of conversion errors, written only
** when there is an error to report */
#define WHAT()                                                                 \
  (snprintf(what, sizeof what, "cannot convert %.60s to %.60s", from->text,    \
            to->text),                                                         \
   what)

static aza_status convert(double value, const aza_unit *from,
                          const aza_unit *to, double gmol, double *out,
                          aza_err *err) {
  char what[AZA_MSGSZ];
  double c, r;
  int k = 0;
  aza_status st;
  if (from == NULL || to == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "units and result needed");
  }
  if (!isfinite(value)) {
    return aza_err_set(err, AZA_EVALUE, 0, "value is not finite");
  }
  if (from->has_special || to->has_special) {
    const aza_unit *s = from->has_special ? from : to;
    return aza_err_set(err, AZA_ESPECIAL, 0,
                       "cannot convert %.60s: a special unit inside an "
                       "expression has no conversion",
                       s->text);
  }
  if (gmol > 0 && !base_eq(&from->dim, &to->dim) &&
      arb_eq(&from->dim, &to->dim) &&
      substance_step(&from->dim, &to->dim, &k)) {
    if (from->kind == AZA_UNIT_SPECIAL || to->kind == AZA_UNIT_SPECIAL) {
      return aza_err_set(err, AZA_ESPECIAL, 0,
                         "%s: no substance conversion for special units",
                         WHAT());
    }
    if (from->dim.annot != to->dim.annot) {
      return dims_error(AZA_EANNOT, WHAT(), from, to, err);
    }
    c = value * from->factor;
    r = c / azai_powi(gmol, k) / to->factor;
  } else {
    st = kinds_check("", from, to, NULL);
    if (st != AZA_OK) {
      kinds_check(WHAT(), from, to, err);
    }
    if (st == AZA_EDIM && gmol <= 0 &&
        substance_step(&from->dim, &to->dim, &k)) {
      return aza_err_set(err, AZA_ESUBSTANCE, 0,
                         "%s: mass and amount of substance need a named "
                         "substance (molar mass)",
                         WHAT());
    }
    if (st != AZA_OK) {
      return st;
    }
    if (azai_is_temp(from) && azai_is_temp(to)) {
      r = azai_from_celsius(to, azai_to_celsius(from, value));
    } else if (from->kind == AZA_UNIT_SPECIAL) {
      c = azai_special_in(from, value);
      r = to->kind == AZA_UNIT_SPECIAL ? azai_special_out(to, c)
                                       : c / to->factor;
    } else if (to->kind == AZA_UNIT_SPECIAL) {
      r = azai_special_out(to, value * from->factor);
    } else {
      r = value * azai_unit_ratio(from, to);
    }
  }
  if (!isfinite(r)) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s: result is not finite (%g)",
                       WHAT(), value);
  }
  r = azai_round_sig(r, 15); /* see aza_unit_int.h: no float noise */
  *out = r;
  return AZA_OK;
}

#undef WHAT

aza_status aza_unit_convert(double value, const aza_unit *from,
                            const aza_unit *to, double *out, aza_err *err) {
  return convert(value, from, to, 0, out, err);
}

/*
** Converting a to b replaces k mass units by k amounts (k < 0: the other
** way), either in the numerator (mg/dL -> umol/L) or in the denominator
** (mg/mmol -> mg/g). Mass exponents are split into numerator P and
** denominator N (mass/mass pairs on both sides) to check which one fits.
*/
static int substance_step(const aza_dim *a, const aza_dim *b, int *kout) {
  int k = b->e[AZA_DIM_N] - a->e[AZA_DIM_N], i, na, nb, pa, pb, cand;
  if (k == 0) {
    return 0;
  }
  for (i = 0; i < AZA_NDIM; i++) {
    if (i != AZA_DIM_N && i != AZA_DIM_M && a->e[i] != b->e[i]) {
      return 0;
    }
  }
  pa = (a->e[AZA_DIM_M] > 0 ? a->e[AZA_DIM_M] : 0) + a->mm;
  na = (a->e[AZA_DIM_M] < 0 ? -a->e[AZA_DIM_M] : 0) + a->mm;
  pb = (b->e[AZA_DIM_M] > 0 ? b->e[AZA_DIM_M] : 0) + b->mm;
  nb = (b->e[AZA_DIM_M] < 0 ? -b->e[AZA_DIM_M] : 0) + b->mm;
  for (cand = 0; cand < 2; cand++) {
    int p = pa, n = na;
    if (cand == 0) {
      p -= k; /* numerator mass becomes amount */
    } else {
      n += k; /* denominator amount becomes mass */
    }
    if (p >= 0 && n >= 0 && p == pb && n == nb) {
      *kout = k;
      return 1;
    }
  }
  return 0;
}

aza_status aza_unit_convert_substance(double value, const aza_unit *from,
                                      const aza_unit *to, const char *substance,
                                      double *out, aza_err *err) {
  double m;
  if (substance == NULL) {
    return convert(value, from, to, 0, out, err);
  }
  m = azai_substance_find(substance);
  if (m <= 0) {
    return aza_err_set(err, AZA_ESUBSTANCE, 0, "unknown substance '%.40s'",
                       substance);
  }
  return convert(value, from, to, m, out, err);
}

/* }==================================================================== */
