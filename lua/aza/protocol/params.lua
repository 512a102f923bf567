--- Load-time checks of the parameters and data the dose maths reads.
--
-- Part of `aza.protocol.check` (so `aza check` and `aza.protocol.load` report the same
-- errors): `parameters.dose` (a rate inside its band), `parameters.titration`,
-- `parameters.formulary` (through `aza.dose`), `parameters.regimen`, `parameters.profile`
-- and `tpmt_method` (through `aza.input.pgx`), `data.monitoring`, and cite keys on them.
-- Each error names the file and line of the extends chain that set the key last.
--
-- @module aza.protocol.params

local source = require "aza.protocol.source"
local ipairs, math, pairs, require, string, table, tostring, type =
  ipairs, math, pairs, require, string, table, tostring, type

local M = {}

local function num(v)
  return require("aza.input.patient").num(v)
end

local function positive(v)
  return type(v) == "number" and v > 0 and v == v and v < math.huge
end

-- Ranges no real protocol comes near: a dose rate above 10 mg/kg/day (the label's top is
-- 3), a daily amount above 1000 mg, a tablet outside 1-500 mg is a slip, refused at load.
local RATE_MAX, MG_PER_DAY_MAX, TABLET_MIN, TABLET_MAX = 10, 1000, 1, 500

-- the rounding modes of the dose maths (aza_rounding_name in the C core)
local ROUNDING = {}
for _, name in ipairs(require("aza.core").names.roundings) do
  ROUNDING[name] = true
end

local function whole_weeks(v)
  return type(v) == "number" and v >= 1 and v <= 52 and v == math.floor(v)
end


-- the file and line that set `key` (of `section`) last in the extends chain
local function where(p, key, section)
  local locate = source.locate
  local files, sources = p.files or {}, p.sources or {}
  for i = #files, 1, -1 do
    local src = sources[i]
    local from = src and string.find(src, section .. "%s*=") and locate(src, section, 1)
    if from then
      for _, needle in ipairs { key .. " =", key .. "=", key } do
        local line = locate(src, needle, from)
        if line ~= from or string.find(src, needle, 1, true) then
          return files[i], line
        end
      end
    end
  end
  return p.file, p.line
end

local DOSE_KEYS = { mg_per_kg_per_day = true, mg_per_day = true, band = true, rounding = true,
                    cite = true }
local TITRATION_KEYS = { start_mg_per_day = true, step_mg_per_day = true, every_weeks = true,
                         start_mg_per_kg_per_day = true, start_weeks = true, cite = true }
local REGIMEN_KEYS = { split_above_mg_per_day = true, allow_alternate = true,
                       twice_daily = true }

--- The keys the checks know, per table (`dose`, `titration`, `regimen`) and at the top of
-- `parameters` (`top`); docs/authoring.md lists each (spec/docs_authoring_spec.lua).
M.KEYS = { dose = DOSE_KEYS, titration = TITRATION_KEYS, regimen = REGIMEN_KEYS,
           top = { dose = true, titration = true, formulary = true, regimen = true,
                   profile = true, tpmt_method = true, tpmt_unknown = true,
                   indication = true } }

