/*
** test_dose.c
** Dose maths against hand-computed numbers (each case shows its sums).
** Default formulary: 25 mg unscored, 50 mg scored, so the deliverable
** daily amounts are the multiples of 25 mg.
*/
#include <math.h>

#include "aza_dose.h"
#include <limits.h>

#include "tap.h"

#define TOL 1e-12

static aza_qty Q(const char *text) {
  aza_qty q;
  aza_err err;
  if (aza_qty_parse(text, &q, &err) != AZA_OK) {
    printf("FAIL cannot parse quantity '%s': %s\n", text, err.msg);
    tap_fail++;
    memset(&q, 0, sizeof q);
  }
  return q;
}

static aza_formulary F(const char *text) {
  aza_formulary f;
  aza_err err;
  if (aza_formulary_parse(text, &f, &err) != AZA_OK) {
    printf("FAIL cannot parse formulary '%s': %s\n", text, err.msg);
    tap_fail++;
    aza_formulary_default(&f);
  }
  return f;
}

/* target with a band, default formulary, nearest_in_band */
static aza_status target(const char *w, const char *rate, const char *lo,
                         const char *hi, aza_plan *p, aza_err *err) {
  aza_qty qw = Q(w), qr = Q(rate), ql, qh;
  aza_target_in in;
  memset(&in, 0, sizeof in);
  in.weight = &qw;
  in.rate = &qr;
  if (lo != NULL) {
    ql = Q(lo);
    qh = Q(hi);
    in.band_lo = &ql;
    in.band_hi = &qh;
  }
  in.rounding = AZA_ROUND_NEAREST_IN_BAND;
  return aza_dose_target(&in, p, err);
}

static void test_formulary(void) {
  aza_formulary f;
  aza_err err;
  char buf[128];
  int yes;

  aza_formulary_default(&f);
  CHECK(aza_formulary_check(&f, &err) == AZA_OK);
  aza_formulary_format(&f, buf, sizeof buf);
  CHECK_STR(buf, "25 mg, 50 mg (scored)");

  CHECK(aza_formulary_parse(" 25, 50s ,75s", &f, &err) == AZA_OK);
  CHECK(f.n == 3);
  CHECK(f.tab[1].scored == 1 && f.tab[0].scored == 0);
  CHECK_NEAR(f.tab[2].mg, 75, TOL);

  /* 37.5 = half of a scored 75 mg tablet; not deliverable with 25/50s */
  CHECK(aza_dose_deliverable(&f, 37.5, &yes, &err) == AZA_OK && yes);
  aza_formulary_default(&f);
  CHECK(aza_dose_deliverable(&f, 37.5, &yes, &err) == AZA_OK && !yes);
  /* 25 = half of the scored 50 or one 25; 12.5 would need half a 25 */
  CHECK(aza_dose_deliverable(&f, 25, &yes, &err) == AZA_OK && yes);
  CHECK(aza_dose_deliverable(&f, 12.5, &yes, &err) == AZA_OK && !yes);
  f = F("25s");
  CHECK(aza_dose_deliverable(&f, 12.5, &yes, &err) == AZA_OK && yes);

  /* bad formularies */
  CHECK(aza_formulary_parse("", &f, &err) == AZA_EFORMULARY);
  CHECK_STR(err.msg, "the formulary is empty");
  CHECK(aza_formulary_parse("25,,50", &f, &err) == AZA_EFORMULARY);
  CHECK(err.pos == 4);
  CHECK_CONTAINS(err.msg, "bad formulary item at 4");
  CHECK(aza_formulary_parse("25,abc", &f, &err) == AZA_EFORMULARY);
  CHECK(aza_formulary_parse("25 50", &f, &err) == AZA_EFORMULARY);
  CHECK(aza_formulary_parse("0", &f, &err) == AZA_EFORMULARY);
  CHECK_STR(err.msg, "tablet strength 0 mg is not positive");
  CHECK(aza_formulary_parse("12.3", &f, &err) == AZA_EFORMULARY);
  CHECK_STR(err.msg, "tablet strength 12.3 mg is not a multiple of 0.5 mg");
  CHECK(aza_formulary_parse("25,25s", &f, &err) == AZA_EFORMULARY);
  CHECK_STR(err.msg, "tablet strength 25 mg is listed twice");
  CHECK(aza_formulary_parse("1,2,3,4,5,6,7,8,9", &f, &err) == AZA_EFORMULARY);
  memset(&f, 0, sizeof f);
  CHECK(aza_formulary_check(&f, &err) == AZA_EFORMULARY);
  CHECK_STR(err.msg, "the formulary is empty");
  f.n = 1;
  f.tab[0].mg = NAN;
  CHECK(aza_formulary_check(&f, &err) == AZA_EFORMULARY);
  CHECK_CONTAINS(err.msg, "is not a finite number");
  f.tab[0].mg = -25;
  CHECK(aza_formulary_check(&f, &err) == AZA_EFORMULARY);
  CHECK_STR(err.msg, "tablet strength -25 mg is not positive");
  f.tab[0].mg = 2000;
  CHECK(aza_formulary_check(&f, &err) == AZA_EFORMULARY);
}

