--- Deterministic JSON for evaluation results.
--
-- lua-cjson cannot sort object keys, so this module has its own small encoder:
--
-- * object keys are sorted (byte order), so the same table always gives the
--   same text, whatever order `pairs` visits it in;
-- * a table whose keys are exactly `1..n` is an array; any other non-empty
--   table is an object (numeric keys become strings); an empty table is `[]`
--   unless it was marked with `json.object(t)`, then `{}`;
-- * numbers: integers (and floats with an integral value below 2^53) without
--   a decimal point; other floats in the shortest `%.Ng` (N = 14..17) that
--   reads back to the same number; NaN and infinities are refused (not JSON);
-- * strings are escaped as JSON requires (`"`, `\`, control characters);
--   bytes above 127 are copied as they are (UTF-8 in, UTF-8 out);
-- * `aza.Quantity` values are written as their text (`"70 kg"`); the
--   lua-cjson null sentinel as `null`; functions, threads and other userdata
--   are refused.
--
-- @module aza.render.json
-- @usage
-- local json = require "aza.render.json"
-- print(json.encode({ b = 1, a = { 2.5, "x" } }))   --> {"a":[2.5,"x"],"b":1}
-- io.write(json.render(result))                      -- indented, with a final newline

local util = require "aza.util"
local cjson_ok, cjson = pcall(require, "cjson.safe")

local error, getmetatable, ipairs, math, next, pairs, pcall, setmetatable, string, table,
  tonumber, tostring, type = error, getmetatable, ipairs, math, next, pairs, pcall, setmetatable,
  string, table, require("aza.compat").tonumber, tostring, type

local M = {}

local OBJECT = { __name = "aza.json.object" }

--- Mark a table as a JSON object, so that it encodes as `{}` when empty.
-- @tparam[opt] table t (a new table when nil)
-- @treturn table t
function M.object(t)
  return setmetatable(t or {}, OBJECT)
end

local NULL = cjson_ok and cjson.null or nil

--- The value that encodes as `null` (the lua-cjson sentinel).
M.null = NULL

-- {=== scalars ===

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function escape_char(c)
  return ESCAPES[c] or string.format("\\u%04x", string.byte(c))
end

local function encode_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', escape_char) .. '"'
end

--- Format a number as JSON (shortest text that reads back to the same number).
-- @tparam number v
-- @treturn string
-- @raise when v is NaN or infinite
function M.number(v)
  if v ~= v or v == math.huge or v == -math.huge then
    error("aza.render.json: " .. util.number(v) .. " is not a JSON number", 0)
  end
  return util.number(v)   -- '.' whatever the locale
end

-- }===

-- {=== tables ===

local function is_quantity(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "aza.Quantity"
end

-- "array" (keys 1..n), "empty" or "object"
local function table_kind(t)
  local n = #t
  local count = 0
  for _ in next, t do
    count = count + 1
  end
  if count == 0 then
    return "empty"
  end
  if n == count then
    for i = 1, n do
      if t[i] == nil then
        return "object"
      end
    end
    return "array"
  end
  return "object"
end

local encode_value

local function encode_table(t, depth, indent, seen)
  if seen[t] then
    error("aza.render.json: a table contains itself", 0)
  end
  local kind = table_kind(t)
  if kind == "empty" then
    return getmetatable(t) == OBJECT and "{}" or "[]"
  end
  seen[t] = true
  local nl, pad, pad_in, colon = "", "", "", ":"
  if indent then
    nl = "\n"
    pad = string.rep(indent, depth)
    pad_in = string.rep(indent, depth + 1)
    colon = ": "
  end
  local parts = {}
  if kind == "array" then
    for i, v in ipairs(t) do
      parts[i] = pad_in .. encode_value(v, depth + 1, indent, seen)
    end
    seen[t] = nil
    return "[" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    local tk = type(k)
    if tk ~= "string" and tk ~= "number" then
      error("aza.render.json: a " .. tk .. " key cannot be a JSON key", 0)
    end
    keys[#keys + 1] = tk == "number" and M.number(k) or k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    local v = t[k]
    if v == nil then
      v = t[tonumber(k)]
    end
    parts[i] = pad_in .. encode_string(k) .. colon .. encode_value(v, depth + 1, indent, seen)
  end
  seen[t] = nil
  return "{" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "}"
end

encode_value = function(v, depth, indent, seen)
  local tv = type(v)
  if tv == "string" then
    return encode_string(v)
  elseif tv == "number" then
    return M.number(v)
  elseif tv == "boolean" then
    return tostring(v)
  elseif v == nil or (NULL ~= nil and v == NULL) then
    return "null"
  elseif tv == "table" then
    return encode_table(v, depth, indent, seen)
  elseif is_quantity(v) then
    return encode_string(tostring(v))
  end
  error("aza.render.json: a " .. tv .. " cannot be written as JSON", 0)
end

-- }===

--- Encode a value as JSON text with sorted keys.
-- @param value a table, string, number, boolean or `json.null`
-- @tparam[opt] table opts `indent` (a string such as `"  "`: one key or element
--   per line, indented; default: compact)
-- @treturn string JSON text
-- @return[2] nil
-- @treturn[2] string message (a value JSON cannot hold)
-- @treturn[2] string `"E_ARG"`
function M.encode(value, opts)
  opts = opts or {}
  local ok, text = pcall(encode_value, value, 0, opts.indent, {})
  if not ok then
    return nil, tostring(text), "E_ARG"
  end
  return text
end

--- Render an evaluation result (or any value) as indented JSON with a final newline.
-- @param result the result of `protocol:evaluate`
-- @treturn string
-- @return[2] nil, message, `"E_ARG"`
function M.render(result)
  local text, msg, code = M.encode(result, { indent = "  " })
  if not text then
    return nil, msg, code
  end
  return text .. "\n"
end

return M
