/*
** aza_dose.c
** Dose maths: formulary, deliverable amounts, rounding to a formulary,
** targets (modifiers: aza_modify.c; regimens, titration and dates:
** aza_regimen.c).
** Pure C99: no heap, no globals, no printing.
**
** Deliverable amounts are integers in quarter milligrams ("q"): every
** tablet strength is a multiple of 0.5 mg, so a half tablet is a multiple
** of 0.25 mg. The set of deliverable daily amounts is the set of sums of
** pieces (whole tablets, halves of scored tablets); it is computed as a
** bit set by dynamic programming up to the largest amount a call needs.
** Doses are compared as integers; a computed double (a target, a band
** end, a cap) meets the integers with the tolerance AZA_DOSE_EPS_MG.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aza_dose_int.h"

/* {====================================================================
** Formulary
** ===================================================================== */

void aza_formulary_default(aza_formulary *f) {
  memset(f, 0, sizeof *f);
  f->n = 2;
  f->tab[0].mg = 25;
  f->tab[0].scored = 0;
  f->tab[1].mg = 50;
  f->tab[1].scored = 1;
}

aza_status aza_formulary_check(const aza_formulary *f, aza_err *err) {
  size_t i, j;
  if (f == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no formulary given");
  }
  if (f->n == 0) {
    return aza_err_set(err, AZA_EFORMULARY, 0, "the formulary is empty");
  }
  if (f->n > AZA_FORMULARY_MAX) {
    return aza_err_set(err, AZA_EFORMULARY, 0,
                       "the formulary has %zu tablet strengths; at most %d",
                       f->n, AZA_FORMULARY_MAX);
  }
  for (i = 0; i < f->n; i++) {
    double mg = f->tab[i].mg;
    if (!isfinite(mg)) {
      return aza_err_set(err, AZA_EFORMULARY, 0,
                         "tablet strength %g mg is not a finite number", mg);
    }
    if (mg <= 0) {
      return aza_err_set(err, AZA_EFORMULARY, 0,
                         "tablet strength %g mg is not positive", mg);
    }
    if (mg > AZA_STRENGTH_MAX_MG) {
      return aza_err_set(err, AZA_EFORMULARY, 0,
                         "tablet strength %g mg is above %d mg", mg,
                         AZA_STRENGTH_MAX_MG);
    }
    if (fabs(mg * 2 - floor(mg * 2 + 0.5)) > 1e-9) {
      return aza_err_set(err, AZA_EFORMULARY, 0,
                         "tablet strength %g mg is not a multiple of 0.5 mg",
                         mg);
    }
  }
  for (i = 0; i < f->n; i++) {
    for (j = i + 1; j < f->n; j++) {
      long a = (long)floor(f->tab[i].mg * 2 + 0.5);
      long b = (long)floor(f->tab[j].mg * 2 + 0.5);
      if (a == b) {
        return aza_err_set(err, AZA_EFORMULARY, 0,
                           "tablet strength %g mg is listed twice",
                           f->tab[i].mg);
      }
    }
  }
  return AZA_OK;
}

/*
** A locale-free decimal: digits, optionally '.' and digits. Returns the
** number of bytes read (0: no number) and the value in *v.
*/
static size_t read_decimal(const char *s, double *v) {
  const char *p = s;
  double mant = 0, scale = 1;
  int digits = 0;
  while (*p >= '0' && *p <= '9') {
    mant = mant * 10 + (*p - '0');
    digits++;
    p++;
  }
  if (digits == 0) {
    return 0;
  }
  if (*p == '.') {
    int frac = 0;
    p++;
    while (*p >= '0' && *p <= '9') {
      mant = mant * 10 + (*p - '0');
      scale *= 10;
      digits++;
      frac++;
      p++;
    }
    if (frac == 0) {
      return 0;
    }
  }
  if (digits > 15) {
    return 0; /* more digits than a double holds exactly */
  }
  *v = mant / scale; /* one correctly rounded division */
  return (size_t)(p - s);
}

