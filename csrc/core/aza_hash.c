/*
** aza_hash.c
** FNV-1a 64 (Fowler, Noll, Vo): xor each byte in, multiply by the prime.
*/
#include "aza_hash.h"

#define FNV1A64_PRIME UINT64_C(0x100000001b3)

AZA_API uint64_t aza_fnv1a64(uint64_t h, const void *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i;
  for (i = 0; i < len; i++) {
    h = (h ^ p[i]) * FNV1A64_PRIME;
  }
  return h;
}

AZA_API void aza_fnv1a64_hex(uint64_t h, char out[17]) {
  static const char digits[] = "0123456789abcdef";
  int i;
  for (i = 15; i >= 0; i--) {
    out[i] = digits[h & 0xf];
    h >>= 4;
  }
  out[16] = '\0';
}
