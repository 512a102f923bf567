--- Medications and azathioprine in a patient record: medication names and ATC codes
-- matched to the classes of rules/data/medications.lua, the medication list by status,
-- and the azathioprine status, dose, start and cumulative exposure. Part of
-- aza.input.patient.
--
-- @module aza.input.medications

local pgx = require "aza.input.pgx"
local util = require "aza.util"

local format = string.format
local concat, sort = table.concat, table.sort
local ipairs, next, type =
  ipairs, next, type
local set_of = util.set_of

local context = require "aza.input.context"

local NOUN = context.NOUN
local check_sanity = context.check_sanity
local is_list = context.is_list
local is_null = context.is_null
local show = context.show























local name_of = context.name_of

local M = {}

local MED_FIELDS = set_of { "name", "status", "dose", "atc", "started" }
local AZA_FIELDS = set_of { "status", "dose", "started", "dose_since", "cumulative",
                            "days_per_week" }
local MED_STATUS = { active = true, planned = true, stopped = true }
local AZA_STATUS = { naive = true, active = true, stopped = true }

-- {=== medication and vaccine classes (rules/data/medications.lua) ===

local MED_UNIT_WORDS = set_of { "mg", "g", "mcg", "ug", "microgram", "micrograms", "milligram",
                                "milligrams", "ml", "iu", "units" }


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

-- the matching index of a medication table (a protocol's data.medications, else
-- rules/data/medications.lua), built once per table
local med_indexes = setmetatable({}, { __mode = "k" })
local function med_index(data)
  data = data or pgx.data("medications")
  local idx = med_indexes[data]
  if idx then
    return idx
  end
  idx = { ignore = {}, names = {}, atc = {}, prefixes = data.atc_prefixes or {} }
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
  med_indexes[data] = idx
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
-- @tparam[opt] table data a medication table in the shape of rules/data/medications.lua
--   (a protocol's `data.medications`); default the shipped one
-- @treturn {string,...} ids and classes (`{"ramipril", "ace_inhibitor"}`)
-- @treturn boolean true when the name and the ATC code both match but name different
--   substances
-- @usage patient.medication_classes("Ramipril 5 mg")  --> {"ramipril", "ace_inhibitor"}
function M.medication_classes(name, atc, data)
  local idx = med_index(data)
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
      for _, k in ipairs((M.medication_classes(s, nil, cx.tables.medications))) do
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
  local classes, disagree = M.medication_classes(m.name, m.atc, cx.tables.medications)
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
-- the start date of a medication entry: nil when not given, false after an error (a
-- medicine taken or stopped cannot have started after as_of)
local function medication_started(cx, path, m)
  local started = cx:date(path .. ".started", m.started)
  if started and cx.as_of and started.n > cx.as_of.n and m.status ~= "planned" then
    cx:fail(path .. ".started", format("%s is after as_of %s for %s medication",
      started.iso, cx.as_of.iso, m.status == "active" and "an active" or "a stopped"))
    return false
  end
  return started
end

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
  local started = medication_started(cx, path, m)
  if started == false then
    ok = nil
  end
  if not ok then
    return nil
  end
  local keys = { name_of(m.name), m.atc and m.atc:match("%S+"):upper() or nil }
  if m.status ~= "stopped" then
    medication_keys(cx, path, m, keys)
  end
  return m.status, m.name, keys, started
end

-- The start dates facts of the catalogue name a class for (allopurinol.started, and the
-- medication facts a protocol declares): per fact, the latest start of the active medicines
-- with that key; unknown when one of them has no start date.
local SHIPPED_STARTS = {}
for _, e in ipairs(require("aza.protocol.facts").list) do
  if e.class and not e.site then
    SHIPPED_STARTS[#SHIPPED_STARTS + 1] = e
  end
end

local function class_starts(cx)
  local facts = {}
  for i, e in ipairs(SHIPPED_STARTS) do
    facts[i] = e
  end
  for name in next, cx.site do
    local e = require("aza.protocol.facts").by_name[name]
    if e and e.class then
      facts[#facts + 1] = e
    end
  end
  local latest, undated = {}, {}
  local t = {}
  function t.add(keys, started)
    for _, e in ipairs(facts) do
      for k = 1, #keys do
        if keys[k] == e.class then
          if started then
            local l = latest[e.name]
            latest[e.name] = (l == nil or started.n > l.n) and started or l
          else
            undated[e.name] = true
          end
          break
        end
      end
    end
  end
  function t.publish()
    for _, e in ipairs(facts) do
      local d = not undated[e.name] and latest[e.name] or nil
      if d then
        cx:set_date(e.name, d)
        cx.given[e.name] = d.iso
      end
    end
  end
  return t
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
  local start = class_starts(cx)
  for i, m in ipairs(meds) do
    local status, name, keys, started = read_medication(cx, i, m)
    if status == "active" then
      start.add(keys, started)
    end
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
  start.publish()
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

-- the date the current dose was set: not after as_of, not before the start
local function aza_dose_since(cx, a)
  local d = cx:date("azathioprine.dose_since", a.dose_since)
  if not d or not cx.as_of then
    return
  end
  local started = cx.days["azathioprine.started"]
  if d.n > cx.as_of.n then
    cx:fail("azathioprine.dose_since", format("%s is after as_of %s", d.iso, cx.as_of.iso))
  elseif started and d.n < started then
    cx:fail("azathioprine.dose_since", format("%s is before azathioprine.started %s", d.iso,
      cx.facts["azathioprine.started"]))
  else
    cx:set_date("azathioprine.dose_since", d)
    cx.given["azathioprine.dose_since"] = d.iso
  end
end

-- days_per_week: the current dose is a weekly schedule, given on this many days of each week
-- (1-7); `dose` stays the average rate ("30 mg/wk" or "4.29 mg/d"). Read only for an active
-- patient with a dose; the dose stage divides the rate over the dosing days.
local function aza_days_per_week(cx, a, status)
  local d = a.days_per_week
  if d == nil or is_null(d) then
    return
  elseif type(d) ~= "number" or d % 1 ~= 0 or d < 1 or d > 7 then
    cx:fail("azathioprine.days_per_week", format("%s is not a whole number of days from 1 to "
      .. "7", show(d)))
  elseif status == "active" then
    local rate = cx.facts["azathioprine.dose"]
    local amount = rate and rate * 7 / d
    if amount and math.abs(amount * 4 - math.floor(amount * 4 + 0.5)) > 1e-6 then
      cx:fail("azathioprine.days_per_week", format("%s on %d days a week is %s mg on each "
        .. "dosing day, not a whole number of 0.25 mg: check the dose and the days",
        cx.given["azathioprine.dose"], d, util.number(math.floor(amount * 100 + 0.5) / 100)))
      return
    end
    cx.derived["azathioprine.days_per_week"] = d
    cx.given["azathioprine.days_per_week"] = tostring(d)
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
  aza_dose_since(cx, a)
  aza_days_per_week(cx, a, status)
end

-- }===

-- {=== shared with the other aza.input modules ===
M.alnum = alnum
M.strength_token = strength_token
M.part_key = part_key
M.name_keys = name_keys
M.med_index = med_index
M.is_atc = is_atc
M.match_name = match_name
M.match_atc = match_atc
M.add_classes = add_classes
M.medication_keys = medication_keys
M.read_medication = read_medication
M.read_medications = read_medications
M.aza_dose = aza_dose
M.aza_cumulative = aza_cumulative
M.aza_started = aza_started
M.read_azathioprine = read_azathioprine
M.MED_FIELDS = MED_FIELDS
M.AZA_FIELDS = AZA_FIELDS
M.MED_STATUS = MED_STATUS
M.AZA_STATUS = AZA_STATUS
M.MED_UNIT_WORDS = MED_UNIT_WORDS
M.ACCENTS = ACCENTS

-- }===

return M
