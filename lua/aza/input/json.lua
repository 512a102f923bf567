--- JSON for patient input: a strict RFC 8259 reader (LPeg), the same on every Lua.
--
-- Strict where a careless feed must not slip through: a key given twice in one object
-- (`"weight": "140 kg", … "weight": "70 kg"`), text that is not valid UTF-8, a number
-- out of range, nesting deeper than `MAX_DEPTH`, more than `MAX_BYTES` of text. A UTF-8
-- byte order mark at the start is skipped. Numbers are read with `.` whatever the host's
-- `LC_NUMERIC` (lua-cjson's reader follows the locale it saw when it was loaded). Errors
-- are `nil, "patient JSON: <message> at character N", "E_INPUT"`.
--
-- JSON `null` decodes to `json.null` (the lua-cjson sentinel, which the renderers know),
-- so that a field given as null stays distinct from an absent field.
--
-- @module aza.input.json
-- @usage
-- local json = require "aza.input.json"
-- local t = assert(json.decode('{"weight": "70 kg", "height": null}'))
-- print(json.is_null(t.height), t.foo == nil)        --> true  true
-- print(json.decode('{"a": 1, "a": 2}'))  --> nil  patient JSON: duplicate key 'a' at …  E_INPUT

local cjson_safe = require "cjson.safe"
local json_decode = require("aza.core").json_decode
local compat = require "aza.compat"
local lpeg = require "lpeg"

local error, getmetatable, math, pcall, setmetatable, string, table, tostring, type =
  error, getmetatable, math, pcall, setmetatable, string, table, tostring, type
local P, R, S, C, Cc, Cp, Ct, V = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cp, lpeg.Ct,
  lpeg.V

local M = {}

--- Most bytes of JSON text read.
M.MAX_BYTES = 8 * 1024 * 1024
--- Deepest nesting of arrays and objects.
M.MAX_DEPTH = 64

--- The value JSON `null` decodes to (the lua-cjson sentinel, not nil).
M.null = cjson_safe.null

--- Whether a decoded value is JSON `null`.
-- @param v any value
-- @treturn boolean
function M.is_null(v)
  return v == cjson_safe.null
end

-- {=== the grammar ===

-- a failure inside a capture: raised, caught by decode
local Fail = {}
local function fail(pos, msg)
  error(setmetatable({ pos = pos, msg = msg }, Fail), 0)
end

local cont = R("\128\191")
local utf8_char = R("\0\127") + R("\194\223") * cont + P("\224") * R("\160\191") * cont
  + R("\225\236", "\238\239") * cont * cont + P("\237") * R("\128\159") * cont
  + P("\240") * R("\144\191") * cont * cont + R("\241\243") * cont * cont * cont
  + P("\244") * R("\128\143") * cont * cont
-- the position of the first byte that is not valid UTF-8 (#s + 1 when all are)
local utf8_prefix = utf8_char ^ 0 * Cp()

--- Where a string stops being valid UTF-8: the position of the first bad byte, or nil.
-- @tparam string s
-- @treturn integer|nil
function M.invalid_utf8(s)
  local at = utf8_prefix:match(s)
  return at <= #s and at or nil
end

local ws = S(" \t\r\n") ^ 0

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
                  r = "\r", t = "\t" }
local hex4 = R("09", "af", "AF") * R("09", "af", "AF") * R("09", "af", "AF")
  * R("09", "af", "AF")

local function surrogate_pair(pos, hi, lo)
  local h, l = compat.tonumber(hi, 16), compat.tonumber(lo, 16)
  if l < 0xDC00 or l > 0xDFFF then
    fail(pos, "a \\u escape of a high surrogate without its low surrogate")
  end
  return compat.utf8_char(0x10000 + (h - 0xD800) * 0x400 + (l - 0xDC00))
end

local function code_point(pos, h)
  local cp = compat.tonumber(h, 16)
  if cp >= 0xD800 and cp <= 0xDFFF then
    fail(pos, "a \\u escape of a lone surrogate")
  end
  return compat.utf8_char(cp)
end

local escape = P("\\") * (
  C(S('"\\/bfnrt')) / ESCAPES
  + P("u") * Cp() * C(S("dD") * S("89abAB") * R("09", "af", "AF") * R("09", "af", "AF"))
    * P("\\u")
    * C(hex4) / function(pos, hi, lo) return surrogate_pair(pos, hi, lo) end
  + P("u") * Cp() * C(hex4) / function(pos, h) return code_point(pos, h) end)
local plain = (P(1) - S('"\\') - R("\0\31")) ^ 1
local str = P('"') * Ct((C(plain) + escape) ^ 0) / table.concat * P('"')

local number = Cp() * C(P("-") ^ -1 * (P("0") + R("19") * R("09") ^ 0)
  * (P(".") * R("09") ^ 1) ^ -1 * (S("eE") * S("+-") ^ -1 * R("09") ^ 1) ^ -1)
  / function(pos, text)
    local v = compat.tonumber(text)
    if v == nil or v ~= v or v == math.huge or v == -math.huge then
      fail(pos, "number " .. text .. " out of range")
    end
    return v
  end

-- an object from its members, each { key position, key, value }
local function object(members)
  local t = {}
  for i = 1, #members do
    local m = members[i]
    if t[m[2]] ~= nil then
      fail(m[1], "duplicate key '" .. m[2] .. "'")
    end
    t[m[2]] = m[3]
  end
  return t
end

local grammar = P {
  "doc",
  doc = ws * V("value") * ws,
  value = str + number + V("object") + V("array") + P("true") * Cc(true)
    + P("false") * Cc(false) + P("null") * Cc(cjson_safe.null),
  member = Ct(ws * Cp() * str * ws * P(":") * ws * V("value") * ws),
  object = Ct(P("{") * ws * (V("member") * (P(",") * V("member")) ^ 0) ^ -1 * P("}"))
    / object,
  array = Ct(P("[") * ws * (V("value") * ws * (P(",") * ws * V("value") * ws) ^ 0) ^ -1
    * P("]")),
} * Cp()

-- }===

-- the deepest nesting of brackets outside strings, and where it passed MAX_DEPTH; one
-- linear pass, before the grammar recurses
local function depth_of(text)
  local depth, i, n = 0, 1, #text
  local find, byte = string.find, string.byte
  while i <= n do
    local j = find(text, '[%[%]{}"]', i)
    if not j then
      return nil
    end
    local c = byte(text, j)
    if c == 34 then -- a string: on past its closing quote
      local k = j + 1
      while true do
        local q = find(text, '["\\]', k)
        if not q then
          return nil
        end
        if byte(text, q) == 92 then
          k = q + 2
        else
          k = q + 1
          break
        end
      end
      i = k
    else
      depth = depth + ((c == 91 or c == 123) and 1 or -1)
      if depth > M.MAX_DEPTH then
        return j
      end
      i = j + 1
    end
  end
  return nil
end

-- a lua-cjson instance, only to describe text the grammar cannot read ("Expected … but
-- found … at character N"); never used for values
local describer = cjson_safe.new()
describer.decode_invalid_numbers(false)

local function failure(msg, pos)
  return nil, "patient JSON: " .. msg .. (pos and (" at character " .. pos) or ""), "E_INPUT"
end

--- Decode JSON text.
-- @tparam string text
-- @treturn any the decoded value (a table for an object or array)
-- @return[2] nil
-- @treturn[2] string `"patient JSON: <message> at character N"`
-- @treturn[2] string `"E_INPUT"`
function M.decode(text)
  local value, a, b = M.decode_depth(text)
  if value == nil then
    return nil, a, b
  end
  return value
end

--- Decode JSON text, and say how deeply it nests (the patient reader skips its own walk
-- of a record that nests little: the reader has checked what that walk checks).
-- @tparam string text
-- @treturn any the decoded value
-- @treturn integer the deepest nesting of arrays and objects in it (0 for a scalar)
-- @return[2] as `decode`
function M.decode_depth(text)
  if type(text) ~= "string" then
    return nil, "patient JSON: text expected, got " .. type(text), "E_INPUT"
  end
  if #text > M.MAX_BYTES then
    return failure("more than " .. M.MAX_BYTES .. " bytes")
  end
  -- the C reader first (aza_json.c: the same grammar and checks, ~20 times faster); text it
  -- refuses is read again by the grammar below, for the message
  local value, depth = json_decode(text, M.MAX_DEPTH, cjson_safe.null)
  if value ~= nil then
    return value, depth
  end
  return M.decode_lua(text)
end

--- Decode JSON text with the LPeg grammar alone (the reference of the C reader, and the
-- source of the messages for text it refuses).
-- @tparam string text
-- @return as `decode`
function M.decode_lua(text)
  if #text > M.MAX_BYTES then
    return failure("more than " .. M.MAX_BYTES .. " bytes")
  end
  local start = string.sub(text, 1, 3) == "\239\187\191" and 4 or 1 -- a UTF-8 BOM
  local bad = utf8_prefix:match(text, start)
  if bad <= #text then
    return failure("not valid UTF-8", bad)
  end
  local deep = depth_of(text)
  if deep then
    return failure("nested deeper than " .. M.MAX_DEPTH, deep)
  end
  local ok, value, stop = pcall(grammar.match, grammar, text, start)
  if not ok then
    if getmetatable(value) == Fail then
      return failure(value.msg, value.pos)
    end
    return failure(tostring(value))
  end
  if value == nil or stop <= #text then
    local _, err = describer.decode(string.sub(text, start))
    return failure(err
      or "not valid JSON (RFC 8259: no leading zeros, no raw control bytes in strings)")
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
  local cj = cjson_safe.new()
  cj.encode_invalid_numbers(false)
  local text, err = cj.encode(value)
  if text == nil then
    return nil, "JSON: " .. tostring(err), "E_ARG"
  end
  return text
end

return M