static void test_round(void) {
  aza_formulary f, f25 = F("25");
  aza_rounded r;
  aza_err err;
  aza_formulary_default(&f);

  /* 140 in 140..175: 150 (10 away) beats 175; error 10/140 = 7.142857 % */
  CHECK(aza_dose_round(&f, AZA_ROUND_NEAREST_IN_BAND, 140, 140, 175, &r,
                       &err) == AZA_OK);
  CHECK_NEAR(r.mg, 150, TOL);
  CHECK_NEAR(r.error_pct, 100.0 / 14, 1e-12);
  CHECK(r.in_band);
  /* tie: 137.5 is 12.5 from 125 and from 150 -> the lower, 125 */
  CHECK(aza_dose_round(&f25, AZA_ROUND_NEAREST_IN_BAND, 137.5, 100, 200, &r,
                       &err) == AZA_OK);
  CHECK_NEAR(r.mg, 125, TOL);
  /* 137.6 is nearer 150 (12.4) than 125 (12.6) */
  CHECK(aza_dose_round(&f25, AZA_ROUND_NEAREST_IN_BAND, 137.6, 100, 200, &r,
                       &err) == AZA_OK);
  CHECK_NEAR(r.mg, 150, TOL);
  /* nothing in 55..70 with 50 mg unscored: largest <= 70 is 50 */
  f25 = F("50");
  CHECK(aza_dose_round(&f25, AZA_ROUND_NEAREST_IN_BAND, 60, 55, 70, &r, &err) ==
        AZA_OK);
  CHECK_NEAR(r.mg, 50, TOL);
  CHECK(!r.in_band);
  /* down: largest <= 37.5 is 25; <= 175 is 175 itself */
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, 37.5, 0, 0, &r, &err) == AZA_OK);
  CHECK_NEAR(r.mg, 25, TOL);
  CHECK_NEAR(r.error_pct, -100.0 / 3, 1e-12);
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, 175, 0, 0, &r, &err) == AZA_OK);
  CHECK_NEAR(r.mg, 175, TOL);
  /* a value a hair under 175 from float noise still counts as 175 */
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, 175 - 1e-9, 0, 0, &r, &err) ==
        AZA_OK);
  CHECK_NEAR(r.mg, 175, TOL);
  /* band top 10 mg with 25 mg tablets: nothing, an error, not a number */
  CHECK(aza_dose_round(&f, AZA_ROUND_NEAREST_IN_BAND, 8, 5, 10, &r, &err) ==
        AZA_ENODOSE);
  CHECK_CONTAINS(err.msg, "no deliverable dose at or below 10 mg/day");
  CHECK_CONTAINS(err.msg, "the smallest is 25 mg");
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, 20, 0, 0, &r, &err) == AZA_ENODOSE);
  /* bad values */
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, NAN, 0, 0, &r, &err) == AZA_EVALUE);
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, INFINITY, 0, 0, &r, &err) ==
        AZA_EVALUE);
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, -5, 0, 0, &r, &err) == AZA_EVALUE);
  CHECK(aza_dose_round(&f, AZA_ROUND_NEAREST_IN_BAND, 100, 120, 80, &r, &err) ==
        AZA_EDOSE);
  CHECK(aza_dose_round(&f, AZA_ROUND_DOWN, 6000, 0, 0, &r, &err) == AZA_EVALUE);
  CHECK_STR(aza_rounding_name(AZA_ROUND_DOWN), "down");
  {
    aza_rounding m;
    CHECK(aza_rounding_parse("nearest_in_band", &m, &err) == AZA_OK &&
          m == AZA_ROUND_NEAREST_IN_BAND);
    CHECK(aza_rounding_parse("up", &m, &err) == AZA_EARG);
    CHECK_CONTAINS(err.msg, "unknown rounding mode 'up'");
  }
}

