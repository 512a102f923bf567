/*
** test_json.c
** The JSON reader (aza_json.c): must-parse and must-fail lists, the events
** a document gives, numbers (integers as Lua reads them), escapes and
** UTF-8, the depth limit and a sink that stops.
*/
#include <stdio.h>
#include <string.h>

#include "aza_json.h"
#include "tap.h"

/* the events of a parse as text: b[ b{ e k:NAME s:TEXT n:NUM i:INT l:W */
typedef struct ev {
  char buf[2048];
  size_t n;
  int stop_at_key; /* stop at this key (1-based count), 0: never */
  int keys;
} ev;

static void add(ev *e, const char *s, size_t n) {
  if (e->n + n + 2 < sizeof e->buf) {
    memcpy(e->buf + e->n, s, n);
    e->n += n;
    e->buf[e->n++] = ' ';
    e->buf[e->n] = '\0';
  }
}

static int e_begin(void *ud, int is_array) {
  add((ev *)ud, is_array ? "b[" : "b{", 2);
  return 0;
}
static int e_end(void *ud, int is_array) {
  add((ev *)ud, is_array ? "e]" : "e}", 2);
  return 0;
}
static int e_key(void *ud, const char *s, size_t n, size_t pos) {
  ev *e = (ev *)ud;
  char b[256];
  snprintf(b, sizeof b, "k:%.*s@%zu", (int)n, s, pos);
  add(e, b, strlen(b));
  return e->stop_at_key != 0 && ++e->keys == e->stop_at_key;
}
static int e_string(void *ud, const char *s, size_t n) {
  char b[256];
  size_t i, o = 2;
  memcpy(b, "s:", 2);
  for (i = 0; i < n && o + 4 < sizeof b; i++) { /* bytes below 32 as ^X */
    unsigned char c = (unsigned char)s[i];
    if (c < 32) {
      b[o++] = '^';
      b[o++] = (char)('@' + c);
    } else {
      b[o++] = (char)c;
    }
  }
  add((ev *)ud, b, o);
  return 0;
}
static int e_number(void *ud, double v, int integral, long long iv) {
  char b[64];
  if (integral) {
    snprintf(b, sizeof b, "i:%lld", iv);
  } else {
    snprintf(b, sizeof b, "n:%.17g", v);
  }
  add((ev *)ud, b, strlen(b));
  return 0;
}
static int e_literal(void *ud, int which) {
  static const char *const w[] = {"l:false", "l:true", "l:null"};
  add((ev *)ud, w[which], strlen(w[which]));
  return 0;
}

static const aza_json_sink SINK = {e_begin,  e_end,    e_key,
                                   e_string, e_number, e_literal};

static aza_status parse(const char *text, size_t len, ev *e, aza_err *err) {
  static char scratch[4096];
  memset(e, 0, sizeof *e);
  return aza_json_parse(text, len, scratch, 64, &SINK, e, err);
}

static void must_parse(const char *text, const char *events) {
  ev e;
  aza_err err;
  CHECK(parse(text, strlen(text), &e, &err) == AZA_OK);
  CHECK_STR(e.buf, events);
}

static void must_fail(const char *text, size_t len, aza_status code,
                      size_t pos) {
  ev e;
  aza_err err;
  CHECK(parse(text, len, &e, &err) == code);
  CHECK(err.pos == pos);
}

int main(void) {
  char deep[200];
  ev e;
  aza_err err;
  size_t i;
  must_parse("{\"a\": 1, \"b\": [true, null, \"x\"]}",
             "b{ k:a@2 i:1 k:b@10 b[ l:true l:null s:x e] e} ");
  must_parse("  -0 ", "i:0 ");
  must_parse("[2.5, 1e2, -3E-1, 0]",
             "b[ n:2.5 n:100 n:-0.29999999999999999 i:0 e] ");
  must_parse("9223372036854775807", "i:9223372036854775807 ");
  must_parse("-9223372036854775808", "i:-9223372036854775808 ");
  must_parse("9223372036854775808", "n:9.2233720368547758e+18 ");
  must_parse("\"\\u00e9\\ud83d\\ude00\\n\\t\\/\"",
             "s:\xc3\xa9\xf0\x9f\x98\x80^J^I/ ");
  must_parse("\"caf\xc3\xa9\"", "s:caf\xc3\xa9 ");
  must_parse("\xef\xbb\xbf{}", "b{ e} ");
  must_parse("\"\\u0000\"", "s:^@ ");
  must_fail("", 0, AZA_ESYNTAX, 1);
  must_fail("[1,]", 4, AZA_ESYNTAX, 4);
  must_fail("{\"a\" 1}", 7, AZA_ESYNTAX, 6);
  must_fail("01", 2, AZA_ESYNTAX, 2);
  must_fail(".5", 2, AZA_ESYNTAX, 1);
  must_fail("1.", 2, AZA_ESYNTAX, 1);
  must_fail("1e400", 5, AZA_EVALUE, 1);
  must_fail("\"\\ud800\"", 8, AZA_ESYNTAX, 2);
  must_fail("\"\\udc00\"", 8, AZA_ESYNTAX, 2);
  must_fail("\"\xc0\xaf\"", 4, AZA_ESYNTAX, 2);     /* overlong */
  must_fail("\"\xed\xa0\x80\"", 5, AZA_ESYNTAX, 2); /* a surrogate in UTF-8 */
  must_fail("\"a\tb\"", 5, AZA_ESYNTAX, 3);         /* a raw control byte */
  must_fail("\"abc", 4, AZA_ESYNTAX, 1);
  must_fail("[1] x", 5, AZA_ESYNTAX, 5);
  must_fail("[1]\0", 4, AZA_ESYNTAX, 4);
  must_fail("NaN", 3, AZA_ESYNTAX, 1);
  must_fail("tru", 3, AZA_ESYNTAX, 1);
  /* nesting: 64 deep parses, 65 does not */
  for (i = 0; i < 64; i++) {
    deep[i] = '[';
    deep[64 + i] = ']';
  }
  CHECK(parse(deep, 128, &e, &err) == AZA_OK);
  memmove(deep + 1, deep, 128);
  deep[129] = ']';
  CHECK(parse(deep, 130, &e, &err) == AZA_ETOOBIG);
  CHECK(err.pos == 65);
  /* a sink that stops */
  memset(&e, 0, sizeof e);
  {
    static char scratch[64];
    e.stop_at_key = 2;
    CHECK(aza_json_parse("{\"a\":1,\"a\":2}", 13, scratch, 64, &SINK, &e,
                         &err) == AZA_EVALUE);
    CHECK(aza_json_parse(NULL, 0, scratch, 64, &SINK, &e, &err) == AZA_EARG);
  }
  return tap_done("test_json");
}
