/*
** aza_program.c
** The compiled rule program: builder with string interning, freezing into
** an aza_program (checked by the verifier, aza_verify.c) and reading it
** back. See aza_eval.h for
** the model. Memory: the builder and the program allocate through the
** caller's hook. Facts and evaluation are aza_eval.c.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aza_eval_int.h"

/* {====================================================================
** Allocation and growable arrays
** ===================================================================== */

void *azai_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

void *azai_mem_alloc(const allocator *al, size_t n) {
  return al->fn(al->ud, NULL, 0, n == 0 ? 1 : n);
}

void azai_mem_free(const allocator *al, void *p, size_t n) {
  if (p != NULL) {
    al->fn(al->ud, p, n == 0 ? 1 : n, 0);
  }
}

/* a growable array of elements of size `esz` */
typedef struct vec {
  void *p;
  uint32_t n, cap;
} vec;

static aza_status vec_reserve(const allocator *al, vec *v, size_t esz,
                              uint32_t extra, aza_err *err) {
  uint32_t ncap;
  void *np;
  if (extra > AZA_PROGRAM_MAX || v->n > AZA_PROGRAM_MAX - extra) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "program table over %lu items",
                       (unsigned long)AZA_PROGRAM_MAX);
  }
  if (v->n + extra <= v->cap) {
    return AZA_OK;
  }
  ncap = v->cap < 8 ? 8 : v->cap;
  while (ncap < v->n + extra) {
    ncap = ncap > AZA_PROGRAM_MAX / 2 ? AZA_PROGRAM_MAX : ncap * 2;
  }
  np = al->fn(al->ud, v->p, v->p == NULL ? 0 : (size_t)v->cap * esz,
              (size_t)ncap * esz);
  if (np == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  v->p = np;
  v->cap = ncap;
  return AZA_OK;
}

static void vec_free(const allocator *al, vec *v, size_t esz) {
  if (v->p != NULL) {
    azai_mem_free(al, v->p, (size_t)v->cap * esz);
  }
  v->p = NULL;
  v->n = v->cap = 0;
}

/* copy the live part of a vec into an exact-size block (NULL if empty) */
static aza_status vec_copy(const allocator *al, const vec *v, size_t esz,
                           void **out, aza_err *err) {
  *out = NULL;
  if (v->n == 0) {
    return AZA_OK;
  }
  *out = azai_mem_alloc(al, (size_t)v->n * esz);
  if (*out == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  memcpy(*out, v->p, (size_t)v->n * esz);
  return AZA_OK;
}

static char *str_dup(const allocator *al, const char *s) {
  size_t n = strlen(s != NULL ? s : "") + 1;
  char *d = (char *)azai_mem_alloc(al, n);
  if (d != NULL) {
    memcpy(d, s != NULL ? s : "", n);
  }
  return d;
}

static void str_free(const allocator *al, char *s) {
  if (s != NULL) {
    azai_mem_free(al, s, strlen(s) + 1);
  }
}

/* }==================================================================== */

/* {====================================================================
** Names
** ===================================================================== */

static const char *const decision_names[AZA_DECISION_COUNT] = {
    "proceed", "adjust", "need_data", "withhold", "contraindicated"};

static const char *const op_names[AZA_OP_COUNT] = {
    "num", "str",   "bool",    "const",       "sconst",     "truth",
    "cmp", "scmp",  "tcmp",    "in",          "and",        "or",
    "not", "known", "unknown", "set_has",     "days_since", "weeks_since",
    "mul", "div",   "ratio",   "rise_percent"};

static const char *const fact_type_names[AZA_FACT_TYPE_COUNT] = {
    "num", "str", "bool", "set", "date", "series"};

static const char *const cmp_names[AZA_CMP_COUNT] = {"<",  "<=", ">",
                                                     ">=", "==", "!="};

static const char *const action_type_names[AZA_ACT_TYPE_COUNT] = {
    "proceed", "contraindicate", "withhold", "need_data", "reduce",
    "cap",     "set_dose",       "alert",    "monitor",   "counsel"};

static const char *const severity_names[AZA_SEVERITY_COUNT] = {
    "info", "warning", "critical"};

static const char *const truth_names[AZA_TRUTH_COUNT] = {"false", "true",
                                                         "unknown"};

#define NAME_OF(table, count, i)                                               \
  ((i) < 0 || (i) >= (count) ? "?" : (table)[(i)])

const char *aza_fact_type_name(int t) {
  return NAME_OF(fact_type_names, AZA_FACT_TYPE_COUNT, t);
}

const char *aza_cmp_name(int op) {
  return NAME_OF(cmp_names, AZA_CMP_COUNT, op);
}

const char *aza_action_type_name(int t) {
  return NAME_OF(action_type_names, AZA_ACT_TYPE_COUNT, t);
}

const char *aza_severity_name(int s) {
  return NAME_OF(severity_names, AZA_SEVERITY_COUNT, s);
}

const char *aza_truth_name(int t) {
  return NAME_OF(truth_names, AZA_TRUTH_COUNT, t);
}

#undef NAME_OF

const char *aza_decision_name(aza_decision d) {
  if ((int)d < 0 || d >= AZA_DECISION_COUNT) {
    return "?";
  }
  return decision_names[d];
}

const char *aza_opcode_name(aza_opcode op) {
  if ((int)op < 0 || op >= AZA_OP_COUNT) {
    return "?";
  }
  return op_names[op];
}

aza_decision aza_action_decision(aza_action_type t) {
  switch (t) {
  case AZA_ACT_CONTRAINDICATE:
    return AZA_DECIDE_CONTRAINDICATED;
  case AZA_ACT_WITHHOLD:
    return AZA_DECIDE_WITHHOLD;
  case AZA_ACT_NEED_DATA:
    return AZA_DECIDE_NEED_DATA;
  case AZA_ACT_REDUCE:
  case AZA_ACT_CAP:
  case AZA_ACT_SET_DOSE:
    return AZA_DECIDE_ADJUST;
  default:
    return AZA_DECIDE_PROCEED;
  }
}

/* }==================================================================== */

/* {====================================================================
** Builder structures
** ===================================================================== */

typedef struct bslot {
  uint8_t type;
  uint32_t name;
} bslot;

struct aza_builder {
  allocator al;
  char *id, *version, *hash;
  vec strs;  /* uint32_t offsets of each string */
  vec blob;  /* char */
  vec htab;  /* uint32_t, cap = power of two, n unused */
  vec slots; /* bslot */
  vec consts, list, required, code, actions, rules;
  int in_rule;
};

static uint32_t hash_bytes(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 16777619u;
  }
  return h;
}

