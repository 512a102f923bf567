--- Helpers over the text of a protocol script, for messages: the line where something
-- is written, and the nearest name to a misspelt one. Plain Lua (only aza.compat),
-- so that the loader, the checker and the parameter checks can all use it.
--
-- @module aza.protocol.source
-- @usage
-- local source = require "aza.protocol.source"
-- print(source.locate("a\nb = 1\n", "b"))                  --> 2
-- print(source.suggest("withold", { "withhold", "cap" }))   --> withhold

local idiv = require("aza.compat").idiv

local ipairs, math, string, type = ipairs, math, string, type

local M = {}

-- Levenshtein distance, for suggestions
local function distance(a, b)
  if math.abs(#a - #b) > 3 then
    return 99
  end
  local prev = {}
  for j = 0, #b do
    prev[j] = j
  end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = string.byte(a, i) == string.byte(b, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

--- The closest candidate to a misspelt name, or nil.
-- @tparam string name
-- @tparam {string,...} candidates
-- @treturn string|nil
function M.suggest(name, candidates)
  if type(name) ~= "string" then
    return nil
  end
  local best, bestd = nil, math.max(2, idiv(#name, 4)) + 1
  for _, c in ipairs(candidates) do
    local d = distance(name, c)
    if d < bestd then
      best, bestd = c, d
    end
  end
  return best
end

--- The first line at or after `from` that contains `needle`, or `from`.
-- @tparam string source
-- @tparam string needle plain text
-- @tparam[opt] integer from
-- @treturn integer
function M.locate(source, needle, from)
  from = from or 1
  local line = 1
  for text in string.gmatch(source .. "\n", "([^\n]*)\n") do
    if line >= from and string.find(text, needle, 1, true) then
      return line
    end
    line = line + 1
  end
  return from
end

-- true when `text` has `key` written as a table key: `key =` or `["key"] =` (not inside a
-- longer name such as trust_formulary)
local function has_key(text, key)
  local init = 1
  while true do
    local i, j = string.find(text, key, init, true)
    if not i then
      return string.find(text, '["' .. key .. '"]', 1, true) ~= nil
    end
    local before = i > 1 and string.sub(text, i - 1, i - 1) or ""
    if not string.find(before, "[%w_]") and string.find(text, "^%s*=[^=]", j + 1) then
      return true
    end
    init = j + 1
  end
end

--- The first line at or after `from` where `key` is written as a table key (`key =`,
-- `["key"] =`), or `from`: where a protocol sets a parameter, not a line whose text
-- merely contains the word.
-- @tparam string source
-- @tparam string key
-- @tparam[opt] integer from
-- @treturn integer
function M.locate_key(source, key, from)
  from = from or 1
  local line = 1
  for text in string.gmatch(source .. "\n", "([^\n]*)\n") do
    if line >= from and has_key(text, key) then
      return line
    end
    line = line + 1
  end
  return from
end

return M
