/*
** fuzz_dose.c
** libFuzzer target: the dose maths. Bytes become a formulary (its compact
** text, so the parser is fuzzed too), a rounding mode and band, daily
** amounts, modifiers, regimen options (weekly schedules too) and a titration.
*Aborts (a finding)
** only when an invariant breaks: a rounded dose that is not deliverable or
** leaves its limit, a regimen whose tablets do not add up to its amount, a
** modifier that raises a dose it may only lower, a titration above its
** target or out of order, or an error without a message.
*/
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aza_dose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond) {
  if (!cond) {
    abort();
  }
}

typedef struct reader {
  const uint8_t *p;
  size_t n;
} reader;

static unsigned byte_of(reader *r) {
  unsigned b = 0;
  if (r->n > 0) {
    b = *r->p;
    r->p++;
    r->n--;
  }
  return b;
}

/* an amount in mg: usually a multiple of 0.25 up to ~4000, sometimes odd */
static double amount_of(reader *r) {
  unsigned hi = byte_of(r), lo = byte_of(r), kind = byte_of(r) % 16;
  double v = (double)(hi * 256 + lo) * 0.25;
  if (kind == 0) {
    v = -v;
  } else if (kind == 1) {
    v = v / 7.0;
  } else if (kind == 2) {
    v = 0.0;
  }
  return v;
}

static void failed(aza_status st, const aza_err *err) {
  check(st != AZA_OK && err->code == st && err->msg[0] != '\0');
}

static void fuzz_round(const aza_formulary *f, reader *r) {
  aza_rounded out;
  aza_err err;
  int yes = 0;
  aza_rounding mode = (aza_rounding)(byte_of(r) % AZA_ROUND_COUNT);
  double target = amount_of(r), lo = amount_of(r), hi = amount_of(r);
  aza_status st = aza_dose_round(f, mode, target, lo, hi, &out, &err);
  if (st != AZA_OK) {
    failed(st, &err);
    return;
  }
  check(isfinite(out.mg) && out.mg > 0);
  check(aza_dose_deliverable(f, out.mg, &yes, &err) == AZA_OK && yes);
  if (mode == AZA_ROUND_DOWN) {
    check(out.mg <= target + 1e-9);
  } else {
    check(out.mg <= hi + 1e-9);
    check(!out.in_band || out.mg >= lo - 1e-9);
  }
}

static void fuzz_regimen(const aza_formulary *f, reader *r) {
  aza_regimen g;
  aza_regimen_opts o;
  aza_err err;
  size_t d, a, i;
  double mg = amount_of(r);
  aza_status st;
  int days = 0;
  memset(&o, 0, sizeof o);
  o.split_above_mg = (double)(byte_of(r) * 4);
  o.twice_daily = byte_of(r) % 4 == 0;
  o.allow_alternate = byte_of(r) % 2;
  o.days_per_week = byte_of(r) % 9; /* 8: refused */
  st = aza_dose_regimen(mg, f, &o, &g, &err);
  if (st != AZA_OK) {
    failed(st, &err);
    return;
  }
  check(o.days_per_week <= AZA_WEEK_DAYS);
  check(g.ndays == 1 || g.ndays == 2);
  for (d = 0; d < AZA_WEEK_DAYS; d++) {
    days += g.dosing_day[d] != 0;
  }
  check(days == g.days_per_week);
  if (g.days_per_week < AZA_WEEK_DAYS) { /* a weekly schedule */
    check(o.days_per_week == g.days_per_week && g.ndays == 1 && !g.alternating);
    check(fabs(g.weekly_mg - g.days_per_week * mg) < 1e-9);
    check(fabs(g.mean_mg_per_day - g.weekly_mg / AZA_WEEK_DAYS) < 1e-9);
  } else {
    check(fabs(g.mean_mg_per_day - mg) < 1e-9);
  }
  for (d = 0; d < g.ndays; d++) {
    double day = 0;
    check(g.day[d].nadmin == 1 || g.day[d].nadmin == 2);
    for (a = 0; a < g.day[d].nadmin; a++) {
      double adm = 0;
      for (i = 0; i < g.day[d].admin[a].nitems; i++) {
        const aza_regimen_item *it = &g.day[d].admin[a].item[i];
        check(it->halves > 0);
        check(it->scored || it->halves % 2 == 0);
        adm += it->strength_mg * it->halves / 2.0;
      }
      check(fabs(adm - g.day[d].admin[a].mg) < 1e-9);
      day += adm;
    }
    check(fabs(day - g.day[d].mg) < 1e-9);
  }
  if (!g.alternating) {
    check(fabs(g.day[0].mg - mg) < 1e-9);
  }
}

