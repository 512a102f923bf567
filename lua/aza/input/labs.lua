--- The labs of a patient record: each entry read (test name or LOINC code, value and unit
-- converted to the reference unit of its fact, reference limits, date), plausibility
-- checks, same-day conflicts, and the latest value and the series of each test published
-- as facts (with days since, and the creatinine rise). Part of aza.input.patient.
--
-- @module aza.input.labs

local catalogue = require "aza.protocol.facts"
local compat = require "aza.compat"
local core = require "aza.core"
local pgx = require "aza.input.pgx"
local units = require "aza.units"
local util = require "aza.util"

local huge = math.huge
local format = string.format
local sort = table.sort
local ipairs, next, type =
  ipairs, next, type
local set_of = util.set_of

local context = require "aza.input.context"

local SUBSTANCE = context.SUBSTANCE
local is_list = context.is_list
local is_null = context.is_null
local num = context.num
local show = context.show
local to_number = context.to_number

local M = {}

local LAB_FIELDS = set_of { "test", "loinc", "value", "comparator", "unit", "date", "uln",
  "lln" }

--- The comparators of a censored result (`"<0.5"`: below the measuring range).
M.COMPARATORS = { "<", "<=", ">", ">=" }
local COMPARATOR = set_of(M.COMPARATORS)

-- {=== labs ===

-- the LOINC table: the protocol's data.loinc, else rules/data/loinc.lua
local function loinc_table(cx)
  return cx.tables.loinc or pgx.data("loinc")
end

local function is_loinc(s)
  return type(s) == "string" and s:match("^%s*%d+%-%d%s*$") ~= nil
end

-- resolve the test of a lab entry; returns the test name, the LOINC code (or nil), or
-- nil plus a flag telling whether an error was recorded (false = ignored)
-- a lab test of the catalogue this patient's protocol reads (a declared one only when the
-- protocol declares it)
local function readable(cx, test)
  local f = catalogue.by_name[test]
  return f ~= nil and f.series and not (f.site and not cx.site[test])
end

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
    local entry = loinc_table(cx)[code]
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
  if not readable(cx, test) then
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

-- G/L as giga per litre for a cell count (French and Swiss laboratories write it so; in
-- UCUM it is gauss per litre, which no count is): 10*9/L, with a note. Only where the test
-- is a count in 10*9/L; anywhere else G/L stays gauss per litre and is refused.
local function count_unit(cx, path, test, unit, ref)
  if ref ~= "10*9/L" or unit ~= "G/L" then
    return unit
  end
  if path:sub(-4) ~= ".uln" and path:sub(-4) ~= ".lln" then
    cx:note("input", test, format("%s in G/L read as 10*9/L (giga per litre, a cell count; "
      .. "in UCUM G is the gauss)", test), path)
  end
  return "10*9/L"
end

