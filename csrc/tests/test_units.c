/*
** test_units.c
** The unit table, the UCUM parser, aliases, dimensions, conversion,
** special units, substances and error messages.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aza_unit.h"
#include "aza_unit_int.h"
#include "tap.h"

/* {====================================================================
** Helpers
** ===================================================================== */

static int parses(const char *s) {
  aza_unit u;
  return aza_unit_parse(s, &u, NULL, NULL) == AZA_OK;
}

static aza_status parse_code(const char *s) {
  aza_unit u;
  aza_err err;
  return aza_unit_parse(s, &u, NULL, &err);
}

/* convert v from a to b; NAN on any error */
static double conv(double v, const char *a, const char *b) {
  aza_unit ua, ub;
  double out;
  if (aza_unit_parse(a, &ua, NULL, NULL) != AZA_OK ||
      aza_unit_parse(b, &ub, NULL, NULL) != AZA_OK ||
      aza_unit_convert(v, &ua, &ub, &out, NULL) != AZA_OK) {
    return NAN;
  }
  return out;
}

static aza_status conv_code(double v, const char *a, const char *b,
                            aza_err *err) {
  aza_unit ua, ub;
  double out;
  if (aza_unit_parse(a, &ua, NULL, err) != AZA_OK ||
      aza_unit_parse(b, &ub, NULL, err) != AZA_OK) {
    return AZA_EARG;
  }
  return aza_unit_convert(v, &ua, &ub, &out, err);
}

static double conv_sub(double v, const char *a, const char *b,
                       const char *substance, aza_status *st) {
  aza_unit ua, ub;
  double out = NAN;
  aza_err err;
  *st = AZA_EARG;
  if (aza_unit_parse(a, &ua, NULL, NULL) != AZA_OK ||
      aza_unit_parse(b, &ub, NULL, NULL) != AZA_OK) {
    return NAN;
  }
  *st = aza_unit_convert_substance(v, &ua, &ub, substance, &out, &err);
  return out;
}

static const char *dim_text(const char *s) {
  static char buf[128];
  aza_unit u;
  if (aza_unit_parse(s, &u, NULL, NULL) != AZA_OK) {
    return "<error>";
  }
  aza_dim_format(&u.dim, buf, sizeof buf);
  return buf;
}

static const char *err_msg(const char *s, aza_status *code, size_t *pos) {
  static aza_err err;
  aza_unit u;
  memset(&err, 0, sizeof err);
  *code = aza_unit_parse(s, &u, NULL, &err);
  *pos = err.pos;
  return err.msg;
}

/* }==================================================================== */

/* a mass/mass pair cancels when mass remains on a side, never otherwise */
static void test_mass_pairs(void) {
  aza_unit a, b;
  aza_err err;
  double out = 0;
  CHECK(aza_unit_parse("mg/kg/d.kg", &a, NULL, &err) == AZA_OK);
  CHECK(aza_unit_parse("mg/d", &b, NULL, &err) == AZA_OK);
  CHECK(aza_dim_eq(&a.dim, &b.dim));
  CHECK(aza_unit_convert(2.0, &a, &b, &out, &err) == AZA_OK && out == 2.0);
  CHECK(aza_unit_parse("mg/kg/d.[lb_av]", &a, NULL, &err) == AZA_OK);
  CHECK(aza_unit_convert(1.0, &a, &b, &out, &err) == AZA_OK &&
        fabs(out - 0.45359237) < 1e-15);
  CHECK(aza_unit_parse("mg/kg/d", &a, NULL, &err) == AZA_OK);
  CHECK(aza_unit_parse("/d", &b, NULL, &err) == AZA_OK);
  CHECK(!aza_dim_eq(&a.dim, &b.dim));
  CHECK(aza_unit_convert(1.0, &a, &b, &out, &err) == AZA_EDIM);
  CHECK(aza_unit_parse("mg2/kg2", &a, NULL, &err) == AZA_OK && a.dim.mm == 2);
  CHECK(aza_unit_parse("mg/g", &a, NULL, &err) == AZA_OK && a.dim.mm == 1);
}

static void test_find_misses(void) {
  CHECK(azai_atom_find("", 0) == -1);
  CHECK(azai_atom_find("zz", 2) == -1);
  CHECK(azai_atom_find("\xff", 1) == -1);
  CHECK(azai_atom_find("[lb_av", 6) == -1);
  CHECK(azai_atom_find("g", 1) >= 0);
}

