/*
** aza_eval.c
** Facts, the evaluation arena and the evaluator of a compiled rule
** program (aza_program.c builds it). See aza_eval.h for the model.
** Memory: facts and arena allocate through the caller's hook;
** aza_eval_run allocates nothing.
*/
#include <math.h>
#include <string.h>

#include "aza_eval_int.h"

/* {====================================================================
** Facts
** ===================================================================== */

typedef struct fslot {
  double v;  /* NUM, DATE; BOOL as 0/1 */
  int32_t s; /* STR */
  uint8_t known;
  uint8_t bound; /* NUM: AZAI_BOUND_*, the value is a censored bound */
} fslot;

struct aza_facts {
  const aza_program *p;
  allocator al;
  double as_of;
  int as_of_known;
  fslot *slots;
  uint32_t *setbits;   /* nsets * setwords */
  uint32_t *nseries;   /* readings per series */
  double *sday, *sval; /* nseries * AZA_SERIES_MAX */
};

static size_t setbits_size(const aza_program *p) {
  return (size_t)p->nsets * p->setwords * sizeof(uint32_t);
}

static size_t series_size(const aza_program *p) {
  return (size_t)p->nseries * AZA_SERIES_MAX * sizeof(double);
}

void aza_facts_destroy(aza_facts *f) {
  allocator al;
  const aza_program *p;
  if (f == NULL) {
    return;
  }
  al = f->al;
  p = f->p;
  azai_mem_free(&al, f->slots, (size_t)p->nslots * sizeof(fslot));
  azai_mem_free(&al, f->setbits, setbits_size(p));
  azai_mem_free(&al, f->nseries, (size_t)p->nseries * sizeof(uint32_t));
  azai_mem_free(&al, f->sday, series_size(p));
  azai_mem_free(&al, f->sval, series_size(p));
  azai_mem_free(&al, f, sizeof *f);
}

