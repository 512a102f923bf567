--- The monitoring schedule of a result: one model, the protocol's `data.monitoring`, for a
-- patient starting and for one already taking azathioprine. A start (or a changed dose) gets
-- the whole schedule; a patient on an unchanged dose gets the stage the schedule is at now and
-- the stages after it, counted from the day the dose was set (`azathioprine.dose_since`), else
-- from the start (`azathioprine.started`); with neither, the whole schedule and a warning.
-- See docs/internals/protocol-parameters.md ("Data").
--
-- @module aza.protocol.monitoring

local units = require "aza.units"

local ipairs, math, string, tonumber, type = ipairs, math, string, tonumber, type

local M = {}

-- "2 wk", "1 mo", "12 wk" -> weeks; nil for anything else
local function weeks_of(every)
  if type(every) ~= "string" then
    return nil
  end
  local v, u = string.match(every, "^%s*([%d.]+)%s+(%S+)%s*$")
  v = tonumber(v)
  if not v then
    return nil
  end
  return units.convert(v, u, "wk")
end
M.weeks_of = weeks_of

--- How many weeks a schedule entry lasts: `until_stable_weeks`, the last of `at_weeks`, or
-- `times` x `every`; nil when it has no end (the last stage, such as "every 12 weeks").
-- @tparam table item an entry of data.monitoring
-- @treturn number|nil
function M.duration(item)
  if type(item.until_stable_weeks) == "number" then
    return item.until_stable_weeks
  elseif type(item.at_weeks) == "table" and #item.at_weeks > 0 then
    local top = 0
    for _, w in ipairs(item.at_weeks) do
      top = math.max(top, w)
    end
    return top
  elseif type(item.times) == "number" then
    local w = weeks_of(item.every)
    return w and item.times * w or nil
  end
  return nil
end

--- The index of the stage a schedule is at after `weeks` on the dose, and the week that
-- stage began: the first entry whose end is after `weeks` (an entry without an end never
-- ends).
-- @tparam {table,...} items data.monitoring
-- @tparam number weeks weeks since the dose was set
-- @treturn integer stage index (1 when the list is empty)
-- @treturn number the week the stage began
function M.stage(items, weeks)
  local from = 0
  for i, item in ipairs(items) do
    local d = M.duration(item)
    if d == nil or weeks < from + d then
      return i, from
    end
    from = from + d
  end
  return math.max(1, #items), from
end

--- The weeks on the current dose of a normalised patient, and what they count from; nil
-- when neither `azathioprine.dose_since` nor `azathioprine.started` is known.
-- @tparam table pt the normalised patient (`days`, `as_of_day`)
-- @treturn number|nil weeks
-- @treturn string|nil `"azathioprine.dose_since"` or `"azathioprine.started"`
function M.weeks_on_dose(pt)
  for _, name in ipairs { "azathioprine.dose_since", "azathioprine.started" } do
    local d = (pt.days or {})[name]
    if d and pt.as_of_day then
      return (pt.as_of_day - d) / 7, name
    end
  end
  return nil
end

return M
