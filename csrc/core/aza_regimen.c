/*
** aza_regimen.c
** Dose maths over days and weeks: the regimen (which tablets, once or
** twice daily, alternate days), titration schedules, and civil dates.
** Pure C99: no heap, no globals, no printing. Amounts are in quarter
** milligrams as in aza_dose.c.
*/
#include <math.h>
#include <string.h>

#include "aza_dose_int.h"

#define BUDGET   2000000L /* nodes of the regimen search */
#define STEPSMAX 1000     /* titration steps before deduplication */

/* {====================================================================
** Regimen
** ===================================================================== */

typedef struct search {
  const dctx *c;
  int cnt[NPIECES];
  int best[NPIECES];
  int best_pieces, best_halves, found;
  long budget;
} search;

/*
** Depth-first over pieces (largest first), counts from the most down:
** the first solution of a given cost is the one with the largest pieces,
** and a later one replaces it only when strictly better.
*/
static void dfs(search *s, size_t i, long rem, int pieces, int halves) {
  const piece *pc;
  long c, maxc;
  if (--s->budget < 0) {
    return;
  }
  if (rem == 0) {
    if (!s->found || pieces < s->best_pieces ||
        (pieces == s->best_pieces && halves < s->best_halves)) {
      memcpy(s->best, s->cnt, sizeof s->best);
      s->best_pieces = pieces;
      s->best_halves = halves;
      s->found = 1;
    }
    return;
  }
  if (i == s->c->np) {
    return;
  }
  pc = &s->c->p[i];
  if (s->found && pieces + (rem + pc->q - 1) / pc->q > s->best_pieces) {
    return; /* even all-largest cannot beat the best */
  }
  maxc = rem / pc->q;
  if (pc->half && maxc > 1) {
    maxc = 1; /* two halves of one strength: one whole tablet is better */
  }
  for (c = maxc; c >= 0; c--) {
    s->cnt[i] = (int)c;
    dfs(s, i + 1, rem - c * pc->q, pieces + (int)c,
        halves + (pc->half ? (int)c : 0));
  }
  s->cnt[i] = 0;
}

static aza_status build_admin(const dctx *c, long q, aza_admin *a,
                              aza_err *err) {
  search s;
  size_t i, t, order[AZA_FORMULARY_MAX];
  memset(&s, 0, sizeof s);
  memset(a, 0, sizeof *a);
  s.c = c;
  s.budget = BUDGET;
  dfs(&s, 0, q, 0, 0);
  if (s.budget < 0) {
    return aza_err_set(err, AZA_ETOOBIG, 0,
                       "the formulary is too irregular to choose tablets for "
                       "%g mg",
                       azai_q2mg(q));
  }
  if (!s.found) { /* the callers checked the set: not reached */
    return aza_err_set(err, AZA_ENODOSE, 0, "%g mg is not deliverable",
                       azai_q2mg(q));
  }
  a->mg = azai_q2mg(q);
  a->pieces = s.best_pieces;
  for (i = 0; i < c->f.n; i++) { /* strengths, largest first */
    order[i] = i;
    for (t = i; t > 0 && c->f.tab[order[t]].mg > c->f.tab[order[t - 1]].mg;
         t--) {
      size_t x = order[t];
      order[t] = order[t - 1];
      order[t - 1] = x;
    }
  }
  for (t = 0; t < c->f.n; t++) {
    int halves = 0;
    for (i = 0; i < c->np; i++) {
      if (c->p[i].tab == (int)order[t]) {
        halves += s.best[i] * (c->p[i].half ? 1 : 2);
      }
    }
    if (halves > 0) {
      a->item[a->nitems].strength_mg = c->f.tab[order[t]].mg;
      a->item[a->nitems].scored = c->f.tab[order[t]].scored != 0;
      a->item[a->nitems].halves = halves;
      a->nitems++;
    }
  }
  return AZA_OK;
}