aza_status aza_facts_create(const aza_program *p, aza_alloc_fn alloc, void *ud,
                            aza_facts **out, aza_err *err) {
  aza_facts *f;
  allocator al;
  if (p == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to facts_create");
  }
  *out = NULL;
  al.fn = alloc != NULL ? alloc : azai_default_alloc;
  al.ud = alloc != NULL ? ud : NULL;
  f = (aza_facts *)azai_mem_alloc(&al, sizeof *f);
  if (f == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  memset(f, 0, sizeof *f);
  f->p = p;
  f->al = al;
  f->slots = (fslot *)azai_mem_alloc(&al, (size_t)p->nslots * sizeof(fslot));
  f->setbits = (uint32_t *)azai_mem_alloc(&al, setbits_size(p));
  f->nseries =
      (uint32_t *)azai_mem_alloc(&al, (size_t)p->nseries * sizeof(uint32_t));
  f->sday = (double *)azai_mem_alloc(&al, series_size(p));
  f->sval = (double *)azai_mem_alloc(&al, series_size(p));
  if (f->slots == NULL || f->setbits == NULL || f->nseries == NULL ||
      f->sday == NULL || f->sval == NULL) {
    aza_facts_destroy(f);
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  aza_facts_clear(f);
  *out = f;
  return AZA_OK;
}

void aza_facts_clear(aza_facts *f) {
  const aza_program *p;
  if (f == NULL) {
    return;
  }
  p = f->p;
  f->as_of = 0;
  f->as_of_known = 0;
  if (p->nslots > 0) {
    memset(f->slots, 0, (size_t)p->nslots * sizeof(fslot));
  }
  if (p->nseries > 0) {
    memset(f->nseries, 0, (size_t)p->nseries * sizeof(uint32_t));
  }
}

static aza_status check_slot(const aza_facts *f, uint32_t slot, aza_fact_type t,
                             aza_err *err) {
  if (f == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no facts");
  }
  if (slot >= f->p->nslots) {
    return aza_err_set(err, AZA_EARG, 0, "slot %lu out of range",
                       (unsigned long)slot);
  }
  if (f->p->slot_type[slot] != t) {
    return aza_err_set(err, AZA_EARG, 0, "slot %lu is not of that type",
                       (unsigned long)slot);
  }
  return AZA_OK;
}

aza_status aza_facts_set_as_of(aza_facts *f, double day, aza_err *err) {
  if (f == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no facts");
  }
  if (!isfinite(day)) {
    return aza_err_set(err, AZA_EVALUE, 0, "as_of not finite");
  }
  f->as_of = day;
  f->as_of_known = 1;
  return AZA_OK;
}

static aza_status set_value(aza_facts *f, uint32_t slot, aza_fact_type t,
                            double v, int32_t s, aza_err *err) {
  aza_status st = check_slot(f, slot, t, err);
  if (st != AZA_OK) {
    return st;
  }
  if (!isfinite(v)) {
    return aza_err_set(err, AZA_EVALUE, 0, "value of slot %lu not finite",
                       (unsigned long)slot);
  }
  f->slots[slot].v = v;
  f->slots[slot].s = s;
  f->slots[slot].known = 1;
  f->slots[slot].bound = AZAI_BOUND_EXACT;
  return AZA_OK;
}

aza_status aza_facts_set_num(aza_facts *f, uint32_t slot, double v,
                             aza_err *err) {
  return set_value(f, slot, AZA_FACT_NUM, v, 0, err);
}

aza_status aza_facts_set_bound(aza_facts *f, uint32_t slot, double v,
                               aza_cmp_op op, aza_err *err) {
  aza_status st;
  if (op != AZA_LT && op != AZA_LE && op != AZA_GT && op != AZA_GE) {
    return aza_err_set(err, AZA_EARG, 0,
                       "bound operator %d not <, <=, >, >=", (int)op);
  }
  st = set_value(f, slot, AZA_FACT_NUM, v, 0, err);
  if (st == AZA_OK) {
    f->slots[slot].bound = (uint8_t)(1u + (unsigned)op);
  }
  return st;
}

aza_status aza_facts_set_str(aza_facts *f, uint32_t slot, int32_t s,
                             aza_err *err) {
  if (f != NULL && s >= 0 && (uint32_t)s >= f->p->nstrings) {
    return aza_err_set(err, AZA_EARG, 0, "string %ld out of range", (long)s);
  }
  return set_value(f, slot, AZA_FACT_STR, 0, s, err);
}

aza_status aza_facts_set_bool(aza_facts *f, uint32_t slot, int v,
                              aza_err *err) {
  return set_value(f, slot, AZA_FACT_BOOL, v ? 1 : 0, 0, err);
}

aza_status aza_facts_set_date(aza_facts *f, uint32_t slot, double day,
                              aza_err *err) {
  return set_value(f, slot, AZA_FACT_DATE, day, 0, err);
}

aza_status aza_facts_set_empty(aza_facts *f, uint32_t slot, aza_err *err) {
  aza_status st = check_slot(f, slot, AZA_FACT_SET, err);
  if (st != AZA_OK) {
    return st;
  }
  if (f->p->setwords > 0) {
    memset(f->setbits + (size_t)f->p->slot_sub[slot] * f->p->setwords, 0,
           f->p->setwords * sizeof(uint32_t));
  }
  f->slots[slot].known = 1;
  return AZA_OK;
}

aza_status aza_facts_set_add(aza_facts *f, uint32_t slot, uint32_t s,
                             aza_err *err) {
  uint32_t *w;
  aza_status st = check_slot(f, slot, AZA_FACT_SET, err);
  if (st != AZA_OK) {
    return st;
  }
  if (s >= f->p->nstrings) {
    return aza_err_set(err, AZA_EARG, 0, "string %lu out of range",
                       (unsigned long)s);
  }
  if (!f->slots[slot].known) {
    aza_facts_set_empty(f, slot, NULL);
  }
  w = f->setbits + (size_t)f->p->slot_sub[slot] * f->p->setwords;
  w[s / 32] |= 1u << (s % 32);
  return AZA_OK;
}

aza_status aza_facts_series_add(aza_facts *f, uint32_t slot, double day,
                                double v, aza_err *err) {
  uint32_t k, *n;
  aza_status st = check_slot(f, slot, AZA_FACT_SERIES, err);
  if (st != AZA_OK) {
    return st;
  }
  if (!isfinite(day) || !isfinite(v)) {
    return aza_err_set(err, AZA_EVALUE, 0, "reading of slot %lu not finite",
                       (unsigned long)slot);
  }
  k = f->p->slot_sub[slot];
  n = &f->nseries[k];
  if (*n >= AZA_SERIES_MAX) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "slot %lu: more than %d readings",
                       (unsigned long)slot, AZA_SERIES_MAX);
  }
  f->sday[(size_t)k * AZA_SERIES_MAX + *n] = day;
  f->sval[(size_t)k * AZA_SERIES_MAX + *n] = v;
  (*n)++;
  f->slots[slot].known = 1;
  return AZA_OK;
}

