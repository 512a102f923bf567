/*
** test_eval.c
** The rule program and its evaluator: Kleene tables, every opcode, the
** decision lattice, validation of malformed programs, determinism, and a
** counting allocator proving that aza_eval_run never allocates.
*/
#define _POSIX_C_SOURCE 200809L /* pthread.h under -std=c99 */
#include <stdlib.h>

#include "aza_eval.h"
#include "tap.h"

/*
** The concurrency test needs pthreads; glibc 2.34 and later have them in
** libc itself, so nothing more is linked. Elsewhere it is left out unless
** the build defines AZA_TEST_THREADS (and links -pthread).
*/
#if !defined(AZA_TEST_THREADS) && defined(__GLIBC__) &&                        \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define AZA_TEST_THREADS 1
#endif
#if defined(AZA_TEST_THREADS)
#include <pthread.h>
#endif

/* {====================================================================
** A counting allocator
** ===================================================================== */

typedef struct counter {
  long allocs, frees, live;
  long fail_at; /* fail the n-th allocation (1-based); 0: never */
} counter;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  counter *c = (counter *)ud;
  (void)osize;
  if (nsize == 0) {
    if (ptr != NULL) {
      c->frees++;
      c->live--;
    }
    free(ptr);
    return NULL;
  }
  c->allocs++;
  if (c->fail_at > 0 && c->allocs == c->fail_at) {
    return NULL;
  }
  if (ptr == NULL) {
    c->live++;
  }
  return realloc(ptr, nsize);
}

/* }==================================================================== */

/* {====================================================================
** Helpers
** ===================================================================== */

static uint32_t S(aza_builder *b, const char *s) {
  uint32_t i = AZA_NONE;
  CHECK(aza_builder_string(b, s, strlen(s), &i, NULL) == AZA_OK);
  return i;
}

static uint32_t SLOT(aza_builder *b, aza_fact_type t, const char *name) {
  uint32_t i = AZA_NONE;
  CHECK(aza_builder_slot(b, t, S(b, name), &i, NULL) == AZA_OK);
  return i;
}

static uint32_t K(aza_builder *b, double v) {
  uint32_t i = AZA_NONE;
  CHECK(aza_builder_const(b, v, &i, NULL) == AZA_OK);
  return i;
}

static void I(aza_builder *b, aza_opcode op, unsigned aux, uint32_t a,
              uint32_t bb) {
  CHECK(aza_builder_insn(b, op, aux, a, bb, NULL) == AZA_OK);
}

static void BEGIN(aza_builder *b, const char *id, unsigned flags) {
  CHECK(aza_builder_rule_begin(b, S(b, id), S(b, "cite"), flags, NULL) ==
        AZA_OK);
}

static void END(aza_builder *b) {
  CHECK(aza_builder_rule_end(b, NULL) == AZA_OK);
}

static void ACT(aza_builder *b, aza_action_type t) {
  aza_action a;
  memset(&a, 0, sizeof a);
  a.type = (uint8_t)t;
  a.str = a.str2 = AZA_NONE;
  if (t == AZA_ACT_REDUCE || t == AZA_ACT_CAP || t == AZA_ACT_SET_DOSE) {
    a.has = 1;
    a.p[0] = 50;
  }
  CHECK(aza_builder_action(b, &a, NULL) == AZA_OK);
}

static aza_builder *new_builder(void) {
  aza_builder *b = NULL;
  CHECK(aza_builder_create(NULL, NULL, &b, NULL) == AZA_OK);
  return b;
}

static aza_program *finish(aza_builder *b) {
  aza_program *p = NULL;
  aza_err err;
  aza_status st = aza_builder_finish(b, &p, &err);
  if (st != AZA_OK) {
    printf("finish: %s\n", err.msg);
  }
  CHECK(st == AZA_OK);
  aza_builder_destroy(b);
  return p;
}

/* finish must fail with code and a message containing `needle` */
static void reject(aza_builder *b, aza_status code, const char *needle) {
  aza_program *p = (aza_program *)&p; /* not NULL: must be reset */
  aza_err err;
  memset(&err, 0, sizeof err);
  CHECK(aza_builder_finish(b, &p, &err) == code);
  CHECK(p == NULL);
  CHECK_CONTAINS(err.msg, needle);
  aza_builder_destroy(b);
}

/* evaluate p on f once; return the outcome of rule 0 */
static int run0(const aza_program *p, const aza_facts *f) {
  aza_eval_arena *a = NULL;
  aza_eval_result r;
  int t = -1;
  CHECK(aza_eval_arena_create(p, NULL, NULL, &a, NULL) == AZA_OK);
  if (aza_eval_run(p, f, a, &r, NULL) == AZA_OK) {
    t = r.outcome[0];
  }
  aza_eval_arena_destroy(a);
  return t;
}

/* }==================================================================== */

/* {====================================================================
** Kleene truth tables through TRUTH literals
** ===================================================================== */

static int eval_binary(aza_opcode op, int x, int y) {
  aza_builder *b = new_builder();
  aza_program *p;
  aza_facts *f = NULL;
  int t;
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, (unsigned)x, 0, 0);
  if (op == AZA_OP_NOT) {
    I(b, AZA_OP_NOT, 0, 0, 0);
  } else {
    I(b, AZA_OP_TRUTH, (unsigned)y, 0, 0);
    I(b, op, AZA_EQ, 0, 0);
  }
  END(b);
  p = finish(b);
  CHECK(aza_facts_create(p, NULL, NULL, &f, NULL) == AZA_OK);
  t = run0(p, f);
  aza_facts_destroy(f);
  aza_program_destroy(p);
  return t;
}

static void test_kleene(void) {
  enum { F = AZA_FALSE, T = AZA_TRUE, U = AZA_UNKNOWN };
  /* rows x, columns y: F T U */
  static const int and_t[3][3] = {{F, F, F}, {F, T, U}, {F, U, U}};
  static const int or_t[3][3] = {{F, T, U}, {T, T, T}, {U, T, U}};
  static const int eq_t[3][3] = {{T, F, U}, {F, T, U}, {U, U, U}};
  static const int not_t[3] = {T, F, U};
  int x, y;
  for (x = 0; x < 3; x++) {
    CHECK(eval_binary(AZA_OP_NOT, x, 0) == not_t[x]);
    for (y = 0; y < 3; y++) {
      CHECK(eval_binary(AZA_OP_AND, x, y) == and_t[x][y]);
      CHECK(eval_binary(AZA_OP_OR, x, y) == or_t[x][y]);
      CHECK(eval_binary(AZA_OP_TCMP, x, y) == eq_t[x][y]);
    }
  }
}

/* }==================================================================== */

/* {====================================================================
** Every opcode, on one program with one rule per case
** ===================================================================== */

enum {
  R_CMP_LT,
  R_CMP_LE,
  R_CMP_GT,
  R_CMP_GE,
  R_CMP_EQ,
  R_CMP_NE,
  R_STR_EQ,
  R_STR_NE,
  R_IN,
  R_BOOL,
  R_KNOWN,
  R_UNKNOWN,
  R_HAS,
  R_DAYS,
  R_WEEKS,
  R_MUL,
  R_DIV,
  R_RATIO,
  R_RISE,
  R_DIV0,
  R_COUNT
};

