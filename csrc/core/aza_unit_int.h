/*
** aza_unit_int.h
** Private to the unit core (aza_table.c, aza_parse.c, aza_unit.c,
** aza_qty.c): the compiled unit table, prefixes, aliases, substances,
** the parser entry points the quantity code shares, and the calls
** between the parser (aza_parse.c) and the resolver (aza_unit.c).
*/
#ifndef aza_unit_int_h
#define aza_unit_int_h

#include <stddef.h>

#include "aza_unit.h"

/* special functions of special units (the `fn` column of aza_units.def) */
enum {
  AZAI_FN_NONE = 0,
  AZAI_FN_CEL,    /* K = v + 273.15 */
  AZAI_FN_DEGF,   /* K = (v + 459.67) * 5/9 */
  AZAI_FN_DEGRE,  /* K = v * 5/4 + 273.15 */
  AZAI_FN_PH,     /* ref * 10^-v */
  AZAI_FN_LN,     /* ref * e^v (neper) */
  AZAI_FN_LG,     /* ref * 10^v (bel) */
  AZAI_FN_LG2,    /* ref * 10^(v/2) (bel of a field quantity) */
  AZAI_FN_TAN100, /* ref * atan(v/100) */
  AZAI_FN_HPX,    /* ref * 10^-v */
  AZAI_FN_HPC,    /* ref * 100^-v */
  AZAI_FN_HPM,    /* ref * 1000^-v */
  AZAI_FN_HPQ,    /* ref * 50000^-v */
  AZAI_FN_LD,     /* ref * 2^v */
  AZAI_FN_SQRT,   /* ref * v^2 */
  AZAI_FN_COUNT
};

/* flags of an atom */
#define AZAI_BASE      1u
#define AZAI_METRIC    2u
#define AZAI_ARBITRARY 4u

typedef struct azai_atom {
  const char *code;
  const char *name;
  const char *property;
  const char *def_unit; /* "" for base units */
  const char *def_text; /* def_value as written in aza_units.def */
  double def_value;
  unsigned char len;   /* strlen(code) */
  unsigned char flags; /* AZAI_BASE | AZAI_METRIC | AZAI_ARBITRARY */
  signed char dim;     /* AZA_DIM_* of a base unit, -1 otherwise */
  unsigned char fn;    /* AZAI_FN_* */
} azai_atom;

typedef struct azai_prefix {
  const char *code;
  const char *name;
  double value;
  signed char p10; /* decimal exponent (decimal prefixes) */
  signed char p2;  /* binary exponent (Ki = 10, ...) */
  unsigned char len;
} azai_prefix;

/* atom standing for a standalone annotation ({cells}) in aza_term.atom */
#define AZAI_ATOM_NONE AZA_ATOM_NONE

AZAI_FUNC size_t azai_atom_count(void);
AZAI_FUNC const azai_atom *azai_atom_at(size_t i);
/* index of the atom with exactly this code, or -1 */
AZAI_FUNC int azai_atom_find(const char *s, size_t n);

AZAI_FUNC size_t azai_prefix_count(void);
AZAI_FUNC const azai_prefix *azai_prefix_at(size_t i);

/* UCUM text for a whole-expression lab spelling, or NULL */
AZAI_FUNC const char *azai_alias_find(const char *s, size_t n);

/* molar mass in g/mol, or 0 when unknown */
AZAI_FUNC double azai_substance_find(const char *name);

/*
** Parse with error positions shifted by `base` (aza_qty_parse reports
** positions relative to its whole text).
*/
AZAI_FUNC aza_status azai_unit_parse(const char *expr, size_t len, size_t base,
                                     aza_unit *out, int *aliased, aza_err *err);

/*
** Parse s[0..n) into u's terms, annotations and scale only (no factor,
** no dimension); the literal numbers are also given as *snum / *sden
** (exact integers as far as they go) unless snum is NULL.
*/
AZAI_FUNC aza_status azai_parse_terms(const char *s, size_t n, size_t base,
                                      aza_unit *u, double *snum, double *sden,
                                      aza_err *err);

