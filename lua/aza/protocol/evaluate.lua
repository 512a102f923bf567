--- Evaluation of a compiled protocol on a patient's facts.
--
-- Facts are a Lua table of fact name (`aza.protocol.facts`) → value, plus
-- `as_of` (the day of the evaluation). Values:
--
-- * quantity facts: an `aza.Quantity`, a quantity text (`"3200 /uL"`), a
--   table `{value = 3.2, unit = "10*9/L"}`, or a plain number already in the
--   fact's reference unit. Any unit of the same dimension is converted;
--   creatinine and bilirubin convert between mass and amount through their
--   molar mass. A lab fact may also be a list of dated readings
--   `{ {value =, unit =, date =}, … }` (or quantities with `date`): the
--   latest reading is the fact's value, and `rise_percent` reads them all
--   (the latest 64). A censored value carries `comparator` (`"<"`, `"<="`, `">"`,
--   `">="`; `{value = 0.5, unit = "10*9/L", comparator = "<"}`): a condition it does not
--   decide is unknown, and a series holding one gives `rise_percent` unknown.
-- * string facts: a string; boolean facts: a boolean; set facts: a list of
--   strings; dates: `"YYYY-MM-DD"` or a day number (days since 1970-01-01).
-- * a missing fact (nil) is unknown.
--
-- A value that cannot be converted (wrong dimension, a bad date) is bad
-- input: `nil, "fact 'wbc': …", code`; except for a fact with no reference
-- unit (`tpmt.activity`), whose value in another method's unit is unknown
-- to the conditions written in that unit.
--
-- The result (design §7): `decision`, `protocol = {id, version, hash}`,
-- `alerts`, `need_data`, `counselling`, `monitoring`, `modifiers` (the dose
-- modifiers of rules that fired, in rule order, for the dose maths:
-- `aza.dose` applies them; the evaluator does not), and `trace`: per rule
-- `{rule, outcome = "true"|"false"|"unknown", cite, facts = {name = {given,
-- converted}}}`.
--
-- @module aza.protocol.evaluate
-- @usage
-- local evaluate = require "aza.protocol.evaluate"
-- local result = assert(evaluate.evaluate(compiled, { wbc = "3200 /uL", as_of = "2026-11-21" }))
-- print(result.decision)  --> withhold

local civil = require "aza.date"
local quantity = require "aza.quantity"
local units = require "aza.units"
local catalogue = require "aza.protocol.facts"

local ipairs, math, pairs, table, tostring, type = ipairs, math, pairs, table, tostring, type

local M = {}

--- Most readings a series fact passes to the evaluator (AZA_SERIES_MAX).
M.SERIES_MAX = require("aza.core").limits.series_max

-- {=== dates ===

--- A date as a day number (a text is read by `aza.date.parse`).
-- @tparam string|number x `"YYYY-MM-DD"` or a day number
-- @treturn integer|number days since 1970-01-01
-- @return[2] nil
-- @treturn[2] string message
function M.day(x)
  if type(x) == "number" then
    if x ~= x or x == math.huge or x == -math.huge then
      return nil, "date not finite"
    end
    return x
  elseif type(x) ~= "string" then
    return nil, "date expected, got " .. type(x)
  end
  local n = civil.parse(x)
  if n == nil then
    return nil, "bad date '" .. x .. "' (YYYY-MM-DD expected)"
  end
  return n
end

-- }===