static aza_status build_day(dctx *c, long q, const aza_regimen_opts *o,
                            aza_day *d, aza_err *err) {
  int twice = o->twice_daily || (o->split_above_mg > 0 &&
                                 azai_q2mg(q) > o->split_above_mg + 1e-9);
  aza_status st;
  memset(d, 0, sizeof *d);
  d->mg = azai_q2mg(q);
  if (!twice) {
    d->nadmin = 1;
    return build_admin(c, q, &d->admin[0], err);
  } else {
    long a;
    for (a = (q + 1) / 2; a < q; a++) { /* nearest-equal first */
      if (azai_ctx_has(c, a) && azai_ctx_has(c, q - a)) {
        break;
      }
    }
    if (a >= q) {
      char fb[AZA_MSGSZ];
      aza_formulary_format(&c->f, fb, sizeof fb);
      return aza_err_set(err, AZA_ENODOSE, 0,
                         "%g mg/day cannot be split into two administrations "
                         "with %s",
                         azai_q2mg(q), fb);
    }
    d->nadmin = 2;
    st = build_admin(c, a, &d->admin[0], err);
    if (st == AZA_OK) {
      st = build_admin(c, q - a, &d->admin[1], err);
    }
    return st;
  }
}

/*
** A weekly schedule: the amount q on `days` days of each week, spread
** through it (day floor(i x 7 / days)); the amount must be deliverable.
*/
static aza_status weekly(dctx *c, long q, const aza_regimen_opts *o,
                         aza_regimen *out, aza_err *err) {
  int i, days = o->days_per_week;
  if (!azai_ctx_has(c, q)) {
    char fb[AZA_MSGSZ];
    aza_formulary_format(&c->f, fb, sizeof fb);
    return aza_err_set(err, AZA_ENODOSE, 0,
                       "%g mg on each dosing day is not deliverable with %s",
                       azai_q2mg(q), fb);
  }
  out->days_per_week = days;
  for (i = 0; i < AZA_WEEK_DAYS; i++) {
    out->dosing_day[i] = 0;
  }
  for (i = 0; i < days; i++) {
    out->dosing_day[i * AZA_WEEK_DAYS / days] = 1;
  }
  out->ndays = 1;
  out->weekly_mg = days * azai_q2mg(q);
  out->mean_mg_per_day = out->weekly_mg / AZA_WEEK_DAYS;
  return build_day(c, q, o, &out->day[0], err);
}

aza_status aza_dose_regimen(double mg_per_day, const aza_formulary *f,
                            const aza_regimen_opts *opts, aza_regimen *out,
                            aza_err *err) {
  dctx c;
  aza_regimen_opts o;
  long q, a;
  aza_status st;
  if (out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no regimen given");
  }
  memset(&o, 0, sizeof o);
  if (opts != NULL) {
    o = *opts;
  }
  if (o.days_per_week < 0 || o.days_per_week > AZA_WEEK_DAYS) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "days per week %d is outside 1-7 (0: every day)",
                       o.days_per_week);
  }
  if (!isfinite(o.split_above_mg) || o.split_above_mg < 0) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "split threshold %g mg/day is not a finite number >= 0",
                       o.split_above_mg);
  }
  st = azai_ctx_init(&c, f, err);
  if (st == AZA_OK) {
    st = azai_check_amount("daily amount", mg_per_day, err);
  }
  if (st != AZA_OK) {
    return st;
  }
  q = (long)floor(mg_per_day * QPERMG + 0.5);
  if (fabs(mg_per_day * QPERMG - (double)q) > EPS_Q) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "daily amount %g mg/day is not a multiple of %g mg",
                       mg_per_day, AZA_DOSE_RES_MG);
  }
  memset(out, 0, sizeof *out);
  out->mean_mg_per_day = azai_q2mg(q);
  out->days_per_week = AZA_WEEK_DAYS;
  for (a = 0; a < AZA_WEEK_DAYS; a++) {
    out->dosing_day[a] = 1;
  }
  if (o.days_per_week > 0 && o.days_per_week < AZA_WEEK_DAYS) {
    return weekly(&c, q, &o, out, err);
  }
  if (azai_ctx_has(&c, q)) {
    out->ndays = 1;
    out->weekly_mg = 7 * azai_q2mg(q);
    return build_day(&c, q, &o, &out->day[0], err);
  }
  if (o.allow_alternate) {
    azai_ctx_reach(&c, 2 * q);
    for (a = q - 1; a >= 1; a--) { /* day A below, day B = 2q - a above */
      if (azai_ctx_has(&c, a) && azai_ctx_has(&c, 2 * q - a)) {
        break;
      }
    }
    if (a >= 1) {
      out->alternating = 1;
      out->ndays = 2;
      out->weekly_mg = 4 * azai_q2mg(a) + 3 * azai_q2mg(2 * q - a);
      st = build_day(&c, a, &o, &out->day[0], err);
      if (st == AZA_OK) {
        st = build_day(&c, 2 * q - a, &o, &out->day[1], err);
      }
      return st;
    }
  }
  {
    char fb[AZA_MSGSZ];
    aza_formulary_format(&c.f, fb, sizeof fb);
    if (o.allow_alternate) {
      return aza_err_set(err, AZA_ENODOSE, 0,
                         "%g mg/day is not deliverable with %s, not even on "
                         "alternate days",
                         azai_q2mg(q), fb);
    }
    return aza_err_set(err, AZA_ENODOSE, 0,
                       "%g mg/day is not deliverable with %s and alternate-day "
                       "dosing is not allowed",
                       azai_q2mg(q), fb);
  }
}

