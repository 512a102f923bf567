--- Load-time checks of a merged protocol, and the annotated (checked) AST.
--
-- Every error names the file and line of the rule (or of the protocol
-- field) and says what to change:
--
-- * a `when` that does not parse (with the column);
-- * an unknown fact or function (with the closest name);
-- * a dimension mismatch (`wbc < 3.5 mg`: "dimension of wbc is 1/volume,
--   got mass"), a unit that does not convert (annotations, arbitrary
--   units), a quantity fact compared with a bare number;
-- * a string fact compared with a quantity or a number, a word that the
--   fact never takes (`tpmt.phenotype == "poorr"`);
-- * a value used as a condition (`wbc and …`), a boolean, date or set fact
--   in a comparison;
-- * a function with the wrong arguments;
-- * an unknown or missing citation key, a duplicate rule id;
-- * a band with lo > hi (`parameters.…band`, `reduce{low=, high=}`);
-- * an unknown action, or an action with bad fields; an unknown rule field.
--
-- The checker annotates the AST for the compiler and the reference
-- evaluator (docs/internals/protocol-ast.md, "Checked AST").
--
-- @module aza.protocol.check

local source = require "aza.protocol.source"
local condition = require "aza.grammar.condition"
local facts = require "aza.protocol.facts"
local util = require "aza.util"

local error, ipairs, math, next, pcall, require, setmetatable, string, table, tostring, type =
  error, ipairs, math, next, pcall, require, setmetatable, string, table, tostring, type
local set_of = util.set_of

local M = {}

--- Alert kinds (design §7).
M.ALERT_KINDS = { "pharmacogenomic", "interaction", "pregnancy", "lactation", "lab", "infection",
                  "malignancy", "hypersensitivity", "vaccine", "renal", "exposure", "metabolite",
                  "monitoring", "input" }
--- Alert severities.
M.SEVERITIES = { "info", "warning", "critical" }
--- Action types.
M.ACTIONS = { "withhold", "contraindicate", "proceed", "need_data", "reduce", "cap", "set_dose",
              "alert", "monitor", "counsel" }

local ALERT_KIND_SET, SEVERITY_SET, ACTION_SET = set_of(M.ALERT_KINDS), set_of(M.SEVERITIES),
  set_of(M.ACTIONS)

