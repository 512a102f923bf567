/*
** floor.c
** The hand-coded C floor of `make bench`: the decisions of bench/peers/rules.js
** (the base + IBD decision rules) written directly in C over the bench
** cohort, with aza's JSON reader (aza_json.c) and civil dates from the core
** and every unit normalisation by hand. What a program that knows only this
** one protocol can do; aza's figures are read against it.
**
**   floor COHORT.jsonl SECONDS DECISIONS_OUT
**
** Prints one line: {"peer":"c-floor","rate":R,"runs":N}.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aza_dose.h" /* aza_date_parse */
#include "aza_json.h"

enum {
  F_NONE,
  F_WEIGHT,
  F_GENO,
  F_PHENO,
  F_LABS,
  F_MEDS,
  F_COND,
  F_ALLERGY,
  F_SYMPTOM,
  F_ANCESTRY,
  F_PREGNANT,
  F_ASOF,
  F_AZA
};
enum { L_WBC, L_NEUT, L_LYMPH, L_EOS, L_PLT, L_ALT, L_AST, L_ALB, L_EGFR, L_N };

typedef struct patient {
  long as_of;
  double weight_kg; /* < 0: none */
  int tpmt, nudt15; /* 0 untested, 1 normal, 2 intermediate, 3 poor, 4
                       indeterminate */
  int east_asian, pregnant, allergy, malignancy, symptoms, allopurinol,
      febuxostat, active;
  double lab[L_N];
  long lab_day[L_N];
  int has_lab[L_N];
} patient;

typedef struct parse {
  patient *p;
  int depth, field; /* top-level field being read (depth >= 1) */
  char key[32];     /* the last key at depth 2 or 3 */
  char lab_test[16], lab_unit[24];
  double lab_value, num;
  long lab_day;
  char w_unit[16]; /* weight given as {value, unit} */
  char med_name[32], med_status[16];
} parse;

