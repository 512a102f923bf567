-- The C JSON reader (aza_json.c through aza.core.json_decode, the fast path of
-- aza.input.json) against the LPeg grammar (json.decode_lua, its reference): on every text
-- both refuse, or both accept with equal values, down to integer vs float. Texts: the
-- must-parse and must-fail lists, hand-picked edges, and seeded mutations of real records.
local compat = require "aza.compat"
local core = require "aza.core"
local json = require "aza.input.json"
local rng = require "spec.support.rng"

local null = json.null

-- integer or float on 5.3+ (tostring gives "100" or "100.0"); one kind on 5.1 and LuaJIT
local function num_kind(v)
  return tostring(v)
end

-- deep equality with number kinds and NaN-free values; returns nil or where they differ
local function differ(a, b, path)
  if type(a) ~= type(b) then
    return path .. ": " .. type(a) .. " vs " .. type(b)
  elseif type(a) == "number" then
    if a ~= b or num_kind(a) ~= num_kind(b) or 1 / a ~= 1 / b then
      return path .. ": " .. tostring(a) .. " vs " .. tostring(b)
    end
  elseif type(a) == "table" then
    for k, v in pairs(a) do
      local d = differ(v, b[k], path .. "." .. tostring(k))
      if d then
        return d
      end
    end
    for k in pairs(b) do
      if a[k] == nil then
        return path .. "." .. tostring(k) .. ": missing"
      end
    end
  elseif a ~= b then
    return path .. ": " .. tostring(a) .. " vs " .. tostring(b)
  end
  return nil
end

local function compare(text)
  local c = core.json_decode(text, json.MAX_DEPTH, null)
  local l = json.decode_lua(text)
  if (c == nil) ~= (l == nil) then
    return ("C %s, LPeg %s: %q"):format(c == nil and "refuses" or "accepts",
      l == nil and "refuses" or "accepts", text)
  end
  if c ~= nil then
    local d = differ(l, c, "value")
    if d then
      return d .. (" in %q"):format(text)
    end
  end
  return nil
end

local EDGES = {
  "0", "-0", "-0.0", "1E2", "1e-2", "1.5e+3", "9007199254740993", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
  "12345678901234567890", "1e308", "1e309", "-1e309", "4.9e-324", "1e-400", "00", "-", "+1",
  "1.", ".1", "1e", "1e+", "0x1", "tru", "nul", "true false", "[]", "{}", "[[]]", "{\"\":1}",
  "\"\\u0000\"", "\"\\uD83D\\uDE00\"", "\"\\uDE00\"", "\"\\uD83D\"", "\"\\uD83Dx\"",
  "\"\\uD83D\\u0041\"", "\"\\" .. "x41\"", "\"\\u12\"", "\"\127\"", "\"\194\128\"",
  "\"\224\160\128\"",
  "\"\224\128\128\"", "\"\240\144\128\128\"", "\"\244\144\128\128\"", "\"\248\"", "\"\192\128\"",
  "\239\187\191", "\239\187\191[1]", " [1] ", "[1]\0", "\0", "[1,2", "{\"a\" 1}", "{\"a\":}",
  "{\"a\":1,}", "{1:2}", "[\"a\"\"b\"]", "{\"a\":1,\"a\":null}", "{\"a\":null,\"b\":null}",
  "[null,null]", "\"\t\"", "\"a\\/b\"", "\"\\b\\f\\n\\r\\t\\\"\\\\\"",
  string.rep("[", 64) .. string.rep("]", 64), string.rep("[", 65) .. string.rep("]", 65),
  string.rep("{\"a\":", 64) .. "1" .. string.rep("}", 64),
}

-- bytes a mutation inserts: JSON punctuation, digits, escapes, UTF-8 edges
local PIECES = { "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\uD800", "0", "1", "-",
                 ".", "e", "E", "+", " ", "\n", "\t", "null", "true", "false", "\0", "\255",
                 "\194", "\128", "\239\187\191", "\"a\":1,", "1e999", "\\n" }

local function mutate(rand, text)
  local n = rand(4)
  for _ = 1, n do
    local at = rand(#text + 1) - 1
    local k = rand(3)
    if k == 1 then -- delete a byte run
      text = text:sub(1, at) .. text:sub(at + rand(4) + 1)
    elseif k == 2 then -- insert a piece
      text = text:sub(1, at) .. PIECES[rand(#PIECES)] .. text:sub(at + 1)
    else -- replace a byte
      text = text:sub(1, at) .. string.char(rand(256) - 1) .. text:sub(at + 2)
    end
  end
  return text
end

describe("the C JSON reader against the LPeg grammar", function()
  it("agrees on the edge cases", function()
    local bad = {}
    for _, t in ipairs(EDGES) do
      bad[#bad + 1] = compare(t)
    end
    assert.are.same({}, bad)
  end)

  it("agrees on the bundled patients and the bench cohort", function()
    local bad = {}
    local f = assert(io.open("examples/patients/ibd-new-start.json", "rb"))
    bad[#bad + 1] = compare(f:read("*a"))
    f:close()
    for _, line in ipairs(dofile("bench/cohort.lua").generate(50)) do
      bad[#bad + 1] = compare(line)
    end
    assert.are.same({}, bad)
  end)

  it("agrees on 4000 seeded mutations of real records", function()
    local rand = rng(20261202)
    local seeds = dofile("bench/cohort.lua").generate(20, 7)
    local f = assert(io.open("examples/patients/ibd-new-start.json", "rb"))
    seeds[#seeds + 1] = f:read("*a")
    f:close()
    local bad, accepted = {}, 0
    for i = 1, 4000 do
      local text = mutate(rand, seeds[i % #seeds + 1])
      local d = compare(text)
      if d then
        bad[#bad + 1] = d
        if #bad >= 5 then
          break
        end
      elseif core.json_decode(text, json.MAX_DEPTH, null) ~= nil then
        accepted = accepted + 1
      end
    end
    assert.are.same({}, bad)
    -- the mutations exercise both sides: some still parse, most do not
    assert.is_true(accepted > 50, "accepted " .. accepted)
    assert.is_true(accepted < 3500, "accepted " .. accepted)
  end)

  it("is what decode uses, and decode keeps the grammar's messages", function()
    assert.are.equal(5, json.decode("5"))
    local _, msg = json.decode('{"a": 1, "a": 2}')
    assert.are.equal("patient JSON: duplicate key 'a' at character 10", msg)
    assert.is_nil(compat.unpack({ core.json_decode("[", 64, null) }, 1, 1))
  end)
end)
