/*
** fuzz_unit.c
** libFuzzer target: arbitrary bytes to the unit parser. When they parse,
** the UCUM text must parse back to the same dimension (and factor), the
** unit must convert to itself, and quantity arithmetic on it must not
** crash. Aborts (a finding) only when an invariant breaks.
*/
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aza_unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond) {
  if (!cond) {
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[AZA_EXPR_MAX * 2];
  char buf[AZA_EXPR_MAX + 64];
  aza_unit u, v;
  aza_err err;
  aza_qty q, r, s;
  int aliased = 0;
  double out;
  size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
  memcpy(text, data, n);
  text[n] = '\0';

  /* the quantity parser sees the same bytes */
  if (aza_qty_parse(text, &q, &err) == AZA_OK) {
    aza_qty_format(&q, buf, sizeof buf);
    check(aza_qty_parse(buf, &r, &err) == AZA_OK);
    check(r.value == q.value);
  }

  if (aza_unit_parse(text, &u, &aliased, &err) != AZA_OK) {
    check(err.code != AZA_OK && err.msg[0] != '\0');
    return 0;
  }
  check(aza_unit_format(&u, buf, sizeof buf) < sizeof buf);
  check(aza_unit_parse(buf, &v, NULL, &err) == AZA_OK);
  check(aza_dim_eq(&u.dim, &v.dim));
  check(u.kind == v.kind);
  check(u.factor == v.factor);
  check(isfinite(u.factor) && u.factor > 0);
  aza_dim_format(&u.dim, buf, sizeof buf);

  /* to itself */
  if (aza_unit_convert(1.0, &u, &v, &out, &err) == AZA_OK) {
    check(isfinite(out));
  } else {
    check(u.has_special || err.code == AZA_EVALUE);
  }
  if (!u.has_special && u.kind == AZA_UNIT_RATIO) {
    check(aza_unit_convert(2.5, &u, &u, &out, &err) == AZA_OK);
    check(fabs(out - 2.5) <= 1e-12 * 2.5);
  }
  aza_unit_convert_substance(1.0, &u, &v, "creatinine", &out, &err);

  /* arithmetic: results, when there are any, are UCUM that reads back */
  q.value = 3;
  q.unit = u;
  if (aza_qty_mul(&q, &q, &r, &err) == AZA_OK) {
    check(aza_unit_parse(r.unit.text, &v, NULL, &err) == AZA_OK);
    check(aza_dim_eq(&r.unit.dim, &v.dim));
  }
  if (aza_qty_div(&q, &q, &r, &err) == AZA_OK) {
    check(r.unit.nterms == 0);
  }
  if (aza_qty_pow(&q, -2, &r, &err) == AZA_OK) {
    check(aza_unit_parse(r.unit.text, &v, NULL, &err) == AZA_OK);
    check(aza_dim_eq(&r.unit.dim, &v.dim));
  }
  if (aza_qty_parse("2 mg/kg/d", &s, &err) == AZA_OK &&
      aza_qty_mul(&s, &q, &r, &err) == AZA_OK) {
    check(aza_unit_parse(r.unit.text, &v, NULL, &err) == AZA_OK);
    check(aza_dim_eq(&r.unit.dim, &v.dim));
  }
  aza_qty_add(&q, &q, &r, &err);
  return 0;
}
