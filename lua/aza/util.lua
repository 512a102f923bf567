--- Small helpers shared by the aza modules: sets, sorted keys, paths.
--
-- Plain Lua, no state. Kept here so that each is written once.
--
-- @module aza.util
-- @usage
-- local util = require "aza.util"
-- local KEYS = util.set_of { "value", "unit" }   --> { value = true, unit = true }
-- print(table.concat(util.sorted_keys { b = 1, a = 2 }, ","))  --> a,b

local io, ipairs, math, next, string, table, tonumber, type =
  io, ipairs, math, next, string, table, require("aza.compat").tonumber, type

local M = {}

--- Numbers as text, '.' for the decimal point whatever `LC_NUMERIC` says.
--
-- `string.format` and `tostring` follow the C locale of the process, so a host
-- that set a comma-decimal locale would otherwise print `2,13` (and a JSON
-- writer would emit a wrong or broken number). Every number aza prints goes
-- through `number` or `fixed`.
-- @section numbers

-- text of string.format(fmt, v) with the locale's decimal point turned into '.'
local function cformat(fmt, v)
  local s = string.format(fmt, v)
  local point = string.sub(string.format("%.1f", 0.5), 2, -2)  -- "." or the locale's
  if point ~= "." then
    s = string.gsub(s, point, ".", 1)
  end
  return s
end

--- The shortest decimal text that reads back as the same number (integers and
-- integral floats below 2^53 without a decimal point; "nan", "inf", "-inf").
-- @tparam number v
-- @treturn string
-- @usage util.number(2.13) --> "2.13";  util.number(150.0) --> "150"
function M.number(v)
  if v ~= v then
    return "nan"
  elseif v == math.huge or v == -math.huge then
    return v > 0 and "inf" or "-inf"
  end
  if v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then
    return string.format("%d", v)
  end
  local s
  for prec = 14, 17 do
    s = cformat("%." .. prec .. "g", v)
    if tonumber(s) == v then
      return s
    end
  end
  return s
end

--- A number rounded to `places` decimals, trailing zeros (and a bare point)
-- dropped: 176.25 → "176.25", 2.1 → "2.1", 150.0 → "150".
-- @tparam number v
-- @tparam integer places
-- @treturn string
function M.fixed(v, places)
  if v ~= v or v == math.huge or v == -math.huge then
    return M.number(v)
  end
  local s = cformat("%." .. places .. "f", v)
  if string.find(s, ".", 1, true) then
    s = string.gsub(string.gsub(s, "0+$", ""), "%.$", "")
  end
  if s == "-0" then
    s = "0"
  end
  return s
end

--- A string as it may be shown in a message: control bytes (ESC, CR, ...) written as
-- `\ddd`, and at most `max` bytes (default 80) of it, then `…`.
-- @tparam string s
-- @tparam[opt] integer max
-- @treturn string
function M.printable(s, max)
  max = max or 80
  local cut = #s > max
  if cut then
    s = string.sub(s, 1, max)
  end
  s = string.gsub(s, "%c", function(c)
    return string.format("\\%03d", string.byte(c))
  end)
  return cut and (s .. "…") or s
end

--- A set of the elements of a list.
-- @tparam {any,...} list
-- @treturn table `{[element] = true, ...}`
-- @usage util.set_of { "mg", "g" }  --> { mg = true, g = true }
function M.set_of(list)
  local s = {}
  for _, v in ipairs(list) do
    s[v] = true
  end
  return s
end

--- The keys of a table, sorted: numbers and strings in their own order, other
-- types after them grouped by type name. Reads the raw table (`next`, not
-- `__pairs`).
-- @tparam table t
-- @treturn {any,...}
-- @usage util.sorted_keys { b = 1, a = 2, [1] = 3 }  --> { 1, "a", "b" }
function M.sorted_keys(t)
  local keys = {}
  for k in next, t do
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then
      return a < b
    end
    return type(a) < type(b)
  end)
  return keys
end

--- The directory part of a path (`"."` when it has none).
-- @tparam string path
-- @treturn string
-- @usage util.dirname("rules/ibd.lua")  --> "rules"
function M.dirname(path)
  return string.match(path, "^(.*)/[^/]*$") or "."
end

--- The whole text of a file, `"-"` being standard input.
-- @tparam string path
-- @treturn string|nil the text
-- @treturn[2] string the reason it could not be read
-- @usage local text, err = util.slurp("examples/sources/labs.hl7")
function M.slurp(path)
  if path == "-" then
    return io.stdin:read("*a")
  end
  local f, err = io.open(path, "rb")
  if not f then
    return nil, err
  end
  local text = f:read("*a")
  f:close()
  return text
end

--- Whether a file can be opened for reading.
-- @tparam string path
-- @treturn boolean
function M.exists(path)
  local f = io.open(path, "rb")
  if f then
    f:close()
    return true
  end
  return false
end

return M
