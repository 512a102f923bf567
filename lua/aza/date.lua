--- Calendar dates as day numbers (days since 1970-01-01).
--
-- ISO 8601 calendar dates `YYYY-MM-DD` in the proleptic Gregorian calendar, read with real
-- calendar validation (month 01–12, day within the month, 29 February in leap years only)
-- and turned into day numbers and back. The arithmetic is the C core's (aza_days_from_civil,
-- aza_civil_from_days, aza_is_leap in aza_regimen.c, after H. Hinnant), the one
-- implementation the regimen dates use too. `aza.input.patient` and `aza.protocol.evaluate`
-- read their dates through this module.
--
-- @module aza.date
-- @usage
-- local date = require "aza.date"
-- print(date.parse("2026-11-21"))  --> 20778  2026  11  21
-- print(date.format(20778))        --> 2026-11-21
-- print(date.parse("2026-02-30"))  --> nil  2026-02-30 is not a calendar date

local core = require "aza.core"

local string, tonumber, type = string, tonumber, type

local M = {}

--- Whether `y` is a leap year of the Gregorian calendar.
-- @tparam integer y year
-- @treturn boolean
-- @usage date.is_leap(2000), date.is_leap(1900)  --> true, false
function M.is_leap(y)
  return core.is_leap(y)
end

local is_leap = M.is_leap

local function days_in_month(y, m)
  if m == 2 then
    return is_leap(y) and 29 or 28
  end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

--- The day number of a civil date (no validation: `2026-02-30` is
-- `2026-03-02`).
-- @tparam integer y year
-- @tparam integer m month, 1–12
-- @tparam integer d day of the month
-- @treturn integer days since 1970-01-01 (negative before it)
-- @usage date.days_from_civil(2000, 3, 1)  --> 11017
function M.days_from_civil(y, m, d)
  return core.days_from_civil(y, m, d)
end

--- The civil date of a day number.
-- @tparam integer n days since 1970-01-01
-- @treturn integer year
-- @treturn integer month, 1–12
-- @treturn integer day of the month
-- @usage date.civil_from_days(-1)  --> 1969  12  31
function M.civil_from_days(n)
  return core.civil_from_days(n)
end

--- Parse an ISO 8601 calendar date `YYYY-MM-DD` (exactly four, two and two
-- digits; no time, no time zone).
-- @tparam string text
-- @treturn integer the day number (days since 1970-01-01)
-- @treturn integer year
-- @treturn integer month
-- @treturn integer day of the month
-- @return[2] nil
-- @treturn[2] string message: `"'2026-1-01' is not a date (YYYY-MM-DD)"` for another
--   shape, `"2026-02-30 is not a calendar date"` for a day the calendar does not have
-- @usage date.parse("2024-02-29")  --> 19782  2024  2  29
function M.parse(text)
  if type(text) ~= "string" then
    return nil, "a " .. type(text) .. " is not a date (YYYY-MM-DD)"
  end
  local ys, ms, ds = string.match(text, "^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not ys then
    return nil, "'" .. text .. "' is not a date (YYYY-MM-DD)"
  end
  local y, m, d = tonumber(ys), tonumber(ms), tonumber(ds)
  if m < 1 or m > 12 or d < 1 or d > days_in_month(y, m) then
    return nil, text .. " is not a calendar date"
  end
  return M.days_from_civil(y, m, d), y, m, d
end

--- A day number as `YYYY-MM-DD` (for years 0000–9999, the dates `parse` reads).
-- @tparam integer n days since 1970-01-01
-- @treturn string
-- @usage date.format(20778)  --> "2026-11-21"
function M.format(n)
  local y, m, d = M.civil_from_days(n)
  return string.format("%04d-%02d-%02d", y, m, d)
end

return M