-- a value in the lab's unit -> reference unit
local function lab_convert(cx, path, test, v, unit, ref)
  unit = count_unit(cx, path, test, enzyme_unit(cx, path, test, unit), ref)
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
  -- a declared lab: the declaring protocol's own range and words
  local decl = type(cx.site[test]) == "table" and cx.site[test] or entry
  local range = decl.plausible
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
  cx:fail(path, format("%s is not a plausible %s (%s-%s %s)%s", text,
    decl.description or entry.description,
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

-- the value of a lab entry and its comparator: `"<0.5"`, or `value` 0.5 with `comparator`
-- "<" (a censored result: the value is a bound, never the number itself)
local function lab_value(cx, path, lab)
  local raw, bound = lab.value, lab.comparator
  if bound ~= nil and not COMPARATOR[bound] then
    return cx:fail(path .. ".comparator", format("%s is not a comparator (<, <=, >, >=)",
      show(bound)))
  end
  if type(raw) == "string" then
    local c, rest = raw:match("^%s*([<>]=?)%s*(.-)$")
    if c and bound ~= nil and c ~= bound then
      return cx:fail(path .. ".comparator", format("%s contradicts the value %s", bound,
        show(raw)))
    elseif c then
      raw, bound = rest, c
    end
  end
  local v = to_number(raw)
  if v == nil then
    return cx:fail(path .. ".value", format("%s is not a number", show(lab.value)))
  end
  return v, bound
end

-- the unit of a lab entry (a dimensionless test may leave it out)
local function lab_unit(cx, path, test, unit, ref)
  if unit == nil and ref == "1" then
    return "1"
  elseif type(unit) ~= "string" then
    return cx:fail(path .. ".unit", unit == nil and format("missing unit (%s is in %s)", test,
      ref) or format("%s is not a unit", show(unit)))
  end
  return unit
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
  local v, bound = lab_value(cx, path, lab)
  if v == nil then
    return nil
  end
  local unit = lab_unit(cx, path, test, lab.unit, ref)
  if unit == nil then
    return nil
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
  local text = (bound or "") .. num(v) .. (lab.unit and (" " .. unit) or "")
  if value < 0 and test ~= "temperature" then
    return cx:fail(path .. ".value", format("%s is negative", text))
  end
  if not plausible_lab(cx, path .. ".value", test, value, text, ref) then
    return nil
  end
  if not limits_and_date(cx, path, { uln, uln_text }, { lln, lln_text }, d) then
    return nil
  end
  return { index = i, path = path, test = test, loinc = code, value = value, bound = bound,
           date = d.iso,
           day = d.n, given = text, uln = uln, lln = lln, uln_given = uln_text,
           lln_given = lln_text }
end

-- percent rise of the latest result over the lowest dated within the window before
-- as_of (aza_rise_percent in the C core, the same function the rules' rise_percent() runs,
-- over the same latest SERIES_MAX readings); nil with fewer than two results in the window
local SERIES_MAX = core.limits.series_max
local function rise_percent(list, as_of_day, window)
  if #list > SERIES_MAX then
    list = compat.move(list, #list - SERIES_MAX + 1, #list, 1, {})
  end
  return core.rise_percent(list, as_of_day, window)
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
    series[k] = { date = r.date, day = r.day, value = r.value, bound = r.bound,
                  given = r.given }
  end
  cx.series[test] = series
  local latest = list[#list]
  for k = #list - 1, 1, -1 do
    local r = list[k]
    if r.day ~= latest.day then
      break
    end
    if r.value ~= latest.value or r.bound ~= latest.bound then
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
  if latest.bound then
    cx.bounds[test] = latest.bound
    cx:note("censored", test, format("%s is a censored result: rules see a value %s %s %s, "
      .. "and a rule it does not decide asks for %s", latest.given, latest.bound,
      num(latest.value), ref, test), latest.path)
  end
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

-- the first censored reading of a series, or nil
local function censored_in(series)
  for _, r in ipairs(series) do
    if r.bound then
      return r
    end
  end
  return nil
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
  if creat and censored_in(creat) then
    cx:note("censored", "creatinine", format("the creatinine series holds a censored result "
      .. "(%s): its rise is not computed", censored_in(creat).given))
  elseif creat then
    local rise = rise_percent(creat, cx.as_of.n, context.CREATININE_WINDOW_DAYS)
    if rise then
      cx.derived["creatinine.rise_percent_365d"] = rise
    end
  end
end

-- }===

-- {=== shared with the other aza.input modules ===
M.loinc_table = loinc_table
M.is_loinc = is_loinc
M.lab_test = lab_test
M.enzyme_unit = enzyme_unit
M.lab_convert = lab_convert
M.plausible_lab = plausible_lab
M.lab_limit = lab_limit
M.limits_and_date = limits_and_date
M.read_lab = read_lab
M.rise_percent = rise_percent
M.publish_test = publish_test
M.read_labs = read_labs
M.censored_in = censored_in
M.LAB_FIELDS = LAB_FIELDS
M.IU_PER_LITRE = IU_PER_LITRE
-- }===

return M