aza_status aza_formulary_parse(const char *text, aza_formulary *f,
                               aza_err *err) {
  const char *s = text;
  if (text == NULL || f == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no formulary text given");
  }
  memset(f, 0, sizeof *f);
  for (;;) {
    double mg;
    size_t len, pos;
    while (*s == ' ') {
      s++;
    }
    pos = (size_t)(s - text) + 1;
    if (*s == '\0' && f->n == 0) {
      return aza_err_set(err, AZA_EFORMULARY, 0, "the formulary is empty");
    }
    len = read_decimal(s, &mg);
    if (len == 0) {
      return aza_err_set(err, AZA_EFORMULARY, pos,
                         "bad formulary item at %zu: expected a strength in "
                         "mg such as 25 or 50s (s: scored)",
                         pos);
    }
    if (f->n == AZA_FORMULARY_MAX) {
      return aza_err_set(err, AZA_EFORMULARY, pos,
                         "the formulary has more than %d tablet strengths",
                         AZA_FORMULARY_MAX);
    }
    s += len;
    f->tab[f->n].mg = mg;
    f->tab[f->n].scored = 0;
    if (*s == 's') {
      f->tab[f->n].scored = 1;
      s++;
    }
    f->n++;
    while (*s == ' ') {
      s++;
    }
    if (*s == ',') {
      s++;
      continue;
    }
    if (*s == '\0') {
      break;
    }
    pos = (size_t)(s - text) + 1;
    return aza_err_set(err, AZA_EFORMULARY, pos,
                       "bad formulary item at %zu: expected ',' or the end",
                       pos);
  }
  return aza_formulary_check(f, err);
}

size_t aza_formulary_format(const aza_formulary *f, char *buf, size_t size) {
  size_t i, used = 0;
  if (size > 0) {
    buf[0] = '\0';
  }
  for (i = 0; f != NULL && i < f->n && i < AZA_FORMULARY_MAX; i++) {
    char item[64];
    int k = snprintf(item, sizeof item, "%s%g mg%s", i > 0 ? ", " : "",
                     f->tab[i].mg, f->tab[i].scored ? " (scored)" : "");
    size_t len = k > 0 ? (size_t)k : 0;
    if (used + 1 < size) {
      size_t room = size - used - 1;
      size_t copy = len < room ? len : room;
      memcpy(buf + used, item, copy);
      buf[used + copy] = '\0';
    }
    used += len;
  }
  return used;
}

/* }==================================================================== */

/* {====================================================================
** The deliverable set
** ===================================================================== */

static int piece_before(const piece *a, const piece *b) {
  if (a->q != b->q) {
    return a->q > b->q;
  }
  return a->half < b->half;
}

aza_status azai_ctx_init(dctx *c, const aza_formulary *f, aza_err *err) {
  size_t i, j;
  aza_status st;
  if (f == NULL) {
    aza_formulary_default(&c->f);
  } else {
    st = aza_formulary_check(f, err);
    if (st != AZA_OK) {
      return st;
    }
    c->f = *f;
  }
  c->np = 0;
  for (i = 0; i < c->f.n; i++) {
    long q = (long)floor(c->f.tab[i].mg * QPERMG + 0.5);
    c->p[c->np].q = q;
    c->p[c->np].tab = (int)i;
    c->p[c->np].half = 0;
    c->np++;
    if (c->f.tab[i].scored) {
      c->p[c->np].q = q / 2; /* q is even: the strength is k x 0.5 mg */
      c->p[c->np].tab = (int)i;
      c->p[c->np].half = 1;
      c->np++;
    }
  }
  for (i = 1; i < c->np; i++) { /* insertion sort, stable */
    piece x = c->p[i];
    j = i;
    while (j > 0 && piece_before(&x, &c->p[j - 1])) {
      c->p[j] = c->p[j - 1];
      j--;
    }
    c->p[j] = x;
  }
  c->top = -1;
  return AZA_OK;
}

static int bit_get(const dctx *c, long n) {
  return (c->bits[n >> 3] >> (n & 7)) & 1;
}