/*
** Parse native UCUM text s[0..n) (no aliases) and finish the unit with
** azai_unit_finish; its text is copied from s.
*/
AZAI_FUNC aza_status azai_parse_ucum(const char *s, size_t n, size_t base,
                                     aza_unit *out, aza_err *err);

/*
** Factor, dimension and kind of a unit whose terms, annotations and scale
** the parser has set (its text is left alone).
*/
AZAI_FUNC aza_status azai_unit_finish(aza_unit *u, aza_err *err);

/*
** Recompute factor, dimension, kind and text of a unit whose terms and
** annotation texts were set directly (by arithmetic); scale must be 1.
*/
AZAI_FUNC aza_status azai_unit_build(aza_unit *u, aza_err *err);

/*
** Per-atom conversion data of a term's atom: canonical factor of one
** atom unit with its prefix (prefix^exp not applied), and its dimension.
*/
AZAI_FUNC aza_status azai_term_info(const aza_term *t, double *factor,
                                    aza_dim *dim);

/*
** EDIM, EARBITRARY or EANNOT when a and b do not have the same kind;
** the message starts with `what` ("cannot add mg to mg/kg/d").
*/
AZAI_FUNC aza_status azai_dims_check(const char *what, const aza_unit *a,
                                     const aza_unit *b, aza_err *err);

/* canonical factor of atom i alone (NAN when it does not resolve) */
AZAI_FUNC double azai_atom_factor(int i);

/*
** factor(t) / factor(x) of two terms' atoms with their prefixes (their
** exponents ignored) as *num / *den, exact integers where possible
*/
AZAI_FUNC aza_status azai_term_ratio(const aza_term *t, const aza_term *x,
                                     double *num, double *den);

/* 1 when the unit takes no part in arithmetic (special atom anywhere) */
AZAI_FUNC int azai_unit_is_special(const aza_unit *u);

/* shortest text of a finite double that reads back equal; '.' decimal */
AZAI_FUNC size_t azai_num_format(double v, char *buf, size_t size);
/*
** v rounded to `digits` significant decimal digits (1-17), locale-free;
** conversions use 15 so that float noise of a multiplication never moves a
** value off the decimal it equals (2.9 g/dL is 29 g/L, not
** 29.000000000000004). NaN, infinities and 0 come back unchanged.
*/
AZAI_FUNC double azai_round_sig(double v, int digits);

/*
** Locale-independent decimal number at s[0..n): [+-]digits[.digits][e[+-]d]
** Returns the number of bytes read (0 when none), sets *v.
*/
AZAI_FUNC size_t azai_num_scan(const char *s, size_t n, double *v);

/* {====================================================================
** Shared by aza_unit.c (resolution) and aza_convert.c (conversion)
** ===================================================================== */

/* x^n by repeated multiplication (exact for small cases) */
AZAI_FUNC double azai_powi(double x, int n);

/* Cel, [degF] or [degRe] standing alone */
AZAI_FUNC int azai_is_temp(const aza_unit *u);

/* a temperature unit's value to Celsius, and back */
AZAI_FUNC double azai_to_celsius(const aza_unit *u, double v);
AZAI_FUNC double azai_from_celsius(const aza_unit *u, double c);

/* a special unit's value to its reference unit, and back */
AZAI_FUNC double azai_special_in(const aza_unit *u, double v);
AZAI_FUNC double azai_special_out(const aza_unit *u, double c);

/* factor(from) / factor(to), exact where the units' parts allow */
AZAI_FUNC double azai_unit_ratio(const aza_unit *from, const aza_unit *to);

/* the same arbitrary units with the same exponents (mixed units too) */
AZAI_FUNC int azai_same_arbitrary(const aza_unit *a, const aza_unit *b);

/* }==================================================================== */

#endif
