/*
** aza_dose.h
** Dose maths: weight-based targets, rounding to what a formulary can
** deliver, dose modifiers with a trace, regimens and titration schedules.
** See docs/dose-maths.md (the worked examples) and design.md section 4.
**
** Conventions of this header:
** - Every dose amount is a daily amount in mg/day (a double) at the API;
**   inside, deliverable amounts are integers in units of AZA_DOSE_RES_MG
**   (0.25 mg), so rounding never compares doses with a float `==`.
** - A double computed from a quantity (a target, a band end, a cap) is
**   compared with a deliverable amount with the tolerance AZA_DOSE_EPS_MG
**   (1e-6 mg): 2.5 mg/kg/d x 70 kg counts as exactly 175 mg whatever the
**   last bit of the product is.
** - No heap, no globals, no printing. Results go to caller-owned structs;
**   errors to an optional caller-owned aza_err.
*/
#ifndef aza_dose_h
#define aza_dose_h

#include <stddef.h>

#include "aza_conf.h"
#include "aza_status.h"
#include "aza_unit.h"

/* {====================================================================
** Limits (each may be overridden from the build)
** ===================================================================== */

/* most tablet strengths in one formulary */
#if !defined(AZA_FORMULARY_MAX)
#define AZA_FORMULARY_MAX 8
#endif

/* largest tablet strength accepted, mg */
#if !defined(AZA_STRENGTH_MAX_MG)
#define AZA_STRENGTH_MAX_MG 1000
#endif

/* largest daily amount the dose maths handles, mg/day */
#if !defined(AZA_DOSE_MAX_MG)
#define AZA_DOSE_MAX_MG 5000
#endif

/* bytes of a modifier's label kept in its trace entry, with the NUL */
#if !defined(AZA_WHY_MAX)
#define AZA_WHY_MAX 64
#endif

/* accepted body weight, kg (design: 0.5 to 500 kg) */
#define AZA_WEIGHT_MIN_KG 0.5
#define AZA_WEIGHT_MAX_KG 500.0

/* resolution of deliverable amounts: halves of 0.5 mg-multiple tablets */
#define AZA_DOSE_RES_MG 0.25
/* tolerance between a computed amount and a deliverable one */
#define AZA_DOSE_EPS_MG 1e-6

/* }==================================================================== */

/* {====================================================================
** Formulary
** ===================================================================== */

typedef struct aza_tablet {
  double mg;  /* strength: finite, > 0, <= AZA_STRENGTH_MAX_MG, k x 0.5 mg */
  int scored; /* 1: may be halved */
} aza_tablet;

/*
** The tablet strengths a site stocks. The deliverable daily amounts are
** the sums of whole tablets and, for scored tablets, half tablets: with
** 25 mg and scored 50 mg every multiple of 25 mg; with a scored 75 mg
** tablet 37.5 mg too.
*/
typedef struct aza_formulary {
  size_t n;
  aza_tablet tab[AZA_FORMULARY_MAX];
} aza_formulary;

/* the default: 25 mg unscored, 50 mg scored (UK Imuran) */
AZA_API void aza_formulary_default(aza_formulary *f);

/*
** Check a formulary: 1 to AZA_FORMULARY_MAX strengths, each finite, > 0,
** at most AZA_STRENGTH_MAX_MG, a multiple of 0.5 mg, none listed twice.
** Errors: AZA_EFORMULARY ("the formulary is empty", "tablet strength nan
** mg is not a finite number", "tablet strength 0 mg is not positive",
** "tablet strength 12.3 mg is not a multiple of 0.5 mg", ...).
*/
AZA_API aza_status aza_formulary_check(const aza_formulary *f, aza_err *err);

/*
** Parse the compact form "25,50s": strengths in mg separated by commas,
** an `s` marks a scored tablet; spaces are allowed around items. Numbers
** use '.' whatever the locale. The result is checked as above.
** Errors: AZA_EFORMULARY with the 1-based position of the bad item.
*/
AZA_API aza_status aza_formulary_parse(const char *text, aza_formulary *f,
                                       aza_err *err);

