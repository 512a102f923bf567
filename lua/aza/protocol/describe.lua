--- Protocol parts as short text for people: values, actions and citations, as `aza check
-- --verbose`, `aza protocols --rules` and docs/clinical-basis.md print them. The same text
-- on every interpreter (numbers through one formatter, keys sorted).
--
-- @module aza.protocol.describe
-- @usage
-- local describe = require "aza.protocol.describe"
-- print(describe.action(rule.action))   --> contraindicate; alert critical (pharmacogenomic)

local compat = require "aza.compat"
local sorted_keys = require("aza.util").sorted_keys

local ipairs, math, pairs, string, table, tostring, type =
  ipairs, math, pairs, string, table, tostring, type

local M = {}

--- A number as text: integers without a decimal point, others with up to 10 digits.
-- @tparam number v
-- @treturn string
function M.num(v)
  if v == math.floor(v) and v > -1e15 and v < 1e15 then
    return string.format("%d", v)
  end
  return (string.format("%.10g", v))
end
local num = M.num

--- True when every key of the table is 1..#t (an empty table is a list). `pairs` and `#`:
-- a read-only view of a loaded protocol (5.2 and later: a proxy) is seen through.
-- @tparam table t
-- @treturn boolean
function M.is_list(t)
  local n = 0
  for _ in pairs(t) do
    n = n + 1
  end
  return n == #t
end
local is_list = M.is_list

--- A plain deep copy of a value, read with `pairs` (a read-only protocol view becomes an
-- ordinary table that `next`, `sorted_keys` and the JSON encoder can walk).
-- @param v
-- @return the copy
function M.plain(v)
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, x in pairs(v) do
    out[k] = M.plain(x)
  end
  return out
end

--- The keys of a table, sorted (`pairs`: a read-only protocol view is seen through).
-- @tparam table t
-- @treturn {string|number,...}
function M.keys(t)
  local plain = {}
  for k in pairs(t) do
    plain[k] = true
  end
  return sorted_keys(plain)
end

