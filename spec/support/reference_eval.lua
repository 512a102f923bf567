--- A plain-Lua evaluator of protocol conditions, written for clarity, not
-- speed: the reference the C evaluator is checked against
-- (spec/protocol/differential_spec.lua).
--
-- It walks the condition AST (docs/internals/protocol-ast.md) directly and
-- reads the patient's facts as given (quantities in any unit of the fact's
-- dimension, dated readings), independently of aza.protocol.compile and
-- aza.protocol.evaluate. It shares only the fact catalogue and the unit
-- conversions of the core (so that the numbers compared are the same
-- doubles).
--
-- Truth values: true, false, and UNKNOWN (a sentinel), with Kleene's
-- and/or/not. Decision lattice: contraindicated > withhold > need_data >
-- adjust > proceed.

local catalogue = require "aza.protocol.facts"
local condition = require "aza.grammar.condition"
local quantity = require "aza.quantity"
local units = require "aza.units"

local M = {}

local UNKNOWN = setmetatable({}, { __tostring = function() return "unknown" end })
M.UNKNOWN = UNKNOWN

-- {=== Kleene logic ===

local function k_and(a, b)
  if a == false or b == false then return false end
  if a == true and b == true then return true end
  return UNKNOWN
end

local function k_or(a, b)
  if a == true or b == true then return true end
  if a == false and b == false then return false end
  return UNKNOWN
end

local function k_not(a)
  if a == UNKNOWN then return UNKNOWN end
  return not a
end

M.k_and, M.k_or, M.k_not = k_and, k_or, k_not

-- }===

-- {=== reading facts ===

local MONTH_DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function leap(y)
  return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)
end

-- days since 1970-01-01, counted year by year (slow and obvious)
local function day_number(x)
  if type(x) == "number" then return x end
  local y, m, d = string.match(x, "^(%d+)%-(%d+)%-(%d+)$")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local days = 0
  if y >= 1970 then
    for yy = 1970, y - 1 do days = days + (leap(yy) and 366 or 365) end
  else
    for yy = y, 1969 do days = days - (leap(yy) and 366 or 365) end
  end
  for mm = 1, m - 1 do
    days = days + MONTH_DAYS[mm] + ((mm == 2 and leap(y)) and 1 or 0)
  end
  return days + d - 1
end
M.day_number = day_number

-- a given quantity as a number in `unit` (nil: cannot)
local function number_in(x, unit, substance)
  if type(x) == "number" then return x end
  local q = quantity.coerce(x)
  if not q then return nil end
  if unit == nil then return q:value() end
  local v = q:value_in(unit)
  if v == nil and substance then
    v = units.convert(q:value(), q:unit(), unit, substance)
  end
  return v
end

local function is_readings(x)
  return type(x) == "table" and x.value == nil and x[1] ~= nil
end

-- the readings of a fact as {day, value} in unit, in the order given
local function readings_of(facts, name, unit, substance)
  local given = facts[name]
  local out = {}
  if is_readings(given) then
    for _, r in ipairs(given) do
      out[#out + 1] = { day = day_number(r.date), value = number_in(r, unit, substance) }
    end
  elseif given ~= nil and facts[name .. ".date"] ~= nil then
    out[1] = { day = day_number(facts[name .. ".date"]),
               value = number_in(given, unit, substance) }
  end
  return out
end

-- the latest reading's value (the greatest day; the later one on a tie)
local function latest(list)
  local best
  for _, r in ipairs(list) do
    if best == nil or r.day >= best.day then best = r end
  end
  return best and best.value
end

-- }===

