--- Type checking of one `when` condition: facts and functions known, dimensions and
-- units that convert, words a fact can take, arguments of the right kind, values not
-- used as conditions. Annotates the AST for the compiler and the reference evaluator
-- (docs/internals/protocol-ast.md, "Checked AST"). Used by aza.protocol.check.
--
-- @module aza.protocol.typecheck

local source = require "aza.protocol.source"
local condition = require "aza.grammar.condition"
local facts = require "aza.protocol.facts"

local error, ipairs, next, pcall, require, string, table, tostring =
  error, ipairs, next, pcall, require, string, table, tostring

local M = {}

-- (the catalogue's own list: it grows when a protocol declares facts)
local FACT_NAMES, FUNCTION_NAMES = facts.names, {}
for name in next, facts.functions do
  FUNCTION_NAMES[#FUNCTION_NAMES + 1] = name
end
table.sort(FUNCTION_NAMES)

local function suggest(name, list)
  return source.suggest(name, list)
end

local function did_you_mean(name, list)
  local s = suggest(name, list)
  return s and ("; did you mean '" .. s .. "'?") or ""
end

local function default_units()
  local ok, units = pcall(require, "aza.units")
  if not ok then
    error("aza.protocol.check: aza.units is not available: " .. tostring(units), 3)
  end
  return units
end

-- {=== conditions ===

-- Per-check state: units, a cache of parsed units, the errors of one rule.
local function new_state(units)
  return { units = units, cache = {} }
end

local function parse_unit(st, u)
  local hit = st.cache[u]
  if hit == nil then
    local info, msg = st.units.parse(u)
    hit = info or { error = msg or "bad unit" }
    st.cache[u] = hit
  end
  if hit.error then
    return nil, hit.error
  end
  return hit
end

local function describe(node)
  if node.tag == "fact" then
    return node.name
  elseif node.tag == "qty" then
    return node.text
  elseif node.tag == "num" then
    return tostring(node.value)
  elseif node.tag == "str" then
    return '"' .. node.value .. '"'
  elseif node.tag == "call" then
    return node.name .. "(…)"
  end
  return "the expression at col " .. tostring(node.pos)
end

local function quote_words(words)
  return table.concat(words, ", ")
end

-- A value node's type: annotates node.type (and node.unit, node.dim);
-- returns true, or false after reporting (through ctx.err).
local value_type

-- the fact names a protocol may read: the shipped ones and those its chain declares
local function visible_names(site)
  local list = {}
  for _, name in ipairs(FACT_NAMES) do
    if not facts.by_name[name].site or site[name] then
      list[#list + 1] = name
    end
  end
  return list
end

local function fact_entry(ctx, node)
  local f = facts.by_name[node.name]
  -- a declared fact is known only to the protocols whose extends chain declares it
  if f and f.site and not (ctx.st.site or {})[node.name] then
    f = nil
  end
  if not f then
    ctx.err(node.pos, "unknown fact '" .. node.name .. "'"
      .. did_you_mean(node.name, visible_names(ctx.st.site or {})))
    return nil
  end
  node.slot = f.slot
  node.fact_type = f.type
  ctx.reads[f.name] = true
  return f
end

local function set_quantity(ctx, node, unit, what)
  local info, msg = parse_unit(ctx.st, unit)
  if not info then
    ctx.err(node.pos, what .. ": unit '" .. unit .. "': " .. tostring(msg))
    return false
  end
  node.type = "quantity"
  node.unit = info.ucum or unit
  node.dim = info.dimension
  return true
end

-- {=== function arguments, by kind: each returns true or reports ===

local ARG = {}

function ARG.string(ctx, node, a)
  if a.tag ~= "str" then
    ctx.err(a.pos, node.name .. "() needs a string such as " .. node.name .. '("…"), got '
      .. describe(a))
    return false
  end
  a.type = "string"
  return true
end

-- a fact argument; want: nil (any), "date" or "series"
local function fact_arg(ctx, node, a, want)
  if a.tag ~= "fact" then
    ctx.err(a.pos, node.name .. "() needs a fact name, got " .. describe(a))
    return false
  end
  local f = fact_entry(ctx, a)
  if not f then
    return false
  end
  if want == "date" and f.type ~= "date" then
    local hint = facts.by_name[a.name .. ".date"] and ("; use " .. a.name .. ".date") or ""
    ctx.err(a.pos, node.name .. "() needs a date fact, got " .. a.name .. " (a " .. f.type
      .. ")" .. hint)
    return false
  elseif want == "series" and not f.series then
    ctx.err(a.pos, node.name .. "() needs a lab test (wbc, creatinine, …), got " .. a.name)
    return false
  end
  a.type = f.type
  a.unit = f.unit
  return true
end

function ARG.fact(ctx, node, a)
  return fact_arg(ctx, node, a, nil)
end

function ARG.date(ctx, node, a)
  return fact_arg(ctx, node, a, "date")
end

function ARG.series(ctx, node, a)
  return fact_arg(ctx, node, a, "series")
end

function ARG.duration(ctx, node, a)
  if a.tag ~= "qty" then
    ctx.err(a.pos, node.name .. "() needs a duration such as 365 d, got " .. describe(a))
    return false
  end
  if not value_type(ctx, a) then
    return false
  end
  if a.dim ~= "time" then
    ctx.err(a.pos, node.name .. "() needs a duration: dimension of " .. a.text .. " is "
      .. tostring(a.dim) .. ", not time")
    return false
  end
  return true
end

function ARG.quantity(ctx, node, a)
  if not value_type(ctx, a) then
    return false
  end
  if a.type ~= "quantity" then
    ctx.err(a.pos, node.name .. "() needs quantities, got " .. describe(a) .. " (a "
      .. a.type .. ")")
    return false
  end
  return true
end

local function check_call_args(ctx, node, fn)
  local args = node.args
  if #args ~= #fn.args then
    ctx.err(node.pos, node.name .. "() takes " .. #fn.args .. " argument"
      .. (#fn.args == 1 and "" or "s") .. ", got " .. #args)
    return false
  end
  local ok = true
  for i, kind in ipairs(fn.args) do
    if not ARG[kind](ctx, node, args[i]) then
      ok = false
    end
  end
  return ok
end

-- }===

-- {=== values ===

-- the operands of * or /: numbers or quantities with a unit
local function arith_operand(ctx, node, x)
  local sym = node.tag == "mul" and "*" or "/"
  if x.type ~= "quantity" and x.type ~= "number" then
    ctx.err(x.pos, "'" .. sym .. "' needs numbers or quantities, got " .. describe(x)
      .. " (a " .. x.type .. ")")
    return false
  end
  if x.type == "quantity" and not x.unit then
    ctx.err(x.pos, describe(x) .. " has a method-specific unit and cannot be used in "
      .. "arithmetic; compare it with a quantity instead")
    return false
  end
  return true
end

-- the unit expression of a product or quotient (nil: both numbers)
local function arith_unit(node, a, b)
  if a.type == "number" and b.type == "number" then
    return nil
  elseif a.type == "number" then
    return node.tag == "mul" and b.unit or ("1/(" .. b.unit .. ")")
  elseif b.type == "number" then
    return a.unit
  end
  return "(" .. a.unit .. ")" .. (node.tag == "mul" and "." or "/") .. "(" .. b.unit .. ")"
end

-- combine units of a product or quotient through the unit parser
local function arith_type(ctx, node)
  local a, b = node[1], node[2]
  if not (value_type(ctx, a) and value_type(ctx, b)) then
    return false
  end
  if not (arith_operand(ctx, node, a) and arith_operand(ctx, node, b)) then
    return false
  end
  local expr = arith_unit(node, a, b)
  if expr == nil then
    node.type = "number"
    return true
  end
  local verb = node.tag == "mul" and "multiply" or "divide"
  local info, msg = parse_unit(ctx.st, expr)
  if info and info.special then
    info, msg = nil, "a special unit (such as Cel) takes no part in arithmetic"
  end
  if not info then
    ctx.err(node.pos, "cannot " .. verb .. " " .. describe(a) .. " and " .. describe(b) .. ": "
      .. tostring(msg))
    return false
  end
  node.type = "quantity"
  node.unit = info.ucum or expr
  node.dim = info.dimension
  return true
end

local VALUE = {}

function VALUE.fact(ctx, node)
  local f = fact_entry(ctx, node)
  if not f then
    return false
  end
  node.type = f.type
  if f.type == "quantity" and f.unit then
    return set_quantity(ctx, node, f.unit, "fact " .. f.name)
  elseif f.type == "string" then
    node.words = f.words
  end
  return true -- a quantity without unit (tpmt.activity): compared in the other side's unit
end

function VALUE.qty(ctx, node)
  local info, msg = parse_unit(ctx.st, node.unit)
  if not info then
    ctx.err(node.pos, "expected a unit after '" .. string.match(node.text, "^%S+") .. "': "
      .. tostring(msg))
    return false
  end
  node.type = "quantity"
  node.ucum = info.ucum or node.unit
  node.dim = info.dimension
  return true
end

function VALUE.num(_, node)
  node.type = "number"
  return true
end

function VALUE.str(_, node)
  node.type = "string"
  return true
end

VALUE.mul = arith_type
VALUE.div = arith_type

function VALUE.call(ctx, node)
  local fn = facts.functions[node.name]
  if not fn then
    ctx.err(node.pos, "unknown function '" .. node.name .. "'"
      .. did_you_mean(node.name, FUNCTION_NAMES) .. " (functions: "
      .. table.concat(FUNCTION_NAMES, ", ") .. ")")
    return false
  end
  if not check_call_args(ctx, node, fn) then
    return false
  end
  for _, r in ipairs(fn.reads or {}) do
    ctx.reads[r] = true
  end
  node.type = fn.result
  if fn.result == "quantity" then
    node.bare_ok = true -- a bare number compared with it is read in its unit
    return set_quantity(ctx, node, fn.unit, node.name .. "()")
  end
  if node.name == "ratio" then
    local a, b = node.args[1], node.args[2]
    if a.dim and b.dim and a.dim ~= b.dim then
      ctx.err(node.pos, "ratio() needs two quantities of the same dimension: "
        .. describe(a) .. " is " .. a.dim .. ", " .. describe(b) .. " is " .. b.dim)
      return false
    end
  end
  return true
end

value_type = function(ctx, node)
  local f = VALUE[node.tag]
  if not f then
    ctx.err(node.pos or 1, "expected a value")
    return false
  end
  return f(ctx, node)
end

-- }===

-- {=== comparisons ===

local OPS_ORDER = { ["<"] = true, ["<="] = true, [">"] = true, [">="] = true }

local function not_comparable(ctx, x)
  local d = describe(x)
  if x.type == "boolean" then
    ctx.err(x.pos, d .. " is a boolean: use it as a condition (" .. d .. ", not " .. d .. ")")
  elseif x.type == "date" then
    ctx.err(x.pos, d .. " is a date: compare days_since(" .. d .. ") or weeks_since(" .. d
      .. ") instead")
  elseif x.type == "set" then
    ctx.err(x.pos, d .. " is a set: use has(\"…\"), taking(\"…\"), planned(\"…\"), "
      .. "allergic(\"…\") or ancestry(\"…\")")
  else
    return false
  end
  return true
end

local function check_word(ctx, fnode, snode)
  local words = fnode.words
  if words and snode.tag == "str" then
    for _, w in ipairs(words) do
      if w == snode.value then
        return true
      end
    end
    ctx.err(snode.pos, '"' .. snode.value .. '" is not a value of ' .. fnode.name
      .. did_you_mean(snode.value, words) .. " (values: " .. quote_words(words) .. ")")
    return false
  end
  return true
end

local function cmp_strings(ctx, node, l, r)
  local sfact = l.type == "string" and l or r
  local other = sfact == l and r or l
  if other.type ~= "string" then
    if sfact.tag == "fact" then
      ctx.err(other.pos, "comparing the string fact " .. sfact.name .. " with "
        .. describe(other) .. "; compare it with a string"
        .. (sfact.words and (" (one of " .. quote_words(sfact.words) .. ")") or "")
        .. " such as " .. sfact.name .. ' == "…"')
    else
      ctx.err(sfact.pos, "comparing the string " .. describe(sfact) .. " with "
        .. describe(other) .. " (a " .. other.type .. ")")
    end
    return false
  end
  if OPS_ORDER[node.op] then
    ctx.err(node.pos, "strings are compared with == or != only, got '" .. node.op .. "'")
    return false
  end
  node.kind = "string"
  if l.tag == "fact" then
    return check_word(ctx, l, r)
  elseif r.tag == "fact" then
    return check_word(ctx, r, l)
  end
  return true
end

local function cmp_quantities(ctx, node, l, r)
  if not l.unit and not r.unit then
    ctx.err(node.pos, "cannot compare two method-specific quantities")
    return false
  end
  local fixed, lit = l, r
  if not l.unit then
    fixed, lit = r, l
  end
  node.kind = "quantity"
  node.unit = fixed.unit
  if not lit.unit then
    return true -- tpmt.activity: compared in the other side's unit
  end
  if fixed.dim ~= lit.dim then
    ctx.err(lit.pos, "dimension of " .. describe(fixed) .. " is " .. tostring(fixed.dim)
      .. ", got " .. tostring(lit.dim) .. " (" .. describe(lit) .. "); write it in "
      .. fixed.unit .. " or another unit of that dimension")
    return false
  end
  local units = ctx.st.units
  if units.compatible and not units.compatible(lit.unit, fixed.unit) then
    ctx.err(lit.pos, describe(lit) .. " does not convert to " .. fixed.unit .. " ("
      .. describe(fixed) .. "): the units differ in annotation or arbitrary unit; write it in "
      .. fixed.unit)
    return false
  end
  return true
end

-- a quantity and a bare number
local function cmp_bare(ctx, node, l, r)
  local q, n = l, r
  if l.type == "number" then
    q, n = r, l
  end
  if q.bare_ok or q.dim == "1" then
    node.kind = "quantity"
    node.unit = q.unit
    n.unit = q.unit
    return true
  end
  if not q.unit then
    ctx.err(n.pos, describe(q) .. " has a method-specific unit: give the number a unit, "
      .. "such as " .. describe(n) .. " nmol/h/g{Hb}")
  else
    ctx.err(n.pos, describe(q) .. " is a quantity in " .. q.unit .. ": give the number a unit, "
      .. "as in " .. describe(n) .. " " .. q.unit)
  end
  return false
end

local function check_cmp(ctx, node)
  local l, r = node.lhs, node.rhs
  local okl, okr = value_type(ctx, l), value_type(ctx, r)
  if not (okl and okr) or not_comparable(ctx, l) or not_comparable(ctx, r) then
    return false
  end
  if l.type == "string" or r.type == "string" then
    return cmp_strings(ctx, node, l, r)
  elseif l.type == "number" and r.type == "number" then
    node.kind = "number"
    return true
  elseif l.type == "quantity" and r.type == "quantity" then
    return cmp_quantities(ctx, node, l, r)
  end
  return cmp_bare(ctx, node, l, r)
end

local function check_in(ctx, node)
  local l = node.lhs
  if not value_type(ctx, l) then
    return false
  end
  if l.type == "set" then
    ctx.err(l.pos, l.name .. " is a set: use has(\"…\"), taking(\"…\"), … for membership")
    return false
  end
  if l.type ~= "string" then
    ctx.err(l.pos, "'in' needs a string fact on its left, got " .. describe(l) .. " (a "
      .. l.type .. ")")
    return false
  end
  node.kind = "string"
  local ok = true
  if l.words then
    for _, w in ipairs(node.set) do
      if not check_word(ctx, l, { tag = "str", value = w, pos = node.pos }) then
        ok = false
      end
    end
  end
  return ok
end

-- }===

-- {=== conditions ===

local COND = {}
local check_cond

function COND.both(ctx, node)
  local a = check_cond(ctx, node[1])
  local b = check_cond(ctx, node[2])
  return a and b
end
COND["and"] = COND.both
COND["or"] = COND.both

COND["not"] = function(ctx, node)
  return check_cond(ctx, node[1])
end

function COND.bool()
  return true
end

COND.cmp = check_cmp
COND["in"] = check_in

function COND.fact(ctx, node)
  local f = fact_entry(ctx, node)
  if not f then
    return false
  end
  if f.type ~= "boolean" then
    local example = ""
    if f.type == "quantity" then
      example = " such as " .. f.name .. " < 1 " .. (f.unit or "…")
    elseif f.type == "string" then
      example = " such as " .. f.name .. ' == "…"'
    elseif f.type == "date" then
      example = " (days_since(" .. f.name .. ") > 28), or use known(" .. f.name .. ")"
    end
    ctx.err(node.pos, f.name .. " is a " .. f.type .. ", not a condition; compare it" .. example)
    return false
  end
  return true
end

function COND.call(ctx, node)
  local fn = facts.functions[node.name]
  local ok = value_type(ctx, node)
  if ok and fn.result ~= "boolean" then
    ctx.err(node.pos, node.name .. "() gives a value, not a condition; compare it, as in "
      .. node.name .. "(…) > 1")
    ok = false
  end
  return ok
end

check_cond = function(ctx, node)
  local f = COND[node.tag]
  local ok
  if f then
    ok = f(ctx, node)
  else
    ctx.err(node.pos or 1, describe(node) .. " is a value, not a condition")
    ok = false
  end
  node.type = "boolean"
  return ok
end

-- }===

-- {=== parameters as thresholds: params.NAME ===

local PARAMS = "params."

-- the literal node of a parameter value: a number, a quantity text ("140 10*9/L"), another
-- text (a word), a boolean; or nil, message
local function param_literal(value, pos, units)
  local t = type(value)
  if t == "number" then
    return { tag = "num", value = value, pos = pos }
  elseif t == "boolean" then
    return { tag = "bool", value = value, pos = pos }
  elseif t == "string" then
    -- a number first: a quantity literal, read as the condition language reads one
    if string.find(value, "^%s*[-+]?[%d.]") then
      local cmp, msg = condition.parse("x < " .. value, units)
      local node = cmp and cmp.tag == "cmp" and cmp.rhs
      if not node or (node.tag ~= "qty" and node.tag ~= "num") then
        return nil, "\"" .. value .. "\" is not a quantity such as \"140 10*9/L\""
          .. (msg and (": " .. string.gsub(msg, " at col %d+: .*$", "")) or "")
      end
      node.pos = pos
      return node
    end
    return { tag = "str", value = value, pos = pos }
  end
  return nil, "is a " .. t .. "; a threshold is a number, a quantity such as \"140 10*9/L\", "
    .. "a word or true/false"
end

-- the value of parameters.A.B for the name "A.B", or nil
local function param_value(params, name)
  local v = params
  for part in string.gmatch(name, "[^.]+") do
    if type(v) ~= "table" then
      return nil
    end
    v = v[part]
  end
  return v
end

-- replace each params.NAME fact node by the parameter's value (the protocol's parameters
-- after extends); `used` collects NAME -> the value as written. Problems through ctx.err.
local function substitute_params(ctx, node, params, used)
  if type(node) ~= "table" then
    return node
  end
  if node.tag == "fact" and string.sub(node.name, 1, #PARAMS) == PARAMS then
    local name = string.sub(node.name, #PARAMS + 1)
    local v = param_value(params or {}, name)
    if v == nil then
      ctx.err(node.pos, "unknown parameter '" .. name .. "' (" .. node.name .. "): set "
        .. "parameters." .. name .. " in the protocol or one it extends")
      return node
    end
    local lit, msg = param_literal(v, node.pos, ctx.st.units)
    if not lit then
      ctx.err(node.pos, "parameters." .. name .. " " .. msg)
      return node
    end
    lit.param = name
    used[name] = v
    return lit
  end
  for k, child in next, node do
    if type(child) == "table" and k ~= "param" then
      node[k] = substitute_params(ctx, child, params, used)
    end
  end
  return node
end

-- }===

--- Check one condition string.
-- @tparam string when
-- @tparam[opt] table opts `units` (default `aza.units`), `params` (the protocol's
--   parameters: `params.NAME` in the condition reads parameters.NAME)
-- @treturn table the checked AST, the sorted list of facts it reads, and the parameters it
--   reads (`{NAME = value}`, empty when none)
-- @return[2] nil
-- @treturn[2] {table,...} problems `{pos, message}` (message with the column)
function M.check_when(when, opts)
  opts = opts or {}
  local units = opts.units or default_units()
  local st = opts.state or new_state(units)
  local ast, msg, _, pos = condition.parse(when, units)
  if not ast then
    return nil, { { pos = pos, message = "when: " .. msg } }
  end
  local problems = {}
  local ctx = {
    st = st, when = when, reads = {},
    err = function(p, m)
      problems[#problems + 1] = { pos = p, message = m .. " (col " .. tostring(p) .. " of \""
        .. when .. "\")" }
    end,
  }
  local used = {}
  ast = substitute_params(ctx, ast, opts.params, used)
  if #problems > 0 then
    return nil, problems
  end
  check_cond(ctx, ast)
  if #problems > 0 then
    return nil, problems
  end
  local reads = {}
  for name in next, ctx.reads do
    reads[#reads + 1] = name
  end
  table.sort(reads)
  return ast, reads, used
end

-- }===

--- A fresh checking state for `units` (the unit cache of one protocol's checks).
M.new_state = new_state
M.suggest = suggest
M.did_you_mean = did_you_mean
M.default_units = default_units
M.parse_unit = parse_unit
--- The names of the fact catalogue.
M.FACT_NAMES = FACT_NAMES

return M
