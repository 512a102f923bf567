/*
** test_hash.c
** FNV-1a 64 against the published test vectors, and feeding in pieces.
*/
#include <string.h>

#include "aza_hash.h"
#include "tap.h"

static const char *hex_of(const char *s) {
  static char out[17];
  aza_fnv1a64_hex(aza_fnv1a64(AZA_FNV1A64_INIT, s, strlen(s)), out);
  return out;
}

int main(void) {
  char out[17];
  uint64_t h;
  CHECK_STR(hex_of(""), "cbf29ce484222325");
  CHECK_STR(hex_of("a"), "af63dc4c8601ec8c");
  CHECK_STR(hex_of("foobar"), "85944171f73967e8");
  /* in pieces: the same as at once */
  h = aza_fnv1a64(AZA_FNV1A64_INIT, "foo", 3);
  h = aza_fnv1a64(h, NULL, 0);
  h = aza_fnv1a64(h, "bar", 3);
  aza_fnv1a64_hex(h, out);
  CHECK_STR(out, "85944171f73967e8");
  /* bytes above 0x7f are unsigned */
  CHECK_STR(hex_of("\xff"), "af64724c8602eb6e");
  return tap_done("test_hash");
}
