--- HL7 v2 messages (ORU^R01 and the like) → a patient record (docs/patient-input.md).
--
-- PID gives `id` (PID-3), `birth_date` (PID-7) and `sex` (PID-8); each OBX a lab result of a
-- test aza reads (OBX-3 by LOINC, `^LN` in the first or the alternate triplet, or a local
-- code of the protocol's `data.lab_codes`), body weight or height. Values keep their
-- comparator (`<0.5`, SN `<^0.5`); OBX-7 gives `lln`/`uln`; OBX-11 says whether the result
-- is used; OBX-14 (else OBR-7) is its date. The record comes with `origin`, where each of
-- its entries came from, so that an error names the segment and field
-- (`message 2, OBX[4]-6`), and with warnings in the same terms.
--
-- @module aza.input.hl7v2
-- @usage
-- local reader = require "aza.input.hl7v2"
-- local rec, origin, warnings = assert(reader.read(text, { lab_codes = {} }))

local grammar = require "aza.grammar.hl7v2"
local codes = require "aza.input.codes"

local format = string.format
local ipairs, tonumber = ipairs, tonumber
local value = grammar.value

local M = {}

--- OBX-11 result status: used, used with a warning, or ignored (with a warning).
M.STATUS = {
  F = "use", C = "use", A = "use",
  P = "warn", R = "warn", S = "warn",
  X = "ignore", D = "ignore", W = "ignore", I = "ignore", N = "ignore", U = "ignore",
}

--- PID-8 administrative sex → the record's word.
M.SEX = { F = "female", M = "male", O = "other", U = "unknown", A = "other", N = "unknown" }

--- An HL7 TS/DTM (`YYYYMMDD[HHMM[SS[.S…]]][+/-ZZZZ]`) → its civil date `YYYY-MM-DD`: the
-- day as written, in the time zone the timestamp carries.
-- @tparam string ts
-- @treturn string|nil the date
-- @treturn[2] string why not
function M.date(ts)
  local y, m, d, rest = ts:match("^(%d%d%d%d)(%d%d)(%d%d)(.*)$")
  if not y then
    return nil, format("%q is not a timestamp with a day (YYYYMMDD…)", ts)
  end
  local time, zone = rest:match("^([%d%.]*)([+-]?%d*)$")
  if not time or not (time == "" or time:match("^%d%d%d?%d?%d?%d?%.?%d*$"))
    or not (zone == "" or zone:match("^[+-]%d%d%d%d$")) then
    return nil, format("%q is not an HL7 timestamp (YYYYMMDD[HHMM[SS]][+/-ZZZZ])", ts)
  end
  local hh, mm = time:match("^(%d%d)(%d?%d?)")
  if (hh and tonumber(hh) > 23) or (mm and mm ~= "" and tonumber(mm) > 59) then
    return nil, format("%q has no such time of day", ts)
  end
  if zone ~= "" and (tonumber(zone:sub(2, 3)) > 14 or tonumber(zone:sub(4, 5)) > 59) then
    return nil, format("%q has no such time zone", ts)
  end
  return y .. "-" .. m .. "-" .. d
end

-- the code of an OBX-3 (CE/CWE): the LOINC code from either triplet, else the local code
local function identify(seg, lab_codes)
  for _, c in ipairs { 1, 4 } do
    local sys = value(seg, 3, c + 2)
    if sys == "LN" or sys == "LOINC" then
      return value(seg, 3, c), "LOINC"
    end
  end
  local code = value(seg, 3, 1)
  local mapped = lab_codes and lab_codes[code]
  if mapped then
    return mapped, "local"
  end
  return nil, code
end

-- OBX-5 as the text the record reads: NM as is, SN `<^0.5` as `<0.5`, ST/TX as is
local function obx_value(seg)
  if value(seg, 2) == "SN" then
    local cmp, n1, sep = value(seg, 5, 1), value(seg, 5, 2), value(seg, 5, 3)
    if sep ~= "" or value(seg, 5, 4) ~= "" then
      return nil, format("%s%s%s%s is a range or ratio, not one value", cmp, n1, sep,
        value(seg, 5, 4))
    end
    return cmp .. n1
  end
  return value(seg, 5)
end

-- OBX-7 "4.0-11.0", "<5", ">3.5" → lln, uln (numbers as text)
local function range(text)
  text = text:gsub("%s", "")
  local lo, hi = text:match("^(%d+%.?%d*)%-(%d+%.?%d*)$")
  if lo then
    return tonumber(lo) ~= 0 and lo or nil, hi -- "0-40": no lower limit
  end
  hi = text:match("^<=?(%d+%.?%d*)$")
  if hi then
    return nil, hi
  end
  lo = text:match("^>=?(%d+%.?%d*)$")
  return lo, nil
end

-- a reader over one text: the record, its origins and warnings
local function new_reader(name, opts)
  local r = { name = name, rec = {}, origin = {}, warnings = {}, opts = opts, weights = {} }
  function r.warn(at, message)
    r.warnings[#r.warnings + 1] = { at = at, message = message }
  end
  function r.put(path, at, fields)
    r.origin[path] = { source = name, at = at, fields = fields }
  end
  return r
end

local function read_pid(r, seg, at)
  local id = value(seg, 3)
  if id ~= "" then
    if r.rec.id and r.rec.id ~= id then
      return nil, format("%s-3: patient %s, but an earlier PID names %s: one patient per "
        .. "source", at, id, r.rec.id)
    end
    r.rec.id = id
    r.ids = r.ids or {}
    for k = 1, grammar.repetitions(seg, 3) do
      r.ids[value(seg, 3, 1, 1, k)] = true
    end
    r.put("id", at, { [""] = "-3" })
  end
  local born = value(seg, 7)
  if born ~= "" then
    local d, why = M.date(born)
    if not d then
      return nil, at .. "-7: " .. why
    end
    r.rec.birth_date = d
    r.put("birth_date", at, { [""] = "-7" })
  end
  local sex = value(seg, 8)
  if sex ~= "" then
    r.rec.sex = M.SEX[sex] or sex
    r.put("sex", at, { [""] = "-8" })
  end
  return true
end

-- whether an OBX is used by its OBX-11 status (warnings for the others)
local function status_used(r, seg, at)
  local status = value(seg, 11)
  local use = M.STATUS[status]
  if use == "ignore" then
    r.warn(at, format("%s-11: result status %s: ignored", at, status))
    return false
  elseif use == nil then
    r.warn(at, format("%s-11: result status %q is not F, C or A: used as given", at, status))
  elseif use == "warn" then
    r.warn(at, format("%s-11: result status %s (not final): used", at, status))
  end
  return true
end

-- the date of an OBX (OBX-14, else OBR-7) and the field it came from; nil, message
local function obx_date(seg, at, obr_date)
  local ts, field = value(seg, 14), "-14"
  if ts == "" then
    ts, field = obr_date or "", " (OBR-7)"
  end
  if ts == "" then
    return nil, nil, field
  end
  local date, why = M.date(ts)
  if not date then
    return nil, at .. field .. ": " .. why
  end
  return date, nil, field
end

local function obx_unit(seg)
  local unit = value(seg, 6, 1)
  return unit ~= "" and unit or value(seg, 6, 2)
end

local function read_pregnancy(r, seg, at)
  local answer = value(seg, 5, 1)
  local pregnant = codes.pregnant(answer)
  if pregnant == nil then
    r.warn(at, format("%s-5: pregnancy status %s is not pregnant / not pregnant: no value",
      at, answer))
  else
    r.rec.pregnant = pregnant
    r.put("pregnant", at, { [""] = "-5" })
  end
  return true
end

local function add_lab(r, seg, at, e, date_field)
  local lo, hi = range(value(seg, 7))
  e.lln, e.uln = lo, hi
  local labs = r.rec.labs or {}
  r.rec.labs = labs
  labs[#labs + 1] = e
  r.put(format("labs[%d]", #labs), at, { [""] = "", test = "-3", loinc = "-3", value = "-5",
    comparator = "-5", unit = "-6", date = date_field, uln = "-7", lln = "-7" })
  return true
end

-- an OBX whose code aza reads: a lab entry, or a weight, height or pregnancy reading
local function read_obx(r, seg, at, obr_date)
  local code, how = identify(seg, r.opts.lab_codes)
  local target = code and codes.observation(code, r.opts.loinc)
  if not target then
    if how ~= "" then
      r.warn(at, format("%s-3: %s is not a test aza reads: ignored", at,
        code or (how .. "^" .. value(seg, 3, 2) .. "^" .. value(seg, 3, 3))))
    end
    return true
  elseif not status_used(r, seg, at) then
    return true
  elseif target.kind == "pregnancy" then
    return read_pregnancy(r, seg, at)
  end
  local v, why = obx_value(seg)
  if not v then
    return nil, at .. "-5: " .. why
  end
  local date, dwhy, date_field = obx_date(seg, at, obr_date)
  if dwhy then
    return nil, dwhy
  end
  if target.kind == "weight" or target.kind == "height" then
    local list = r.weights[target.kind] or {}
    r.weights[target.kind] = list
    list[#list + 1] = { value = v .. " " .. obx_unit(seg), date = date or "", at = at }
    return true
  end
  local unit = obx_unit(seg)
  return add_lab(r, seg, at, { loinc = how == "LOINC" and code or nil,
    test = how ~= "LOINC" and code or nil, value = v, unit = unit ~= "" and unit or nil,
    date = date }, date_field)
end

-- the latest weight and height readings become the record's scalars
local function body(r)
  for _, kind in ipairs { "weight", "height" } do
    local list = r.weights[kind]
    if list then
      local best = list[1]
      for _, w in ipairs(list) do
        if w.date >= best.date then
          best = w
        end
      end
      r.rec[kind] = best.value
      r.put(kind, best.at, { [""] = "-5" })
    end
  end
end

--- Read HL7 v2 text into a patient record.
-- @tparam string text one or more messages
-- @tparam[opt] table opts `name` (of the source, for messages), `lab_codes` (local OBX-3
--   code → test name or LOINC code), `loinc` (the LOINC table in force)
-- @treturn table the record (the fields of docs/patient-input.md this text gives)
-- @treturn table origin: record path (`labs[2]`, `weight`) → `{source, at, fields}`
-- @treturn table warnings `{ {at =, message =}, … }`
-- @treturn table the patient identifiers seen (PID-3), as a set
-- @return[2] nil, message (`message 2, OBX[4]-6: …`), `"E_INPUT"`
function M.read(text, opts)
  opts = opts or {}
  local doc, msg = grammar.parse(text)
  if not doc then
    return nil, msg, "E_INPUT"
  end
  local r = new_reader(opts.name, opts)
  for mi, m in ipairs(doc.messages) do
    local n, obr_date = {}, nil
    for _, seg in ipairs(m.segments) do
      n[seg.id] = (n[seg.id] or 0) + 1
      local at = format("message %d, %s[%d]", mi, seg.id, n[seg.id])
      local ok, err = true, nil
      if seg.id == "PID" then
        ok, err = read_pid(r, seg, at)
      elseif seg.id == "OBR" then
        obr_date = value(seg, 7) ~= "" and value(seg, 7) or nil
      elseif seg.id == "OBX" then
        ok, err = read_obx(r, seg, at, obr_date)
      end
      if not ok then
        return nil, err, "E_INPUT"
      end
    end
  end
  body(r)
  return r.rec, r.origin, r.warnings, r.ids or {}
end

return M
