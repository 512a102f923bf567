/*
** aza_status.c
** Names and descriptions of status codes; filling of aza_err.
*/
#include <ctype.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>

#include "aza_status.h"

static const char *const names[AZA_STATUS_COUNT] = {
    "OK",          "E_SYNTAX",  "E_UNIT",      "E_DIM",
    "E_AFFINE",    "E_SPECIAL", "E_ARBITRARY", "E_ANNOT",
    "E_SUBSTANCE", "E_VALUE",   "E_TOOBIG",    "E_ARG",
    "E_NOMEM",     "E_DOSE",    "E_FORMULARY", "E_NODOSE"};

static const char *const texts[AZA_STATUS_COUNT] = {
    "ok",
    "malformed unit expression",
    "unknown unit",
    "dimensions differ",
    "special unit takes no part in arithmetic",
    "special unit cannot be converted",
    "arbitrary unit converts only to itself",
    "annotations differ",
    "substance unknown or required",
    "value not finite or out of range",
    "expression too long or too complex",
    "bad argument",
    "out of memory",
    "inconsistent dose input",
    "invalid formulary",
    "no deliverable dose"};

const char *aza_status_name(aza_status s) {
  if ((int)s < 0 || s >= AZA_STATUS_COUNT) {
    return "E_UNKNOWN";
  }
  return names[s];
}

const char *aza_strstatus(aza_status s) {
  if ((int)s < 0 || s >= AZA_STATUS_COUNT) {
    return "unknown status";
  }
  return texts[s];
}

/*
** Messages print numbers with '.' whatever LC_NUMERIC the host set (an
** embedding host may set a comma-decimal locale): vsnprintf's %g follows
** the locale, so its decimal point, where it stands between two digits, is
** turned back into '.'. No message of the core has a digit, a comma and a
** digit in a row otherwise.
*/
static void c_decimal_point(char *msg) {
  const char *dp = localeconv()->decimal_point;
  char *p;
  if (dp == NULL || dp[0] == '\0' || (dp[0] == '.' && dp[1] == '\0') ||
      dp[1] != '\0') {
    return;
  }
  for (p = msg; *p != '\0'; p++) {
    if (*p == dp[0] && p > msg && isdigit((unsigned char)p[-1]) &&
        isdigit((unsigned char)p[1])) {
      *p = '.';
    }
  }
}

aza_status aza_err_set(aza_err *err, aza_status code, size_t pos,
                       const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    err->code = code;
    err->pos = pos;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    c_decimal_point(err->msg);
  }
  return code;
}