/* }==================================================================== */

/* {====================================================================
** Civil dates (Howard Hinnant's days_from_civil / civil_from_days)
** ===================================================================== */

long aza_days_from_civil(long y, long m, long d) {
  long era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void aza_civil_from_days(long z, long *y, long *m, long *d) {
  long era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

int aza_is_leap(long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

aza_status aza_date_parse(const char *text, long *days, aza_err *err) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  long y = 0, m, d;
  int i, ok = text != NULL && strlen(text) == 10;
  for (i = 0; ok && i < 10; i++) {
    if (i == 4 || i == 7) {
      ok = text[i] == '-';
    } else {
      ok = text[i] >= '0' && text[i] <= '9';
    }
  }
  if (ok) {
    y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
        (text[3] - '0');
    m = (text[5] - '0') * 10 + (text[6] - '0');
    d = (text[8] - '0') * 10 + (text[9] - '0');
    ok = y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
         d <= mdays[m - 1] + (m == 2 && aza_is_leap(y));
    if (ok && days != NULL) {
      *days = aza_days_from_civil(y, m, d);
    }
  }
  if (!ok) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "date '%.40s' is not a valid yyyy-mm-dd date",
                       text != NULL ? text : "(null)");
  }
  return AZA_OK;
}

aza_status aza_date_format(long days, char buf[11], aza_err *err) {
  long y = 0, m = 0, d = 0;
  /* 0001-01-01 is day -719162 and 9999-12-31 day 2932896 of the epoch */
  if (days >= -719162L && days <= 2932896L) {
    aza_civil_from_days(days, &y, &m, &d);
  }
  if (y < 1 || y > 9999) {
    buf[0] = '\0';
    return aza_err_set(err, AZA_EVALUE, 0, "date outside years 0001–9999");
  }
  buf[0] = (char)('0' + y / 1000);
  buf[1] = (char)('0' + y / 100 % 10);
  buf[2] = (char)('0' + y / 10 % 10);
  buf[3] = (char)('0' + y % 10);
  buf[4] = '-';
  buf[5] = (char)('0' + m / 10);
  buf[6] = (char)('0' + m % 10);
  buf[7] = '-';
  buf[8] = (char)('0' + d / 10);
  buf[9] = (char)('0' + d % 10);
  buf[10] = '\0';
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Titration
** ===================================================================== */

/* a daily amount that is deliverable: exact for mg/d, down for mg/kg/d */
static aza_status titration_amount(dctx *c, const char *what, const aza_qty *q,
                                   double kg, long *out, aza_err *err) {
  double mg;
  int per_kg;
  long n;
  aza_status st = azai_get_daily(what, q, kg, 1, &mg, &per_kg, err);
  if (st != AZA_OK) {
    return st;
  }
  if (per_kg) {
    return azai_ctx_down(c, mg, out, err);
  }
  n = (long)floor(mg * QPERMG + 0.5);
  if (fabs(mg * QPERMG - (double)n) > EPS_Q || !azai_ctx_has(c, n)) {
    char fb[AZA_MSGSZ];
    aza_formulary_format(&c->f, fb, sizeof fb);
    return aza_err_set(err, AZA_EDOSE, 0,
                       "%s %g mg/day is not deliverable with %s", what, mg, fb);
  }
  *out = n;
  return AZA_OK;
}

static aza_status push_step(aza_titration_step *steps, size_t cap, size_t *n,
                            long q, long week, int dated, long day0,
                            aza_err *err) {
  aza_titration_step *s;
  if (*n >= cap) {
    return aza_err_set(err, AZA_ETOOBIG, 0,
                       "the titration needs more than %zu steps", cap);
  }
  s = &steps[(*n)++];
  memset(s, 0, sizeof *s);
  s->mg = azai_q2mg(q);
  s->week = (int)week;
  if (dated) {
    return aza_date_format(day0 + week * 7, s->date, err);
  }
  return AZA_OK;
}

aza_status aza_dose_titration(const aza_titration_in *in,
                              aza_titration_step *steps, size_t cap,
                              size_t *nsteps, aza_err *err) {
  dctx c;
  double kg = 0, step_mg = 0;
  long start, target, last, i, day0 = 0;
  int dated;
  aza_status st;
  if (in == NULL || steps == NULL || nsteps == NULL || in->start == NULL ||
      in->target == NULL) {
    return aza_err_set(err, AZA_EARG, 0,
                       "a titration needs a start, a target and room for "
                       "steps");
  }
  *nsteps = 0;
  dated = in->start_date != NULL;
  st = azai_ctx_init(&c, in->formulary, err);
  if (st == AZA_OK && in->weight != NULL) {
    st = azai_get_weight(in->weight, &kg, err);
  }
  if (st == AZA_OK && (in->every_weeks < 1 || in->every_weeks > 52)) {
    return aza_err_set(err, AZA_EVALUE, 0,
                       "interval %d weeks is outside 1–52 weeks",
                       in->every_weeks);
  }
  if (st == AZA_OK && dated) {
    st = aza_date_parse(in->start_date, &day0, err);
  }
  if (st == AZA_OK) {
    st = titration_amount(&c, "start", in->start, kg, &start, err);
  }
  if (st == AZA_OK) {
    st = titration_amount(&c, "target", in->target, kg, &target, err);
  }
  if (st == AZA_OK && in->step != NULL) {
    int per_kg;
    st = azai_get_daily("step", in->step, kg, 0, &step_mg, &per_kg, err);
    if (st == AZA_OK &&
        (azai_q2mg(target) - azai_q2mg(start)) / step_mg > (double)STEPSMAX) {
      return aza_err_set(err, AZA_EVALUE, 0,
                         "step %g mg/day is too small: more than %d steps "
                         "from %g to %g mg/day",
                         step_mg, STEPSMAX, azai_q2mg(start),
                         azai_q2mg(target));
    }
  }
  if (st != AZA_OK) {
    return st;
  }
  if (start >= target) { /* never above the target */
    return push_step(steps, cap, nsteps, target, 0, dated, day0, err);
  }
  st = push_step(steps, cap, nsteps, start, 0, dated, day0, err);
  last = start;
  for (i = 1; st == AZA_OK; i++) {
    double raw = in->step != NULL ? azai_q2mg(start) + (double)i * step_mg
                                  : azai_q2mg(target);
    long week = i * in->every_weeks;
    if (raw >= azai_q2mg(target) - AZA_DOSE_EPS_MG) {
      return push_step(steps, cap, nsteps, target, week, dated, day0, err);
    } else {
      long q;
      st = azai_ctx_down(&c, raw, &q, err);
      if (st == AZA_OK && q > last) {
        st = push_step(steps, cap, nsteps, q, week, dated, day0, err);
        last = q;
      }
    }
  }
  return st;
}

/* }==================================================================== */