static void test_table(void) {
  size_t i, j, n = aza_atom_count();
  int nbase = 0, nspecial = 0, narb = 0, nmetric = 0;
  aza_atom_info a, b;
  CHECK(n >= 300);
  CHECK(aza_atom_get(n, &a) == AZA_EARG);
  CHECK(aza_atom_get(0, NULL) == AZA_EARG);
  for (i = 0; i < n; i++) {
    aza_unit u;
    aza_err err;
    double f;
    CHECK(aza_atom_get(i, &a) == AZA_OK);
    CHECK(a.code != NULL && a.code[0] != '\0');
    CHECK(a.name != NULL && a.name[0] != '\0');
    CHECK(a.property != NULL && a.property[0] != '\0');
    nbase += a.is_base;
    nspecial += a.is_special;
    narb += a.is_arbitrary;
    nmetric += a.is_metric;
    /* the binary search (generated index) finds every atom by its code, and
       nothing for the code with a byte more or less */
    CHECK(azai_atom_find(a.code, strlen(a.code)) == (int)i);
    CHECK(azai_atom_find(a.code, strlen(a.code) - 1) != (int)i);
    /* every atom resolves: no cycles, a finite non-zero factor */
    f = azai_atom_factor((int)i);
    if (!(isfinite(f) && f > 0)) {
      printf("atom %s does not resolve\n", a.code);
    }
    CHECK(isfinite(f) && f > 0);
    /* and parses as a unit on its own, to itself */
    if (aza_unit_parse(a.code, &u, NULL, &err) != AZA_OK) {
      printf("atom %s: %s\n", a.code, err.msg);
      CHECK(0);
      continue;
    }
    CHECK(u.nterms == 1 && u.terms[0].atom == i && u.terms[0].prefix == -1);
    CHECK(u.kind == (a.is_special ? AZA_UNIT_SPECIAL : AZA_UNIT_RATIO));
    CHECK(a.is_arbitrary == (u.dim.arb_exp != 0));
    if (a.is_base) {
      CHECK(a.def_unit[0] == '\0');
    } else {
      CHECK(parses(a.def_unit));
    }
    /* codes are unique */
    for (j = 0; j < i; j++) {
      aza_atom_get(j, &b);
      if (strcmp(a.code, b.code) == 0) {
        printf("duplicate code %s\n", a.code);
        CHECK(0);
      }
    }
  }
  CHECK(nbase == 8); /* m s g rad K C cd, and mol here */
  CHECK(nspecial >= 20);
  CHECK(narb >= 40);
  CHECK(nmetric >= 85);
  /* a few rows as in ucum-essence.xml */
  for (i = 0; i < n; i++) {
    aza_atom_get(i, &a);
    if (strcmp(a.code, "[lb_av]") == 0) {
      CHECK_STR(a.def_unit, "[gr]");
      CHECK(a.def_value == 7000);
      CHECK(!a.is_metric);
    } else if (strcmp(a.code, "wk") == 0) {
      CHECK_STR(a.def_unit, "d");
      CHECK(a.def_value == 7);
    } else if (strcmp(a.code, "U") == 0) {
      CHECK_STR(a.def_unit, "umol/min");
      CHECK(a.is_metric);
    } else if (strcmp(a.code, "%") == 0) {
      CHECK_STR(a.def_unit, "10*-2");
    } else if (strcmp(a.code, "[IU]") == 0) {
      CHECK_STR(a.def_unit, "[iU]");
      CHECK(a.is_arbitrary);
    } else if (strcmp(a.code, "mol") == 0) {
      CHECK(a.is_base);
      CHECK_STR(a.property, "amount of substance");
    } else if (strcmp(a.code, "Cel") == 0) {
      CHECK(a.is_special && a.is_metric);
      CHECK_STR(a.def_unit, "K");
    } else if (strcmp(a.code, "[degR]") == 0) {
      CHECK(!a.is_special);
    }
  }
}

static void test_prefixes(void) {
  aza_prefix_info p;
  size_t i, n = aza_prefix_count();
  int seen = 0;
  CHECK(n == 24);
  CHECK(aza_prefix_get(n, &p) == AZA_EARG);
  for (i = 0; i < n; i++) {
    char buf[16];
    CHECK(aza_prefix_get(i, &p) == AZA_OK);
    /* every prefix applies to a metric unit */
    snprintf(buf, sizeof buf, "%sg", p.code);
    CHECK(parses(buf));
    CHECK_NEAR(conv(1, buf, "g"), p.value, 1e-15);
    if (strcmp(p.code, "da") == 0) {
      CHECK(p.value == 10);
      seen++;
    }
    if (strcmp(p.code, "Ki") == 0) {
      CHECK(p.value == 1024);
      seen++;
    }
  }
  CHECK(seen == 2);
  CHECK_NEAR(conv(1, "KiBy", "bit"), 8192, 0);
  CHECK_NEAR(conv(1, "Mibit", "bit"), 1048576, 0);
  /* prefixes apply to metric atoms only */
  CHECK(parse_code("k[lb_av]") == AZA_EUNIT);
  CHECK(parse_code("mh") == AZA_EUNIT);  /* hour is not metric */
  CHECK(parse_code("kwk") == AZA_EUNIT); /* nor week */
  CHECK(parse_code("m[degF]") == AZA_EUNIT);
  CHECK(parses("m[IU]"));
  CHECK(parses("u[iU]"));
  CHECK(parses("kcal"));
  CHECK(parses("mCel"));
  CHECK(parses("dB"));
  CHECK(parses("dB[SPL]"));
  /* the whole symbol is tried first, then prefix + atom */
  {
    aza_unit u;
    int cd, pa, mo, min, kat, ar, dm, mm, ms, pt;
    cd = aza_unit_parse("cd", &u, NULL, NULL) == AZA_OK &&
         u.terms[0].prefix == -1;
    CHECK(cd);
    CHECK(u.dim.e[AZA_DIM_F] == 1);
    pa = aza_unit_parse("Pa", &u, NULL, NULL) == AZA_OK &&
         u.terms[0].prefix == -1;
    CHECK(pa);
    mo = aza_unit_parse("mo", &u, NULL, NULL) == AZA_OK &&
         u.terms[0].prefix == -1 && u.dim.e[AZA_DIM_T] == 1;
    CHECK(mo);
    min = aza_unit_parse("min", &u, NULL, NULL) == AZA_OK &&
          u.terms[0].prefix == -1 && u.factor == 60;
    CHECK(min);
    kat = aza_unit_parse("kat", &u, NULL, NULL) == AZA_OK &&
          u.terms[0].prefix == -1 && u.dim.e[AZA_DIM_N] == 1;
    CHECK(kat);
    ar = aza_unit_parse("ar", &u, NULL, NULL) == AZA_OK && u.factor == 100;
    CHECK(ar);
    dm = aza_unit_parse("dm", &u, NULL, NULL) == AZA_OK &&
         u.terms[0].prefix >= 0 && u.dim.e[AZA_DIM_L] == 1;
    CHECK(dm);
    mm = aza_unit_parse("mm", &u, NULL, NULL) == AZA_OK &&
         u.dim.e[AZA_DIM_L] == 1;
    CHECK(mm);
    ms = aza_unit_parse("ms", &u, NULL, NULL) == AZA_OK &&
         u.dim.e[AZA_DIM_T] == 1;
    CHECK(ms);
    pt = aza_unit_parse("pt", &u, NULL, NULL) == AZA_OK &&
         u.dim.e[AZA_DIM_M] == 1; /* picotonne */
    CHECK(pt);
    CHECK_NEAR(conv(1, "pH", "H"), 1e-12, 1e-15); /* picohenry, not [pH] */
  }
}