/* }==================================================================== */

/* {====================================================================
** Builder
** ===================================================================== */

aza_status aza_builder_create(aza_alloc_fn alloc, void *ud, aza_builder **out,
                              aza_err *err) {
  allocator al;
  aza_builder *b;
  if (out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no place for the builder");
  }
  *out = NULL;
  al.fn = alloc != NULL ? alloc : azai_default_alloc;
  al.ud = alloc != NULL ? ud : NULL;
  b = (aza_builder *)azai_mem_alloc(&al, sizeof *b);
  if (b == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  memset(b, 0, sizeof *b);
  b->al = al;
  *out = b;
  return AZA_OK;
}

void aza_builder_destroy(aza_builder *b) {
  allocator al;
  if (b == NULL) {
    return;
  }
  al = b->al;
  str_free(&al, b->id);
  str_free(&al, b->version);
  str_free(&al, b->hash);
  vec_free(&al, &b->strs, sizeof(uint32_t));
  vec_free(&al, &b->blob, 1);
  vec_free(&al, &b->htab, sizeof(uint32_t));
  vec_free(&al, &b->slots, sizeof(bslot));
  vec_free(&al, &b->consts, sizeof(double));
  vec_free(&al, &b->list, sizeof(uint32_t));
  vec_free(&al, &b->required, sizeof(uint32_t));
  vec_free(&al, &b->code, sizeof(insn));
  vec_free(&al, &b->actions, sizeof(aza_action));
  vec_free(&al, &b->rules, sizeof(rule));
  azai_mem_free(&al, b, sizeof *b);
}

aza_status aza_builder_meta(aza_builder *b, const char *id, const char *version,
                            const char *hash, aza_err *err) {
  char *nid, *nver, *nhash;
  if (b == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no builder");
  }
  nid = str_dup(&b->al, id);
  nver = str_dup(&b->al, version);
  nhash = str_dup(&b->al, hash);
  if (nid == NULL || nver == NULL || nhash == NULL) {
    str_free(&b->al, nid);
    str_free(&b->al, nver);
    str_free(&b->al, nhash);
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  str_free(&b->al, b->id);
  str_free(&b->al, b->version);
  str_free(&b->al, b->hash);
  b->id = nid;
  b->version = nver;
  b->hash = nhash;
  return AZA_OK;
}

/* string i of the builder */
static const char *bstr(const aza_builder *b, uint32_t i, size_t *len) {
  const uint32_t *off = (const uint32_t *)b->strs.p;
  const char *blob = (const char *)b->blob.p;
  uint32_t end = i + 1 < b->strs.n ? off[i + 1] : b->blob.n;
  *len = (size_t)(end - off[i]) - 1;
  return blob + off[i];
}

/* find s in the builder's hash table: slot position in *pos */
static uint32_t bfind(const aza_builder *b, const char *s, size_t len,
                      uint32_t *pos) {
  const uint32_t *ht = (const uint32_t *)b->htab.p;
  uint32_t mask = b->htab.cap - 1;
  uint32_t h = hash_bytes(s, len) & mask;
  for (;;) {
    size_t l;
    const char *t;
    if (ht[h] == 0) {
      *pos = h;
      return AZA_NONE;
    }
    t = bstr(b, ht[h] - 1, &l);
    if (l == len && memcmp(t, s, len) == 0) {
      *pos = h;
      return ht[h] - 1;
    }
    h = (h + 1) & mask;
  }
}

static aza_status grow_hash(aza_builder *b, aza_err *err) {
  uint32_t ncap = b->htab.cap == 0 ? 64 : b->htab.cap * 2;
  vec nv = {NULL, 0, 0};
  vec old = b->htab;
  uint32_t i;
  aza_status st = vec_reserve(&b->al, &nv, sizeof(uint32_t), ncap, err);
  if (st != AZA_OK) {
    return st;
  }
  nv.cap = ncap; /* vec_reserve may round up; keep a power of two */
  memset(nv.p, 0, (size_t)ncap * sizeof(uint32_t));
  b->htab = nv;
  for (i = 0; i < b->strs.n; i++) {
    size_t l;
    uint32_t pos;
    const char *s = bstr(b, i, &l);
    (void)bfind(b, s, l, &pos);
    ((uint32_t *)b->htab.p)[pos] = i + 1;
  }
  vec_free(&b->al, &old, sizeof(uint32_t));
  return AZA_OK;
}

aza_status aza_builder_string(aza_builder *b, const char *s, size_t len,
                              uint32_t *idx, aza_err *err) {
  aza_status st;
  uint32_t pos, found;
  if (b == NULL || (s == NULL && len > 0) || idx == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to builder_string");
  }
  if (s == NULL) {
    s = "";
  }
  if (len >= AZA_PROGRAM_MAX) {
    return aza_err_set(err, AZA_ETOOBIG, 0, "string of %lu bytes",
                       (unsigned long)len);
  }
  if ((b->strs.n + 1) * 2 > b->htab.cap) {
    if ((st = grow_hash(b, err)) != AZA_OK) {
      return st;
    }
  }
  found = bfind(b, s, len, &pos);
  if (found != AZA_NONE) {
    *idx = found;
    return AZA_OK;
  }
  if ((st = vec_reserve(&b->al, &b->strs, sizeof(uint32_t), 1, err)) !=
          AZA_OK ||
      (st = vec_reserve(&b->al, &b->blob, 1, (uint32_t)len + 1, err)) !=
          AZA_OK) {
    return st;
  }
  ((uint32_t *)b->strs.p)[b->strs.n] = b->blob.n;
  memcpy((char *)b->blob.p + b->blob.n, s, len);
  ((char *)b->blob.p)[b->blob.n + len] = '\0';
  b->blob.n += (uint32_t)len + 1;
  ((uint32_t *)b->htab.p)[pos] = b->strs.n + 1;
  *idx = b->strs.n++;
  return AZA_OK;
}

aza_status aza_builder_slot(aza_builder *b, aza_fact_type type, uint32_t name,
                            uint32_t *idx, aza_err *err) {
  aza_status st;
  bslot *sl;
  if (b == NULL || idx == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to builder_slot");
  }
  if ((st = vec_reserve(&b->al, &b->slots, sizeof(bslot), 1, err)) != AZA_OK) {
    return st;
  }
  sl = (bslot *)b->slots.p + b->slots.n;
  sl->type = (uint8_t)((unsigned)type > 255u ? 255u : (unsigned)type);
  sl->name = name;
  *idx = b->slots.n++;
  return AZA_OK;
}

aza_status aza_builder_const(aza_builder *b, double v, uint32_t *idx,
                             aza_err *err) {
  aza_status st;
  if (b == NULL || idx == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to builder_const");
  }
  if (!isfinite(v)) {
    return aza_err_set(err, AZA_EVALUE, 0, "constant not finite");
  }
  if ((st = vec_reserve(&b->al, &b->consts, sizeof(double), 1, err)) !=
      AZA_OK) {
    return st;
  }
  ((double *)b->consts.p)[b->consts.n] = v;
  *idx = b->consts.n++;
  return AZA_OK;
}

aza_status aza_builder_list(aza_builder *b, const uint32_t *items, uint32_t n,
                            uint32_t *first, aza_err *err) {
  aza_status st;
  if (b == NULL || first == NULL || (items == NULL && n > 0)) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to builder_list");
  }
  if ((st = vec_reserve(&b->al, &b->list, sizeof(uint32_t), n, err)) !=
      AZA_OK) {
    return st;
  }
  if (n > 0) {
    memcpy((uint32_t *)b->list.p + b->list.n, items, n * sizeof(uint32_t));
  }
  *first = b->list.n;
  b->list.n += n;
  return AZA_OK;
}

aza_status aza_builder_require(aza_builder *b, uint32_t slot, aza_err *err) {
  aza_status st;
  if (b == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no builder");
  }
  if ((st = vec_reserve(&b->al, &b->required, sizeof(uint32_t), 1, err)) !=
      AZA_OK) {
    return st;
  }
  ((uint32_t *)b->required.p)[b->required.n++] = slot;
  return AZA_OK;
}

aza_status aza_builder_rule_begin(aza_builder *b, uint32_t id, uint32_t cite,
                                  unsigned flags, aza_err *err) {
  aza_status st;
  rule *r;
  if (b == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no builder");
  }
  if (b->in_rule) {
    return aza_err_set(err, AZA_EARG, 0, "rule %lu not ended",
                       (unsigned long)b->rules.n);
  }
  if ((st = vec_reserve(&b->al, &b->rules, sizeof(rule), 1, err)) != AZA_OK) {
    return st;
  }
  r = (rule *)b->rules.p + b->rules.n;
  memset(r, 0, sizeof *r);
  r->id = id;
  r->cite = cite;
  r->flags = flags;
  r->insn0 = b->code.n;
  r->act0 = b->actions.n;
  b->in_rule = 1;
  return AZA_OK;
}

aza_status aza_builder_insn(aza_builder *b, aza_opcode op, unsigned aux,
                            uint32_t a, uint32_t bb, aza_err *err) {
  aza_status st;
  insn *in;
  if (b == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no builder");
  }
  if (!b->in_rule) {
    return aza_err_set(err, AZA_EARG, 0, "instruction outside a rule");
  }
  if ((st = vec_reserve(&b->al, &b->code, sizeof(insn), 1, err)) != AZA_OK) {
    return st;
  }
  in = (insn *)b->code.p + b->code.n++;
  in->op = (uint8_t)((unsigned)op > 255u ? 255u : (unsigned)op);
  in->aux = (uint8_t)(aux > 255u ? 255u : aux);
  in->a = a;
  in->b = bb;
  return AZA_OK;
}

aza_status aza_builder_action(aza_builder *b, const aza_action *act,
                              aza_err *err) {
  aza_status st;
  if (b == NULL || act == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to builder_action");
  }
  if (!b->in_rule) {
    return aza_err_set(err, AZA_EARG, 0, "action outside a rule");
  }
  if ((st = vec_reserve(&b->al, &b->actions, sizeof(aza_action), 1, err)) !=
      AZA_OK) {
    return st;
  }
  ((aza_action *)b->actions.p)[b->actions.n++] = *act;
  return AZA_OK;
}

aza_status aza_builder_rule_end(aza_builder *b, aza_err *err) {
  rule *r;
  if (b == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "no builder");
  }
  if (!b->in_rule) {
    return aza_err_set(err, AZA_EARG, 0, "no rule to end");
  }
  r = (rule *)b->rules.p + b->rules.n++;
  r->ninsn = b->code.n - r->insn0;
  r->nact = b->actions.n - r->act0;
  b->in_rule = 0;
  return AZA_OK;
}

