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
-- The reader is in parts: aza.input.context (the facts being built, errors, dates,
-- quantities), aza.input.labs, aza.input.pgx_read (genotypes, phenotypes, TPMT activity)
-- and aza.input.medications (medication classes, azathioprine); this module reads the
-- simple fields and is the entry point. See docs/patient-input.md for the full contract.
--
-- @module aza.input.patient
-- @usage
-- local patient = require "aza.input.patient"
-- local p = assert(patient.normalise({ as_of = "2026-11-21", weight = "176 [lb_av]" }))
-- print(p.facts.weight)                                  --> 79.83225712
-- local r, msg, code, path = patient.normalise({ weight = "-70 kg", as_of = "2026-11-21" })
-- print(msg, code, path)      --> weight: -70 kg is not a positive mass  E_INPUT  weight

local catalogue = require "aza.protocol.facts"
local context = require "aza.input.context"
local labs = require "aza.input.labs"
local medications = require "aza.input.medications"
local pgx_read = require "aza.input.pgx_read"
local json = require "aza.input.json"
local util = require "aza.util"

local format = string.format
local concat = table.concat
local date = os.date
local ipairs, next, pairs, tostring, type =
  ipairs, next, pairs, tostring, type
local open, stdin = io.open, io.stdin
local set_of = util.set_of

local add_classes = medications.add_classes
local body_quantity = context.body_quantity
local is_list = context.is_list
local is_null = context.is_null
local new_cx = context.new_cx
local num = context.num
local read_azathioprine = medications.read_azathioprine
local read_labs = labs.read_labs
local read_medications = medications.read_medications
local read_pgx = pgx_read.read_pgx
local show = context.show
local years_between = context.years_between

local name_of = context.name_of
local word = context.word

local M = {}

--- Top-level fields of the patient record (design §7).
M.FIELDS = {
  "id", "as_of", "birth_date", "sex", "weight", "height", "ancestry", "pregnant",
  "breastfeeding", "genotype", "phenotype", "tpmt_activity", "transfusion_date", "labs",
  "symptoms", "medications", "conditions", "allergies", "vaccines_planned", "azathioprine",
  "facts",
}

local TOP = set_of(M.FIELDS)

--- Input sanity bounds (aza.input.context).
M.SANITY = context.SANITY

--- Window of the creatinine rise, in days (aza.input.context).
M.CREATININE_WINDOW_DAYS = context.CREATININE_WINDOW_DAYS

--- Lab tests whose international units are the same as U/L (aza.input.labs).
M.ENZYME_IU_TESTS = labs.ENZYME_IU_TESTS

--- Format a number for messages (aza.input.context).
M.num = context.num

--- Parse an ISO calendar date (aza.input.context).
M.parse_date = context.parse_date

--- The classes of a medication name or ATC code (aza.input.medications).
M.medication_classes = medications.medication_classes

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
-- {=== entry points ===

-- `facts`: the values of facts the protocol declares (docs/authoring.md, "Facts a protocol
-- declares"): a boolean, a word (one of its words, when it lists them) or a quantity in a
-- unit of the declared one's dimension (a bare number for unit "1"). A name the protocol does
-- not declare is ignored with a warning.
local function declared_value(cx, path, e, v)
  if e.type == "boolean" then
    if type(v) ~= "boolean" then
      return cx:fail(path, format("%s is not true or false", show(v)))
    end
    cx:set(e.name, v)
  elseif e.type == "string" then
    if type(v) ~= "string" then
      return cx:fail(path, format("%s is not a word", show(v)))
    end
    local w = v:lower():match("^%s*(.-)%s*$")
    local ok = e.words == nil
    for _, x in ipairs(e.words or {}) do
      ok = ok or x == w
    end
    if not ok then
      return cx:fail(path, format("%s is not one of %s", show(v), table.concat(e.words, ", ")))
    end
    cx:set(e.name, w)
  else
    local value, text
    if type(v) == "number" and e.unit == "1" then
      value, text = v, num(v)
    else
      value, text = cx:quantity_in(path, v, e.unit, "a quantity in " .. e.unit)
    end
    if value == nil then
      return nil
    end
    cx:set(e.name, value, e.unit)
    cx.given[e.name] = text
    return
  end
  cx.given[e.name] = tostring(v)
end

local function read_declared(cx, p)
  local t = p.facts
  if t == nil or is_null(t) then
    return
  elseif type(t) ~= "table" or (#t > 0) then
    return cx:fail("facts", format("%s is not an object of declared facts", show(t)))
  end
  local names = {}
  for k in next, t do
    names[#names + 1] = tostring(k)
  end
  table.sort(names)
  for _, k in ipairs(names) do
    local e, v, path = catalogue.by_name[k], t[k], "facts." .. k
    if not (e and e.site and cx.site[k]) then
      cx:warn(path, format("'%s' is not a fact this protocol declares: ignored", k))
    elseif e.lab then
      cx:warn(path, format("'%s' is a lab test: give it in labs[] (test, value, unit, date); "
        .. "ignored here", e.lab))
    elseif e.class then
      cx:warn(path, format("'%s' comes from medications[] (the start date of the medication "
        .. "being taken): ignored here", k))
    elseif is_null(v) then
      cx.given[k] = "null"
    else
      declared_value(cx, path, e, v)
    end
  end
end

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
    bounds = cx.bounds,
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
--   `"st_thomas"`), `tables` (`{medications =, loinc =}`: tables replacing the shipped
--   rules/data ones, as a protocol's `data` gives them: aza.input.tables),
--   `utf8_checked` (true: the table came from `aza.input.json`, whose strings are valid
--   UTF-8 already, so they are not checked again), `json_depth` (with
--   `utf8_checked`: the deepest nesting the reader measured; 17 or less skips the walk
--   that checks the record is a plain tree)
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
  -- a record decoded by aza.input.json is a tree of valid UTF-8; nesting is all there is
  -- left to check, and the reader measured it (a table at plain_record's depth 16 is a
  -- container 17 deep)
  local bad, where
  if not (opts.utf8_checked and opts.json_depth and opts.json_depth <= 17) then
    bad, where = plain_record(p, opts.utf8_checked)
  end
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
  read_declared(cx, p)
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
        readings[i] = { value = r.value, unit = unit, date = r.date, comparator = r.bound }
      end
      out[test] = readings
    elseif p.bounds[test] and p.facts[test] ~= nil then
      out[test] = { value = p.facts[test], unit = catalogue.by_name[test].unit,
                    comparator = p.bounds[test] }
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
  local t, msg, code = json.decode_depth(text)
  if t == nil then
    return nil, msg, code, ""
  end
  local o = {}
  for k, v in pairs(opts or {}) do
    o[k] = v
  end
  o.utf8_checked = true -- the JSON reader checked every string
  o.json_depth = msg    -- and measured the nesting
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

