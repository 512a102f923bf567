/*
** aza_unit.h
** UCUM units and quantities: parsing, dimensions, conversion, arithmetic.
**
** Model (design.md section 3):
** - A unit is parsed from case-sensitive UCUM (or a lab spelling listed in
**   the explicit alias table) into a list of terms: an atom from the one
**   unit table (aza_units.def), an optional metric prefix, an integer
**   exponent and an optional annotation; plus a numeric factor from
**   literal numbers (`4.s`, `10*-7`, `s/4`).
** - Its dimension is a vector of net exponents over the base dimensions
**   below, plus `mm`, the number of mass/mass pairs the expression holds
**   (mg/kg/d has mass 0, time -1, mm 1, so it is never mistaken for /d).
**   `mm` is computed from the terms: the sum of positive mass exponents
**   when it equals the sum of negative ones (the pairs cancel completely),
**   else 0 (mass remains on a side: mg/kg/d.kg is mg/d), plus the pairs
**   inside the atoms' own definitions (Gy = J/kg holds one).
** - Multiplying or dividing quantities merges terms: the same atom and
**   prefix add exponents; an atom of the same dimension with the opposite
**   sign is converted into the left operand's atom and cancels
**   (2.5 mg/kg/d * 70 kg = 175 mg/d). A mass/mass pair cancels that way
**   only when mass remains on a side (70 [lb_av] * 2 mg/kg/d is mg/d;
**   175 mg/d / 70 kg stays 2.5 mg/d/kg). Dividing quantities of the same
**   dimension gives a pure number ([lb_av]/h / (kg/s) is unity).
** - mol is a base dimension of its own (amount of substance), not a pure
**   number: umol/L never converts to 10*9/L. This is a deliberate safety
**   departure from strict UCUM, documented in docs/units.md.
** - Arbitrary units ([iU], [arb'U], ...) convert only to themselves (with
**   prefixes and other terms free): the dimension records which one.
** - Annotations ({Hb}, {1.73_m2}) are dimensionless as in UCUM, but two
**   units convert only when their annotations match (an order-free hash):
**   mL/min/{1.73_m2} never silently becomes mL/min.
** - Special units (Cel, [degF], pH, B, Np, ...) are defined by a function.
**   They may stand alone (with a prefix where UCUM allows); they convert
**   where the function is implemented and take no part in arithmetic.
*/
#ifndef aza_unit_h
#define aza_unit_h

#include <stddef.h>
#include <stdint.h>

#include "aza_conf.h"
#include "aza_status.h"

/* {====================================================================
** Dimensions
** ===================================================================== */

enum {
  AZA_DIM_L = 0, /* length, canonical m */
  AZA_DIM_T,     /* time, s */
  AZA_DIM_M,     /* mass, g */
  AZA_DIM_A,     /* plane angle, rad */
  AZA_DIM_K,     /* temperature, K */
  AZA_DIM_Q,     /* electric charge, C */
  AZA_DIM_F,     /* luminous intensity, cd */
  AZA_DIM_N,     /* amount of substance, mol (aza departure, see above) */
  AZA_NDIM
};

typedef struct aza_dim {
  int8_t e[AZA_NDIM]; /* net exponents */
  int8_t mm;          /* mass/mass pairs kept (>= 0) */
  int8_t arb_exp;     /* exponent of the arbitrary unit, 0 when none */
  uint16_t arb;       /* atom index of the arbitrary unit; 0xFFFF = mixed */
  uint32_t annot;     /* order-free hash of annotations, 0 when none */
} aza_dim;

/* exact equality of every field */
AZA_API int aza_dim_eq(const aza_dim *a, const aza_dim *b);

/*
** Human-readable dimension, as used in messages: "mass", "1",
** "mass/volume", "mass/(mass.time)", "1/time", "amount/volume",
** "[iU]/volume". Base names: length time mass angle temperature charge
** luminosity amount; L3 prints as "volume". snprintf semantics: returns
** the length it needed.
*/
AZA_API size_t aza_dim_format(const aza_dim *d, char *buf, size_t size);

/* }==================================================================== */

/* {====================================================================
** Units
** ===================================================================== */

typedef enum aza_unit_kind {
  AZA_UNIT_RATIO = 0, /* canonical = value * factor */
  AZA_UNIT_SPECIAL    /* a special unit standing alone: by function */
} aza_unit_kind;

