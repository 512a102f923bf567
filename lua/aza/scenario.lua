--- Scenario expectations: what a site's scenario table (`aza test`) and the project's own
-- specs say a result must be, and the differences when it is not. One vocabulary for both.
--
-- ```lua
-- expect = { decision = "adjust", dose = 75, band = { 42, 112 }, titration = { 50, 75 },
--            monitoring = { "protocol", { id = "tpmt-poor", every = "1 wk" } },
--            alerts = { "pgx-one-intermediate" }, need_data = {} }
-- ```
--
-- Each key is optional; the case passes when every one given holds:
--
-- * `decision`: the decision is this word;
-- * `dose`: the dose is this many mg/day (a weekly schedule: its day-equivalent);
--   `false`: there is no dose;
-- * `dose_mg_per_kg`: the dose per kg and day (2 decimals) is this;
-- * `band`: the band is `{low, high}` mg/day; `false`: there is none;
-- * `regimen`: the regimen text is this (`"3 × 50 mg once daily"`);
-- * `titration`: the titration steps are these mg/day, in order; `false`: none;
-- * `titration_weeks`: the steps start at these weeks;
-- * `monitoring`: each listed item is in the monitoring: a rule id (`"protocol"`: the
--   protocol's own schedule), or a table whose fields (`id`, `every`, `tests`, `weeks`)
--   all match one item;
-- * `counselling`: each listed counselling rule id is given;
-- * `alerts`: the alert ids are exactly these (any order);
-- * `alerts_include`: each listed alert id is raised (others may be too);
-- * `no_alerts`: none of the listed alert ids is raised;
-- * `need_data`: need_data holds exactly these names (any order);
-- * `input_error`: the patient is bad input: `true`, or the JSON path named.
--
-- Older names, still read: `target_mg_per_day` (= `dose`), `target_mg_per_kg_per_day`
-- (= `dose_mg_per_kg`), `band_mg_per_day` (= `band`).
--
-- @module aza.scenario

local num = require("aza.render.text").num

local ipairs, math, next, table, tostring, type = ipairs, math, next, table, tostring, type

local M = {}

--- The expectation keys, in the order of the table above (then the older names).
M.KEYS = { "decision", "dose", "dose_mg_per_kg", "band", "regimen", "titration",
           "titration_weeks", "monitoring", "counselling", "alerts", "alerts_include",
           "no_alerts", "need_data", "input_error",
           "target_mg_per_day", "target_mg_per_kg_per_day", "band_mg_per_day" }

--- Older name -> key.
M.ALIASES = { target_mg_per_day = "dose", target_mg_per_kg_per_day = "dose_mg_per_kg",
              band_mg_per_day = "band" }

local KNOWN = {}
for _, k in ipairs(M.KEYS) do
  KNOWN[k] = true
end

--- The first unknown key of an expectation table, or nil.
-- @tparam table e
-- @treturn string|nil
function M.unknown_key(e)
  local bad
  for k in next, e do
    if not KNOWN[k] and (bad == nil or tostring(k) < bad) then
      bad = tostring(k)
    end
  end
  return bad
end

local function show(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do
      parts[i] = show(x)
    end
    if #parts == 0 and next(v) ~= nil then
      local keys = {}
      for k in next, v do
        keys[#keys + 1] = tostring(k)
      end
      table.sort(keys)
      for _, k in ipairs(keys) do
        parts[#parts + 1] = k .. " = " .. show(v[k])
      end
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif type(v) == "number" then
    return num(v)
  end
  return tostring(v)
end
M.show = show

local function close(a, b)
  return type(a) == "number" and type(b) == "number" and math.abs(a - b) <= 1e-9
end

local function ids_of(list, key)
  local set = {}
  for _, x in ipairs(list or {}) do
    set[x[key]] = true
  end
  return set
end

local function set_equal(a, b)
  local sa, sb = {}, {}
  for _, x in ipairs(a or {}) do
    sa[x] = true
  end
  for _, x in ipairs(b or {}) do
    sb[x] = true
    if not sa[x] then
      return false
    end
  end
  for x in next, sa do
    if not sb[x] then
      return false
    end
  end
  return true
end

--- A sorted copy of a list of strings.
-- @tparam {string,...} list
-- @treturn {string,...}
local function sorted(list)
  local out = {}
  for i, v in ipairs(list or {}) do
    out[i] = v
  end
  table.sort(out)
  return out
end
M.sorted = sorted

-- {=== the dose ===

local function dose_value_diffs(e, d, diffs)
  local want = e.dose
  if want == false and d then
    diffs[#diffs + 1] = "expected no dose, got " .. show(d.target_mg_per_day) .. " mg/day"
  elseif want ~= nil and want ~= false then
    local got = d and d.target_mg_per_day
    if not close(got, want) then
      diffs[#diffs + 1] = "expected dose " .. show(want) .. " mg/day, got "
        .. (got and (show(got) .. " mg/day") or "no dose")
    end
  end
  if e.dose_mg_per_kg ~= nil then
    local got = d and d.target_mg_per_kg_per_day
    if not close(got, e.dose_mg_per_kg) then
      diffs[#diffs + 1] = "expected " .. show(e.dose_mg_per_kg) .. " mg/kg/day, got "
        .. (got and show(got) or "no dose")
    end
  end
end

local function band_diffs(e, d, diffs)
  local want = e.band
  if want == nil then
    return
  end
  local got = d and d.band_mg_per_day
  local same
  if want == false then
    same = got == nil
  else
    same = type(want) == "table" and got ~= nil and close(got[1], want[1])
      and close(got[2], want[2])
  end
  if not same then
    diffs[#diffs + 1] = "expected band " .. (want and show(want) or "none") .. ", got "
      .. (got and show(got) or "none")
  end
end

local function titration_diffs(e, d, diffs)
  local steps = d and d.titration
  if e.titration == false then
    if steps and #steps > 0 then
      diffs[#diffs + 1] = "expected no titration, got " .. #steps .. " steps"
    end
  elseif e.titration ~= nil then
    local mg = {}
    for i, s in ipairs(steps or {}) do
      mg[i] = s.mg_per_day
    end
    local same = #mg == #e.titration
    for i = 1, #mg do
      same = same and close(mg[i], e.titration[i])
    end
    if not same then
      diffs[#diffs + 1] = "expected titration " .. show(e.titration) .. " mg/day, got "
        .. (#mg > 0 and show(mg) or "none")
    end
  end
  if e.titration_weeks ~= nil then
    local weeks = {}
    for i, s in ipairs(steps or {}) do
      weeks[i] = s.week
    end
    if show(weeks) ~= show(e.titration_weeks) then
      diffs[#diffs + 1] = "expected titration weeks " .. show(e.titration_weeks) .. ", got "
        .. show(weeks)
    end
  end
end

local function dose_diffs(e, r, diffs)
  local d = r.dose
  dose_value_diffs(e, d, diffs)
  band_diffs(e, d, diffs)
  if e.regimen ~= nil then
    local got = d and d.regimen and d.regimen.text
    if got ~= e.regimen then
      diffs[#diffs + 1] = "expected regimen '" .. tostring(e.regimen) .. "', got "
        .. (got and ("'" .. got .. "'") or "none")
    end
  end
  titration_diffs(e, d, diffs)
end

-- }===

-- {=== lists ===

-- one monitoring item matches a wanted one: an id ("protocol": the protocol's schedule), or
-- a table of fields that all match
local function monitoring_match(m, want)
  if type(want) ~= "table" then
    return m.id == want or (want == "protocol" and m.source == "protocol")
  end
  for k, v in next, want do
    local got = m[k]
    if k == "id" and v == "protocol" then
      if m.source ~= "protocol" then
        return false
      end
    elseif type(v) == "table" then
      if type(got) ~= "table" or not set_equal(v, got) then
        return false
      end
    elseif got ~= v then
      return false
    end
  end
  return true
end

local function monitoring_diffs(e, r, diffs)
  for _, want in ipairs(e.monitoring or {}) do
    local found = false
    for _, m in ipairs(r.monitoring or {}) do
      found = found or monitoring_match(m, want)
    end
    if not found then
      diffs[#diffs + 1] = "expected monitoring " .. show(want) .. ", not given"
    end
  end
end

local function alert_diffs(e, r, diffs)
  local got = {}
  for i, a in ipairs(r.alerts or {}) do
    got[i] = a.id
  end
  if e.alerts ~= nil and not set_equal(e.alerts, got) then
    diffs[#diffs + 1] = "expected alerts " .. show(sorted(e.alerts)) .. ", got "
      .. show(sorted(got))
  end
  local alerts = ids_of(r.alerts, "id")
  for _, id in ipairs(e.alerts_include or {}) do
    if not alerts[id] then
      diffs[#diffs + 1] = "expected alert " .. id .. ", not raised"
    end
  end
  for _, id in ipairs(e.no_alerts or {}) do
    if alerts[id] then
      diffs[#diffs + 1] = "expected no alert " .. id .. ", raised"
    end
  end
end

local function list_diffs(e, r, diffs)
  alert_diffs(e, r, diffs)
  if e.need_data ~= nil and not set_equal(e.need_data, r.need_data) then
    diffs[#diffs + 1] = "expected need_data " .. show(sorted(e.need_data)) .. ", got "
      .. show(sorted(r.need_data or {}))
  end
  local counsel = ids_of(r.counselling, "id")
  for _, id in ipairs(e.counselling or {}) do
    if not counsel[id] then
      diffs[#diffs + 1] = "expected counselling " .. id .. ", not given"
    end
  end
  monitoring_diffs(e, r, diffs)
end

-- }===

--- The expectations with the older names read as the current ones.
-- @tparam table e
-- @treturn table
function M.normalise(e)
  local out = {}
  for k, v in next, e do
    out[M.ALIASES[k] or k] = v
  end
  return out
end

--- The differences between a case's expectations and a result.
-- @tparam table e the expectations (keys of `KEYS`)
-- @tparam table|nil r the result (nil for bad input)
-- @tparam[opt] string err_msg the input error message (when r is nil)
-- @tparam[opt] string err_path the JSON path of the input error
-- @treturn {string,...} the differences (empty: the case passes)
function M.compare(e, r, err_msg, err_path)
  e = M.normalise(e)
  local diffs = {}
  if not r then
    local want = e.input_error
    if not want then
      diffs[1] = "bad input: " .. tostring(err_msg)
    elseif want ~= true and want ~= err_path then
      diffs[1] = "expected an input error at " .. tostring(want) .. ", got one at "
        .. tostring(err_path) .. " (" .. tostring(err_msg) .. ")"
    end
    return diffs
  end
  if e.input_error then
    diffs[#diffs + 1] = "expected an input error"
      .. (e.input_error ~= true and (" at " .. tostring(e.input_error)) or "") .. ", got decision "
      .. tostring(r.decision)
  end
  if e.decision ~= nil and r.decision ~= e.decision then
    diffs[#diffs + 1] = "expected decision " .. tostring(e.decision) .. ", got "
      .. tostring(r.decision)
  end
  dose_diffs(e, r, diffs)
  list_diffs(e, r, diffs)
  return diffs
end

return M
