/*
** aza_verify.c
** The verifier of a compiled rule program: every index in range, every
** condition a well-typed stack program that leaves one truth value within
** the stack limit, every action's parameters finite and in range, the
** slots the rules read collected. Run by aza_builder_finish before a
** program is handed out (aza_eval.h has the model).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aza_eval_int.h"

/* {====================================================================
** Validation
** ===================================================================== */

enum { K_N = 0, K_S = 1, K_T = 2 };

/* the type-simulation of one condition; returns its greatest depth */
static aza_status check_rule(const aza_program *p, uint32_t ri, uint8_t *kinds,
                             uint32_t *depth_max, aza_err *err) {
  const rule *r = &p->rules[ri];
  uint32_t d = 0, i, maxd = 0;
  for (i = 0; i < r->ninsn; i++) {
    const insn *in = &p->code[r->insn0 + i];
    int need0 = -1, need1 = -1, push = -1; /* popped (top first), pushed */
    int slot_type = -1;                    /* required type of slot a */
    int any_slot = 0;
    switch ((aza_opcode)in->op) {
    case AZA_OP_NUM:
      slot_type = AZA_FACT_NUM;
      push = K_N;
      break;
    case AZA_OP_STR:
      slot_type = AZA_FACT_STR;
      push = K_S;
      break;
    case AZA_OP_BOOL:
      slot_type = AZA_FACT_BOOL;
      push = K_T;
      break;
    case AZA_OP_CONST:
      if (in->a >= p->nconsts) {
        goto bad_index;
      }
      push = K_N;
      break;
    case AZA_OP_SCONST:
      if (in->a >= p->nstrings) {
        goto bad_index;
      }
      push = K_S;
      break;
    case AZA_OP_TRUTH:
      if (in->aux > AZA_UNKNOWN) {
        goto bad_aux;
      }
      push = K_T;
      break;
    case AZA_OP_CMP:
      if (in->aux >= AZA_CMP_COUNT) {
        goto bad_aux;
      }
      need0 = need1 = K_N;
      push = K_T;
      break;
    case AZA_OP_SCMP:
    case AZA_OP_TCMP:
      if (in->aux != AZA_EQ && in->aux != AZA_NE) {
        goto bad_aux;
      }
      need0 = need1 = in->op == AZA_OP_SCMP ? K_S : K_T;
      push = K_T;
      break;
    case AZA_OP_IN:
      if (in->a > p->nlist || in->b > p->nlist - in->a) {
        goto bad_index;
      }
      need0 = K_S;
      push = K_T;
      break;
    case AZA_OP_AND:
    case AZA_OP_OR:
      need0 = need1 = K_T;
      push = K_T;
      break;
    case AZA_OP_NOT:
      need0 = K_T;
      push = K_T;
      break;
    case AZA_OP_KNOWN:
    case AZA_OP_UNKNOWN:
      any_slot = 1;
      push = K_T;
      break;
    case AZA_OP_SET_HAS:
      slot_type = AZA_FACT_SET;
      if (in->b >= p->nstrings) {
        goto bad_index;
      }
      push = K_T;
      break;
    case AZA_OP_DAYS_SINCE:
    case AZA_OP_WEEKS_SINCE:
      slot_type = AZA_FACT_DATE;
      push = K_N;
      break;
    case AZA_OP_MUL:
    case AZA_OP_DIV:
    case AZA_OP_RATIO:
      need0 = need1 = K_N;
      push = K_N;
      break;
    case AZA_OP_RISE_PERCENT:
      slot_type = AZA_FACT_SERIES;
      need0 = K_N;
      push = K_N;
      break;
    default:
      return aza_err_set(err, AZA_EARG, 0,
                         "rule %lu: instruction %lu: bad opcode %u",
                         (unsigned long)ri, (unsigned long)i, in->op);
    }
    if (slot_type >= 0 || any_slot) {
      if (in->a >= p->nslots) {
        goto bad_index;
      }
      if (slot_type >= 0 && p->slot_type[in->a] != slot_type) {
        return aza_err_set(err, AZA_EARG, 0,
                           "rule %lu: instruction %lu (%s): slot %lu has the "
                           "wrong type",
                           (unsigned long)ri, (unsigned long)i,
                           aza_opcode_name((aza_opcode)in->op),
                           (unsigned long)in->a);
      }
    }
    if (need0 >= 0) {
      if (d < 1 || kinds[d - 1] != need0) {
        goto bad_stack;
      }
      d--;
    }
    if (need1 >= 0) {
      if (d < 1 || kinds[d - 1] != need1) {
        goto bad_stack;
      }
      d--;
    }
    if (d >= AZA_EVAL_STACK_MAX) {
      return aza_err_set(err, AZA_ETOOBIG, 0,
                         "rule %lu: condition deeper than %d values",
                         (unsigned long)ri, AZA_EVAL_STACK_MAX);
    }
    kinds[d++] = (uint8_t)push;
    if (d > maxd) {
      maxd = d;
    }
    continue;
  bad_index:
    return aza_err_set(err, AZA_EARG, 0,
                       "rule %lu: instruction %lu (%s): index out of range",
                       (unsigned long)ri, (unsigned long)i,
                       aza_opcode_name((aza_opcode)in->op));
  bad_aux:
    return aza_err_set(err, AZA_EARG, 0,
                       "rule %lu: instruction %lu (%s): bad operator %u",
                       (unsigned long)ri, (unsigned long)i,
                       aza_opcode_name((aza_opcode)in->op), in->aux);
  bad_stack:
    return aza_err_set(err, AZA_EARG, 0,
                       "rule %lu: instruction %lu (%s): operands missing or "
                       "of the wrong kind",
                       (unsigned long)ri, (unsigned long)i,
                       aza_opcode_name((aza_opcode)in->op));
  }
  if (d != 1 || kinds[0] != K_T) {
    return aza_err_set(err, AZA_EARG, 0,
                       "rule %lu: condition leaves %lu values, not one truth "
                       "value",
                       (unsigned long)ri, (unsigned long)d);
  }
  *depth_max = maxd;
  return AZA_OK;
}