local FACT_NAMES, FUNCTION_NAMES = {}, {}
for _, f in ipairs(facts.list) do
  FACT_NAMES[#FACT_NAMES + 1] = f.name
end
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

local function fact_entry(ctx, node)
  local f = facts.by_name[node.name]
  if not f then
    ctx.err(node.pos, "unknown fact '" .. node.name .. "'" .. did_you_mean(node.name, FACT_NAMES))
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

--- Check one condition string.
-- @tparam string when
-- @tparam[opt] table opts `units` (default `aza.units`)
-- @treturn table the checked AST, and the sorted list of facts it reads
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
  check_cond(ctx, ast)
  if #problems > 0 then
    return nil, problems
  end
  local reads = {}
  for name in next, ctx.reads do
    reads[#reads + 1] = name
  end
  table.sort(reads)
  return ast, reads
end

-- }===

-- {=== actions, bands, rules ===

local ACTION_FIELDS = {
  withhold = {}, contraindicate = {}, proceed = {},
  need_data = { facts = true },
  reduce = { percent = true, low = true, high = true, fraction = true },
  cap = { mg_per_kg_per_day = true, mg_per_day = true },
  set_dose = { mg_per_kg_per_day = true, mg_per_day = true, band = true,
               start_mg_per_kg_per_day = true, start_mg_per_day = true, start_weeks = true,
               weeks = true },
  alert = { kind = true, severity = true, message = true },
  monitor = { tests = true, every = true, weeks = true },
  counsel = { text = true },
}

local function positive(v)
  return type(v) == "number" and v > 0 and v == v and v < math.huge
end

local function string_list(v)
  if type(v) ~= "table" or #v == 0 then
    return false
  end
  for k, x in next, v do
    if type(k) ~= "number" or type(x) ~= "string" or x == "" then
      return false
    end
  end
  return true
end

-- per action type: validate the fields of a; err(msg); units for durations
local ACTION_CHECK = {}

function ACTION_CHECK.need_data(a, err)
  if not string_list(a.facts) then
    err('need_data needs a list of data names: need_data{"tpmt", "weight"}')
  end
end

local function percent_ok(v)
  return positive(v) and v <= 100
end

local function reduce_percent(a, err)
  if not percent_ok(a.percent) then
    err("reduce: percent must be a number in (0, 100], got " .. tostring(a.percent))
  end
  for _, f in ipairs { "low", "high" } do
    if a[f] ~= nil and not percent_ok(a[f]) then
      err("reduce: " .. f .. " must be a percentage in (0, 100], got " .. tostring(a[f]))
    end
  end
  if (a.low == nil) ~= (a.high == nil) then
    err("reduce: give both low and high (the band of the percentage), or neither")
  end
  if not (percent_ok(a.low) and percent_ok(a.high)) then
    return
  end
  if a.low > a.high then
    err("reduce: band lo > hi (low = " .. util.number(a.low) .. ", high = "
      .. util.number(a.high) .. "); swap them")
  elseif percent_ok(a.percent) and (a.percent < a.low or a.percent > a.high) then
    err("reduce: percent " .. a.percent .. " is outside its band " .. a.low .. "-" .. a.high)
  end
end

function ACTION_CHECK.reduce(a, err)
  if (a.percent == nil) == (a.fraction == nil) then
    err("reduce needs either percent (reduce{percent=50, low=30, high=80}) or fraction "
      .. "(reduce{fraction=0.25})")
  elseif a.percent ~= nil then
    reduce_percent(a, err)
  else
    if a.low ~= nil or a.high ~= nil then
      err("reduce: low and high go with percent, not fraction")
    end
    if not positive(a.fraction) or a.fraction > 1 then
      err("reduce: fraction must be a number in (0, 1], got " .. tostring(a.fraction))
    end
  end
end

function ACTION_CHECK.cap(a, err)
  local t = a.type
  if (a.mg_per_kg_per_day == nil) == (a.mg_per_day == nil) then
    err(t .. " needs one of mg_per_kg_per_day or mg_per_day: " .. t .. "{mg_per_kg_per_day=2}")
  end
  for _, f in ipairs { "mg_per_kg_per_day", "mg_per_day", "weeks" } do
    if a[f] ~= nil and not positive(a[f]) then
      err(t .. ": " .. f .. " must be a positive number, got " .. tostring(a[f]))
    end
  end
end

-- set_dose{ mg_per_kg_per_day = 1.0, band = {0.75, 1.25}, start_mg_per_kg_per_day = 0.5,
--           start_weeks = 4 }: a new standard dose with its own band and an optional start
local function set_dose_band(a, err)
  local b = a.band
  if b == nil then
    return
  end
  if a.mg_per_kg_per_day == nil then
    err("set_dose: band goes with mg_per_kg_per_day")
  elseif type(b) ~= "table" or not positive(b[1]) or not positive(b[2]) then
    err("set_dose: band must be { low, high } in mg/kg/day")
  elseif b[1] > b[2] then
    err("set_dose: band lo > hi (" .. util.number(b[1]) .. " > " .. util.number(b[2])
      .. "); swap them")
  elseif positive(a.mg_per_kg_per_day)
      and (a.mg_per_kg_per_day < b[1] or a.mg_per_kg_per_day > b[2]) then
    err("set_dose: " .. a.mg_per_kg_per_day .. " mg/kg/day is outside its band "
      .. b[1] .. "-" .. b[2])
  end
end

function ACTION_CHECK.set_dose(a, err)
  ACTION_CHECK.cap(a, err)
  set_dose_band(a, err)
  local start = a.start_mg_per_kg_per_day or a.start_mg_per_day
  local weeks = a.start_weeks or a.weeks   -- weeks is read as start_weeks
  if a.start_mg_per_kg_per_day ~= nil and a.start_mg_per_day ~= nil then
    err("set_dose: give start_mg_per_kg_per_day or start_mg_per_day, not both")
  elseif start ~= nil and not positive(start) then
    err("set_dose: the start dose must be a positive number")
  end
  if (start == nil) ~= (weeks == nil) then
    err("set_dose: a start dose and its weeks go together: set_dose{ mg_per_kg_per_day = 1.0, "
      .. "band = { 0.75, 1.25 }, start_mg_per_kg_per_day = 0.5, start_weeks = 4 }")
  elseif weeks ~= nil and (not positive(weeks) or weeks % 1 ~= 0 or weeks > 52) then
    err("set_dose: start_weeks must be a whole number of weeks (1-52)")
  end
end

function ACTION_CHECK.alert(a, err)
  if not ALERT_KIND_SET[a.kind] then
    err("alert: unknown kind '" .. tostring(a.kind) .. "'"
      .. did_you_mean(tostring(a.kind), M.ALERT_KINDS) .. " (kinds: "
      .. table.concat(M.ALERT_KINDS, ", ") .. ")")
  end
  if not SEVERITY_SET[a.severity] then
    err("alert: severity must be info, warning or critical, got " .. tostring(a.severity))
  end
  if a.message ~= nil and type(a.message) ~= "string" then
    err("alert: message must be a string")
  end
end

function ACTION_CHECK.monitor(a, err, units)
  if not string_list(a.tests) then
    err('monitor needs tests = {"fbc", …}')
  end
  if type(a.every) ~= "string" then
    err('monitor needs every = "1 wk" (a duration)')
  else
    local num, unit = string.match(a.every, "^%s*(%d+%.?%d*)%s+(%S+)%s*$")
    local info = unit and units.parse(unit)
    if not num or not info or info.dimension ~= "time" then
      err('monitor: every must be a duration such as "2 wk", got "' .. a.every .. '"')
    end
  end
  if a.weeks ~= nil and not positive(a.weeks) then
    err("monitor: weeks must be a positive number, got " .. tostring(a.weeks))
  end
end

function ACTION_CHECK.counsel(a, err)
  if type(a.text) ~= "string" or a.text == "" then
    err('counsel needs a text: counsel "…"')
  end
end

local function unknown_action_fields(a, err)
  local t = a.type
  local fields = ACTION_FIELDS[t]
  for k in next, a do
    if k ~= "type" and not (t == "need_data" and type(k) == "number") and not fields[k] then
      local names = {}
      for f in next, fields do
        names[#names + 1] = f
      end
      table.sort(names)
      err(t .. ": unknown field '" .. tostring(k) .. "'" .. did_you_mean(tostring(k), names))
    end
  end
end

-- one action; err(msg)
local function check_action(a, err, units)
  if type(a) ~= "table" then
    err("unknown action (a " .. type(a) .. "); use withhold, contraindicate, proceed, "
      .. "need_data{…}, reduce{…}, cap{…}, set_dose{…}, alert{…}, monitor{…} or counsel \"…\"")
    return
  end
  local t = a.type
  if not ACTION_SET[t] then
    err("unknown action '" .. tostring(t) .. "'" .. did_you_mean(tostring(t), M.ACTIONS)
      .. " (actions: " .. table.concat(M.ACTIONS, ", ") .. ")")
    return
  end
  unknown_action_fields(a, err)
  local f = ACTION_CHECK[t]
  if f then
    f(a, err, units)
  end
end

local function is_band_key(k)
  return type(k) == "string" and (k == "band" or string.sub(k, -5) == "_band")
end

local function band_bounds(v)
  if type(v) ~= "table" then
    return nil
  end
  local lo = v.lo or v.low or v.min or v[1]
  local hi = v.hi or v.high or v.max or v[2]
  if type(lo) == "number" and type(hi) == "number" then
    return lo, hi
  end
  return nil
end

-- walk parameters/data for bands with lo > hi
local function check_bands(t, path, report, seen)
  seen = seen or {}
  if seen[t] then
    return
  end
  seen[t] = true
  local keys = {}
  for k in next, t do
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    return tostring(a) < tostring(b)
  end)
  for _, k in ipairs(keys) do
    local v = t[k]
    local name = path .. "." .. tostring(k)
    if is_band_key(k) then
      local lo, hi = band_bounds(v)
      if lo and lo > hi then
        report(k, name .. ": band lo > hi (" .. util.number(lo) .. " > " .. util.number(hi)
          .. "); swap them")
      end
    end
    if type(v) == "table" then
      check_bands(v, name, report, seen)
    end
  end
end

local RULE_FIELD_LIST = { "when", "action", "cite", "message", "require" }
local RULE_FIELDS = set_of(RULE_FIELD_LIST)
for _, k in ipairs { "id", "file", "line" } do
  RULE_FIELDS[k] = true
end

local function check_rule_fields(r, err)
  for k in next, r do
    if not RULE_FIELDS[k] then
      err("unknown field '" .. tostring(k) .. "'" .. did_you_mean(tostring(k), RULE_FIELD_LIST)
        .. " (fields: " .. table.concat(RULE_FIELD_LIST, ", ") .. ")")
    end
  end
  if r.message ~= nil and type(r.message) ~= "string" then
    err("message must be a string")
  end
  if r.require ~= nil and type(r.require) ~= "boolean" then
    err("require must be true or false (true: ask for the facts it reads when they are missing)")
  end
end

local function check_rule_when(r, st, err)
  if type(r.when) ~= "string" then
    err('needs when = "…" (a condition such as "wbc < 3.5 10*9/L"), got ' .. type(r.when))
    return
  end
  local ast, reads = M.check_when(r.when, { units = st.units, state = st })
  if ast then
    r.ast = ast
    r.facts = reads
  else
    for _, problem in ipairs(reads) do
      err(problem.message)
    end
  end
end

local function check_rule_action(r, st, err)
  local action = r.action
  if action == nil then
    err("needs action = … (withhold, contraindicate, proceed, reduce{…}, alert{…}, …)")
  elseif type(action) == "table" and action.type == nil and #action > 0 then
    for i, a in ipairs(action) do
      check_action(a, function(m)
        err("action[" .. i .. "]: " .. m)
      end, st.units)
    end
  else
    check_action(action, function(m)
      err("action: " .. m)
    end, st.units)
  end
end

-- the sorted reference keys of a protocol and their list as text, made once per protocol
-- and only when a message needs them (a check per rule would be quadratic)
local ref_lists = setmetatable({}, { __mode = "k" })
local function reference_keys(refs)
  local c = ref_lists[refs]
  if not c then
    local keys = {}
    for k in next, refs do
      keys[#keys + 1] = tostring(k)
    end
    table.sort(keys)
    c = { keys = keys, known = #keys > 0 and table.concat(keys, ", ") or "(none)" }
    ref_lists[refs] = c
  end
  return c.keys, c.known
end

local function check_rule_cite(p, r, err)
  local cites = r.cite
  if type(cites) == "string" then
    cites = { cites }
  end
  local refs = p.references or {}
  if cites ~= nil and string_list(cites) then
    local all = true
    for _, c in ipairs(cites) do
      all = all and refs[c] ~= nil
    end
    if all then
      return
    end
  end
  local keys, known = reference_keys(refs)
  if cites == nil then
    err('needs cite = "key", a key of references (' .. known .. ")")
  elseif not string_list(cites) then
    err('cite must be a key string or a list of them, as in cite = "bsr2017"')
  else
    for _, c in ipairs(cites) do
      if refs[c] == nil then
        local hint = suggest(c, keys)
        err("unknown citation key '" .. c .. "'" .. (hint and (" (did you mean '" .. hint
          .. "'?)") or "") .. "; add it to references = { " .. c .. ' = "…" } or use one of: '
          .. known)
      end
    end
  end
end

local function check_rule(p, r, st, add)
  local function err(msg)
    add(r.file, r.line, "rule '" .. r.id .. "': " .. msg)
  end
  check_rule_fields(r, err)
  check_rule_when(r, st, err)
  check_rule_action(r, st, err)
  check_rule_cite(p, r, err)
end

-- protocol-level fields: id, version, references, required
local function check_head(p, add, locate)
  if type(p.id) ~= "string" or not string.find(p.id, "^[%w_%-%.]+$") then
    add(p.file, p.line, "protocol id must be letters, digits, '_', '-' or '.', got "
      .. (type(p.id) == "string" and ("'" .. util.printable(p.id) .. "'") or type(p.id)))
  end
  if type(p.version) ~= "string" then
    add(p.file, p.line, "protocol '" .. tostring(p.id) .. "' needs version = \"…\" "
      .. "(such as \"2026.1\")")
  end
  for k, v in next, p.references or {} do
    if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "table") then
      add(p.file, locate(p.file, tostring(k), p.line), "references: each entry is "
        .. 'key = "text" (got ' .. tostring(k) .. " = a " .. type(v) .. ")")
    end
  end
  for i, name in ipairs(p.required or {}) do
    if type(name) ~= "string" or not facts.by_name[name] then
      add(p.file, locate(p.file, "required", p.line), "required[" .. i .. "]: unknown fact '"
        .. tostring(name) .. "'" .. did_you_mean(tostring(name), FACT_NAMES))
    end
  end
end

-- bands with lo > hi in parameters and data, reported at the file that
-- last set them
local function check_all_bands(p, add, locate)
  for _, section in ipairs { "parameters", "data" } do
    if type(p[section]) == "table" then
      check_bands(p[section], section, function(key, msg)
        local file, line = p.file, p.line
        for _, o in ipairs(p.overrides or {}) do
          if string.find(msg, o.what, 1, true) == 1 then
            file, line = o.by, o.line
          end
        end
        if file == p.file then
          line = locate(file, key, p.line)
        end
        add(file, line, msg)
      end)
    end
  end
end

-- }===

--- Check a merged protocol (as aza.protocol.load builds it) and annotate
-- its rules (`rule.ast`, `rule.facts`).
-- @tparam table p the protocol
-- @tparam[opt] table opts `units` (default `aza.units`)
-- @tparam[opt] table errors a list to append to
-- @treturn {table,...} the errors `{file, line, message}` (empty when fine)
function M.check(p, opts, errors)
  opts = opts or {}
  errors = errors or {}
  local units = opts.units or default_units()
  local st = new_state(units)
  local function add(file, line, message)
    errors[#errors + 1] = { file = file, line = line, message = message }
  end
  local sources = {}
  for i, f in ipairs(p.files or {}) do
    sources[f] = (p.sources or {})[i]
  end
  local function locate(file, needle, from)
    local src = sources[file]
    if not src then
      return from
    end
    return source.locate(src, needle, from)
  end

  check_head(p, add, locate)
  check_all_bands(p, add, locate)
  -- rules
  local seen = {}
  for _, r in ipairs(p.rules or {}) do
    if seen[r.id] then
      local first = seen[r.id]
      add(r.file, r.line, "duplicate rule id '" .. r.id .. "' (first at " .. first.file .. ":"
        .. first.line .. "); rename one of them")
    else
      seen[r.id] = r
    end
    check_rule(p, r, st, add)
  end
  require("aza.protocol.params").check(p, add)
  return errors
end

return M