static void test_target(void) {
  aza_plan p;
  aza_err err;

  /* 70 kg x 2 = 140, band 2..2.5 x 70 = 140..175 -> 150 */
  CHECK(target("70 kg", "2 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p, &err) ==
        AZA_OK);
  CHECK_NEAR(p.standard_mg, 140, TOL);
  CHECK_NEAR(p.band_lo_mg, 140, TOL);
  CHECK_NEAR(p.band_hi_mg, 175, TOL);
  CHECK_NEAR(p.dose_mg, 150, TOL);
  CHECK_NEAR(p.error_pct, 100.0 / 14, 1e-12); /* 10 / 140 */
  CHECK(p.in_band && p.has_band);

  /* 176 [lb_av] x 0.45359237 = 79.83225712 kg; 2 x = 159.664514,
     2.5 x = 199.580643; in band: 175 only (200 is above) -> 175,
     error (175 - 159.664514) / 159.664514 = 9.6048 % */
  CHECK(target("176 [lb_av]", "2 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p,
               &err) == AZA_OK);
  CHECK_NEAR(p.weight_kg, 79.83225712, 1e-12);
  CHECK_NEAR(p.standard_mg, 159.66451424, 1e-12);
  CHECK_NEAR(p.dose_mg, 175, TOL);
  CHECK_NEAR(p.error_pct, 9.604817847595376, 1e-9);

  /* 30 kg: 60, band 60..75: 75 is in band, 50 is not -> 75 */
  CHECK(target("30 kg", "2 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p, &err) ==
        AZA_OK);
  CHECK_NEAR(p.dose_mg, 75, TOL);

  /* 70000 g is 70 kg */
  CHECK(target("70000 g", "2 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p, &err) ==
        AZA_OK);
  CHECK_NEAR(p.dose_mg, 150, TOL);

  /* no band: [140, 140] -> never above the target: 125 */
  CHECK(target("70 kg", "2 mg/kg/d", NULL, NULL, &p, &err) == AZA_OK);
  CHECK_NEAR(p.dose_mg, 125, TOL);
  CHECK(!p.has_band);

  /* bad input: errors with messages, never numbers */
  CHECK(target("600 kg", "2 mg/kg/d", NULL, NULL, &p, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "weight 600 kg is outside 0.5–500 kg");
  CHECK(target("0.3 kg", "2 mg/kg/d", NULL, NULL, &p, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "weight 0.3 kg is outside 0.5–500 kg");
  CHECK(target("0 kg", "2 mg/kg/d", NULL, NULL, &p, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "weight 0 kg is not positive");
  CHECK(target("2000 [lb_av]", "2 mg/kg/d", NULL, NULL, &p, &err) ==
        AZA_EVALUE);
  CHECK_CONTAINS(err.msg, "(907.18474 kg) is outside 0.5–500 kg");
  CHECK(target("70 mg/kg", "2 mg/kg/d", NULL, NULL, &p, &err) == AZA_EDIM);
  CHECK_CONTAINS(err.msg, "weight 70 mg/kg is ");
  CHECK_CONTAINS(err.msg, "a mass such as 70 kg");
  CHECK(target("70 kg", "150 mg/d", NULL, NULL, &p, &err) == AZA_EDIM);
  CHECK_CONTAINS(err.msg, "rate 150 mg/d is ");
  CHECK_CONTAINS(err.msg, "a dose per body mass and time");
  CHECK(target("70 kg", "2 /d", NULL, NULL, &p, &err) == AZA_EDIM);
  CHECK(target("70 kg", "0 mg/kg/d", NULL, NULL, &p, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "rate 0 mg/kg/d is not positive");
  CHECK(target("70 kg", "2 mg/kg/d", "2.5 mg/kg/d", "2 mg/kg/d", &p, &err) ==
        AZA_EDOSE);
  CHECK_STR(err.msg, "band 2.5–2 mg/kg/d: the low end is above the high end");
  CHECK(target("70 kg", "3 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p, &err) ==
        AZA_EDOSE);
  CHECK_STR(err.msg, "rate 3 mg/kg/d is outside the band 2–2.5 mg/kg/d");
  {
    /* a weight built by hand with a NaN value */
    aza_qty w = Q("70 kg"), r = Q("2 mg/kg/d");
    aza_target_in in;
    aza_formulary empty;
    memset(&in, 0, sizeof in);
    memset(&empty, 0, sizeof empty);
    w.value = NAN;
    in.weight = &w;
    in.rate = &r;
    CHECK(aza_dose_target(&in, &p, &err) == AZA_EVALUE);
    CHECK_CONTAINS(err.msg, "is not a finite number");
    w.value = INFINITY;
    CHECK(aza_dose_target(&in, &p, &err) == AZA_EVALUE);
    w.value = 70;
    in.formulary = &empty;
    CHECK(aza_dose_target(&in, &p, &err) == AZA_EFORMULARY);
    CHECK_STR(err.msg, "the formulary is empty");
    in.formulary = NULL;
    in.band_lo = &r;
    CHECK(aza_dose_target(&in, &p, &err) == AZA_EARG);
    in.band_lo = NULL;
    in.rounding = AZA_ROUND_DOWN; /* 140 down -> 125 */
    CHECK(aza_dose_target(&in, &p, &err) == AZA_OK);
    CHECK_NEAR(p.dose_mg, 125, TOL);
  }
}

static void test_modify(void) {
  aza_plan p, out;
  aza_modifiers m;
  aza_trace_entry tr[AZA_MOD_COUNT];
  size_t n;
  aza_err err;
  aza_qty cap;
  aza_formulary f;

  /* TPMT intermediate: 50 % of 140 = 70, band 30..80 % = 42..112;
     in band 50, 75, 100: 75 is nearest (5) -> 75 */
  CHECK(target("70 kg", "2 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p, &err) ==
        AZA_OK);
  memset(&m, 0, sizeof m);
  m.use_percent = 1;
  m.percent = 50;
  m.percent_band = 1;
  m.percent_lo = 30;
  m.percent_hi = 80;
  m.percent_why = "TPMT intermediate (CPIC 2025)";
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK(n == 1);
  CHECK_NEAR(out.dose_mg, 75, TOL);
  CHECK(tr[0].kind == AZA_MOD_PERCENT);
  CHECK_STR(tr[0].why, "TPMT intermediate (CPIC 2025)");
  CHECK_NEAR(tr[0].before_mg, 150, TOL);
  CHECK_NEAR(tr[0].exact_mg, 70, TOL);
  CHECK_NEAR(tr[0].after_mg, 75, TOL);
  CHECK_NEAR(tr[0].lo_mg, 42, 1e-12);
  CHECK_NEAR(tr[0].hi_mg, 112, 1e-12);
  CHECK(tr[0].changed == 1);
  CHECK(out.modified == 1);
  CHECK_NEAR(out.standard_mg, 140, TOL); /* unchanged */

  /* allopurinol on 150 mg/day: 25 % = 37.5, down -> 25 */
  CHECK(aza_dose_current(150, NULL, NULL, &p, &err) == AZA_OK);
  memset(&m, 0, sizeof m);
  m.use_fraction = 1;
  m.fraction = 0.25;
  m.fraction_why = "allopurinol";
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK(n == 1);
  CHECK_NEAR(out.dose_mg, 25, TOL);
  CHECK_NEAR(tr[0].exact_mg, 37.5, TOL);
  CHECK_NEAR(out.error_pct, -100.0 / 3, 1e-12); /* (25 - 37.5) / 37.5 */

  /* pregnancy cap 2 mg/kg/d at 60 kg = 120; 150 down -> 100 */
  cap = Q("2 mg/kg/d");
  {
    aza_qty w = Q("60 kg");
    CHECK(aza_dose_current(150, &w, NULL, &p, &err) == AZA_OK);
  }
  memset(&m, 0, sizeof m);
  m.cap = &cap;
  m.cap_why = "pregnancy";
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK_NEAR(out.dose_mg, 100, TOL);
  CHECK_NEAR(tr[0].hi_mg, 120, TOL);
  CHECK(tr[0].changed);
  /* a cap that does not bind: 100 under 120 stays 100, entry recorded */
  CHECK(aza_dose_modify(&out, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK(n == 1 && !tr[0].changed);
  CHECK_NEAR(out.dose_mg, 100, TOL);
  /* a cap in mg/d: 150 capped at 130 mg/d -> 125 */
  cap = Q("130 mg/d");
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK_NEAR(out.dose_mg, 125, TOL);
  /* a cap in mg/kg/d needs the weight */
  cap = Q("2 mg/kg/d");
  CHECK(aza_dose_current(150, NULL, NULL, &p, &err) == AZA_OK);
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  CHECK_CONTAINS(err.msg, "needs the weight");
  cap = Q("2 mg");
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_EDIM);

  /* the order: percent, reduce, fraction, cap, each in the trace.
     80 kg, 2.5 mg/kg/d: 200 (band none). percent 100 of 200 -> 200;
     renal 75 % of 200 = 150 -> 150; fraction 0.5 of 150 = 75 -> 75;
     cap 1 mg/kg/d = 80 -> 75 stays. */
  CHECK(target("80 kg", "2.5 mg/kg/d", NULL, NULL, &p, &err) == AZA_OK);
  CHECK_NEAR(p.dose_mg, 200, TOL);
  cap = Q("1 mg/kg/d");
  memset(&m, 0, sizeof m);
  m.use_percent = 1;
  m.percent = 100;
  m.use_reduce = 1;
  m.reduce_percent = 75;
  m.reduce_why = "eGFR 10-50";
  m.use_fraction = 1;
  m.fraction = 0.5;
  m.cap = &cap;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK(n == 4);
  CHECK(tr[0].kind == AZA_MOD_PERCENT && tr[1].kind == AZA_MOD_REDUCE &&
        tr[2].kind == AZA_MOD_FRACTION && tr[3].kind == AZA_MOD_CAP);
  CHECK_NEAR(tr[0].after_mg, 200, TOL);
  CHECK_NEAR(tr[1].after_mg, 150, TOL);
  CHECK_NEAR(tr[2].after_mg, 75, TOL);
  CHECK_NEAR(tr[3].after_mg, 75, TOL);
  CHECK(out.modified == 2);
  /* renal 75 % of 150 = 112.5 -> 100 */
  CHECK(aza_dose_current(150, NULL, NULL, &p, &err) == AZA_OK);
  memset(&m, 0, sizeof m);
  m.use_reduce = 1;
  m.reduce_percent = 75;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK_NEAR(out.dose_mg, 100, TOL);

  /* TPMT intermediate then allopurinol: 75 x 0.25 = 18.75: nothing */
  CHECK(target("70 kg", "2 mg/kg/d", "2 mg/kg/d", "2.5 mg/kg/d", &p, &err) ==
        AZA_OK);
  memset(&m, 0, sizeof m);
  m.use_percent = 1;
  m.percent = 50;
  m.percent_band = 1;
  m.percent_lo = 30;
  m.percent_hi = 80;
  m.use_fraction = 1;
  m.fraction = 0.25;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_ENODOSE);
  CHECK_CONTAINS(err.msg, "18.75 mg/day");
  /* with a scored 25 mg tablet 12.5 is deliverable: 18.75 -> 12.5 */
  f = F("25s,50s");
  p.formulary = f;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) == AZA_OK);
  CHECK_NEAR(out.dose_mg, 12.5, TOL);

  /* bad modifiers */
  aza_formulary_default(&p.formulary);
  memset(&m, 0, sizeof m);
  m.use_percent = 1;
  m.percent = 120;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  CHECK_STR(err.msg, "percentage 120 % is outside 0–100 %");
  m.percent = -5;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  m.percent = NAN;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  m.percent = 0;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  CHECK_STR(err.msg, "percentage 0 % is not positive");
  m.percent = 50;
  m.percent_band = 1;
  m.percent_lo = 80;
  m.percent_hi = 30;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EDOSE);
  CHECK_STR(err.msg, "percentage band 80–30 %: the low end is above the high "
                     "end");
  m.percent_lo = 60;
  m.percent_hi = 80;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EDOSE);
  CHECK_STR(err.msg, "percentage 50 % is outside its band 60–80 %");
  m.percent_lo = 30;
  m.percent_hi = 101;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  memset(&m, 0, sizeof m);
  m.use_fraction = 1;
  m.fraction = 1.5;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  CHECK_STR(err.msg, "fraction 1.5 is outside (0, 1]");
  m.fraction = 0;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  m.fraction = 0.25;
  CHECK(aza_dose_modify(&p, &m, &out, tr, 0, &n, &err) == AZA_EARG);
  m.use_fraction = 0;
  m.use_reduce = 1;
  m.reduce_percent = 150;
  CHECK(aza_dose_modify(&p, &m, &out, tr, AZA_MOD_COUNT, &n, &err) ==
        AZA_EVALUE);
  CHECK_STR(err.msg, "reduction 150 % is outside 0–100 %");
}

static void test_regimen(void) {
  aza_formulary f;
  aza_regimen r;
  aza_regimen_opts o;
  aza_err err;
  memset(&o, 0, sizeof o);
  aza_formulary_default(&f);

  /* 150 = 3 x 50 once daily (3 pieces; 6 x 25 would be 6) */
  CHECK(aza_dose_regimen(150, &f, NULL, &r, &err) == AZA_OK);
  CHECK(!r.alternating && r.ndays == 1 && r.day[0].nadmin == 1);
  CHECK(r.day[0].admin[0].nitems == 1);
  CHECK_NEAR(r.day[0].admin[0].item[0].strength_mg, 50, TOL);
  CHECK(r.day[0].admin[0].item[0].halves == 6);
  CHECK(r.day[0].admin[0].pieces == 3);
  CHECK_NEAR(r.weekly_mg, 1050, TOL); /* 7 x 150 */

  /* 75 = 50 + 25 (2 whole) rather than 1.5 x 50 (2 pieces, one half) */
  CHECK(aza_dose_regimen(75, &f, NULL, &r, &err) == AZA_OK);
  CHECK(r.day[0].admin[0].nitems == 2);
  CHECK(r.day[0].admin[0].item[0].halves == 2);
  CHECK(r.day[0].admin[0].item[1].halves == 2);
  CHECK_NEAR(r.day[0].admin[0].item[1].strength_mg, 25, TOL);
  /* 75 with 50s only: 1.5 x 50 = 3 halves */
  f = F("50s");
  CHECK(aza_dose_regimen(75, &f, NULL, &r, &err) == AZA_OK);
  CHECK(r.day[0].admin[0].nitems == 1 && r.day[0].admin[0].item[0].halves == 3);
  CHECK(r.day[0].admin[0].pieces == 2);
  /* 62.5 with 25 and scored 75: 25 + half of 75 */
  f = F("25,75s");
  CHECK(aza_dose_regimen(62.5, &f, NULL, &r, &err) == AZA_OK);
  CHECK(r.day[0].admin[0].nitems == 2);
  CHECK_NEAR(r.day[0].admin[0].item[0].strength_mg, 75, TOL);
  CHECK(r.day[0].admin[0].item[0].halves == 1);
  CHECK(r.day[0].admin[0].item[1].halves == 2);

  /* 37.5 with a scored 75: half a 75 mg tablet */
  f = F("25,50s,75s");
  CHECK(aza_dose_regimen(37.5, &f, NULL, &r, &err) == AZA_OK);
  CHECK(!r.alternating && r.day[0].admin[0].nitems == 1);
  CHECK_NEAR(r.day[0].admin[0].item[0].strength_mg, 75, TOL);
  CHECK(r.day[0].admin[0].item[0].halves == 1);
  CHECK_NEAR(r.weekly_mg, 262.5, TOL); /* 7 x 37.5 */
  /* 37.5 without it: E_NODOSE, or 25/50 alternating when allowed */
  aza_formulary_default(&f);
  CHECK(aza_dose_regimen(37.5, &f, &o, &r, &err) == AZA_ENODOSE);
  CHECK_STR(err.msg, "37.5 mg/day is not deliverable with 25 mg, 50 mg "
                     "(scored) and alternate-day dosing is not allowed");
  o.allow_alternate = 1;
  CHECK(aza_dose_regimen(37.5, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.alternating && r.ndays == 2);
  CHECK_NEAR(r.day[0].mg, 25, TOL);
  CHECK_NEAR(r.day[1].mg, 50, TOL);
  CHECK_NEAR(r.mean_mg_per_day, 37.5, TOL);
  CHECK_NEAR(r.weekly_mg, 250, TOL); /* 4 x 25 + 3 x 50 */
  /* 30 mg/day: 2 x 30 = 60 is no sum of two multiples of 25 */
  CHECK(aza_dose_regimen(30, &f, &o, &r, &err) == AZA_ENODOSE);
  CHECK_CONTAINS(err.msg, "not even on alternate days");
  o.allow_alternate = 0;

  /* twice daily above 100: 150 = 75 + 75, each 50 + 25 */
  o.split_above_mg = 100;
  CHECK(aza_dose_regimen(150, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.day[0].nadmin == 2);
  CHECK_NEAR(r.day[0].admin[0].mg, 75, TOL);
  CHECK_NEAR(r.day[0].admin[1].mg, 75, TOL);
  /* 100 is not above 100: once daily */
  CHECK(aza_dose_regimen(100, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.day[0].nadmin == 1);
  /* 125 twice daily: 62.5 is not deliverable -> 75 + 50 */
  o.split_above_mg = 0;
  o.twice_daily = 1;
  CHECK(aza_dose_regimen(125, &f, &o, &r, &err) == AZA_OK);
  CHECK_NEAR(r.day[0].admin[0].mg, 75, TOL);
  CHECK_NEAR(r.day[0].admin[1].mg, 50, TOL);
  /* 25 cannot be split with 25 unscored + 50 scored? 12.5 + 12.5: no */
  CHECK(aza_dose_regimen(25, &f, &o, &r, &err) == AZA_ENODOSE);
  CHECK_CONTAINS(err.msg, "cannot be split into two administrations");
  o.twice_daily = 0;

  /* bad amounts */
  CHECK(aza_dose_regimen(37.3, &f, &o, &r, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "daily amount 37.3 mg/day is not a multiple of 0.25 mg");
  CHECK(aza_dose_regimen(0, &f, &o, &r, &err) == AZA_EVALUE);
  CHECK(aza_dose_regimen(NAN, &f, &o, &r, &err) == AZA_EVALUE);
  o.split_above_mg = -1;
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_EVALUE);
  o.split_above_mg = 0;

  /* a daily regimen reports 7 dosing days */
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.days_per_week == 7 && r.dosing_day[0] && r.dosing_day[6]);

  /* weekly schedule: 25 mg on 3 days (days 0, 2, 4): 75 mg/week, 75/7 a day */
  o.days_per_week = 3;
  CHECK(aza_dose_regimen(25, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.days_per_week == 3 && r.ndays == 1 && !r.alternating);
  CHECK(r.dosing_day[0] && !r.dosing_day[1] && r.dosing_day[2]);
  CHECK(!r.dosing_day[3] && r.dosing_day[4] && !r.dosing_day[5]);
  CHECK(!r.dosing_day[6]);
  CHECK_NEAR(r.day[0].mg, 25, TOL);
  CHECK_NEAR(r.weekly_mg, 75, TOL);
  CHECK_NEAR(r.mean_mg_per_day, 75.0 / 7, TOL);
  /* 2 days: 0 and 3 (floor(7/2)); 1 day: day 0 only */
  o.days_per_week = 2;
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.dosing_day[0] && r.dosing_day[3] && !r.dosing_day[1]);
  CHECK_NEAR(r.weekly_mg, 100, TOL);
  o.days_per_week = 1;
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_OK);
  CHECK(r.dosing_day[0] && !r.dosing_day[2] && !r.dosing_day[5]);
  CHECK_NEAR(r.mean_mg_per_day, 50.0 / 7, TOL);
  /* a dosing-day amount must be deliverable: no alternation in a week */
  o.days_per_week = 3;
  o.allow_alternate = 1;
  CHECK(aza_dose_regimen(37.5, &f, &o, &r, &err) == AZA_ENODOSE);
  CHECK_STR(err.msg, "37.5 mg on each dosing day is not deliverable with "
                     "25 mg, 50 mg (scored)");
  o.allow_alternate = 0;
  /* 7 is every day; outside 0-7 is refused */
  o.days_per_week = 7;
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_OK);
  CHECK_NEAR(r.weekly_mg, 350, TOL);
  o.days_per_week = 8;
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "days per week 8 is outside 1-7 (0: every day)");
  o.days_per_week = -1;
  CHECK(aza_dose_regimen(50, &f, &o, &r, &err) == AZA_EVALUE);
}

static void test_titration(void) {
  aza_titration_in in;
  aza_titration_step s[16];
  size_t n;
  aza_err err;
  aza_qty start = Q("50 mg/d"), step = Q("50 mg/d"), tgt = Q("2.5 mg/kg/d"),
          w = Q("80 kg");

  /* 80 kg x 2.5 = 200; 50 + 50 every 2 weeks: 50@0 100@2 150@4 200@6 */
  memset(&in, 0, sizeof in);
  in.start = &start;
  in.step = &step;
  in.every_weeks = 2;
  in.target = &tgt;
  in.weight = &w;
  in.start_date = "2026-01-05";
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_OK);
  CHECK(n == 4);
  if (n == 4) {
    CHECK_NEAR(s[0].mg, 50, TOL);
    CHECK_NEAR(s[1].mg, 100, TOL);
    CHECK_NEAR(s[2].mg, 150, TOL);
    CHECK_NEAR(s[3].mg, 200, TOL);
    CHECK(s[0].week == 0 && s[1].week == 2 && s[2].week == 4 && s[3].week == 6);
    CHECK_STR(s[0].date, "2026-01-05");
    CHECK_STR(s[1].date, "2026-01-19");
    CHECK_STR(s[2].date, "2026-02-02");
    CHECK_STR(s[3].date, "2026-02-16");
  }
  /* room for 3 steps only */
  CHECK(aza_dose_titration(&in, s, 3, &n, &err) == AZA_ETOOBIG);

  /* IBD 70 kg: target 150, +50 every 2 weeks: 50@0 100@2 150@4 */
  tgt = Q("150 mg/d");
  in.start_date = NULL;
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_OK);
  CHECK(n == 3 && s[2].week == 4 && s[2].date[0] == '\0');
  CHECK_NEAR(s[2].mg, 150, TOL);
  /* step 40: 50, 90->75, 130->125, 170 >= 150 -> 150 */
  step = Q("40 mg/d");
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_OK);
  CHECK(n == 4);
  CHECK_NEAR(s[1].mg, 75, TOL);
  CHECK_NEAR(s[2].mg, 125, TOL);
  CHECK_NEAR(s[3].mg, 150, TOL);
  CHECK(s[3].week == 6);
  /* lupus, 70 kg: 1 mg/kg/d = 70 -> 50 for 4 weeks, then the target */
  w = Q("70 kg");
  start = Q("1 mg/kg/d");
  in.step = NULL;
  in.every_weeks = 4;
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_OK);
  CHECK(n == 2);
  CHECK_NEAR(s[0].mg, 50, TOL);
  CHECK_NEAR(s[1].mg, 150, TOL);
  CHECK(s[1].week == 4);
  /* a start above the target: the target, at week 0 */
  start = Q("200 mg/d");
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_OK);
  CHECK(n == 1 && s[0].week == 0);
  CHECK_NEAR(s[0].mg, 150, TOL);

  /* errors */
  start = Q("50 mg/d");
  tgt = Q("140 mg/d");
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_EDOSE);
  CHECK_STR(err.msg, "target 140 mg/day is not deliverable with 25 mg, 50 mg "
                     "(scored)");
  tgt = Q("150 mg/d");
  in.every_weeks = 0;
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "interval 0 weeks is outside 1–52 weeks");
  in.every_weeks = 2;
  in.start_date = "2026-02-29";
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_EVALUE);
  CHECK_STR(err.msg, "date '2026-02-29' is not a valid yyyy-mm-dd date");
  in.start_date = NULL;
  in.weight = NULL;
  start = Q("1 mg/kg/d");
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_EVALUE);
  CHECK_CONTAINS(err.msg, "needs the weight");
  start = Q("50 mg");
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_EDIM);
  start = Q("50 mg/d");
  step = Q("0.01 mg/d");
  in.step = &step;
  CHECK(aza_dose_titration(&in, s, 16, &n, &err) == AZA_EVALUE);
  CHECK_CONTAINS(err.msg, "is too small");
}

