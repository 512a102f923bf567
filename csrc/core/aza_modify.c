/*
** aza_modify.c
** Dose modifiers (aza_dose_modify): percent of the standard dose rounded
** within its band, reduce and fraction rounded down, cap; applied in the
** one order of aza_mod_kind, each step recorded in the plan's trace.
** Rounding and the deliverable set are aza_dose.c.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aza_dose_int.h"

/* {====================================================================
** Modifiers
** ===================================================================== */

static const char *const mod_names[AZA_MOD_COUNT] = {"percent", "reduce",
                                                     "fraction", "cap"};

const char *aza_mod_name(aza_mod_kind k) {
  if ((int)k < 0 || k >= AZA_MOD_COUNT) {
    return "?";
  }
  return mod_names[k];
}

/* copy a label, cutting at a UTF-8 character boundary */
static void copy_why(char *dst, const char *src) {
  size_t n = src != NULL ? strlen(src) : 0;
  if (n > AZA_WHY_MAX - 1) {
    n = AZA_WHY_MAX - 1;
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) {
      n--;
    }
  }
  if (n > 0) {
    memcpy(dst, src, n);
  }
  dst[n] = '\0';
}

static aza_status check_pct(const char *what, double p, int zero_ok,
                            aza_err *err) {
  if (!isfinite(p) || p < 0 || p > 100) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %g %% is outside 0–100 %%", what,
                       p);
  }
  if (!zero_ok && p <= 0) {
    return aza_err_set(err, AZA_EVALUE, 0, "%s %g %% is not positive", what, p);
  }
  return AZA_OK;
}

static aza_status check_modifiers(const aza_plan *in, const aza_modifiers *m,
                                  double *cap_mg, aza_err *err) {
  aza_status st;
  if (m->use_percent) {
    st = check_pct("percentage", m->percent, 0, err);
    if (st != AZA_OK) {
      return st;
    }
    if (m->percent_band) {
      st = check_pct("percentage band low end", m->percent_lo, 1, err);
      if (st == AZA_OK) {
        st = check_pct("percentage band high end", m->percent_hi, 1, err);
      }
      if (st != AZA_OK) {
        return st;
      }
      if (m->percent_lo > m->percent_hi) {
        return aza_err_set(err, AZA_EDOSE, 0,
                           "percentage band %g–%g %%: the low end is above "
                           "the high end",
                           m->percent_lo, m->percent_hi);
      }
      if (m->percent < m->percent_lo || m->percent > m->percent_hi) {
        return aza_err_set(err, AZA_EDOSE, 0,
                           "percentage %g %% is outside its band %g–%g %%",
                           m->percent, m->percent_lo, m->percent_hi);
      }
    }
  }
  if (m->use_reduce) {
    st = check_pct("reduction", m->reduce_percent, 0, err);
    if (st != AZA_OK) {
      return st;
    }
  }
  if (m->use_fraction &&
      (!isfinite(m->fraction) || m->fraction <= 0 || m->fraction > 1)) {
    return aza_err_set(err, AZA_EVALUE, 0, "fraction %g is outside (0, 1]",
                       m->fraction);
  }
  if (m->cap != NULL) {
    int per_kg;
    st = azai_get_daily("cap", m->cap, in->weight_kg, 1, cap_mg, &per_kg, err);
    if (st != AZA_OK) {
      return st;
    }
  }
  return AZA_OK;
}

static aza_status check_plan(const aza_plan *p, aza_err *err) {
  aza_status st = aza_formulary_check(&p->formulary, err);
  if (st == AZA_OK) {
    st = azai_check_amount("dose", p->dose_mg, err);
  }
  if (st == AZA_OK) {
    st = azai_check_amount("standard dose", p->standard_mg, err);
  }
  if (st == AZA_OK &&
      (!isfinite(p->weight_kg) || p->weight_kg < 0 ||
       (p->weight_kg > 0 && (p->weight_kg < AZA_WEIGHT_MIN_KG ||
                             p->weight_kg > AZA_WEIGHT_MAX_KG)))) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "plan weight %g kg is outside %g–%g kg", p->weight_kg,
                       AZA_WEIGHT_MIN_KG, AZA_WEIGHT_MAX_KG);
  }
  return st;
}

