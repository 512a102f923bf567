--- The condition language of protocol rules (LPeg) → AST.
--
-- `wbc < 3.5 10*9/L`, `alt > 2 * alt.uln`, `tpmt.phenotype == "poor"`,
-- `nudt15.phenotype in {"intermediate", "possible_intermediate"}`,
-- `not pregnant and (taking("allopurinol") or planned("allopurinol"))`,
-- `weeks_since(azathioprine.started) < 8`, `rise_percent(creatinine, 365 d) > 30 %`.
--
-- Precedence, loosest first: `or`, `and`, `not`, comparison (`<` `<=` `>`
-- `>=` `==` `!=` `in`), `*` `/`. A quantity literal is a number, one or
-- more spaces and a unit (UCUM or an accepted lab alias); the unit is
-- validated with `aza.units` (injectable). The AST is the contract of
-- docs/internals/protocol-ast.md; every node carries `pos`, the 1-based
-- column in the condition string.
--
-- The grammar only builds the AST: no evaluation, no side effects, and
-- every pattern is built once when the module loads. Errors are values:
-- `nil, message, "E_SYNTAX", pos`, the message quoting the input near `pos`
-- with its column (`expected a unit after '3.5' at col 10: wbc < 3.5 mgg`).
--
-- @module aza.grammar.condition
-- @usage
-- local condition = require "aza.grammar.condition"
-- local ast = assert(condition.parse('tpmt.phenotype == "poor"'))
-- --> {tag="cmp", op="==", lhs={tag="fact", name="tpmt.phenotype", pos=1},
-- --   rhs={tag="str", value="poor", pos=19}, pos=1}

local lpeg = require "lpeg"
local lex = require "aza.grammar.lexical"

local error, ipairs, math, pairs, pcall, require, string, table, tostring, type =
  error, ipairs, math, pairs, pcall, require, string, table, tostring, type
local tonumber = require("aza.compat").tonumber

local P, S, C, Cc, Cp, Ct, V = lpeg.P, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cp, lpeg.Ct, lpeg.V

local M = {}

--- Longest condition accepted, in bytes.
M.MAX_LENGTH = 4000

local ws, space, alpha, alnum = lex.ws, lex.space, lex.alpha, lex.alnum

-- {=== node builders (pure functions of their captures) ===

local function mk_fact(pos, name)
  return { tag = "fact", name = name, pos = pos }
end

local function mk_num(pos, text, e)
  if e then
    -- a number directly followed by a letter or ",digit": report that
    e.msg = e.msg == "unit" and "expected a space between '" .. text .. "' and its unit"
      or "use '.' as the decimal separator"
    return e
  end
  return { tag = "num", value = tonumber(text), pos = pos }
end

local function mk_qty(pos, text, unit)
  return { tag = "qty", value = tonumber(text), unit = unit, text = text .. " " .. unit, pos = pos }
end

local function mk_str(pos, value)
  if type(value) == "table" then
    value.pos = pos -- an unterminated string: report its opening quote
    return value
  end
  return { tag = "str", value = value, pos = pos }
end

local function mk_bool(pos, word)
  return { tag = "bool", value = word == "true", pos = pos }
end

-- an error node e that follows a complete node is kept in node.err, so
-- that parse finds it (errors end the parse, see mk_err)
local function attach(node, e)
  if e ~= nil then
    node.err = e
  end
  return node
end

local function mk_call(pos, name, args, e)
  return attach({ tag = "call", name = name, args = args, pos = pos }, e)
end

local function mk_not(pos, a)
  return { tag = "not", a, pos = pos }
end

local function mk_cmp(pos, lhs, op, rhs)
  return { tag = "cmp", op = op, lhs = lhs, rhs = rhs, pos = pos }
end

local function mk_in(pos, lhs, set)
  return { tag = "in", lhs = lhs, set = set, pos = pos }
end

-- left fold of {a, op, b, op, c, ...} for * and /
local function fold_arith(list)
  local acc = list[1]
  for i = 2, #list - 1, 2 do
    local op, rhs = list[i], list[i + 1]
    acc = { tag = op == "*" and "mul" or "div", acc, rhs, pos = acc.pos }
  end
  return acc
end

-- left fold of {a, b, c} with one boolean operator
local function folder(tag)
  return function(list)
    local acc = list[1]
    for i = 2, #list do
      acc = { tag = tag, acc, list[i], pos = acc.pos }
    end
    return acc
  end
end

-- an error node: consumes the rest of the input so that the match as a
-- whole succeeds and the node reaches the caller (see parse)
local function mk_err(pos, msg, got, rest)
  return { tag = "error", pos = pos, msg = msg, got = got, near = rest }
end

-- got: whether the message ends with ", got 'TOKEN'"
local function err(msg, got)
  return Cp() * Cc(msg) * Cc(got ~= false) * C(P(1) ^ 0) / mk_err
end

-- }===

