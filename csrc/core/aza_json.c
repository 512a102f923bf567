/*
** aza_json.c
** The strict JSON reader of aza_json.h: recursive descent over the text,
** bounded by max_depth, every value handed to the sink. No allocation:
** escaped strings are unescaped into the caller's scratch buffer.
*/
#include <math.h>
#include <string.h>

#include "aza_json.h"
#include "aza_unit_int.h" /* azai_num_scan: the one decimal reader */

typedef struct reader {
  const unsigned char *s;
  size_t n, i;
  char *scratch;
  int depth, max_depth;
  const aza_json_sink *sink;
  void *ud;
  aza_err *err;
} reader;

static aza_status bad(reader *r, size_t at, const char *what) {
  return aza_err_set(r->err, AZA_ESYNTAX, at + 1, "%s at character %zu", what,
                     at + 1);
}

static aza_status stopped(reader *r) {
  return aza_err_set(r->err, AZA_EVALUE, r->i + 1, "stopped");
}

static void blanks(reader *r) {
  while (r->i < r->n) {
    unsigned char c = r->s[r->i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      break;
    }
    r->i++;
  }
}

/*
** Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no
** surrogates, at most U+10FFFF), or 0.
*/
static size_t utf8_len(const unsigned char *s, size_t n, size_t i) {
  unsigned char c = s[i];
  size_t k, len;
  unsigned lo = 0x80, hi = 0xBF;
  if (c < 0x80) {
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + len > n) {
    return 0;
  }
  for (k = 1; k < len; k++) {
    unsigned b = s[i + k];
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
      return 0;
    }
  }
  return len;
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  } else if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  } else if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/* the four hex digits at s[i], or -1 */
static long hex4(const reader *r, size_t i) {
  long v = 0;
  size_t k;
  if (i + 4 > r->n) {
    return -1;
  }
  for (k = 0; k < 4; k++) {
    int h = hexval(r->s[i + k]);
    if (h < 0) {
      return -1;
    }
    v = v * 16 + h;
  }
  return v;
}

static size_t put_utf8(char *o, unsigned long cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  } else if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  } else if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* one \-escape at s[i] (the backslash) into o; its length in *used */
static aza_status escape(reader *r, size_t i, char *o, size_t *used,
                         size_t *out) {
  unsigned char c = i + 1 < r->n ? r->s[i + 1] : 0;
  const char *simple = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *p;
  long cp, lo;
  if (c != 0 && (p = strchr(simple, c)) != NULL) {
    *o = to[p - simple];
    *used = 2;
    *out = 1;
    return AZA_OK;
  }
  if (c != 'u' || (cp = hex4(r, i + 2)) < 0) {
    return bad(r, i, "bad escape");
  }
  *used = 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return bad(r, i, "lone surrogate");
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (i + 7 >= r->n || r->s[i + 6] != '\\' || r->s[i + 7] != 'u' ||
        (lo = hex4(r, i + 8)) < 0xDC00 || lo > 0xDFFF) {
      return bad(r, i, "high surrogate without its low surrogate");
    }
    cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00);
    *used = 12;
  }
  *out = put_utf8(o, (unsigned long)cp);
  return AZA_OK;
}

/* the string at s[i] (its opening quote); *str, *len: its unescaped text */
static aza_status string(reader *r, const char **str, size_t *len) {
  size_t start = ++r->i, o = 0;
  int escaped = 0;
  while (r->i < r->n) {
    unsigned char c = r->s[r->i];
    if (c == '"') {
      if (!escaped) {
        *str = (const char *)r->s + start;
        *len = r->i - start;
      } else {
        *str = r->scratch;
        *len = o;
      }
      r->i++;
      return AZA_OK;
    } else if (c < 0x20) {
      return bad(r, r->i, "control byte in a string");
    } else if (c == '\\') {
      size_t used = 0, out = 0;
      aza_status st;
      if (!escaped) { /* copy what came before into the scratch buffer */
        memcpy(r->scratch, r->s + start, r->i - start);
        o = r->i - start;
        escaped = 1;
      }
      st = escape(r, r->i, r->scratch + o, &used, &out);
      if (st != AZA_OK) {
        return st;
      }
      o += out;
      r->i += used;
    } else {
      size_t k = utf8_len(r->s, r->n, r->i);
      if (k == 0) {
        return bad(r, r->i, "not valid UTF-8");
      }
      if (escaped) {
        memcpy(r->scratch + o, r->s + r->i, k);
        o += k;
      }
      r->i += k;
    }
  }
  return bad(r, start - 1, "unterminated string");
}

static int is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