/*
** "25 mg, 50 mg (scored)" (snprintf semantics: returns the length it
** needed).
*/
AZA_API size_t aza_formulary_format(const aza_formulary *f, char *buf,
                                    size_t size);

/*
** *yes = 1 when `mg` (a daily amount) is a sum of whole tablets and halves
** of scored tablets. Errors: AZA_EFORMULARY, AZA_EVALUE (not finite, not
** positive, above AZA_DOSE_MAX_MG).
*/
AZA_API aza_status aza_dose_deliverable(const aza_formulary *f, double mg,
                                        int *yes, aza_err *err);

/* }==================================================================== */

/* {====================================================================
** Rounding to deliverable amounts
** ===================================================================== */

typedef enum aza_rounding {
  /*
  ** the deliverable dose nearest the target that lies inside the band
  ** [lo, hi]; if none lies inside, the largest deliverable dose not above
  ** hi; ties go to the lower dose
  */
  AZA_ROUND_NEAREST_IN_BAND = 0,
  /* the largest deliverable dose not above the value */
  AZA_ROUND_DOWN,
  AZA_ROUND_COUNT
} aza_rounding;

/* "nearest_in_band", "down"; "?" for anything else */
AZA_API const char *aza_rounding_name(aza_rounding r);
/* the mode of a name; AZA_EARG ("unknown rounding mode 'up'...") */
AZA_API aza_status aza_rounding_parse(const char *name, aza_rounding *r,
                                      aza_err *err);

typedef struct aza_rounded {
  double mg;        /* the deliverable dose, mg/day */
  double target_mg; /* what was rounded, mg/day */
  double error_pct; /* (mg - target) / target x 100 */
  int in_band;      /* nearest_in_band: 1 when mg lies in [lo, hi];
                       down: always 1 */
} aza_rounded;

/*
** Round `target_mg` with `mode`. nearest_in_band uses [lo_mg, hi_mg]
** (lo <= target <= hi is not required); down ignores lo and hi.
** Errors: AZA_EFORMULARY; AZA_EVALUE (non-finite or non-positive values,
** above AZA_DOSE_MAX_MG); AZA_EDOSE (lo > hi); AZA_ENODOSE when nothing
** deliverable is at or below the limit ("no deliverable dose at or below
** 10 mg/day: the smallest is 25 mg (25 mg, 50 mg (scored))").
*/
AZA_API aza_status aza_dose_round(const aza_formulary *f, aza_rounding mode,
                                  double target_mg, double lo_mg, double hi_mg,
                                  aza_rounded *out, aza_err *err);

/* }==================================================================== */

/* {====================================================================
** Target and plan
** ===================================================================== */

typedef struct aza_target_in {
  const aza_qty *weight;  /* a mass: kg, g, [lb_av]; 0.5 to 500 kg */
  const aza_qty *rate;    /* a dose per body mass and time: mg/kg/d */
  const aza_qty *band_lo; /* optional (NULL): both or neither, as rate */
  const aza_qty *band_hi;
  const aza_formulary *formulary; /* NULL: aza_formulary_default */
  aza_rounding rounding;          /* usually AZA_ROUND_NEAREST_IN_BAND */
} aza_target_in;

/*
** A dose plan: the standard target and the deliverable dose, which the
** modifiers then change. All amounts in mg/day.
*/
typedef struct aza_plan {
  double weight_kg;   /* 0 when unknown (a plan from a current dose) */
  double rate;        /* mg/kg/day, 0 when unknown */
  double standard_mg; /* the unrounded standard dose: rate x weight */
  int has_band;       /* 1: band_lo_mg..band_hi_mg is the standard band */
  double band_lo_mg;
  double band_hi_mg;
  double dose_mg;        /* the current deliverable dose */
  double exact_mg;       /* the unrounded amount dose_mg was rounded from */
  double error_pct;      /* (dose_mg - exact_mg) / exact_mg x 100 */
  int in_band;           /* result of the last rounding (aza_rounded.in_band) */
  aza_rounding rounding; /* mode of the last rounding */
  int modified;          /* number of modifiers that changed the dose */
  aza_formulary formulary;
} aza_plan;

