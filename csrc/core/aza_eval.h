/*
** aza_eval.h
** The compiled rule program and its evaluator (design.md section 5).
**
** A protocol's checked AST is compiled (lua/aza/protocol/compile.lua) into
** an immutable aza_program through the builder below. The program holds:
** - a string table (interned, indexed from 0): rule ids, citations, fact
**   names, string constants, alert kinds and messages, counselling texts;
** - fact slots, each typed (aza_fact_type) and named by a string index;
** - numeric constants, already converted by the compiler into the unit of
**   the value they are compared with (the fact's reference unit), so the
**   evaluator compares plain doubles;
** - string sets (for `in`), as ranges of string indices;
** - rules: id, citation, flags, a condition as a range of instructions of
**   a small typed stack machine, and a range of actions.
**
** The machine has no jumps: a condition is a straight-line postfix program
** that leaves one truth value. aza_builder_finish validates every index
** and type-checks each condition by simulating the stack (operand kinds
** and depth), so a malformed program is rejected and never executed.
**
** Facts live in an aza_facts object sized from the program: one typed
** value per slot, missing = unknown. An aza_eval_arena, also sized from
** the program, holds all the per-evaluation memory; aza_eval_run never
** allocates. The program is immutable: several threads may evaluate one
** program at once, each with its own facts and arena.
**
** Truth values are Kleene's: false, true, unknown. Comparisons, `in`, set
** membership, arithmetic and date functions are unknown when an operand is
** unknown; known()/unknown() are never unknown.
**
** Dose modifiers (reduce, cap, set_dose) are NOT applied here: the result
** lists them in rule order and the Lua layer applies them through the dose
** maths (aza.dose), so this file does not depend on aza_dose.h.
*/
#ifndef aza_eval_h
#define aza_eval_h

#include <stddef.h>
#include <stdint.h>

#include "aza_conf.h"
#include "aza_status.h"

/* most values on the evaluation stack one condition may need */
#if !defined(AZA_EVAL_STACK_MAX)
#define AZA_EVAL_STACK_MAX 256
#endif

/* most readings one series fact may hold (rise_percent) */
#if !defined(AZA_SERIES_MAX)
#define AZA_SERIES_MAX 64
#endif

/* most items of each table (strings, slots, rules, instructions, ...) */
#if !defined(AZA_PROGRAM_MAX)
#define AZA_PROGRAM_MAX 1000000u
#endif

/* "no index": no citation, no message */
#define AZA_NONE UINT32_MAX

