/*
** aza_ucache.c
** The cache of parsed units (aza_ucache.h): two-way set associative,
** FNV-1a of the text picks a pair of entries, the text itself confirms a
** hit; a miss parses and replaces the least recently used of the pair.
*/
#include <string.h>

#include "aza_hash.h"
#include "aza_ucache.h"

AZA_API void aza_ucache_init(aza_ucache *c) {
  memset(c, 0, sizeof *c);
}

AZA_API aza_status aza_ucache_parse(aza_ucache *c, const char *expr,
                                    aza_unit *out, int *aliased, aza_err *err) {
  size_t n = strlen(expr);
  uint32_t h;
  aza_ucache_entry *set, *e;
  int i;
  int al = 0;
  aza_status st;
  if (n == 0 || n >= AZA_EXPR_MAX) { /* not cacheable: the parser says why */
    return aza_unit_parse(expr, out, aliased, err);
  }
  h = (uint32_t)aza_fnv1a64(AZA_FNV1A64_INIT, expr, n);
  set = &c->e[(h % (AZA_UCACHE_N / 2)) * 2];
  c->clock++;
  for (i = 0; i < 2; i++) {
    e = &set[i];
    if (e->len == n && e->hash == h && memcmp(e->key, expr, n) == 0) {
      c->hits++;
      e->used = c->clock;
      *out = e->unit;
      if (aliased != NULL) {
        *aliased = e->aliased;
      }
      return AZA_OK;
    }
  }
  c->misses++;
  e = set[0].used <= set[1].used ? &set[0] : &set[1];
  st = aza_unit_parse(expr, out, &al, err);
  if (aliased != NULL) {
    *aliased = al;
  }
  if (st == AZA_OK) {
    e->hash = h;
    e->len = (uint16_t)n;
    e->aliased = (uint8_t)al;
    memcpy(e->key, expr, n);
    e->unit = *out;
    e->used = c->clock;
  }
  return st;
}
