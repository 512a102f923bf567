/*
** aza_parse.c
** UCUM text to terms: the parser (case-sensitive UCUM), the public parse
** with the explicit lab-alias tables, and locale-independent numbers.
** Dimension and factor of the parsed terms come from aza_unit.c.
**
** Grammar (left to right, so mg/kg/d is mg/(kg.d) and s/m.mg is
** (s/m).mg):
**   main      := '/' term | term
**   term      := component (('.' | '/') component)*
**   component := '(' term ')' | annotation | number [annotation]
**              | symbol [exponent] [annotation]
**   exponent  := ['+' | '-'] digits          (10* and 10^ take one too)
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aza_unit_int.h"

/* {====================================================================
** Small helpers
** ===================================================================== */

static int is_digit(int c) {
  return c >= '0' && c <= '9';
}

/* printable ASCII that may appear in a symbol outside brackets */
static int is_symch(int c) {
  return c >= 33 && c <= 126 && c != '.' && c != '/' && c != '(' && c != ')' &&
         c != '{' && c != '}' && c != '[' && c != ']';
}

/* describe the byte at s[i] for a message: "'x'", "end" or "byte 0xC3" */
static void describe(const char *s, size_t n, size_t i, char *buf,
                     size_t size) {
  if (i >= n) {
    snprintf(buf, size, "end of input");
  } else if ((unsigned char)s[i] >= 33 && (unsigned char)s[i] <= 126) {
    snprintf(buf, size, "'%c'", s[i]);
  } else if (s[i] == ' ') {
    snprintf(buf, size, "space");
  } else {
    snprintf(buf, size, "byte 0x%02X", (unsigned)(unsigned char)s[i]);
  }
}

/* }==================================================================== */

/* {====================================================================
** Parser: text -> terms, annotation texts and a literal scale
** ===================================================================== */

typedef struct parser {
  const char *s;
  size_t n;
  size_t i;    /* current byte */
  size_t base; /* added to 1-based positions in messages */
  int depth;   /* parentheses */
  aza_unit *u;
  size_t annused; /* bytes used in u->annot */
  double snum;    /* literal numbers: scale = snum / sden */
  double sden;
  aza_err *err;
} parser;

#define POS(p, at) ((p)->base + (at) + 1)

static aza_status p_term(parser *p, int mult, int first);

static aza_status add_term(parser *p, size_t at, int atom, int prefix, int exp,
                           size_t ann, size_t annlen) {
  aza_unit *u = p->u;
  aza_term *t;
  if (u->nterms >= AZA_TERMS_MAX) {
    return aza_err_set(p->err, AZA_ETOOBIG, POS(p, at),
                       "too many terms (at most %d) at %zu", AZA_TERMS_MAX,
                       POS(p, at));
  }
  t = &u->terms[u->nterms++];
  t->atom = (uint16_t)atom;
  t->prefix = (int8_t)prefix;
  t->exp = (int8_t)exp;
  if (annlen == (size_t)-1) {
    t->ann = 0xFF;
    t->annlen = 0;
  } else {
    t->ann = (uint8_t)ann;
    t->annlen = (uint8_t)annlen;
  }
  return AZA_OK;
}

/* {annotation} at p->i; stores the text, sets *off and *len */
static aza_status p_annotation(parser *p, size_t *off, size_t *len) {
  size_t start = p->i, j = p->i + 1, k;
  while (j < p->n && p->s[j] != '}') {
    unsigned char c = (unsigned char)p->s[j];
    if (c < 33 || c > 126 || c == '{') {
      char what[24];
      describe(p->s, p->n, j, what, sizeof what);
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, j),
                         "%s is not allowed in an annotation at %zu", what,
                         POS(p, j));
    }
    j++;
  }
  if (j >= p->n) {
    return aza_err_set(p->err, AZA_ESYNTAX, POS(p, start),
                       "unbalanced '{' at %zu", POS(p, start));
  }
  k = j - start - 1;
  if (p->annused + k + 1 > AZA_ANNOT_MAX || p->annused >= 0xFF) {
    return aza_err_set(p->err, AZA_ETOOBIG, POS(p, start),
                       "annotations too long (at most %d bytes) at %zu",
                       AZA_ANNOT_MAX - 1, POS(p, start));
  }
  memcpy(p->u->annot + p->annused, p->s + start + 1, k);
  p->u->annot[p->annused + k] = '\0';
  *off = p->annused;
  *len = k;
  p->annused += k + 1;
  p->i = j + 1;
  return AZA_OK;
}