typedef struct fx {
  aza_program *p;
  uint32_t wbc, uln, alt, pheno, preg, meds, started, creat;
  uint32_t s_poor, s_inter, s_allo, s_normal;
} fx;

static void build_ops(fx *x) {
  aza_builder *b = new_builder();
  uint32_t set[2], first;
  static const unsigned ops[6] = {AZA_LT, AZA_LE, AZA_GT,
                                  AZA_GE, AZA_EQ, AZA_NE};
  int i;
  x->wbc = SLOT(b, AZA_FACT_NUM, "wbc");
  x->alt = SLOT(b, AZA_FACT_NUM, "alt");
  x->uln = SLOT(b, AZA_FACT_NUM, "alt.uln");
  x->pheno = SLOT(b, AZA_FACT_STR, "tpmt.phenotype");
  x->preg = SLOT(b, AZA_FACT_BOOL, "pregnant");
  x->meds = SLOT(b, AZA_FACT_SET, "taking");
  x->started = SLOT(b, AZA_FACT_DATE, "azathioprine.started");
  x->creat = SLOT(b, AZA_FACT_SERIES, "creatinine");
  x->s_poor = S(b, "poor");
  x->s_inter = S(b, "intermediate");
  x->s_allo = S(b, "allopurinol");
  x->s_normal = S(b, "normal");
  for (i = 0; i < 6; i++) { /* wbc OP 3.5 */
    BEGIN(b, "cmp", 0);
    I(b, AZA_OP_NUM, 0, x->wbc, 0);
    I(b, AZA_OP_CONST, 0, K(b, 3.5), 0);
    I(b, AZA_OP_CMP, ops[i], 0, 0);
    END(b);
  }
  BEGIN(b, "str-eq", 0);
  I(b, AZA_OP_STR, 0, x->pheno, 0);
  I(b, AZA_OP_SCONST, 0, x->s_poor, 0);
  I(b, AZA_OP_SCMP, AZA_EQ, 0, 0);
  END(b);
  BEGIN(b, "str-ne", 0);
  I(b, AZA_OP_STR, 0, x->pheno, 0);
  I(b, AZA_OP_SCONST, 0, x->s_poor, 0);
  I(b, AZA_OP_SCMP, AZA_NE, 0, 0);
  END(b);
  set[0] = x->s_poor;
  set[1] = x->s_inter;
  CHECK(aza_builder_list(b, set, 2, &first, NULL) == AZA_OK);
  BEGIN(b, "in", 0);
  I(b, AZA_OP_STR, 0, x->pheno, 0);
  I(b, AZA_OP_IN, 0, first, 2);
  END(b);
  BEGIN(b, "bool", 0);
  I(b, AZA_OP_BOOL, 0, x->preg, 0);
  END(b);
  BEGIN(b, "known", 0);
  I(b, AZA_OP_KNOWN, 0, x->wbc, 0);
  END(b);
  BEGIN(b, "unknown", 0);
  I(b, AZA_OP_UNKNOWN, 0, x->wbc, 0);
  END(b);
  BEGIN(b, "has", 0);
  I(b, AZA_OP_SET_HAS, 0, x->meds, x->s_allo);
  END(b);
  BEGIN(b, "days", 0); /* days_since(started) < 30 d */
  I(b, AZA_OP_DAYS_SINCE, 0, x->started, 0);
  I(b, AZA_OP_CONST, 0, K(b, 30), 0);
  I(b, AZA_OP_CMP, AZA_LT, 0, 0);
  END(b);
  BEGIN(b, "weeks", 0); /* weeks_since(started) >= 8 wk */
  I(b, AZA_OP_WEEKS_SINCE, 0, x->started, 0);
  I(b, AZA_OP_CONST, 0, K(b, 8), 0);
  I(b, AZA_OP_CMP, AZA_GE, 0, 0);
  END(b);
  BEGIN(b, "mul", 0); /* alt > 2 * alt.uln */
  I(b, AZA_OP_NUM, 0, x->alt, 0);
  I(b, AZA_OP_CONST, 0, K(b, 2), 0);
  I(b, AZA_OP_NUM, 0, x->uln, 0);
  I(b, AZA_OP_MUL, 0, 0, 0);
  I(b, AZA_OP_CMP, AZA_GT, 0, 0);
  END(b);
  BEGIN(b, "div", 0); /* alt / alt.uln > 2 */
  I(b, AZA_OP_NUM, 0, x->alt, 0);
  I(b, AZA_OP_NUM, 0, x->uln, 0);
  I(b, AZA_OP_DIV, 0, 0, 0);
  I(b, AZA_OP_CONST, 0, K(b, 2), 0);
  I(b, AZA_OP_CMP, AZA_GT, 0, 0);
  END(b);
  BEGIN(b, "ratio", 0); /* ratio(alt, alt.uln) >= 3 */
  I(b, AZA_OP_NUM, 0, x->alt, 0);
  I(b, AZA_OP_NUM, 0, x->uln, 0);
  I(b, AZA_OP_RATIO, 0, 0, 0);
  I(b, AZA_OP_CONST, 0, K(b, 3), 0);
  I(b, AZA_OP_CMP, AZA_GE, 0, 0);
  END(b);
  BEGIN(b, "rise", 0); /* rise_percent(creatinine, 365 d) > 30 % */
  I(b, AZA_OP_CONST, 0, K(b, 365), 0);
  I(b, AZA_OP_RISE_PERCENT, 0, x->creat, 0);
  I(b, AZA_OP_CONST, 0, K(b, 30), 0);
  I(b, AZA_OP_CMP, AZA_GT, 0, 0);
  END(b);
  BEGIN(b, "div0", 0); /* alt / 0 > 1: unknown when alt known */
  I(b, AZA_OP_NUM, 0, x->alt, 0);
  I(b, AZA_OP_CONST, 0, K(b, 0), 0);
  I(b, AZA_OP_DIV, 0, 0, 0);
  I(b, AZA_OP_CONST, 0, K(b, 1), 0);
  I(b, AZA_OP_CMP, AZA_GT, 0, 0);
  END(b);
  x->p = finish(b);
}