static int finite_params(const aza_action *a) {
  int i;
  for (i = 0; i < 3; i++) {
    if ((a->has & (1u << i)) && !isfinite(a->p[i])) {
      return 0;
    }
  }
  return 1;
}

static aza_status check_action(const aza_program *p, uint32_t ri, uint32_t k,
                               const aza_action *a, aza_err *err) {
  int ok = 1;
  if (a->has > 7 || !finite_params(a)) {
    ok = 0;
  }
  if (a->str != AZA_NONE && a->str >= p->nstrings) {
    ok = 0;
  }
  if (a->str2 != AZA_NONE && a->str2 >= p->nstrings) {
    ok = 0;
  }
  if (a->list > p->nlist || a->nlist > p->nlist - a->list) {
    ok = 0;
  }
  switch ((aza_action_type)a->type) {
  case AZA_ACT_PROCEED:
  case AZA_ACT_CONTRAINDICATE:
  case AZA_ACT_WITHHOLD:
  case AZA_ACT_NEED_DATA:
  case AZA_ACT_COUNSEL:
    break;
  case AZA_ACT_REDUCE:
    if (a->sub == AZA_REDUCE_PERCENT) {
      ok = ok && (a->has & 1) && a->p[0] > 0 && a->p[0] <= 1000;
      ok = ok && (!(a->has & 2) || a->p[1] >= 0);
      ok = ok && (!(a->has & 4) || a->p[2] >= 0);
      ok = ok && ((a->has & 6) != 6 || a->p[1] <= a->p[2]);
    } else if (a->sub == AZA_REDUCE_FRACTION) {
      ok = ok && (a->has & 1) && a->p[0] > 0 && a->p[0] <= 1;
    } else {
      ok = 0;
    }
    break;
  case AZA_ACT_CAP:
  case AZA_ACT_SET_DOSE:
    ok = ok && a->sub <= AZA_CAP_MG_PER_DAY && (a->has & 1) && a->p[0] >= 0;
    ok = ok && (!(a->has & 2) || a->p[1] >= 0);
    break;
  case AZA_ACT_ALERT:
    ok = ok && a->sub <= AZA_SEVERITY_CRITICAL;
    break;
  case AZA_ACT_MONITOR:
    ok = ok && (!(a->has & 1) || a->p[0] >= 0);
    ok = ok && (!(a->has & 2) || a->p[1] >= 0);
    break;
  default:
    ok = 0;
    break;
  }
  if (!ok) {
    return aza_err_set(err, AZA_EARG, 0,
                       "rule %lu: action %lu (type %u): bad parameters",
                       (unsigned long)ri, (unsigned long)k, a->type);
  }
  return AZA_OK;
}