/*
** rate x weight -> mg/day, band -> [lo, hi] mg/day, rounded with
** in->rounding. Without a band the band is [target, target], so that
** nearest_in_band never goes above the target.
** Errors: AZA_EARG (NULL weight or rate, one band end only);
** AZA_EDIM ("rate 150 mg/d is mass/time; a dose per body mass such as
** mg/kg/d is needed"; "weight 70 mg/kg is mass/mass, not a mass");
** AZA_EVALUE ("weight 600 kg is outside 0.5-500 kg", "weight -5 kg is not
** positive", "rate nan mg/kg/d is not a finite number");
** AZA_EDOSE (band low end above its high end; rate outside the band);
** AZA_EFORMULARY; AZA_ENODOSE.
*/
AZA_API aza_status aza_dose_target(const aza_target_in *in, aza_plan *out,
                                   aza_err *err);

/*
** A plan for a patient already on `mg_per_day` (the dose the modifiers act
** on). weight (may be NULL) is needed only for a cap in mg/kg/day.
** Errors: AZA_EVALUE, AZA_EDIM, AZA_EFORMULARY.
*/
AZA_API aza_status aza_dose_current(double mg_per_day, const aza_qty *weight,
                                    const aza_formulary *formulary,
                                    aza_plan *out, aza_err *err);

/* }==================================================================== */

/* {====================================================================
** Modifiers, applied in this fixed order (docs/dose-maths.md):
**   1. percent: a percentage of the STANDARD dose (plan.standard_mg) with
**      its own band of percentages, rounded nearest_in_band against that
**      band (pharmacogenomics: 50 % in 30-80 %)
**   2. reduce: a percentage of the dose so far, rounded down (renal:
**      75 % or 50 %)
**   3. fraction: a fraction of the dose so far, rounded down
**      (allopurinol: 0.25)
**   4. cap: a ceiling in mg/kg/day (x the plan's weight) or mg/day; the
**      dose so far when it is at or below, else rounded down (pregnancy:
**      2 mg/kg/day)
** Each modifier in use produces one trace entry, even when it changes
** nothing.
** ===================================================================== */

typedef enum aza_mod_kind {
  AZA_MOD_PERCENT = 0,
  AZA_MOD_REDUCE,
  AZA_MOD_FRACTION,
  AZA_MOD_CAP,
  AZA_MOD_COUNT
} aza_mod_kind;

/* "percent", "reduce", "fraction", "cap"; "?" for anything else */
AZA_API const char *aza_mod_name(aza_mod_kind k);

typedef struct aza_modifiers {
  int use_percent;
  double percent;    /* (0, 100] */
  int percent_band;  /* 1: percent_lo..percent_hi given; 0: rounded down */
  double percent_lo; /* [0, 100], lo <= percent <= hi */
  double percent_hi;
  const char *percent_why; /* label for the trace, may be NULL */

  int use_reduce;
  double reduce_percent; /* (0, 100] */
  const char *reduce_why;

  int use_fraction;
  double fraction; /* (0, 1] */
  const char *fraction_why;

  const aza_qty *cap; /* NULL: none; mg/kg/d or mg/d, > 0 */
  const char *cap_why;
} aza_modifiers;