/* record a step and make it the plan's last rounding */
static void record(aza_plan *p, aza_trace_entry *e, aza_mod_kind kind,
                   const char *why, double before, const aza_rounded *r,
                   aza_rounding mode, double lo, double hi) {
  memset(e, 0, sizeof *e);
  e->kind = kind;
  copy_why(e->why, why);
  e->before_mg = before;
  e->exact_mg = r->target_mg;
  e->after_mg = r->mg;
  e->lo_mg = lo;
  e->hi_mg = hi;
  e->rounding = mode;
  e->error_pct = r->error_pct;
  e->changed = fabs(before - r->mg) > AZA_DOSE_EPS_MG;
  p->dose_mg = r->mg;
  p->exact_mg = r->target_mg;
  p->error_pct = r->error_pct;
  p->in_band = r->in_band;
  p->rounding = mode;
  p->modified += e->changed;
}

aza_status aza_dose_modify(const aza_plan *in, const aza_modifiers *m,
                           aza_plan *out, aza_trace_entry *trace,
                           size_t trace_cap, size_t *ntrace, aza_err *err) {
  dctx c;
  aza_plan p;
  aza_rounded r;
  double cap_mg = 0;
  size_t need, n = 0;
  aza_status st;
  if (in == NULL || m == NULL || out == NULL || ntrace == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "modify needs a plan and modifiers");
  }
  need = (size_t)(m->use_percent != 0) + (size_t)(m->use_reduce != 0) +
         (size_t)(m->use_fraction != 0) + (size_t)(m->cap != NULL);
  if (need > 0 && (trace == NULL || trace_cap < need)) {
    return aza_err_set(err, AZA_EARG, 0,
                       "the trace has room for %zu entries; %zu are needed",
                       trace != NULL ? trace_cap : 0, need);
  }
  *ntrace = 0;
  p = *in;
  st = check_plan(&p, err);
  if (st == AZA_OK) {
    st = check_modifiers(&p, m, &cap_mg, err);
  }
  if (st == AZA_OK) {
    st = azai_ctx_init(&c, &p.formulary, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  if (m->use_percent) { /* 1: percentage of the standard dose, banded */
    double base = p.standard_mg, v = base * m->percent / 100;
    double lo = m->percent_band ? base * m->percent_lo / 100 : v;
    double hi = m->percent_band ? base * m->percent_hi / 100 : v;
    double before = p.dose_mg;
    st = azai_ctx_round(&c, AZA_ROUND_NEAREST_IN_BAND, v, lo, hi, &r, err);
    if (st != AZA_OK) {
      return st;
    }
    record(&p, &trace[n++], AZA_MOD_PERCENT, m->percent_why, before, &r,
           AZA_ROUND_NEAREST_IN_BAND, lo, hi);
  }
  if (m->use_reduce) { /* 2: percentage of the dose so far, down */
    double before = p.dose_mg, v = before * m->reduce_percent / 100;
    st = azai_ctx_round(&c, AZA_ROUND_DOWN, v, 0, v, &r, err);
    if (st != AZA_OK) {
      return st;
    }
    record(&p, &trace[n++], AZA_MOD_REDUCE, m->reduce_why, before, &r,
           AZA_ROUND_DOWN, 0, v);
  }
  if (m->use_fraction) { /* 3: fraction of the dose so far, down */
    double before = p.dose_mg, v = before * m->fraction;
    st = azai_ctx_round(&c, AZA_ROUND_DOWN, v, 0, v, &r, err);
    if (st != AZA_OK) {
      return st;
    }
    record(&p, &trace[n++], AZA_MOD_FRACTION, m->fraction_why, before, &r,
           AZA_ROUND_DOWN, 0, v);
  }
  if (m->cap != NULL) { /* 4: ceiling, down when the dose is above it */
    double before = p.dose_mg;
    if (before <= cap_mg + AZA_DOSE_EPS_MG) {
      aza_trace_entry *e = &trace[n++];
      memset(e, 0, sizeof *e);
      e->kind = AZA_MOD_CAP;
      copy_why(e->why, m->cap_why);
      e->before_mg = e->exact_mg = e->after_mg = before;
      e->hi_mg = cap_mg;
      e->rounding = AZA_ROUND_DOWN;
      e->changed = 0;
    } else {
      st = azai_ctx_round(&c, AZA_ROUND_DOWN, cap_mg, 0, cap_mg, &r, err);
      if (st != AZA_OK) {
        return st;
      }
      record(&p, &trace[n++], AZA_MOD_CAP, m->cap_why, before, &r,
             AZA_ROUND_DOWN, 0, cap_mg);
    }
  }
  *ntrace = n;
  *out = p;
  return AZA_OK;
}

/* }==================================================================== */
