/*
** test_ucache.c
** The cache of parsed units: the same results as the parser, hits for a
** repeated text, failures not cached, many texts through few entries.
*/
#include <stdio.h>
#include <string.h>

#include "aza_ucache.h"
#include "tap.h"

static aza_ucache cache; /* large: static storage in the test, not the core */

int main(void) {
  static const char *const texts[] = {"mg/kg/d",
                                      "10*9/L",
                                      "[lb_av]",
                                      "x10^9/L",
                                      "umol/L",
                                      "U/L",
                                      "mL/min/{1.73_m2}",
                                      "kg",
                                      "g/L",
                                      "fL",
                                      "Cel",
                                      "wk",
                                      "d",
                                      "nmol/h/g{Hb}",
                                      "mg/d",
                                      "%"};
  size_t i, k;
  aza_unit a, b;
  aza_err err;
  int al1 = 0, al2 = 0;
  aza_ucache_init(&cache);
  for (k = 0; k < 3; k++) {
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
      CHECK(aza_ucache_parse(&cache, texts[i], &a, &al1, &err) == AZA_OK);
      CHECK(aza_unit_parse(texts[i], &b, &al2, &err) == AZA_OK);
      CHECK(memcmp(&a, &b, sizeof a) == 0);
      CHECK(al1 == al2);
    }
  }
  CHECK(cache.hits >= 2 * (sizeof texts / sizeof texts[0]) - 2);
  /* a failure is a failure every time, with the parser's message */
  CHECK(aza_ucache_parse(&cache, "kgs", &a, NULL, &err) == AZA_EUNIT);
  CHECK(strstr(err.msg, "kgs") != NULL);
  CHECK(aza_ucache_parse(&cache, "kgs", &a, NULL, &err) == AZA_EUNIT);
  CHECK(aza_ucache_parse(&cache, "", &a, NULL, &err) != AZA_OK);
  /* many more texts than entries: every answer still right */
  for (i = 0; i < 4 * AZA_UCACHE_N; i++) {
    char text[32];
    snprintf(text, sizeof text, "%lu.mg/kg", (unsigned long)(i + 1));
    CHECK(aza_ucache_parse(&cache, text, &a, NULL, &err) == AZA_OK);
    CHECK(aza_unit_parse(text, &b, NULL, &err) == AZA_OK);
    CHECK(a.factor == b.factor && aza_dim_eq(&a.dim, &b.dim));
  }
  return tap_done("test_ucache");
}