static void test_syntax(void) {
  static const char *const good[] = {"m",
                                     "mg/kg/d",
                                     "/d",
                                     "/m",
                                     "1/d",
                                     "s.m-1",
                                     "m-1",
                                     "s+2",
                                     "s2",
                                     "10*3",
                                     "10*-7",
                                     "10*+3/ul",
                                     "10^3",
                                     "10*3/uL",
                                     "4.s",
                                     "s/4",
                                     "10.L/min",
                                     "L/(8.h)",
                                     "g/(8.kg.h)",
                                     "mL/(8.h.kg)",
                                     "(((m)))",
                                     "mg/(kg.d)",
                                     "{cells}",
                                     "/{tot}",
                                     "g{Hb}",
                                     "rad2{a}",
                                     "{a}.rad2{b}",
                                     "1{c}",
                                     "[lb_av]",
                                     "mm[Hg]",
                                     "cm[H2O]",
                                     "[in_i'Hg]",
                                     "B[10.nV]",
                                     "dB[10.nV]",
                                     "[m/s2/Hz^(1/2)]",
                                     "%",
                                     "%[slope]",
                                     "[drp]/{HPF}",
                                     "mL/{hb}.m2",
                                     "g.m/m2{hb}",
                                     "4.[pi].10*-7.N/A2",
                                     "m3.kg-1.s-2",
                                     "dyn.s/(cm5.m2)",
                                     "cm[H2O]/(s.m)",
                                     "umol/2.h",
                                     "{1.73_m2}",
                                     "nmol/h/g{Hb}",
                                     "''",
                                     "'",
                                     "10*",
                                     "KiBy",
                                     "[iU]/L",
                                     "u[IU]/mL",
                                     "a/m",
                                     "Ms",
                                     "pH",
                                     "REM",
                                     "g%",
                                     "[p'diop]",
                                     "[hp'_X]",
                                     "bit_s",
                                     "[Amb'a'1'U]",
                                     "mo_s",
                                     "cal_[15]",
                                     "{|}",
                                     "{}",
                                     "t",
                                     "L.s",
                                     "1"};
  static const struct {
    const char *s;
    aza_status code;
  } bad[] = {
      {"", AZA_ESYNTAX},        {"m/", AZA_ESYNTAX},
      {"/", AZA_ESYNTAX},       {"m.", AZA_ESYNTAX},
      {".m", AZA_ESYNTAX},      {"m..s", AZA_ESYNTAX},
      {"(m", AZA_ESYNTAX},      {"m)", AZA_ESYNTAX},
      {"()", AZA_ESYNTAX},      {"(m)2", AZA_ESYNTAX},
      {"10+3/ul", AZA_ESYNTAX}, {"g/12h", AZA_ESYNTAX},
      {"g/48h", AZA_ESYNTAX},   {"mL/8h", AZA_ESYNTAX},
      {"U/2h", AZA_ESYNTAX},    {"ug(8.h)", AZA_ESYNTAX},
      {"ug(8hr)", AZA_ESYNTAX}, {"{a}rad2{b}", AZA_ESYNTAX},
      {"{|}1", AZA_ESYNTAX},    {"rad2{\xE9\x8C\xA0}", AZA_ESYNTAX},
      {"{a", AZA_ESYNTAX},      {"[lb_av", AZA_ESYNTAX},
      {"m s", AZA_ESYNTAX},     {" m", AZA_ESYNTAX},
      {"m ", AZA_ESYNTAX},      {"m0", AZA_ESYNTAX},
      {"2*3", AZA_ESYNTAX},     {"0.m", AZA_ESYNTAX},
      {"m\x01", AZA_ESYNTAX},   {"\xC3\xA9", AZA_ESYNTAX},
      {"iU", AZA_EUNIT},        {"[iIU]", AZA_EUNIT},
      {"[iIU]/L", AZA_EUNIT},   {"m[iIU]/L", AZA_EUNIT},
      {"molv", AZA_EUNIT},      {"[BETH'U]", AZA_EUNIT},
      {"[M'U]", AZA_EUNIT},     {"mmol/kg[H20]", AZA_EUNIT},
      {"cm[H20]", AZA_EUNIT},   {"kgs", AZA_EUNIT},
      {"mgs", AZA_EUNIT},       {"hr", AZA_EUNIT},
      {"KG", AZA_EUNIT},        {"Kg", AZA_EUNIT},
      {"m-", AZA_EUNIT},        {"m128", AZA_ETOOBIG},
      {"10*200", AZA_ETOOBIG},  {"m.m.m.m.m.m.m.m.m.m.m.m.m", AZA_ETOOBIG},
  };
  size_t i;
  char deep[64];
  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    aza_err err;
    aza_unit u;
    aza_status st = aza_unit_parse(good[i], &u, NULL, &err);
    if (st != AZA_OK) {
      printf("must parse '%s': %s\n", good[i], err.msg);
    }
    CHECK(st == AZA_OK);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    aza_status st = parse_code(bad[i].s);
    if (st != bad[i].code) {
      printf("must fail '%s' with %s, got %s\n", bad[i].s,
             aza_status_name(bad[i].code), aza_status_name(st));
    }
    CHECK(st == bad[i].code);
  }
  /* nesting depth */
  memset(deep, 0, sizeof deep);
  for (i = 0; i < AZA_DEPTH_MAX + 1; i++) {
    deep[i] = '(';
  }
  strcat(deep, "m");
  for (i = 0; i < AZA_DEPTH_MAX + 1; i++) {
    strcat(deep, ")");
  }
  CHECK(parse_code(deep) == AZA_ETOOBIG);
  /* length limit */
  {
    char longx[AZA_EXPR_MAX + 8];
    memset(longx, 0, sizeof longx);
    for (i = 0; i + 2 < AZA_EXPR_MAX; i += 2) {
      memcpy(longx + i, "m.", 2);
    }
    longx[i] = 'm';
    CHECK(parse_code(longx) != AZA_OK);
    memset(longx, 'm', AZA_EXPR_MAX);
    longx[AZA_EXPR_MAX] = '\0';
    CHECK(parse_code(longx) == AZA_ETOOBIG);
  }
  /* annotation text limit */
  CHECK(parse_code("{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                   "aaaaaaaaa}") == AZA_ETOOBIG);
  /* arguments */
  {
    aza_unit u;
    aza_err err;
    int al = 7;
    CHECK(aza_unit_parse(NULL, &u, &al, &err) == AZA_EARG);
    CHECK(al == 0);
    CHECK(aza_unit_parse("m", NULL, NULL, &err) == AZA_EARG);
    CHECK(aza_unit_parse("m", &u, NULL, NULL) == AZA_OK);
  }
}

