/*
** test_qty.c
** Quantities: parsing, conversion, arithmetic with term merging,
** comparison, formatting and their errors.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aza_unit.h"
#include "tap.h"

static aza_qty Q(const char *text) {
  aza_qty q;
  aza_err err;
  if (aza_qty_parse(text, &q, &err) != AZA_OK) {
    printf("cannot parse '%s': %s\n", text, err.msg);
    memset(&q, 0, sizeof q);
  }
  return q;
}

static const char *fmt(const aza_qty *q) {
  static char buf[2][AZA_EXPR_MAX + 40];
  static int k = 0;
  k ^= 1;
  aza_qty_format(q, buf[k], sizeof buf[k]);
  return buf[k];
}

/* the result's unit text is UCUM that reads back to the same unit */
static int unit_roundtrips(const aza_qty *q) {
  aza_unit u;
  if (aza_unit_parse(q->unit.text, &u, NULL, NULL) != AZA_OK) {
    printf("'%s' does not parse back\n", q->unit.text);
    return 0;
  }
  return fabs(u.factor - q->unit.factor) <= 1e-15 * fabs(u.factor) &&
         aza_dim_eq(&u.dim, &q->unit.dim);
}

typedef aza_status (*binop)(const aza_qty *, const aza_qty *, aza_qty *,
                            aza_err *);

static aza_status op(binop f, const char *a, const char *b, aza_qty *r,
                     aza_err *err) {
  aza_qty x = Q(a), y = Q(b);
  return f(&x, &y, r, err);
}

static double value_in(const aza_qty *q, const char *unit) {
  double v = NAN;
  aza_err err;
  if (aza_qty_value_in(q, unit, &v, &err) != AZA_OK) {
    printf("value_in %s: %s\n", unit, err.msg);
  }
  return v;
}

static void test_parse(void) {
  aza_qty q;
  aza_err err;
  q = Q("70 kg");
  CHECK(q.value == 70);
  CHECK_STR(q.unit.text, "kg");
  q = Q("2.5 mg/kg/d");
  CHECK(q.value == 2.5);
  CHECK(q.unit.dim.mm == 1);
  q = Q("-3 Cel");
  CHECK(q.value == -3 && q.unit.kind == AZA_UNIT_SPECIAL);
  q = Q("1e3 g");
  CHECK(q.value == 1000);
  q = Q("1.5E-3 g");
  CHECK(q.value == 0.0015);
  q = Q("176 [lb_av]");
  CHECK_NEAR(value_in(&q, "kg"), 79.83225712, 1e-15);
  q = Q("176 lb");
  CHECK_STR(q.unit.text, "[lb_av]");
  q = Q("3.2 x10^9/L");
  CHECK_STR(q.unit.text, "10*9/L");
  q = Q("5");
  CHECK(q.value == 5 && q.unit.nterms == 0);
  CHECK_STR(q.unit.text, "1");
  q = Q("  70   kg  ");
  CHECK(q.value == 70);
  CHECK_STR(q.unit.text, "kg");
  q = Q("0.1 mg");
  CHECK(q.value == 0.1);
  q = Q("+4 h");
  CHECK(q.value == 4);
  q = Q("18 nmol/h/g{Hb}");
  CHECK(q.value == 18);
  /* errors, with positions in the whole text */
  CHECK(aza_qty_parse("70kg", &q, &err) == AZA_ESYNTAX);
  CHECK_STR(err.msg, "expected a space between the number and the unit at 3");
  CHECK(err.pos == 3);
  CHECK(aza_qty_parse("70 kgs", &q, &err) == AZA_EUNIT);
  CHECK_STR(err.msg, "unknown unit 'kgs' at 4");
  CHECK(err.pos == 4);
  CHECK(aza_qty_parse("2.5 mg/", &q, &err) == AZA_ESYNTAX);
  CHECK_STR(err.msg, "expected a term after '/' at 8");
  CHECK(aza_qty_parse("kg", &q, &err) == AZA_ESYNTAX);
  CHECK_STR(err.msg, "expected a number at 1");
  CHECK(aza_qty_parse("", &q, &err) == AZA_ESYNTAX);
  CHECK(aza_qty_parse("nan kg", &q, &err) == AZA_ESYNTAX);
  CHECK(aza_qty_parse("inf kg", &q, &err) == AZA_ESYNTAX);
  CHECK(aza_qty_parse("70,5 kg", &q, &err) == AZA_ESYNTAX);
  CHECK(err.pos == 3);
  CHECK(aza_qty_parse("1.2.3 kg", &q, &err) == AZA_ESYNTAX);
  CHECK(aza_qty_parse(".5 kg", &q, &err) == AZA_ESYNTAX);
  CHECK(aza_qty_parse("1e999 kg", &q, &err) == AZA_EVALUE);
  CHECK(aza_qty_parse(NULL, &q, &err) == AZA_EARG);
  CHECK(aza_qty_parse("1 kg", NULL, &err) == AZA_EARG);
  /* make */
  CHECK(aza_qty_make(70, "kg", &q, &err) == AZA_OK && q.value == 70);
  CHECK(aza_qty_make(NAN, "kg", &q, &err) == AZA_EVALUE);
  CHECK(aza_qty_make(INFINITY, "kg", &q, &err) == AZA_EVALUE);
  CHECK(aza_qty_make(1, "kgs", &q, &err) == AZA_EUNIT);
  CHECK(aza_qty_make(1, NULL, &q, &err) == AZA_EARG);
}