/* optional [+-]digits at p->i; *exp stays 1 when there is none */
static aza_status p_exponent(parser *p, int *exp) {
  size_t at = p->i, j = p->i;
  int sign = 1, v = 0;
  if (j < p->n && (p->s[j] == '+' || p->s[j] == '-')) {
    sign = p->s[j] == '-' ? -1 : 1;
    j++;
  }
  if (j >= p->n || !is_digit((unsigned char)p->s[j])) {
    if (j != at) {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, j),
                         "expected digits after the sign at %zu", POS(p, j));
    }
    *exp = 1;
    return AZA_OK;
  }
  while (j < p->n && is_digit((unsigned char)p->s[j])) {
    v = v * 10 + (p->s[j] - '0');
    if (v > 127) {
      return aza_err_set(p->err, AZA_ETOOBIG, POS(p, at),
                         "exponent too large at %zu", POS(p, at));
    }
    j++;
  }
  if (v == 0) {
    return aza_err_set(p->err, AZA_ESYNTAX, POS(p, at), "exponent 0 at %zu",
                       POS(p, at));
  }
  *exp = sign * v;
  p->i = j;
  return AZA_OK;
}

/* atom (and prefix) for a symbol: whole symbol first, then prefix+atom */
static int lookup(const char *s, size_t n, int *atom, int *prefix) {
  size_t i, np = azai_prefix_count();
  int a = azai_atom_find(s, n), len;
  if (a >= 0) {
    *atom = a;
    *prefix = -1;
    return 1;
  }
  for (len = 2; len >= 1; len--) {
    for (i = 0; i < np; i++) {
      const azai_prefix *px = azai_prefix_at(i);
      if (px->len != len || n <= (size_t)len ||
          memcmp(px->code, s, (size_t)len) != 0) {
        continue;
      }
      a = azai_atom_find(s + len, n - (size_t)len);
      if (a >= 0 && (azai_atom_at((size_t)a)->flags & AZAI_METRIC)) {
        *atom = a;
        *prefix = (int)i;
        return 1;
      }
    }
  }
  return 0;
}

/* optional annotation right after a unit or number */
static aza_status p_opt_annotation(parser *p, size_t *off, size_t *len) {
  *len = (size_t)-1;
  *off = 0;
  if (p->i < p->n && p->s[p->i] == '{') {
    return p_annotation(p, off, len);
  }
  return AZA_OK;
}

static aza_status p_number(parser *p, int mult) {
  size_t at = p->i, j = p->i, off, len;
  double v = 0;
  aza_status st;
  while (j < p->n && is_digit((unsigned char)p->s[j])) {
    v = v * 10 + (p->s[j] - '0');
    j++;
  }
  if (j < p->n && (p->s[j] == '*' || p->s[j] == '^')) {
    int exp = 0, atom;
    if (j - at != 2 || p->s[at] != '1' || p->s[at + 1] != '0') {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, j),
                         "only 10 takes '%c' at %zu", p->s[j], POS(p, j));
    }
    atom = azai_atom_find(p->s + at, 3);
    p->i = j + 1;
    if ((st = p_exponent(p, &exp)) != AZA_OK ||
        (st = p_opt_annotation(p, &off, &len)) != AZA_OK) {
      return st;
    }
    return add_term(p, at, atom, -1, exp * mult, off, len);
  }
  if (v == 0 || !isfinite(v)) {
    return aza_err_set(p->err, v == 0 ? AZA_ESYNTAX : AZA_ETOOBIG, POS(p, at),
                       "factor %s at %zu", v == 0 ? "0" : "too large",
                       POS(p, at));
  }
  p->i = j;
  if (mult > 0) {
    p->snum *= v;
  } else {
    p->sden *= v;
  }
  if (p->i < p->n && p->s[p->i] == '{') {
    if ((st = p_annotation(p, &off, &len)) != AZA_OK) {
      return st;
    }
    return add_term(p, at, AZA_ATOM_NONE, -1, mult, off, len);
  }
  if (p->i < p->n && (is_symch((unsigned char)p->s[p->i]) ||
                      p->s[p->i] == '[' || p->s[p->i] == '(')) {
    size_t e = p->i;
    while (e < p->n && e - at < 32 && is_symch((unsigned char)p->s[e])) {
      e++;
    }
    if (e == p->i) {
      e++;
    }
    if (p->s[p->i] == '+' || p->s[p->i] == '-') {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, at),
                         "a number cannot be glued to a unit: '%.*s' at %zu",
                         (int)(e - at), p->s + at, POS(p, at));
    }
    return aza_err_set(p->err, AZA_ESYNTAX, POS(p, at),
                       "a number cannot be glued to a unit: '%.*s' at %zu "
                       "(write %.*s.%.*s)",
                       (int)(e - at), p->s + at, POS(p, at), (int)(p->i - at),
                       p->s + at, (int)(e - p->i), p->s + p->i);
  }
  return AZA_OK;
}

