/*
** aza_ucache.h
** A bounded, caller-owned cache of parsed units keyed by the unit text, so
** that a caller converting the same few units again and again parses each
** once. Fixed size, no allocation, no globals: the Lua binding keeps one
** per lua_State. Not shared between threads (one cache per thread).
*/
#ifndef aza_ucache_h
#define aza_ucache_h

#include <stddef.h>
#include <stdint.h>

#include "aza_conf.h"
#include "aza_unit.h"

/* entries of one cache (two-way: a hash of the text picks a pair) */
#if !defined(AZA_UCACHE_N)
#define AZA_UCACHE_N 64
#endif
#if AZA_UCACHE_N < 2 || AZA_UCACHE_N % 2 != 0
#error "AZA_UCACHE_N must be a positive even number"
#endif

typedef struct aza_ucache_entry {
  uint32_t hash;
  unsigned long
      used;        /* the cache's clock at the last use (least recent goes) */
  uint16_t len;    /* bytes of key; 0: the entry is empty */
  uint8_t aliased; /* the text was a lab alias */
  char key[AZA_EXPR_MAX];
  aza_unit unit;
} aza_ucache_entry;

typedef struct aza_ucache {
  aza_ucache_entry e[AZA_UCACHE_N];
  unsigned long clock, hits, misses;
} aza_ucache;

/* an empty cache */
AZA_API void aza_ucache_init(aza_ucache *c);

/*
** aza_unit_parse through the cache: the same result, statuses and
** messages (a text that fails to parse is not cached and fails again).
*/
AZA_API aza_status aza_ucache_parse(aza_ucache *c, const char *expr,
                                    aza_unit *out, int *aliased, aza_err *err);

#endif
