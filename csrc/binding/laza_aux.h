/*
** laza_aux.h
** Shared helpers of the Lua binding (the only C that sees Lua).
** Three error lanes (style.md 7.3): API misuse raises (luaL_argerror);
** operator failures raise "aza: <message> (E_CODE)"; named fallible
** operations return the fail triple nil, message, code.
*/
#ifndef laza_aux_h
#define laza_aux_h

#include "laza_compat.h"

#include "aza_unit.h"

#define AZA_QTY_T "aza.Quantity"

/* push nil, err->msg, aza_status_name(err->code); returns 3 */
int azaL_pushfail(lua_State *L, const aza_err *err);

/* raise "aza: <msg> (E_CODE)" from an operator; never returns */
int azaL_raise(lua_State *L, const aza_err *err);

/* push a new immutable aza.Quantity holding a copy of *q */
void azaL_pushqty(lua_State *L, const aza_qty *q);

/* the Quantity at idx, or NULL when it is not one */
const aza_qty *azaL_testqty(lua_State *L, int idx);

/*
** Coerce the value at idx to a quantity: an aza.Quantity, or a string
** such as "70 kg". Returns AZA_OK or fills err (AZA_EARG for other types).
*/
aza_status azaL_toqty(lua_State *L, int idx, aza_qty *out, aza_err *err);

/*
** Openers: each adds its functions to the module table on the top of the
** stack and registers any metatable it needs. Called by luaopen_aza_core.
*/
void azaL_open_qty(lua_State *L);

/* aza.core.json_decode (laza_json.c) */
void azaL_open_json(lua_State *L);
void azaL_open_dose(lua_State *L);

#endif
