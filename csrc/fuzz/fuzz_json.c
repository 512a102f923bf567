/*
** fuzz_json.c
** libFuzzer target: arbitrary bytes to the JSON reader (aza_json.c).
** What it accepts is written back in a canonical form by the sink; that
** text must be accepted again and give the same canonical form (strings
** keep their bytes, numbers their value and integer-ness, containers
** their shape). Aborts (a finding) only when that breaks.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aza_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX 65536

typedef struct out {
  char buf[OUT_MAX];
  size_t n;
  int full;
  int first[80]; /* no member yet at this depth */
  int depth;
} out;

static void check(int cond) {
  if (!cond) {
    abort();
  }
}

static void put(out *o, const char *s, size_t n) {
  if (o->full || o->n + n >= OUT_MAX) {
    o->full = 1;
    return;
  }
  memcpy(o->buf + o->n, s, n);
  o->n += n;
}

/* the comma before a member or element */
static void sep(out *o) {
  if (o->depth > 0 && !o->first[o->depth]) {
    put(o, ",", 1);
  }
  o->first[o->depth] = 0;
}

static void put_string(out *o, const char *s, size_t n) {
  size_t i;
  put(o, "\"", 1);
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\' || c < 0x20) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(o, esc, 6);
    } else {
      put(o, s + i, 1);
    }
  }
  put(o, "\"", 1);
}

static int o_begin(void *ud, int is_array) {
  out *o = (out *)ud;
  sep(o);
  put(o, is_array ? "[" : "{", 1);
  o->depth++;
  check(o->depth < 80);
  o->first[o->depth] = 1;
  return 0;
}

static int o_end(void *ud, int is_array) {
  out *o = (out *)ud;
  put(o, is_array ? "]" : "}", 1);
  o->depth--;
  check(o->depth >= 0);
  return 0;
}

static int o_key(void *ud, const char *s, size_t n, size_t pos) {
  out *o = (out *)ud;
  (void)pos;
  sep(o);
  put_string(o, s, n);
  put(o, ":", 1);
  o->first[o->depth] = 1; /* the value that follows takes no comma */
  return 0;
}

static int o_string(void *ud, const char *s, size_t n) {
  out *o = (out *)ud;
  sep(o);
  put_string(o, s, n);
  return 0;
}

static int o_number(void *ud, double v, int integral, long long iv) {
  out *o = (out *)ud;
  char b[64];
  int k = integral ? snprintf(b, sizeof b, "%lld", iv)
                   : snprintf(b, sizeof b, "%.17e", v);
  sep(o);
  put(o, b, (size_t)k);
  return 0;
}

static int o_literal(void *ud, int which) {
  out *o = (out *)ud;
  static const char *const words[] = {"false", "true", "null"};
  sep(o);
  put(o, words[which], strlen(words[which]));
  return 0;
}

static const aza_json_sink sink = {o_begin,  o_end,    o_key,
                                   o_string, o_number, o_literal};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static out a, b;
  char *scratch = (char *)malloc(size > 0 ? size : 1);
  char *again;
  aza_err err;
  memset(&a, 0, sizeof a);
  if (aza_json_parse((const char *)data, size, scratch, 64, &sink, &a, &err) !=
          AZA_OK ||
      a.full) {
    free(scratch);
    return 0;
  }
  check(a.depth == 0);
  again = (char *)malloc(a.n > 0 ? a.n : 1);
  memset(&b, 0, sizeof b);
  check(aza_json_parse(a.buf, a.n, again, 64, &sink, &b, &err) == AZA_OK);
  check(!b.full && b.n == a.n && memcmp(a.buf, b.buf, a.n) == 0);
  free(again);
  free(scratch);
  return 0;
}