-- {=== converting given values ===

-- a readings list: a table whose first element is itself a reading
local function is_readings(x)
  return type(x) == "table" and x.value == nil and x[1] ~= nil
    and (type(x[1]) == "table" or quantity.is_quantity(x[1]))
end

--- The comparators a censored value may carry (`{value =, unit =, comparator = "<"}`).
M.COMPARATOR = { ["<"] = true, ["<="] = true, [">"] = true, [">="] = true }

-- a number in `unit` from a given quantity value
local function qty_in(x, unit, substance)
  if type(x) == "number" then
    return x
  end
  if type(x) == "table" and x.comparator ~= nil then
    x = { value = x.value, unit = x.unit }
  end
  local q, msg, code = quantity.coerce(x)
  if not q then
    return nil, msg, code
  end
  if unit == nil then
    return q:value()
  end
  local v, m2, c2 = q:value_in(unit)
  if v == nil and substance ~= nil and c2 ~= "E_UNIT" then
    local v2 = units.convert(q:value(), q:unit(), unit, substance)
    if v2 ~= nil then
      return v2
    end
  end
  return v, m2, c2
end

-- readings: sorted {day, value in unit, given} by day, latest last
local function readings(list, unit, substance)
  local out = {}
  for i, r in ipairs(list) do
    local date = type(r) == "table" and r.date or nil
    local day, dmsg = M.day(date)
    if day == nil then
      return nil, "reading " .. i .. ": " .. dmsg, "E_ARG"
    end
    local v, msg, code = qty_in(r, unit, substance)
    if v == nil then
      return nil, "reading " .. i .. ": " .. tostring(msg), code
    end
    local cmp = type(r) == "table" and r.comparator or nil
    if cmp ~= nil and not M.COMPARATOR[cmp] then
      return nil, "reading " .. i .. ": comparator " .. tostring(cmp) .. " is not <, <=, > or >=",
        "E_ARG"
    end
    out[#out + 1] = { day, v, i, cmp }
  end
  table.sort(out, function(a, b)
    if a[1] ~= b[1] then
      return a[1] < b[1]
    end
    return a[3] < b[3]
  end)
  return out
end

-- converters per slot type: (given, meta, facts, substance) → value | nil, msg, code
local CONVERT = {}

-- a censored value (a comparator with its number): {v, comparator} for the engine
local function bounded(v, cmp)
  if v ~= nil and cmp ~= nil then
    return { v, cmp }
  end
  return v
end

function CONVERT.num(given, meta, _, substance)
  local v, msg, code, cmp
  if is_readings(given) then
    local list
    list, msg, code = readings(given, meta.unit, substance)
    v = list and list[#list][2]
    cmp = list and list[#list][4]
  else
    v, msg, code = qty_in(given, meta.unit, substance)
    cmp = type(given) == "table" and given.comparator or nil
    if cmp ~= nil and not M.COMPARATOR[cmp] then
      return nil, "comparator " .. tostring(cmp) .. " is not <, <=, > or >=", "E_ARG"
    end
  end
  if v == nil and meta.per_unit and code ~= "E_ARG" and code ~= "E_SYNTAX" then
    return nil -- a method-specific value in another method's unit: unknown here
  end
  return bounded(v, cmp), msg, code
end

-- whether a list of converted readings holds a censored one
local function any_bound(list)
  for _, r in ipairs(list) do
    if r[4] ~= nil then
      return true
    end
  end
  return false
end

function CONVERT.series(given, meta, facts, substance)
  if is_readings(given) then
    local list, msg, code = readings(given, meta.unit, substance)
    if not list then
      return nil, msg, code
    elseif any_bound(list) then
      return nil -- a censored reading: the change over time is not known
    end
    local out, first = {}, math.max(1, #list - M.SERIES_MAX + 1)
    for i = first, #list do
      out[#out + 1] = { list[i][1], list[i][2] }
    end
    return out
  end
  local date = facts[meta.fact .. ".date"]
  if date == nil then
    return nil -- one undated value: no series
  end
  local day, dmsg = M.day(date)
  if day == nil then
    return nil, dmsg, "E_ARG"
  end
  local v, msg, code = qty_in(given, meta.unit, substance)
  if v == nil then
    return nil, msg, code
  elseif type(given) == "table" and given.comparator ~= nil then
    return nil
  end
  return { { day, v } }
end

function CONVERT.date(given)
  local day, msg = M.day(given)
  if day == nil then
    return nil, msg, "E_ARG"
  end
  return day
end

function CONVERT.str(given)
  if type(given) ~= "string" then
    return nil, "string expected, got " .. type(given), "E_ARG"
  end
  return given
end

function CONVERT.bool(given)
  if type(given) ~= "boolean" then
    return nil, "boolean expected, got " .. type(given), "E_ARG"
  end
  return given
end

function CONVERT.set(given)
  if type(given) ~= "table" then
    return nil, "list of strings expected, got " .. type(given), "E_ARG"
  end
  for _, s in ipairs(given) do
    if type(s) ~= "string" then
      return nil, "list of strings expected", "E_ARG"
    end
  end
  return given
end

-- the converted value of a slot from the facts, or nil (unknown), or
-- nil, message, code for bad input
local function convert_slot(meta, facts)
  local given = facts[meta.fact]
  if given == nil then
    return nil
  end
  local e = catalogue.get(meta.fact)
  return CONVERT[meta.type](given, meta, facts, e and e.lab or nil)
end

--- Convert facts into the values of a compiled program's slots.
-- @tparam table compiled from `aza.protocol.compile.compile`
-- @tparam table facts fact name → value, and `as_of`
-- @treturn table values by slot (1-based)
-- @treturn number|nil as_of as a day number
-- @treturn table per fact name `{given, converted}` (the trace's view)
-- @return[2] nil
-- @treturn[2] string message naming the fact
-- @treturn[2] string code
function M.values(compiled, facts)
  local values, seen = {}, {}
  local as_of
  if facts.as_of ~= nil then
    local msg
    as_of, msg = M.day(facts.as_of)
    if as_of == nil then
      return nil, "as_of: " .. msg, "E_ARG"
    end
  end
  for s, meta in ipairs(compiled.slots) do
    local v, msg, code = convert_slot(meta, facts)
    if v == nil and msg ~= nil then
      return nil, "fact '" .. meta.fact .. "': " .. tostring(msg), code or "E_ARG"
    end
    values[s] = v
    if meta.type ~= "series" or seen[meta.fact] == nil then
      local given = facts[meta.fact]
      if quantity.is_quantity(given) then
        given = tostring(given)
      end
      if type(v) == "table" and meta.type == "num" then -- a censored value
        seen[meta.fact] = { given = given, converted = v[1], comparator = v[2] }
      else
        seen[meta.fact] = { given = given, converted = v }
      end
    end
  end
  return values, as_of, seen
end

-- }===

-- {=== the result ===

-- the reference text(s) of a citation key or list of keys
-- the short form of one reference: a string, or { short =, text = } (short wins)
local function ref_short(refs, k)
  local v = refs[k]
  if type(v) == "table" then
    return tostring(v.short or v.text or k)
  end
  return v ~= nil and tostring(v) or tostring(k)
end

-- a rule's cite (a key or a list of keys) as the short forms, joined by "; "
local function cite_text(compiled, key)
  if key == nil then
    return nil
  end
  local refs = compiled.references or {}
  if type(key) == "table" then
    local out = {}
    for i, k in ipairs(key) do
      out[i] = ref_short(refs, k)
    end
    return table.concat(out, "; ")
  end
  return ref_short(refs, key)
end

-- the fact names each rule reads, from the compiled program, once per compiled protocol
local reads_of = setmetatable({}, { __mode = "k" })
local function rule_reads(compiled)
  local list = reads_of[compiled]
  if not list then
    list = {}
    for i = 1, #compiled.rules do
      local names = {}
      for k, s in ipairs(compiled.program:rule(i).slots) do
        names[k] = compiled.slots[s].fact
      end
      list[i] = names
    end
    reads_of[compiled] = list
  end
  return list
end

local function shape(compiled, r, seen, with_trace)
  local result = {
    protocol = { id = compiled.protocol.id, version = compiled.protocol.version,
                 hash = compiled.protocol.hash },
    decision = r.decision,
    alerts = {}, need_data = r.need_data, counselling = {}, monitoring = {}, modifiers = {},
    trace = {},
  }
  if r.decision_rule then
    result.decision_by = compiled.rules[r.decision_rule].id
  end
  for _, f in ipairs(r.fired) do
    local rule = compiled.rules[f.rule]
    local a = rule.actions[f.action]
    local t = a.type
    if t == "alert" then
      result.alerts[#result.alerts + 1] = { id = rule.id, kind = a.kind,
        severity = a.severity or "warning", message = a.message,
        cite = cite_text(compiled, rule.cite) }
    elseif t == "counsel" then
      result.counselling[#result.counselling + 1] = { id = rule.id, text = a.text,
        cite = cite_text(compiled, rule.cite) }
    elseif t == "monitor" then
      result.monitoring[#result.monitoring + 1] = { id = rule.id, tests = a.tests,
        every_days = a.every_days, weeks = a.weeks, cite = cite_text(compiled, rule.cite) }
    elseif t == "reduce" or t == "cap" or t == "set_dose" then
      local m = { rule = rule.id, cite = cite_text(compiled, rule.cite) }
      for k, v in pairs(a) do
        m[k] = v
      end
      result.modifiers[#result.modifiers + 1] = m
    end
  end
  local reads = with_trace and rule_reads(compiled)
  for i, outcome in ipairs(with_trace and r.outcomes or {}) do
    local rule = compiled.rules[i]
    local read = {}
    for _, name in ipairs(reads[i]) do
      read[name] = seen[name]
    end
    result.trace[i] = { rule = rule.id, outcome = outcome, cite = rule.cite, facts = read }
  end
  return result
end

-- }===

--- Evaluate a compiled protocol.
-- @tparam table compiled from `aza.protocol.compile.compile`
-- @tparam table facts fact name → value, and `as_of`
-- @tparam[opt] table opts `trace` (`false`: the result's `trace` list stays empty)
-- @treturn table the result (see the module description)
-- @return[2] nil
-- @treturn[2] string message naming the fact
-- @treturn[2] string code
function M.evaluate(compiled, facts, opts)
  local values, as_of, seen = M.values(compiled, facts)
  if not values then
    return nil, as_of, seen
  end
  local r, msg, code = compiled.program:evaluate(values, as_of)
  if not r then
    return nil, msg, code
  end
  return shape(compiled, r, seen, not (opts and opts.trace == false))
end

--- Evaluate only: the raw C result (`decision`, `outcomes`, `fired`,
-- `need_data`), without the trace; for benchmarks and the differential spec.
-- @tparam table compiled
-- @tparam table facts
-- @treturn table raw result
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code
function M.raw(compiled, facts)
  local values, as_of, seen = M.values(compiled, facts)
  if not values then
    return nil, as_of, seen
  end
  return compiled.program:evaluate(values, as_of)
end

return M