static aza_status p_symbol(parser *p, int mult) {
  size_t at = p->i, j = p->i, k, off, len;
  int atom, prefix, exp = 1;
  aza_status st;
  while (j < p->n) {
    unsigned char c = (unsigned char)p->s[j];
    if (c == '[') {
      size_t open = j++;
      while (j < p->n && p->s[j] != ']') {
        c = (unsigned char)p->s[j];
        if (c < 33 || c > 126 || c == '[') {
          char what[24];
          describe(p->s, p->n, j, what, sizeof what);
          return aza_err_set(p->err, AZA_ESYNTAX, POS(p, j),
                             "unexpected %s inside '[' at %zu", what,
                             POS(p, j));
        }
        j++;
      }
      if (j >= p->n) {
        return aza_err_set(p->err, AZA_ESYNTAX, POS(p, open),
                           "unbalanced '[' at %zu", POS(p, open));
      }
      j++;
    } else if (is_symch(c)) {
      j++;
    } else {
      break;
    }
  }
  if (j == at) {
    char what[24];
    describe(p->s, p->n, at, what, sizeof what);
    return aza_err_set(p->err, AZA_ESYNTAX, POS(p, at), "unexpected %s at %zu",
                       what, POS(p, at));
  }
  /* trailing exponent */
  k = j;
  while (k > at && is_digit((unsigned char)p->s[k - 1])) {
    k--;
  }
  if (k < j) {
    size_t e = k, d;
    int v = 0;
    if (k > at && (p->s[k - 1] == '+' || p->s[k - 1] == '-')) {
      e = k - 1;
    }
    if (e == at) {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, at),
                         "expected a unit before the exponent at %zu",
                         POS(p, at));
    }
    for (d = k; d < j; d++) {
      v = v * 10 + (p->s[d] - '0');
      if (v > 127) {
        return aza_err_set(p->err, AZA_ETOOBIG, POS(p, e),
                           "exponent too large at %zu", POS(p, e));
      }
    }
    if (v == 0) {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, e), "exponent 0 at %zu",
                         POS(p, e));
    }
    exp = p->s[e] == '-' ? -v : v;
    k = e;
  }
  if (!lookup(p->s + at, k - at, &atom, &prefix)) {
    return aza_err_set(p->err, AZA_EUNIT, POS(p, at),
                       "unknown unit '%.*s' at %zu",
                       (int)(k - at > 64 ? 64 : k - at), p->s + at, POS(p, at));
  }
  p->i = j;
  if ((st = p_opt_annotation(p, &off, &len)) != AZA_OK) {
    return st;
  }
  return add_term(p, at, atom, prefix, exp * mult, off, len);
}

/* the previous operator or bracket, for "expected a term after ..." */
static aza_status expected_term(parser *p) {
  if (p->i == 0) {
    return aza_err_set(p->err, AZA_ESYNTAX, POS(p, 0),
                       p->n == 0 ? "empty unit expression at %zu"
                                 : "expected a unit at %zu",
                       POS(p, 0));
  }
  return aza_err_set(p->err, AZA_ESYNTAX, POS(p, p->i),
                     "expected a term after '%c' at %zu", p->s[p->i - 1],
                     POS(p, p->i));
}

