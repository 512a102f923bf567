--- Small helpers shared by the aza modules: sets, sorted keys, paths.
--
-- Plain Lua, no state. Kept here so that each is written once.
--
-- @module aza.util
-- @usage
-- local util = require "aza.util"
-- local KEYS = util.set_of { "value", "unit" }   --> { value = true, unit = true }
-- print(table.concat(util.sorted_keys { b = 1, a = 2 }, ","))  --> a,b

local io, ipairs, next, string, table, type = io, ipairs, next, string, table, type

local M = {}

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