static void test_dates(void) {
  long d;
  char buf[11];
  aza_err err;
  CHECK(aza_date_parse("1970-01-01", &d, &err) == AZA_OK && d == 0);
  CHECK(aza_date_parse("2026-11-21", &d, &err) == AZA_OK && d == 20778);
  CHECK(aza_date_parse("2028-02-26", &d, &err) == AZA_OK);
  CHECK(aza_date_format(d + 7, buf, &err) == AZA_OK);
  CHECK_STR(buf, "2028-03-04"); /* 2028 is a leap year */
  CHECK(aza_date_parse("2024-02-29", &d, &err) == AZA_OK);
  CHECK(aza_date_parse("1900-02-29", &d, &err) == AZA_EVALUE);
  CHECK(aza_date_parse("2000-02-29", &d, &err) == AZA_OK);
  CHECK(aza_date_parse("2026-13-01", &d, &err) == AZA_EVALUE);
  CHECK(aza_date_parse("2026-1-01", &d, &err) == AZA_EVALUE);
  CHECK(aza_date_parse("2026-01-01T", &d, &err) == AZA_EVALUE);
  CHECK(aza_date_parse("0000-01-01", &d, &err) == AZA_EVALUE);
  CHECK(aza_date_parse("1969-12-31", &d, &err) == AZA_OK && d == -1);
  CHECK(aza_date_format(-1, buf, &err) == AZA_OK);
  CHECK_STR(buf, "1969-12-31");
  /* the ends of the years 0001-9999, and far outside them (no overflow) */
  CHECK(aza_date_format(-719162L, buf, &err) == AZA_OK);
  CHECK_STR(buf, "0001-01-01");
  CHECK(aza_date_format(2932896L, buf, &err) == AZA_OK);
  CHECK_STR(buf, "9999-12-31");
  CHECK(aza_date_format(2932897L, buf, &err) == AZA_EVALUE);
  CHECK(aza_date_format(LONG_MAX, buf, &err) == AZA_EVALUE);
  CHECK(aza_date_format(LONG_MIN, buf, &err) == AZA_EVALUE);
}

int main(void) {
  test_formulary();
  test_round();
  test_target();
  test_modify();
  test_regimen();
  test_titration();
  test_dates();
  return tap_done("test_dose");
}