static void test_convert(void) {
  aza_qty q, r;
  aza_unit u;
  aza_err err;
  double v;
  q = Q("1 [lb_av]");
  CHECK(value_in(&q, "kg") == 0.45359237);
  q = Q("100.4 [degF]");
  CHECK_NEAR(value_in(&q, "Cel"), 38, 1e-15);
  q = Q("3.2 10*9/L");
  CHECK_NEAR(value_in(&q, "10*3/uL"), 3.2, 1e-15);
  CHECK_NEAR(value_in(&q, "/uL"), 3200, 1e-15);
  aza_unit_parse("g", &u, NULL, NULL);
  q = Q("1500 mg");
  CHECK(aza_qty_to(&q, &u, &r, &err) == AZA_OK);
  CHECK(r.value == 1.5);
  CHECK_STR(r.unit.text, "g");
  CHECK(aza_qty_to(&q, &u, &q, &err) == AZA_OK && q.value == 1.5);
  q = Q("2.5 mg/kg/d");
  CHECK(aza_qty_value_in(&q, "/d", &v, &err) == AZA_EDIM);
  CHECK(aza_qty_value_in(&q, "kgs", &v, &err) == AZA_EUNIT);
  CHECK(aza_qty_value_in(NULL, "g", &v, &err) == AZA_EARG);
  q = Q("1 mg/dL");
  CHECK(aza_qty_value_in(&q, "umol/L", &v, &err) == AZA_ESUBSTANCE);
}

static void test_addsub(void) {
  aza_qty r;
  aza_err err;
  CHECK(op(aza_qty_add, "1 g", "1 mg", &r, &err) == AZA_OK);
  CHECK(r.value == 1.001);
  CHECK_STR(r.unit.text, "g");
  CHECK(op(aza_qty_add, "1 mg", "1 g", &r, &err) == AZA_OK);
  CHECK(r.value == 1001);
  CHECK(op(aza_qty_sub, "150 mg/d", "50 mg/d", &r, &err) == AZA_OK);
  CHECK(r.value == 100);
  CHECK(op(aza_qty_add, "1 [lb_av]", "1 kg", &r, &err) == AZA_OK);
  /* conversions round to 15 significant digits (aza_unit_int.h) */
  CHECK_NEAR(r.value, 1 + 1 / 0.45359237, 1e-14);
  CHECK(op(aza_qty_add, "1 mg", "1 mg/kg/d", &r, &err) == AZA_EDIM);
  CHECK_STR(err.msg, "cannot add mg to mg/kg/d: mass vs mass/(mass.time)");
  CHECK(op(aza_qty_sub, "1 mg/kg/d", "1 /d", &r, &err) == AZA_EDIM);
  CHECK_CONTAINS(err.msg, "mass/(mass.time) vs 1/time");
  CHECK(op(aza_qty_add, "1 [iU]", "1 [arb'U]", &r, &err) == AZA_EARBITRARY);
  CHECK(op(aza_qty_add, "1 [iU]/L", "1 m[IU]/L", &r, &err) == AZA_OK);
  CHECK(r.value == 1.001);
  CHECK(op(aza_qty_add, "1 g{Hb}", "1 g", &r, &err) == AZA_EANNOT);
  CHECK(op(aza_qty_add, "1 Cel", "1 Cel", &r, &err) == AZA_EAFFINE);
  CHECK(op(aza_qty_add, "1 K", "1 Cel", &r, &err) == AZA_EAFFINE);
  CHECK(op(aza_qty_sub, "1 [degF]", "1 [degF]", &r, &err) == AZA_EAFFINE);
  CHECK(op(aza_qty_add, "1 Cel/h", "1 K/h", &r, &err) == AZA_EAFFINE);
  CHECK(op(aza_qty_add, "1e308 g", "1e308 g", &r, &err) == AZA_EVALUE);
  CHECK(aza_qty_add(NULL, NULL, &r, &err) == AZA_EARG);
}