--- One value as compact Lua-like text: `{25, 50}`, `{mg = 50, scored = true}`.
-- @param v any plain value
-- @tparam[opt] table opts `bare` (a top-level string unquoted), `depth` (nesting shown
--   before `{…}`; default unlimited)
-- @treturn string
function M.show(v, opts, level)
  opts, level = opts or {}, level or 0
  local t = type(v)
  if t == "number" then
    return num(v)
  elseif t == "string" then
    return (opts.bare and level == 0) and v or compat.quote(v)
  elseif t ~= "table" then
    return tostring(v)
  elseif opts.depth and level > opts.depth then
    return "{…}"
  end
  local parts = {}
  if is_list(v) then
    for i = 1, #v do
      parts[i] = M.show(v[i], opts, level + 1)
    end
  else
    for _, k in ipairs(M.keys(v)) do
      local key = type(k) == "string" and string.match(k, "^[%a_][%w_]*$") and k
        or ("[" .. M.show(k, opts, level + 1) .. "]")
      parts[#parts + 1] = key .. " = " .. M.show(v[k], opts, level + 1)
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
local show = M.show

-- {=== actions ===

local function pct(v)
  return num(v) .. " %"
end

local function weekly(a)
  local d = a.days_per_week
  return (d and d < 7) and (", on " .. num(d) .. (d == 1 and " day" or " days") .. " a week")
    or ""
end

local DESCRIBE = {}

function DESCRIBE.need_data(a)
  return "need_data " .. table.concat(a.facts or {}, ", ")
end

function DESCRIBE.reduce(a)
  if a.fraction then
    return "reduce to " .. num(a.fraction) .. " × dose (round down)" .. weekly(a)
  end
  if a.low and a.high then
    return "reduce to " .. pct(a.percent) .. " of standard (band " .. num(a.low) .. "–"
      .. pct(a.high) .. ", nearest in band)" .. weekly(a)
  end
  return "reduce to " .. pct(a.percent) .. " of dose (round down)" .. weekly(a)
end

function DESCRIBE.cap(a)
  if a.mg_per_kg_per_day then
    return "cap " .. num(a.mg_per_kg_per_day) .. " mg/kg/day (round down)"
  end
  return "cap " .. num(a.mg_per_day) .. " mg/day (round down)"
end

local SET_DOSE_SHOWN = { type = true, mg_per_kg_per_day = true, mg_per_day = true,
                         band = true, start_mg_per_kg_per_day = true, start_weeks = true,
                         weeks = true, days_per_week = true }

function DESCRIBE.set_dose(a)
  local parts = {}
  if a.mg_per_kg_per_day then
    parts[#parts + 1] = "set " .. num(a.mg_per_kg_per_day) .. " mg/kg/day"
  elseif a.mg_per_day then
    parts[#parts + 1] = "set " .. num(a.mg_per_day) .. " mg/day"
  else
    parts[#parts + 1] = "set dose"
  end
  if type(a.band) == "table" then
    parts[#parts] = parts[#parts] .. " (band " .. num(a.band[1]) .. "–" .. num(a.band[2])
      .. (a.mg_per_kg_per_day and " mg/kg/day)" or " mg/day)")
  end
  parts[#parts] = parts[#parts] .. weekly(a)
  if a.start_mg_per_kg_per_day then
    parts[#parts + 1] = "start " .. num(a.start_mg_per_kg_per_day) .. " mg/kg/day"
      .. (a.start_weeks and (" for " .. num(a.start_weeks) .. " wk") or "")
  end
  if a.weeks then
    parts[#parts + 1] = "for " .. num(a.weeks) .. " wk"
  end
  for _, k in ipairs(sorted_keys(a)) do
    if not SET_DOSE_SHOWN[k] then
      parts[#parts + 1] = tostring(k) .. " = " .. show(a[k])
    end
  end
  return table.concat(parts, ", ")
end

function DESCRIBE.alert(a)
  return "alert " .. tostring(a.severity) .. " (" .. tostring(a.kind) .. ")"
end

function DESCRIBE.monitor(a)
  return "monitor " .. table.concat(a.tests or {}, "+") .. " every " .. tostring(a.every)
    .. (a.weeks and (" for " .. num(a.weeks) .. " wk") or "")
end

function DESCRIBE.counsel(a)
  return "counsel: " .. tostring(a.text)
end

local function describe_one(a)
  if type(a) ~= "table" then
    return tostring(a)
  end
  local f = DESCRIBE[a.type]
  if f then
    return f(a)
  end
  return tostring(a.type)
end

--- A rule's action (one action or a list) as text: `"reduce to 50 % of standard (band
-- 30–80 %, nearest in band); alert warning (pharmacogenomic)"`.
-- @tparam table action
-- @treturn string
function M.action(action)
  if type(action) == "table" and action.type == nil then
    local parts = {}
    for i, a in ipairs(action) do
      parts[i] = describe_one(a)
    end
    return table.concat(parts, "; ")
  end
  return describe_one(action)
end

-- }===

-- {=== citations ===

--- The reference keys a rule cites, as a list.
-- @tparam table rule
-- @treturn {string,...}
function M.cite_list(rule)
  local c = rule.cite
  if type(c) == "string" then
    return { c }
  end
  return c or {}
end

--- The short label of a reference key (the key itself when the reference has none).
-- @tparam table refs the protocol's references
-- @tparam string key
-- @treturn string
function M.ref_short(refs, key)
  local r = refs[key]
  if type(r) == "table" then
    return r.short or key
  end
  return key
end

--- The confidence mark of a reference key (`V`, `S`, `R`), or `–`.
-- @tparam table refs
-- @tparam string key
-- @treturn string
function M.ref_conf(refs, key)
  local r = refs[key]
  if type(r) == "table" and r.confidence then
    return r.confidence
  end
  return "–"
end

--- A rule's citations: the short labels and the confidence marks, each joined.
-- @tparam table refs
-- @tparam table rule
-- @treturn string shorts (`"CPIC 2025; DPWG"`)
-- @treturn string confidences (`"V, S"`)
function M.cites(refs, rule)
  local shorts, confs = {}, {}
  for _, k in ipairs(M.cite_list(rule)) do
    shorts[#shorts + 1] = M.ref_short(refs, k)
    confs[#confs + 1] = M.ref_conf(refs, k)
  end
  return table.concat(shorts, "; "), table.concat(confs, ", ")
end

-- }===

return M