-- {=== the evaluator: a value is {known, value, unit, kind} ===

local Eval = {}
Eval.__index = Eval

function M.new(facts)
  local as_of = facts.as_of and day_number(facts.as_of) or nil
  return setmetatable({ facts = facts, as_of = as_of, reads = {} }, Eval)
end

-- remember that the condition read fact `name` (mode "value" or "series")
function Eval:read(name, mode, missing)
  self.reads[#self.reads + 1] = { name = name, mode = mode, missing = missing }
end

function Eval:fact_value(name, unit)
  local e = catalogue.get(name)
  local given = self.facts[name]
  if e.type == "quantity" then
    local v
    if is_readings(given) then
      v = latest(readings_of(self.facts, name, unit or e.unit, e.lab))
    elseif given ~= nil then
      v = number_in(given, unit or e.unit, e.lab)
    end
    self:read(name, "value", v == nil)
    return { kind = "num", known = v ~= nil, value = v, unit = unit or e.unit }
  elseif e.type == "date" then
    local v = given ~= nil and day_number(given) or nil
    self:read(name, "value", v == nil)
    return { kind = "date", known = v ~= nil, value = v }
  elseif e.type == "set" then
    self:read(name, "value", given == nil)
    return { kind = "set", known = given ~= nil, value = given }
  end
  self:read(name, "value", given == nil)
  return { kind = e.type == "boolean" and "truth" or "str", known = given ~= nil, value = given }
end

local function finite(v)
  return v == v and v ~= math.huge and v ~= -math.huge
end

-- value nodes by tag: function(self, node, want) → {kind, known, value, unit}
local VALUE = {}

function VALUE.num(_, node, want)
  return { kind = "num", known = true, value = node.value, unit = want }
end

function VALUE.qty(_, node, want)
  if want == nil or want == node.unit then
    return { kind = "num", known = true, value = node.value, unit = node.unit }
  end
  return { kind = "num", known = true, value = units.convert(node.value, node.unit, want),
           unit = want }
end

function VALUE.str(_, node)
  return { kind = "str", known = true, value = node.value }
end

function VALUE.bool(_, node)
  return { kind = "truth", known = true, value = node.value }
end

function VALUE.fact(self, node, want)
  return self:fact_value(node.name, catalogue.get(node.name).unit or want)
end

local function arith(self, node)
  local a, b = self:value(node[1]), self:value(node[2])
  local mul = node.tag == "mul"
  local unit
  if mul then
    unit = (a.unit == nil or a.unit == "1") and b.unit or a.unit
  elseif b.unit == nil or b.unit == "1" then
    unit = a.unit
  elseif a.unit == b.unit then
    unit = "1"
  end
  if not (a.known and b.known) then
    return { kind = "num", known = false, unit = unit }
  end
  local v = mul and a.value * b.value or a.value / b.value
  return { kind = "num", known = finite(v) and (mul or b.value ~= 0), value = v, unit = unit }
end
VALUE.mul, VALUE.div = arith, arith

-- value functions by name
local CALL = {}

local function since(self, node)
  local unit = node.name == "days_since" and "d" or "wk"
  local d = self:fact_value(node.args[1].name)
  if not (d.known and self.as_of) then
    return { kind = "num", known = false, unit = unit }
  end
  local days = self.as_of - d.value
  return { kind = "num", known = true, value = unit == "d" and days or days / 7, unit = unit }
end
CALL.days_since, CALL.weeks_since = since, since

function CALL.ratio(self, node)
  local a, b = self:sides(node.args[1], node.args[2])
  local u = a.unit or b.unit
  if not (a.known and b.known) then
    return { kind = "num", known = false, unit = "1" }
  end
  local bv = self.in_unit(b, u)
  local v = self.in_unit(a, u) / bv
  return { kind = "num", known = bv ~= 0 and finite(v), value = v, unit = "1" }
end

function CALL.rise_percent(self, node)
  local fname, w = node.args[1].name, node.args[2]
  local e = catalogue.get(fname)
  local window = units.convert(w.value, w.unit, "d")
  local list = readings_of(self.facts, fname, e.unit, e.lab)
  self:read(fname, "series", #list == 0)
  local unknown = { kind = "num", known = false, unit = "%" }
  if #list == 0 or not self.as_of then
    return unknown
  end
  local lowest, last, n = nil, nil, 0
  for _, r in ipairs(list) do
    if r.day <= self.as_of and r.day >= self.as_of - window then
      if lowest == nil or r.value < lowest then lowest = r.value end
      if last == nil or r.day >= last.day then last = r end
      n = n + 1
    end
  end
  -- one reading in the window shows no change: unknown, as in the C engine
  if n < 2 or lowest <= 0 then
    return unknown
  end
  -- rounded to 1e-9 % as the C engine does, so an exact 30 % rise is 30
  local y = (last.value - lowest) / lowest * 100 * 1e9
  local v = (y >= 0 and math.floor(y + 0.5) or -math.floor(-y + 0.5)) / 1e9
  return { kind = "num", known = finite(v), value = v, unit = "%" }
end

function VALUE.call(self, node)
  local f = CALL[node.name]
  if f then
    return f(self, node)
  end
  return { kind = "truth", known = true, value = self:truth(node) }
end

-- evaluate a value node; `want` is the unit a constant is read in
function Eval:value(node, want)
  local f = VALUE[node.tag]
  if f then
    return f(self, node, want)
  end
  return { kind = "truth", known = true, value = self:truth(node) }
end

local COMPARE = {
  ["<"] = function(a, b) return a < b end,
  ["<="] = function(a, b) return a <= b end,
  [">"] = function(a, b) return a > b end,
  [">="] = function(a, b) return a >= b end,
  ["=="] = function(a, b) return a == b end,
  ["!="] = function(a, b) return a ~= b end,
}

-- a numeric side in `unit`: the value, brought by a factor when needed
function Eval.in_unit(v, unit)
  if v.known and unit and v.unit and v.unit ~= unit then
    return v.value * units.convert(1, v.unit, unit)
  end
  return v.value
end

local function is_constant(node)
  return node.tag == "num" or node.tag == "qty"
end

-- a fact with no reference unit takes the unit of what it is compared with
local function unit_less(node)
  return node.tag == "fact" and catalogue.get(node.name).type == "quantity"
    and catalogue.get(node.name).unit == nil
end

-- both sides of a comparison (or ratio), constants read in the unit of
-- the first side that is not a constant, else in the first constant's unit
function Eval:sides(l, r)
  local a, b
  if not is_constant(l) and not unit_less(l) then a = self:value(l) end
  if not is_constant(r) and not unit_less(r) then b = self:value(r) end
  local unit = (a and a.unit) or (b and b.unit)
    or (l.tag == "qty" and l.unit) or (r.tag == "qty" and r.unit) or nil
  a = a or self:value(l, unit)
  b = b or self:value(r, unit)
  return a, b
end

function Eval:compare(node)
  local a, b = self:sides(node.lhs, node.rhs)
  local unit = a.unit or b.unit
  if not (a.known and b.known) then
    return UNKNOWN
  end
  if a.kind == "truth" or a.kind == "str" then
    return COMPARE[node.op](a.value, b.value)
  end
  return COMPARE[node.op](self.in_unit(a, unit), self.in_unit(b, unit))
end

-- condition nodes by tag: function(self, node) → true, false or UNKNOWN
local TRUTH = {}

function TRUTH.and_(self, node)
  return k_and(self:truth(node[1]), self:truth(node[2]))
end

function TRUTH.or_(self, node)
  return k_or(self:truth(node[1]), self:truth(node[2]))
end

TRUTH["and"], TRUTH["or"] = TRUTH.and_, TRUTH.or_

TRUTH["not"] = function(self, node)
  return k_not(self:truth(node[1]))
end

function TRUTH.bool(_, node)
  return node.value
end

function TRUTH.cmp(self, node)
  return self:compare(node)
end

TRUTH["in"] = function(self, node)
  local v = self:value(node.lhs)
  if not v.known then return UNKNOWN end
  for _, s in ipairs(node.set) do
    if s == v.value then return true end
  end
  return false
end

function TRUTH.fact(self, node)
  local v = self:fact_value(node.name)
  if not v.known then return UNKNOWN end
  return v.value
end

function TRUTH.call(self, node)
  local name = node.name
  if name == "known" or name == "unknown" then
    local e = catalogue.get(node.args[1].name)
    local given = self.facts[e.name]
    self:read(e.name, "value", given == nil)
    return (given ~= nil) == (name == "known")
  end
  -- taking, planned, has, allergic, ancestry: in any of the sets read
  local result
  for i, set in ipairs(catalogue.functions[name].reads) do
    local v = self:fact_value(set)
    local has = UNKNOWN
    if v.known then
      has = false
      for _, s in ipairs(v.value) do
        if s == node.args[1].value then has = true end
      end
    end
    if i == 1 then
      result = has
    else
      result = k_or(result, has)
    end
  end
  return result
end

--- The truth value of a condition node (true, false or UNKNOWN).
function Eval:truth(node)
  local f = TRUTH[node.tag]
  if not f then
    error("reference: unknown node " .. tostring(node.tag))
  end
  return f(self, node)
end

-- }===

-- {=== protocols ===

local RANK = { proceed = 0, adjust = 1, need_data = 2, withhold = 3, contraindicated = 4 }
local NAMES = { [0] = "proceed", "adjust", "need_data", "withhold", "contraindicated" }
local ACTION_DECISION = { contraindicate = "contraindicated", withhold = "withhold",
                          need_data = "need_data", reduce = "adjust", cap = "adjust",
                          set_dose = "adjust" }

local function actions_of(rule)
  local a = rule.action or rule.actions
  if a == nil then return {} end
  if type(a) == "string" or a.type ~= nil then a = { a } end
  local out = {}
  for i, x in ipairs(a) do
    out[i] = type(x) == "string" and { type = x } or x
  end
  return out
end

local function ast_of(rule)
  local w = rule.ast or rule.condition or rule.when
  if type(w) == "string" then return assert(condition.parse(w)) end
  return w
end

--- The outcome of one condition on some facts.
-- @treturn string "true", "false" or "unknown"
function M.condition(ast, facts)
  local t = M.new(facts):truth(ast)
  return t == UNKNOWN and "unknown" or tostring(t)
end

--- Evaluate a protocol (the same table aza.protocol.compile takes).
-- @treturn table {outcomes = {...}, decision = "...", need_data = {...},
--   fired = {{rule = i, action = j}, ...}}
function M.evaluate(protocol, facts)
  local result = { outcomes = {}, fired = {}, need_data = {} }
  local rank = 0
  local asked = {}
  local function ask(name)
    if not asked[name] then
      asked[name] = true
      result.need_data[#result.need_data + 1] = name
    end
  end
  for _, name in ipairs(protocol.required or {}) do
    if facts[name] == nil then
      ask(name)
      rank = math.max(rank, RANK.need_data)
    end
  end
  local i = 0
  for _, rule in ipairs(protocol.rules) do
    if not rule.disabled then
      i = i + 1
      local ev = M.new(facts)
      local t = ev:truth(ast_of(rule))
      result.outcomes[i] = t == UNKNOWN and "unknown" or tostring(t)
      if t == UNKNOWN and rule.require then
        for _, r in ipairs(ev.reads) do
          if r.missing then ask(r.name) end
        end
        rank = math.max(rank, RANK.need_data)
      end
      if t == true then
        for j, a in ipairs(actions_of(rule)) do
          result.fired[#result.fired + 1] = { rule = i, action = j }
          local d = ACTION_DECISION[a.type]
          if d then rank = math.max(rank, RANK[d]) end
          if a.type == "need_data" then
            for _, name in ipairs(a.facts or {}) do ask(name) end
          end
        end
      end
    end
  end
  result.decision = NAMES[rank]
  return result
end

-- }===

return M
