/*
** aza_unit_text.c
** Units as text: a unit built from terms (the result of quantity
** arithmetic) with its UCUM form, aza_unit_format, and dimensions
** compared and formatted ("mass/(mass.time)"). Resolution and factors are
** aza_unit.c; conversion is aza_convert.c.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aza_unit_int.h"

/* {====================================================================
** Building a unit from terms (arithmetic results) and formatting
** ===================================================================== */

typedef struct sbuf {
  char *buf;
  size_t size;
  size_t len; /* length needed so far */
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++, b->len++) {
    if (b->len + 1 < b->size) {
      b->buf[b->len] = s[i];
    }
  }
  if (b->size > 0) {
    b->buf[b->len + 1 < b->size ? b->len : b->size - 1] = '\0';
  }
}

static void sb_str(sbuf *b, const char *s) {
  sb_add(b, s, strlen(s));
}

static void sb_int(sbuf *b, int v) {
  char tmp[16];
  snprintf(tmp, sizeof tmp, "%d", v);
  sb_str(b, tmp);
}

static void term_text(sbuf *b, const aza_unit *u, const aza_term *t, int e) {
  if (t->atom != AZA_ATOM_NONE) {
    if (t->prefix >= 0) {
      sb_str(b, azai_prefix_at((size_t)t->prefix)->code);
    }
    sb_str(b, azai_atom_at(t->atom)->code);
    if (e != 1) {
      sb_int(b, e);
    }
  }
  if (t->ann != 0xFF) {
    sb_str(b, "{");
    sb_add(b, u->annot + t->ann, t->annlen);
    sb_str(b, "}");
  }
}

aza_status azai_unit_build(aza_unit *u, aza_err *err) {
  char text[AZA_EXPR_MAX];
  sbuf b;
  int i, nnum = 0;
  aza_status st;
  b.buf = u->text;
  b.size = sizeof u->text;
  b.len = 0;
  u->text[0] = '\0';
  u->scale = 1.0;
  for (i = 0; i < u->nterms; i++) {
    if (u->terms[i].exp > 0) {
      if (nnum++ > 0) {
        sb_str(&b, ".");
      }
      term_text(&b, u, &u->terms[i], u->terms[i].exp);
    }
  }
  for (i = 0; i < u->nterms; i++) {
    if (u->terms[i].exp < 0) {
      sb_str(&b, "/");
      term_text(&b, u, &u->terms[i], -u->terms[i].exp);
    }
  }
  if (u->nterms == 0) {
    sb_str(&b, "1");
  }
  if (b.len < sizeof u->text && azai_alias_find(u->text, b.len) != NULL) {
    /* kelvin per microliter is "K.uL-1": "K/uL" would read as 10*3/uL */
    b.len = 0;
    for (i = 0; i < u->nterms; i++) {
      if (i > 0) {
        sb_str(&b, ".");
      }
      term_text(&b, u, &u->terms[i], u->terms[i].exp);
    }
  }
  if (b.len >= sizeof u->text) {
    return aza_err_set(err, AZA_ETOOBIG, 0,
                       "resulting unit longer than %d bytes", AZA_EXPR_MAX - 1);
  }
  /* the unit is what its text says: parse it back, so they never differ */
  memcpy(text, u->text, b.len + 1);
  st = azai_parse_ucum(text, b.len, 0, u, err);
  if (st != AZA_OK) {
    return aza_err_set(err, st == AZA_ESYNTAX ? AZA_ETOOBIG : st, 0,
                       "resulting unit out of range: %.80s", text);
  }
  return AZA_OK;
}

size_t aza_unit_format(const aza_unit *u, char *buf, size_t size) {
  sbuf b;
  b.buf = buf;
  b.size = buf != NULL ? size : 0;
  b.len = 0;
  if (b.size > 0) {
    buf[0] = '\0';
  }
  if (u != NULL) {
    size_t n = 0;
    while (n < sizeof u->text && u->text[n] != '\0') {
      n++;
    }
    sb_add(&b, u->text, n);
  }
  return b.len;
}

/* }==================================================================== */

/* {====================================================================
** Dimensions
** ===================================================================== */

int aza_dim_eq(const aza_dim *a, const aza_dim *b) {
  int k;
  if (a == NULL || b == NULL) {
    return 0;
  }
  for (k = 0; k < AZA_NDIM; k++) {
    if (a->e[k] != b->e[k]) {
      return 0;
    }
  }
  return a->mm == b->mm && a->arb_exp == b->arb_exp &&
         (a->arb_exp == 0 || a->arb == b->arb) && a->annot == b->annot;
}

/* one side of a dimension text: items with positive exponents */
static int dim_side(sbuf *b, const aza_dim *d, int sign) {
  static const int order[] = {AZA_DIM_M, AZA_DIM_N, -1,
                              AZA_DIM_L, AZA_DIM_T, AZA_DIM_A,
                              AZA_DIM_K, AZA_DIM_Q, AZA_DIM_F};
  static const char *const names[AZA_NDIM] = {
      "length",      "time",   "mass",       "angle",
      "temperature", "charge", "luminosity", "amount"};
  int count = 0;
  size_t i;
  for (i = 0; i < sizeof order / sizeof order[0]; i++) {
    int k = order[i], e;
    const char *name;
    if (k < 0) {
      e = d->arb_exp * sign;
      name = d->arb == 0xFFFF ? "arbitrary" : NULL;
      if (e > 0 && name == NULL) {
        const azai_atom *a = azai_atom_at(d->arb);
        name = a != NULL ? a->code : "arbitrary";
      }
    } else {
      e = d->e[k] * sign;
      if (k == AZA_DIM_M) {
        e = (e > 0 ? e : 0) + d->mm;
      }
      name = names[k];
      if (k == AZA_DIM_L && e > 0 && e % 3 == 0) {
        name = "volume";
        e /= 3;
      }
    }
    if (e <= 0) {
      continue;
    }
    if (count++ > 0) {
      sb_str(b, ".");
    }
    sb_str(b, name);
    if (e != 1) {
      sb_int(b, e);
    }
  }
  return count;
}

size_t aza_dim_format(const aza_dim *d, char *buf, size_t size) {
  sbuf b, probe;
  char tmp[8];
  int nden;
  b.buf = buf;
  b.size = buf != NULL ? size : 0;
  b.len = 0;
  if (b.size > 0) {
    buf[0] = '\0';
  }
  if (d == NULL) {
    return 0;
  }
  if (dim_side(&b, d, 1) == 0) {
    sb_str(&b, "1");
  }
  probe.buf = tmp;
  probe.size = 0;
  probe.len = 0;
  nden = dim_side(&probe, d, -1);
  if (nden > 0) {
    sb_str(&b, nden > 1 ? "/(" : "/");
    dim_side(&b, d, -1);
    if (nden > 1) {
      sb_str(&b, ")");
    }
  }
  return b.len;
}

/* }==================================================================== */