int aza_facts_known(const aza_facts *f, uint32_t slot) {
  if (f == NULL || slot >= f->p->nslots) {
    return 0;
  }
  return f->slots[slot].known;
}

/* }==================================================================== */

/* {====================================================================
** Evaluation
** ===================================================================== */

typedef struct cell {
  double n;
  int32_t s;
  uint8_t t; /* aza_truth (T); known flag for N and S */
  uint8_t b; /* N: AZAI_BOUND_* */
} cell;

struct aza_eval_arena {
  const aza_program *p;
  allocator al;
  cell *stack;      /* stack_max */
  uint8_t *outcome; /* nrules */
  aza_fired *fired; /* nactions */
  uint32_t *groups; /* 4 * nactions: alerts, modifiers, counsel, monitor */
  uint32_t *need;   /* nstrings */
  uint32_t *mark;   /* setwords: names already in need */
};

static size_t arena_sizes(const aza_program *p, size_t sz[6]) {
  sz[0] = ((size_t)p->stack_max + 1) * sizeof(cell);
  sz[1] = (size_t)p->nrules + 1;
  sz[2] = ((size_t)p->nactions + 1) * sizeof(aza_fired);
  sz[3] = ((size_t)p->nactions * 4 + 1) * sizeof(uint32_t);
  sz[4] = ((size_t)p->nstrings + 1) * sizeof(uint32_t);
  sz[5] = ((size_t)p->setwords + 1) * sizeof(uint32_t);
  return 6;
}

void aza_eval_arena_destroy(aza_eval_arena *a) {
  size_t sz[6];
  allocator al;
  if (a == NULL) {
    return;
  }
  al = a->al;
  arena_sizes(a->p, sz);
  azai_mem_free(&al, a->stack, sz[0]);
  azai_mem_free(&al, a->outcome, sz[1]);
  azai_mem_free(&al, a->fired, sz[2]);
  azai_mem_free(&al, a->groups, sz[3]);
  azai_mem_free(&al, a->need, sz[4]);
  azai_mem_free(&al, a->mark, sz[5]);
  azai_mem_free(&al, a, sizeof *a);
}

