/*
** aza_hash.h
** FNV-1a 64, the content hash of a protocol. In C so that every Lua
** (5.1 and LuaJIT have only doubles) gives the same 16 hex digits.
*/
#ifndef aza_hash_h
#define aza_hash_h

#include <stddef.h>
#include <stdint.h>

#include "aza_conf.h"

/* the FNV-1a 64 offset basis: the hash of no bytes */
#define AZA_FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

/* h fed with len bytes of s; s may be NULL when len is 0 */
AZA_API uint64_t aza_fnv1a64(uint64_t h, const void *s, size_t len);

/*
** h as 16 lowercase hex digits and a NUL into out[17].
*/
AZA_API void aza_fnv1a64_hex(uint64_t h, char out[17]);

#endif