/* a number by the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 */
static aza_status number(reader *r) {
  size_t a = r->i, i = r->i;
  int integral = 1, neg = 0, big = 0;
  unsigned long long u = 0;
  double v;
  const unsigned char *s = r->s;
  if (i < r->n && s[i] == '-') {
    neg = 1;
    i++;
  }
  if (i < r->n && s[i] == '0') {
    i++;
  } else if (i < r->n && s[i] >= '1' && s[i] <= '9') {
    while (i < r->n && is_digit(s[i])) {
      unsigned d = (unsigned)(s[i] - '0');
      if (u > (18446744073709551615ULL - d) / 10) {
        big = 1;
      } else {
        u = u * 10 + d;
      }
      i++;
    }
  } else {
    return bad(r, a, "not a value");
  }
  if (i < r->n && s[i] == '.') {
    integral = 0;
    if (++i >= r->n || !is_digit(s[i])) {
      return bad(r, a, "bad number");
    }
    while (i < r->n && is_digit(s[i])) {
      i++;
    }
  }
  if (i < r->n && (s[i] == 'e' || s[i] == 'E')) {
    integral = 0;
    i++;
    if (i < r->n && (s[i] == '+' || s[i] == '-')) {
      i++;
    }
    if (i >= r->n || !is_digit(s[i])) {
      return bad(r, a, "bad number");
    }
    while (i < r->n && is_digit(s[i])) {
      i++;
    }
  }
  if (azai_num_scan((const char *)s + a, i - a, &v) != i - a || !isfinite(v)) {
    return aza_err_set(r->err, AZA_EVALUE, a + 1,
                       "number out of range at character %zu", a + 1);
  }
  r->i = i;
  /* integers as Lua's tonumber reads them: those that fit a signed 64 bits */
  if (integral && !big &&
      (neg ? u <= 9223372036854775808ULL : u <= 9223372036854775807ULL)) {
    long long iv =
        neg ? (u == 9223372036854775808ULL ? (-9223372036854775807LL - 1)
                                           : -(long long)u)
            : (long long)u;
    return r->sink->number(r->ud, v, 1, iv) ? stopped(r) : AZA_OK;
  }
  return r->sink->number(r->ud, v, 0, 0) ? stopped(r) : AZA_OK;
}

static aza_status value(reader *r);

static aza_status literal(reader *r, const char *word, int which) {
  size_t n = strlen(word);
  if (r->i + n > r->n || memcmp(r->s + r->i, word, n) != 0) {
    return bad(r, r->i, "not a value");
  }
  r->i += n;
  return r->sink->literal(r->ud, which) ? stopped(r) : AZA_OK;
}

static aza_status container(reader *r, int is_array) {
  aza_status st;
  char close = is_array ? ']' : '}';
  if (++r->depth > r->max_depth) {
    return aza_err_set(r->err, AZA_ETOOBIG, r->i + 1,
                       "nested deeper than %d at character %zu", r->max_depth,
                       r->i + 1);
  }
  if (r->sink->begin(r->ud, is_array)) {
    return stopped(r);
  }
  r->i++;
  blanks(r);
  if (r->i < r->n && r->s[r->i] == close) {
    r->i++;
  } else {
    for (;;) {
      if (!is_array) {
        const char *k;
        size_t klen, at = r->i;
        if (r->i >= r->n || r->s[r->i] != '"') {
          return bad(r, r->i, "expected a key");
        }
        if ((st = string(r, &k, &klen)) != AZA_OK) {
          return st;
        }
        if (r->sink->key(r->ud, k, klen, at + 1)) {
          return stopped(r);
        }
        blanks(r);
        if (r->i >= r->n || r->s[r->i] != ':') {
          return bad(r, r->i, "expected ':'");
        }
        r->i++;
        blanks(r);
      }
      if ((st = value(r)) != AZA_OK) {
        return st;
      }
      blanks(r);
      if (r->i < r->n && r->s[r->i] == ',') {
        r->i++;
        blanks(r);
        continue;
      }
      if (r->i < r->n && r->s[r->i] == close) {
        r->i++;
        break;
      }
      return bad(r, r->i,
                 is_array ? "expected ',' or ']'" : "expected ',' or '}'");
    }
  }
  r->depth--;
  return r->sink->end(r->ud, is_array) ? stopped(r) : AZA_OK;
}

static aza_status value(reader *r) {
  unsigned char c;
  if (r->i >= r->n) {
    return bad(r, r->i, "expected a value");
  }
  c = r->s[r->i];
  switch (c) {
  case '{':
    return container(r, 0);
  case '[':
    return container(r, 1);
  case '"': {
    const char *s;
    size_t len;
    aza_status st = string(r, &s, &len);
    if (st != AZA_OK) {
      return st;
    }
    return r->sink->string(r->ud, s, len) ? stopped(r) : AZA_OK;
  }
  case 't':
    return literal(r, "true", AZA_JSON_TRUE);
  case 'f':
    return literal(r, "false", AZA_JSON_FALSE);
  case 'n':
    return literal(r, "null", AZA_JSON_NULL);
  default:
    return number(r);
  }
}

aza_status aza_json_parse(const char *text, size_t len, char *scratch,
                          int max_depth, const aza_json_sink *sink, void *ud,
                          aza_err *err) {
  reader r;
  aza_status st;
  if (text == NULL || scratch == NULL || sink == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "text, scratch and sink needed");
  }
  r.s = (const unsigned char *)text;
  r.n = len;
  r.i = 0;
  r.scratch = scratch;
  r.depth = 0;
  r.max_depth = max_depth;
  r.sink = sink;
  r.ud = ud;
  r.err = err;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    r.i = 3; /* a UTF-8 byte order mark */
  }
  blanks(&r);
  if ((st = value(&r)) != AZA_OK) {
    return st;
  }
  blanks(&r);
  if (r.i != r.n) {
    return bad(&r, r.i, "text after the value");
  }
  return AZA_OK;
}
