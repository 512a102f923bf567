/*
** fuzz_patient.c
** libFuzzer target that embeds Lua (see fuzz_lua.h): bytes as patient JSON
** through aza's own Lua — the strict JSON reader, the patient reader and
** the whole pipeline with the shipped ibd protocol. Each input must give a
** result or nil, message, "E_INPUT" (never a raised error), and a result's
** JSON must be valid UTF-8.
*/
#define FUZZ_MAX_LEN 65536

static const char *const SETUP =
    "local root = ...\n"
    "package.path = root .. '/lua/?.lua;' .. root .. '/lua/?/init.lua;' .. "
    "package.path\n"
    "local json = require 'aza.input.json'\n"
    "local render = require 'aza.render.json'\n"
    "local ibd = assert(require('aza.protocol').load('ibd'))\n"
    "return function(text)\n"
    "  local r, msg, code = ibd:evaluate(text, { as_of = '2026-11-21' })\n"
    "  if r then\n"
    "    assert(json.invalid_utf8(assert(render.render(r))) == nil, 'not "
    "UTF-8')\n"
    "  else\n"
    "    assert(code == 'E_INPUT' and type(msg) == 'string' and msg ~= '', "
    "msg)\n"
    "  end\n"
    "end\n";

#include "fuzz_lua.h"
