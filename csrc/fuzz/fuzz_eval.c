/*
** fuzz_eval.c
** libFuzzer target for the rule program: the input bytes drive the
** builder (strings, slots, constants, lists, rules, instructions,
** actions); aza_builder_finish must reject whatever is malformed, and a
** program it accepts is evaluated on facts drawn from the rest of the
** input, twice, and must give the same result both times. Never a crash.
*/
#include <stdint.h>
#include <string.h>

#include "aza_eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input {
  const uint8_t *p;
  size_t n;
} input;

static unsigned byte(input *in) {
  unsigned v;
  if (in->n == 0) {
    return 0;
  }
  v = *in->p;
  in->p++;
  in->n--;
  return v;
}

static uint32_t index_of(input *in) {
  unsigned v = byte(in);
  return v == 255 ? AZA_NONE : v;
}

static double number(input *in) {
  unsigned v = byte(in);
  if (v == 255) { /* a raw double: NaN, inf and all the rest */
    double d;
    uint8_t raw[sizeof d];
    size_t i;
    for (i = 0; i < sizeof d; i++) {
      raw[i] = (uint8_t)byte(in);
    }
    memcpy(&d, raw, sizeof d);
    return d;
  }
  return ((double)v - 100.0) / 4.0;
}

static void build(aza_builder *b, input *in) {
  unsigned steps = 0;
  while (in->n > 0 && steps++ < 4096) {
    unsigned cmd = byte(in);
    uint32_t idx;
    switch (cmd % 10) {
    case 0: { /* a string */
      char s[16];
      unsigned len = byte(in) % 16, i;
      for (i = 0; i < len; i++) {
        s[i] = (char)byte(in);
      }
      aza_builder_string(b, s, len, &idx, NULL);
      break;
    }
    case 1: {
      unsigned t = byte(in);
      aza_builder_slot(b, (aza_fact_type)(t % 8), index_of(in), &idx, NULL);
      break;
    }
    case 2:
      aza_builder_const(b, number(in), &idx, NULL);
      break;
    case 3: {
      uint32_t items[8];
      unsigned n = byte(in) % 8, i;
      for (i = 0; i < n; i++) {
        items[i] = index_of(in);
      }
      aza_builder_list(b, items, n, &idx, NULL);
      break;
    }
    case 4:
      aza_builder_require(b, index_of(in), NULL);
      break;
    case 5: {
      uint32_t id = index_of(in), cite = index_of(in);
      aza_builder_rule_begin(b, id, cite, byte(in) % 4, NULL);
      break;
    }
    case 6:
    case 7: {
      unsigned op = byte(in) % (AZA_OP_COUNT + 2);
      unsigned aux = byte(in) % 8;
      uint32_t a = index_of(in);
      uint32_t bb = index_of(in);
      aza_builder_insn(b, (aza_opcode)op, aux, a, bb, NULL);
      break;
    }
    case 8: {
      aza_action act;
      memset(&act, 0, sizeof act);
      act.type = (uint8_t)(byte(in) % (AZA_ACT_TYPE_COUNT + 1));
      act.sub = (uint8_t)(byte(in) % 4);
      act.has = (uint8_t)(byte(in) % 9);
      act.str = index_of(in);
      act.str2 = index_of(in);
      act.list = index_of(in);
      act.nlist = byte(in) % 8;
      act.p[0] = number(in);
      act.p[1] = number(in);
      act.p[2] = number(in);
      aza_builder_action(b, &act, NULL);
      break;
    }
    default:
      aza_builder_rule_end(b, NULL);
      break;
    }
  }
}