static int eq(const char *s, size_t n, const char *w) {
  return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int phenotype_of(const char *gene, const char *s, size_t n) {
  if (strcmp(gene, "TPMT") == 0) {
    if (eq(s, n, "*1/*1"))
      return 1;
    if (eq(s, n, "*1/*2") || eq(s, n, "*1/*3A") || eq(s, n, "*1/*3C"))
      return 2;
    if (eq(s, n, "*3A/*3A"))
      return 3;
    return 4;
  }
  if (eq(s, n, "*1/*1"))
    return 1;
  if (eq(s, n, "*1/*3"))
    return 2;
  if (eq(s, n, "*3/*3"))
    return 3;
  return 4;
}

static int word_phenotype(const char *s, size_t n) {
  if (eq(s, n, "normal"))
    return 1;
  if (eq(s, n, "intermediate") || eq(s, n, "possible_intermediate"))
    return 2;
  if (eq(s, n, "poor"))
    return 3;
  return 4;
}

static int lab_index(const char *t) {
  static const char *const names[L_N] = {
      "wbc", "neutrophils", "lymphocytes", "eosinophils", "platelets",
      "alt", "ast",         "albumin",     "egfr"};
  int i;
  for (i = 0; i < L_N; i++) {
    if (strcmp(t, names[i]) == 0)
      return i;
  }
  return -1;
}

/* a lab value in its reference unit, by hand (10*9/L, U/L, g/L, mL/min/1.73 m2)
 */
static double lab_factor(int i, const char *unit) {
  if (i <= L_PLT) {
    if (strcmp(unit, "/uL") == 0)
      return 0.001;
    return 1; /* 10*9/L or 10*3/uL */
  }
  if (i == L_ALB && strcmp(unit, "g/dL") == 0)
    return 10;
  return 1;
}

static void copy(char *dst, size_t size, const char *s, size_t n) {
  if (n >= size)
    n = size - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

static double weight_kg(double v, const char *unit) {
  return strcmp(unit, "[lb_av]") == 0 ? v * 0.45359237 : v;
}

static int s_begin(void *ud, int is_array) {
  parse *x = (parse *)ud;
  (void)is_array;
  x->depth++;
  if (x->field == F_LABS && x->depth == 3) {
    x->lab_test[0] = x->lab_unit[0] = '\0';
    x->lab_value = 0;
    x->lab_day = 0;
  }
  if (x->field == F_MEDS && x->depth == 3) {
    x->med_name[0] = x->med_status[0] = '\0';
  }
  return 0;
}

static int s_end(void *ud, int is_array) {
  parse *x = (parse *)ud;
  patient *p = x->p;
  (void)is_array;
  if (x->field == F_LABS && x->depth == 3) {
    int i = lab_index(x->lab_test);
    if (i >= 0) {
      p->lab[i] = x->lab_value * lab_factor(i, x->lab_unit);
      p->lab_day[i] = x->lab_day;
      p->has_lab[i] = 1;
    }
  }
  if (x->field == F_MEDS && x->depth == 3 &&
      (strcmp(x->med_status, "active") == 0 ||
       strcmp(x->med_status, "planned") == 0)) {
    p->allopurinol |= strcmp(x->med_name, "allopurinol") == 0;
    p->febuxostat |= strcmp(x->med_name, "febuxostat") == 0;
  }
  if (x->field == F_WEIGHT && x->depth == 2) {
    p->weight_kg = weight_kg(x->num, x->w_unit);
  }
  x->depth--;
  return 0;
}

static int s_key(void *ud, const char *s, size_t n, size_t pos) {
  parse *x = (parse *)ud;
  (void)pos;
  if (x->depth == 1) {
    x->field = eq(s, n, "weight")         ? F_WEIGHT
               : eq(s, n, "genotype")     ? F_GENO
               : eq(s, n, "phenotype")    ? F_PHENO
               : eq(s, n, "labs")         ? F_LABS
               : eq(s, n, "medications")  ? F_MEDS
               : eq(s, n, "conditions")   ? F_COND
               : eq(s, n, "allergies")    ? F_ALLERGY
               : eq(s, n, "symptoms")     ? F_SYMPTOM
               : eq(s, n, "ancestry")     ? F_ANCESTRY
               : eq(s, n, "pregnant")     ? F_PREGNANT
               : eq(s, n, "as_of")        ? F_ASOF
               : eq(s, n, "azathioprine") ? F_AZA
                                          : F_NONE;
  } else {
    copy(x->key, sizeof x->key, s, n);
  }
  return 0;
}

static int s_string(void *ud, const char *s, size_t n) {
  parse *x = (parse *)ud;
  patient *p = x->p;
  char buf[64];
  switch (x->field) {
  case F_ASOF:
    copy(buf, sizeof buf, s, n);
    aza_date_parse(buf, &p->as_of, NULL);
    break;
  case F_WEIGHT:
    if (x->depth == 1) { /* "70 kg" */
      char unit[16];
      double v;
      copy(buf, sizeof buf, s, n);
      if (sscanf(buf, "%lf %15s", &v, unit) == 2)
        p->weight_kg = weight_kg(v, unit);
    } else if (strcmp(x->key, "unit") == 0) {
      copy(x->w_unit, sizeof x->w_unit, s, n);
    }
    break;
  case F_GENO:
    if (strcmp(x->key, "TPMT") == 0 && p->tpmt == 0)
      p->tpmt = phenotype_of("TPMT", s, n);
    if (strcmp(x->key, "NUDT15") == 0 && p->nudt15 == 0)
      p->nudt15 = phenotype_of("NUDT15", s, n);
    break;
  case F_PHENO:
    if (strcmp(x->key, "TPMT") == 0)
      p->tpmt = word_phenotype(s, n);
    if (strcmp(x->key, "NUDT15") == 0)
      p->nudt15 = word_phenotype(s, n);
    break;
  case F_LABS:
    if (strcmp(x->key, "test") == 0)
      copy(x->lab_test, sizeof x->lab_test, s, n);
    if (strcmp(x->key, "unit") == 0)
      copy(x->lab_unit, sizeof x->lab_unit, s, n);
    if (strcmp(x->key, "date") == 0) {
      copy(buf, sizeof buf, s, n);
      aza_date_parse(buf, &x->lab_day, NULL);
    }
    break;
  case F_MEDS:
    if (strcmp(x->key, "name") == 0)
      copy(x->med_name, sizeof x->med_name, s, n);
    if (strcmp(x->key, "status") == 0)
      copy(x->med_status, sizeof x->med_status, s, n);
    break;
  case F_COND:
    p->malignancy |= eq(s, n, "active_malignancy");
    break;
  case F_ALLERGY:
    p->allergy |= eq(s, n, "azathioprine") || eq(s, n, "mercaptopurine") ||
                  eq(s, n, "thiopurine");
    break;
  case F_SYMPTOM:
    p->symptoms |= eq(s, n, "fever") || eq(s, n, "sore_throat") ||
                   eq(s, n, "bruising") || eq(s, n, "unexplained_bruising") ||
                   eq(s, n, "abnormal_bruising") ||
                   eq(s, n, "unexplained_bleeding");
    break;
  case F_ANCESTRY:
    p->east_asian |= eq(s, n, "east_asian");
    break;
  case F_AZA:
    if (strcmp(x->key, "status") == 0)
      p->active = eq(s, n, "active");
    break;
  default:
    break;
  }
  return 0;
}

static int s_number(void *ud, double v, int integral, long long iv) {
  parse *x = (parse *)ud;
  (void)integral;
  (void)iv;
  if (x->field == F_LABS && strcmp(x->key, "value") == 0)
    x->lab_value = v;
  if (x->field == F_WEIGHT && strcmp(x->key, "value") == 0)
    x->num = v;
  return 0;
}

static int s_literal(void *ud, int which) {
  parse *x = (parse *)ud;
  if (x->field == F_PREGNANT)
    x->p->pregnant = which == AZA_JSON_TRUE;
  return 0;
}

static const aza_json_sink SINK = {s_begin,  s_end,    s_key,
                                   s_string, s_number, s_literal};

enum { PROCEED, ADJUST, NEED_DATA, WITHHOLD, CONTRAINDICATED };
static const char *const DECISION[] = {"proceed", "adjust", "need_data",
                                       "withhold", "contraindicated"};

#define RAISE(d) (decision = (d) > decision ? (d) : decision)

static int decide(const patient *p) {
  int decision = PROCEED;
  int fresh_fbc, fresh_lft;
#define FRESH(i) (p->has_lab[i] && p->as_of - p->lab_day[i] <= 28)
  if (p->tpmt == 3 || p->nudt15 == 3 || p->febuxostat || p->allergy)
    RAISE(CONTRAINDICATED);
  if (p->tpmt == 0 || p->tpmt == 4 || (p->nudt15 == 0 && p->east_asian))
    RAISE(NEED_DATA);
  if (p->tpmt == 2 || p->nudt15 == 2 || p->allopurinol || p->pregnant)
    RAISE(ADJUST);
  if (p->malignancy || p->symptoms)
    RAISE(WITHHOLD);
  if ((p->has_lab[L_WBC] && p->lab[L_WBC] < 3.5) ||
      (p->has_lab[L_NEUT] && p->lab[L_NEUT] < 2.0) ||
      (p->has_lab[L_LYMPH] && p->lab[L_LYMPH] < 0.5) ||
      (p->has_lab[L_EOS] && p->lab[L_EOS] > 0.5) ||
      (p->has_lab[L_PLT] && p->lab[L_PLT] < 140) ||
      (p->has_lab[L_ALT] && p->lab[L_ALT] > 100) ||
      (p->has_lab[L_AST] && p->lab[L_AST] > 100) ||
      (p->has_lab[L_ALB] && p->lab[L_ALB] < 30))
    RAISE(WITHHOLD);
  if (p->has_lab[L_EGFR] && p->lab[L_EGFR] <= 50)
    RAISE(ADJUST);
  fresh_fbc = FRESH(L_WBC) && FRESH(L_NEUT) && FRESH(L_PLT);
  fresh_lft = FRESH(L_ALT) || FRESH(L_AST);
  if (!p->active && (!fresh_fbc || !fresh_lft))
    RAISE(NEED_DATA);
  if (p->weight_kg < 0)
    RAISE(NEED_DATA);
#undef FRESH
  return decision;
}

static int decide_line(const char *line, size_t n, char *scratch) {
  patient p;
  parse x;
  aza_err err;
  memset(&p, 0, sizeof p);
  p.weight_kg = -1;
  memset(&x, 0, sizeof x);
  x.p = &p;
  if (aza_json_parse(line, n, scratch, 64, &SINK, &x, &err) != AZA_OK)
    return -1;
  return decide(&p);
}

int main(int argc, char **argv) {
  FILE *f, *out;
  char **lines = NULL, *scratch;
  size_t *lens = NULL, nlines = 0, cap = 0, i, runs = 0, longest = 1;
  double seconds, elapsed = 0;
  clock_t t0;
  char buf[1 << 16];
  if (argc != 4 || (f = fopen(argv[1], "rb")) == NULL) {
    fprintf(stderr, "usage: floor COHORT.jsonl SECONDS DECISIONS_OUT\n");
    return 2;
  }
  seconds = atof(argv[2]);
  while (fgets(buf, sizeof buf, f) != NULL) {
    size_t n = strcspn(buf, "\n");
    if (n == 0)
      continue;
    if (nlines == cap) {
      cap = cap ? 2 * cap : 1024;
      lines = (char **)realloc(lines, cap * sizeof *lines);
      lens = (size_t *)realloc(lens, cap * sizeof *lens);
    }
    lines[nlines] = (char *)malloc(n);
    memcpy(lines[nlines], buf, n);
    lens[nlines++] = n;
    if (n > longest)
      longest = n;
  }
  fclose(f);
  scratch = (char *)malloc(longest);
  out = fopen(argv[3], "wb");
  for (i = 0; i < nlines && out != NULL; i++) {
    int d = decide_line(lines[i], lens[i], scratch);
    fprintf(out, "%s\n", d < 0 ? "error" : DECISION[d]);
  }
  if (out != NULL)
    fclose(out);
  t0 = clock();
  while (elapsed < seconds) {
    for (i = 0; i < nlines; i++)
      decide_line(lines[i], lens[i], scratch);
    runs += nlines;
    elapsed = (double)(clock() - t0) / CLOCKS_PER_SEC;
  }
  printf("{\"peer\":\"c-floor\",\"rate\":%.1f,\"runs\":%lu}\n", runs / elapsed,
         (unsigned long)runs);
  for (i = 0; i < nlines; i++)
    free(lines[i]);
  free(lines);
  free(lens);
  free(scratch);
  return 0;
}
