/*
** aza_dose_int.h
** Private to the dose maths (aza_dose.c, aza_regimen.c): deliverable
** amounts in quarter milligrams, the deliverable set of a formulary, and
** the checked quantity inputs that titration shares with the target.
*/
#ifndef aza_dose_int_h
#define aza_dose_int_h

#include <stddef.h>

#include "aza_dose.h"

#define QPERMG  4 /* quarter milligrams per mg: 1 / AZA_DOSE_RES_MG */
#define MAX_Q   ((long)AZA_DOSE_MAX_MG * QPERMG)
#define EPS_Q   (AZA_DOSE_EPS_MG * QPERMG)
#define NPIECES (2 * AZA_FORMULARY_MAX)

typedef struct piece {
  long q;   /* amount in quarter mg */
  int tab;  /* index in the formulary */
  int half; /* 1: half a scored tablet (used at most once per strength) */
} piece;

typedef struct dctx {
  aza_formulary f;
  piece p[NPIECES]; /* largest first; a whole before a half of equal q */
  size_t np;
  long top; /* bits valid for 0..top; -1 before the first build */
  unsigned char bits[(2 * MAX_Q) / 8 + 1];
} dctx;

/* a checked formulary (NULL: the default) with no amounts built yet */
AZAI_FUNC aza_status azai_ctx_init(dctx *c, const aza_formulary *f,
                                   aza_err *err);

/* the deliverable set up to `top` (unbounded sums of pieces) */
AZAI_FUNC void azai_ctx_reach(dctx *c, long top);

/* 1 when n > 0 quarter mg is deliverable */
AZAI_FUNC int azai_ctx_has(dctx *c, long n);

/* the largest deliverable amount <= limit_mg; ENODOSE when none */
AZAI_FUNC aza_status azai_ctx_down(dctx *c, double limit_mg, long *out,
                                   aza_err *err);

/* quarter milligrams to mg */
AZAI_FUNC double azai_q2mg(long q);

/* a positive finite amount in mg/day up to AZA_DOSE_MAX_MG */
AZAI_FUNC aza_status azai_check_amount(const char *what, double mg,
                                       aza_err *err);

/* a body weight in kg, checked against AZA_WEIGHT_MIN_KG..MAX_KG */
AZAI_FUNC aza_status azai_get_weight(const aza_qty *w, double *kg,
                                     aza_err *err);

/*
** A daily amount: mg/d (always), or mg/kg/d x weight_kg when per_kg_ok
** (*per_kg = 1 then). weight_kg 0 means no weight.
*/
AZAI_FUNC aza_status azai_get_daily(const char *what, const aza_qty *q,
                                    double weight_kg, int per_kg_ok, double *mg,
                                    int *per_kg, aza_err *err);

/*
** t mg rounded to a deliverable amount by `mode`, within [lo, hi] for
** nearest_in_band (aza_dose.c; the modifiers of aza_modify.c use it too)
*/
AZAI_FUNC aza_status azai_ctx_round(dctx *c, aza_rounding mode, double t,
                                    double lo, double hi, aza_rounded *out,
                                    aza_err *err);

#endif
