/*
** test_status.c
** Status names, descriptions and aza_err filling.
*/
#include "aza_status.h"
#include "tap.h"

int main(void) {
  aza_err err;
  int i;
  CHECK_STR(aza_status_name(AZA_OK), "OK");
  CHECK_STR(aza_status_name(AZA_EDIM), "E_DIM");
  CHECK_STR(aza_status_name(AZA_EUNIT), "E_UNIT");
  CHECK_STR(aza_status_name((aza_status)999), "E_UNKNOWN");
  CHECK_STR(aza_strstatus((aza_status)-1), "unknown status");
  for (i = 0; i < AZA_STATUS_COUNT; i++) {
    CHECK(aza_status_name((aza_status)i)[0] != '\0');
    CHECK(aza_strstatus((aza_status)i)[0] != '\0');
  }
  CHECK(aza_err_set(&err, AZA_EUNIT, 3, "unknown unit '%s' at %d", "kgs", 3) ==
        AZA_EUNIT);
  CHECK(err.code == AZA_EUNIT);
  CHECK(err.pos == 3);
  CHECK_STR(err.msg, "unknown unit 'kgs' at 3");
  CHECK(aza_err_set(NULL, AZA_EDIM, 0, "x") == AZA_EDIM);
  /* truncation keeps a terminated string */
  aza_err_set(&err, AZA_ETOOBIG, 0, "%0300d", 1);
  CHECK(strlen(err.msg) == AZA_MSGSZ - 1);
  return tap_done("test_status");
}