static void test_messages(void) {
  aza_status code;
  size_t pos;
  CHECK_STR(err_msg("kgs", &code, &pos), "unknown unit 'kgs' at 1");
  CHECK(code == AZA_EUNIT && pos == 1);
  CHECK_STR(err_msg("mg/kgs", &code, &pos), "unknown unit 'kgs' at 4");
  CHECK(pos == 4);
  CHECK_STR(err_msg("m/", &code, &pos), "expected a term after '/' at 3");
  CHECK(code == AZA_ESYNTAX && pos == 3);
  CHECK_STR(err_msg("m.(s", &code, &pos), "unbalanced '(' at 3");
  CHECK(pos == 3);
  CHECK_STR(err_msg("(m", &code, &pos), "unbalanced '(' at 1");
  CHECK_STR(err_msg("m)", &code, &pos), "unbalanced ')' at 2");
  CHECK_STR(err_msg("", &code, &pos), "empty unit expression at 1");
  CHECK_CONTAINS(err_msg("g/12h", &code, &pos),
                 "a number cannot be glued to a unit: '12h' at 3");
  CHECK_CONTAINS(err_msg("g/12h", &code, &pos), "12.h");
  CHECK(pos == 3);
  CHECK_CONTAINS(err_msg("ug(8.h)", &code, &pos), "before '(' at 3");
  CHECK_CONTAINS(err_msg("{a}rad2{b}", &code, &pos),
                 "an annotation cannot be followed by a unit symbol at 4");
  CHECK_CONTAINS(err_msg("rad2{\xE9\x8C\xA0}", &code, &pos),
                 "byte 0xE9 is not allowed in an annotation at 6");
  CHECK_STR(err_msg("m s", &code, &pos), "unexpected space at 2");
  CHECK_STR(err_msg("m0", &code, &pos), "exponent 0 at 2");
  CHECK_STR(err_msg("[lb_av", &code, &pos), "unbalanced '[' at 1");
  /* positions count bytes as given: the micro sign is two bytes */
  CHECK_STR(err_msg("\xC2\xB5g/kgs", &code, &pos), "unexpected byte 0xC2 at 1");
}