typedef struct aza_trace_entry {
  aza_mod_kind kind;
  char why[AZA_WHY_MAX]; /* the caller's label, truncated; "" if none */
  double before_mg;      /* dose before this step */
  double exact_mg;       /* the unrounded amount this step computed */
  double after_mg;       /* deliverable dose after this step */
  double lo_mg;          /* band of a percent step; 0 otherwise */
  double hi_mg;          /* band top of a percent step; the limit of a
                            reduce, fraction or cap step */
  aza_rounding rounding; /* mode this step used */
  double error_pct;      /* (after - exact) / exact x 100 */
  int changed;           /* 1 when after differs from before */
} aza_trace_entry;

/*
** Apply `m` to `in` (not modified; `out` may be the same struct). Trace
** entries go to trace[0..*ntrace-1]; trace_cap must be >= the number of
** modifiers in use (AZA_MOD_COUNT is always enough).
** Errors: AZA_EARG (NULL pointers, trace too small); AZA_EVALUE
** ("percentage 120 % is outside 0-100 %", "fraction 1.5 is outside
** (0, 1]", a cap in mg/kg/day with no weight); AZA_EDOSE (percent band
** low end above its high end, percentage outside its own band); AZA_EDIM
** (cap not mg/kg/d nor mg/d); AZA_ENODOSE (nothing deliverable is low
** enough, e.g. 25 % of 75 mg with 25 mg tablets).
*/
AZA_API aza_status aza_dose_modify(const aza_plan *in, const aza_modifiers *m,
                                   aza_plan *out, aza_trace_entry *trace,
                                   size_t trace_cap, size_t *ntrace,
                                   aza_err *err);

/* }==================================================================== */

/* {====================================================================
** Regimen: which tablets, how often
** ===================================================================== */

/* most dosing days in a week: a daily regimen */
#define AZA_WEEK_DAYS 7

typedef struct aza_regimen_opts {
  double split_above_mg; /* twice daily above this mg/day; 0: never */
  int twice_daily;       /* 1: twice daily whatever the amount */
  int allow_alternate;   /* 1: alternate-day pattern allowed */
  int days_per_week;     /* 0 or 7: every day; 1-6: a weekly schedule, the
                            amount given on this many days of each week */
} aza_regimen_opts;

typedef struct aza_regimen_item {
  double strength_mg;
  int scored;
  int halves; /* count in half tablets: 2 = one tablet, 1 = half, 3 = 1.5 */
} aza_regimen_item;

typedef struct aza_admin {
  double mg;     /* amount of this administration */
  size_t nitems; /* items by strength, largest strength first */
  aza_regimen_item item[AZA_FORMULARY_MAX];
  int pieces; /* whole tablets + half tablets to take */
} aza_admin;

typedef struct aza_day {
  double mg;     /* daily amount */
  size_t nadmin; /* 1 (once daily) or 2 (twice daily) */
  aza_admin admin[2];
} aza_day;

typedef struct aza_regimen {
  int alternating; /* 0: day[0] every day; 1: day[0] and day[1] alternate */
  size_t ndays;    /* 1 or 2 */
  aza_day day[2];  /* alternating: day A (the lower amount), day B */
  double mean_mg_per_day; /* the requested amount; a weekly schedule: its
                             weekly amount / 7 (the day-equivalent) */
  double weekly_mg;  /* 7 x daily; alternating: 4 x A + 3 x B (week starting
                        with day A); a weekly schedule: days x day[0].mg */
  int days_per_week; /* 7, or the dosing days of a weekly schedule */
  int dosing_day[AZA_WEEK_DAYS]; /* 1 for each dosing day of the week (day
                                    0 = the first day of the schedule) */
} aza_regimen;