static void test_muldiv(void) {
  aza_qty r;
  aza_err err;
  /* dose per body mass times body mass */
  CHECK(op(aza_qty_mul, "2.5 mg/kg/d", "70 kg", &r, &err) == AZA_OK);
  CHECK(r.value == 175);
  CHECK_STR(r.unit.text, "mg/d");
  CHECK_STR(fmt(&r), "175 mg/d");
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_mul, "70 kg", "2.5 mg/kg/d", &r, &err) == AZA_OK);
  CHECK(r.value == 175);
  CHECK_STR(r.unit.text, "mg/d");
  /* a weight in pounds converts into the dose's kg, or kg into pounds */
  CHECK(op(aza_qty_mul, "70 [lb_av]", "2 mg/kg/d", &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "mg/d");
  CHECK_NEAR(r.value, 140 * 0.45359237, 1e-15);
  CHECK(op(aza_qty_mul, "2 mg/kg/d", "70 [lb_av]", &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "mg/d");
  CHECK_NEAR(r.value, 140 * 0.45359237, 1e-15);
  CHECK(op(aza_qty_mul, "2 mg/kg/d", "70000 g", &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "mg/d");
  CHECK_NEAR(r.value, 140, 1e-15);
  /* a dose divided by a weight keeps the mass/mass pair */
  CHECK(op(aza_qty_div, "175 mg/d", "70 kg", &r, &err) == AZA_OK);
  CHECK(r.value == 2.5);
  CHECK_STR(r.unit.text, "mg/d/kg");
  CHECK(r.unit.dim.mm == 1);
  CHECK(unit_roundtrips(&r));
  CHECK_NEAR(aza_qty_value_in(&r, "mg/kg/d", &r.value, &err) == AZA_OK, 1, 0);
  CHECK(op(aza_qty_div, "2.5 mg/kg/d", "1 /d", &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "mg/kg");
  /* UCUM functional tests 4-101 .. 4-103 */
  CHECK(op(aza_qty_mul, "1.5 g", "2 m", &r, &err) == AZA_OK);
  CHECK(r.value == 3);
  CHECK_STR(r.unit.text, "g.m");
  CHECK(op(aza_qty_mul, "2 m", "1.5 g", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "3 m.g");
  CHECK(op(aza_qty_div, "1.5 g", "2 m", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "0.75 g/m");
  CHECK(op(aza_qty_div, "2 m", "1.5 g", &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "m/g");
  CHECK_NEAR(r.value, 1.3333333333333333, 1e-15);
  CHECK(op(aza_qty_div, "1 [lb_av]/h", "1 kg/s", &r, &err) == AZA_OK);
  CHECK_NEAR(r.value, 0.000125997880555555555555556, 1e-14);
  CHECK_STR(r.unit.text, "1");
  CHECK(r.unit.nterms == 0);
  /* same units: exponents add; same dimension: converted and cancelled */
  CHECK(op(aza_qty_mul, "3 m", "2 m", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "6 m2");
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_mul, "3 h", "2 /min", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "360");
  CHECK(op(aza_qty_mul, "3.2 10*9/L", "5 L", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "16 10*9");
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_mul, "3.2 10*9/L", "5 mL", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "0.016 10*9");
  CHECK(op(aza_qty_div, "10 mg", "2 mL", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "5 mg/mL");
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_div, "10 mg", "5 mg", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "2");
  CHECK(op(aza_qty_div, "1 mg", "1 kg", &r, &err) == AZA_OK);
  CHECK(r.value == 1e-6 && r.unit.nterms == 0);
  /* literal numbers in units fold into the value */
  CHECK(op(aza_qty_mul, "3 4.s", "2 s/4", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "6 s2");
  CHECK(op(aza_qty_mul, "1 L/(8.h)", "8 h", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "1 L");
  /* arbitrary units and annotations */
  CHECK(op(aza_qty_mul, "5 [iU]/L", "2 L", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "10 [iU]");
  CHECK(r.unit.dim.arb_exp == 1);
  CHECK(op(aza_qty_div, "5 [iU]", "1 [arb'U]", &r, &err) == AZA_OK);
  CHECK(r.unit.dim.arb == 0xFFFF);
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_mul, "18 nmol/h/g{Hb}", "2 g{Hb}", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "36 nmol/h");
  CHECK(r.unit.dim.annot == 0);
  CHECK(op(aza_qty_mul, "18 nmol/h/g{Hb}", "2 g", &r, &err) == AZA_OK);
  CHECK(r.unit.dim.annot != 0);
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_mul, "1 {a}", "1 {a}", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "1 {a}.{a}");
  CHECK(unit_roundtrips(&r));
  /* results never spell a lab alias: K/uL would read as 10*3/uL */
  CHECK(op(aza_qty_div, "3 K", "1 uL", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "3 K.uL-1");
  CHECK(unit_roundtrips(&r));
  CHECK(op(aza_qty_div, "4 {cells}", "2 {cells}", &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "2");
  /* errors */
  CHECK(op(aza_qty_mul, "1 Cel", "2 h", &r, &err) == AZA_EAFFINE);
  CHECK_CONTAINS(err.msg, "cannot multiply Cel");
  CHECK(op(aza_qty_div, "1 h", "1 [pH]", &r, &err) == AZA_EAFFINE);
  CHECK(op(aza_qty_div, "1 mg", "0 kg", &r, &err) == AZA_EVALUE);
  CHECK(op(aza_qty_div, "1 mg", "0 mg", &r, &err) == AZA_EVALUE);
  CHECK(op(aza_qty_mul, "1e200 m", "1e200 s", &r, &err) == AZA_EVALUE);
  CHECK(op(aza_qty_mul, "1 m.s.g.K.C.cd.mol.rad", "1 L.h.d.wk.mo", &r, &err) ==
        AZA_ETOOBIG);
  CHECK(aza_qty_mul(NULL, NULL, &r, &err) == AZA_EARG);
}

static void test_scale_pow(void) {
  aza_qty q, r;
  aza_err err;
  q = Q("50 mg");
  CHECK(aza_qty_scale(&q, 3, &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "150 mg");
  CHECK(aza_qty_scale(&q, NAN, &r, &err) == AZA_EVALUE);
  q = Q("1 mg");
  CHECK(aza_qty_scale(&q, 1e308, &r, &err) == AZA_OK);
  CHECK(aza_qty_scale(&r, 1e308, &r, &err) == AZA_EVALUE);
  q = Q("37 Cel");
  CHECK(aza_qty_scale(&q, 2, &r, &err) == AZA_EAFFINE);
  q = Q("3 m");
  CHECK(aza_qty_pow(&q, 2, &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "9 m2");
  CHECK(aza_qty_pow(&q, -1, &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "/m");
  CHECK_NEAR(r.value, 1.0 / 3, 1e-15);
  CHECK(aza_qty_pow(&q, 0, &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "1");
  q = Q("2 mg/kg/d");
  CHECK(aza_qty_pow(&q, 2, &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "4 mg2/kg2/d2");
  CHECK(r.unit.dim.mm == 2);
  CHECK(unit_roundtrips(&r));
  q = Q("2 4.s");
  CHECK(aza_qty_pow(&q, 2, &r, &err) == AZA_OK);
  CHECK_STR(fmt(&r), "64 s2");
  q = Q("0 m");
  CHECK(aza_qty_pow(&q, -1, &r, &err) == AZA_EVALUE);
  q = Q("2 m");
  CHECK(aza_qty_pow(&q, 200, &r, &err) == AZA_ETOOBIG);
  q = Q("1 {a}");
  CHECK(aza_qty_pow(&q, 2, &r, &err) == AZA_OK);
  CHECK_STR(r.unit.text, "{a}.{a}");
  q = Q("1 Cel");
  CHECK(aza_qty_pow(&q, 2, &r, &err) == AZA_EAFFINE);
}

static void test_compare(void) {
  aza_qty a, b;
  aza_err err;
  int c = 9;
  a = Q("1 g");
  b = Q("1000 mg");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_OK && c == 0);
  CHECK(aza_qty_eq(&a, &b));
  b = Q("999 mg");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_OK && c == 1);
  CHECK(!aza_qty_eq(&a, &b));
  b = Q("1001 mg");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_OK && c == -1);
  b = Q("1 mg/kg/d");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_EDIM);
  CHECK_STR(err.msg, "cannot compare g with mg/kg/d: mass vs mass/(mass.time)");
  CHECK(!aza_qty_eq(&a, &b));
  a = Q("2.5 mg/kg/d");
  b = Q("2.5 /d");
  CHECK(!aza_qty_eq(&a, &b));
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_EDIM);
  a = Q("38 Cel");
  b = Q("100 [degF]");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_OK && c == 1);
  b = Q("311.15 K");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_OK && c == 0);
  a = Q("3.5 10*9/L");
  b = Q("3.5 10*3/uL");
  CHECK(aza_qty_eq(&a, &b));
  a = Q("1 [iU]");
  b = Q("1 [arb'U]");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_EARBITRARY);
  CHECK(!aza_qty_eq(&a, &b));
  a = Q("1 Cel/h");
  b = Q("1 K/h");
  CHECK(aza_qty_cmp(&a, &b, &c, &err) == AZA_ESPECIAL);
  CHECK(!aza_qty_eq(NULL, &b));
  CHECK(aza_qty_cmp(&a, &b, NULL, &err) == AZA_EARG);
}

static void test_format(void) {
  static const char *const list[] = {
      "70 kg",      "0.1 mg",        "-3 Cel",          "2.5 mg/kg/d",
      "1e+21 g",    "1.5e-07 mol/L", "3.2 10*9/L",      "176 [lb_av]",
      "5",          "100 %",         "18 nmol/h/g{Hb}", "0.30000000000000004 g",
      "123456789 s"};
  size_t i;
  aza_qty q;
  char buf[8];
  for (i = 0; i < sizeof list / sizeof list[0]; i++) {
    aza_qty back;
    q = Q(list[i]);
    CHECK_STR(fmt(&q), list[i]);
    back = Q(fmt(&q));
    CHECK(back.value == q.value);
  }
  q = Q("70 kg");
  CHECK(aza_qty_format(&q, buf, 4) == 5);
  CHECK_STR(buf, "70 ");
  CHECK(aza_qty_format(&q, NULL, 0) == 5);
  CHECK(aza_qty_format(NULL, buf, sizeof buf) == 0);
  CHECK_STR(buf, "");
  q.value = 1.0 / 3;
  CHECK_STR(fmt(&q), "0.3333333333333333 kg");
  q.value = -0.0;
  CHECK_STR(fmt(&q), "-0 kg");
  q.value = 1e-300;
  CHECK_STR(fmt(&q), "1e-300 kg");
}

int main(void) {
  test_parse();
  test_convert();
  test_addsub();
  test_muldiv();
  test_scale_pow();
  test_compare();
  test_format();
  return tap_done("test_qty");
}
