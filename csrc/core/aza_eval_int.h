/*
** aza_eval_int.h
** Private to the rule engine (aza_program.c, aza_verify.c, aza_eval.c):
** the allocator hook and the layout of a compiled program, which the
** evaluator reads.
*/
#ifndef aza_eval_int_h
#define aza_eval_int_h

#include <stddef.h>
#include <stdint.h>

#include "aza_eval.h"

/* {====================================================================
** Allocation
** ===================================================================== */

typedef struct allocator {
  aza_alloc_fn fn;
  void *ud;
} allocator;

/* realloc/free behind the aza_alloc_fn contract (the NULL hook) */
AZAI_FUNC void *azai_default_alloc(void *ud, void *ptr, size_t osize,
                                   size_t nsize);

/* a block of n bytes (at least 1) through the hook, or NULL */
AZAI_FUNC void *azai_mem_alloc(const allocator *al, size_t n);

/* frees a block of n bytes from azai_mem_alloc; NULL is ignored */
AZAI_FUNC void azai_mem_free(const allocator *al, void *p, size_t n);

/* }==================================================================== */

/* {====================================================================
** Program structures
** ===================================================================== */

typedef struct insn {
  uint8_t op;
  uint8_t aux;
  uint32_t a, b;
} insn;

typedef struct rule {
  uint32_t id, cite;
  unsigned flags;
  uint32_t insn0, ninsn;
  uint32_t act0, nact;
  uint32_t slot0, nslot;
} rule;

/* the tables common to the builder (as vecs) and the program (exact) */
struct aza_program {
  allocator al;
  char *id, *version, *hash;
  uint32_t nstrings;
  uint32_t *stroff; /* nstrings + 1 offsets into strblob */
  char *strblob;    /* each string NUL-terminated */
  size_t bloblen;
  uint32_t hashcap; /* power of two; 0 when no strings */
  uint32_t *htab;   /* string index + 1, 0 = empty */
  uint32_t nslots;
  uint8_t *slot_type;
  uint32_t *slot_name;
  uint32_t *slot_sub; /* index among the sets / series */
  uint32_t nsets, nseries, setwords;
  uint32_t nconsts;
  double *consts;
  uint32_t nlist;
  uint32_t *list;
  uint32_t nrequired;
  uint32_t *required;
  uint32_t ninsn;
  insn *code;
  uint32_t nactions;
  aza_action *actions;
  uint32_t nrules;
  rule *rules;
  uint32_t nrslots, rslots_cap;
  uint32_t *rslots;
  uint32_t stack_max;
};

/*
** The verifier (aza_verify.c): every index in range, every condition a
** well-typed stack program within AZA_EVAL_STACK_MAX, every action's
** parameters finite; fills the program's read slots. AZA_EBADPROG else.
*/
AZAI_FUNC aza_status azai_program_validate(aza_program *p, aza_err *err);

/* the facts each rule reads, in first-use order, into p->rslots; `seen`
** is caller scratch of p->nslots bytes, zeroed */
AZAI_FUNC aza_status azai_program_collect_slots(aza_program *p, uint8_t *seen,
                                                aza_err *err);

/* }==================================================================== */

/* {====================================================================
** Bounds (aza_bound.c): a number known only as "< v", "<= v", "> v",
** ">= v" (a censored laboratory result)
** ===================================================================== */

#define AZAI_BOUND_EXACT 0u
#define AZAI_BOUND_LT    (1u + AZA_LT)
#define AZAI_BOUND_LE    (1u + AZA_LE)
#define AZAI_BOUND_GT    (1u + AZA_GT)
#define AZAI_BOUND_GE    (1u + AZA_GE)

/* x op y when x (bound xb) or y (bound yb) is a bound: true or false only
   when every value allowed gives that answer; unknown with two bounds */
AZAI_FUNC uint8_t azai_bound_cmp(unsigned op, double x, unsigned xb, double y,
                                 unsigned yb);

/* x * y or x / y with one bound operand: 1 and the result and its bound;
   0 (unknown) for two bounds, a bound divisor, 0 divisor, not finite */
AZAI_FUNC int azai_bound_arith(int divide, double x, unsigned xb, double y,
                               unsigned yb, double *out, unsigned *outb);

/* }==================================================================== */

#endif
