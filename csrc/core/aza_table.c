/*
** aza_table.c
** The unit table compiled from aza_units.def, the prefix table, the
** explicit lab-alias table and the substance (molar mass) table, with
** their lookup and introspection functions. Static const data only.
*/
#include <string.h>

#include "aza_unit_int.h"

/* {====================================================================
** Atoms
** ===================================================================== */

#define AZA_BASE(code, name, prop, dim)                                        \
  {code,                                                                       \
   name,                                                                       \
   prop,                                                                       \
   "",                                                                         \
   "1",                                                                        \
   1,                                                                          \
   sizeof(code) - 1,                                                           \
   AZAI_BASE | AZAI_METRIC,                                                    \
   dim,                                                                        \
   AZAI_FN_NONE},
#define AZA_UNIT(code, name, prop, metric, arb, fn, value, unit)               \
  {code,                                                                       \
   name,                                                                       \
   prop,                                                                       \
   unit,                                                                       \
   #value,                                                                     \
   value,                                                                      \
   sizeof(code) - 1,                                                           \
   (metric ? AZAI_METRIC : 0u) | (arb ? AZAI_ARBITRARY : 0u),                  \
   -1,                                                                         \
   AZAI_FN_##fn},

static const azai_atom atoms[] = {
#include "aza_units.def"
};

#undef AZA_BASE
#undef AZA_UNIT

#define NATOMS (sizeof atoms / sizeof atoms[0])

#include "aza_atom_index.h"

/* the generated index and the table are of one build */
typedef char azai_index_matches_table[NATOMS == AZAI_ATOM_ORDER_N ? 1 : -1];

size_t azai_atom_count(void) {
  return NATOMS;
}

const azai_atom *azai_atom_at(size_t i) {
  return i < NATOMS ? &atoms[i] : NULL;
}

/*
** Binary search over atom_order (aza_atom_index.h, generated at build time
** from aza_units.def by csrc/tools/aza_gen_index.c): the atoms in the byte
** order of their codes, a shorter code before a longer one it begins.
*/
int azai_atom_find(const char *s, size_t n) {
  size_t lo = 0, hi = NATOMS;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const azai_atom *a = &atoms[atom_order[mid]];
    size_t m = a->len < n ? a->len : n;
    int c = memcmp(a->code, s, m);
    if (c == 0) {
      c = a->len < n ? -1 : a->len > n ? 1 : 0;
    }
    if (c == 0) {
      return (int)atom_order[mid];
    }
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return -1;
}

size_t aza_atom_count(void) {
  return NATOMS;
}

aza_status aza_atom_get(size_t i, aza_atom_info *info) {
  const azai_atom *a;
  if (info == NULL || i >= NATOMS) {
    return AZA_EARG;
  }
  a = &atoms[i];
  info->code = a->code;
  info->name = a->name;
  info->property = a->property;
  info->def_unit = a->def_unit;
  info->def_value = a->def_value;
  info->is_metric = (a->flags & AZAI_METRIC) != 0;
  info->is_special = a->fn != AZAI_FN_NONE;
  info->is_arbitrary = (a->flags & AZAI_ARBITRARY) != 0;
  info->is_base = (a->flags & AZAI_BASE) != 0;
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Prefixes (they apply to metric atoms only)
** ===================================================================== */

static const azai_prefix prefixes[] = {
    {"Y", "yotta", 1e24, 24, 0, 1},
    {"Z", "zetta", 1e21, 21, 0, 1},
    {"E", "exa", 1e18, 18, 0, 1},
    {"P", "peta", 1e15, 15, 0, 1},
    {"T", "tera", 1e12, 12, 0, 1},
    {"G", "giga", 1e9, 9, 0, 1},
    {"M", "mega", 1e6, 6, 0, 1},
    {"k", "kilo", 1e3, 3, 0, 1},
    {"h", "hecto", 1e2, 2, 0, 1},
    {"da", "deka", 1e1, 1, 0, 2},
    {"d", "deci", 1e-1, -1, 0, 1},
    {"c", "centi", 1e-2, -2, 0, 1},
    {"m", "milli", 1e-3, -3, 0, 1},
    {"u", "micro", 1e-6, -6, 0, 1},
    {"n", "nano", 1e-9, -9, 0, 1},
    {"p", "pico", 1e-12, -12, 0, 1},
    {"f", "femto", 1e-15, -15, 0, 1},
    {"a", "atto", 1e-18, -18, 0, 1},
    {"z", "zepto", 1e-21, -21, 0, 1},
    {"y", "yocto", 1e-24, -24, 0, 1},
    {"Ki", "kibi", 1024.0, 0, 10, 2},
    {"Mi", "mebi", 1048576.0, 0, 20, 2},
    {"Gi", "gibi", 1073741824.0, 0, 30, 2},
    {"Ti", "tebi", 1099511627776.0, 0, 40, 2},
};

#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

size_t azai_prefix_count(void) {
  return NPREFIXES;
}

const azai_prefix *azai_prefix_at(size_t i) {
  return i < NPREFIXES ? &prefixes[i] : NULL;
}

size_t aza_prefix_count(void) {
  return NPREFIXES;
}

aza_status aza_prefix_get(size_t i, aza_prefix_info *info) {
  if (info == NULL || i >= NPREFIXES) {
    return AZA_EARG;
  }
  info->code = prefixes[i].code;
  info->name = prefixes[i].name;
  info->value = prefixes[i].value;
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Lab spellings: whole expressions only. Per-atom forms (the micro sign
** U+00B5 or Greek mu U+03BC for the prefix u, and "mcg" for ug) are
** handled by the parser; see docs/units.md.
** ===================================================================== */

static const aza_alias_info aliases[] = {
    /* cell counts */
    {"x10^9/L", "10*9/L"},
    {"x10^12/L", "10*12/L"},
    {"x10^3/uL", "10*3/uL"},
    {"x10^6/uL", "10*6/uL"},
    {"10^9/L", "10*9/L"},
    {"10^12/L", "10*12/L"},
    {"x10E9/L", "10*9/L"},
    {"x10E12/L", "10*12/L"},
    {"x10E3/uL", "10*3/uL"},
    {"x10E6/uL", "10*6/uL"},
    {"10E9/L", "10*9/L"},
    {"10E12/L", "10*12/L"},
    {"10E3/uL", "10*3/uL"},
    {"K/uL", "10*3/uL"},
    {"K/mm3", "10*3/mm3"},
    {"cells/uL", "/uL"},
    {"cells/mm3", "/mm3"},
    /* international units */
    {"IU", "[IU]"},
    {"IU/L", "[IU]/L"},
    {"IU/mL", "[IU]/mL"},
    {"mIU/L", "m[IU]/L"},
    {"mIU/mL", "m[IU]/mL"},
    /* masses */
    {"mcg", "ug"},
    {"mcg/L", "ug/L"},
    {"lb", "[lb_av]"},
    {"lbs", "[lb_av]"},
    {"oz", "[oz_av]"},
    /* lengths */
    {"in", "[in_i]"},
    /* temperatures */
    {"degF", "[degF]"},
    {"\xC2\xB0"
     "F",
     "[degF]"},
    {"\xC2\xB0"
     "C",
     "Cel"},
    {"degC", "Cel"},
    /* pressures */
    {"mmHg", "mm[Hg]"},
    {"cmH2O", "cm[H2O]"},
    /* electrolytes */
    {"mEq", "meq"},
    {"mEq/L", "meq/L"},
    /* renal function, normalised to body surface area */
    {"mL/min/1.73m2", "mL/min/{1.73_m2}"},
    {"mL/min/1.73 m2", "mL/min/{1.73_m2}"},
};

#define NALIASES (sizeof aliases / sizeof aliases[0])

const char *azai_alias_find(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < NALIASES; i++) {
    if (strlen(aliases[i].spelling) == n &&
        memcmp(aliases[i].spelling, s, n) == 0) {
      return aliases[i].ucum;
    }
  }
  return NULL;
}

size_t aza_alias_count(void) {
  return NALIASES;
}

aza_status aza_alias_get(size_t i, aza_alias_info *info) {
  if (info == NULL || i >= NALIASES) {
    return AZA_EARG;
  }
  *info = aliases[i];
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Substances: molar masses in g/mol
** ===================================================================== */

static const struct {
  const char *name;
  double gmol;
} substances[] = {
    {"creatinine", 113.12},  {"bilirubin", 584.66}, {"glucose", 180.156},
    {"urea", 60.06},         {"uric acid", 168.11}, {"urate", 168.11},
    {"cholesterol", 386.65},
};

#define NSUBSTANCES (sizeof substances / sizeof substances[0])

/* ASCII case-insensitive, '_' equal to ' ' */
static int name_eq(const char *a, const char *b) {
  for (;; a++, b++) {
    int x = (unsigned char)*a, y = (unsigned char)*b;
    if (x >= 'A' && x <= 'Z') {
      x += 'a' - 'A';
    }
    if (y >= 'A' && y <= 'Z') {
      y += 'a' - 'A';
    }
    if (x == '_') {
      x = ' ';
    }
    if (y == '_') {
      y = ' ';
    }
    if (x != y) {
      return 0;
    }
    if (x == 0) {
      return 1;
    }
  }
}

double azai_substance_find(const char *name) {
  size_t i;
  if (name == NULL) {
    return 0;
  }
  for (i = 0; i < NSUBSTANCES; i++) {
    if (name_eq(substances[i].name, name)) {
      return substances[i].gmol;
    }
  }
  return 0;
}

aza_status aza_substance_molar_mass(const char *name, double *gmol,
                                    aza_err *err) {
  double m;
  if (name == NULL || gmol == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "substance name and result needed");
  }
  m = azai_substance_find(name);
  if (m <= 0) {
    return aza_err_set(err, AZA_ESUBSTANCE, 0, "unknown substance '%.40s'",
                       name);
  }
  *gmol = m;
  return AZA_OK;
}

/* }==================================================================== */