static void fuzz_modify(const aza_formulary *f, reader *r) {
  aza_plan plan, out;
  aza_modifiers m;
  aza_trace_entry trace[AZA_MOD_COUNT];
  size_t n = 0, i;
  aza_err err;
  aza_qty cap;
  unsigned which = byte_of(r);
  aza_status st = aza_dose_current(amount_of(r), NULL, f, &plan, &err);
  if (st != AZA_OK) {
    failed(st, &err);
    return;
  }
  memset(&m, 0, sizeof m);
  m.use_reduce = (which & 1) != 0;
  m.reduce_percent = (double)(byte_of(r) % 120);
  m.use_fraction = (which & 2) != 0;
  m.fraction = (double)byte_of(r) / 200.0;
  if ((which & 4) != 0) {
    char text[32];
    snprintf(text, sizeof text, "%u mg/d", byte_of(r) * 2);
    if (aza_qty_parse(text, &cap, &err) == AZA_OK) {
      m.cap = &cap;
    }
  }
  st = aza_dose_modify(&plan, &m, &out, trace, AZA_MOD_COUNT, &n, &err);
  if (st != AZA_OK) {
    failed(st, &err);
    return;
  }
  check(out.dose_mg <=
        plan.dose_mg + 1e-9); /* reduce, fraction, cap: never up */
  for (i = 0; i < n; i++) {
    check(trace[i].after_mg <= trace[i].before_mg + 1e-9);
    check(isfinite(trace[i].after_mg) && trace[i].after_mg > 0);
  }
}

static void fuzz_titration(const aza_formulary *f, reader *r) {
  aza_titration_step steps[64];
  aza_titration_in in;
  aza_qty start, step, target;
  aza_err err;
  size_t n = 0, i;
  char text[32];
  aza_status st;
  snprintf(text, sizeof text, "%u mg/d", byte_of(r) * 5);
  if (aza_qty_parse(text, &start, &err) != AZA_OK) {
    return;
  }
  snprintf(text, sizeof text, "%u mg/d", byte_of(r));
  if (aza_qty_parse(text, &step, &err) != AZA_OK) {
    return;
  }
  snprintf(text, sizeof text, "%u mg/d", byte_of(r) * 5);
  if (aza_qty_parse(text, &target, &err) != AZA_OK) {
    return;
  }
  memset(&in, 0, sizeof in);
  in.start = &start;
  in.step = byte_of(r) % 4 == 0 ? NULL : &step;
  in.every_weeks = (int)(byte_of(r) % 60);
  in.target = &target;
  in.formulary = f;
  in.start_date = byte_of(r) % 2 ? "2026-11-21" : NULL;
  st = aza_dose_titration(&in, steps, sizeof steps / sizeof steps[0], &n, &err);
  if (st != AZA_OK) {
    failed(st, &err);
    return;
  }
  check(n >= 1);
  for (i = 0; i < n; i++) {
    check(steps[i].mg <= target.value + 1e-9);
    check(i == 0 ||
          (steps[i].mg > steps[i - 1].mg && steps[i].week > steps[i - 1].week));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r;
  aza_formulary f;
  aza_err err;
  char text[128];
  size_t len = 0, k, nt;
  r.p = data;
  r.n = size;
  /* the formulary as compact text, "25,50s": the parser is fuzzed too */
  nt = 1 + byte_of(&r) % AZA_FORMULARY_MAX;
  for (k = 0; k < nt && len + 16 < sizeof text; k++) {
    unsigned v = byte_of(&r);
    len +=
        (size_t)snprintf(text + len, sizeof text - len, "%s%g%s", k ? "," : "",
                         (double)(v % 200 + 1) * (v & 1 ? 0.5 : 12.5),
                         byte_of(&r) % 2 ? "s" : "");
  }
  if (aza_formulary_parse(text, &f, &err) != AZA_OK) {
    check(err.msg[0] != '\0');
    aza_formulary_default(&f);
  }
  fuzz_round(&f, &r);
  fuzz_regimen(&f, &r);
  fuzz_modify(&f, &r);
  fuzz_titration(&f, &r);
  return 0;
}
