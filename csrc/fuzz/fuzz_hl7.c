/*
** fuzz_hl7.c
** libFuzzer target that embeds Lua (see fuzz_lua.h): bytes as an HL7 v2 text
** through aza's own Lua — the HL7 v2 grammar (lua/aza/grammar/hl7v2.lua).
** Each input must give the parsed messages or nil, message, "E_SYNTAX"
** (never a raised error), and every value read back must be a string.
*/
#define FUZZ_MAX_LEN 65536

static const char *const SETUP =
    "local root = ...\n"
    "package.path = root .. '/lua/?.lua;' .. root .. '/lua/?/init.lua;' .. "
    "package.path\n"
    "local hl7 = require 'aza.grammar.hl7v2'\n"
    "return function(text)\n"
    "  local doc, msg, code = hl7.parse(text)\n"
    "  if not doc then\n"
    "    assert(code == 'E_SYNTAX' and type(msg) == 'string' and msg ~= '', "
    "'failed silently')\n"
    "    return\n"
    "  end\n"
    "  for _, m in ipairs(doc.messages) do\n"
    "    for _, seg in ipairs(m.segments) do\n"
    "      for f = 1, 12 do\n"
    "        assert(type(hl7.value(seg, f, 1)) == 'string', 'not a string')\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n";

#include "fuzz_lua.h"
