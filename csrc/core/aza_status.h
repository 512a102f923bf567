/*
** aza_status.h
** Status codes and the caller-owned error struct of the aza core.
** No function of the core keeps a status of its own: every fallible call
** returns an aza_status and, when the caller passes an aza_err, fills it.
*/
#ifndef aza_status_h
#define aza_status_h

#include <stddef.h>

#include "aza_conf.h"

/*
** The codes are stable: specs and Lua callers branch on their names
** ("E_DIM"), which aza_status_name returns.
*/
typedef enum aza_status {
  AZA_OK = 0,
  AZA_ESYNTAX, /* E_SYNTAX: malformed unit expression or number */
  AZA_EUNIT,   /* E_UNIT: unknown unit symbol (not UCUM, not an alias) */
  AZA_EDIM,    /* E_DIM: dimensions differ (mg vs mg/kg/d) */
  AZA_EAFFINE, /* E_AFFINE: arithmetic on Cel, [degF] or another special unit */
  AZA_ESPECIAL,   /* E_SPECIAL: special unit with no conversion defined here */
  AZA_EARBITRARY, /* E_ARBITRARY: arbitrary unit ([iU]) to anything but itself
                   */
  AZA_EANNOT,     /* E_ANNOT: annotations differ ({Hb} vs {RBC}) */
  AZA_ESUBSTANCE, /* E_SUBSTANCE: unknown substance, or one was needed */
  AZA_EVALUE,     /* E_VALUE: NaN, infinite, or out of the allowed range */
  AZA_ETOOBIG, /* E_TOOBIG: expression too long, deep or with too many terms */
  AZA_EARG,    /* E_ARG: bad argument (NULL pointer, bad option) */
  AZA_ENOMEM,  /* E_NOMEM: an allocator returned NULL */
  AZA_EDOSE,   /* E_DOSE: dose input inconsistent (band lo > hi, ...) */
  AZA_EFORMULARY, /* E_FORMULARY: empty or invalid formulary */
  AZA_ENODOSE,    /* E_NODOSE: no deliverable dose satisfies the request */
  AZA_STATUS_COUNT
} aza_status;

/*
** Caller-owned error detail. `pos` is the 1-based byte position in the
** input the message is about (0 when it is about no position); `msg` is
** a complete sentence-fragment in lower case, e.g.
**   "unknown unit 'kgs' at 3"
**   "cannot add mg to mg/kg/d: mass vs mass/(mass.time)"
*/
typedef struct aza_err {
  aza_status code;
  size_t pos;
  char msg[AZA_MSGSZ];
} aza_err;

/* "E_DIM" etc.; "E_UNKNOWN" for a value out of range. Never NULL. */
AZA_API const char *aza_status_name(aza_status s);

/* a short English description of the code. Never NULL. */
AZA_API const char *aza_strstatus(aza_status s);

/*
** Fill `err` (when not NULL) with code, position and a printf-style
** message, truncated to fit; returns `code` so callers can
**   return aza_err_set(err, AZA_EUNIT, 3, "unknown unit '%s' at %zu", ...);
*/
AZA_API aza_status aza_err_set(aza_err *err, aza_status code, size_t pos,
                               const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