/*
** Allocator hook, the signature of lua_Alloc: nsize == 0 frees ptr and
** returns NULL; otherwise (re)allocates. NULL selects realloc/free.
*/
typedef void *(*aza_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* {====================================================================
** Values
** ===================================================================== */

typedef enum aza_truth {
  AZA_FALSE = 0,
  AZA_TRUE = 1,
  AZA_UNKNOWN = 2,
  AZA_TRUTH_COUNT
} aza_truth;

typedef enum aza_fact_type {
  AZA_FACT_NUM = 0, /* a number or a quantity in the fact's reference unit */
  AZA_FACT_STR,     /* a string (an index in the string table, or other) */
  AZA_FACT_BOOL,    /* true or false */
  AZA_FACT_SET,     /* a set of strings (taking, planned, has, ...) */
  AZA_FACT_DATE,    /* a day number (days since 1970-01-01) */
  AZA_FACT_SERIES,  /* readings (day, value in the reference unit) */
  AZA_FACT_TYPE_COUNT
} aza_fact_type;

/* comparison operators (aux of CMP, SCMP, TCMP) */
typedef enum aza_cmp_op {
  AZA_LT = 0,
  AZA_LE,
  AZA_GT,
  AZA_GE,
  AZA_EQ,
  AZA_NE,
  AZA_CMP_COUNT
} aza_cmp_op;

/* }==================================================================== */

/* {====================================================================
** Instructions
** Stack kinds: N number (with a known flag), S string, T truth value.
** "a" and "b" are the two operands of aza_builder_insn.
** ===================================================================== */

typedef enum aza_opcode {
  AZA_OP_NUM = 0,      /* a=slot (NUM)          -> N */
  AZA_OP_STR,          /* a=slot (STR)          -> S */
  AZA_OP_BOOL,         /* a=slot (BOOL)         -> T */
  AZA_OP_CONST,        /* a=constant            -> N (known) */
  AZA_OP_SCONST,       /* a=string              -> S (known) */
  AZA_OP_TRUTH,        /* aux=aza_truth         -> T */
  AZA_OP_CMP,          /* aux=op; N N           -> T */
  AZA_OP_SCMP,         /* aux=EQ|NE; S S        -> T */
  AZA_OP_TCMP,         /* aux=EQ|NE; T T        -> T */
  AZA_OP_IN,           /* a=first list item, b=count; S -> T */
  AZA_OP_AND,          /* T T                   -> T (Kleene) */
  AZA_OP_OR,           /* T T                   -> T (Kleene) */
  AZA_OP_NOT,          /* T                     -> T (Kleene) */
  AZA_OP_KNOWN,        /* a=slot (any type)     -> T, never unknown */
  AZA_OP_UNKNOWN,      /* a=slot (any type)     -> T, never unknown */
  AZA_OP_SET_HAS,      /* a=slot (SET) b=string -> T */
  AZA_OP_DAYS_SINCE,   /* a=slot (DATE)         -> N: as_of - date, in d */
  AZA_OP_WEEKS_SINCE,  /* a=slot (DATE)         -> N: (as_of - date)/7, wk */
  AZA_OP_MUL,          /* N N                   -> N */
  AZA_OP_DIV,          /* N N                   -> N (unknown for x/0) */
  AZA_OP_RATIO,        /* N N                   -> N, as DIV (ratio(a, b)) */
  AZA_OP_RISE_PERCENT, /* a=slot (SERIES); N window in d -> N percent */
  AZA_OP_COUNT
} aza_opcode;

/*
** rise_percent(series, window): among the readings whose day lies in
** [as_of - window, as_of], 100 * (latest - lowest) / lowest, where latest
** is the reading with the greatest day (the one added last among equal
** days). Unknown when as_of is unknown, no reading lies in the window or
** the lowest value is not positive. The series is filled by the caller
** (the Lua layer passes every dated reading of the fact).
** Arithmetic whose result is not finite is unknown.
*/

/* }==================================================================== */

/* {====================================================================
** Actions and decisions
** ===================================================================== */

typedef enum aza_action_type {
  AZA_ACT_PROCEED = 0,    /* nothing to do: decision proceed */
  AZA_ACT_CONTRAINDICATE, /* decision contraindicated */
  AZA_ACT_WITHHOLD,       /* decision withhold */
  AZA_ACT_NEED_DATA,      /* decision need_data; list = fact names */
  AZA_ACT_REDUCE,         /* adjust; sub=AZA_REDUCE_* */
  AZA_ACT_CAP,            /* adjust; sub=AZA_CAP_* */
  AZA_ACT_SET_DOSE,       /* adjust; sub=AZA_CAP_* (the unit of p[0]) */
  AZA_ACT_ALERT,          /* sub=severity, str=kind, str2=message */
  AZA_ACT_MONITOR,        /* list = tests; p[0]=every (d), p[1]=weeks */
  AZA_ACT_COUNSEL,        /* str=text */
  AZA_ACT_TYPE_COUNT
} aza_action_type;

enum {
  AZA_REDUCE_PERCENT = 0,    /* p[0]=percent, p[1]=low, p[2]=high (percent) */
  AZA_REDUCE_FRACTION = 1,   /* p[0]=fraction in (0, 1], rounded down */
  AZA_CAP_MG_PER_KG_DAY = 0, /* p[0] mg/kg/d (p[1] weeks for SET_DOSE) */
  AZA_CAP_MG_PER_DAY = 1,    /* p[0] mg/d */
  AZA_SEVERITY_INFO = 0,
  AZA_SEVERITY_WARNING = 1,
  AZA_SEVERITY_CRITICAL = 2,
  AZA_SEVERITY_COUNT = 3
};

/*
** An action as the builder takes it and the program returns it. `has`
** says which of p[0..2] are given (bit i for p[i]); `list`/`nlist` is a
** range of the program's string-list table (need_data facts, tests).
*/
typedef struct aza_action {
  uint8_t type; /* aza_action_type */
  uint8_t sub;
  uint8_t has;
  uint32_t str;  /* a string index or AZA_NONE */
  uint32_t str2; /* a string index or AZA_NONE */
  uint32_t list, nlist;
  double p[3];
} aza_action;

/* ordered by severity: the decision is the greatest */
typedef enum aza_decision {
  AZA_DECIDE_PROCEED = 0,
  AZA_DECIDE_ADJUST,
  AZA_DECIDE_NEED_DATA,
  AZA_DECIDE_WITHHOLD,
  AZA_DECIDE_CONTRAINDICATED,
  AZA_DECISION_COUNT
} aza_decision;

/* "proceed", "adjust", ...; "?" out of range */
AZA_API const char *aza_decision_name(aza_decision d);

/*
** The names of the other enums, beside which they are defined here (the
** binding and the compiler spell them so): "num", "str", ... for
** aza_fact_type; "<", "<=", ... for aza_cmp_op; "proceed",
** "contraindicate", ... for aza_action_type; "info", "warning",
** "critical" for the AZA_SEVERITY_* codes. "?" out of range.
*/
AZA_API const char *aza_fact_type_name(int t);
AZA_API const char *aza_cmp_name(int op);
AZA_API const char *aza_action_type_name(int t);
AZA_API const char *aza_severity_name(int s);
/* "false", "true", "unknown" for aza_truth */
AZA_API const char *aza_truth_name(int t);
/* "and", "cmp", ...; "?" out of range */
AZA_API const char *aza_opcode_name(aza_opcode op);
/* the decision an action type implies */
AZA_API aza_decision aza_action_decision(aza_action_type t);

/* rule flags */
#define AZA_RULE_REQUIRE 1u /* unknown condition: need_data, missing facts */

/* }==================================================================== */

/* {====================================================================
** Building a program
** Errors: AZA_EARG (a bad argument or a malformed program, with a
** message naming the rule and instruction), AZA_ETOOBIG (a table over
** AZA_PROGRAM_MAX, a condition over AZA_EVAL_STACK_MAX), AZA_EVALUE (a
** constant or parameter not finite), AZA_ENOMEM. Indices returned through
** out-parameters are 0-based. After an error the builder may still be
** destroyed (and nothing else is guaranteed about it).
** ===================================================================== */

typedef struct aza_builder aza_builder;
typedef struct aza_program aza_program;

AZA_API aza_status aza_builder_create(aza_alloc_fn alloc, void *ud,
                                      aza_builder **out, aza_err *err);
AZA_API void aza_builder_destroy(aza_builder *b);

/* protocol id, version and content hash, carried into the trace */
AZA_API aza_status aza_builder_meta(aza_builder *b, const char *id,
                                    const char *version, const char *hash,
                                    aza_err *err);
/* intern a string of len bytes (any bytes); the same text, the same index */
AZA_API aza_status aza_builder_string(aza_builder *b, const char *s, size_t len,
                                      uint32_t *idx, aza_err *err);
/* a fact slot of a type, named by a string index */
AZA_API aza_status aza_builder_slot(aza_builder *b, aza_fact_type type,
                                    uint32_t name, uint32_t *idx, aza_err *err);
/* a numeric constant (finite) */
AZA_API aza_status aza_builder_const(aza_builder *b, double v, uint32_t *idx,
                                     aza_err *err);
/* a list of string indices (a set for IN, need_data facts, tests) */
AZA_API aza_status aza_builder_list(aza_builder *b, const uint32_t *items,
                                    uint32_t n, uint32_t *first, aza_err *err);
/* a slot that must be known before a decision (need_data otherwise) */
AZA_API aza_status aza_builder_require(aza_builder *b, uint32_t slot,
                                       aza_err *err);
/*
** Rules: begin, instructions of the condition, actions, end. `id` and
** `cite` are string indices (cite may be AZA_NONE); flags AZA_RULE_*.
*/
AZA_API aza_status aza_builder_rule_begin(aza_builder *b, uint32_t id,
                                          uint32_t cite, unsigned flags,
                                          aza_err *err);
/* a, b: operands (see aza_opcode); IN takes a = first item, b = count */
AZA_API aza_status aza_builder_insn(aza_builder *b, aza_opcode op, unsigned aux,
                                    uint32_t a, uint32_t bb, aza_err *err);
AZA_API aza_status aza_builder_action(aza_builder *b, const aza_action *act,
                                      aza_err *err);
AZA_API aza_status aza_builder_rule_end(aza_builder *b, aza_err *err);

/*
** Validate and produce the immutable program (allocated with the
** builder's allocator). The builder is left as it was and may be
** destroyed at once.
*/
AZA_API aza_status aza_builder_finish(aza_builder *b, aza_program **out,
                                      aza_err *err);

AZA_API void aza_program_destroy(aza_program *p);

/* }==================================================================== */

/* {====================================================================
** Reading a program (for the trace and the Lua layer)
** ===================================================================== */

typedef struct aza_rule_info {
  uint32_t id;    /* string index */
  uint32_t cite;  /* string index or AZA_NONE */
  unsigned flags; /* AZA_RULE_* */
  uint32_t ninsn; /* length of the condition */
  uint32_t nactions;
  const aza_action *actions;
  uint32_t nslots; /* facts the condition reads, first-use order */
  const uint32_t *slots;
} aza_rule_info;

typedef struct aza_program_info {
  const char *id, *version, *hash; /* never NULL ("" when not given) */
  uint32_t nstrings, nslots, nconsts, nrules, nrequired;
  uint32_t stack_max; /* deepest stack any condition needs */
} aza_program_info;

AZA_API void aza_program_info_get(const aza_program *p, aza_program_info *info);
/* string i (NUL-terminated, *len its length) or NULL out of range */
AZA_API const char *aza_program_string(const aza_program *p, uint32_t i,
                                       size_t *len);
/* index of a string, or AZA_NONE (a hash lookup; indices are insertion
** order, so nothing depends on hash order) */
AZA_API uint32_t aza_program_find_string(const aza_program *p, const char *s,
                                         size_t len);
/* slot type and name; AZA_EARG out of range */
AZA_API aza_status aza_program_slot(const aza_program *p, uint32_t i,
                                    aza_fact_type *type, uint32_t *name);
AZA_API aza_status aza_program_rule(const aza_program *p, uint32_t i,
                                    aza_rule_info *info);
/* item i of the string-list table, AZA_NONE out of range */
AZA_API uint32_t aza_program_list_item(const aza_program *p, uint32_t i);
/* slot of required fact i, AZA_NONE out of range */
AZA_API uint32_t aza_program_required(const aza_program *p, uint32_t i);

/* }==================================================================== */

/* {====================================================================
** Facts
** Setters check the slot's type and range (AZA_EARG) and that numbers
** are finite (AZA_EVALUE). A string value is an index in the program's
** string table, or a negative code the caller picks for a string the
** table does not hold (two such codes are equal when they are equal).
** ===================================================================== */

typedef struct aza_facts aza_facts;

AZA_API aza_status aza_facts_create(const aza_program *p, aza_alloc_fn alloc,
                                    void *ud, aza_facts **out, aza_err *err);
AZA_API void aza_facts_destroy(aza_facts *f);
/* every slot unknown, as_of unknown */
AZA_API void aza_facts_clear(aza_facts *f);
/* the day the evaluation is for (days since 1970-01-01) */
AZA_API aza_status aza_facts_set_as_of(aza_facts *f, double day, aza_err *err);
AZA_API aza_status aza_facts_set_num(aza_facts *f, uint32_t slot, double v,
                                     aza_err *err);
/*
** a NUM fact known only as a bound: the value is op v, op one of AZA_LT,
** AZA_LE, AZA_GT, AZA_GE ("< 0.5": a result below the measuring range).
** A comparison is true or false only when every allowed value agrees;
** otherwise unknown, and a required rule left unknown lists the fact in
** need (a precise value is needed). known() is true.
*/
AZA_API aza_status aza_facts_set_bound(aza_facts *f, uint32_t slot, double v,
                                       aza_cmp_op op, aza_err *err);
AZA_API aza_status aza_facts_set_str(aza_facts *f, uint32_t slot, int32_t s,
                                     aza_err *err);
AZA_API aza_status aza_facts_set_bool(aza_facts *f, uint32_t slot, int v,
                                      aza_err *err);
AZA_API aza_status aza_facts_set_date(aza_facts *f, uint32_t slot, double day,
                                      aza_err *err);
/* make a set fact known and empty, then add members (string indices) */
AZA_API aza_status aza_facts_set_empty(aza_facts *f, uint32_t slot,
                                       aza_err *err);
AZA_API aza_status aza_facts_set_add(aza_facts *f, uint32_t slot, uint32_t s,
                                     aza_err *err);
/*
** The percent rise of the latest reading over the lowest, among the n
** readings (day, val) dated within [as_of - window, as_of] (days); the
** later of two on one day is the latest. Rounded to 1e-9 % so that an exact
** 30 % rise is 30. Returns 1 and sets *out when known: two readings or
** more in the window and a lowest above 0; else 0 (one reading shows no
** change). The engine's rise_percent() and the patient reader both use it.
*/
AZA_API int aza_rise_percent(const double *day, const double *val, size_t n,
                             double as_of, double window, double *out);

/* add a reading to a series fact (AZA_ETOOBIG past AZA_SERIES_MAX) */
AZA_API aza_status aza_facts_series_add(aza_facts *f, uint32_t slot, double day,
                                        double v, aza_err *err);
/* 1 when the slot holds a value */
AZA_API int aza_facts_known(const aza_facts *f, uint32_t slot);

/* }==================================================================== */

/* {====================================================================
** Evaluation
** ===================================================================== */

typedef struct aza_eval_arena aza_eval_arena;

/* an action of a rule whose condition was true */
typedef struct aza_fired {
  uint32_t rule;
  uint32_t action; /* index within the rule's actions */
} aza_fired;

/*
** The result points into the arena: valid until the next run on it or
** its destruction. Lists are in rule order, then action order.
*/
typedef struct aza_eval_result {
  aza_decision decision;
  uint32_t decision_rule; /* first rule giving the decision, or AZA_NONE */
  uint32_t nrules;
  const uint8_t *outcome; /* aza_truth per rule */
  uint32_t nfired;
  const aza_fired *fired;
  /* fact names (string indices) needed, first-need order, no duplicates:
  ** required slots that are missing, then per rule in order the names of
  ** need_data actions and, for an unknown AZA_RULE_REQUIRE rule, its
  ** missing slots */
  uint32_t nneed;
  const uint32_t *need;
  /* indices into fired, by action group */
  uint32_t nalerts, nmodifiers, ncounsel, nmonitor;
  const uint32_t *alerts, *modifiers, *counsel, *monitor;
} aza_eval_result;

AZA_API aza_status aza_eval_arena_create(const aza_program *p,
                                         aza_alloc_fn alloc, void *ud,
                                         aza_eval_arena **out, aza_err *err);
AZA_API void aza_eval_arena_destroy(aza_eval_arena *a);

/*
** Evaluate every rule of p on f. Never allocates. Errors: AZA_EARG when an
** argument is NULL or the facts or arena were made for another program.
*/
AZA_API aza_status aza_eval_run(const aza_program *p, const aza_facts *f,
                                aza_eval_arena *a, aza_eval_result *res,
                                aza_err *err);

/* }==================================================================== */

#endif