static void run_all(const fx *x, const aza_facts *f, uint8_t *out) {
  aza_eval_arena *a = NULL;
  aza_eval_result r;
  uint32_t i;
  CHECK(aza_eval_arena_create(x->p, NULL, NULL, &a, NULL) == AZA_OK);
  CHECK(aza_eval_run(x->p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.nrules == R_COUNT);
  for (i = 0; i < R_COUNT; i++) {
    out[i] = r.outcome[i];
  }
  aza_eval_arena_destroy(a);
}

static void test_opcodes(void) {
  fx x;
  aza_facts *f = NULL;
  uint8_t o[R_COUNT];
  int i;
  aza_err err;
  build_ops(&x);
  CHECK(aza_facts_create(x.p, NULL, NULL, &f, NULL) == AZA_OK);
  /* all unknown */
  run_all(&x, f, o);
  for (i = 0; i < R_COUNT; i++) {
    if (i == R_KNOWN) {
      CHECK(o[i] == AZA_FALSE);
    } else if (i == R_UNKNOWN) {
      CHECK(o[i] == AZA_TRUE);
    } else {
      CHECK(o[i] == AZA_UNKNOWN);
    }
  }
  /* wbc == 3.5 exactly */
  CHECK(aza_facts_set_num(f, x.wbc, 3.5, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_LT] == AZA_FALSE);
  CHECK(o[R_CMP_LE] == AZA_TRUE);
  CHECK(o[R_CMP_GT] == AZA_FALSE);
  CHECK(o[R_CMP_GE] == AZA_TRUE);
  CHECK(o[R_CMP_EQ] == AZA_TRUE);
  CHECK(o[R_CMP_NE] == AZA_FALSE);
  CHECK(o[R_KNOWN] == AZA_TRUE);
  CHECK(o[R_UNKNOWN] == AZA_FALSE);
  CHECK(aza_facts_set_num(f, x.wbc, 3.2, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_LT] == AZA_TRUE);
  CHECK(o[R_CMP_GT] == AZA_FALSE);
  CHECK(o[R_CMP_NE] == AZA_TRUE);
  /* strings: a table string, another table string, a foreign string */
  CHECK(aza_facts_set_str(f, x.pheno, (int32_t)x.s_poor, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_STR_EQ] == AZA_TRUE && o[R_STR_NE] == AZA_FALSE);
  CHECK(o[R_IN] == AZA_TRUE);
  CHECK(aza_facts_set_str(f, x.pheno, (int32_t)x.s_normal, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_STR_EQ] == AZA_FALSE && o[R_STR_NE] == AZA_TRUE);
  CHECK(o[R_IN] == AZA_FALSE);
  CHECK(aza_facts_set_str(f, x.pheno, -1, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_STR_EQ] == AZA_FALSE && o[R_IN] == AZA_FALSE);
  /* booleans */
  CHECK(aza_facts_set_bool(f, x.preg, 1, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_BOOL] == AZA_TRUE);
  CHECK(aza_facts_set_bool(f, x.preg, 0, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_BOOL] == AZA_FALSE);
  /* sets: known empty is false, member is true */
  CHECK(aza_facts_set_empty(f, x.meds, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_HAS] == AZA_FALSE);
  CHECK(aza_facts_set_add(f, x.meds, x.s_allo, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_HAS] == AZA_TRUE);
  /* dates: unknown until as_of is known */
  CHECK(aza_facts_set_date(f, x.started, 1000, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_DAYS] == AZA_UNKNOWN && o[R_WEEKS] == AZA_UNKNOWN);
  CHECK(aza_facts_set_as_of(f, 1029, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_DAYS] == AZA_TRUE && o[R_WEEKS] == AZA_FALSE);
  CHECK(aza_facts_set_as_of(f, 1056, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_DAYS] == AZA_FALSE && o[R_WEEKS] == AZA_TRUE);
  /* arithmetic */
  CHECK(aza_facts_set_num(f, x.alt, 150, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_MUL] == AZA_UNKNOWN && o[R_DIV0] == AZA_UNKNOWN);
  CHECK(aza_facts_set_num(f, x.uln, 50, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_MUL] == AZA_TRUE && o[R_DIV] == AZA_TRUE);
  CHECK(o[R_RATIO] == AZA_TRUE);
  CHECK(aza_facts_set_num(f, x.uln, 75, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_MUL] == AZA_FALSE && o[R_DIV] == AZA_FALSE);
  CHECK(o[R_RATIO] == AZA_FALSE);
  CHECK(aza_facts_set_num(f, x.uln, 0, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_DIV] == AZA_UNKNOWN && o[R_RATIO] == AZA_UNKNOWN);
  /* rise_percent: window [as_of-365, as_of], latest over lowest */
  CHECK(aza_facts_set_as_of(f, 2000, NULL) == AZA_OK);
  CHECK(aza_facts_series_add(f, x.creat, 1500, 50, NULL) == AZA_OK); /* out */
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_UNKNOWN); /* known slot, nothing in window */
  CHECK(aza_facts_series_add(f, x.creat, 1700, 80, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_UNKNOWN); /* one reading in the window: no change */
  CHECK(aza_facts_series_add(f, x.creat, 1990, 100, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_FALSE); /* 25 % */
  CHECK(aza_facts_series_add(f, x.creat, 1990, 105, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_TRUE); /* same day: the later wins, 31.25 % */
  CHECK(aza_facts_series_add(f, x.creat, 2100, 500, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_TRUE); /* a future reading is ignored */
  /* an exact 30 % rise is not "> 30 %": (88.4 - 68) / 68 * 100 is
     30.000000000000014 in doubles, rounded to 1e-9 % before comparing */
  aza_facts_clear(f);
  CHECK(aza_facts_set_as_of(f, 2000, NULL) == AZA_OK);
  CHECK(aza_facts_series_add(f, x.creat, 1800, 68, NULL) == AZA_OK);
  CHECK(aza_facts_series_add(f, x.creat, 1990, 88.4, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_FALSE);
  CHECK(aza_facts_series_add(f, x.creat, 1995, 88.41, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_RISE] == AZA_TRUE); /* 30.0147 % */
  /* bounds: wbc < 3.0 decides "wbc < 3.5" (true) and "wbc >= 3.5" (false),
     wbc < 4.0 decides neither; a bound in arithmetic: 2 * uln exact */
  CHECK(aza_facts_set_bound(f, x.wbc, 3.0, AZA_LT, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_LT] == AZA_TRUE && o[R_CMP_LE] == AZA_TRUE);
  CHECK(o[R_CMP_GT] == AZA_FALSE && o[R_CMP_GE] == AZA_FALSE);
  CHECK(o[R_CMP_EQ] == AZA_FALSE && o[R_CMP_NE] == AZA_TRUE);
  CHECK(o[R_KNOWN] == AZA_TRUE);
  CHECK(aza_facts_set_bound(f, x.wbc, 4.0, AZA_LT, NULL) == AZA_OK);
  run_all(&x, f, o);
  for (i = R_CMP_LT; i <= R_CMP_NE; i++) {
    CHECK(o[i] == AZA_UNKNOWN);
  }
  { /* rules no flag requires, left unknown by the bound: need_data wbc */
    aza_eval_arena *a = NULL;
    aza_eval_result r;
    CHECK(aza_eval_arena_create(x.p, NULL, NULL, &a, NULL) == AZA_OK);
    CHECK(aza_eval_run(x.p, f, a, &r, NULL) == AZA_OK);
    CHECK(r.decision == AZA_DECIDE_NEED_DATA && r.nneed == 1);
    CHECK_STR(aza_program_string(x.p, r.need[0], NULL), "wbc");
    aza_eval_arena_destroy(a);
  }
  /* at the threshold: < 3.5 is below it, <= 3.5 may equal it */
  CHECK(aza_facts_set_bound(f, x.wbc, 3.5, AZA_LT, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_LT] == AZA_TRUE && o[R_CMP_GE] == AZA_FALSE);
  CHECK(aza_facts_set_bound(f, x.wbc, 3.5, AZA_LE, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_LT] == AZA_UNKNOWN && o[R_CMP_LE] == AZA_TRUE);
  CHECK(o[R_CMP_GT] == AZA_FALSE && o[R_CMP_EQ] == AZA_UNKNOWN);
  CHECK(aza_facts_set_bound(f, x.wbc, 3.5, AZA_GT, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_GT] == AZA_TRUE && o[R_CMP_GE] == AZA_TRUE);
  CHECK(o[R_CMP_LE] == AZA_FALSE && o[R_CMP_EQ] == AZA_FALSE);
  CHECK(aza_facts_set_bound(f, x.wbc, 3.5, AZA_GE, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_GE] == AZA_TRUE && o[R_CMP_LT] == AZA_FALSE);
  CHECK(o[R_CMP_GT] == AZA_UNKNOWN && o[R_CMP_EQ] == AZA_UNKNOWN);
  CHECK(aza_facts_set_bound(f, x.wbc, 1, AZA_EQ, &err) == AZA_EARG);
  /* alt > 400 against 2 * uln (uln 150 -> 300): true; alt / uln > 2 also */
  CHECK(aza_facts_set_num(f, x.uln, 150, NULL) == AZA_OK);
  CHECK(aza_facts_set_bound(f, x.alt, 400, AZA_GT, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_MUL] == AZA_TRUE && o[R_DIV] == AZA_TRUE);
  CHECK(o[R_DIV0] == AZA_UNKNOWN);
  CHECK(aza_facts_set_bound(f, x.alt, 200, AZA_GT, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_MUL] == AZA_UNKNOWN && o[R_DIV] == AZA_UNKNOWN);
  CHECK(aza_facts_set_bound(f, x.uln, 50, AZA_LT, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_MUL] == AZA_UNKNOWN && o[R_DIV] == AZA_UNKNOWN); /* two bounds */
  CHECK(aza_facts_set_num(f, x.alt, 150, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_DIV] == AZA_UNKNOWN); /* a bound divisor */
  CHECK(aza_facts_set_num(f, x.wbc, 3.5, NULL) == AZA_OK);
  CHECK(aza_facts_set_num(f, x.uln, 75, NULL) == AZA_OK);
  run_all(&x, f, o);
  CHECK(o[R_CMP_EQ] == AZA_TRUE && o[R_MUL] == AZA_FALSE); /* exact again */
  /* setters check types, ranges and values */
  CHECK(aza_facts_set_num(f, x.pheno, 1, &err) == AZA_EARG);
  CHECK(aza_facts_set_num(f, 999, 1, &err) == AZA_EARG);
  CHECK(aza_facts_set_num(f, x.wbc, NAN, &err) == AZA_EVALUE);
  CHECK(aza_facts_set_num(f, x.wbc, INFINITY, &err) == AZA_EVALUE);
  CHECK(aza_facts_set_str(f, x.pheno, 100000, &err) == AZA_EARG);
  CHECK(aza_facts_set_add(f, x.meds, 100000, &err) == AZA_EARG);
  CHECK(aza_facts_set_as_of(f, NAN, &err) == AZA_EVALUE);
  for (i = 0; i < AZA_SERIES_MAX; i++) {
    aza_facts_series_add(f, x.creat, i, 1, NULL);
  }
  CHECK(aza_facts_series_add(f, x.creat, 1, 1, &err) == AZA_ETOOBIG);
  /* clear makes everything unknown again */
  aza_facts_clear(f);
  CHECK(!aza_facts_known(f, x.wbc));
  run_all(&x, f, o);
  CHECK(o[R_CMP_LT] == AZA_UNKNOWN && o[R_HAS] == AZA_UNKNOWN);
  aza_facts_destroy(f);
  aza_program_destroy(x.p);
}

/* }==================================================================== */

/* {====================================================================
** Decision lattice, actions, need_data, trace information
** ===================================================================== */

/* a rule "fires" when bool slot `on` is true */
static void rule_on(aza_builder *b, const char *id, uint32_t on,
                    aza_action_type t, unsigned flags) {
  BEGIN(b, id, flags);
  I(b, AZA_OP_BOOL, 0, on, 0);
  ACT(b, t);
  END(b);
}

static void test_lattice(void) {
  static const aza_action_type types[5] = {AZA_ACT_PROCEED, AZA_ACT_REDUCE,
                                           AZA_ACT_NEED_DATA, AZA_ACT_WITHHOLD,
                                           AZA_ACT_CONTRAINDICATE};
  static const char *const names[5] = {"proceed", "adjust", "need_data",
                                       "withhold", "contraindicated"};
  aza_builder *b = new_builder();
  aza_program *p;
  aza_facts *f = NULL;
  aza_eval_arena *a = NULL;
  aza_eval_result r;
  uint32_t on[5], i, mask;
  char nm[8];
  for (i = 0; i < 5; i++) {
    nm[0] = (char)('a' + i);
    nm[1] = '\0';
    on[i] = SLOT(b, AZA_FACT_BOOL, nm);
  }
  /* most severe last, so the max must not depend on rule order */
  for (i = 0; i < 5; i++) {
    rule_on(b, names[4 - i], on[4 - i], types[4 - i], 0);
  }
  p = finish(b);
  CHECK(aza_facts_create(p, NULL, NULL, &f, NULL) == AZA_OK);
  CHECK(aza_eval_arena_create(p, NULL, NULL, &a, NULL) == AZA_OK);
  for (mask = 0; mask < 32; mask++) {
    int want = 0;
    for (i = 0; i < 5; i++) {
      CHECK(aza_facts_set_bool(f, on[i], (mask >> i) & 1, NULL) == AZA_OK);
      if ((mask >> i) & 1) {
        want = (int)i;
      }
    }
    CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
    CHECK((int)r.decision == want);
    CHECK_STR(aza_decision_name(r.decision), names[want]);
    if (want > 0) {
      CHECK(r.decision_rule == (uint32_t)(4 - want));
    } else {
      CHECK(r.decision_rule == AZA_NONE);
    }
    CHECK(r.nmodifiers == ((mask >> 1) & 1));
  }
  CHECK_STR(aza_decision_name((aza_decision)9), "?");
  CHECK_STR(aza_opcode_name(AZA_OP_RISE_PERCENT), "rise_percent");
  CHECK_STR(aza_opcode_name((aza_opcode)99), "?");
  /* each enum's names beside it in the core, in enum order */
  CHECK_STR(aza_fact_type_name(AZA_FACT_NUM), "num");
  CHECK_STR(aza_fact_type_name(AZA_FACT_SERIES), "series");
  CHECK_STR(aza_fact_type_name(AZA_FACT_TYPE_COUNT), "?");
  CHECK_STR(aza_cmp_name(AZA_LT), "<");
  CHECK_STR(aza_cmp_name(AZA_NE), "!=");
  CHECK_STR(aza_cmp_name(-1), "?");
  CHECK_STR(aza_action_type_name(AZA_ACT_PROCEED), "proceed");
  CHECK_STR(aza_action_type_name(AZA_ACT_SET_DOSE), "set_dose");
  CHECK_STR(aza_action_type_name(AZA_ACT_COUNSEL), "counsel");
  CHECK_STR(aza_action_type_name(AZA_ACT_TYPE_COUNT), "?");
  CHECK_STR(aza_severity_name(AZA_SEVERITY_INFO), "info");
  CHECK_STR(aza_severity_name(AZA_SEVERITY_CRITICAL), "critical");
  CHECK_STR(aza_severity_name(AZA_SEVERITY_COUNT), "?");
  CHECK_STR(aza_truth_name(AZA_UNKNOWN), "unknown");
  CHECK_STR(aza_truth_name(AZA_TRUTH_COUNT), "?");
  aza_eval_arena_destroy(a);
  aza_facts_destroy(f);
  aza_program_destroy(p);
}

static void test_actions_need(void) {
  aza_builder *b = new_builder();
  aza_program *p;
  aza_facts *f = NULL;
  aza_eval_arena *a = NULL;
  aza_eval_result r;
  aza_action act;
  aza_rule_info ri;
  aza_program_info pi;
  uint32_t weight, tpmt, wbc, flag, names[2], first, kind, msg;
  size_t len;
  CHECK(aza_builder_meta(b, "fixture", "2026.1", "abc123", NULL) == AZA_OK);
  weight = SLOT(b, AZA_FACT_NUM, "weight");
  tpmt = SLOT(b, AZA_FACT_STR, "tpmt.phenotype");
  wbc = SLOT(b, AZA_FACT_NUM, "wbc");
  flag = SLOT(b, AZA_FACT_BOOL, "flag");
  CHECK(aza_builder_require(b, weight, NULL) == AZA_OK);
  /* rule 0: need_data{"tpmt", "weight"} when flag */
  names[0] = S(b, "tpmt");
  names[1] = S(b, "weight");
  CHECK(aza_builder_list(b, names, 2, &first, NULL) == AZA_OK);
  BEGIN(b, "ask", 0);
  I(b, AZA_OP_BOOL, 0, flag, 0);
  memset(&act, 0, sizeof act);
  act.type = AZA_ACT_NEED_DATA;
  act.str = act.str2 = AZA_NONE;
  act.list = first;
  act.nlist = 2;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  END(b);
  /* rule 1: wbc < 3.5 and tpmt == "poor", REQUIRE: unknown asks for both */
  BEGIN(b, "low", AZA_RULE_REQUIRE);
  I(b, AZA_OP_NUM, 0, wbc, 0);
  I(b, AZA_OP_CONST, 0, K(b, 3.5), 0);
  I(b, AZA_OP_CMP, AZA_LT, 0, 0);
  I(b, AZA_OP_STR, 0, tpmt, 0);
  I(b, AZA_OP_SCONST, 0, S(b, "poor"), 0);
  I(b, AZA_OP_SCMP, AZA_EQ, 0, 0);
  I(b, AZA_OP_AND, 0, 0, 0);
  memset(&act, 0, sizeof act);
  kind = S(b, "lab");
  msg = S(b, "white cells low");
  act.type = AZA_ACT_ALERT;
  act.sub = AZA_SEVERITY_CRITICAL;
  act.str = kind;
  act.str2 = msg;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  ACT(b, AZA_ACT_WITHHOLD);
  ACT(b, AZA_ACT_COUNSEL);
  ACT(b, AZA_ACT_MONITOR);
  ACT(b, AZA_ACT_CAP);
  END(b);
  p = finish(b);
  aza_program_info_get(p, &pi);
  CHECK_STR(pi.id, "fixture");
  CHECK_STR(pi.version, "2026.1");
  CHECK_STR(pi.hash, "abc123");
  CHECK(pi.nrules == 2 && pi.nslots == 4 && pi.nrequired == 1);
  CHECK(pi.stack_max == 3);
  CHECK(aza_program_find_string(p, "poor", 4) != AZA_NONE);
  CHECK_STR(aza_program_string(p, aza_program_find_string(p, "poor", 4), &len),
            "poor");
  CHECK(len == 4);
  CHECK(aza_program_find_string(p, "rich", 4) == AZA_NONE);
  CHECK(aza_program_string(p, 99999, &len) == NULL);
  CHECK(aza_program_rule(p, 1, &ri) == AZA_OK);
  CHECK(ri.nslots == 2 && ri.slots[0] == wbc && ri.slots[1] == tpmt);
  CHECK(ri.nactions == 5 && ri.actions[0].type == AZA_ACT_ALERT);
  CHECK(ri.flags == AZA_RULE_REQUIRE);
  CHECK(aza_program_rule(p, 2, &ri) == AZA_EARG);
  CHECK(aza_program_required(p, 0) == weight);
  CHECK(aza_program_required(p, 1) == AZA_NONE);
  CHECK(aza_program_list_item(p, first + 1) == names[1]);
  CHECK(aza_facts_create(p, NULL, NULL, &f, NULL) == AZA_OK);
  CHECK(aza_eval_arena_create(p, NULL, NULL, &a, NULL) == AZA_OK);
  /* nothing known: weight required, rule 1 unknown asks wbc and tpmt */
  CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.decision == AZA_DECIDE_NEED_DATA);
  CHECK(r.decision_rule == AZA_NONE);
  CHECK(r.nneed == 3);
  CHECK(r.need[0] == names[1]);
  CHECK_STR(aza_program_string(p, r.need[1], NULL), "wbc");
  CHECK_STR(aza_program_string(p, r.need[2], NULL), "tpmt.phenotype");
  /* flag: rule 0 asks tpmt and weight again: no duplicates */
  CHECK(aza_facts_set_bool(f, flag, 1, NULL) == AZA_OK);
  CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.nneed == 4);
  CHECK(r.need[1] == names[0]);
  CHECK(r.nfired == 1 && r.fired[0].rule == 0);
  /* all known, rule 1 true: withhold, alert, counsel, monitor, cap */
  CHECK(aza_facts_set_bool(f, flag, 0, NULL) == AZA_OK);
  CHECK(aza_facts_set_num(f, weight, 70, NULL) == AZA_OK);
  CHECK(aza_facts_set_num(f, wbc, 3, NULL) == AZA_OK);
  CHECK(aza_facts_set_str(f, tpmt,
                          (int32_t)aza_program_find_string(p, "poor", 4),
                          NULL) == AZA_OK);
  CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.decision == AZA_DECIDE_WITHHOLD && r.decision_rule == 1);
  CHECK(r.nneed == 0);
  CHECK(r.nfired == 5);
  CHECK(r.nalerts == 1 && r.fired[r.alerts[0]].action == 0);
  CHECK(r.ncounsel == 1 && r.fired[r.counsel[0]].action == 2);
  CHECK(r.nmonitor == 1 && r.fired[r.monitor[0]].action == 3);
  CHECK(r.nmodifiers == 1 && r.fired[r.modifiers[0]].action == 4);
  /* wbc fine: rule 1 false (and with F), nothing asked */
  CHECK(aza_facts_set_num(f, wbc, 5, NULL) == AZA_OK);
  aza_facts_clear(f);
  CHECK(aza_facts_set_num(f, weight, 70, NULL) == AZA_OK);
  CHECK(aza_facts_set_num(f, wbc, 5, NULL) == AZA_OK);
  CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.outcome[1] == AZA_FALSE);
  CHECK(r.decision == AZA_DECIDE_PROCEED && r.nneed == 0 && r.nfired == 0);
  /* wbc known only as < 4 and tpmt poor: rule 1 unknown, asks wbc (a
     precise value), not tpmt; < 3 decides it */
  CHECK(aza_facts_set_bound(f, wbc, 4, AZA_LT, NULL) == AZA_OK);
  CHECK(aza_facts_set_str(f, tpmt,
                          (int32_t)aza_program_find_string(p, "poor", 4),
                          NULL) == AZA_OK);
  CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.outcome[1] == AZA_UNKNOWN && r.decision == AZA_DECIDE_NEED_DATA);
  CHECK(r.nneed == 1);
  CHECK_STR(aza_program_string(p, r.need[0], NULL), "wbc");
  CHECK(aza_facts_set_bound(f, wbc, 3, AZA_LT, NULL) == AZA_OK);
  CHECK(aza_eval_run(p, f, a, &r, NULL) == AZA_OK);
  CHECK(r.decision == AZA_DECIDE_WITHHOLD && r.nneed == 0);
  aza_eval_arena_destroy(a);
  aza_facts_destroy(f);
  aza_program_destroy(p);
}

