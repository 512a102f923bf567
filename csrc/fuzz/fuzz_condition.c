/*
** fuzz_condition.c
** libFuzzer target that embeds Lua (the build's Lua): bytes as a rule
** condition through aza's own Lua — the LPeg condition grammar, the
** checker (fact names, dimensions) and the compiler down to the binding's
** description -> aza.Program step. The
** aza.core module is linked in (package.preload); LPeg comes from the
** system. A finding is any Lua error raised instead of returned, or a
** failure without a message.
*/
#define FUZZ_MAX_LEN 4096

static const char *const SETUP =
    "local root = ...\n"
    "package.path = root .. '/lua/?.lua;' .. root .. '/lua/?/init.lua;' .. "
    "package.path\n"
    "local check = require 'aza.protocol.check'\n"
    "local compile = require 'aza.protocol.compile'\n"
    "local withhold = require('aza.protocol.dsl').names({}).withhold\n"
    "return function(text)\n"
    "  local info, problems = check.check_when(text)\n"
    "  if not info then\n"
    "    assert(type(problems) == 'table' and #problems > 0, 'no problems')\n"
    "    for _, p in ipairs(problems) do\n"
    "      assert(type(p.message) == 'string' and p.message ~= '', 'empty')\n"
    "    end\n"
    "    return\n"
    "  end\n"
    "  local prog, msg = compile.compile { id = 'f', version = '1', hash = "
    "'0',\n"
    "    rules = { { id = 'r', when = text, action = withhold, cite = 'x' } } "
    "}\n"
    "  if not prog then\n"
    "    assert(type(msg) == 'string' and msg ~= '', 'compile failed "
    "silently')\n"
    "    return\n"
    "  end\n"
    "end\n";

#include "fuzz_lua.h"
