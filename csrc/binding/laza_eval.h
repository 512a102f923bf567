/*
** laza_eval.h
** The aza.Program userdata: a compiled rule program (csrc/core/aza_eval.h)
** built from the description table of lua/aza/protocol/compile.lua.
*/
#ifndef laza_eval_h
#define laza_eval_h

#include "laza_compat.h"

/*
** Add program() to the module table on the top of the stack and register
** the aza.Program metatable. Called by luaopen_aza_core.
*/
void azaL_open_eval(lua_State *L);

#endif