/* }==================================================================== */

/* {====================================================================
** Validation rejects malformed programs
** ===================================================================== */

static aza_builder *one_slot(uint32_t *slot) {
  aza_builder *b = new_builder();
  *slot = SLOT(b, AZA_FACT_NUM, "wbc");
  return b;
}

static void test_validation(void) {
  aza_builder *b;
  aza_err err;
  aza_action act;
  uint32_t s, idx, items[1];
  /* a slot out of range */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_NUM, 0, s + 5, 0);
  I(b, AZA_OP_CONST, 0, K(b, 1), 0);
  I(b, AZA_OP_CMP, AZA_LT, 0, 0);
  END(b);
  reject(b, AZA_EARG, "index out of range");
  /* the wrong slot type */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_BOOL, 0, s, 0);
  END(b);
  reject(b, AZA_EARG, "wrong type");
  /* a constant out of range */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_NUM, 0, s, 0);
  I(b, AZA_OP_CONST, 0, 7, 0);
  I(b, AZA_OP_CMP, AZA_LT, 0, 0);
  END(b);
  reject(b, AZA_EARG, "instruction 1 (const): index out of range");
  /* a bad opcode */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, (aza_opcode)200, 0, 0, 0);
  END(b);
  reject(b, AZA_EARG, "bad opcode");
  /* a bad comparison operator */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_NUM, 0, s, 0);
  I(b, AZA_OP_NUM, 0, s, 0);
  I(b, AZA_OP_CMP, 9, 0, 0);
  END(b);
  reject(b, AZA_EARG, "bad operator");
  /* SCMP takes == and != only */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_SCONST, 0, 0, 0);
  I(b, AZA_OP_SCONST, 0, 0, 0);
  I(b, AZA_OP_SCMP, AZA_LT, 0, 0);
  END(b);
  reject(b, AZA_EARG, "bad operator");
  /* stack underflow */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_AND, 0, 0, 0);
  END(b);
  reject(b, AZA_EARG, "operands missing");
  /* operand of the wrong kind: a number where a truth value is needed */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_NUM, 0, s, 0);
  I(b, AZA_OP_NOT, 0, 0, 0);
  END(b);
  reject(b, AZA_EARG, "wrong kind");
  /* a condition leaving two values, or a number, or nothing */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, AZA_TRUE, 0, 0);
  I(b, AZA_OP_TRUTH, AZA_TRUE, 0, 0);
  END(b);
  reject(b, AZA_EARG, "leaves 2 values");
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_NUM, 0, s, 0);
  END(b);
  reject(b, AZA_EARG, "not one truth value");
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  END(b);
  reject(b, AZA_EARG, "leaves 0 values");
  /* a truth literal out of range */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, 3, 0, 0);
  END(b);
  reject(b, AZA_EARG, "bad operator");
  /* IN over a list range out of bounds */
  b = one_slot(&s);
  items[0] = 0;
  CHECK(aza_builder_list(b, items, 1, &idx, NULL) == AZA_OK);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_SCONST, 0, 0, 0);
  I(b, AZA_OP_IN, 0, idx, 2);
  END(b);
  reject(b, AZA_EARG, "index out of range");
  /* SET_HAS with a string out of range */
  b = new_builder();
  s = SLOT(b, AZA_FACT_SET, "taking");
  BEGIN(b, "r", 0);
  I(b, AZA_OP_SET_HAS, 0, s, 4000);
  END(b);
  reject(b, AZA_EARG, "index out of range");
  /* a list item that is no string */
  b = one_slot(&s);
  items[0] = 77;
  CHECK(aza_builder_list(b, items, 1, &idx, NULL) == AZA_OK);
  reject(b, AZA_EARG, "list item");
  /* a required slot out of range */
  b = one_slot(&s);
  CHECK(aza_builder_require(b, 9, NULL) == AZA_OK);
  reject(b, AZA_EARG, "required slot");
  /* a slot of no type, a slot named by no string */
  b = new_builder();
  CHECK(aza_builder_slot(b, (aza_fact_type)17, S(b, "x"), &idx, NULL) ==
        AZA_OK);
  reject(b, AZA_EARG, "bad type");
  b = new_builder();
  CHECK(aza_builder_slot(b, AZA_FACT_NUM, 55, &idx, NULL) == AZA_OK);
  reject(b, AZA_EARG, "name out of range");
  /* a rule id or citation out of range, unknown flags */
  b = one_slot(&s);
  CHECK(aza_builder_rule_begin(b, 999, AZA_NONE, 0, NULL) == AZA_OK);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  END(b);
  reject(b, AZA_EARG, "id or citation");
  b = one_slot(&s);
  BEGIN(b, "r", 8);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  END(b);
  reject(b, AZA_EARG, "unknown flags");
  /* actions with bad parameters */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  memset(&act, 0, sizeof act);
  act.type = AZA_ACT_REDUCE;
  act.sub = AZA_REDUCE_FRACTION;
  act.str = act.str2 = AZA_NONE;
  act.has = 1;
  act.p[0] = 1.5;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  END(b);
  reject(b, AZA_EARG, "bad parameters");
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  act.type = AZA_ACT_ALERT;
  act.sub = 7;
  act.has = 0;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  END(b);
  reject(b, AZA_EARG, "bad parameters");
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  act.type = AZA_ACT_MONITOR;
  act.sub = 0;
  act.has = 1;
  act.p[0] = NAN;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  END(b);
  reject(b, AZA_EARG, "bad parameters");
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  act.type = 99;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  END(b);
  reject(b, AZA_EARG, "bad parameters");
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  I(b, AZA_OP_TRUTH, 1, 0, 0);
  memset(&act, 0, sizeof act);
  act.type = AZA_ACT_COUNSEL;
  act.str = 1234;
  act.str2 = AZA_NONE;
  CHECK(aza_builder_action(b, &act, NULL) == AZA_OK);
  END(b);
  reject(b, AZA_EARG, "bad parameters");
  /* too deep */
  b = one_slot(&s);
  BEGIN(b, "r", 0);
  for (idx = 0; idx <= AZA_EVAL_STACK_MAX; idx++) {
    I(b, AZA_OP_TRUTH, 1, 0, 0);
  }
  END(b);
  reject(b, AZA_ETOOBIG, "deeper");
  /* builder state errors */
  b = one_slot(&s);
  CHECK(aza_builder_insn(b, AZA_OP_NOT, 0, 0, 0, &err) == AZA_EARG);
  CHECK(aza_builder_rule_end(b, &err) == AZA_EARG);
  CHECK(aza_builder_action(b, &act, &err) == AZA_EARG);
  CHECK(aza_builder_const(b, NAN, &idx, &err) == AZA_EVALUE);
  CHECK(aza_builder_rule_begin(b, 0, AZA_NONE, 0, NULL) == AZA_OK);
  CHECK(aza_builder_rule_begin(b, 0, AZA_NONE, 0, &err) == AZA_EARG);
  reject(b, AZA_EARG, "not ended");
  CHECK(aza_builder_create(NULL, NULL, NULL, &err) == AZA_EARG);
  CHECK(aza_builder_finish(NULL, NULL, &err) == AZA_EARG);
  aza_builder_destroy(NULL);
  aza_program_destroy(NULL);
  aza_facts_destroy(NULL);
  aza_eval_arena_destroy(NULL);
}

