--- The reading context of one patient record: the facts being built, the errors, warnings,
-- notes and conflicts found, and the helpers every part of the reader shares (numbers,
-- dates, quantities in reference units, sanity bounds). Internal to aza.input.patient and
-- its parts (aza.input.labs, aza.input.pgx_read, aza.input.medications).
--
-- @module aza.input.context

local civil = require "aza.date"
local json = require "aza.input.json"
local quantity = require "aza.quantity"
local util = require "aza.util"

local compat = require "aza.compat"
local huge = math.huge
local format = string.format
local sort = table.sort
local ipairs, pairs, setmetatable, tostring, type =
  ipairs, pairs, setmetatable, tostring, type
local set_of = util.set_of

local core = require "aza.core"

local M = {}

local QTY_FIELDS = set_of { "value", "unit" }

--- Input sanity bounds: values outside are input errors (a unit slip such as a weight
-- in g, or a temperature in degF written as Cel), not clinical thresholds.
M.SANITY = {
  -- the range the dose maths takes (aza.core.limits, from the C core): one source
  weight = { min = require("aza.core").limits.weight_min_kg,
             max = require("aza.core").limits.weight_max_kg, unit = "kg", noun = "body weight" },
  height = { min = 20, max = 280, unit = "cm", noun = "height" },
  age = { max = 130 },
  -- no one takes more: 3 mg/kg/day (the label's top) of 330 kg is 1000 mg/day
  ["azathioprine.dose"] = { min = 0, max = 1000, unit = "mg/day",
                            noun = "azathioprine daily dose" },
}

--- Most entries a list of the patient record may hold (an input error beyond): far more

M.CREATININE_WINDOW_DAYS = 365

-- Substances for amount <-> mass conversion of lab tests (design §3).
local SUBSTANCE = { creatinine = "creatinine", bilirubin = "bilirubin" }

-- Nouns for dimension errors of the patient's own quantities.
local NOUN = {
  weight = "a mass", height = "a length", ["azathioprine.dose"] = "a daily dose",
  ["azathioprine.cumulative"] = "a mass",
}

-- {=== small helpers ===

--- Format a number for messages: integers without a decimal point, others in the
-- shortest form that reads back to the same number.
-- @tparam number v
-- @treturn string
function M.num(v)
  return util.number(v)
end
local num = M.num

local function show(v)
  if type(v) == "string" then
    return compat.quote(v)
  elseif type(v) == "number" then
    return num(v)
  elseif json.is_null(v) then
    return "null"
  end
  return type(v) == "table" and "a table" or tostring(v)
end

local function is_null(v)
  return json.is_null(v)
end

local function is_list(t)
  if type(t) ~= "table" then
    return false
  end
  local n = 0
  for k in pairs(t) do
    if not compat.is_integral(k) or k < 1 then
      return false
    end
    n = n + 1
  end
  return n == #t
end

-- a number, or a string that is a plain decimal number ("3.2", "-1e3", as the numbers of
-- quantity texts: aza.core.number); never hex, inf, ".5" or "5."
local function to_number(v)
  if type(v) == "number" then
    if v ~= v or v == huge or v == -huge then
      return nil
    end
    return v
  end
  if type(v) == "string" then
    return core.number(v) -- the C core's decimal reader, the one of quantity texts
  end
  return nil
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = tostring(k)
  end
  sort(keys)
  return keys
end

-- }===

-- {=== dates ===

--- Parse an ISO 8601 calendar date `YYYY-MM-DD` (with `aza.date.parse`).
-- @tparam string text
-- @treturn table `{iso, year, month, day, n}` where `n` is the day number (days since
--   1970-01-01)
-- @return[2] nil
-- @treturn[2] string reason (`"2026-02-30 is not a calendar date"`)
-- @usage patient.parse_date("2024-02-29").n  --> 19782
function M.parse_date(text)
  if type(text) ~= "string" then
    return nil, format("%s is not a date (YYYY-MM-DD)", show(text))
  end
  local n, y, m, d = civil.parse(text)
  if not n then
    return nil, y
  end
  return { iso = text, year = y, month = m, day = d, n = n }
end

-- completed years from date a to date b
local function years_between(a, b)
  local years = b.year - a.year
  if b.month < a.month or (b.month == a.month and b.day < a.day) then
    years = years - 1
  end
  return years
end

-- }===

-- {=== the context: facts, errors, warnings, notes ===

local Cx = {}
Cx.__index = Cx

local function new_cx(opts)
  return setmetatable({
    opts = opts,
    -- data tables a protocol gives in place of rules/data ones (nil: the shipped table)
    tables = opts.tables or {},
    -- the facts the protocol declares (name -> true): the only declared ones read
    site = opts.site or {},
    errors = {},
    warnings = {},
    notes = {},
    conflicts = {},
    lab_conflicts = {},
    facts = {},
    days = {},
    units = {},
    series = {},
    bounds = {},
    derived = {},
    given = {},
  }, Cx)
end

function Cx:fail(path, message)
  self.errors[#self.errors + 1] = { path = path, message = path .. ": " .. message }
  return nil
end

function Cx:warn(path, message)
  self.warnings[#self.warnings + 1] = {
    path = path, message = message, text = path .. ": " .. message,
  }
end

function Cx:note(kind, fact, message, path)
  self.notes[#self.notes + 1] = { kind = kind, fact = fact, message = message, path = path }
end

function Cx:conflict(fact, message, values)
  self.conflicts[#self.conflicts + 1] = { fact = fact, message = message, values = values }
  self:note("conflict", fact, message)
  self:warn(fact, message)
end

function Cx:set(name, value, unit)
  self.facts[name] = value
  if unit then
    self.units[name] = unit
  end
end

function Cx:set_date(name, d)
  self.facts[name] = d.iso
  self.days[name] = d.n
end

-- warn about fields of object `obj` (at `path`) not in `known`
function Cx:unknown_fields(obj, known, path)
  for _, k in ipairs(sorted_keys(obj)) do
    if not known[k] then
      local where = path and (path .. "." .. k) or k
      self:warn(where, format("unknown field '%s' ignored", k))
    end
  end
end

-- a date field: nil when absent or null; false after an error
function Cx:date(path, v)
  if v == nil or is_null(v) then
    return nil
  end
  local d, why = M.parse_date(v)
  if not d then
    self:fail(path, why)
    return false
  end
  return d
end

-- }===

-- {=== quantities ===

-- Read a quantity input: "70 kg" or {value = 70, unit = "kg"}. Returns the Quantity and
-- the text as given, or nil after recording an error.
function Cx:quantity(path, x)
  if type(x) == "string" then
    local q, msg = quantity.new(x)
    if not q then
      return self:fail(path, format("%s in %s", msg, compat.quote(x)))
    end
    return q, (x:gsub("^%s+", ""):gsub("%s+$", ""))
  elseif type(x) == "table" and not is_list(x) then
    self:unknown_fields(x, QTY_FIELDS, path)
    local v = to_number(x.value)
    if v == nil then
      return self:fail(path .. ".value", format("%s is not a number", show(x.value)))
    end
    if type(x.unit) ~= "string" then
      return self:fail(path .. ".unit", x.unit == nil and "missing unit"
        or format("%s is not a unit", show(x.unit)))
    end
    local q, msg = quantity.new(v, x.unit)
    if not q then
      return self:fail(path .. ".unit", msg)
    end
    return q, num(v) .. " " .. x.unit
  elseif type(x) == "number" then
    return self:fail(path, format("%s has no unit (write it as \"%s <unit>\" or "
      .. "{\"value\": %s, \"unit\": \"<unit>\"})", num(x), num(x), num(x)))
  end
  return self:fail(path, format("%s is not a quantity", show(x)))
end

-- A quantity converted to `unit`; `noun` names what it must be ("a mass").
function Cx:quantity_in(path, x, unit, noun)
  local q, text = self:quantity(path, x)
  if not q then
    return nil
  end
  local v, msg, code = q:value_in(unit)
  if v == nil then
    if code == "E_DIM" then
      return self:fail(path, format("%s is not %s (%s)", text, noun, q:dimension()))
    end
    return self:fail(path, format("%s: %s", text, msg))
  end
  return v, text
end

local function check_sanity(cx, path, name, v, text)
  local s = M.SANITY[name]
  if s and (v < s.min or v > s.max) then
    cx:fail(path, format("%s is not a plausible %s (%s-%s %s)", text, s.noun, num(s.min),
      num(s.max), s.unit))
    return false
  end
  return true
end

-- weight, height: positive and plausible
local function body_quantity(cx, p, name, unit)
  local x = p[name]
  if x == nil then
    return
  elseif is_null(x) then
    cx.given[name] = "null"
    return
  end
  local v, text = cx:quantity_in(name, x, unit, NOUN[name])
  if v == nil then
    return
  end
  if v <= 0 then
    cx:fail(name, format("%s is not a positive %s", text, NOUN[name]:match("^an? (.*)$")))
    return
  end
  if check_sanity(cx, name, name, v, text) then
    cx:set(name, v, unit)
    cx.given[name] = text
  end
end

-- }===

-- {=== words ===

-- a word of a set fact: lower case, blanks and hyphens as "_" ("East Asian" -> east_asian)
local function word(s)
  return (s:lower():gsub("^%s+", ""):gsub("%s+$", ""):gsub("[%s%-]+", "_"))
end

-- a medication or allergy name: lower case, runs of blanks as one space
local function name_of(s)
  return (s:lower():gsub("^%s+", ""):gsub("%s+$", ""):gsub("%s+", " "))
end

-- }===

-- {=== shared with the other aza.input modules ===
M.show = show
M.is_null = is_null
M.is_list = is_list
M.to_number = to_number
M.sorted_keys = sorted_keys
M.years_between = years_between
M.new_cx = new_cx
M.check_sanity = check_sanity
M.body_quantity = body_quantity
M.QTY_FIELDS = QTY_FIELDS
M.SUBSTANCE = SUBSTANCE
M.NOUN = NOUN
M.num = num
M.Cx = Cx
M.word = word
M.name_of = name_of
-- }===

return M