static aza_status p_component(parser *p, int mult) {
  unsigned char c;
  aza_status st;
  if (p->i >= p->n) {
    return expected_term(p);
  }
  c = (unsigned char)p->s[p->i];
  if (c == '.' || c == '/' || c == ')') {
    return expected_term(p);
  }
  if (c == '(') {
    size_t open = p->i;
    if (p->depth >= AZA_DEPTH_MAX) {
      return aza_err_set(p->err, AZA_ETOOBIG, POS(p, open),
                         "parentheses nested too deep at %zu", POS(p, open));
    }
    p->depth++;
    p->i++;
    if ((st = p_term(p, mult, mult)) != AZA_OK) {
      return st;
    }
    if (p->i >= p->n || p->s[p->i] != ')') {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, open),
                         "unbalanced '(' at %zu", POS(p, open));
    }
    p->depth--;
    p->i++;
    return AZA_OK;
  }
  if (c == '{') {
    size_t at = p->i, off, len;
    if ((st = p_annotation(p, &off, &len)) != AZA_OK) {
      return st;
    }
    if (p->i < p->n && (is_symch((unsigned char)p->s[p->i]) ||
                        p->s[p->i] == '[' || p->s[p->i] == '{')) {
      return aza_err_set(p->err, AZA_ESYNTAX, POS(p, p->i),
                         "an annotation cannot be followed by a unit "
                         "symbol at %zu",
                         POS(p, p->i));
    }
    return add_term(p, at, AZA_ATOM_NONE, -1, mult, off, len);
  }
  if (is_digit(c)) {
    return p_number(p, mult);
  }
  return p_symbol(p, mult);
}

/* after a component: an operator, ')' or the end */
static aza_status p_after(parser *p) {
  char what[24];
  unsigned char c;
  if (p->i >= p->n) {
    return AZA_OK;
  }
  c = (unsigned char)p->s[p->i];
  if (c == '.' || c == '/' || c == ')') {
    return AZA_OK;
  }
  if (c == '(') {
    return aza_err_set(p->err, AZA_ESYNTAX, POS(p, p->i),
                       "expected '.' or '/' before '(' at %zu", POS(p, p->i));
  }
  describe(p->s, p->n, p->i, what, sizeof what);
  return aza_err_set(p->err, AZA_ESYNTAX, POS(p, p->i), "unexpected %s at %zu",
                     what, POS(p, p->i));
}

/*
** component (op component)*: the first component has multiplier `first`
** (-1 after the leading '/' of a main term), the others mult or -mult
*/
static aza_status p_term(parser *p, int mult, int first) {
  aza_status st;
  if ((st = p_component(p, first)) != AZA_OK || (st = p_after(p)) != AZA_OK) {
    return st;
  }
  while (p->i < p->n && (p->s[p->i] == '.' || p->s[p->i] == '/')) {
    int m = p->s[p->i] == '/' ? -mult : mult;
    p->i++;
    if ((st = p_component(p, m)) != AZA_OK || (st = p_after(p)) != AZA_OK) {
      return st;
    }
  }
  return AZA_OK;
}