/* facts and arenas belong to one program */
static void test_mismatch(void) {
  aza_builder *b1 = new_builder(), *b2 = new_builder();
  aza_program *p1, *p2;
  aza_facts *f = NULL;
  aza_eval_arena *a = NULL;
  aza_eval_result r;
  aza_err err;
  BEGIN(b1, "r", 0);
  I(b1, AZA_OP_TRUTH, 1, 0, 0);
  END(b1);
  BEGIN(b2, "r", 0);
  I(b2, AZA_OP_TRUTH, 0, 0, 0);
  END(b2);
  p1 = finish(b1);
  p2 = finish(b2);
  CHECK(aza_facts_create(p1, NULL, NULL, &f, NULL) == AZA_OK);
  CHECK(aza_eval_arena_create(p2, NULL, NULL, &a, NULL) == AZA_OK);
  CHECK(aza_eval_run(p1, f, a, &r, &err) == AZA_EARG);
  CHECK_CONTAINS(err.msg, "another program");
  CHECK(aza_eval_run(p1, NULL, a, &r, &err) == AZA_EARG);
  aza_eval_arena_destroy(a);
  aza_facts_destroy(f);
  aza_program_destroy(p1);
  aza_program_destroy(p2);
}

/* }==================================================================== */

/* {====================================================================
** Zero allocations while evaluating; determinism; allocation failures
** ===================================================================== */