/* the deliverable set up to `top` (unbounded sums of pieces) */
void azai_ctx_reach(dctx *c, long top) {
  size_t i;
  long n;
  if (top <= c->top) {
    return;
  }
  if (top < 2 * c->top) {
    top = 2 * c->top; /* grow geometrically: callers probe upwards */
  }
  if (top > 2 * MAX_Q) {
    top = 2 * MAX_Q;
  }
  memset(c->bits, 0, (size_t)(top / 8 + 1));
  c->bits[0] = 1;
  for (i = 0; i < c->np; i++) {
    long q = c->p[i].q;
    for (n = q; n <= top; n++) {
      if (bit_get(c, n - q)) {
        c->bits[n >> 3] |= (unsigned char)(1u << (n & 7));
      }
    }
  }
  c->top = top;
}

/* 1 when n > 0 quarter mg is deliverable */
int azai_ctx_has(dctx *c, long n) {
  if (n <= 0 || n > 2 * MAX_Q) {
    return 0;
  }
  azai_ctx_reach(c, n);
  return bit_get(c, n);
}

double azai_q2mg(long q) {
  return (double)q / QPERMG;
}

static long q_floor(double mg) {
  return (long)floor(mg * QPERMG + EPS_Q);
}

static long q_ceil(double mg) {
  return (long)ceil(mg * QPERMG - EPS_Q);
}

static aza_status no_dose(dctx *c, double limit_mg, aza_err *err) {
  char fb[AZA_MSGSZ];
  aza_formulary_format(&c->f, fb, sizeof fb);
  return aza_err_set(err, AZA_ENODOSE, 0,
                     "no deliverable dose at or below %g mg/day: the "
                     "smallest is %g mg (%s)",
                     limit_mg, azai_q2mg(c->p[c->np - 1].q), fb);
}

/* the largest deliverable amount <= limit_mg */
aza_status azai_ctx_down(dctx *c, double limit_mg, long *out, aza_err *err) {
  long n, top = q_floor(limit_mg);
  if (top > MAX_Q) {
    top = MAX_Q;
  }
  if (top >= 1) {
    azai_ctx_reach(c, top);
    for (n = top; n >= 1; n--) {
      if (bit_get(c, n)) {
        *out = n;
        return AZA_OK;
      }
    }
  }
  return no_dose(c, limit_mg, err);
}

/*
** The deliverable amount nearest t inside [lo, hi] (ties: the lower one,
** by scanning upwards and replacing only when strictly nearer); else the
** largest one at or below hi.
*/
static aza_status ctx_nearest(dctx *c, double t, double lo, double hi,
                              long *out, int *in_band, aza_err *err) {
  long n, best = -1;
  long lo_q = q_ceil(lo), hi_q = q_floor(hi);
  double tq = t * QPERMG, bestd = 0;
  if (lo_q < 1) {
    lo_q = 1;
  }
  if (hi_q > MAX_Q) {
    hi_q = MAX_Q;
  }
  if (hi_q >= lo_q) {
    azai_ctx_reach(c, hi_q);
    for (n = lo_q; n <= hi_q; n++) {
      if (bit_get(c, n)) {
        double d = fabs((double)n - tq);
        if (best < 0 || d < bestd - EPS_Q) {
          best = n;
          bestd = d;
        }
      }
    }
  }
  if (best >= 0) {
    *out = best;
    *in_band = 1;
    return AZA_OK;
  }
  *in_band = 0;
  return azai_ctx_down(c, hi, out, err);
}

/* a positive finite amount in mg/day up to AZA_DOSE_MAX_MG */
aza_status azai_check_amount(const char *what, double mg, aza_err *err) {
  if (!isfinite(mg)) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "%s %g mg/day is not a finite number", what, mg);
  }
  if (mg <= 0) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %g mg/day is not positive", what,
                       mg);
  }
  if (mg > AZA_DOSE_MAX_MG) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "%s %g mg/day is above the %d mg/day the dose maths "
                       "handles",
                       what, mg, AZA_DOSE_MAX_MG);
  }
  return AZA_OK;
}