/* }==================================================================== */

/* {====================================================================
** Finishing and reading the program
** ===================================================================== */

void aza_program_destroy(aza_program *p) {
  allocator al;
  if (p == NULL) {
    return;
  }
  al = p->al;
  str_free(&al, p->id);
  str_free(&al, p->version);
  str_free(&al, p->hash);
  azai_mem_free(&al, p->stroff, ((size_t)p->nstrings + 1) * sizeof(uint32_t));
  azai_mem_free(&al, p->strblob, p->bloblen);
  azai_mem_free(&al, p->htab, (size_t)p->hashcap * sizeof(uint32_t));
  azai_mem_free(&al, p->slot_type, p->nslots);
  azai_mem_free(&al, p->slot_name, (size_t)p->nslots * sizeof(uint32_t));
  azai_mem_free(&al, p->slot_sub, (size_t)p->nslots * sizeof(uint32_t));
  azai_mem_free(&al, p->consts, (size_t)p->nconsts * sizeof(double));
  azai_mem_free(&al, p->list, (size_t)p->nlist * sizeof(uint32_t));
  azai_mem_free(&al, p->required, (size_t)p->nrequired * sizeof(uint32_t));
  azai_mem_free(&al, p->code, (size_t)p->ninsn * sizeof(insn));
  azai_mem_free(&al, p->actions, (size_t)p->nactions * sizeof(aza_action));
  azai_mem_free(&al, p->rules, (size_t)p->nrules * sizeof(rule));
  azai_mem_free(&al, p->rslots, (size_t)p->rslots_cap * sizeof(uint32_t));
  azai_mem_free(&al, p, sizeof *p);
}

