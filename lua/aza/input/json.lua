--- JSON for patient input: a thin wrapper over lua-cjson (`cjson.safe`).
--
-- Decode errors become `nil, "patient JSON: <message>", "E_INPUT"`. JSON `null` decodes to
-- `json.null` (the cjson sentinel), so that a field given as null stays distinct from an
-- absent field; `json.is_null(v)` tests for it. A private cjson instance is used, so the
-- host's global cjson settings are neither read nor changed.
--
-- @module aza.input.json
-- @usage
-- local json = require "aza.input.json"
-- local t = assert(json.decode('{"weight": "70 kg", "height": null}'))
-- print(json.is_null(t.height), t.foo == nil)           --> true  true
-- print(json.decode("{bad"))    --> nil  patient JSON: Expected object key ...  E_INPUT

local cjson_safe = require "cjson.safe"

local tostring, type = tostring, type

local M = {}

local cj = cjson_safe.new()
-- reject NaN and Infinity spellings on input and output (not JSON)
cj.decode_invalid_numbers(false)
cj.encode_invalid_numbers(false)
-- nesting far beyond any patient record is refused rather than recursed into
cj.decode_max_depth(64)

--- The value JSON `null` decodes to (a cjson sentinel, not nil).
M.null = cjson_safe.null

--- Whether a decoded value is JSON `null`.
-- @param v any value
-- @treturn boolean
function M.is_null(v)
  return v == cjson_safe.null
end

--- Decode JSON text.
-- @tparam string text
-- @treturn any the decoded value (a table for an object or array)
-- @return[2] nil
-- @treturn[2] string `"patient JSON: <message>"`
-- @treturn[2] string `"E_INPUT"`
function M.decode(text)
  if type(text) ~= "string" then
    return nil, "patient JSON: text expected, got " .. type(text), "E_INPUT"
  end
  local value, err = cj.decode(text)
  if value == nil and err ~= nil then
    return nil, "patient JSON: " .. err, "E_INPUT"
  end
  return value
end

--- Encode a value as JSON text (for results and fixtures).
-- @param value a table, string, number, boolean or `json.null`
-- @treturn string JSON text
-- @return[2] nil
-- @treturn[2] string `"JSON: <message>"`
-- @treturn[2] string `"E_ARG"`
function M.encode(value)
  local text, err = cj.encode(value)
  if text == nil then
    return nil, "JSON: " .. tostring(err), "E_ARG"
  end
  return text
end

return M