/*
** Tablets for a daily amount. Each administration uses the fewest pieces
** (a half tablet counts as one piece), then the fewest halves, then the
** largest strengths. Twice daily (when opts->twice_daily, or the amount is
** above opts->split_above_mg > 0) splits into two equal administrations,
** else the two nearest-equal ones (the larger first). When the amount is
** not deliverable and opts->allow_alternate: day A = the largest
** deliverable a below the amount such that 2 x amount - a (day B) is
** deliverable too; the mean of A and B is exactly the amount.
** opts may be NULL (once daily, no alternation).
** A weekly schedule (opts->days_per_week 1 to 6): `mg_per_day` is the
** amount of each dosing day and must be deliverable (no alternation);
** the dosing days are spread through the week, day floor(i x 7 / days)
** for i = 0 .. days - 1 (3 days: days 0, 2, 4, e.g. Mon, Wed, Fri).
** Errors: AZA_EVALUE (not finite, <= 0, above AZA_DOSE_MAX_MG, not a
** multiple of 0.25 mg; days_per_week outside 0-7); AZA_EFORMULARY;
** AZA_ENODOSE ("37.5 mg/day is not deliverable with 25 mg, 50 mg (scored)
** and alternate-day dosing is not allowed"); AZA_ETOOBIG (a formulary too
** irregular to search).
*/
AZA_API aza_status aza_dose_regimen(double mg_per_day, const aza_formulary *f,
                                    const aza_regimen_opts *opts,
                                    aza_regimen *out, aza_err *err);

/* }==================================================================== */

/* {====================================================================
** Titration schedule
** ===================================================================== */

typedef struct aza_titration_in {
  const aza_qty *start;           /* mg/d (must be deliverable) or mg/kg/d (x
                                     weight, rounded down) */
  const aza_qty *step;            /* mg/d, > 0; NULL: straight to the target */
  int every_weeks;                /* interval between steps, 1 to 52 weeks */
  const aza_qty *target;          /* mg/d (must be deliverable) or mg/kg/d (x
                                     weight, rounded down) */
  const aza_qty *weight;          /* needed only for mg/kg/d; may be NULL */
  const char *start_date;         /* "yyyy-mm-dd" or NULL */
  const aza_formulary *formulary; /* NULL: aza_formulary_default */
} aza_titration_in;

typedef struct aza_titration_step {
  double mg;     /* mg/day from this step on */
  int week;      /* offset from the start, weeks */
  char date[11]; /* "yyyy-mm-dd" when a start date was given, else "" */
} aza_titration_step;

/*
** Steps start, start + step, start + 2 x step, ... each rounded down to a
** deliverable amount (a step whose rounded dose equals the previous one is
** left out), at weeks 0, every, 2 x every, ...; a step never exceeds the
** target and the last step is the target. A start above the target gives
** the single step "target at week 0".
** Errors: AZA_EARG (NULL start, target, steps or nsteps); AZA_ETOOBIG
** (more than `cap` steps); AZA_EVALUE (interval outside 1-52 weeks, bad
** date, non-finite or non-positive amounts, mg/kg/d without a weight, a
** step so small that more than 1000 steps would be needed); AZA_EDIM;
** AZA_EDOSE (a fixed start or target that is not deliverable);
** AZA_EFORMULARY; AZA_ENODOSE.
*/
AZA_API aza_status aza_dose_titration(const aza_titration_in *in,
                                      aza_titration_step *steps, size_t cap,
                                      size_t *nsteps, aza_err *err);

/*
** The proleptic Gregorian calendar, the one implementation (the Lua side
** reads it through aza.core): day numbers are days since 1970-01-01, for
** any year (negative years too; H. Hinnant's algorithms).
*/
AZA_API long aza_days_from_civil(long y, long m, long d);
AZA_API void aza_civil_from_days(long days, long *y, long *m, long *d);
AZA_API int aza_is_leap(long y);

/*
** Civil-date helpers (proleptic Gregorian, no time.h): parse a strict
** "yyyy-mm-dd" (years 0001-9999) to a day number (days since 1970-01-01)
** and back. Errors: AZA_EVALUE.
*/
AZA_API aza_status aza_date_parse(const char *text, long *days, aza_err *err);
AZA_API aza_status aza_date_format(long days, char buf[11], aza_err *err);

/* }==================================================================== */

#endif