aza_status aza_dose_deliverable(const aza_formulary *f, double mg, int *yes,
                                aza_err *err) {
  dctx c;
  long q;
  aza_status st;
  if (f == NULL || yes == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no formulary or result given");
  }
  st = azai_ctx_init(&c, f, err);
  if (st == AZA_OK) {
    st = azai_check_amount("amount", mg, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  q = (long)floor(mg * QPERMG + 0.5);
  *yes = fabs(mg * QPERMG - (double)q) <= EPS_Q && azai_ctx_has(&c, q);
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Rounding
** ===================================================================== */

static const char *const round_names[AZA_ROUND_COUNT] = {"nearest_in_band",
                                                         "down"};

const char *aza_rounding_name(aza_rounding r) {
  if ((int)r < 0 || r >= AZA_ROUND_COUNT) {
    return "?";
  }
  return round_names[r];
}

aza_status aza_rounding_parse(const char *name, aza_rounding *r, aza_err *err) {
  int i;
  for (i = 0; name != NULL && i < AZA_ROUND_COUNT; i++) {
    if (strcmp(name, round_names[i]) == 0) {
      *r = (aza_rounding)i;
      return AZA_OK;
    }
  }
  return aza_err_set(err, AZA_EARG, 0,
                     "unknown rounding mode '%s' (nearest_in_band, down)",
                     name != NULL ? name : "(null)");
}

aza_status azai_ctx_round(dctx *c, aza_rounding mode, double t, double lo,
                          double hi, aza_rounded *out, aza_err *err) {
  long q = 0;
  int in_band = 1;
  aza_status st;
  if (mode == AZA_ROUND_DOWN) {
    st = azai_ctx_down(c, t, &q, err);
  } else {
    st = ctx_nearest(c, t, lo, hi, &q, &in_band, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  out->mg = azai_q2mg(q);
  out->target_mg = t;
  out->error_pct = (out->mg - t) / t * 100;
  out->in_band = in_band;
  return AZA_OK;
}

aza_status aza_dose_round(const aza_formulary *f, aza_rounding mode,
                          double target_mg, double lo_mg, double hi_mg,
                          aza_rounded *out, aza_err *err) {
  dctx c;
  aza_status st;
  if (out == NULL || (int)mode < 0 || mode >= AZA_ROUND_COUNT) {
    return aza_err_set(err, AZA_EARG, 0, "bad rounding mode or no result");
  }
  st = azai_ctx_init(&c, f, err);
  if (st == AZA_OK) {
    st = azai_check_amount("target", target_mg, err);
  }
  if (st == AZA_OK && mode == AZA_ROUND_NEAREST_IN_BAND) {
    if (!isfinite(lo_mg) || lo_mg < 0) {
      return aza_err_set(err, AZA_EVALUE, 0,
                         "band low end %g mg/day is not a finite number >= 0",
                         lo_mg);
    }
    st = azai_check_amount("band high end", hi_mg, err);
    if (st == AZA_OK && lo_mg > hi_mg) {
      return aza_err_set(err, AZA_EDOSE, 0,
                         "band %g–%g mg/day: the low end is above the high end",
                         lo_mg, hi_mg);
    }
  }
  if (st != AZA_OK) {
    return st;
  }
  return azai_ctx_round(&c, mode, target_mg, lo_mg, hi_mg, out, err);
}

/* }==================================================================== */

/* {====================================================================
** Quantities in, checked
** ===================================================================== */

/* "600 kg" for messages: up to 10 significant digits, the UCUM unit */
static void qfmt(const aza_qty *q, char *buf, size_t size) {
  if (strcmp(q->unit.text, "1") == 0) {
    snprintf(buf, size, "%.10g", q->value);
  } else {
    snprintf(buf, size, "%.10g %.*s", q->value,
             (int)(size > 32 ? size - 32 : 1), q->unit.text);
  }
}

static aza_status unit_of(const char *text, aza_unit *u, aza_err *err) {
  return aza_unit_parse(text, u, NULL, err);
}

/* q in the unit `text` when its dimension is that of `text`; else *match=0 */
static aza_status value_as(const aza_qty *q, const char *text, double *v,
                           int *match, aza_err *err) {
  aza_unit u;
  aza_status st = unit_of(text, &u, err);
  if (st != AZA_OK) {
    return st;
  }
  *match = aza_dim_eq(&q->unit.dim, &u.dim);
  if (!*match) {
    return AZA_OK;
  }
  if (!isfinite(q->value)) {
    *v = q->value;
    return AZA_OK;
  }
  return aza_unit_convert(q->value, &q->unit, &u, v, err);
}

static aza_status wrong_dim(const char *what, const aza_qty *q,
                            const char *want, aza_err *err) {
  char qb[96], db[64];
  qfmt(q, qb, sizeof qb);
  aza_dim_format(&q->unit.dim, db, sizeof db);
  return aza_err_set(err, AZA_EDIM, 0, "%s %s is %s; %s is needed", what, qb,
                     db, want);
}

aza_status azai_get_weight(const aza_qty *w, double *kg, aza_err *err) {
  char qb[96];
  int match;
  aza_status st = value_as(w, "kg", kg, &match, err);
  if (st != AZA_OK) {
    return st;
  }
  if (!match) {
    return wrong_dim("weight", w, "a mass such as 70 kg or 176 [lb_av]", err);
  }
  qfmt(w, qb, sizeof qb);
  if (!isfinite(*kg)) {
    return aza_err_set(err, AZA_EVALUE, 0, "weight %s is not a finite number",
                       qb);
  }
  if (*kg <= 0) {
    return aza_err_set(err, AZA_EVALUE, 0, "weight %s is not positive", qb);
  }
  if (*kg < AZA_WEIGHT_MIN_KG || *kg > AZA_WEIGHT_MAX_KG) {
    if (strcmp(w->unit.text, "kg") == 0) {
      return aza_err_set(err, AZA_EVALUE, 0, "weight %s is outside %g–%g kg",
                         qb, AZA_WEIGHT_MIN_KG, AZA_WEIGHT_MAX_KG);
    }
    return aza_err_set(err, AZA_EVALUE, 0,
                       "weight %s (%.10g kg) is outside %g–%g kg", qb, *kg,
                       AZA_WEIGHT_MIN_KG, AZA_WEIGHT_MAX_KG);
  }
  return AZA_OK;
}

/* a positive finite quantity of the dimension of mg/kg/d, in mg/kg/d */
static aza_status get_per_kg(const char *what, const aza_qty *q, double *v,
                             aza_err *err) {
  char qb[96];
  int match;
  aza_status st = value_as(q, "mg/kg/d", v, &match, err);
  if (st != AZA_OK) {
    return st;
  }
  if (!match) {
    return wrong_dim(what, q, "a dose per body mass and time such as 2 mg/kg/d",
                     err);
  }
  qfmt(q, qb, sizeof qb);
  if (!isfinite(*v)) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %s is not a finite number", what,
                       qb);
  }
  if (*v <= 0) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %s is not positive", what, qb);
  }
  return AZA_OK;
}

/*
** A daily amount: mg/d (always), or mg/kg/d x weight_kg when per_kg_ok
** (*per_kg = 1 then). weight_kg 0 means no weight.
*/
aza_status azai_get_daily(const char *what, const aza_qty *q, double weight_kg,
                          int per_kg_ok, double *mg, int *per_kg,
                          aza_err *err) {
  char qb[96];
  int match;
  aza_status st = value_as(q, "mg/d", mg, &match, err);
  *per_kg = 0;
  if (st != AZA_OK) {
    return st;
  }
  if (!match && per_kg_ok) {
    st = value_as(q, "mg/kg/d", mg, &match, err);
    if (st != AZA_OK) {
      return st;
    }
    *per_kg = match;
  }
  if (!match) {
    return wrong_dim(what, q,
                     per_kg_ok ? "a daily amount such as 50 mg/d or a dose "
                                 "per body mass such as 1 mg/kg/d"
                               : "a daily amount such as 50 mg/d",
                     err);
  }
  qfmt(q, qb, sizeof qb);
  if (!isfinite(*mg)) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %s is not a finite number", what,
                       qb);
  }
  if (*mg <= 0) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %s is not positive", what, qb);
  }
  if (*per_kg) {
    if (weight_kg <= 0) {
      return aza_err_set(err, AZA_EVALUE, 0,
                         "%s %s is per body mass and needs the weight", what,
                         qb);
    }
    *mg *= weight_kg;
  }
  return azai_check_amount(what, *mg, err);
}