aza_status azai_parse_terms(const char *s, size_t n, size_t base, aza_unit *u,
                            double *snum, double *sden, aza_err *err) {
  parser p;
  aza_status st;
  int mult = 1;
  memset(u, 0, sizeof *u);
  u->scale = 1.0;
  p.snum = 1.0;
  p.sden = 1.0;
  p.s = s;
  p.n = n;
  p.i = 0;
  p.base = base;
  p.depth = 0;
  p.u = u;
  p.annused = 0;
  p.err = err;
  if (n > 0 && s[0] == '/') {
    mult = -1;
    p.i = 1;
  }
  if ((st = p_term(&p, 1, mult)) != AZA_OK) {
    return st;
  }
  if (p.i < n) { /* only ')' can stop a term here */
    return aza_err_set(err, AZA_ESYNTAX, POS(&p, p.i), "unbalanced ')' at %zu",
                       POS(&p, p.i));
  }
  u->scale = p.snum / p.sden;
  if (!isfinite(u->scale) || u->scale == 0) {
    return aza_err_set(err, AZA_ETOOBIG, POS(&p, 0),
                       "literal numbers out of range at %zu", POS(&p, 0));
  }
  if (snum != NULL) {
    *snum = p.snum;
    *sden = p.sden;
  }
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Public parse: whole-expression aliases, native UCUM, per-atom aliases
** ===================================================================== */

/* per-atom lab spellings, rewritten only at the start of a symbol */
static const struct {
  const char *spelling;
  const char *ucum;
} atom_aliases[] = {{"mcg", "ug"},
                    {"IU", "[IU]"},
                    {"mIU", "m[IU]"},
                    {"uIU", "u[IU]"},
                    {"kIU", "k[IU]"}};

/* the atom alias spelled at s[i] (a whole symbol), or -1 */
static int atom_alias_at(const char *s, size_t n, size_t i) {
  size_t k;
  for (k = 0; k < sizeof atom_aliases / sizeof atom_aliases[0]; k++) {
    size_t len = strlen(atom_aliases[k].spelling);
    if (i + len <= n && memcmp(s + i, atom_aliases[k].spelling, len) == 0 &&
        (i + len == n || strchr("./){+-", s[i + len]) != NULL ||
         is_digit((unsigned char)s[i + len]))) {
      return (int)k;
    }
  }
  return -1;
}

/*
** micro sign / Greek mu before a unit, and the atom aliases ("mcg",
** "IU", ...) at symbol starts
*/
static int rewrite_atoms(const char *s, size_t n, char *out, size_t cap) {
  size_t i = 0, o = 0;
  int changed = 0, brace = 0;
  while (i < n) {
    int start = i == 0 || s[i - 1] == '.' || s[i - 1] == '/' || s[i - 1] == '(';
    unsigned char c = (unsigned char)s[i];
    int k;
    if (o + 8 >= cap) {
      return 0;
    }
    if (c == '{') {
      brace = 1;
    } else if (c == '}') {
      brace = 0;
    }
    if (!brace && start && i + 2 < n &&
        ((c == 0xC2 && (unsigned char)s[i + 1] == 0xB5) ||
         (c == 0xCE && (unsigned char)s[i + 1] == 0xBC)) &&
        (is_symch((unsigned char)s[i + 2]) || s[i + 2] == '[')) {
      out[o++] = 'u';
      i += 2;
      changed = 1;
      continue;
    }
    if (!brace && start && (k = atom_alias_at(s, n, i)) >= 0) {
      size_t len = strlen(atom_aliases[k].ucum);
      memcpy(out + o, atom_aliases[k].ucum, len);
      o += len;
      i += strlen(atom_aliases[k].spelling);
      changed = 1;
      continue;
    }
    out[o++] = s[i++];
  }
  out[o] = '\0';
  return changed;
}

aza_status azai_parse_ucum(const char *s, size_t n, size_t base, aza_unit *out,
                           aza_err *err) {
  aza_status st = azai_parse_terms(s, n, base, out, NULL, NULL, err);
  if (st == AZA_OK) {
    st = azai_unit_finish(out, err);
    if (st != AZA_OK && err != NULL && err->pos == 0) {
      err->pos = base + 1;
    }
  }
  if (st == AZA_OK) {
    memcpy(out->text, s, n);
    out->text[n] = '\0';
  }
  return st;
}

aza_status azai_unit_parse(const char *expr, size_t n, size_t base,
                           aza_unit *out, int *aliased, aza_err *err) {
  const char *ucum;
  char re[AZA_EXPR_MAX];
  aza_err first;
  aza_status st;
  if (aliased != NULL) {
    *aliased = 0;
  }
  if (n >= AZA_EXPR_MAX) {
    return aza_err_set(err, AZA_ETOOBIG, base + 1,
                       "unit expression longer than %d bytes at %zu",
                       AZA_EXPR_MAX - 1, base + 1);
  }
  if ((ucum = azai_alias_find(expr, n)) != NULL) {
    st = azai_parse_ucum(ucum, strlen(ucum), base, out, err);
    if (st == AZA_OK && aliased != NULL) {
      *aliased = 1;
    }
    return st;
  }
  st = azai_parse_ucum(expr, n, base, out, &first);
  if (st == AZA_OK) {
    return AZA_OK;
  }
  if (rewrite_atoms(expr, n, re, sizeof re)) {
    size_t m = strlen(re);
    aza_err ignored;
    ucum = azai_alias_find(re, m);
    if (ucum != NULL) {
      st = azai_parse_ucum(ucum, strlen(ucum), base, out, &ignored);
    } else {
      st = azai_parse_ucum(re, m, base, out, &ignored);
    }
    if (st == AZA_OK) {
      if (aliased != NULL) {
        *aliased = 1;
      }
      return AZA_OK;
    }
  }
  if (err != NULL) {
    *err = first;
  }
  return first.code;
}

aza_status aza_unit_parse(const char *expr, aza_unit *out, int *aliased,
                          aza_err *err) {
  size_t n = 0;
  if (aliased != NULL) {
    *aliased = 0;
  }
  if (expr == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "unit expression and result needed");
  }
  while (n < AZA_EXPR_MAX && expr[n] != '\0') {
    n++;
  }
  return azai_unit_parse(expr, n, 0, out, aliased, err);
}

