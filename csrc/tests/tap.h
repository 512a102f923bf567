/*
** tap.h
** A minimal test harness for the C unit tests: CHECK macros that count,
** print failures with file:line, and a closing line "N passed, N failed".
** Header-only; each test program includes it once.
*/
#ifndef tap_h
#define tap_h

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_pass = 0;
static int tap_fail = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      tap_pass++;                                                              \
    } else {                                                                   \
      tap_fail++;                                                              \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
    }                                                                          \
  } while (0)

/* relative closeness, for computed doubles */
#define CHECK_NEAR(a, b, rel)                                                  \
  do {                                                                         \
    double tap_a_ = (a), tap_b_ = (b);                                         \
    double tap_d_ = fabs(tap_a_ - tap_b_);                                     \
    double tap_m_ = fabs(tap_b_) > 1 ? fabs(tap_b_) : 1;                       \
    if (tap_d_ <= (rel)*tap_m_) {                                              \
      tap_pass++;                                                              \
    } else {                                                                   \
      tap_fail++;                                                              \
      printf("FAIL %s:%d: %s = %.17g, want %.17g\n", __FILE__, __LINE__, #a,   \
             tap_a_, tap_b_);                                                  \
    }                                                                          \
  } while (0)

#define CHECK_STR(a, b)                                                        \
  do {                                                                         \
    const char *tap_a_ = (a), *tap_b_ = (b);                                   \
    if (strcmp(tap_a_, tap_b_) == 0) {                                         \
      tap_pass++;                                                              \
    } else {                                                                   \
      tap_fail++;                                                              \
      printf("FAIL %s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, #a, \
             tap_a_, tap_b_);                                                  \
    }                                                                          \
  } while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
  do {                                                                         \
    const char *tap_h_ = (hay), *tap_n_ = (needle);                            \
    if (strstr(tap_h_, tap_n_) != NULL) {                                      \
      tap_pass++;                                                              \
    } else {                                                                   \
      tap_fail++;                                                              \
      printf("FAIL %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,         \
             __LINE__, tap_h_, tap_n_);                                        \
    }                                                                          \
  } while (0)

static int tap_done(const char *name) {
  printf("%s: %d passed, %d failed\n", name, tap_pass, tap_fail);
  return tap_fail == 0 && tap_pass > 0 ? 0 : 1;
}

#endif