/* }==================================================================== */

/* {====================================================================
** Target and plan
** ===================================================================== */

static int within(double x, double lo, double hi) {
  return x >= lo * (1 - 1e-9) && x <= hi * (1 + 1e-9);
}

aza_status aza_dose_target(const aza_target_in *in, aza_plan *out,
                           aza_err *err) {
  dctx c;
  double kg, rate, blo = 0, bhi = 0, std, lo, hi;
  aza_rounded r;
  aza_status st;
  if (in == NULL || out == NULL || in->weight == NULL || in->rate == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "a target needs a weight and a rate");
  }
  if ((in->band_lo == NULL) != (in->band_hi == NULL)) {
    return aza_err_set(err, AZA_EARG, 0, "a band needs both ends");
  }
  if ((int)in->rounding < 0 || in->rounding >= AZA_ROUND_COUNT) {
    return aza_err_set(err, AZA_EARG, 0, "bad rounding mode");
  }
  st = azai_ctx_init(&c, in->formulary, err);
  if (st == AZA_OK) {
    st = azai_get_weight(in->weight, &kg, err);
  }
  if (st == AZA_OK) {
    st = get_per_kg("rate", in->rate, &rate, err);
  }
  if (st == AZA_OK && in->band_lo != NULL) {
    st = get_per_kg("band low end", in->band_lo, &blo, err);
    if (st == AZA_OK) {
      st = get_per_kg("band high end", in->band_hi, &bhi, err);
    }
    if (st == AZA_OK && blo > bhi) {
      return aza_err_set(err, AZA_EDOSE, 0,
                         "band %g–%g mg/kg/d: the low end is above the high "
                         "end",
                         blo, bhi);
    }
    if (st == AZA_OK && !within(rate, blo, bhi)) {
      return aza_err_set(err, AZA_EDOSE, 0,
                         "rate %g mg/kg/d is outside the band %g–%g mg/kg/d",
                         rate, blo, bhi);
    }
  }
  if (st != AZA_OK) {
    return st;
  }
  std = rate * kg;
  lo = in->band_lo != NULL ? blo * kg : std;
  hi = in->band_lo != NULL ? bhi * kg : std;
  st = azai_check_amount("target", std, err);
  if (st == AZA_OK) {
    st = azai_check_amount("band high end", hi, err);
  }
  if (st == AZA_OK) {
    st = azai_ctx_round(&c, in->rounding, std, lo, hi, &r, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  memset(out, 0, sizeof *out);
  out->weight_kg = kg;
  out->rate = rate;
  out->standard_mg = std;
  out->has_band = in->band_lo != NULL;
  out->band_lo_mg = lo;
  out->band_hi_mg = hi;
  out->dose_mg = r.mg;
  out->exact_mg = std;
  out->error_pct = r.error_pct;
  out->in_band = r.in_band;
  out->rounding = in->rounding;
  out->modified = 0;
  out->formulary = c.f;
  return AZA_OK;
}

aza_status aza_dose_current(double mg_per_day, const aza_qty *weight,
                            const aza_formulary *formulary, aza_plan *out,
                            aza_err *err) {
  dctx c;
  double kg = 0;
  aza_status st;
  if (out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no plan given");
  }
  st = azai_ctx_init(&c, formulary, err);
  if (st == AZA_OK) {
    st = azai_check_amount("current dose", mg_per_day, err);
  }
  if (st == AZA_OK && weight != NULL) {
    st = azai_get_weight(weight, &kg, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  memset(out, 0, sizeof *out);
  out->weight_kg = kg;
  out->standard_mg = mg_per_day;
  out->band_lo_mg = mg_per_day;
  out->band_hi_mg = mg_per_day;
  out->dose_mg = mg_per_day;
  out->exact_mg = mg_per_day;
  out->in_band = 1;
  out->rounding = AZA_ROUND_DOWN;
  out->formulary = c.f;
  return AZA_OK;
}

/* }==================================================================== */