aza_status aza_builder_finish(aza_builder *b, aza_program **out, aza_err *err) {
  aza_program *p;
  aza_status st;
  uint32_t i;
  uint8_t *seen;
  if (b == NULL || out == NULL) {
    return aza_err_set(err, AZA_EARG, 0, "bad argument to builder_finish");
  }
  *out = NULL;
  if (b->in_rule) {
    return aza_err_set(err, AZA_EARG, 0, "rule %lu not ended",
                       (unsigned long)b->rules.n);
  }
  p = (aza_program *)azai_mem_alloc(&b->al, sizeof *p);
  if (p == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  memset(p, 0, sizeof *p);
  p->al = b->al;
  p->id = str_dup(&p->al, b->id);
  p->version = str_dup(&p->al, b->version);
  p->hash = str_dup(&p->al, b->hash);
  p->nstrings = b->strs.n;
  p->bloblen = b->blob.n;
  p->stroff = (uint32_t *)azai_mem_alloc(&p->al, ((size_t)p->nstrings + 1) *
                                                     sizeof(uint32_t));
  p->nslots = b->slots.n;
  p->slot_type = (uint8_t *)azai_mem_alloc(&p->al, p->nslots);
  p->slot_name =
      (uint32_t *)azai_mem_alloc(&p->al, p->nslots * sizeof(uint32_t));
  p->slot_sub =
      (uint32_t *)azai_mem_alloc(&p->al, p->nslots * sizeof(uint32_t));
  if (p->id == NULL || p->version == NULL || p->hash == NULL ||
      p->stroff == NULL || p->slot_type == NULL || p->slot_name == NULL ||
      p->slot_sub == NULL) {
    aza_program_destroy(p);
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  if (p->nstrings > 0) {
    memcpy(p->stroff, b->strs.p, p->nstrings * sizeof(uint32_t));
  }
  p->stroff[p->nstrings] = b->blob.n;
  p->hashcap = b->htab.cap;
  st = vec_copy(&p->al, &b->blob, 1, (void **)&p->strblob, err);
  if (st == AZA_OK && p->hashcap > 0) {
    p->htab = (uint32_t *)azai_mem_alloc(&p->al,
                                         (size_t)p->hashcap * sizeof(uint32_t));
    if (p->htab == NULL) {
      st = aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
    } else {
      memcpy(p->htab, b->htab.p, (size_t)p->hashcap * sizeof(uint32_t));
    }
  }
  for (i = 0; i < p->nslots; i++) {
    const bslot *sl = (const bslot *)b->slots.p + i;
    p->slot_type[i] = sl->type;
    p->slot_name[i] = sl->name;
    p->slot_sub[i] = 0;
    if (sl->type == AZA_FACT_SET) {
      p->slot_sub[i] = p->nsets++;
    } else if (sl->type == AZA_FACT_SERIES) {
      p->slot_sub[i] = p->nseries++;
    }
  }
  p->setwords = (p->nstrings + 31) / 32;
#define COPY(field, count, v, T)                                               \
  if (st == AZA_OK) {                                                          \
    st = vec_copy(&p->al, &b->v, sizeof(T), (void **)&p->field, err);          \
    if (st == AZA_OK) {                                                        \
      p->count = b->v.n;                                                       \
    }                                                                          \
  }
  COPY(consts, nconsts, consts, double)
  COPY(list, nlist, list, uint32_t)
  COPY(required, nrequired, required, uint32_t)
  COPY(code, ninsn, code, insn)
  COPY(actions, nactions, actions, aza_action)
  COPY(rules, nrules, rules, rule)
#undef COPY
  if (st == AZA_OK) {
    st = azai_program_validate(p, err);
  }
  if (st == AZA_OK) {
    seen = (uint8_t *)azai_mem_alloc(&p->al, p->nslots);
    if (seen == NULL) {
      st = aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
    } else {
      memset(seen, 0, p->nslots);
      st = azai_program_collect_slots(p, seen, err);
      azai_mem_free(&p->al, seen, p->nslots);
    }
  }
  if (st != AZA_OK) {
    aza_program_destroy(p);
    return st;
  }
  *out = p;
  return AZA_OK;
}

void aza_program_info_get(const aza_program *p, aza_program_info *info) {
  memset(info, 0, sizeof *info);
  if (p == NULL) {
    info->id = info->version = info->hash = "";
    return;
  }
  info->id = p->id;
  info->version = p->version;
  info->hash = p->hash;
  info->nstrings = p->nstrings;
  info->nslots = p->nslots;
  info->nconsts = p->nconsts;
  info->nrules = p->nrules;
  info->nrequired = p->nrequired;
  info->stack_max = p->stack_max;
}

const char *aza_program_string(const aza_program *p, uint32_t i, size_t *len) {
  if (p == NULL || i >= p->nstrings) {
    if (len != NULL) {
      *len = 0;
    }
    return NULL;
  }
  if (len != NULL) {
    *len = (size_t)(p->stroff[i + 1] - p->stroff[i]) - 1;
  }
  return p->strblob + p->stroff[i];
}

uint32_t aza_program_find_string(const aza_program *p, const char *s,
                                 size_t len) {
  uint32_t mask, h;
  if (p == NULL || p->hashcap == 0 || (s == NULL && len > 0)) {
    return AZA_NONE;
  }
  if (s == NULL) {
    s = "";
  }
  mask = p->hashcap - 1;
  h = hash_bytes(s, len) & mask;
  while (p->htab[h] != 0) {
    size_t l;
    const char *t = aza_program_string(p, p->htab[h] - 1, &l);
    if (l == len && memcmp(t, s, len) == 0) {
      return p->htab[h] - 1;
    }
    h = (h + 1) & mask;
  }
  return AZA_NONE;
}

aza_status aza_program_slot(const aza_program *p, uint32_t i,
                            aza_fact_type *type, uint32_t *name) {
  if (p == NULL || i >= p->nslots) {
    return AZA_EARG;
  }
  if (type != NULL) {
    *type = (aza_fact_type)p->slot_type[i];
  }
  if (name != NULL) {
    *name = p->slot_name[i];
  }
  return AZA_OK;
}

aza_status aza_program_rule(const aza_program *p, uint32_t i,
                            aza_rule_info *info) {
  const rule *r;
  if (p == NULL || info == NULL || i >= p->nrules) {
    return AZA_EARG;
  }
  r = &p->rules[i];
  info->id = r->id;
  info->cite = r->cite;
  info->flags = r->flags;
  info->ninsn = r->ninsn;
  info->nactions = r->nact;
  info->actions = r->nact > 0 ? p->actions + r->act0 : NULL;
  info->nslots = r->nslot;
  info->slots = r->nslot > 0 ? p->rslots + r->slot0 : NULL;
  return AZA_OK;
}

uint32_t aza_program_list_item(const aza_program *p, uint32_t i) {
  return p != NULL && i < p->nlist ? p->list[i] : AZA_NONE;
}

uint32_t aza_program_required(const aza_program *p, uint32_t i) {
  return p != NULL && i < p->nrequired ? p->required[i] : AZA_NONE;
}

/* }==================================================================== */