/* a bigger program: many interned strings, rules over every opcode */
static aza_program *build_big(aza_alloc_fn fn, void *ud, aza_status *st) {
  aza_builder *b = NULL;
  aza_program *p = NULL;
  uint32_t wbc, pheno, meds, date, ser, flag, i, first, items[3];
  char name[32];
  aza_action act;
  *st = aza_builder_create(fn, ud, &b, NULL);
  if (*st != AZA_OK) {
    return NULL;
  }
#define T_(call)                                                               \
  if ((*st = (call)) != AZA_OK) {                                              \
    aza_builder_destroy(b);                                                    \
    return NULL;                                                               \
  }
  T_(aza_builder_meta(b, "big", "1", "h", NULL));
  T_(aza_builder_string(b, "wbc", 3, &i, NULL));
  T_(aza_builder_slot(b, AZA_FACT_NUM, i, &wbc, NULL));
  T_(aza_builder_slot(b, AZA_FACT_STR, i, &pheno, NULL));
  T_(aza_builder_slot(b, AZA_FACT_SET, i, &meds, NULL));
  T_(aza_builder_slot(b, AZA_FACT_DATE, i, &date, NULL));
  T_(aza_builder_slot(b, AZA_FACT_SERIES, i, &ser, NULL));
  T_(aza_builder_slot(b, AZA_FACT_BOOL, i, &flag, NULL));
  T_(aza_builder_require(b, wbc, NULL));
  for (i = 0; i < 200; i++) {
    uint32_t id, k, sidx;
    snprintf(name, sizeof name, "rule-%u", (unsigned)i);
    T_(aza_builder_string(b, name, strlen(name), &id, NULL));
    snprintf(name, sizeof name, "word-%u", (unsigned)(i % 50));
    T_(aza_builder_string(b, name, strlen(name), &sidx, NULL));
    items[0] = sidx;
    items[1] = id;
    items[2] = 0;
    T_(aza_builder_list(b, items, 3, &first, NULL));
    T_(aza_builder_const(b, (double)(i % 13), &k, NULL));
    T_(aza_builder_rule_begin(b, id, sidx, i % 3 == 0 ? AZA_RULE_REQUIRE : 0,
                              NULL));
    T_(aza_builder_insn(b, AZA_OP_NUM, 0, wbc, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_CONST, 0, k, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_CMP, i % 6, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_STR, 0, pheno, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_IN, 0, first, 3, NULL));
    T_(aza_builder_insn(b, i % 2 ? AZA_OP_AND : AZA_OP_OR, 0, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_SET_HAS, 0, meds, sidx, NULL));
    T_(aza_builder_insn(b, AZA_OP_OR, 0, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_CONST, 0, k, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_RISE_PERCENT, 0, ser, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_WEEKS_SINCE, 0, date, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_RATIO, 0, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_CONST, 0, k, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_CMP, AZA_GT, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_BOOL, 0, flag, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_TCMP, AZA_NE, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_AND, 0, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_KNOWN, 0, flag, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_NOT, 0, 0, 0, NULL));
    T_(aza_builder_insn(b, AZA_OP_OR, 0, 0, 0, NULL));
    memset(&act, 0, sizeof act);
    act.type = (uint8_t)(i % AZA_ACT_TYPE_COUNT);
    act.str = act.str2 = AZA_NONE;
    act.has = 1;
    act.p[0] = 0.5;
    act.list = first;
    act.nlist = 3;
    T_(aza_builder_action(b, &act, NULL));
    T_(aza_builder_rule_end(b, NULL));
  }
  *st = aza_builder_finish(b, &p, NULL);
  aza_builder_destroy(b);
#undef T_
  return p;
}