static void fill(aza_facts *f, const aza_program *p, input *in) {
  aza_program_info pi;
  uint32_t s;
  aza_program_info_get(p, &pi);
  aza_facts_clear(f);
  if (byte(in) & 1) {
    aza_facts_set_as_of(f, number(in), NULL);
  }
  /* also try slots out of range and values of the wrong type */
  for (s = 0; s <= pi.nslots && in->n > 0; s++) {
    unsigned how = byte(in), k, n;
    switch (how % 8) {
    case 0:
      aza_facts_set_num(f, s, number(in), NULL);
      break;
    case 1:
      aza_facts_set_str(f, s, (int32_t)byte(in) - 8, NULL);
      break;
    case 2:
      aza_facts_set_bool(f, s, (int)(byte(in) & 1), NULL);
      break;
    case 3:
      aza_facts_set_date(f, s, number(in), NULL);
      break;
    case 4:
      aza_facts_set_empty(f, s, NULL);
      n = byte(in) % 6;
      for (k = 0; k < n; k++) {
        aza_facts_set_add(f, s, byte(in), NULL);
      }
      break;
    case 5:
      n = byte(in) % 70;
      for (k = 0; k < n; k++) {
        double day = number(in);
        aza_facts_series_add(f, s, day, number(in), NULL);
      }
      break;
    default: /* left unknown */
      break;
    }
  }
}

static int same(const aza_eval_result *x, const aza_eval_result *y) {
  return x->decision == y->decision && x->decision_rule == y->decision_rule &&
         x->nrules == y->nrules && x->nfired == y->nfired &&
         x->nneed == y->nneed && x->nalerts == y->nalerts &&
         x->nmodifiers == y->nmodifiers && x->ncounsel == y->ncounsel &&
         x->nmonitor == y->nmonitor &&
         memcmp(x->outcome, y->outcome, x->nrules) == 0 &&
         (x->nfired == 0 ||
          memcmp(x->fired, y->fired, x->nfired * sizeof *x->fired) == 0) &&
         (x->nneed == 0 ||
          memcmp(x->need, y->need, x->nneed * sizeof *x->need) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input in;
  aza_builder *b = NULL;
  aza_program *p = NULL;
  aza_facts *f = NULL;
  aza_eval_arena *a1 = NULL, *a2 = NULL;
  aza_eval_result r1, r2;
  aza_err err;
  size_t split;
  uint32_t i;
  if (size < 2) {
    return 0;
  }
  /* the first byte says where the program ends and the facts begin */
  split = 1 + (size - 1) * data[0] / 255;
  in.p = data + 1;
  in.n = split - 1;
  if (aza_builder_create(NULL, NULL, &b, NULL) != AZA_OK) {
    return 0;
  }
  aza_builder_meta(b, "fuzz", "0", "", NULL);
  build(b, &in);
  if (aza_builder_finish(b, &p, &err) != AZA_OK) {
    aza_builder_destroy(b);
    return 0;
  }
  aza_builder_destroy(b);
  in.p = data + split;
  in.n = size - split;
  if (aza_facts_create(p, NULL, NULL, &f, NULL) == AZA_OK &&
      aza_eval_arena_create(p, NULL, NULL, &a1, NULL) == AZA_OK &&
      aza_eval_arena_create(p, NULL, NULL, &a2, NULL) == AZA_OK) {
    fill(f, p, &in);
    if (aza_eval_run(p, f, a1, &r1, NULL) == AZA_OK &&
        aza_eval_run(p, f, a2, &r2, NULL) == AZA_OK) {
      if (!same(&r1, &r2) || r1.decision >= AZA_DECISION_COUNT) {
        __builtin_trap();
      }
      for (i = 0; i < r1.nrules; i++) {
        if (r1.outcome[i] > AZA_UNKNOWN) {
          __builtin_trap();
        }
      }
      /* every rule read, every reference of the program in range */
      for (i = 0; i < r1.nrules; i++) {
        aza_rule_info ri;
        if (aza_program_rule(p, i, &ri) != AZA_OK ||
            aza_program_string(p, ri.id, NULL) == NULL) {
          __builtin_trap();
        }
      }
    }
  }
  aza_eval_arena_destroy(a1);
  aza_eval_arena_destroy(a2);
  aza_facts_destroy(f);
  aza_program_destroy(p);
  return 0;
}