/* the facts each rule reads, in first-use order, into p->rslots */
aza_status azai_program_collect_slots(aza_program *p, uint8_t *seen,
                                      aza_err *err) {
  uint32_t ri, i, total = 0;
  for (ri = 0; ri < p->nrules; ri++) {
    total += p->rules[ri].ninsn; /* an upper bound */
  }
  p->rslots =
      (uint32_t *)azai_mem_alloc(&p->al, (size_t)total * sizeof(uint32_t));
  if (p->rslots == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  p->rslots_cap = total;
  for (ri = 0; ri < p->nrules; ri++) {
    rule *r = &p->rules[ri];
    r->slot0 = p->nrslots;
    for (i = 0; i < r->ninsn; i++) {
      const insn *in = &p->code[r->insn0 + i];
      switch ((aza_opcode)in->op) {
      case AZA_OP_NUM:
      case AZA_OP_STR:
      case AZA_OP_BOOL:
      case AZA_OP_KNOWN:
      case AZA_OP_UNKNOWN:
      case AZA_OP_SET_HAS:
      case AZA_OP_DAYS_SINCE:
      case AZA_OP_WEEKS_SINCE:
      case AZA_OP_RISE_PERCENT:
        if (!seen[in->a]) {
          seen[in->a] = 1;
          p->rslots[p->nrslots++] = in->a;
        }
        break;
      default:
        break;
      }
    }
    r->nslot = p->nrslots - r->slot0;
    for (i = r->slot0; i < p->nrslots; i++) {
      seen[p->rslots[i]] = 0;
    }
  }
  return AZA_OK;
}

aza_status azai_program_validate(aza_program *p, aza_err *err) {
  uint32_t i, k;
  aza_status st = AZA_OK;
  uint8_t *kinds;
  for (i = 0; i < p->nslots; i++) {
    if (p->slot_type[i] >= AZA_FACT_TYPE_COUNT) {
      return aza_err_set(err, AZA_EARG, 0, "slot %lu: bad type %u",
                         (unsigned long)i, p->slot_type[i]);
    }
    if (p->slot_name[i] >= p->nstrings) {
      return aza_err_set(err, AZA_EARG, 0, "slot %lu: name out of range",
                         (unsigned long)i);
    }
  }
  for (i = 0; i < p->nlist; i++) {
    if (p->list[i] >= p->nstrings) {
      return aza_err_set(err, AZA_EARG, 0, "list item %lu out of range",
                         (unsigned long)i);
    }
  }
  for (i = 0; i < p->nrequired; i++) {
    if (p->required[i] >= p->nslots) {
      return aza_err_set(err, AZA_EARG, 0, "required slot %lu out of range",
                         (unsigned long)p->required[i]);
    }
  }
  kinds = (uint8_t *)azai_mem_alloc(&p->al, AZA_EVAL_STACK_MAX);
  if (kinds == NULL) {
    return aza_err_set(err, AZA_ENOMEM, 0, "out of memory");
  }
  for (i = 0; i < p->nrules && st == AZA_OK; i++) {
    const rule *r = &p->rules[i];
    uint32_t depth = 0;
    if (r->id >= p->nstrings ||
        (r->cite != AZA_NONE && r->cite >= p->nstrings)) {
      st = aza_err_set(err, AZA_EARG, 0,
                       "rule %lu: id or citation out of "
                       "range",
                       (unsigned long)i);
      break;
    }
    if ((r->flags & ~AZA_RULE_REQUIRE) != 0) {
      st = aza_err_set(err, AZA_EARG, 0, "rule %lu: unknown flags",
                       (unsigned long)i);
      break;
    }
    st = check_rule(p, i, kinds, &depth, err);
    if (depth > p->stack_max) {
      p->stack_max = depth;
    }
    for (k = 0; k < r->nact && st == AZA_OK; k++) {
      st = check_action(p, i, k, &p->actions[r->act0 + k], err);
    }
  }
  azai_mem_free(&p->al, kinds, AZA_EVAL_STACK_MAX);
  return st;
}

/* }==================================================================== */
