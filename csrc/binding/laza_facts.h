/*
** laza_facts.h
** Filling an aza_facts object from the Lua table of slot values.
*/
#ifndef laza_facts_h
#define laza_facts_h

#include "laza_compat.h"

#include "aza_eval.h"

/*
** Clear f and fill it from the table at stack index 2 (values[slot],
** 1-based) and the as_of day at index 3 (a number or nil). A value is a
** number (num, date), {number, "<"|"<="|">"|">="} (a num known only as a
** bound), a string (str), a boolean (bool), a list of strings (set) or a
** list of {day, value} (series); nil is unknown. A value of the wrong type
** raises a Lua error naming the fact; a core failure is AZA_OK's opposite
** with err set.
*/
aza_status azaL_fill_facts(lua_State *L, const aza_program *p, aza_facts *f,
                           aza_err *err);

#endif