static void test_aliases(void) {
  size_t i, n = aza_alias_count();
  aza_alias_info a;
  aza_unit u, v;
  int al;
  CHECK(n >= 20);
  CHECK(aza_alias_get(n, &a) == AZA_EARG);
  for (i = 0; i < n; i++) {
    CHECK(aza_alias_get(i, &a) == AZA_OK);
    al = 0;
    CHECK(aza_unit_parse(a.spelling, &u, &al, NULL) == AZA_OK);
    CHECK(al == 1);
    CHECK_STR(u.text, a.ucum);
    /* the UCUM form is itself UCUM, not an alias */
    al = 1;
    CHECK(aza_unit_parse(a.ucum, &v, &al, NULL) == AZA_OK);
    CHECK(al == 0);
    CHECK(u.factor == v.factor && aza_dim_eq(&u.dim, &v.dim));
  }
  /* native UCUM is not aliased */
  al = 1;
  CHECK(aza_unit_parse("10*9/L", &u, &al, NULL) == AZA_OK && al == 0);
  al = 1;
  CHECK(aza_unit_parse("/mm3", &u, &al, NULL) == AZA_OK && al == 0);
  /* whole-expression aliases win over a native reading (K is kelvin) */
  CHECK(aza_unit_parse("K/uL", &u, &al, NULL) == AZA_OK && al == 1);
  CHECK_STR(u.text, "10*3/uL");
  CHECK(aza_unit_parse("x10^9/L", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "10*9/L");
  CHECK(aza_unit_parse("cells/uL", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "/uL");
  CHECK(aza_unit_parse("IU/L", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "[IU]/L");
  CHECK(aza_unit_parse("mcg", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "ug");
  CHECK(aza_unit_parse("lbs", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "[lb_av]");
  CHECK(aza_unit_parse("\xC2\xB0"
                       "C",
                       &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "Cel");
  CHECK(u.kind == AZA_UNIT_SPECIAL);
  CHECK(aza_unit_parse("mmHg", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "mm[Hg]");
  /* per-atom: micro sign U+00B5, Greek mu U+03BC, mcg */
  al = 0;
  CHECK(aza_unit_parse("\xC2\xB5g", &u, &al, NULL) == AZA_OK && al == 1);
  CHECK_STR(u.text, "ug");
  CHECK(aza_unit_parse("\xCE\xBCg", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "ug");
  CHECK(aza_unit_parse("\xC2\xB5g/kg/d", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "ug/kg/d");
  CHECK(aza_unit_parse("\xCE\xBCmol/L", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "umol/L");
  CHECK(aza_unit_parse("\xC2\xB5mol/L", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "umol/L");
  CHECK(aza_unit_parse("mcg/kg/d", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "ug/kg/d");
  CHECK(aza_unit_parse("K/\xC2\xB5L", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "10*3/uL");
  CHECK(aza_unit_parse("cells/\xC2\xB5L", &u, &al, NULL) == AZA_OK);
  CHECK_STR(u.text, "/uL");
  /* anything else stays an error, never a guess */
  CHECK(parse_code("kgs") == AZA_EUNIT);
  CHECK(parse_code("mgs") == AZA_EUNIT);
  CHECK(parse_code("mcgs") == AZA_EUNIT);
  CHECK(parse_code("hr") == AZA_EUNIT);
  CHECK(parse_code("\xC2\xB5") == AZA_ESYNTAX);
  CHECK(parse_code("{\xC2\xB5g}") == AZA_ESYNTAX);
  CHECK(parse_code("\xC2\xB5h") != AZA_OK); /* hour takes no prefix */
}

static void test_factors(void) {
  aza_status st;
  /* exact factors of the unit table */
  CHECK_NEAR(conv(1, "[lb_av]", "kg"), 0.45359237, 1e-16);
  CHECK(conv(1, "[lb_av]", "kg") == 0.45359237);
  CHECK(conv(1, "[in_i]", "cm") == 2.54);
  CHECK(conv(1, "10*3/uL", "10*9/L") == 1);
  CHECK(conv(1, "g/dL", "g/L") == 10);
  CHECK(conv(2.8, "g/dL", "g/L") == 28);
  CHECK(conv(1, "wk", "d") == 7);
  CHECK(conv(1, "d", "s") == 86400);
  CHECK(conv(1, "mg", "g") == 0.001);
  CHECK(conv(1, "kg", "g") == 1000);
  CHECK(conv(1, "mL", "L") == 0.001);
  CHECK(conv(1, "L", "dm3") == 1);
  CHECK(conv(1, "%", "1") == 0.01);
  CHECK_NEAR(conv(1, "[oz_av]", "g"), 28.349523125, 1e-15);
  CHECK_NEAR(conv(176, "[lb_av]", "kg"), 79.83225712, 1e-15);
  CHECK_NEAR(conv(1, "[ft_i]", "m"), 0.3048, 1e-16);
  CHECK_NEAR(conv(1, "[gal_us]", "L"), 3.785411784, 1e-15);
  CHECK_NEAR(conv(1, "[pt_br]", "mL"), 568.26125, 1e-15);
  CHECK_NEAR(conv(1, "a", "d"), 365.25, 1e-16);
  CHECK_NEAR(conv(1, "mo", "d"), 30.4375, 1e-15);
  CHECK_NEAR(conv(1, "U", "ukat"), 1.0 / 60, 1e-15);
  CHECK_NEAR(conv(1, "[drp]", "mL"), 0.05, 1e-16);
  CHECK_NEAR(conv(1, "mm[Hg]", "kPa"), 0.133322, 1e-15);
  CHECK_NEAR(conv(1, "atm", "mm[Hg]"), 760.0021, 1e-6);
  CHECK_NEAR(conv(1, "cal", "J"), 4.184, 1e-16);
  CHECK_NEAR(conv(1, "deg", "rad"), 3.14159265358979323846 / 180, 1e-15);
  CHECK_NEAR(conv(1, "[mu_0]", "g.m.C-2"), 0.00125663706143591729538506, 1e-15);
  CHECK_NEAR(conv(1, "[ly]", "cm"), 946073047258080000.0, 1e-15);
  CHECK_NEAR(conv(1, "m[Hg]", "g.s-2.m-1"), 133322000, 1e-15);
  CHECK_NEAR(conv(1, "S", "g-1.m-2.C2.s"), 0.001, 1e-15);
  CHECK_NEAR(conv(6.3, "g.m.s-2.A-2", "g.m.C-2"), 6.3, 1e-15);
  CHECK_NEAR(conv(1, "[MET]", "mL/min/kg"), 3.5, 1e-15);
  CHECK_NEAR(conv(1, "Gy", "J/kg"), 1, 1e-15);
  CHECK_NEAR(conv(1, "kat", "mol/s"), 1, 0);
  CHECK_NEAR(conv(1, "eq", "mol"), 1, 0);
  CHECK_NEAR(conv(1, "mosm/kg", "mmol/kg"), 1, 0);
  CHECK_NEAR(conv(1, "[ppm]", "[ppb]"), 1000, 1e-15);
  /* left to right: mg/kg/d is mg/(kg.d), s/m.mg is (s/m).mg */
  CHECK_NEAR(conv(1, "mg/kg/d", "mg/(kg.d)"), 1, 0);
  CHECK_NEAR(conv(6.3, "s/m/g", "s.m-1.g-1"), 6.3, 1e-15);
  CHECK_NEAR(conv(6.3, "s/m.mg", "s.m-1.g"), 0.0063, 1e-15);
  /* the leading '/' inverts the first component only */
  CHECK_NEAR(conv(1, "/L2/s2", "L-2.s-2"), 1, 0);
  CHECK_NEAR(conv(1, "/m.s", "s/m"), 1, 0);
  CHECK_NEAR(conv(1, "/(m.s)", "m-1.s-1"), 1, 0);
  CHECK_STR(dim_text("/kg/d"), "1/(mass.time)");
  CHECK_NEAR(conv(6.3, "4.s/m", "s/m"), 25.2, 1e-15);
  CHECK_NEAR(conv(6.3, "s/4/m", "s/m"), 1.575, 1e-15);
  CHECK_NEAR(conv(1, "4.[pi].10*-7.N", "N"), 0.00000125663706143591729538506,
             1e-15);
  CHECK_NEAR(conv(1, "umol/2.h", "umol.h"), 0.5, 0); /* (umol/2).h */
  CHECK_NEAR(conv(1, "MG", "T"), 100, 1e-15);        /* megagauss */
  CHECK_NEAR(conv(1, "L/(8.h)", "mL/h"), 125, 1e-15);
  CHECK_NEAR(conv(3.2, "10*9/L", "/uL"), 3200, 1e-15);
  CHECK_NEAR(conv(120, "10*3/uL", "10*9/L"), 120, 1e-15);
  /* mol is a base: amounts are not counts */
  CHECK(conv_code(1, "umol/L", "10*9/L", NULL) == AZA_EDIM);
  CHECK(conv_code(1, "mol", "1", NULL) == AZA_EDIM);
  CHECK(conv_code(1, "mol", "10*23", NULL) == AZA_EDIM);
  /* substances: creatinine 113.12 g/mol, bilirubin 584.66 g/mol */
  CHECK_NEAR(conv_sub(1, "mg/dL", "umol/L", "creatinine", &st), 88.40,
             0.005 / 88.4);
  CHECK(st == AZA_OK);
  CHECK_NEAR(conv_sub(1, "mg/dL", "umol/L", "creatinine", &st), 10000 / 113.12,
             1e-14);
  CHECK_NEAR(conv_sub(88.4, "umol/L", "mg/dL", "creatinine", &st), 1.0, 1e-4);
  CHECK_NEAR(conv_sub(1, "mg/dL", "umol/L", "bilirubin", &st), 17.10,
             0.005 / 17.1);
  CHECK_NEAR(conv_sub(1, "mg/dL", "mmol/L", "glucose", &st), 10 / 180.156,
             1e-14);
  CHECK_NEAR(conv_sub(1, "mg/dL", "mmol/L", "Uric_Acid", &st), 10 / 168.11,
             1e-14);
  CHECK_NEAR(conv_sub(1, "mg/mmol", "mg/g", "creatinine", &st), 1000 / 113.12,
             1e-14);
  CHECK_NEAR(conv_sub(1, "umol/kg", "mg/kg", "creatinine", &st), 0.11312,
             1e-14);
  /* units that need no substance convert as usual */
  CHECK_NEAR(conv_sub(1, "mg/dL", "mg/L", "creatinine", &st), 10, 0);
  conv_sub(1, "mg/dL", "umol/L", NULL, &st);
  CHECK(st == AZA_ESUBSTANCE);
  conv_sub(1, "mg/dL", "umol/L", "unobtainium", &st);
  CHECK(st == AZA_ESUBSTANCE);
  conv_sub(1, "mg/dL", "umol/h", "creatinine", &st);
  CHECK(st == AZA_EDIM);
  CHECK(conv_code(1, "mg/dL", "umol/L", NULL) == AZA_ESUBSTANCE);
  {
    double m = 0;
    aza_err err;
    CHECK(aza_substance_molar_mass("creatinine", &m, &err) == AZA_OK);
    CHECK(m == 113.12);
    CHECK(aza_substance_molar_mass("Bilirubin", &m, &err) == AZA_OK);
    CHECK(m == 584.66);
    CHECK(aza_substance_molar_mass("water", &m, &err) == AZA_ESUBSTANCE);
    CHECK_CONTAINS(err.msg, "unknown substance 'water'");
    CHECK(aza_substance_molar_mass(NULL, &m, &err) == AZA_EARG);
  }
}

static void test_dimensions(void) {
  aza_err err;
  aza_unit a, b;
  CHECK_STR(dim_text("mg"), "mass");
  CHECK_STR(dim_text("1"), "1");
  CHECK_STR(dim_text("%"), "1");
  CHECK_STR(dim_text("mg/dL"), "mass/volume");
  CHECK_STR(dim_text("mg/kg/d"), "mass/(mass.time)");
  CHECK_STR(dim_text("/d"), "1/time");
  CHECK_STR(dim_text("umol/L"), "amount/volume");
  CHECK_STR(dim_text("[iU]/L"), "[iU]/volume");
  CHECK_STR(dim_text("[IU]/L"), "[iU]/volume");
  CHECK_STR(dim_text("10*9/L"), "1/volume");
  CHECK_STR(dim_text("m2"), "length2");
  CHECK_STR(dim_text("mL/min/{1.73_m2}"), "volume/time");
  CHECK_STR(dim_text("N"), "mass.length/time2");
  CHECK_STR(dim_text("mg/g"), "mass/mass");
  CHECK_STR(dim_text("Cel"), "temperature");
  CHECK_STR(dim_text("rad/s"), "angle/time");
  /* mg/kg/d is never /d */
  CHECK(aza_unit_parse("mg/kg/d", &a, NULL, NULL) == AZA_OK);
  CHECK(aza_unit_parse("/d", &b, NULL, NULL) == AZA_OK);
  CHECK(!aza_dim_eq(&a.dim, &b.dim));
  CHECK(a.dim.e[AZA_DIM_M] == 0 && a.dim.mm == 1 && a.dim.e[AZA_DIM_T] == -1);
  CHECK(aza_unit_convert(1, &a, &b, &b.factor, &err) == AZA_EDIM);
  CHECK_STR(err.msg,
            "cannot convert mg/kg/d to /d: mass/(mass.time) vs 1/time");
  CHECK(aza_dim_eq(&a.dim, &a.dim));
  CHECK(!aza_dim_eq(NULL, &a.dim));
  /* the same dimension written differently */
  CHECK(aza_unit_parse("Gy", &a, NULL, NULL) == AZA_OK);
  CHECK(aza_unit_parse("J/kg", &b, NULL, NULL) == AZA_OK);
  CHECK(aza_dim_eq(&a.dim, &b.dim));
  CHECK(aza_unit_parse("ug/(kg.min)", &a, NULL, NULL) == AZA_OK);
  CHECK(aza_unit_parse("mg/kg/d", &b, NULL, NULL) == AZA_OK);
  CHECK(aza_dim_eq(&a.dim, &b.dim));
  CHECK_NEAR(conv(1, "ug/(kg.min)", "mg/kg/d"), 1.44, 1e-15);
  /* snprintf semantics */
  {
    char small[5];
    size_t need;
    CHECK(aza_unit_parse("mg/kg/d", &a, NULL, NULL) == AZA_OK);
    need = aza_dim_format(&a.dim, small, sizeof small);
    CHECK(need == strlen("mass/(mass.time)"));
    CHECK_STR(small, "mass");
    CHECK(aza_dim_format(&a.dim, NULL, 0) == need);
    need = aza_unit_format(&a, small, sizeof small);
    CHECK(need == 7);
    CHECK_STR(small, "mg/k");
    CHECK(aza_unit_format(&a, NULL, 0) == 7);
  }
}

static void test_arbitrary(void) {
  aza_err err;
  CHECK(conv(1, "[iU]", "[iU]") == 1);
  CHECK(conv(1, "[IU]", "[iU]") == 1);
  CHECK(conv(1, "m[IU]/L", "[IU]/L") == 0.001);
  CHECK(conv(5, "[iU]/mL", "[iU]/L") == 5000);
  CHECK(conv_code(1, "[iU]", "1", &err) == AZA_EARBITRARY);
  CHECK_CONTAINS(err.msg, "cannot convert [iU] to 1");
  CHECK(conv_code(1, "[iU]", "[arb'U]", &err) == AZA_EARBITRARY);
  CHECK(conv_code(1, "[iU]/L", "U/L", &err) == AZA_EARBITRARY);
  CHECK(conv_code(1, "[iU]/L", "mg/L", &err) == AZA_EARBITRARY);
  CHECK(conv_code(1, "[iU]", "[iU]2", &err) == AZA_EARBITRARY);
  CHECK(conv(1, "[iU]/[iU]", "1") == 1); /* cancelled */
  /* mixed arbitrary units convert only to the same mixture */
  CHECK(conv(1, "[iU].[arb'U]", "[arb'U].[iU]") == 1);
  CHECK(conv_code(1, "[iU].[arb'U]", "[iU].[PFU]", &err) == AZA_EARBITRARY);
}

static void test_annotations(void) {
  aza_err err;
  aza_unit a, b;
  CHECK(conv(1, "g{Hb}", "mg{Hb}") == 1000);
  CHECK(conv_code(1, "g{Hb}", "g", &err) == AZA_EANNOT);
  CHECK_CONTAINS(err.msg, "annotations differ");
  CHECK(conv_code(1, "nmol/h/g{Hb}", "nmol/h/mL{RBC}", &err) != AZA_OK);
  CHECK(conv_code(1, "mL/min/{1.73_m2}", "mL/min", &err) == AZA_EANNOT);
  CHECK(conv(1, "mL/min/{1.73_m2}", "L/h/{1.73_m2}") == 0.06);
  /* order-free */
  CHECK(conv(1, "{a}.{b}", "{b}.{a}") == 1);
  CHECK(conv_code(1, "{a}", "{b}", &err) == AZA_EANNOT);
  /* standalone annotations are 1 */
  CHECK(aza_unit_parse("{cells}/uL", &a, NULL, NULL) == AZA_OK);
  CHECK(aza_unit_parse("/uL", &b, NULL, NULL) == AZA_OK);
  CHECK(a.factor == b.factor);
  CHECK(a.dim.annot != 0 && b.dim.annot == 0);
  CHECK(a.nterms == 2 && a.terms[0].atom == AZA_ATOM_NONE);
  CHECK(a.terms[0].annlen == 5);
  CHECK(memcmp(a.annot + a.terms[0].ann, "cells", 5) == 0);
  CHECK(aza_unit_parse("g{Hb}", &a, NULL, NULL) == AZA_OK);
  CHECK(a.nterms == 1 && a.terms[0].ann != 0xFF);
  CHECK(strcmp(a.annot + a.terms[0].ann, "Hb") == 0);
}

static void test_special(void) {
  aza_err err;
  aza_unit a;
  /* temperatures */
  CHECK_NEAR(conv(100.4, "[degF]", "Cel"), 38, 1e-15);
  CHECK_NEAR(conv(38, "Cel", "[degF]"), 100.4, 1e-15);
  CHECK_NEAR(conv(0, "Cel", "K"), 273.15, 1e-15);
  CHECK_NEAR(conv(310.15, "K", "Cel"), 37, 1e-14);
  CHECK_NEAR(conv(32, "[degF]", "Cel"), 0, 1e-15);
  CHECK_NEAR(conv(-40, "[degF]", "Cel"), -40, 1e-15);
  CHECK_NEAR(conv(0, "[degF]", "K"), 255.37222222222223, 1e-14);
  CHECK_NEAR(conv(80, "[degRe]", "Cel"), 100, 1e-15);
  CHECK_NEAR(conv(1, "[degR]", "K"), 5.0 / 9, 1e-15);
  CHECK_NEAR(conv(37000, "mCel", "Cel"), 37, 1e-15);
  CHECK(aza_unit_parse("Cel", &a, NULL, NULL) == AZA_OK);
  CHECK(a.kind == AZA_UNIT_SPECIAL && !a.has_special);
  /* no float noise: a value given in another unit lands on the decimal it
     equals (2.9 g/dL is 29 g/L; without rounding 29.000000000000004) */
  CHECK(conv(2.9, "g/dL", "g/L") == 29);
  CHECK(conv(2300, "/uL", "10*9/L") == 2.3);
  CHECK(conv(700, "/mm3", "10*9/L") == 0.7);
  CHECK(conv(100.22, "[degF]", "Cel") == 37.9);
  CHECK(conv(176, "[lb_av]", "kg") == 79.83225712);
  /* levels and others: forward and inverse */
  CHECK_NEAR(conv(7, "[pH]", "mol/L"), 1e-7, 1e-15);
  CHECK_NEAR(conv(1e-7, "mol/L", "[pH]"), 7, 1e-14);
  CHECK_NEAR(conv(1e-4, "mmol/L", "[pH]"), 7, 1e-14);
  CHECK_NEAR(conv(20, "dB", "1"), 100, 1e-14);
  CHECK_NEAR(conv(2, "B", "dB"), 20, 1e-14);
  /* results are rounded to 15 significant digits: compare at 1e-14 */
  CHECK_NEAR(conv(1, "Np", "1"), exp(1.0), 1e-14);
  CHECK_NEAR(conv(exp(2.0), "1", "Np"), 2, 1e-14);
  CHECK_NEAR(conv(94, "dB[SPL]", "Pa"), 1.0023744672545445, 1e-12);
  CHECK_NEAR(conv(2, "B[V]", "V"), 10, 1e-14);
  CHECK_NEAR(conv(2, "B[mV]", "V"), 0.01, 1e-14);
  CHECK_NEAR(conv(2, "B[uV]", "uV"), 10, 1e-14);
  CHECK_NEAR(conv(2, "B[10.nV]", "nV"), 100, 1e-14);
  CHECK_NEAR(conv(1, "B[W]", "W"), 10, 1e-14);
  CHECK_NEAR(conv(1, "B[kW]", "W"), 10000, 1e-14);
  CHECK_NEAR(conv(100, "%[slope]", "deg"), 45, 1e-14);
  CHECK_NEAR(conv(45, "deg", "%[slope]"), 100, 1e-13);
  CHECK_NEAR(conv(100, "[p'diop]", "rad"), atan(1.0), 1e-15);
  CHECK_NEAR(conv(2, "[hp'_X]", "1"), 0.01, 1e-15);
  CHECK_NEAR(conv(2, "[hp'_C]", "1"), 1e-4, 1e-15);
  CHECK_NEAR(conv(1, "[hp'_M]", "1"), 1e-3, 1e-15);
  CHECK_NEAR(conv(1, "[hp'_Q]", "1"), 2e-5, 1e-15);
  CHECK_NEAR(conv(1e-4, "1", "[hp'_C]"), 2, 1e-14);
  CHECK_NEAR(conv(3, "bit_s", "1"), 8, 1e-15);
  CHECK_NEAR(conv(8, "1", "bit_s"), 3, 1e-15);
  CHECK_NEAR(conv(3, "[m/s2/Hz^(1/2)]", "m2/s4/Hz"), 9, 1e-15);
  CHECK_NEAR(conv(9, "m2/s3", "[m/s2/Hz^(1/2)]"), 3, 1e-15);
  CHECK_NEAR(conv(7.4, "[pH]", "[pH]"), 7.4, 1e-14);
  /* out of the function's domain */
  CHECK(conv_code(-1, "mol/L", "[pH]", &err) == AZA_EVALUE);
  /* a special atom inside an expression parses, but does not convert */
  CHECK(aza_unit_parse("Cel/h", &a, NULL, NULL) == AZA_OK);
  CHECK(a.kind == AZA_UNIT_RATIO && a.has_special);
  CHECK(conv_code(1, "Cel/h", "K/h", &err) == AZA_ESPECIAL);
  CHECK(conv_code(1, "K/h", "Cel/h", &err) == AZA_ESPECIAL);
  CHECK(conv_code(1, "Cel2", "K2", &err) == AZA_ESPECIAL);
  CHECK(conv_code(1, "2.Cel", "K", &err) == AZA_ESPECIAL);
  CHECK(conv_code(1, "Cel", "mg", &err) == AZA_EDIM);
  /* values must be finite */
  CHECK(conv_code(NAN, "mg", "g", &err) == AZA_EVALUE);
  CHECK(conv_code(INFINITY, "mg", "g", &err) == AZA_EVALUE);
}

/* the UCUM text of every unit reads back to the same factor and dimension */
static void test_roundtrip(void) {
  static const char *const list[] = {
      "mg/kg/d", "10*9/L", "x10^9/L",          "\xC2\xB5g/kg/d",
      "[lb_av]", "g{Hb}",  "mL/min/{1.73_m2}", "4.s/m",
      "s/4",     "Cel",    "dB[SPL]",          "/{tot}"};
  size_t i;
  for (i = 0; i < sizeof list / sizeof list[0]; i++) {
    aza_unit u, v;
    char buf[AZA_EXPR_MAX];
    CHECK(aza_unit_parse(list[i], &u, NULL, NULL) == AZA_OK);
    aza_unit_format(&u, buf, sizeof buf);
    CHECK(aza_unit_parse(buf, &v, NULL, NULL) == AZA_OK);
    CHECK(u.factor == v.factor && aza_dim_eq(&u.dim, &v.dim));
    CHECK(u.kind == v.kind);
  }
}

/* a sample of the UCUM functional tests (the full set: spec/) */
static void test_conformance_sample(void) {
  CHECK(parses("10.L/(min.m2)"));
  CHECK(parses("dB[10.nV]"));
  CHECK(parses("[in_i'Hg]"));
  CHECK(parses("g.m/{hb}"));
  CHECK(parses("kg{body_wt}"));
  CHECK(parses("/[HPF]"));
  CHECK(parses("meq/(8.h.kg)"));
  CHECK(!parses("m[iIU]/L"));
  CHECK(!parses("u[iIU]/mL"));
  CHECK_NEAR(conv(6.3, "mm", "m"), 0.0063, 1e-15);
  CHECK_NEAR(conv(6.3, "s.mm-2", "s.m-2"), 6300000, 1e-15);
  CHECK_NEAR(conv(6.3, "ms/m/g", "s.m-1.g-1"), 0.0063, 1e-15);
  CHECK_NEAR(conv(6.3, "ms/mm", "s/m"), 6.3, 1e-15);
  CHECK_NEAR(conv(1, "10*-7.s", "s"), 1e-7, 1e-16);
  CHECK_NEAR(conv(1, "1/[ly]", "cm-1"), 1.05700083402461546370946e-18, 1e-12);
  CHECK_NEAR(conv(1.2, "g.m", "m.g"), 1.2, 0);
}

int main(void) {
  test_table();
  test_find_misses();
  test_mass_pairs();
  test_prefixes();
  test_syntax();
  test_messages();
  test_aliases();
  test_factors();
  test_dimensions();
  test_arbitrary();
  test_annotations();
  test_special();
  test_roundtrip();
  test_conformance_sample();
  return tap_done("test_units");
}