/* }==================================================================== */

/* {====================================================================
** Numbers: locale-independent reading and shortest round-trip writing
** ===================================================================== */

size_t azai_num_scan(const char *s, size_t n, double *v) {
  char buf[128];
  size_t i = 0, o = 0, nd = 0;
  int dexp = 0, seen = 0, neg = 0;
  long e = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    i++;
  }
  if (neg) {
    buf[o++] = '-';
  }
  while (i < n && is_digit((unsigned char)s[i])) {
    seen = 1;
    if (nd > 0 || s[i] != '0') {
      if (nd < 60) {
        buf[o++] = s[i];
      } else {
        dexp++;
      }
      nd++;
    }
    i++;
  }
  if (!seen) {
    return 0;
  }
  if (i + 1 < n && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
    i++;
    while (i < n && is_digit((unsigned char)s[i])) {
      if (nd > 0 || s[i] != '0') {
        if (nd < 60) {
          buf[o++] = s[i];
          dexp--;
        }
        nd++;
      } else {
        dexp--;
      }
      i++;
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    int eneg = 0;
    if (j < n && (s[j] == '+' || s[j] == '-')) {
      eneg = s[j] == '-';
      j++;
    }
    if (j < n && is_digit((unsigned char)s[j])) {
      while (j < n && is_digit((unsigned char)s[j])) {
        if (e < 100000) {
          e = e * 10 + (s[j] - '0');
        }
        j++;
      }
      if (eneg) {
        e = -e;
      }
      i = j;
    }
  }
  if (nd == 0) {
    *v = neg ? -0.0 : 0.0;
    return i;
  }
  snprintf(buf + o, sizeof buf - o, "e%ld", e + dexp);
  *v = strtod(buf, NULL);
  return i;
}

double azai_round_sig(double v, int digits) {
  char tmp[64], clean[64];
  size_t i, o = 0;
  double back = 0;
  if (!isfinite(v) || v == 0 || digits < 1 || digits > 17) {
    return v;
  }
  snprintf(tmp, sizeof tmp, "%.*e", digits - 1, v);
  /* the locale's decimal point becomes '.' */
  for (i = 0; tmp[i] != '\0' && o + 1 < sizeof clean; i++) {
    unsigned char c = (unsigned char)tmp[i];
    if (is_digit(c) || c == 'e' || c == '-' || c == '+') {
      clean[o++] = (char)c;
    } else {
      clean[o++] = '.';
    }
  }
  clean[o] = '\0';
  if (azai_num_scan(clean, o, &back) != o || !isfinite(back)) {
    return v; /* a multi-byte decimal point: keep the value as computed */
  }
  return back;
}

size_t azai_num_format(double v, char *buf, size_t size) {
  char tmp[64], clean[64];
  int prec;
  size_t i, o = 0;
  for (prec = 1; prec <= 17; prec++) {
    double back = 0;
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    /* the locale's decimal point becomes '.' */
    for (i = o = 0; tmp[i] != '\0' && o + 1 < sizeof clean; i++) {
      unsigned char c = (unsigned char)tmp[i];
      if (is_digit(c) || c == 'e' || c == '-' || c == '+' || c == 'i' ||
          c == 'n' || c == 'f' || c == 'a') {
        clean[o++] = (char)c;
      } else if (o == 0 || clean[o - 1] != '.') {
        clean[o++] = '.';
      }
    }
    clean[o] = '\0';
    if (azai_num_scan(clean, o, &back) == o && back == v) {
      break;
    }
  }
  /* %g writes 70 as 7e+01 at precision 1: use plain digits up to 1e17 */
  if (prec <= 17 && isfinite(v) && v != 0) {
    int e10 = (int)floor(log10(fabs(v)));
    if (e10 >= prec && e10 < 17) {
      char again[64];
      snprintf(again, sizeof again, "%.*g", e10 + 1, v);
      if (strchr(again, 'e') == NULL) {
        for (i = o = 0; again[i] != '\0' && o + 1 < sizeof clean; i++) {
          clean[o++] = again[i];
        }
        clean[o] = '\0';
      }
    }
  }
  return (size_t)snprintf(buf, size, "%s", clean);
}

/* }==================================================================== */