static unsigned rnd(unsigned *seed) {
  *seed = *seed * 1103515245u + 12345u;
  return (*seed >> 16) & 0x7fff;
}

/* fill facts from a small deterministic generator */
static void random_facts(aza_facts *f, const aza_program *p, unsigned *seed) {
  uint32_t s, n, i;
  aza_program_info pi;
  aza_program_info_get(p, &pi);
  aza_facts_clear(f);
#define RND() rnd(seed)
  if (RND() % 4) {
    aza_facts_set_as_of(f, 1000 + RND() % 400, NULL);
  }
  for (s = 0; s < pi.nslots; s++) {
    aza_fact_type t;
    aza_program_slot(p, s, &t, NULL);
    if (RND() % 5 == 0) {
      continue;
    }
    switch (t) {
    case AZA_FACT_NUM:
      aza_facts_set_num(f, s, (double)(RND() % 140) / 10.0, NULL);
      break;
    case AZA_FACT_STR:
      aza_facts_set_str(f, s, (int32_t)(RND() % pi.nstrings) - 3, NULL);
      break;
    case AZA_FACT_BOOL:
      aza_facts_set_bool(f, s, (int)(RND() & 1), NULL);
      break;
    case AZA_FACT_DATE:
      aza_facts_set_date(f, s, 900 + RND() % 400, NULL);
      break;
    case AZA_FACT_SET:
      aza_facts_set_empty(f, s, NULL);
      n = RND() % 6;
      for (i = 0; i < n; i++) {
        aza_facts_set_add(f, s, RND() % pi.nstrings, NULL);
      }
      break;
    case AZA_FACT_SERIES:
      n = RND() % 8;
      for (i = 0; i < n; i++) {
        double day = 900 + RND() % 500;
        aza_facts_series_add(f, s, day, 50 + RND() % 100, NULL);
      }
      break;
    default:
      break;
    }
  }
#undef RND
}