/* aza_term.atom of a standalone annotation ({cells}, /{tot}): no atom */
#define AZA_ATOM_NONE 0xFFFF

typedef struct aza_term {
  uint16_t atom;  /* index in the unit table, or AZA_ATOM_NONE */
  int8_t prefix;  /* index in the prefix table, -1 for none */
  int8_t exp;     /* non-zero integer exponent */
  uint8_t ann;    /* offset of its annotation in aza_unit.annot, or 0xFF */
  uint8_t annlen; /* its length (without braces) */
} aza_term;

/*
** A parsed unit: a plain value, no heap, safe to copy (a Lua userdata
** holds one by value). `text` is the UCUM form (after alias mapping) used
** for display; parse(text) gives back the same factor and dimension.
*/
typedef struct aza_unit {
  double factor; /* to canonical units, scale included (ratio units); for a
                    special unit alone, the factor of its function's
                    reference unit (1 for Cel, 5/9 for [degF]) */
  double scale;  /* numeric factor from literal numbers (4.s, s/4) */
  aza_dim dim;
  uint8_t kind;        /* aza_unit_kind */
  uint8_t special;     /* special function id when kind is SPECIAL */
  uint8_t has_special; /* a special atom inside a larger expression */
  uint8_t nterms;
  uint8_t exact; /* xnum, xden, xp10 hold the factor's exact parts */
  int16_t xp10;
  double xnum, xden; /* factor = xnum / xden * 10^xp10, kept unrounded so
                        that a conversion's ratio is exact (filled at parse,
                        so converting never resolves definitions again) */
  aza_term terms[AZA_TERMS_MAX];
  char annot[AZA_ANNOT_MAX]; /* annotation texts, NUL separated */
  char text[AZA_EXPR_MAX];   /* UCUM form for display */
} aza_unit;

/*
** Parse a case-sensitive UCUM expression. Lab spellings in the explicit
** alias table (x10^9/L, 10^9/L, K/uL, cells/uL, /mm3, IU/L, mcg, µg, μg,
** lb, lbs, ...) are accepted and mapped to their UCUM form, which `text`
** then holds; `*aliased` (may be NULL) is set to 1 when that happened.
** Anything else that is not UCUM is an error, never a guess.
** Errors: AZA_ESYNTAX, AZA_EUNIT ("unknown unit 'kgs' at 1"),
** AZA_ETOOBIG, AZA_EARG. Positions are 1-based byte offsets.
*/
AZA_API aza_status aza_unit_parse(const char *expr, aza_unit *out, int *aliased,
                                  aza_err *err);

/* the UCUM text of a unit (snprintf semantics) */
AZA_API size_t aza_unit_format(const aza_unit *u, char *buf, size_t size);

/*
** Conversion of a value between units. Ratio units need equal dimensions
** (AZA_EDIM, AZA_EARBITRARY, AZA_EANNOT otherwise; AZA_ESUBSTANCE when
** only a molar mass is missing, mg/dL to umol/L); special units convert
** through their function where it is implemented (AZA_ESPECIAL when not,
** or when a special atom sits inside a larger expression).
** The value must be finite (AZA_EVALUE).
*/
AZA_API aza_status aza_unit_convert(double value, const aza_unit *from,
                                    const aza_unit *to, double *out,
                                    aza_err *err);

/*
** Substance conversions: amount <-> mass through a molar mass, only when
** the caller names the substance ("creatinine" 113.12 g/mol, "bilirubin"
** 584.66 g/mol, "glucose", "urea", "uric acid", "cholesterol"; names are
** case-insensitive, '_' or ' '), in the numerator (mg/dL <-> umol/L) or
** the denominator (mg/mmol <-> mg/g). Units that need no substance
** convert as usual; a NULL substance is aza_unit_convert.
** Errors as aza_unit_convert plus AZA_ESUBSTANCE for an unknown name.
*/
AZA_API aza_status aza_unit_convert_substance(double value,
                                              const aza_unit *from,
                                              const aza_unit *to,
                                              const char *substance,
                                              double *out, aza_err *err);

/* molar mass in g/mol of a named substance; AZA_ESUBSTANCE if unknown */
AZA_API aza_status aza_substance_molar_mass(const char *name, double *gmol,
                                            aza_err *err);

/* }==================================================================== */

