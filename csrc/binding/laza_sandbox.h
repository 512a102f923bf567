/*
** laza_sandbox.h
** The C half of the protocol sandbox (lua/aza/protocol/sandbox.lua): run a
** text chunk with an instruction budget and a memory cap.
*/
#ifndef laza_sandbox_h
#define laza_sandbox_h

#include "laza_compat.h"

/*
** Add sandbox_run, sandbox_tripped and sandbox_charge to the module table
** on the top of the stack. Called by luaopen_aza_core.
*/
void azaL_open_sandbox(lua_State *L);

#endif