local function sorted_names(set)
  local list = {}
  for k in pairs(set) do
    list[#list + 1] = k
  end
  table.sort(list)
  return table.concat(list, ", ")
end

local function unknown_keys(t, known, what, err)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = tostring(k)
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    if not known[k] then
      err(what .. ": unknown key '" .. k .. "' (keys: " .. sorted_names(known) .. ")")
    end
  end
end

local function is_pair(b)
  return type(b) == "table" and type(b[1]) == "number" and type(b[2]) == "number" and b[3] == nil
end

local function check_cite(p, cite, what, err)
  if cite == nil then
    return
  end
  local keys = type(cite) == "table" and cite or { cite }
  for _, k in ipairs(keys) do
    if type(k) ~= "string" or (p.references or {})[k] == nil then
      err(what .. ".cite: unknown citation key '" .. tostring(k) .. "'")
    end
  end
end

local function check_rate_band(rate, band, what, err)
  if not positive(rate) then
    err(what .. ".mg_per_kg_per_day must be a positive number, got " .. tostring(rate))
    return
  end
  if rate > RATE_MAX or (is_pair(band) and type(band[2]) == "number" and band[2] > RATE_MAX) then
    err(what .. ": a dose rate above " .. RATE_MAX .. " mg/kg/day is not plausible (the "
      .. "label's top is 3 mg/kg/day)")
    return
  end
  if band == nil then
    return
  end
  if not is_pair(band) or not positive(band[1]) then
    err(what .. ".band must be { low, high } in mg/kg/day, such as { 2.0, 2.5 }")
  elseif band[1] > band[2] then
    err(what .. ".band: low " .. num(band[1]) .. " is above high " .. num(band[2]))
  elseif rate < band[1] or rate > band[2] then
    err(what .. ": " .. num(rate) .. " mg/kg/day is outside its band " .. num(band[1]) .. "–"
      .. num(band[2]))
  end
end

-- a fixed standard dose: deliverable with the protocol's formulary, no band, no rounding
local function check_fixed_dose(p, d, err)
  if d.band ~= nil or d.rounding ~= nil then
    err("parameters.dose: band and rounding go with mg_per_kg_per_day; a fixed mg_per_day "
      .. "is given as it is")
  end
  if not positive(d.mg_per_day) or d.mg_per_day > MG_PER_DAY_MAX then
    err("parameters.dose.mg_per_day must be a positive number of at most " .. MG_PER_DAY_MAX
      .. ", got " .. tostring(d.mg_per_day))
    return
  end
  local formulary = (p.parameters or {}).formulary
  local ok, yes = pcall(require("aza.dose").deliverable, d.mg_per_day, formulary)
  if ok and yes == false then
    local f = require("aza.dose").formulary(formulary)
    local parts = {}
    for i, t in ipairs(f or {}) do
      parts[i] = num(t.mg) .. " mg" .. (t.scored and " (scored)" or "")
    end
    err("parameters.dose.mg_per_day: " .. num(d.mg_per_day) .. " mg/day is not deliverable "
      .. "with the formulary (" .. table.concat(parts, ", ") .. ")")
  end
end

local function check_dose_param(p, d, err)
  if d == nil then
    return
  end
  if type(d) ~= "table" then
    err("parameters.dose must be { mg_per_kg_per_day = 2.0, band = { 2.0, 2.5 } } or "
      .. "{ mg_per_day = 50 }")
    return
  end
  unknown_keys(d, DOSE_KEYS, "parameters.dose", err)
  if d.mg_per_day ~= nil and d.mg_per_kg_per_day ~= nil then
    err("parameters.dose: give mg_per_kg_per_day (a weight-based dose) or mg_per_day (a fixed "
      .. "dose), not both")
  elseif d.mg_per_day ~= nil then
    check_fixed_dose(p, d, err)
  else
    check_rate_band(d.mg_per_kg_per_day, d.band, "parameters.dose", err)
    if d.rounding ~= nil and not ROUNDING[d.rounding] then
      err('parameters.dose.rounding must be "nearest_in_band" (the deliverable dose nearest '
        .. 'the target inside the band) or "down" (the largest not above the target), got '
        .. tostring(d.rounding))
    end
  end
  check_cite(p, d.cite, "parameters.dose", err)
end

local function check_titration(p, t, err)
  if t == nil or t == false then
    return
  end
  local what = "parameters.titration"
  if type(t) ~= "table" then
    err(what .. " must be a table or false")
    return
  end
  unknown_keys(t, TITRATION_KEYS, what, err)
  check_cite(p, t.cite, what, err)
  if t.start_mg_per_day ~= nil and t.start_mg_per_kg_per_day ~= nil then
    err(what .. ": give start_mg_per_day or start_mg_per_kg_per_day, not both")
  elseif t.start_mg_per_day ~= nil then
    if not positive(t.start_mg_per_day) or t.start_mg_per_day > MG_PER_DAY_MAX then
      err(what .. ".start_mg_per_day must be a positive number of at most " .. MG_PER_DAY_MAX)
    end
    if t.step_mg_per_day ~= nil
      and (not positive(t.step_mg_per_day) or t.step_mg_per_day > MG_PER_DAY_MAX) then
      err(what .. ".step_mg_per_day must be a positive number of at most " .. MG_PER_DAY_MAX)
    end
    if not whole_weeks(t.every_weeks) then
      err(what .. ".every_weeks must be a whole number of weeks (1–52)")
    end
  elseif t.start_mg_per_kg_per_day ~= nil then
    if not positive(t.start_mg_per_kg_per_day) or t.start_mg_per_kg_per_day > RATE_MAX then
      err(what .. ".start_mg_per_kg_per_day must be a positive number")
    end
    if not whole_weeks(t.start_weeks) then
      err(what .. ".start_weeks must be a whole number of weeks (1–52)")
    end
  else
    err(what .. " needs start_mg_per_day (with every_weeks) or start_mg_per_kg_per_day "
      .. "(with start_weeks), or titration = false")
  end
end

local function check_regimen(r, err)
  if r == nil then
    return
  end
  if type(r) ~= "table" then
    err("parameters.regimen must be a table")
    return
  end
  unknown_keys(r, REGIMEN_KEYS, "parameters.regimen", err)
  local s = r.split_above_mg_per_day
  if s ~= nil and s ~= false and not positive(s) then
    err("parameters.regimen.split_above_mg_per_day must be a positive number or false")
  end
  for _, k in ipairs { "allow_alternate", "twice_daily" } do
    if r[k] ~= nil and type(r[k]) ~= "boolean" then
      err("parameters.regimen." .. k .. " must be true or false")
    end
  end
end

local function check_profile(params, err)
  local pgx = require "aza.input.pgx"
  if params.profile ~= nil then
    local ok, msg = pgx.profile(params.profile)
    if not ok then
      err("parameters.profile: " .. msg)
    end
  end
  if params.tpmt_method ~= nil then
    local ok, msg = pgx.activity_method(params.tpmt_method)
    if not ok then
      err("parameters.tpmt_method: " .. msg)
    end
  end
  if params.tpmt_unknown ~= nil and not M.TPMT_UNKNOWN[params.tpmt_unknown] then
    err('parameters.tpmt_unknown must be "need_data" (ask for TPMT before dosing) or '
      .. '"dose_by_nudt15" (CPIC: dose by NUDT15, advise a TPMT test), got '
      .. tostring(params.tpmt_unknown))
  end
end

--- Values of `parameters.tpmt_unknown`: what TPMT not tested or indeterminate does.
M.TPMT_UNKNOWN = { need_data = true, dose_by_nudt15 = true }

local function check_monitoring(p, list, err)
  if list == nil then
    return
  end
  if type(list) ~= "table" then
    err("data.monitoring must be a list of { tests = {…}, at_weeks = {…} | every = \"…\" }")
    return
  end
  for i, item in ipairs(list) do
    local what = "data.monitoring[" .. i .. "]"
    if type(item) ~= "table" or type(item.tests) ~= "table" or #item.tests == 0 then
      err(what .. " needs tests = { \"fbc\", … }")
    elseif item.at_weeks == nil and item.every == nil then
      err(what .. " needs at_weeks = { … } or every = \"12 wk\"")
    else
      check_cite(p, item.cite, what, err)
    end
  end
end

--- Check the parameters and data of a merged protocol.
-- @tparam table p the protocol (as `aza.protocol.load` merges it: `files`, `sources`)
-- @tparam function add `add(file, line, message)` is called once per error
function M.check(p, add)
  local params = type(p.parameters) == "table" and p.parameters or {}
  local function at(key, section)
    return function(msg)
      local file, line = where(p, key, section or "parameters")
      add(file, line, "protocol '" .. tostring(p.id) .. "': " .. msg)
    end
  end
  check_dose_param(p, params.dose, at("dose"))
  check_titration(p, params.titration, at("titration"))
  if params.formulary ~= nil then
    local ok, msg = require("aza.dose").formulary(params.formulary)
    if ok and type(params.formulary) == "table" then
      for _, t in ipairs(params.formulary) do
        local mg = type(t) == "table" and t.mg
        if type(mg) == "number" and (mg < TABLET_MIN or mg > TABLET_MAX) then
          ok, msg = false, "a tablet of " .. num(mg) .. " mg is outside " .. TABLET_MIN .. "–"
            .. TABLET_MAX .. " mg"
        end
      end
    end
    if not ok then
      at("formulary")("parameters.formulary: " .. msg
        .. " (write formulary = { { mg = 25 }, { mg = 50, scored = true } })")
    end
  end
  check_regimen(params.regimen, at("regimen"))
  check_profile(params, at("profile"))
  check_monitoring(p, type(p.data) == "table" and p.data.monitoring or nil,
                   at("monitoring", "data"))
end

return M
