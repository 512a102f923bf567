--- Patient input: validate a patient record (design §7) and normalise it to facts.
--
-- Input is a Lua table, JSON text, a file path or stdin (`"-"`). Quantities are strings
-- (`"70 kg"`, `"176 [lb_av]"`) or `{value = 70, unit = "kg"}`; lab values are converted
-- through `aza.units` to the reference unit of their fact in `aza.protocol.facts`
-- (`3200 /uL` -> 3.2 `10*9/L`; creatinine and bilirubin in mass units through their
-- molar mass). Dates are ISO 8601 calendar dates (`YYYY-MM-DD`).
--
-- The result:
--
--     {
--       id = "p1", as_of = "2026-11-21", as_of_day = 20778, profile = "cpic",
--       facts = { weight = 70, ["tpmt.phenotype"] = "normal", ["wbc.date"] = "2026-11-20", ... },
--       days = { ["wbc.date"] = 20777, ... },        -- day numbers of the date facts
--       units = { weight = "kg", ["tpmt.activity"] = "nmol/h/g{Hb}", ... },
--       series = { creatinine = { {date =, day =, value =, given =}, ... }, ... },
--       derived = { ["wbc.days_since"] = 1, ["creatinine.rise_percent_365d"] = 12.5,
--                   ["azathioprine.weeks"] = 45.4, ... },
--       given = { weight = "176 [lb_av]", wbc = "3200 /uL", ... },
--       warnings = { {path =, message =, text =}, ... },
--       notes = { {kind =, fact =, path =, message =}, ... },
--       conflicts = { {fact =, message =, values = {...}}, ... },
--     }
--
-- `facts` holds only names of the fact catalogue, in its reference units (numbers), as
-- strings, booleans, sets (arrays of strings) and dates (ISO strings, with their day
-- numbers in `days`: days since 1970-01-01). Bad input gives
-- `nil, message, "E_INPUT", path, errors`: `message` starts with the JSON path
-- (`weight: -70 kg is not a positive mass`), `errors` lists every error found as
-- `{path =, message =}`. There is never a partial result.
--
-- See docs/patient-input.md for the full contract.
--
-- @module aza.input.patient
-- @usage
-- local patient = require "aza.input.patient"
-- local p = assert(patient.normalise({ as_of = "2026-11-21", weight = "176 [lb_av]" }))
-- print(p.facts.weight)                                  --> 79.83225712
-- local r, msg, code, path = patient.normalise({ weight = "-70 kg", as_of = "2026-11-21" })
-- print(msg, code, path)      --> weight: -70 kg is not a positive mass  E_INPUT  weight

local catalogue = require "aza.protocol.facts"
local civil = require "aza.date"
local json = require "aza.input.json"
local pgx = require "aza.input.pgx"
local quantity = require "aza.quantity"
local units = require "aza.units"
local util = require "aza.util"

local compat = require "aza.compat"
local huge = math.huge
local format = string.format
local concat, sort = table.concat, table.sort
local date = os.date
local ipairs, next, pairs, setmetatable, tonumber, tostring, type =
  ipairs, next, pairs, setmetatable, require("aza.compat").tonumber, tostring, type
local open, stdin = io.open, io.stdin
local set_of = util.set_of

local M = {}

--- Top-level fields of the patient record (design §7).
M.FIELDS = {
  "id", "as_of", "birth_date", "sex", "weight", "height", "ancestry", "pregnant",
  "breastfeeding", "genotype", "phenotype", "tpmt_activity", "transfusion_date", "labs",
  "symptoms", "medications", "conditions", "allergies", "vaccines_planned", "azathioprine",
}

local TOP = set_of(M.FIELDS)
local LAB_FIELDS = set_of { "test", "loinc", "value", "unit", "date", "uln", "lln" }
local ACTIVITY_FIELDS = set_of { "value", "unit", "method", "date" }
local MED_FIELDS = set_of { "name", "status", "dose", "atc" }
local AZA_FIELDS = set_of { "status", "dose", "started", "cumulative" }
local QTY_FIELDS = set_of { "value", "unit" }
local MED_STATUS = { active = true, planned = true, stopped = true }
local AZA_STATUS = { naive = true, active = true, stopped = true }

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
-- than any real record, few enough that reading stays fast and small.
M.MAX_ENTRIES = { labs = 10000, medications = 1000, default = 1000 }
local LIST_FIELDS = { "labs", "medications", "symptoms", "conditions", "allergies",
                      "vaccines_planned", "ancestry" }

-- A record given as a Lua table is plain data like a JSON one: every string valid UTF-8,
-- no table twice (no cycle), at most 16 levels. Returns a problem and its path, or nil.
-- `utf8_checked`: the strings came from aza.input.json, which has checked them already.
local function plain_record(p, utf8_checked)
  local seen, keys = {}, {} -- keys[1..depth]: the path of the value being walked
  local function path_of(depth)
    local path = ""
    for i = 1, depth do
      local k = keys[i]
      path = type(k) == "number" and format("%s[%s]", path, util.number(k))
        or (path == "" and tostring(k) or (path .. "." .. tostring(k)))
    end
    return path
  end
  local function walk(v, depth)
    local t = type(v)
    if t == "string" then
      local at = not utf8_checked and json.invalid_utf8(v)
      if at then
        return format("not valid UTF-8 at byte %d", at), path_of(depth)
      end
    elseif t == "table" then
      if seen[v] then
        return "the same table appears twice (a patient record is a tree)", path_of(depth)
      elseif depth > 16 then
        return "nested deeper than 16 levels", path_of(depth)
      end
      seen[v] = true
      for k, x in next, v do
        if not utf8_checked and type(k) == "string" and json.invalid_utf8(k) then
          local path = path_of(depth)
          return "a key that is not valid UTF-8", path == "" and "patient" or path
        end
        keys[depth + 1] = k
        local bad, where = walk(x, depth + 1)
        if bad then
          return bad, where
        end
      end
    end
    return nil
  end
  return walk(p, 0)
end

--- Window of the creatinine rise, in days (design §8: "up > 30 % in 12 months").
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

-- a number, or a string that is a plain decimal number ("3.2", "-1e3"); never hex or inf
local function to_number(v)
  if type(v) == "number" then
    if v ~= v or v == huge or v == -huge then
      return nil
    end
    return v
  end
  if type(v) == "string" and v:match("^%s*[-+]?%.?%d[%d.]*[eE]?[-+]?%d*%s*$") then
    return tonumber(v)
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
    errors = {},
    warnings = {},
    notes = {},
    conflicts = {},
    lab_conflicts = {},
    facts = {},
    days = {},
    units = {},
    series = {},
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