aza_status aza_eval_arena_create(const aza_program *p, aza_alloc_fn alloc,
                                 void *ud, aza_eval_arena **out, aza_err *err) {
  aza_eval_arena *a;
  allocator al;
  size_t sz[6];
  if (p == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to arena_create");
  }
  *out = NULL;
  al.fn = alloc != NULL ? alloc : azai_default_alloc;
  al.ud = alloc != NULL ? ud : NULL;
  a = (aza_eval_arena *)azai_mem_alloc(&al, sizeof *a);
  if (a == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  memset(a, 0, sizeof *a);
  a->p = p;
  a->al = al;
  arena_sizes(p, sz);
  a->stack = (cell *)azai_mem_alloc(&al, sz[0]);
  a->outcome = (uint8_t *)azai_mem_alloc(&al, sz[1]);
  a->fired = (aza_fired *)azai_mem_alloc(&al, sz[2]);
  a->groups = (uint32_t *)azai_mem_alloc(&al, sz[3]);
  a->need = (uint32_t *)azai_mem_alloc(&al, sz[4]);
  a->mark = (uint32_t *)azai_mem_alloc(&al, sz[5]);
  if (a->stack == NULL || a->outcome == NULL || a->fired == NULL ||
      a->groups == NULL || a->need == NULL || a->mark == NULL) {
    aza_eval_arena_destroy(a);
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  memset(a->mark, 0, sz[5]);
  *out = a;
  return AZA_OK;
}

static uint8_t kleene_and(uint8_t x, uint8_t y) {
  if (x == AZA_FALSE || y == AZA_FALSE) {
    return AZA_FALSE;
  }
  if (x == AZA_TRUE && y == AZA_TRUE) {
    return AZA_TRUE;
  }
  return AZA_UNKNOWN;
}

static uint8_t kleene_or(uint8_t x, uint8_t y) {
  if (x == AZA_TRUE || y == AZA_TRUE) {
    return AZA_TRUE;
  }
  if (x == AZA_FALSE && y == AZA_FALSE) {
    return AZA_FALSE;
  }
  return AZA_UNKNOWN;
}

static uint8_t cmp_num(unsigned op, double x, double y) {
  int r;
  switch (op) {
  case AZA_LT:
    r = x < y;
    break;
  case AZA_LE:
    r = x <= y;
    break;
  case AZA_GT:
    r = x > y;
    break;
  case AZA_GE:
    r = x >= y;
    break;
  case AZA_EQ:
    r = x == y;
    break;
  default:
    r = x != y;
    break;
  }
  return r ? AZA_TRUE : AZA_FALSE;
}

/*
** Computed percentages are rounded to 1e-9 % (half away from zero) before
** they are compared: (88.4 - 68) / 68 * 100 is 30.000000000000014 in
** doubles, and "a rise of more than 30 %" must not fire on an exact 30 %.
** The reference evaluator (spec/support/reference_eval.lua) rounds alike.
*/
static double round_1e9(double x) {
  double y = x * 1e9;
  return (y >= 0 ? floor(y + 0.5) : -floor(-y + 0.5)) / 1e9;
}

/*
** The percent rise of the latest reading over the lowest among readings
** dated within [as_of - window, as_of] (the later of two on the same day
** is the latest), rounded to 1e-9 %. Known (1) only with two readings or
** more in the window and a positive lowest: one reading shows no change.
*/
int aza_rise_percent(const double *day, const double *val, size_t n,
                     double as_of, double window, double *out) {
  double lo = 0, latest = 0, latest_day = 0, r;
  size_t i, in = 0;
  for (i = 0; i < n; i++) {
    if (day[i] > as_of || day[i] < as_of - window) {
      continue;
    }
    if (in == 0 || val[i] < lo) {
      lo = val[i];
    }
    if (in == 0 || day[i] >= latest_day) {
      latest_day = day[i];
      latest = val[i];
    }
    in++;
  }
  if (in < 2 || !(lo > 0)) {
    return 0;
  }
  r = round_1e9((latest - lo) / lo * 100.0);
  if (!isfinite(r)) {
    return 0;
  }
  *out = r;
  return 1;
}

static void rise_percent(const aza_facts *f, uint32_t slot, double window,
                         cell *out) {
  uint32_t k = f->p->slot_sub[slot];
  out->t = 0;
  if (f->as_of_known &&
      aza_rise_percent(f->sday + (size_t)k * AZA_SERIES_MAX,
                       f->sval + (size_t)k * AZA_SERIES_MAX, f->nseries[k],
                       f->as_of, window, &out->n)) {
    out->t = 1;
  }
}

/* of two truth cells: 1 when an unknown one is unknown through a bound */
static uint8_t bound_unknown(const cell *x, const cell *y) {
  return (uint8_t)((x->t == AZA_UNKNOWN && x->b) ||
                   (y->t == AZA_UNKNOWN && y->b));
}

/* one condition: the truth value it leaves (st[0].b: 1 when it is unknown
   through a censored value) */
static uint8_t run_rule(const aza_program *p, const aza_facts *f, cell *st,
                        const rule *r) {
  uint32_t i;
  int d = 0;
  const insn *code = p->code + r->insn0;
  for (i = 0; i < r->ninsn; i++) {
    const insn *in = &code[i];
    const fslot *fs;
    cell *x;
    switch ((aza_opcode)in->op) {
    case AZA_OP_NUM:
    case AZA_OP_DAYS_SINCE:
    case AZA_OP_WEEKS_SINCE:
      fs = &f->slots[in->a];
      x = &st[d++];
      x->t = fs->known;
      x->n = fs->v;
      x->b = fs->bound;
      if (in->op != AZA_OP_NUM) {
        x->b = AZAI_BOUND_EXACT;
        x->t = (uint8_t)(fs->known && f->as_of_known);
        x->n = f->as_of - fs->v;
        if (in->op == AZA_OP_WEEKS_SINCE) {
          x->n /= 7.0;
        }
      }
      break;
    case AZA_OP_STR:
      fs = &f->slots[in->a];
      x = &st[d++];
      x->t = fs->known;
      x->s = fs->s;
      break;
    case AZA_OP_BOOL:
      fs = &f->slots[in->a];
      st[d].b = 0;
      st[d++].t =
          !fs->known ? AZA_UNKNOWN : (fs->v != 0 ? AZA_TRUE : AZA_FALSE);
      break;
    case AZA_OP_CONST:
      x = &st[d++];
      x->t = 1;
      x->n = p->consts[in->a];
      x->b = AZAI_BOUND_EXACT;
      break;
    case AZA_OP_SCONST:
      x = &st[d++];
      x->t = 1;
      x->s = (int32_t)in->a;
      break;
    case AZA_OP_TRUTH:
      st[d].b = 0;
      st[d++].t = in->aux;
      break;
    case AZA_OP_CMP:
      d--;
      x = &st[d - 1];
      if (!x->t || !st[d].t) {
        x->t = AZA_UNKNOWN;
        x->b = 0;
      } else if (x->b == AZAI_BOUND_EXACT && st[d].b == AZAI_BOUND_EXACT) {
        x->t = cmp_num(in->aux, x->n, st[d].n);
      } else { /* T cells: b = 1 when a bound left the truth unknown */
        x->t = azai_bound_cmp(in->aux, x->n, x->b, st[d].n, st[d].b);
        x->b = x->t == AZA_UNKNOWN;
      }
      break;
    case AZA_OP_SCMP:
      d--;
      x = &st[d - 1];
      if (x->t && st[d].t) {
        int eq = x->s == st[d].s;
        x->t = (uint8_t)((in->aux == AZA_EQ) == eq ? AZA_TRUE : AZA_FALSE);
      } else {
        x->t = AZA_UNKNOWN;
      }
      x->b = 0;
      break;
    case AZA_OP_TCMP:
      d--;
      x = &st[d - 1];
      if (x->t != AZA_UNKNOWN && st[d].t != AZA_UNKNOWN) {
        int eq = x->t == st[d].t;
        x->t = (uint8_t)((in->aux == AZA_EQ) == eq ? AZA_TRUE : AZA_FALSE);
      } else {
        x->b = bound_unknown(x, &st[d]);
        x->t = AZA_UNKNOWN;
      }
      break;
    case AZA_OP_IN: {
      uint32_t j;
      x = &st[d - 1];
      x->b = 0;
      if (!x->t) {
        x->t = AZA_UNKNOWN;
        break;
      }
      x->t = AZA_FALSE;
      for (j = 0; j < in->b; j++) {
        if (x->s >= 0 && (uint32_t)x->s == p->list[in->a + j]) {
          x->t = AZA_TRUE;
          break;
        }
      }
      break;
    }
    case AZA_OP_AND:
    case AZA_OP_OR:
      d--;
      x = &st[d - 1];
      x->b = bound_unknown(x, &st[d]);
      x->t = in->op == AZA_OP_AND ? kleene_and(x->t, st[d].t)
                                  : kleene_or(x->t, st[d].t);
      x->b = (uint8_t)(x->b && x->t == AZA_UNKNOWN);
      break;
    case AZA_OP_NOT:
      x = &st[d - 1];
      x->t = x->t == AZA_UNKNOWN ? AZA_UNKNOWN
                                 : (x->t == AZA_TRUE ? AZA_FALSE : AZA_TRUE);
      break;
    case AZA_OP_KNOWN:
    case AZA_OP_UNKNOWN:
      st[d].b = 0;
      st[d++].t =
          (uint8_t)((f->slots[in->a].known != 0) == (in->op == AZA_OP_KNOWN)
                        ? AZA_TRUE
                        : AZA_FALSE);
      break;
    case AZA_OP_SET_HAS:
      fs = &f->slots[in->a];
      if (!fs->known) {
        st[d].b = 0;
        st[d++].t = AZA_UNKNOWN;
      } else {
        const uint32_t *w =
            f->setbits + (size_t)p->slot_sub[in->a] * p->setwords;
        st[d].b = 0;
        st[d++].t = (w[in->b / 32] >> (in->b % 32)) & 1u ? AZA_TRUE : AZA_FALSE;
      }
      break;
    case AZA_OP_MUL:
    case AZA_OP_DIV:
    case AZA_OP_RATIO:
      d--;
      x = &st[d - 1];
      if (x->t && st[d].t &&
          (x->b != AZAI_BOUND_EXACT || st[d].b != AZAI_BOUND_EXACT)) {
        unsigned b = AZAI_BOUND_EXACT;
        x->t = (uint8_t)azai_bound_arith(in->op != AZA_OP_MUL, x->n, x->b,
                                         st[d].n, st[d].b, &x->n, &b);
        x->b = (uint8_t)b;
      } else if (x->t && st[d].t) {
        double v = in->op == AZA_OP_MUL ? x->n * st[d].n : x->n / st[d].n;
        x->t = (uint8_t)(isfinite(v) && (in->op == AZA_OP_MUL || st[d].n != 0));
        x->n = v;
      } else {
        x->t = 0;
      }
      break;
    case AZA_OP_RISE_PERCENT:
      x = &st[d - 1];
      if (x->t && x->b == AZAI_BOUND_EXACT && f->slots[in->a].known) {
        rise_percent(f, in->a, x->n, x);
      } else {
        x->t = 0;
      }
      break;
    default: /* validation makes this unreachable */
      return AZA_UNKNOWN;
    }
  }
  return st[0].t;
}

static void add_need(aza_eval_arena *a, uint32_t *n, uint32_t name) {
  if (!(a->mark[name / 32] >> (name % 32) & 1u)) {
    a->mark[name / 32] |= 1u << (name % 32);
    a->need[(*n)++] = name;
  }
}

aza_status aza_eval_run(const aza_program *p, const aza_facts *f,
                        aza_eval_arena *a, aza_eval_result *res, aza_err *err) {
  uint32_t ri, i, nfired = 0, nneed = 0;
  uint32_t ng[4] = {0, 0, 0, 0};
  uint32_t *groups;
  aza_decision dec = AZA_DECIDE_PROCEED;
  uint32_t dec_rule = AZA_NONE;
  if (p == NULL || f == NULL || a == NULL || res == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to eval_run");
  }
  if (f->p != p || a->p != p) {
    return aza_err_set(err, AZA_EARG, 0,
                       "facts or arena made for another program");
  }
  groups = a->groups;
  for (i = 0; i < p->nrequired; i++) {
    uint32_t s = p->required[i];
    if (!f->slots[s].known) {
      add_need(a, &nneed, p->slot_name[s]);
      dec = AZA_DECIDE_NEED_DATA;
    }
  }
  for (ri = 0; ri < p->nrules; ri++) {
    const rule *r = &p->rules[ri];
    uint8_t t = run_rule(p, f, a->stack, r);
    int by_bound;
    a->outcome[ri] = t;
    /* a required rule left unknown asks for its unknown facts; any rule
       left unknown by a censored value asks for a precise one: a bound
       that does not decide a rule is never taken as "not fired" */
    by_bound = t == AZA_UNKNOWN && a->stack[0].b;
    if (t == AZA_UNKNOWN && ((r->flags & AZA_RULE_REQUIRE) || by_bound)) {
      for (i = 0; i < r->nslot; i++) {
        uint32_t s = p->rslots[r->slot0 + i];
        if (((r->flags & AZA_RULE_REQUIRE) && !f->slots[s].known) ||
            (by_bound && f->slots[s].bound != AZAI_BOUND_EXACT)) {
          add_need(a, &nneed, p->slot_name[s]);
        }
      }
      if (dec < AZA_DECIDE_NEED_DATA) {
        dec = AZA_DECIDE_NEED_DATA;
        dec_rule = ri;
      }
    }
    if (t != AZA_TRUE) {
      continue;
    }
    for (i = 0; i < r->nact; i++) {
      const aza_action *act = &p->actions[r->act0 + i];
      aza_decision d = aza_action_decision((aza_action_type)act->type);
      int g = -1;
      uint32_t j;
      a->fired[nfired].rule = ri;
      a->fired[nfired].action = i;
      if (d > dec) {
        dec = d;
        dec_rule = ri;
      }
      switch ((aza_action_type)act->type) {
      case AZA_ACT_NEED_DATA:
        for (j = 0; j < act->nlist; j++) {
          add_need(a, &nneed, p->list[act->list + j]);
        }
        break;
      case AZA_ACT_ALERT:
        g = 0;
        break;
      case AZA_ACT_REDUCE:
      case AZA_ACT_CAP:
      case AZA_ACT_SET_DOSE:
        g = 1;
        break;
      case AZA_ACT_COUNSEL:
        g = 2;
        break;
      case AZA_ACT_MONITOR:
        g = 3;
        break;
      default:
        break;
      }
      if (g >= 0) {
        groups[(size_t)g * p->nactions + ng[g]++] = nfired;
      }
      nfired++;
    }
  }
  for (i = 0; i < nneed; i++) { /* leave the marks clear for the next run */
    a->mark[a->need[i] / 32] &= ~(1u << (a->need[i] % 32));
  }
  res->decision = dec;
  res->decision_rule = dec_rule;
  res->nrules = p->nrules;
  res->outcome = a->outcome;
  res->nfired = nfired;
  res->fired = a->fired;
  res->nneed = nneed;
  res->need = a->need;
  res->nalerts = ng[0];
  res->alerts = groups;
  res->nmodifiers = ng[1];
  res->modifiers = groups + p->nactions;
  res->ncounsel = ng[2];
  res->counsel = groups + (size_t)2 * p->nactions;
  res->nmonitor = ng[3];
  res->monitor = groups + (size_t)3 * p->nactions;
  return AZA_OK;
}

/* }==================================================================== */