-- {=== tokens ===

local function sym(s)
  return P(s) * ws
end

local function kw(w)
  return P(w) * -alnum * ws
end

local number_text = lex.number_text
-- a number directly followed by a letter or by ",digit" is a mistake
local number_tail = #alpha * err("unit", false) + #(P "," * lex.digit) * err("comma", false)
local qty = Cp() * C(number_text) * space ^ 1 * lex.unit / mk_qty * ws
local num = Cp() * C(number_text) * (number_tail + ws) / mk_num
local numeric = qty + num

local str = Cp() * P '"' * (lex.string_body * P '"' * ws
  + err([[unterminated string (or a bad escape: only \" and \\)]], false)) / mk_str

local name = lex.dotted_name
local cmp_op = C(P "<=" + P ">=" + P "==" + P "!=" + P "<" + P ">") * ws
local keyword_true = Cp() * C(P "true" + P "false") * -alnum * ws / mk_bool

-- }===

local grammar = P {
  "top",
  top = Ct(ws * (#(P(1)) * V "or_" + err "expected a condition") * (-P(1) + Cp() * C(P(1) ^ 1)
    / function(pos, rest)
      return mk_err(pos, nil, false, rest)
    end)),

  or_ = Ct(V "and_" * (kw "or" * (V "and_" + err "expected a condition after 'or'")) ^ 0)
    / folder "or",
  and_ = Ct(V "not_" * (kw "and" * (V "not_" + err "expected a condition after 'and'")) ^ 0)
    / folder "and",
  not_ = Cp() * kw "not" * (V "not_" + err "expected a condition after 'not'") / mk_not
    + V "prim",
  prim = V "comparison"
    + sym "(" * (V "or_" * (sym ")" + err "expected ')'") / attach
      + err "expected a condition after '('")
    + keyword_true
    + V "call"
    + Cp() * name * ws / mk_fact,

  comparison = Cp() * V "value" * (
    cmp_op * (V "value" + err "expected a value after the operator") / function(op, rhs)
      if rhs.msg == "expected a value after the operator" then
        rhs.msg = "expected a value after '" .. op .. "'"
      end
      return "cmp", op, rhs
    end
    + kw "in" * (V "set" + err "expected a set such as {\"a\", \"b\"} after 'in'")
    / function(set, e)
      return "in", attach(set, e)
    end
  ) / function(pos, lhs, kind, a, b)
    if kind == "cmp" then
      return mk_cmp(pos, lhs, a, b)
    end
    return mk_in(pos, lhs, a)
  end,

  set = sym "{" * Ct(
    (lex.string * ws + err "expected a string in the set")
    * (sym "," * (lex.string * ws + err "expected a string after ','")) ^ 0
  ) * (sym "}" + err "expected ',' or '}' in the set"),

  value = Ct(V "term" * (C(S "*/") * ws * (V "term" + err "expected a value after '*' or '/'"))
    ^ 0) / fold_arith,

  term = numeric + str + V "call" + Cp() * name * ws / mk_fact
    + sym "(" * V "value" * sym ")",

  call = Cp() * lex.ident * ws * sym "(" * Ct(
    (V "value" * (sym "," * (V "value" + err "expected an argument after ','")) ^ 0) ^ -1
  ) * (sym ")" + err "expected ',' or ')' in the arguments") / mk_call,
}

-- {=== error reporting ===

-- the token at the start of `rest`, for messages
local function first_token(rest)
  local t = lpeg.match(C(lex.number_text) + C(alnum ^ 1) + C(P "<=" + ">=" + "==" + "!="
    + "~=" + "&&" + "||") + C(lpeg.R "\192\255" * lpeg.R "\128\191" ^ 0) + C(P(1)), rest)
  return t or ""
end

local function trailing_message(rest)
  local tok = first_token(rest)
  local two = string.sub(rest, 1, 2)
  if two == "~=" then
    return "unexpected '~='; use '!=' for 'not equal'"
  elseif two == "&&" then
    return "unexpected '&&'; use 'and'"
  elseif two == "||" then
    return "unexpected '||'; use 'or'"
  elseif string.sub(rest, 1, 1) == "=" then
    return "unexpected '='; use '==' to compare"
  elseif tok == ")" then
    return "unexpected ')' with no matching '('"
  elseif tok == "<" or tok == ">" or tok == "<=" or tok == ">=" or tok == "==" or tok == "!=" then
    return "unexpected '" .. tok .. "'; comparisons do not chain: write a < b and b < c"
  end
  return "unexpected '" .. tok .. "'; expected 'and', 'or' or the end of the condition"
end

-- the input near pos, on one line
local function snippet(s, pos)
  s = string.gsub(s, "[\r\n\t]", " ")
  if #s <= 72 then
    return s
  end
  local from = math.max(1, pos - 30)
  local to = math.min(#s, pos + 30)
  return (from > 1 and "..." or "") .. string.sub(s, from, to) .. (to < #s and "..." or "")
end

--- Format a message quoting the input near a column.
-- @tparam string what the message (`"expected ')'"`)
-- @tparam string s the condition
-- @tparam integer pos 1-based column
-- @treturn string `what at col POS: INPUT`
function M.format_error(what, s, pos)
  return what .. " at col " .. pos .. ": " .. snippet(s, pos)
end

-- all error nodes and quantity/number nodes, in no particular order
local function collect(node, errs, lits)
  if type(node) ~= "table" then
    return
  end
  if node.tag == "error" then
    errs[#errs + 1] = node
    return
  elseif node.tag == "qty" or node.tag == "num" then
    lits[#lits + 1] = node
  end
  for _, v in pairs(node) do
    if type(v) == "table" then
      collect(v, errs, lits)
    end
  end
end

local function default_units()
  local ok, units = pcall(require, "aza.units")
  if not ok then
    error("aza.grammar.condition: aza.units is not available (" .. tostring(units)
      .. "); pass a units table with a parse function", 3)
  end
  return units
end

-- }===

--- Parse a condition.
-- @tparam string s the condition (`when` of a rule)
-- @tparam[opt] table units an object with `parse(unit)` returning a table or
--   `nil, message, code` (default: `require "aza.units"`, loaded lazily);
--   `false` skips unit validation
-- @treturn table the AST (docs/internals/protocol-ast.md)
-- @return[2] nil
-- @treturn[2] string message with the column and the input near it
-- @treturn[2] string `"E_SYNTAX"`
-- @treturn[2] integer 1-based column
-- @usage local ast, msg, code, pos = condition.parse("wbc < 3.5 mgg")
-- --> nil, "expected a unit after '3.5' at col 10: wbc < 3.5 mgg", "E_SYNTAX", 10
function M.parse(s, units)
  if type(s) ~= "string" then
    return nil, "condition must be a string, got " .. type(s), "E_SYNTAX", 1
  end
  if #s > M.MAX_LENGTH then
    return nil, M.format_error("condition too long (" .. #s .. " bytes; at most "
      .. M.MAX_LENGTH .. ")", s, M.MAX_LENGTH + 1), "E_SYNTAX", M.MAX_LENGTH + 1
  end
  if string.find(s, "^%s*$") then
    return nil, "empty condition", "E_SYNTAX", 1
  end
  local ok, list = pcall(lpeg.match, grammar, s)
  if not ok then
    -- LPeg's backtrack stack (lpeg.setmaxstack, 400 by default) and its
    -- capture nesting limit bound the nesting depth: about 30 levels of
    -- parentheses ("backtrack stack overflow", "too many pending calls",
    -- "subcapture nesting too deep", found by csrc/fuzz/fuzz_condition.c)
    if type(list) == "string" and (string.find(list, "overflow", 1, true)
        or string.find(list, "too many", 1, true) or string.find(list, "too deep", 1, true)) then
      return nil, M.format_error("condition nested too deeply", s, 1), "E_SYNTAX", 1
    end
    error(list, 0)
  end
  if type(list) ~= "table" or type(list[1]) ~= "table" then
    return nil, M.format_error("expected a condition", s, 1), "E_SYNTAX", 1
  end
  if units == nil then
    units = default_units()
  end
  local problems = M.problems(list, units)
  if #problems > 0 then
    local p = problems[1]
    return nil, M.format_error(p[2], s, p[1]), "E_SYNTAX", p[1]
  end
  return list[1]
end

--- The problems of a raw parse: error nodes, numbers out of range, units
-- that do not parse. Internal; exposed for tests.
-- @tparam table list the captures of the grammar
-- @tparam table|false units
-- @treturn {table,...} `{pos, message}`, earliest first
function M.problems(list, units)
  local errs, lits = {}, {}
  collect(list, errs, lits)
  local problems = {}
  for _, e in ipairs(errs) do
    local msg = e.msg
    if msg == nil then
      msg = trailing_message(e.near)
    elseif e.got then
      msg = msg .. (e.near == "" and ", got the end" or ", got '" .. first_token(e.near) .. "'")
    end
    problems[#problems + 1] = { e.pos, msg }
  end
  for _, lit in ipairs(lits) do
    local v = lit.value
    if v == nil or v ~= v or v == math.huge or v == -math.huge then
      problems[#problems + 1] = { lit.pos, "number out of range" }
    elseif lit.tag == "qty" and units and not units.parse(lit.unit) then
      local numtext = string.match(lit.text, "^%S+")
      problems[#problems + 1] = { lit.pos + #numtext, "expected a unit after '" .. numtext .. "'" }
    end
  end
  table.sort(problems, function(a, b)
    return a[1] < b[1]
  end)
  return problems
end

--- The unanchored patterns, for composition (`M.patterns.value`).
M.patterns = { grammar = grammar, qty = qty, number = num, string = str, name = name }

return M