-- {=== simple fields ===

local function read_as_of(cx, p)
  local opts = cx.opts
  local given = opts.as_of or p.as_of
  local path = opts.as_of and "as_of (option)" or "as_of"
  if given == nil or is_null(given) then
    local today = opts.today or date("%Y-%m-%d")
    cx:note("input", "as_of", format("as_of not given: today (%s) is used", today), "as_of")
    given = today
  elseif opts.as_of and p.as_of ~= nil and p.as_of ~= opts.as_of then
    cx:note("input", "as_of", format("as_of %s from the options replaces the record's %s",
      tostring(opts.as_of), show(p.as_of)), "as_of")
  end
  local d = cx:date(path, given)
  if d then
    cx.as_of = d
    cx.given.as_of = d.iso
  end
  return d
end

local function read_age(cx, p)
  local b = cx:date("birth_date", p.birth_date)
  if not b then
    return
  end
  cx.given.age = "birth_date " .. b.iso
  cx.birth_day = b.n
  if not cx.as_of then
    return
  end
  if b.n > cx.as_of.n then
    cx:fail("birth_date", format("%s is after as_of %s", b.iso, cx.as_of.iso))
    return
  end
  local years = years_between(b, cx.as_of)
  if years > M.SANITY.age.max then
    cx:fail("birth_date", format("%s gives an age of %d years (more than %d)", b.iso, years,
      M.SANITY.age.max))
    return
  end
  cx:set("age", years, "a")
end

local function read_sex(cx, p)
  local s = p.sex
  if s == nil then
    return
  elseif is_null(s) then
    cx.given.sex = "null"
    return
  elseif type(s) ~= "string" then
    cx:fail("sex", format("%s is not a word (female, male)", show(s)))
    return
  end
  local w = s:lower()
  cx.given.sex = s
  if w == "female" or w == "male" then
    cx:set("sex", w)
  elseif w == "other" or w == "unknown" then
    cx:note("input", "sex", format("sex '%s': the fact sex is left unknown", s), "sex")
  else
    cx:fail("sex", format("unknown word '%s' (female, male, other or unknown)", s))
  end
end

local function read_boolean(cx, p, name)
  local v = p[name]
  if v == nil then
    return
  elseif is_null(v) then
    cx.given[name] = "null"
  elseif type(v) == "boolean" then
    cx:set(name, v)
    cx.given[name] = tostring(v)
  else
    cx:fail(name, format("%s is not a boolean (true or false)", show(v)))
  end
end

-- "Sore Throat" -> "sore_throat"; medicine and allergy names keep hyphens and spaces
local function word(s)
  return (s:lower():gsub("^%s+", ""):gsub("%s+$", ""):gsub("[%s%-]+", "_"))
end

local function name_of(s)
  return (s:lower():gsub("^%s+", ""):gsub("%s+$", ""):gsub("%s+", " "))
end

-- a list of strings into a set fact (an array, first occurrence order, no duplicates)
local function read_set(cx, p, field, fact, norm)
  local v = p[field]
  if v == nil then
    return
  elseif is_null(v) then
    cx.given[fact] = "null"
    return
  elseif not is_list(v) then
    cx:fail(field, format("%s is not a list of strings", show(v)))
    return
  end
  local out, seen, texts = {}, {}, {}
  for i, s in ipairs(v) do
    if type(s) ~= "string" or s:match("^%s*$") then
      cx:fail(format("%s[%d]", field, i), format("%s is not a non-empty string", show(s)))
    else
      local w = norm(s)
      texts[#texts + 1] = s
      if not seen[w] then
        seen[w] = true
        out[#out + 1] = w
      end
    end
  end
  cx:set(fact, out)
  cx.given[fact] = concat(texts, ", ")
end

-- }===

-- {=== labs ===

local LOINC

local function loinc_table()
  LOINC = LOINC or pgx.data("loinc")
  return LOINC
end

local function is_loinc(s)
  return type(s) == "string" and s:match("^%s*%d+%-%d%s*$") ~= nil
end

-- resolve the test of a lab entry; returns the test name, the LOINC code (or nil), or
-- nil plus a flag telling whether an error was recorded (false = ignored)
local function lab_test(cx, path, lab)
  local test, code
  local t, l = lab.test, lab.loinc
  if l ~= nil then
    if not is_loinc(l) then
      return nil, cx:fail(path .. ".loinc", format("%s is not a LOINC code (such as 6690-2)",
        show(l))) or true
    end
    code = l:match("%S+")
  end
  if is_loinc(t) then
    if code and code ~= t:match("%S+") then
      return nil, cx:fail(path .. ".test", format("LOINC %s differs from loinc %s",
        t:match("%S+"), code)) or true
    end
    code = t:match("%S+")
  elseif type(t) == "string" then
    test = t:lower():match("^%s*(.-)%s*$")
  elseif t ~= nil then
    return nil, cx:fail(path .. ".test", format("%s is not a test name", show(t))) or true
  end
  if code then
    local entry = loinc_table()[code]
    if entry == nil then
      cx:warn(path, format("LOINC %s is not a test aza reads: ignored", code))
      return nil, false
    end
    if test and test ~= entry.test then
      return nil, cx:fail(path .. ".loinc", format("LOINC %s is %s, not %s", code,
        entry.test, test)) or true
    end
    return entry.test, code
  end
  if test == nil then
    return nil, cx:fail(path .. ".test", "missing test (a test name or a LOINC code)") or true
  end
  local f = catalogue.by_name[test]
  if f == nil or not f.series then
    cx:warn(path .. ".test", format("unknown lab test '%s' ignored", t))
    return nil, false
  end
  return test, nil
end

--- Lab tests whose `IU/L` (UCUM `[IU]/L`) is read as the enzyme unit `U/L`: enzyme
-- activities, where an "international unit" is the enzyme unit (1 IU/L = 1 U/L, clinical
-- reference §3.3). Only these tests, and only per litre: `IU/mL` is not scaled (the SPS
-- "units/mL" is a typo for U/L, so a per-mL enzyme unit is refused rather than guessed).
M.ENZYME_IU_TESTS = { alt = true, ast = true, alp = true }

local IU_PER_LITRE = { ["[IU]/L"] = true, ["[iU]/L"] = true, ["[IU]/l"] = true,
                       ["[iU]/l"] = true }

-- the unit to convert from: U/L for an enzyme test given in IU/L (with a note), else unit
local function enzyme_unit(cx, path, test, unit)
  if not M.ENZYME_IU_TESTS[test] then
    return unit
  end
  local info = units.parse(unit)
  if info and IU_PER_LITRE[info.ucum] then
    if path:sub(-4) == ".uln" or path:sub(-4) == ".lln" then
      return "U/L" -- the value's note covers its limits
    end
    cx:note("input", test, format("%s in %s read as U/L: for an enzyme activity an "
      .. "international unit is the enzyme unit (1 IU/L = 1 U/L, clinical reference §3.3)",
      test, unit), path)
    return "U/L"
  end
  return unit
end

-- a value in the lab's unit -> reference unit
local function lab_convert(cx, path, test, v, unit, ref)
  unit = enzyme_unit(cx, path, test, unit)
  local out, msg, code = units.convert(v, unit, ref, SUBSTANCE[test])
  if out == nil then
    if code == "E_UNIT" or code == "E_SYNTAX" then
      return cx:fail(path, msg)
    end
    return cx:fail(path, format("%s is not a unit of %s (%s): %s", unit, test, ref, msg))
  end
  return out
end

-- a lab value (in its reference unit) inside the test's physically plausible range, or
-- an input error that names the range and the likely unit slip
local function plausible_lab(cx, path, test, value, text, ref)
  local entry = catalogue.by_name[test]
  local range = entry.plausible
  if not range or (value >= range[1] and value <= range[2]) then
    return true
  end
  local hint = ""
  local slip = entry.slip
  if slip then
    local v = value * slip.factor
    if v >= range[1] and v <= range[2] then
      hint = format("; did you mean %s?", slip.unit)
    end
  end
  cx:fail(path, format("%s is not a plausible %s (%s-%s %s)%s", text, entry.description,
    num(range[1]), num(range[2]), ref, hint))
  return false
end

-- uln / lln of a lab entry: a number in the entry's unit, or a quantity
local function lab_limit(cx, path, test, x, unit, ref)
  if x == nil or is_null(x) then
    return nil
  end
  local v = to_number(x)
  if v ~= nil then
    return lab_convert(cx, path, test, v, unit, ref), num(v) .. " " .. unit
  end
  local q, text = cx:quantity(path, x)
  if not q then
    return nil
  end
  return lab_convert(cx, path, test, q:value(), q:unit(), ref), text
end

-- uln and lln positive and in order; a result not dated before the birth date
local function limits_and_date(cx, path, uln, lln, d)
  for _, lim in ipairs { { uln, "uln" }, { lln, "lln" } } do
    local v, text = lim[1][1], lim[1][2]
    if v ~= nil and not (v > 0 and v < huge) then
      cx:fail(path .. "." .. lim[2], format("%s is not a positive limit", text))
      return false
    end
  end
  if uln[1] and lln[1] and lln[1] >= uln[1] then
    cx:fail(path .. ".lln", format("%s is not below the uln %s", lln[2], uln[2]))
    return false
  end
  if d.n < (cx.birth_day or -huge) then
    cx:fail(path .. ".date", format("%s is before the birth date", d.iso))
    return false
  end
  return true
end

local function read_lab(cx, i, lab)
  local path = format("labs[%d]", i)
  if type(lab) ~= "table" or is_list(lab) and next(lab) ~= nil then
    return cx:fail(path, format("%s is not a lab result object", show(lab)))
  end
  cx:unknown_fields(lab, LAB_FIELDS, path)
  local test, code = lab_test(cx, path, lab)
  if not test then
    return nil
  end
  local ref = catalogue.by_name[test].unit
  local v = to_number(lab.value)
  if v == nil then
    return cx:fail(path .. ".value", format("%s is not a number", show(lab.value)))
  end
  local unit = lab.unit
  if unit == nil and ref == "1" then
    unit = "1"
  elseif type(unit) ~= "string" then
    return cx:fail(path .. ".unit", unit == nil and format("missing unit (%s is in %s)", test,
      ref) or format("%s is not a unit", show(unit)))
  end
  local d = cx:date(path .. ".date", lab.date)
  if d == nil then
    cx:fail(path .. ".date", "missing date (YYYY-MM-DD)")
  end
  local value = lab_convert(cx, path .. ".unit", test, v, unit, ref)
  local uln, uln_text = lab_limit(cx, path .. ".uln", test, lab.uln, unit, ref)
  local lln, lln_text = lab_limit(cx, path .. ".lln", test, lab.lln, unit, ref)
  if value == nil or not d then
    return nil
  end
  local text = num(v) .. (lab.unit and (" " .. unit) or "")
  if value < 0 and test ~= "temperature" then
    return cx:fail(path .. ".value", format("%s is negative", text))
  end
  if not plausible_lab(cx, path .. ".value", test, value, text, ref) then
    return nil
  end
  if not limits_and_date(cx, path, { uln, uln_text }, { lln, lln_text }, d) then
    return nil
  end
  return { index = i, path = path, test = test, loinc = code, value = value, date = d.iso,
           day = d.n, given = text, uln = uln, lln = lln, uln_given = uln_text,
           lln_given = lln_text }
end

-- percent rise of the latest result over the lowest result (the latest included) dated
-- within the window before as_of; nil with fewer than two results in the window
local function rise_percent(list, as_of_day, window)
  local lowest, latest, n = nil, nil, 0
  for _, r in ipairs(list) do
    if r.day >= as_of_day - window and r.day <= as_of_day then
      n = n + 1
      if lowest == nil or r.value < lowest then
        lowest = r.value
      end
      latest = r
    end
  end
  if n < 2 or not lowest or lowest <= 0 then
    return nil
  end
  return (latest.value - lowest) / lowest * 100, latest, lowest
end

local function publish_test(cx, test, list)
  local ref = catalogue.by_name[test].unit
  sort(list, function(a, b) -- by day, then value: never by the order of the list
    if a.day ~= b.day then
      return a.day < b.day
    elseif a.value ~= b.value then
      return a.value < b.value
    end
    return a.index < b.index
  end)
  local series = {}
  for k, r in ipairs(list) do
    series[k] = { date = r.date, day = r.day, value = r.value, given = r.given }
  end
  cx.series[test] = series
  local latest = list[#list]
  for k = #list - 1, 1, -1 do
    local r = list[k]
    if r.day ~= latest.day then
      break
    end
    if r.value ~= latest.value then
      -- which is right cannot be told (the order of a list is no evidence): the test is
      -- not known until it is repeated; the pipeline asks for it (need_data)
      local message = format("two different results on %s (%s at %s, %s at %s): repeat "
        .. "the test; neither is used", latest.date, r.given, r.path, latest.given,
        latest.path)
      cx:conflict(test, message, { [r.path] = r.value, [latest.path] = latest.value })
      cx.lab_conflicts[#cx.lab_conflicts + 1] = { test = test, message = message }
      return
    end
  end
  cx:set(test, latest.value, ref)
  cx:set_date(test .. ".date", { iso = latest.date, n = latest.day })
  cx.given[test] = latest.given .. (latest.loinc and (" (LOINC " .. latest.loinc .. ")") or "")
  cx.given[test .. ".date"] = latest.date
  if latest.uln then
    cx:set(test .. ".uln", latest.uln, ref)
    cx.given[test .. ".uln"] = latest.uln_given
  end
  if latest.lln then
    cx:set(test .. ".lln", latest.lln, ref)
    cx.given[test .. ".lln"] = latest.lln_given
  end
  cx.derived[test .. ".days_since"] = cx.as_of.n - latest.day
end

local function read_labs(cx, p)
  local labs = p.labs
  if labs == nil or is_null(labs) then
    return
  elseif not is_list(labs) then
    cx:fail("labs", format("%s is not a list of lab results", show(labs)))
    return
  end
  local by_test, order = {}, {}
  for i, lab in ipairs(labs) do
    local r = read_lab(cx, i, lab)
    if r and cx.as_of and r.day > cx.as_of.n then
      -- a result from the future is a data error, not something to leave out quietly
      cx:fail(r.path .. ".date", format("%s is after as_of %s", r.date, cx.as_of.iso))
    elseif r then
      if not by_test[r.test] then
        by_test[r.test] = {}
        order[#order + 1] = r.test
      end
      local list = by_test[r.test]
      list[#list + 1] = r
    end
  end
  if not cx.as_of then
    return
  end
  for _, test in ipairs(order) do
    publish_test(cx, test, by_test[test])
  end
  local creat = cx.series.creatinine
  if creat then
    local rise = rise_percent(creat, cx.as_of.n, M.CREATININE_WINDOW_DAYS)
    if rise then
      cx.derived["creatinine.rise_percent_365d"] = rise
    end
  end
end

-- }===

-- {=== pharmacogenomics ===

local GENES = { TPMT = "tpmt", NUDT15 = "nudt15" }

-- genotype / phenotype objects keyed by gene; keys are matched without case
local function by_gene(cx, p, field)
  local obj = p[field]
  local out = {}
  if obj == nil or is_null(obj) then
    return out
  elseif type(obj) ~= "table" or (is_list(obj) and next(obj) ~= nil) then
    cx:fail(field, format("%s is not an object keyed by gene (TPMT, NUDT15)", show(obj)))
    return out
  end
  for _, key in ipairs(sorted_keys(obj)) do
    local gene = key:upper()
    if GENES[gene] then
      local v = obj[key]
      if v ~= nil and not is_null(v) then
        out[gene] = { value = v, path = field .. "." .. key }
      end
    else
      cx:warn(field .. "." .. key, format("unknown gene '%s' ignored", key))
    end
  end
  return out
end

-- equivalence of phenotypes for conflict checks (possible IM is treated as IM by CPIC)
local CLASS = {
  normal = "normal", intermediate = "intermediate", possible_intermediate = "intermediate",
  poor = "poor",
}

-- records every pair of determinate sources that disagree; returns true when one does
local function check_conflicts(cx, fact, sources)
  local used = sources[1]
  local found = false
  for i = 1, #sources do
    for j = i + 1, #sources do
      local a, b = sources[i], sources[j]
      if CLASS[a.phenotype] and CLASS[b.phenotype] and CLASS[a.phenotype] ~= CLASS[b.phenotype]
      then
        cx:conflict(fact, format("%s gives %s but %s gives %s; %s is used (design §8: "
          .. "activity only when no determinate genotype); both are kept", a.text,
          a.phenotype, b.text, b.phenotype, used.text),
          { [a.source] = a.phenotype, [b.source] = b.phenotype })
        found = true
      end
    end
  end
  return found
end

local function genotype_source(cx, gene, g, profile)
  if not g then
    return nil
  end
  local ph, info = pgx.phenotype(gene, g.value, profile)
  if not ph then
    cx:fail(g.path, info)
    return nil
  end
  for _, n in ipairs(info.notes) do
    cx:note("pgx", GENES[gene] .. ".phenotype", n, g.path)
  end
  local dip = info.alleles[1] .. "/" .. info.alleles[2]
  return { source = "genotype", phenotype = ph, path = g.path,
           text = format("genotype %s (%s)", dip, info.profile:upper()), info = info }
end

local function reported_source(cx, g)
  if not g then
    return nil
  end
  local v = g.value
  if type(v) ~= "string" then
    cx:fail(g.path, format("%s is not a phenotype word", show(v)))
    return nil
  end
  local w = v:lower():match("^%s*(.-)%s*$")
  if not pgx.phenotype_words[w] then
    cx:fail(g.path, format("unknown phenotype word '%s' (normal, intermediate, "
      .. "possible_intermediate, poor, indeterminate)", v))
    return nil
  end
  return { source = "reported", phenotype = w, path = g.path,
           text = format("reported phenotype %s", w) }
end

-- TPMT activity: returns a source, or nil; records facts only when valid
local function activity_source(cx, p)
  local a = p.tpmt_activity
  if a == nil or is_null(a) then
    return nil
  end
  local path = "tpmt_activity"
  local obj = a
  if type(a) == "string" then
    obj = { value = a }
  elseif type(a) ~= "table" or is_list(a) then
    cx:fail(path, format("%s is not a TPMT activity object", show(a)))
    return nil
  else
    cx:unknown_fields(a, ACTIVITY_FIELDS, path)
  end
  local m, id = pgx.activity_method(obj.method or cx.opts.tpmt_method)
  if not m then
    cx:fail(path .. ".method", id)
    return nil
  end
  local qx = type(obj.value) == "string" and obj.unit == nil and obj.value
    or { value = obj.value, unit = obj.unit }
  local v, text = cx:quantity_in(path, qx, m.unit,
    format("a TPMT activity in %s (method %s)", m.unit, id))
  local d = cx:date(path .. ".date", obj.date)
  if v == nil or d == false then
    return nil
  end
  if v < 0 then
    cx:fail(path, format("%s is negative", text))
    return nil
  end
  local ph, info = pgx.classify_activity(v, id)
  return { source = "activity", phenotype = ph, path = path, value = v, unit = m.unit,
           method = id, date = d, info = info,
           text = format("activity %s (%s)", text, id), given = text }
end

-- is the activity result invalid because of a red-cell transfusion?
local function transfusion_invalidates(cx, act, t)
  local limit = pgx.activity_data().transfusion_days
  if not act.date then
    cx:warn("tpmt_activity.date", format("TPMT activity has no date and a red-cell "
      .. "transfusion is recorded (%s): the activity cannot be shown valid and is not used",
      t.iso))
    return true
  end
  local gap = act.date.n - t.n
  if gap >= 0 and gap <= limit then
    cx:warn("tpmt_activity", format("TPMT activity of %s was sampled %d days after a "
      .. "red-cell transfusion (%s); results within %d days are invalid: the activity is "
      .. "not used", act.date.iso, gap, t.iso, limit))
    return true
  end
  return false
end

local function read_transfusion(cx, p)
  local t = cx:date("transfusion_date", p.transfusion_date)
  if not t then
    return nil
  end
  cx.given["transfusion.date"] = t.iso
  if cx.as_of and t.n > cx.as_of.n then
    cx:fail("transfusion_date", format("%s is after as_of %s", t.iso, cx.as_of.iso))
    return nil
  end
  cx:set_date("transfusion.date", t)
  return t
end

local function publish_activity(cx, act)
  cx:set("tpmt.activity", act.value, act.unit)
  cx:set("tpmt.method", act.method)
  cx.given["tpmt.activity"] = act.given
  cx.given["tpmt.method"] = act.method
  if act.date then
    cx:set_date("tpmt.activity.date", act.date)
    cx.given["tpmt.activity.date"] = act.date.iso
  end
  for _, n in ipairs(act.info.notes) do
    cx:note("pgx", "tpmt.phenotype", n, "tpmt_activity")
  end
end

-- choose the phenotype: genotype, then the reported word, then (TPMT) a valid activity.
-- Sets `<gene>.conflict` (design §8, "refuse to guess"): true when two determinate
-- sources disagree (genotype normal, activity low), false otherwise (also when there is
-- nothing to compare); the phenotype fact still holds the chosen source's word.
local function choose(cx, fact, sources, conflict_fact)
  local determinate = {}
  for _, s in ipairs(sources) do
    if s.phenotype ~= "indeterminate" then
      determinate[#determinate + 1] = s
    end
  end
  local chosen = determinate[1] or sources[1]
  if chosen == nil then
    cx:set(conflict_fact, false)
    return
  end
  cx:set(fact, chosen.phenotype)
  cx.given[fact] = chosen.text
  if chosen ~= sources[1] then
    cx:note("derived", fact, format("%s is indeterminate; %s gives %s", sources[1].text,
      chosen.text, chosen.phenotype), chosen.path)
  end
  local conflict = check_conflicts(cx, fact, determinate)
  cx:set(conflict_fact, conflict)
  if conflict then
    local texts = {}
    for _, s in ipairs(determinate) do
      texts[#texts + 1] = s.text .. " -> " .. s.phenotype
    end
    cx.given[conflict_fact] = concat(texts, "; ")
  end
end

-- the TPMT activity source when it can be used (published as facts), else nil; sets
-- tpmt.activity.after_transfusion (true when a transfusion invalidates the result)
local function usable_activity(cx, p)
  local t = read_transfusion(cx, p)
  local act = activity_source(cx, p)
  cx:set("tpmt.activity.after_transfusion", false)
  if act and t and cx.as_of and transfusion_invalidates(cx, act, t) then
    cx.given["tpmt.activity"] = act.given .. " (invalid: transfusion " .. t.iso .. ")"
    cx:set("tpmt.activity.after_transfusion", true)
    cx.given["tpmt.activity.after_transfusion"] = format("activity %s, transfusion %s",
      act.date and act.date.iso or "undated", t.iso)
    return nil
  elseif act and act.date and cx.as_of and act.date.n > cx.as_of.n then
    cx:fail("tpmt_activity.date", format("%s is after as_of %s", act.date.iso, cx.as_of.iso))
    return nil
  end
  if act then
    publish_activity(cx, act)
  end
  return act
end

local function read_pgx(cx, p)
  local profile, perr = pgx.profile(cx.opts.profile)
  if not profile then
    cx:fail("profile (option)", perr)
    return
  end
  cx.profile = profile.id
  local genotype = by_gene(cx, p, "genotype")
  local reported = by_gene(cx, p, "phenotype")
  local act = usable_activity(cx, p)
  for _, gene in ipairs(pgx.genes) do
    local fact = GENES[gene] .. ".phenotype"
    local sources = {}
    sources[#sources + 1] = genotype_source(cx, gene, genotype[gene], profile)
    sources[#sources + 1] = reported_source(cx, reported[gene])
    if gene == "TPMT" then
      sources[#sources + 1] = act
    end
    choose(cx, fact, sources, GENES[gene] .. ".conflict")
    if gene == "TPMT" and p.tpmt_activity ~= nil and not is_null(p.tpmt_activity)
      and act == nil and (cx.facts[fact] == nil or cx.facts[fact] == "indeterminate") then
      cx:note("need_data", fact, "TPMT status not determined: the TPMT activity result is "
        .. "not usable (see warnings); a new activity test or a genotype is needed",
        "tpmt_activity")
    end
  end
end

-- }===

-- {=== medication and vaccine classes (rules/data/medications.lua) ===

local MED_UNIT_WORDS = set_of { "mg", "g", "mcg", "ug", "microgram", "micrograms", "milligram",
                                "milligrams", "ml", "iu", "units" }

local med_index_cache

-- common accented Latin letters (UTF-8) -> ASCII, so that "Guérin" matches "guerin"
local ACCENTS = {
  ["à"] = "a", ["á"] = "a", ["â"] = "a", ["ä"] = "a", ["ç"] = "c", ["è"] = "e", ["é"] = "e",
  ["ê"] = "e", ["ë"] = "e", ["ì"] = "i", ["í"] = "i", ["î"] = "i", ["ï"] = "i", ["ñ"] = "n",
  ["ò"] = "o", ["ó"] = "o", ["ô"] = "o", ["ö"] = "o", ["ù"] = "u", ["ú"] = "u", ["û"] = "u",
  ["ü"] = "u", ["É"] = "e", ["È"] = "e", ["Ü"] = "u", ["Ö"] = "o", ["Ä"] = "a",
}

-- letters and digits only, lower case (accented letters folded)
local function alnum(s)
  s = s:gsub("\195[\128-\191]", ACCENTS)
  return (s:lower():gsub("[^%w]", ""))
end

-- a trailing strength token: "5", "2.5", "5mg", "100mcg", or a unit word
local function strength_token(t)
  local a = alnum(t)
  if MED_UNIT_WORDS[a] or a:match("^%d+$") then
    return true
  end
  local unit = a:match("^%d+(%a+)$")
  return unit ~= nil and MED_UNIT_WORDS[unit] == true
end

-- the key of one part of a name: its words without trailing salts, forms and strengths
local function part_key(part, ignore)
  local toks = {}
  for t in part:gmatch("%S+") do
    toks[#toks + 1] = t
  end
  while #toks > 1 and (ignore[alnum(toks[#toks])] or strength_token(toks[#toks])) do
    toks[#toks] = nil
  end
  return alnum(concat(toks, " "))
end

-- Candidate keys of a name (sorted parts joined by "+"), trying "-" as part of a word and
-- as a separator; also returns the part keys (for matching the parts of a combination).
local function name_keys(name, ignore)
  local s = " " .. name:lower():gsub("_", " ") .. " "
  s = s:gsub("%s+and%s+", "/"):gsub("%s+with%s+", "/"):gsub("[+,&;]", "/")
  local keys, parts, seen = {}, {}, {}
  for _, variant in ipairs { s, (s:gsub("%-", "/")) } do
    local list = {}
    for part in variant:gmatch("[^/]+") do
      local k = part_key(part, ignore)
      if k ~= "" then
        list[#list + 1] = k
      end
    end
    sort(list)
    local key = concat(list, "+")
    if key ~= "" and not seen[key] then
      seen[key] = true
      keys[#keys + 1] = key
    end
    if #list > 1 then
      for _, k in ipairs(list) do
        parts[#parts + 1] = k
      end
    end
  end
  return keys, parts
end

local function med_index()
  if med_index_cache then
    return med_index_cache
  end
  local data = pgx.data("medications")
  local idx = { ignore = {}, names = {}, atc = {}, prefixes = data.atc_prefixes or {} }
  for _, w in ipairs(data.ignore_words or {}) do
    idx.ignore[alnum(w)] = true
  end
  local function add(tbl, key, entry)
    tbl[key] = tbl[key] or {}
    local list = tbl[key]
    list[#list + 1] = entry
  end
  for _, e in ipairs(data.substances or {}) do
    for _, n in ipairs(e.names or {}) do
      for _, key in ipairs((name_keys(n, idx.ignore))) do
        add(idx.names, key, e)
      end
    end
    for _, code in ipairs(e.atc or {}) do
      add(idx.atc, code:upper(), e)
    end
  end
  med_index_cache = idx
  return idx
end

local function is_atc(s)
  return type(s) == "string" and s:match("^%s*%a%d%d%a?%a?%d?%d?%s*$") ~= nil
    and #s:match("^%s*(.-)%s*$") >= 3
end

-- entries matching a name: the whole name, else each part of a combination
local function match_name(idx, name)
  local keys, parts = name_keys(name, idx.ignore)
  local out = {}
  for _, key in ipairs(keys) do
    for _, e in ipairs(idx.names[key] or {}) do
      out[#out + 1] = e
    end
  end
  if #out == 0 then
    for _, key in ipairs(parts) do
      for _, e in ipairs(idx.names[key] or {}) do
        out[#out + 1] = e
      end
    end
  end
  return out
end

-- entries (and prefix classes) matching an ATC code
local function match_atc(idx, code)
  code = code:match("^%s*(.-)%s*$"):upper()
  local out = {}
  for _, e in ipairs(idx.atc[code] or {}) do
    out[#out + 1] = e
  end
  for _, p in ipairs(idx.prefixes) do
    if code:sub(1, #p.prefix) == p.prefix then
      out[#out + 1] = { classes = p.classes, prefix = p.prefix }
    end
  end
  return out
end

--- The substance ids and class ids of a medication, vaccine or allergy given by name
-- and/or ATC code (rules/data/medications.lua), in table order, without duplicates.
-- @tparam string|nil name
-- @tparam string|nil atc
-- @treturn {string,...} ids and classes (`{"ramipril", "ace_inhibitor"}`)
-- @treturn boolean true when the name and the ATC code both match but name different
--   substances
-- @usage patient.medication_classes("Ramipril 5 mg")  --> {"ramipril", "ace_inhibitor"}
function M.medication_classes(name, atc)
  local idx = med_index()
  local by_name, by_atc = {}, {}
  if type(name) == "string" then
    by_name = is_atc(name) and match_atc(idx, name) or match_name(idx, name)
  end
  if type(atc) == "string" then
    by_atc = match_atc(idx, atc)
  end
  local out, seen = {}, {}
  local function push(k)
    if k and not seen[k] then
      seen[k] = true
      out[#out + 1] = k
    end
  end
  for _, list in ipairs { by_name, by_atc } do
    for _, e in ipairs(list) do
      push(e.id)
      for _, c in ipairs(e.classes or {}) do
        push(c)
      end
    end
  end
  -- the name and the code disagree when both name substances and none in common
  local by_id = {}
  for _, e in ipairs(by_name) do
    if e.id then
      by_id[e.id] = true
    end
  end
  local named, coded, shared = next(by_id) ~= nil, false, false
  for _, e in ipairs(by_atc) do
    if e.id then
      coded = true
      shared = shared or by_id[e.id] == true
    end
  end
  local disagree = named and coded and not shared
  return out, disagree
end

-- add the ids and classes of the strings of list `field` to the set fact `fact`
local function add_classes(cx, p, field, fact)
  local list = p[field]
  local set = cx.facts[fact]
  if type(list) ~= "table" or type(set) ~= "table" then
    return
  end
  local seen = {}
  for _, k in ipairs(set) do
    seen[k] = true
  end
  for i, s in ipairs(list) do
    if type(s) == "string" then
      local added = {}
      for _, k in ipairs((M.medication_classes(s))) do
        if not seen[k] then
          seen[k] = true
          set[#set + 1] = k
        end
        added[#added + 1] = k
      end
      if #added > 0 then
        cx:note("derived", fact, format("%s: %s (rules/data/medications.lua)", s,
          concat(added, ", ")), format("%s[%d]", field, i))
      end
    end
  end
end

-- }===

-- {=== medications and azathioprine ===

-- add the substance ids and classes of medication m to keys (with a note)
local function medication_keys(cx, path, m, keys)
  local classes, disagree = M.medication_classes(m.name, m.atc)
  for _, k in ipairs(classes) do
    keys[#keys + 1] = k
  end
  if #classes > 0 then
    cx:note("derived", "medications." .. m.status, format("%s%s: %s "
      .. "(rules/data/medications.lua)", m.name, m.atc and (" (" .. m.atc .. ")") or "",
      concat(classes, ", ")), path)
  end
  if disagree then
    cx:warn(path, format("name '%s' and ATC code %s name different substances: the "
      .. "classes of both are used", m.name, m.atc))
  end
end

-- one medication entry: returns its status, name and set keys, or nil
local function read_medication(cx, i, m)
  local path = format("medications[%d]", i)
  if type(m) ~= "table" or is_list(m) then
    return cx:fail(path, format("%s is not a medication object", show(m)))
  end
  cx:unknown_fields(m, MED_FIELDS, path)
  local ok = true
  if type(m.name) ~= "string" or m.name:match("^%s*$") then
    ok = cx:fail(path .. ".name", format("%s is not a medication name", show(m.name)))
  end
  if not MED_STATUS[m.status] then
    ok = cx:fail(path .. ".status", m.status == nil and "missing (active, planned or stopped)"
      or format("unknown status %s (active, planned or stopped)", show(m.status)))
  end
  if m.atc ~= nil and (type(m.atc) ~= "string" or not m.atc:match("^%s*%a[%w]*%s*$")) then
    ok = cx:fail(path .. ".atc", format("%s is not an ATC code", show(m.atc)))
  end
  if m.dose ~= nil and not is_null(m.dose) and not cx:quantity(path .. ".dose", m.dose) then
    ok = nil
  end
  if not ok then
    return nil
  end
  local keys = { name_of(m.name), m.atc and m.atc:match("%S+"):upper() or nil }
  if m.status ~= "stopped" then
    medication_keys(cx, path, m, keys)
  end
  return m.status, m.name, keys
end

local function read_medications(cx, p)
  local meds = p.medications
  if meds == nil or is_null(meds) then
    return
  elseif not is_list(meds) then
    cx:fail("medications", format("%s is not a list of medications", show(meds)))
    return
  end
  local sets = { active = {}, planned = {} }
  local seen = { active = {}, planned = {} }
  local texts = { active = {}, planned = {} }
  for i, m in ipairs(meds) do
    local status, name, keys = read_medication(cx, i, m)
    if status and sets[status] then
      for k = 1, #keys do
        local key = keys[k]
        if key and not seen[status][key] then
          seen[status][key] = true
          sets[status][#sets[status] + 1] = key
        end
      end
      texts[status][#texts[status] + 1] = name
    end
  end
  for _, s in ipairs({ "active", "planned" }) do
    cx:set("medications." .. s, sets[s])
    if #texts[s] > 0 then
      cx.given["medications." .. s] = concat(texts[s], ", ")
    end
  end
end

local function aza_dose(cx, a, status)
  if a.dose == nil or is_null(a.dose) then
    if status == "active" then
      cx:note("need_data", "azathioprine.dose", "active patient without a current dose",
        "azathioprine.dose")
    end
    return
  end
  local v, text = cx:quantity_in("azathioprine.dose", a.dose, "mg/d", NOUN["azathioprine.dose"])
  if v and v <= 0 then
    cx:fail("azathioprine.dose", format("%s is not a positive daily dose", text))
  elseif v and not check_sanity(cx, "azathioprine.dose", "azathioprine.dose", v, text) then
    return
  elseif v and status == "active" then
    cx:set("azathioprine.dose", v, "mg/d")
    cx.given["azathioprine.dose"] = text
  elseif v and status then
    cx.given["azathioprine.dose"] = text
    cx:note("input", "azathioprine.dose", format("azathioprine dose %s given for a %s "
      .. "patient: not a current dose, not used", text, status), "azathioprine.dose")
  end
end

local function aza_cumulative(cx, a)
  if a.cumulative == nil or is_null(a.cumulative) then
    return
  end
  local v, text = cx:quantity_in("azathioprine.cumulative", a.cumulative, "g",
    NOUN["azathioprine.cumulative"])
  if v and v < 0 then
    cx:fail("azathioprine.cumulative", format("%s is negative", text))
  elseif v then
    cx:set("azathioprine.cumulative", v, "g")
    cx.given["azathioprine.cumulative"] = text
  end
end

local function aza_started(cx, a, status)
  local d = cx:date("azathioprine.started", a.started)
  if not d or not cx.as_of then
    return
  end
  cx.given["azathioprine.started"] = d.iso
  if d.n > cx.as_of.n and status ~= "naive" then
    cx:fail("azathioprine.started", format("%s is after as_of %s for a%s patient", d.iso,
      cx.as_of.iso, status and (" " .. status) or ""))
  elseif d.n <= cx.as_of.n then
    cx:set_date("azathioprine.started", d)
    local days = cx.as_of.n - d.n
    cx.derived["azathioprine.days"] = days
    cx.derived["azathioprine.weeks"] = days / 7
  end
end

local function read_azathioprine(cx, p)
  local a = p.azathioprine
  if a == nil or is_null(a) then
    return
  elseif type(a) ~= "table" or is_list(a) then
    cx:fail("azathioprine", format("%s is not an object", show(a)))
    return
  end
  cx:unknown_fields(a, AZA_FIELDS, "azathioprine")
  local status = a.status
  if not AZA_STATUS[status] then
    cx:fail("azathioprine.status", status == nil and "missing (naive, active or stopped)"
      or format("unknown status %s (naive, active or stopped)", show(status)))
    status = nil
  else
    cx:set("azathioprine.status", status)
    cx.given["azathioprine.status"] = status
  end
  aza_dose(cx, a, status)
  aza_cumulative(cx, a)
  aza_started(cx, a, status)
end

-- }===

-- {=== entry points ===

local function result_of(cx, p)
  return {
    id = type(p.id) == "string" and p.id or (type(p.id) == "number" and num(p.id)) or nil,
    as_of = cx.as_of.iso,
    as_of_day = cx.as_of.n,
    profile = cx.profile,
    facts = cx.facts,
    days = cx.days,
    units = cx.units,
    series = cx.series,
    derived = cx.derived,
    given = cx.given,
    warnings = cx.warnings,
    notes = cx.notes,
    conflicts = cx.conflicts,
    lab_conflicts = cx.lab_conflicts,
  }
end

--- Validate and normalise a patient record given as a Lua table (design §7).
-- @tparam table p the patient record; JSON `null` (`json.null`) counts as not given
-- @tparam[opt] table opts
--   `as_of` (ISO date, replaces the record's `as_of`),
--   `today` (ISO date used when no `as_of` is given; default `os.date("%Y-%m-%d")`),
--   `profile` (`"cpic"` default, `"dpwg"`, or a profile table: allele functions),
--   `tpmt_method` (TPMT activity method when the record names none; default
--   `"st_thomas"`), `utf8_checked` (true: the table came from `aza.input.json`, whose
--   strings are valid UTF-8 already, so they are not checked again)
-- @treturn table the normalised patient (see the module description)
-- @return[2] nil
-- @treturn[2] string message naming the JSON path (`"weight: -70 kg is not a positive mass"`)
-- @treturn[2] string `"E_INPUT"`
-- @treturn[2] string the JSON path (`"weight"`, `"labs[2].unit"`)
-- @treturn[2] table every error found, as `{path =, message =}`
-- @usage local p = assert(patient.normalise(tbl, { as_of = "2026-11-21" }))
function M.normalise(p, opts)
  opts = opts or {}
  if type(p) ~= "table" or (is_list(p) and next(p) ~= nil) then
    return nil, format("patient: %s is not a patient object", show(p)), "E_INPUT", ""
  end
  if p.resourceType ~= nil then
    return nil, "resourceType: a FHIR resource is not a patient record of design §7",
      "E_INPUT", "resourceType"
  end
  for _, field in ipairs(LIST_FIELDS) do
    local list, max = p[field], M.MAX_ENTRIES[field] or M.MAX_ENTRIES.default
    if type(list) == "table" and #list > max then
      return nil, format("%s: %d entries, more than the %d a patient record may hold", field,
        #list, max), "E_INPUT", field
    end
  end
  local bad, where = plain_record(p, opts.utf8_checked)
  if bad then
    return nil, where .. ": " .. bad, "E_INPUT", where
  end
  local cx = new_cx(opts)
  cx:unknown_fields(p, TOP, nil)
  if p.id ~= nil and type(p.id) ~= "string" and type(p.id) ~= "number" and not is_null(p.id) then
    cx:fail("id", format("%s is not an identifier", show(p.id)))
  end
  read_as_of(cx, p)
  read_age(cx, p)
  read_sex(cx, p)
  body_quantity(cx, p, "weight", "kg")
  body_quantity(cx, p, "height", "cm")
  read_boolean(cx, p, "pregnant")
  read_boolean(cx, p, "breastfeeding")
  read_set(cx, p, "ancestry", "ancestry", word)
  read_set(cx, p, "symptoms", "symptoms", word)
  read_set(cx, p, "conditions", "conditions", word)
  read_set(cx, p, "allergies", "allergies", name_of)
  add_classes(cx, p, "allergies", "allergies")
  read_set(cx, p, "vaccines_planned", "vaccines.planned", word)
  add_classes(cx, p, "vaccines_planned", "vaccines.planned")
  read_pgx(cx, p)
  read_labs(cx, p)
  read_medications(cx, p)
  read_azathioprine(cx, p)
  if #cx.errors > 0 then
    local first = cx.errors[1]
    return nil, first.message, "E_INPUT", first.path, cx.errors
  end
  return result_of(cx, p)
end

--- The facts of a normalised patient in the form `aza.protocol.evaluate` reads.
-- Every fact of `p.facts`, plus `as_of`; a lab test with more than one dated result becomes
-- its list of readings `{ {value =, unit =, date =}, ... }` (oldest first; the evaluator
-- takes the latest as the value and `rise_percent` reads them all); `tpmt.activity`
-- becomes `{value =, unit = <method unit>}`, so that a condition written in another
-- method's unit finds it unknown instead of reading a bare number.
-- @tparam table p a result of `normalise`
-- @treturn table fact name -> value, and `as_of`
-- @usage local facts = patient.to_facts(assert(patient.from_file("p.json")))
function M.to_facts(p)
  local out = { as_of = p.as_of }
  for name, v in pairs(p.facts) do
    out[name] = v
  end
  for test, list in pairs(p.series) do
    if #list > 1 then
      local unit = catalogue.by_name[test].unit
      local readings = {}
      for i, r in ipairs(list) do
        readings[i] = { value = r.value, unit = unit, date = r.date }
      end
      out[test] = readings
    end
  end
  if p.facts["tpmt.activity"] ~= nil then
    out["tpmt.activity"] = { value = p.facts["tpmt.activity"], unit = p.units["tpmt.activity"] }
  end
  return out
end

--- Normalise a patient given as JSON text.
-- @tparam string text
-- @tparam[opt] table opts as for `normalise`
-- @return as `normalise`; a JSON syntax error gives
--   `nil, "patient JSON: <message>", "E_INPUT", ""`
function M.from_json(text, opts)
  local t, msg, code = json.decode(text)
  if t == nil then
    return nil, msg, code, ""
  end
  local o = {}
  for k, v in pairs(opts or {}) do
    o[k] = v
  end
  o.utf8_checked = true -- the JSON reader checked every string
  return M.normalise(t, o)
end

--- Normalise a patient read from a JSON file, or from stdin when `path` is `"-"`.
-- @tparam string path
-- @tparam[opt] table opts as for `normalise`
-- @return as `normalise`; an unreadable file gives
--   `nil, "patient file: <message>", "E_INPUT", ""`
function M.from_file(path, opts)
  local text
  if type(path) ~= "string" then
    return nil, format("patient file: %s is not a path", show(path)), "E_INPUT", ""
  elseif path == "-" then
    text = stdin:read("*a")
  else
    local f, err = open(path, "rb")
    if not f then
      return nil, "patient file: " .. tostring(err), "E_INPUT", ""
    end
    text = f:read("*a")
    f:close()
  end
  if text == nil then
    return nil, "patient file: cannot read " .. tostring(path), "E_INPUT", ""
  end
  return M.from_json(text, opts)
end

--- Normalise a patient given in any accepted form: a Lua table, JSON text (a string
-- starting with `{`), or a file path (`"-"` for stdin).
-- @param x table, JSON text or path
-- @tparam[opt] table opts as for `normalise`
-- @return as `normalise`
function M.read(x, opts)
  if type(x) == "table" then
    return M.normalise(x, opts)
  elseif type(x) == "string" and x:match("^%s*{") then
    return M.from_json(x, opts)
  elseif type(x) == "string" then
    return M.from_file(x, opts)
  end
  return nil, format("patient: %s is not a table, JSON text or path", show(x)), "E_INPUT", ""
end

-- }===

return M