/* {====================================================================
** The unit table, for introspection (Lua builds its lists from it)
** ===================================================================== */

typedef struct aza_atom_info {
  const char *code;     /* case-sensitive UCUM code, "mg" has code "g" */
  const char *name;     /* "gram" */
  const char *property; /* "mass" */
  const char *def_unit; /* definition unit expression ("" for base units) */
  double def_value;     /* definition value */
  int is_metric;
  int is_special;
  int is_arbitrary;
  int is_base;
} aza_atom_info;

/* number of atoms in the table */
AZA_API size_t aza_atom_count(void);
/* fill info for atom i < aza_atom_count(); AZA_EARG otherwise */
AZA_API aza_status aza_atom_get(size_t i, aza_atom_info *info);

typedef struct aza_prefix_info {
  const char *code; /* "m" */
  const char *name; /* "milli" */
  double value;     /* 1e-3 */
} aza_prefix_info;

AZA_API size_t aza_prefix_count(void);
AZA_API aza_status aza_prefix_get(size_t i, aza_prefix_info *info);

typedef struct aza_alias_info {
  const char *spelling; /* "x10^9/L" */
  const char *ucum;     /* "10*9/L" */
} aza_alias_info;

AZA_API size_t aza_alias_count(void);
AZA_API aza_status aza_alias_get(size_t i, aza_alias_info *info);

/* }==================================================================== */

/* {====================================================================
** Quantities: a value with a unit, plain values with no heap
** ===================================================================== */

typedef struct aza_qty {
  double value;
  aza_unit unit;
} aza_qty;

/*
** "70 kg", "2.5 mg/kg/d", "-3 Cel", "1e3 g", "176 [lb_av]": a decimal
** number ('.' only, locale-independent), one or more spaces, a unit. A
** bare number is dimensionless ("1"). Errors: AZA_ESYNTAX, AZA_EVALUE and
** the errors of aza_unit_parse (positions relative to `text`).
*/
AZA_API aza_status aza_qty_parse(const char *text, aza_qty *out, aza_err *err);
/* value must be finite: AZA_EVALUE */
AZA_API aza_status aza_qty_make(double value, const char *unit, aza_qty *out,
                                aza_err *err);

/* convert to another unit (parsed or given as text) */
AZA_API aza_status aza_qty_to(const aza_qty *q, const aza_unit *unit,
                              aza_qty *out, aza_err *err);
AZA_API aza_status aza_qty_value_in(const aza_qty *q, const char *unit,
                                    double *out, aza_err *err);

/*
** Arithmetic. add/sub need equal dimensions; the result is in a's unit.
** mul/div merge terms (see top). pow takes an integer exponent.
** Special units: AZA_EAFFINE. Results must be finite: AZA_EVALUE.
** "cannot add mg to mg/kg/d: mass vs mass/(mass.time)"
*/
AZA_API aza_status aza_qty_add(const aza_qty *a, const aza_qty *b, aza_qty *out,
                               aza_err *err);
AZA_API aza_status aza_qty_sub(const aza_qty *a, const aza_qty *b, aza_qty *out,
                               aza_err *err);
AZA_API aza_status aza_qty_mul(const aza_qty *a, const aza_qty *b, aza_qty *out,
                               aza_err *err);
AZA_API aza_status aza_qty_div(const aza_qty *a, const aza_qty *b, aza_qty *out,
                               aza_err *err);
AZA_API aza_status aza_qty_scale(const aza_qty *a, double k, aza_qty *out,
                                 aza_err *err);
AZA_API aza_status aza_qty_pow(const aza_qty *a, int n, aza_qty *out,
                               aza_err *err);

/*
** Compare: *cmp is -1, 0 or 1 after converting b to a's unit, exact.
** Different dimensions: AZA_EDIM (aza_qty_eq reports them as not equal).
*/
AZA_API aza_status aza_qty_cmp(const aza_qty *a, const aza_qty *b, int *cmp,
                               aza_err *err);
/* 1 when dimensions are equal and canonical values are exactly equal */
AZA_API int aza_qty_eq(const aza_qty *a, const aza_qty *b);

/*
** "70 kg": shortest round-trip form of the value, a space, the unit; a
** dimensionless quantity whose unit is "1" prints as the bare number.
*/
AZA_API size_t aza_qty_format(const aza_qty *q, char *buf, size_t size);

/* }==================================================================== */

#endif