/* a digest of everything in a result (FNV over the values, no pointers) */
static uint32_t digest(const aza_eval_result *r) {
  uint32_t h = 2166136261u, i;
#define MIX(v) (h = (h ^ (uint32_t)(v)) * 16777619u)
  MIX(r->decision);
  MIX(r->decision_rule);
  for (i = 0; i < r->nrules; i++) {
    MIX(r->outcome[i]);
  }
  for (i = 0; i < r->nfired; i++) {
    MIX(r->fired[i].rule);
    MIX(r->fired[i].action);
  }
  for (i = 0; i < r->nneed; i++) {
    MIX(r->need[i]);
  }
  MIX(r->nalerts);
  MIX(r->nmodifiers);
  MIX(r->ncounsel);
  MIX(r->nmonitor);
#undef MIX
  return h;
}

static void test_no_alloc_and_determinism(void) {
  counter c;
  aza_status st;
  aza_program *p, *p2;
  aza_facts *f = NULL;
  aza_eval_arena *a = NULL, *a2 = NULL;
  aza_eval_result r, r2;
  unsigned seed = 42, seed2;
  int i, same = 1, ok = 1, varied = 0;
  uint32_t first = 0;
  memset(&c, 0, sizeof c);
  p = build_big(count_alloc, &c, &st);
  CHECK(st == AZA_OK && p != NULL);
  CHECK(c.live > 0);
  CHECK(aza_facts_create(p, count_alloc, &c, &f, NULL) == AZA_OK);
  CHECK(aza_eval_arena_create(p, count_alloc, &c, &a, NULL) == AZA_OK);
  CHECK(aza_eval_arena_create(p, count_alloc, &c, &a2, NULL) == AZA_OK);
  c.allocs = c.frees = 0;
  for (i = 0; i < 5000; i++) {
    random_facts(f, p, &seed);
    ok &= aza_eval_run(p, f, a, &r, NULL) == AZA_OK;
    ok &= aza_eval_run(p, f, a2, &r2, NULL) == AZA_OK;
    same &= digest(&r) == digest(&r2);
    if (i == 0) {
      first = digest(&r);
    } else if (digest(&r) != first) {
      varied = 1;
    }
  }
  CHECK(ok);
  CHECK(c.allocs == 0);
  CHECK(c.frees == 0);
  CHECK(same);
  CHECK(varied);
  /* a second program built the same way gives the same results */
  seed2 = 42;
  p2 = build_big(NULL, NULL, &st);
  CHECK(st == AZA_OK);
  {
    aza_facts *f2 = NULL;
    aza_eval_arena *a3 = NULL;
    CHECK(aza_facts_create(p2, NULL, NULL, &f2, NULL) == AZA_OK);
    CHECK(aza_eval_arena_create(p2, NULL, NULL, &a3, NULL) == AZA_OK);
    seed = 42;
    same = 1;
    for (i = 0; i < 500; i++) {
      random_facts(f, p, &seed);
      random_facts(f2, p2, &seed2);
      aza_eval_run(p, f, a, &r, NULL);
      aza_eval_run(p2, f2, a3, &r2, NULL);
      same &= digest(&r) == digest(&r2);
    }
    CHECK(same);
    aza_eval_arena_destroy(a3);
    aza_facts_destroy(f2);
  }
  aza_program_destroy(p2);
  aza_eval_arena_destroy(a);
  aza_eval_arena_destroy(a2);
  aza_facts_destroy(f);
  aza_program_destroy(p);
  CHECK(c.live == 0);
}

/* every allocation failing in turn: an error, never a leak or a crash */
static void test_alloc_failures(void) {
  counter c;
  aza_status st;
  aza_program *p;
  long n;
  int saw_nomem = 0;
  for (n = 1;; n++) {
    memset(&c, 0, sizeof c);
    c.fail_at = n;
    p = build_big(count_alloc, &c, &st);
    if (st == AZA_ENOMEM) {
      saw_nomem = 1;
    }
    if (p != NULL) {
      aza_facts *f = NULL;
      aza_eval_arena *a = NULL;
      aza_status s1 = aza_facts_create(p, count_alloc, &c, &f, NULL);
      aza_status s2 = aza_eval_arena_create(p, count_alloc, &c, &a, NULL);
      aza_facts_destroy(f);
      aza_eval_arena_destroy(a);
      aza_program_destroy(p);
      CHECK(c.live == 0);
      if (st == AZA_OK && s1 == AZA_OK && s2 == AZA_OK && c.allocs < n) {
        break; /* no allocation left to fail */
      }
    } else {
      CHECK(st == AZA_ENOMEM);
      CHECK(c.live == 0);
    }
    if (n > 100000) {
      CHECK(0);
      break;
    }
  }
  CHECK(saw_nomem);
}

/* {====================================================================
** One program, several threads, each with its own facts and arena
** ===================================================================== */

#if defined(AZA_TEST_THREADS)

#define NTHREADS 4
#define NRUNS    2000

typedef struct job {
  const aza_program *p;
  unsigned seed;
  uint32_t digests[NRUNS];
  int ok;
} job;

static void *thread_main(void *arg) {
  job *j = (job *)arg;
  aza_facts *f = NULL;
  aza_eval_arena *a = NULL;
  aza_eval_result r;
  int i;
  j->ok = aza_facts_create(j->p, NULL, NULL, &f, NULL) == AZA_OK &&
          aza_eval_arena_create(j->p, NULL, NULL, &a, NULL) == AZA_OK;
  for (i = 0; i < NRUNS && j->ok; i++) {
    random_facts(f, j->p, &j->seed);
    j->ok = aza_eval_run(j->p, f, a, &r, NULL) == AZA_OK;
    j->digests[i] = digest(&r);
  }
  aza_eval_arena_destroy(a);
  aza_facts_destroy(f);
  return NULL;
}

static void test_threads(void) {
  static job jobs[NTHREADS + 1];
  pthread_t th[NTHREADS];
  aza_status st;
  aza_program *p = build_big(NULL, NULL, &st);
  int i, started[NTHREADS];
  CHECK(st == AZA_OK);
  /* the same seed everywhere: every thread must match the serial run */
  for (i = 0; i <= NTHREADS; i++) {
    jobs[i].p = p;
    jobs[i].seed = 7;
  }
  thread_main(&jobs[NTHREADS]);
  CHECK(jobs[NTHREADS].ok);
  for (i = 0; i < NTHREADS; i++) {
    started[i] = pthread_create(&th[i], NULL, thread_main, &jobs[i]) == 0;
    CHECK(started[i]);
  }
  for (i = 0; i < NTHREADS; i++) {
    if (started[i]) {
      pthread_join(th[i], NULL);
      CHECK(jobs[i].ok);
      CHECK(memcmp(jobs[i].digests, jobs[NTHREADS].digests,
                   sizeof jobs[i].digests) == 0);
    }
  }
  aza_program_destroy(p);
}

#endif

/* }==================================================================== */

int main(void) {
  test_kleene();
  test_opcodes();
  test_lattice();
  test_actions_need();
  test_validation();
  test_mismatch();
  test_no_alloc_and_determinism();
  test_alloc_failures();
#if defined(AZA_TEST_THREADS)
  test_threads();
#endif
  return tap_done("test_eval");
}
